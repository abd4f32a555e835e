"""Provenance is a value that travels with a table: made when a file is read, kept through the operations
researchers use, and unknown (never real) where pandas drops it."""

import pandas as pd
import pytest

import wijkstudie as ws
from wijkstudie.core.provenance import UNKNOWN, Provenance, Source, combine, provenance_of
from wijkstudie.models import area_regression
from wijkstudie.study import findings as fd
from wijkstudie.study import verdicts

from helpers import FIXTURES, use_synthetic_world, warns_municipal_extract


@pytest.fixture(params=["real", "synthetic"])
def tables(request, monkeypatch):
    """Two tables of one kind: read from fixtures in the publishers' layout (real), or loaded from the synthetic
    world's mirror (synthetic)."""
    if request.param == "real":
        with warns_municipal_extract():
            kwb = ws.read_file(FIXTURES / "kwb-odata-2017.csv")
        with warns_municipal_extract():
            rivm = ws.read_file(FIXTURES / "rivm-2020-18plus.csv")
    else:
        use_synthetic_world(monkeypatch)
        kwb = ws.load("kwb", year=2017)
        rivm = ws.load("rivm-gezondheid", year=2020, age_group="18+")
    return request.param, kwb, rivm


def test_a_file_read_makes_its_record(tables):
    kind, kwb, _ = tables
    record = provenance_of(kwb)
    assert record.kind == kind and record.sources[0].dataset == "kwb" and record.sources[0].year == 2017
    assert record.sources[0].division == 2017 and len(record.sources[0].sha256) == 24
    assert set(record.levels) == set(kwb["level"])


@pytest.mark.parametrize("operation", ["copy", "select", "filter", "groupby", "assign", "concat_same", "sort"])
def test_operations_on_one_table_keep_its_provenance(tables, operation):
    kind, kwb, _ = tables
    result = {
        "copy": lambda: kwb.copy(),
        "select": lambda: kwb[["region_code", "population"]],
        "filter": lambda: kwb[kwb["level"] == "buurt"],
        "groupby": lambda: kwb.groupby("level")[["population"]].sum(),
        "assign": lambda: kwb.assign(double=kwb["population"] * 2),
        "concat_same": lambda: pd.concat([kwb, kwb]),
        "sort": lambda: kwb.sort_values("population"),
    }[operation]()
    assert provenance_of(result).kind == kind


@pytest.mark.parametrize("operation", ["merge", "join", "concat"])
def test_combining_two_tables_with_pandas_gives_unknown_never_real(tables, operation):
    kind, kwb, rivm = tables
    left, right = kwb[["region_code", "population"]], rivm[["region_code", "pct_volunteering"]]
    result = {
        "merge": lambda: left.merge(right, on="region_code"),
        "join": lambda: left.set_index("region_code").join(right.set_index("region_code")),
        "concat": lambda: pd.concat([left, right]),
    }[operation]()
    assert provenance_of(result).kind == "unknown"


def test_join_regions_and_carry_combine_the_records(tables):
    kind, kwb, rivm = tables
    if kind == "synthetic":  # KWB 2017 moves onto RIVM's 2020 division; the synthetic world has no buurt boundaries
        with pytest.warns(ws.WijkstudieWarning, match="buurt codes were kept as they are and could not be checked"):
            joined, _ = ws.join_regions(kwb, rivm)
    else:
        joined, _ = ws.join_regions(kwb, rivm)
    record = provenance_of(joined)
    assert record.kind == kind and {s.dataset for s in record.sources} >= {"kwb", "rivm-gezondheid"}
    from wijkstudie.core.provenance import carry

    merged = carry(kwb.merge(rivm[["region_code", "pct_volunteering"]], on="region_code"), kwb, rivm)
    assert provenance_of(merged).kind == kind


def test_a_plain_merge_then_a_model_is_never_counted_as_real_evidence(tables):
    kind, kwb, rivm = tables
    merged = kwb.merge(rivm[["region_code", "pct_volunteering"]], on="region_code")
    result = area_regression("pct_volunteering ~ population", merged)
    assert result.data_kind == "unknown" and "UNKNOWN" in str(result)
    test = fd.from_model("F3", result, "population", label="merged by hand")
    assert test.data_kind == "unknown" and "not counted" in " ".join(test.caveats)
    assert test.scope_group == "unknown" and test.evidence == "unknown" and not test.counted_kind
    judgement = verdicts.judge("F3", [test])
    assert judgement.verdicts == {} and judgement.not_counted == {"unknown": [test]}  # no national, no cities
    assert "UNKNOWN PROVENANCE" in [t.get_text() for t in _saved(merged).texts]


def _saved(table):
    import matplotlib.pyplot as plt

    from wijkstudie.plotting import save_figure

    fig = plt.figure()
    save_figure(fig, "p", source=ws.source_caption(table), folder=__import__("tempfile").mkdtemp(), formats=("png",))
    plt.close(fig)
    return fig


def test_combine_rules():
    real = Provenance("real", (Source("kwb", 2022),))
    synthetic = Provenance("synthetic", (Source("rivm-gezondheid", 2020),))
    assert combine(real, real).kind == "real"
    assert combine(real, synthetic).kind == "synthetic"
    assert combine(real, UNKNOWN).kind == "unknown"
    assert combine().kind == "unknown"
    assert provenance_of(pd.DataFrame({"a": [1]})) == UNKNOWN
    with pytest.raises(ws.WijkstudieError, match="kind must be one of"):
        Provenance("probably real")


def test_the_record_survives_a_round_trip_to_parquet(tmp_path, tables):
    kind, kwb, _ = tables
    path = tmp_path / "t.parquet"
    kwb.drop(columns=[c for c in ("geometry",) if c in kwb]).to_parquet(path)
    assert provenance_of(pd.read_parquet(path)).kind == kind


def test_a_table_shares_its_record_through_pandas_steps_and_nobody_edits_it():
    import copy
    import json
    import pickle

    from wijkstudie.core.provenance import Record, attach

    record = Provenance("real", (Source("kwb", 2022, 2022, "kwb.xlsx", "ab", variables=("x",)),), ("wijk",))
    table = attach(pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1, 0, 1]}), record)
    kept = table.attrs["provenance"]
    assert isinstance(kept, Record) and kept == record.to_dict()
    stepped = table[table["x"] > 1].assign(z=lambda t: t["x"] * 2).reset_index(drop=True)[["x", "z"]]
    assert stepped.attrs["provenance"] is kept  # pandas deep-copies attrs: the record is shared, not copied
    assert provenance_of(stepped) is provenance_of(table) == record  # read once
    assert copy.deepcopy(kept) is kept
    with pytest.raises(TypeError, match="cannot be changed"):
        kept["kind"] = "synthetic"
    with pytest.raises(TypeError, match="cannot be changed"):
        kept.update(kind="synthetic")
    assert provenance_of(table).kind == "real"
    assert json.loads(json.dumps(table.attrs)) == {"provenance": dict(kept)}  # plain data, as JSON writes it
    again = pickle.loads(pickle.dumps(kept))
    assert isinstance(again, Record) and again == kept and again.parsed() == record
    assert provenance_of(pd.DataFrame({"x": [1]}).__finalize__(table)) == record
