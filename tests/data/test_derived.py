"""Derived tables (``wijkstudie.data.derived``) are built once, stored as (Geo)Parquet with their records in JSON,
served only when their inputs, content hash and identity are what was recorded, and identical to a fresh build."""

import contextlib
import copy
import json
import os
import shutil
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import wijkstudie as ws
from wijkstudie.core import code_trace
from wijkstudie.core.provenance import INPUT_EVENT, provenance_of
from wijkstudie.data import derived
from wijkstudie.data.derived import derived_table

from helpers import FIXTURES, module_from_source, warns_municipal_extract

BUILDS = []  # one entry per real build of the tables below


@derived_table()
def kwb_with_density(path: str, factor: int = 2):
    """A small derived table: the KWB fixture with a computed column (counts its builds)."""
    BUILDS.append(path)
    table = ws.read_file(path)
    table["doubled"] = table["population"] * factor
    return table


@derived_table()
def two_files(kwb: str, wijken: str):
    """A GeoDataFrame joined from two files (a join report in its attrs)."""
    BUILDS.append(wijken)
    joined, _ = ws.join_regions(ws.read_file(wijken), ws.read_file(kwb), how="left")
    return joined


@pytest.fixture
def kwb_file(fresh_cache, tmp_path):
    BUILDS.clear()
    path = tmp_path / "kwb.csv"
    shutil.copyfile(FIXTURES / "kwb-odata-2017.csv", path)
    return path


def _entry(fresh_cache, stem):
    [table] = (fresh_cache / "processed" / "derived").glob(f"{stem}-*.parquet")
    [meta] = (fresh_cache / "processed" / "derived").glob(f"{stem}-*.json")
    assert json.loads(meta.read_text(encoding="utf-8"))["file"] == table.name
    return table, meta


def test_a_derived_table_is_built_once_and_served_identical_with_its_records(kwb_file):
    with warns_municipal_extract():
        first = kwb_with_density(str(kwb_file))
    with warns_municipal_extract():  # the build's warnings are raised again when the entry is served
        second = kwb_with_density(str(kwb_file))
    assert len(BUILDS) == 1
    pd.testing.assert_frame_equal(first, second, check_exact=True)
    assert first["doubled"].iloc[-1] == 2 * first["population"].iloc[-1]
    assert provenance_of(second) == provenance_of(first) and provenance_of(second).kind == "real"
    assert type(second.attrs["provenance"]) is type(first.attrs["provenance"])  # served read-only like the built
    assert ws.report(second) == ws.report(first)
    with warns_municipal_extract():  # another argument is another entry
        kwb_with_density(str(kwb_file), factor=3)
    assert len(BUILDS) == 2


def test_a_geodataframe_keeps_its_geometry_and_join_reports(fresh_cache):
    BUILDS.clear()
    with warns_municipal_extract():
        first = two_files(str(FIXTURES / "kwb-odata-2017.csv"), str(FIXTURES / "wijken-2024.geojson"))
    with warns_municipal_extract():
        second = two_files(str(FIXTURES / "kwb-odata-2017.csv"), str(FIXTURES / "wijken-2024.geojson"))
    assert len(BUILDS) == 1 and type(second).__name__ == "GeoDataFrame" and second.crs == first.crs
    pd.testing.assert_frame_equal(first, second, check_exact=True)
    assert ws.report(second).joins == ws.report(first).joins and ws.report(second).joins[0].matched >= 0
    assert [j.to_dict() for j in ws.report(second).joins] == first.attrs["join_reports"]


def test_a_changed_input_is_built_again_in_silence(kwb_file):
    with warns_municipal_extract():
        assert kwb_with_density(str(kwb_file)).set_index("region_code").loc["GM9901", "doubled"] == 800
    kwb_file.write_text(kwb_file.read_text(encoding="utf-8-sig").replace(",400,", ",401,"), encoding="utf-8")
    with warns_municipal_extract() as said:
        assert kwb_with_density(str(kwb_file)).set_index("region_code").loc["GM9901", "doubled"] == 802
    assert len(BUILDS) == 2 and not [w for w in said if "derived table" in str(w.message)]
    _entry(kwb_file.parent / "cache", "kwb_with_density")  # one table and one report: the earlier table is gone


DECLARATION = {"share": 0.2}  # what decides ``declared_kwb`` besides its arguments (as a sample's declaration does)


@derived_table(extra=lambda params: dict(DECLARATION))
def declared_kwb(path: str, factor: int = 2):
    """A derived table that a declaration decides too (``extra``)."""
    BUILDS.append(path)
    table = ws.read_file(path)
    table["scaled"] = table["population"] * factor * DECLARATION["share"]
    return table


def test_an_entry_of_an_edited_declaration_replaces_the_old_one_and_others_stay(kwb_file, fresh_cache, monkeypatch):
    folder = fresh_cache / "processed" / "derived"
    monkeypatch.setitem(DECLARATION, "share", 0.2)
    with warns_municipal_extract():
        declared_kwb(str(kwb_file))
        declared_kwb(str(kwb_file), factor=3)  # other arguments: another entry, which stays
    monkeypatch.setenv("WIJKSTUDIE_MAX_COLUMNS", "777")  # other settings: another entry, which stays
    with warns_municipal_extract():
        declared_kwb(str(kwb_file))
    monkeypatch.delenv("WIJKSTUDIE_MAX_COLUMNS")
    (folder / "declared_kwb-unreadable.json").write_text("{not json", encoding="utf-8")  # left alone
    before = {p.name for p in folder.iterdir()}
    monkeypatch.setitem(DECLARATION, "share", 0.3)  # the declaration edited
    with warns_municipal_extract():
        population = declared_kwb(str(kwb_file))["population"]
    after = {p.name for p in folder.iterdir()}
    gone, new = (sorted(names, key=lambda p: p.endswith(".parquet")) for names in (before - after, after - before))
    assert [p.rsplit(".")[-1] for p in gone] == ["json", "parquet"] == [p.rsplit(".")[-1] for p in new]
    assert gone[1].startswith(gone[0][: -len(".json")] + ".")  # an entry's report and the table it names
    kept = [_read(folder / p)["identity"] for p in sorted(after) if p.endswith(".json") and "unreadable" not in p]
    limit = str(ws.settings.max_columns)
    assert sorted((k["arguments"]["factor"], k["extra"]["share"], k["settings"]["max_columns"]) for k in kept) == [
        (2, 0.2, "777"),
        (2, 0.3, limit),
        (3, 0.2, limit),
    ]
    assert "declared_kwb-unreadable.json" in after and len(population) > 0
    builds = len(BUILDS)
    with warns_municipal_extract():
        declared_kwb(str(kwb_file))  # the new entry, served
    monkeypatch.setitem(DECLARATION, "share", 0.2)
    monkeypatch.setenv("WIJKSTUDIE_MAX_COLUMNS", "777")
    with warns_municipal_extract():
        declared_kwb(str(kwb_file))  # the other settings' entry stayed, and is served as before
    assert len(BUILDS) == builds


@derived_table()
def kwb_of_the_mirror():
    """A derived table read from the session's mirror, as the study's tables find their files (no path argument)."""
    from wijkstudie.data.origin import mirror_dir

    BUILDS.append("mirror")
    return ws.read_file(mirror_dir() / "kwb.csv")


def _kwb_mirror(folder: Path, population: int) -> Path:
    """A mirror folder holding the KWB fixture with Testdorp's population set to ``population``."""
    folder.mkdir(parents=True)
    text = (FIXTURES / "kwb-odata-2017.csv").read_text(encoding="utf-8-sig")
    (folder / "kwb.csv").write_text(text.replace(",400,", f",{population},"), encoding="utf-8")
    return folder


def _testdorp(table) -> int:
    return int(table.set_index("region_code").loc["GM9901", "population"])


def test_another_synthetic_world_is_another_table(fresh_cache, tmp_path, monkeypatch):
    """Two synthetic worlds (seeds, scenarios) are two mirrors behind one setting ``data``: never one's table for
    the other (each world's files are still there, unchanged)."""
    BUILDS.clear()
    monkeypatch.setenv("WIJKSTUDIE_DATA", "synthetic")
    for population in (400, 401, 400):
        monkeypatch.setenv("WIJKSTUDIE_SYNTHETIC_MIRROR", str(tmp_path / f"world-{population}"))
        if not (tmp_path / f"world-{population}").is_dir():
            _kwb_mirror(tmp_path / f"world-{population}", population)
        with warns_municipal_extract():
            assert _testdorp(kwb_of_the_mirror()) == population
    assert len(BUILDS) == 2  # the first world's entry served again


def test_a_mirror_file_linked_to_another_file_is_built_again(fresh_cache, tmp_path, monkeypatch):
    """A mirror of links (e.g. git-annex, DataLad): a link that now names another file is a changed input, though
    the file it named before is still there, unchanged."""
    BUILDS.clear()
    first, second = _kwb_mirror(tmp_path / "a", 400), _kwb_mirror(tmp_path / "b", 401)
    (tmp_path / "mirror").mkdir()
    link = tmp_path / "mirror" / "kwb.csv"
    monkeypatch.setenv("WIJKSTUDIE_MIRROR", str(tmp_path / "mirror"))
    for target, population in ((first, 400), (first, 400), (second, 401)):
        link.unlink(missing_ok=True)
        link.symlink_to(target / "kwb.csv")
        with warns_municipal_extract():
            assert _testdorp(kwb_of_the_mirror()) == population
    assert len(BUILDS) == 2


def _read(meta):
    return json.loads(meta.read_text(encoding="utf-8"))


def _report(meta, **fields):
    """Rewrite an entry's report with some fields changed."""
    meta.write_text(json.dumps({**_read(meta), **fields}), encoding="utf-8")


@pytest.mark.parametrize(
    "damage, reason",
    [
        (lambda table, meta: table.write_bytes(table.read_bytes()[:-40] + b"\0" * 40), "content hash"),
        (lambda table, meta: meta.write_text("[1, 2]", encoding="utf-8"), "wrong shape"),
        (lambda table, meta: meta.write_text("{not json", encoding="utf-8"), "not readable JSON"),
        (
            lambda table, meta: meta.write_text(
                json.dumps(dict(json.loads(meta.read_text()), identity={"table": "other"})), encoding="utf-8"
            ),
            "identity differs",
        ),
        (
            lambda table, meta: meta.write_text(
                json.dumps(dict(json.loads(meta.read_text()), rows=1)), encoding="utf-8"
            ),
            "rows and columns",
        ),
        (
            lambda table, meta: meta.write_text(
                json.dumps(dict(json.loads(meta.read_text()), file="../../kwb.csv")), encoding="utf-8"
            ),
            "wrong shape",
        ),
        (lambda table, meta: table.unlink(), "no readable table"),
        (lambda table, meta: _report(meta, absent=[123]), "wrong shape"),
        (lambda table, meta: _report(meta, inputs={"/a.csv": 1}), "wrong shape"),
        (
            lambda table, meta: _report(
                meta, code={p: {**r, "functions": "x"} for p, r in _read(meta)["code"].items()}
            ),
            "wrong shape",
        ),
        (lambda table, meta: _report(meta, code={"data/join.py": []}), "wrong shape"),
        (lambda table, meta: _report(meta, columns_dtype="nonsense"), "wrong shape"),
        (
            lambda table, meta: meta.write_text(
                json.dumps({k: v for k, v in _read(meta).items() if k != "columns_dtype"})
            ),
            "wrong shape",
        ),
        (lambda table, meta: _report(meta, attrs={**_read(meta)["attrs"], "provenance": "x"}), "records"),
        (lambda table, meta: _report(meta, attrs={**_read(meta)["attrs"], "provenance": {"sources": [1]}}), "records"),
    ],
)
def test_a_damaged_or_mismatching_entry_is_rebuilt_with_one_warning(kwb_file, fresh_cache, damage, reason):
    with warns_municipal_extract():
        first = kwb_with_density(str(kwb_file))
    damage(*_entry(fresh_cache, "kwb_with_density"))
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        again = kwb_with_density(str(kwb_file))
    about = [str(w.message) for w in said if "derived table" in str(w.message)]
    assert len(about) == 1 and reason in about[0] and "built again" in about[0]
    assert len(BUILDS) == 2
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    with warns_municipal_extract():  # the rebuilt entry is whole again: served, no second warning
        kwb_with_density(str(kwb_file))
    assert len(BUILDS) == 2


def test_a_file_a_load_looked_for_that_appears_makes_the_entry_stale(kwb_file, tmp_path):
    from wijkstudie.data.derived import _RECORDERS, note_absent

    later = tmp_path / "appears-later.csv"

    @derived_table()
    def looks_for_a_file(path: str):
        BUILDS.append(path)
        note_absent(later)  # what _first_available records for a candidate that cannot be had
        return ws.read_file(path)

    with warns_municipal_extract():
        looks_for_a_file(str(kwb_file))
    with warns_municipal_extract():
        looks_for_a_file(str(kwb_file))
    assert len(BUILDS) == 1
    later.write_text("x", encoding="utf-8")
    with warns_municipal_extract():
        looks_for_a_file(str(kwb_file))
    assert len(BUILDS) == 2 and not _RECORDERS


def test_the_entry_is_json_and_parquet_never_pickle(kwb_file, fresh_cache):
    with warns_municipal_extract():
        kwb_with_density(str(kwb_file))
    table, meta = _entry(fresh_cache, "kwb_with_density")
    record = json.loads(meta.read_text(encoding="utf-8"))
    assert table.read_bytes()[:4] == b"PAR1"
    assert str(kwb_file.resolve()) in record["inputs"] and record["attrs"]["provenance"]["kind"] == "real"
    assert any("municipal extract" in w["message"] for w in record["warnings"])
    assert sorted(p.suffix for p in table.parent.iterdir()) == [".json", ".parquet"]


HEARD: list = []  # the wijkstudie.input audit events heard while ``announced`` listens
CODE: list = []  # the wijkstudie.code audit events heard meanwhile: (path, record)
_HOOK: list = []  # the one audit hook of this test process (a hook cannot be removed: it listens only when asked)


def _hear(event, args):
    if _HOOK and _HOOK[0]:
        if event == INPUT_EVENT:
            HEARD.append(args)
        elif event == code_trace.CODE_EVENT:
            CODE.append((args[0], json.loads(args[1])))


@pytest.fixture
def announced():
    """The files the package announces as inputs (``announce_input``) while the test runs: ``(path, dataset, year)``;
    the code records it announces are in ``CODE``."""
    if not _HOOK:
        sys.addaudithook(_hear)
        _HOOK.append(False)
    HEARD.clear()
    CODE.clear()
    _HOOK[0] = True
    yield HEARD
    _HOOK[0] = False


def _announced_code() -> dict:
    """The code records announced: file -> the units announced."""
    units: dict = {}
    for path, record in CODE:
        units.setdefault(path, set()).update(record["functions"])
    return units


def test_a_served_table_announces_the_files_it_was_built_from_and_the_code_its_build_ran(kwb_file, announced):
    with warns_municipal_extract():
        kwb_with_density(str(kwb_file))  # built: the file is announced as it is read
    assert (str(kwb_file.resolve()), "kwb", 2017) in announced
    built = _announced_code()
    announced.clear()
    CODE.clear()
    with warns_municipal_extract():
        kwb_with_density(str(kwb_file))  # served: whoever observes the run must still see the raw file and the code
    assert len(BUILDS) == 1
    assert (str(kwb_file.resolve()), "kwb", 2017) in announced
    assert not [path for path, dataset, _ in announced if dataset is None]  # code is announced as code records only
    served = _announced_code()
    assert served == built
    package = Path(derived.__file__).resolve().parents[1]
    assert served[str(Path(__file__).resolve())] == {"<module>", "kwb_with_density"}  # the builder, not two_files
    assert "read_file" in served[str(package / "data" / "reading.py")]  # what it called in the package
    assert str(package / "models" / "spatial.py") not in served  # not what it did not run
    assert str(package / "plotting" / "maps.py") not in served


TWO_BUILDERS = """import wijkstudie as ws
from wijkstudie.data.derived import derived_table

BUILT = []


def _scaled(table, factor):
    return table.assign(scaled=table["population"] * factor)


def _shifted(table, shift):
    return table.assign(shifted=table["population"] + shift)


@derived_table()
def scaled(path: str):
    BUILT.append("scaled")
    return _scaled(ws.read_file(path), 2)


@derived_table()
def shifted(path: str):
    BUILT.append("shifted")
    return _shifted(ws.read_file(path), 1)
"""


@pytest.fixture
def two_builders(tmp_path):
    """A module of two derived tables, each with its own helper, imported from its file."""
    yield module_from_source(tmp_path, "two_builders", TWO_BUILDERS)
    sys.modules.pop("two_builders", None)


def _both(module, kwb_file):
    for build in (module.scaled, module.shifted):
        with warns_municipal_extract():
            build(str(kwb_file))


def _edit(path, old, new):
    text = path.read_text()
    path.write_text(text.replace(old, new, 1))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def test_an_edit_to_a_function_one_build_ran_builds_that_table_again_and_not_another(two_builders, kwb_file):
    module, path = two_builders
    _both(module, kwb_file)
    _both(module, kwb_file)
    assert module.BUILT == ["scaled", "shifted"]  # both served the second time
    _edit(path, "    return table.assign(shifted", "    # a comment\n    return table.assign(shifted")
    _both(module, kwb_file)
    assert module.BUILT == ["scaled", "shifted"]  # a comment changes no code: both still served
    _edit(path, '["population"] + shift)', '["population"] + shift + 0)')  # the helper only shifted's build ran
    _both(module, kwb_file)
    assert module.BUILT == ["scaled", "shifted", "shifted"]
    _edit(path, "BUILT = []", "BUILT = []\nLIMIT = 3")  # the module's statements: every table built from it
    _both(module, kwb_file)
    assert module.BUILT == ["scaled", "shifted", "shifted", "scaled", "shifted"]


def test_an_edit_to_the_package_code_a_build_ran_builds_it_again(kwb_file, monkeypatch):
    with warns_municipal_extract():
        kwb_with_density(str(kwb_file))
    [meta] = (derived.processed_dir() / derived.FOLDER).glob("kwb_with_density-*.json")
    recorded = json.loads(meta.read_text(encoding="utf-8"))["code"]
    assert "read_file" in recorded["data/reading.py"]["functions"] and "models/spatial.py" not in recorded
    real_units, real_sha256 = code_trace.units, code_trace.cached_file_sha256

    def units(path):  # data/reading.py as if read_file had been edited; every other file as it is
        found = real_units(path)
        if str(path).endswith("data/reading.py"):
            found = copy.copy(found)
            found.sha256, found.hashes = "edited", dict(found.hashes, read_file="edited")
        return found

    monkeypatch.setattr(code_trace, "units", units)
    monkeypatch.setattr(
        code_trace, "cached_file_sha256", lambda p: "edited" if str(p).endswith("reading.py") else real_sha256(p)
    )
    with warns_municipal_extract():
        kwb_with_density(str(kwb_file))
    assert len(BUILDS) == 2


def test_the_cache_can_be_switched_off(kwb_file):
    with derived.enabled(False):
        for _ in range(2):
            with warns_municipal_extract():
                kwb_with_density(str(kwb_file))
    assert len(BUILDS) == 2


# --- the study's tables, on the real files ---------------------------------------------------------------------


def _fresh_and_cached(build, warns=None):
    """The result of ``build`` without the cache, and twice with it (stored, then served); each raises the warnings
    matching ``warns`` (a served entry raises its build's warnings again)."""
    expect = (lambda: pytest.warns(ws.WijkstudieWarning, match=warns)) if warns else contextlib.nullcontext
    with derived.enabled(False), expect():
        fresh = build()
    with expect():
        stored = build()
    with expect():
        served = build()
    return fresh, stored, served


def test_national_gemeenten_and_wijken_are_identical_from_the_cache(mirror, fresh_cache):
    from wijkstudie import study

    for build in (lambda: study.national_gemeenten(2016), lambda: study.national_wijken(2020, livability=True)):
        fresh, stored, served = _fresh_and_cached(build)
        for table in (stored, served):
            pd.testing.assert_frame_equal(fresh, table, check_exact=True)
            assert type(table) is type(fresh) and table.crs == fresh.crs
            assert provenance_of(table) == provenance_of(fresh)
            assert ws.report(table) == ws.report(fresh) and ws.report(table).joins == ws.report(fresh).joins
            assert table.attrs == fresh.attrs
    assert served.attrs["livability"] == fresh.attrs["livability"]
    assert len(list((fresh_cache / "processed" / "derived").glob("national_*.parquet"))) == 2


def test_declared_samples_and_their_verdicts_are_identical_from_the_cache(mirror, fresh_cache):
    from wijkstudie import study
    from wijkstudie.study.sweeps import sample_tests
    from wijkstudie.study.verdicts import judge

    key = "veiligheidsmonitor-2021-2023"
    fresh, stored, served = _fresh_and_cached(lambda: study.vm_sample(key), warns="gemeente rows? not linked")
    for sample in (stored, served):
        pd.testing.assert_frame_equal(fresh.table, sample.table, check_exact=True)
        assert provenance_of(sample.table) == provenance_of(fresh.table)
        assert sample.classes.keys() == fresh.classes.keys()
        for name, (problem, definition) in fresh.classes.items():
            pd.testing.assert_series_equal(problem, sample.classes[name][0], check_exact=True)
            assert sample.classes[name][1] == definition
    tests = {which: sample_tests("F3", s, notebook="11") for which, s in (("fresh", fresh), ("served", served))}
    assert len(tests["fresh"]) >= 2 and len(tests["fresh"]) == len(tests["served"])
    for a, b in zip(tests["fresh"], tests["served"]):
        np.testing.assert_equal(
            (a.label, a.estimate, a.ci_low, a.ci_high, a.p_value), (b.label, b.estimate, b.ci_low, b.ci_high, b.p_value)
        )
    assert judge("F3", tests["fresh"]).verdicts == judge("F3", tests["served"]).verdicts
    fresh_r, _, served_r = _fresh_and_cached(study.residents_sample)
    pd.testing.assert_frame_equal(fresh_r.table, served_r.table, check_exact=True)
    assert ws.report(served_r.table) == ws.report(fresh_r.table)


def test_rotterdams_other_edition_is_kept_and_served_identical(mirror, fresh_cache):
    from wijkstudie import study

    fresh, stored, served = _fresh_and_cached(lambda: study.rotterdam_sample(edition=2016))
    assert sorted(fresh.table["year"].unique()) == [2014, 2016] and fresh.edition == 2016
    for sample in (stored, served):
        pd.testing.assert_frame_equal(fresh.table, sample.table, check_exact=True)
        assert provenance_of(sample.table) == provenance_of(fresh.table)
        assert sample.table.attrs == fresh.table.attrs and sample.edition == 2016
        for name, (problem, definition) in fresh.classes.items():
            pd.testing.assert_series_equal(problem, sample.classes[name][0], check_exact=True)
            assert sample.classes[name][1] == definition
    assert len(list((fresh_cache / "processed" / "derived").glob("edition_table-*.json"))) == 1


@derived_table()
def with_a_model_implied_warning(path: str):
    """A derived table whose build warns with a warning that carries fields (counts its builds)."""
    from wijkstudie.core.errors import ModelImpliedWarning

    BUILDS.append(path)
    warnings.warn(
        ModelImpliedWarning("x is modelled", outcome="pct_volunteering", term="x", model="RIVM", terms=("x", "y")),
        stacklevel=2,
    )
    return pd.DataFrame({"a": [1, 2]})


def test_a_served_entry_raises_its_builds_warnings_again_with_their_fields(kwb_file):
    from wijkstudie.core.errors import ModelImpliedWarning

    with pytest.warns(ModelImpliedWarning):
        with_a_model_implied_warning(str(kwb_file))
    with pytest.warns(ModelImpliedWarning, match="x is modelled") as served:
        with_a_model_implied_warning(str(kwb_file))
    assert len(BUILDS) == 1
    [again] = [w.message for w in served if isinstance(w.message, ModelImpliedWarning)]
    assert (again.outcome, again.term, again.model) == ("pct_volunteering", "x", "RIVM")
