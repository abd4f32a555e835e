"""The synthetic world: deterministic, cited, shaped like the real data, and labelled synthetic everywhere, also in a
file copied out of its mirror or stripped of its mark."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import wijkstudie as ws
from wijkstudie import study, synthetic
from wijkstudie.models import area_regression
from wijkstudie.study.findings import from_model

from helpers import use_synthetic_world, write_kwb_workbook


def test_same_seed_same_world_and_another_seed_another():
    a = synthetic.generate(seed=5, n_neighbourhoods=50, residents_per_neighbourhood=20)
    b = synthetic.generate(seed=5, n_neighbourhoods=50, residents_per_neighbourhood=20)
    c = synthetic.generate(seed=6, n_neighbourhoods=50, residents_per_neighbourhood=20)
    pd.testing.assert_frame_equal(a.residents, b.residents)
    assert a.neighbourhoods.geometry.equals(b.neighbourhoods.geometry)
    assert not a.residents["participates"].equals(c.residents["participates"])


def test_every_scenario_parameter_cites_a_source_or_is_an_assumption(tmp_path):
    scenario = synthetic.load_scenario()
    for section, params in scenario.items():
        if isinstance(params, dict):
            for name, p in params.items():
                assert "value" in p and (p.get("source") or p.get("assumption")), f"{section}.{name}"
    bad = tmp_path / "bad.yaml"
    bad.write_text("participation:\n  owner: {value: 0.3}\n")
    with pytest.raises(ws.WijkstudieError, match="participation.owner"):
        synthetic.load_scenario(bad)


def test_residents_have_every_schema_variable_with_allowed_values():
    from wijkstudie.microdata.survey import schema

    residents = synthetic.generate(seed=2, n_neighbourhoods=30, residents_per_neighbourhood=50).residents
    for name, info in schema().items():
        assert name in residents, name
        if info["type"] == "category":
            assert set(residents[name].dropna().astype(str)) <= set(info["values"]), name
        if info["type"] == "binary":
            assert set(residents[name].unique()) <= {0, 1}, name
    assert residents["weight"].mean() == pytest.approx(1.0)


def test_calibration_targets_of_the_scenario():
    residents = synthetic.generate(seed=3, n_neighbourhoods=300, residents_per_neighbourhood=100).residents
    assert 0.2 < residents["participates"].mean() < 0.32  # near RIVM's 24.6 % volunteering
    assert 0.7 < residents["trust_neighbours"].mean() < 0.85  # CBS 2011: more than three in four
    by_age = residents.groupby("age_group", observed=True)["trust_neighbours"].mean()
    assert by_age["65+"] > by_age["18-29"] + 0.2  # CBS 2011: 89 % against 57 %


def test_a_synthetic_session_reads_the_synthetic_mirror_through_the_real_readers(monkeypatch):
    use_synthetic_world(monkeypatch)
    monkeypatch.setenv("WIJKSTUDIE_MIRROR", "/nonexistent/real/mirror")  # synthetic wins over a real mirror
    kwb = ws.load("kwb", year=2023, level="buurt")
    report = ws.report(kwb)
    assert report.format == "kwb-workbook" and report.data_kind == "synthetic"  # the workbook reader read it
    assert {
        "region_code",
        "level",
        "gemeente_code",
        "population",
        "pct_owner_occupied",
        "pct_single_person_households",
        "pct_age_15_24",
    } <= set(kwb.columns)
    assert set(kwb["level"]) == {"buurt"} and kwb["region_code"].str.match(r"^BU\d{8}$").all()
    rotterdam = ws.load("rotterdam-wijkprofiel", year=2016)
    assert "Vreewijk" in set(rotterdam["region_name"]) and ws.report(rotterdam).data_kind == "synthetic"
    gemeenten = ws.load("cbs-gemeenten", year=2022)
    assert gemeenten.crs.to_epsg() == 4326 and len(gemeenten) > 5
    assert ws.provenance_of(gemeenten).describe().startswith("SYNTHETIC data")


def test_the_mirror_is_complete_marked_and_written_once(tmp_path, monkeypatch):
    import json

    from wijkstudie.core.provenance import MANIFEST

    monkeypatch.setenv("WIJKSTUDIE_DATA_DIR", str(tmp_path))
    folder = synthetic.mirror()
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["data_kind"] == "synthetic" and "SYNTHETIC" in (folder / "MANIFEST.md").read_text()
    files = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert set(manifest["files"]) <= files and len(manifest["files"]) > 240
    stamp = (folder / MANIFEST).stat().st_mtime_ns
    assert synthetic.mirror() == folder and (folder / MANIFEST).stat().st_mtime_ns == stamp  # reused
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no half-written leftovers


def test_synthetic_origin_survives_joins_and_models(monkeypatch):
    use_synthetic_world(monkeypatch)
    for table in (study.utrecht_buurten(), study.rotterdam_wijken(2016), study.amsterdam_gebieden()):
        assert ws.provenance_of(table).kind == "synthetic"
    result = area_regression(
        "pct_volunteering ~ pct_owner_occupied", study.rotterdam_wijken(2014), weights="population"
    )
    assert result.data_kind == "synthetic"
    test = from_model("F3", result, "pct_owner_occupied", label="x")
    assert test.data_kind == "synthetic" and test.evidence == "method check" and test.planted_sign == 1
    assert "synthetic stand-in" in ws.source_caption(study.rotterdam_wijken(2014))
    assert ws.data_origin().startswith("SYNTHETIC DATA")


def test_neighbourhood_shares_follow_the_residents():
    world = synthetic.generate(seed=4, n_neighbourhoods=20, residents_per_neighbourhood=40, geometry=False)
    table = synthetic.neighbourhood_table(world)
    first = world.residents[world.residents["buurt_code"] == table["region_code"][0]]
    assert table["pct_owner_occupied"][0] == pytest.approx(100 * (first["tenure"] == "owner").mean())
    assert table["pct_volunteering"][0] == pytest.approx(100 * first["volunteers"].mean())


def test_estimates_computed_outside_a_model_keep_the_data_kind(monkeypatch):
    from wijkstudie.study.findings import from_estimate

    use_synthetic_world(monkeypatch)
    table = study.rotterdam_wijken(2016)
    test = from_estimate(
        "F3",
        label="x",
        estimate=0.2,
        ci_low=0.1,
        ci_high=0.3,
        data=table,
        n=71,
        outcome="pct_volunteering",
        term="pct_owner_occupied",
        measure="coefficient",
        scale="coefficient",
        estimator="difference of means",
    )
    assert test.data_kind == "synthetic" and "rotterdam-wijkprofiel" in test.source


def test_the_mirror_writes_columns_the_variable_dictionary_names_and_reads_them_back(monkeypatch):
    """The synthetic files take their column names and scales from variables.yaml (no copy of the mapping in the
    mirror writer): every variable a file is meant to hold comes back from the real readers."""
    from wijkstudie.synthetic import mirror_writer as writer

    signature = ws.data.catalogue.get_dataset("kwb").resource(2024, "open-data").signature
    assert writer.source_column("pct_owner_occupied", "kwb-odata", 2024, signature) == ("Koopwoningen_47", 1.0)
    assert writer.source_column("pct_know_each_other", "rotterdam-wijkprofiel") == ("ElkaarKennen_p", 0.01)
    use_synthetic_world(monkeypatch)
    for year, names in writer.ODATA_VARIABLES.items():
        table = ws.load("kwb", year=year, level="wijk", source_format="open-data")
        assert all(table[name].notna().any() for name in names), year
    profile = study.rotterdam_wijken(2016)
    assert all(profile[name].notna().any() for names in writer.PROFILE_SHEETS.values() for name in names)
    bbga = study.amsterdam_gebieden()
    assert all(bbga[name].notna().any() for name, _ in writer.BBGA_VARIABLES)


def _synthetic_files():
    from wijkstudie.core.provenance import MANIFEST
    from wijkstudie.synthetic import mirror

    folder = mirror()
    manifest = json.loads((folder / MANIFEST).read_text())
    return folder, manifest


SYNTHETIC_FILES = [  # (dataset, year, variant): one of each kind of file the synthetic mirror writes
    ("kwb", 2023, "workbook"),
    ("kwb", 2017, "open-data"),
    ("rivm-gezondheid", 2020, "18+"),
    ("rivm-gezondheid", 2016, "65+"),
    ("cbs-gemeenten", 2022, None),
    ("cbs-wijken", 2024, None),
    ("leefbaarometer", 2016, "wijk"),
    ("rotterdam-wijkprofiel", 2016, "wijkprofiel"),
    ("rotterdam-wijkprofiel", 2015, "context"),
    ("amsterdam-bbga", 2018, "data"),
]


@pytest.mark.parametrize("dataset, year, variant", SYNTHETIC_FILES)
def test_a_synthetic_file_copied_out_of_its_mirror_still_loads_as_synthetic(tmp_path, dataset, year, variant):
    from wijkstudie.data.catalogue import get_dataset

    folder, _ = _synthetic_files()
    source = folder / get_dataset(dataset).resource(year, variant).mirror
    copy = tmp_path / "copied" / source.name
    copy.parent.mkdir()
    shutil.copyfile(source, copy)
    with pytest.warns(ws.WijkstudieWarning, match="SYNTHETIC"):
        table = ws.read_file(copy, year=year)
    assert ws.provenance_of(table).kind == "synthetic"
    assert ws.report(table).data_kind == "synthetic"


def test_the_synthetic_survey_and_its_mapping_carry_the_mark_too(tmp_path):
    from wijkstudie.microdata.survey import read_microdata
    from wijkstudie.synthetic.mirror_writer import MAPPING_FILE, SURVEY_FILE

    folder, _ = _synthetic_files()
    for rel in (SURVEY_FILE, MAPPING_FILE):
        shutil.copyfile(folder / rel, tmp_path / Path(rel).name)
    residents = read_microdata(tmp_path / Path(SURVEY_FILE).name, tmp_path / Path(MAPPING_FILE).name)
    assert ws.provenance_of(residents).kind == "synthetic"
    assert "wijkstudie" in (tmp_path / Path(MAPPING_FILE).name).read_text()


def test_a_real_file_without_the_mark_stays_real(tmp_path, fresh_cache):
    table = ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx"))
    assert ws.provenance_of(table).kind == "real"


@pytest.mark.parametrize("dataset, year, variant", [("kwb", 2017, "open-data"), ("kwb", 2023, "workbook")])
def test_a_synthetic_file_stripped_of_its_mark_is_recognised_by_its_content(
    tmp_path, fresh_cache, dataset, year, variant
):
    """The mark line of a CSV is easily lost (a copy through a spreadsheet, ``tail -n +2``), and so are a workbook's
    document properties: the synthetic world's area names still say what the file is."""
    import openpyxl

    from wijkstudie.data.catalogue import get_dataset

    folder, _ = _synthetic_files()
    source = folder / get_dataset(dataset).resource(year, variant).mirror
    copy = tmp_path / source.name
    if source.suffix == ".csv":
        copy.write_text(source.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")  # no mark line
    else:
        book = openpyxl.load_workbook(source)
        book.properties.keywords = book.properties.subject = None  # the mark removed, as a save would
        book.save(copy)
    from wijkstudie.core.provenance import file_mark

    assert file_mark(copy) is None
    for _ in range(2):  # from the file, then from the cache
        with pytest.warns(ws.WijkstudieWarning, match=r"SYNTHETIC data: the file carries no synthetic mark, but its"):
            table = ws.read_file(copy, year=year)
        assert ws.provenance_of(table).kind == "synthetic" and ws.report(table).data_kind == "synthetic"
