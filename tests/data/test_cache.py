"""Processed tables are cached as Parquet and reused until the raw file changes; a damaged, misshapen or unwritable
cache, or one inside the mirror, is rebuilt, bypassed or refused, never served."""

import hashlib
import io
import json
import os
import shutil
import warnings

import pandas as pd
import pytest

import wijkstudie as ws
from wijkstudie.data import cache

from helpers import (
    FIXTURES,
    grid_of_squares,
    kwb_rows,
    one_line,
    warns_municipal_extract,
    write_kwb_workbook,
)


def test_second_load_comes_from_the_cache_and_is_identical(fresh_cache, tmp_path, monkeypatch):
    path = tmp_path / "kwb.csv"
    shutil.copyfile(FIXTURES / "kwb-odata-2017.csv", path)
    with warns_municipal_extract():
        first = ws.read_file(path)

    def refuse(*args, **kwargs):
        raise AssertionError("the raw file was parsed again")

    monkeypatch.setattr("wijkstudie.data.reading.read", refuse)
    with warns_municipal_extract():  # the report's warnings come from the cache too
        second = ws.read_file(path)
    pd.testing.assert_frame_equal(first, second)
    assert ws.report(second).suppressed == ws.report(first).suppressed


def test_a_changed_raw_file_is_read_again(fresh_cache, tmp_path):
    path = tmp_path / "kwb.csv"
    shutil.copyfile(FIXTURES / "kwb-odata-2017.csv", path)
    with warns_municipal_extract():
        assert ws.read_file(path).set_index("region_code").loc["GM9901", "population"] == 400
    path.write_text(path.read_text(encoding="utf-8-sig").replace(",400,", ",401,"), encoding="utf-8")
    with warns_municipal_extract():
        assert ws.read_file(path).set_index("region_code").loc["GM9901", "population"] == 401


def test_geodataframes_round_trip_through_geoparquet(fresh_cache):
    first = ws.read_file(FIXTURES / "wijken-2024.geojson")
    second = ws.read_file(FIXTURES / "wijken-2024.geojson")
    assert type(second).__name__ == "GeoDataFrame" and second.crs == first.crs
    assert second.geometry.equals(first.geometry)


def test_a_damaged_cache_entry_is_rebuilt(fresh_cache):
    first = ws.read_file(FIXTURES / "bbga-long.csv")
    tables = sorted((fresh_cache / "processed").glob("*.parquet"))
    assert len(tables) == 1 and tables[0].with_suffix(".json").is_file()  # the one table read, with its report
    tables[0].write_bytes(b"not parquet")
    with pytest.warns(ws.WijkstudieWarning, match=rf"cache entry .*{tables[0].name}: not served"):
        table = ws.read_file(FIXTURES / "bbga-long.csv")
    pd.testing.assert_frame_equal(table, first)
    pd.testing.assert_frame_equal(pd.read_parquet(tables[0]), pd.DataFrame(first))  # written again, whole


# --- a cache entry proves what it serves (issue 27) ----------------------------------------------------------------


def _entry(folder):
    tables = sorted((folder / "processed").glob("*.parquet"))
    assert len(tables) == 1
    return tables[0], tables[0].with_suffix(".json")


def _rewrite(table_path, frame, reseal=False):
    """Write another table into an entry; with ``reseal`` recompute its hash and seal as a forger would."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    table_path.write_bytes(buffer.getvalue())
    if reseal:
        meta_path = table_path.with_suffix(".json")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta["cache"]["table_sha256"] = hashlib.sha256(buffer.getvalue()).hexdigest()
        meta["cache"]["seal"] = cache.seal(meta)
        meta_path.write_text(json.dumps(meta), encoding="utf-8")


def test_one_number_edited_in_a_cached_table_is_not_served(fresh_cache):
    first = ws.read_file(FIXTURES / "bbga-long.csv")
    table_path, _ = _entry(fresh_cache)
    edited = pd.read_parquet(table_path)
    column = next(c for c in edited.columns if pd.api.types.is_float_dtype(edited[c]) and edited[c].notna().any())
    row = edited[column].first_valid_index()
    edited.loc[row, column] = 99.9
    _rewrite(table_path, edited)
    with pytest.warns(ws.WijkstudieWarning, match=r"cache entry .*\.parquet: not served, its content does not match"):
        second = ws.read_file(FIXTURES / "bbga-long.csv")
    pd.testing.assert_frame_equal(second, first)  # the raw file's numbers, not 99.9
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pd.testing.assert_frame_equal(ws.read_file(FIXTURES / "bbga-long.csv"), first)  # rebuilt: served quietly


def test_another_files_cache_entry_copied_over_is_not_served(fresh_cache, tmp_path):
    with warns_municipal_extract():
        kwb = ws.read_file(FIXTURES / "kwb-odata-2017.csv")
    kwb_table, kwb_meta = _entry(fresh_cache)
    ws.read_file(FIXTURES / "bbga-long.csv")
    other = [p for p in (fresh_cache / "processed").glob("*.parquet") if p != kwb_table]
    assert len(other) == 1
    shutil.copyfile(other[0], kwb_table)  # the table and its report, copied over the KWB entry
    shutil.copyfile(other[0].with_suffix(".json"), kwb_meta)
    with pytest.warns(ws.WijkstudieWarning, match=r"not served, it was stored for another file or request"):
        with warns_municipal_extract():
            again = ws.read_file(FIXTURES / "kwb-odata-2017.csv")
    pd.testing.assert_frame_equal(again, kwb)
    assert ws.report(again).source == ws.report(kwb).source


def test_a_cached_report_edited_afterwards_is_not_served(fresh_cache):
    with warns_municipal_extract():
        first = ws.read_file(FIXTURES / "kwb-odata-2017.csv")
    _, meta_path = _entry(fresh_cache)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["warnings"] = []  # the warning about a municipal extract removed
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.warns(ws.WijkstudieWarning, match=r"not served, its report was changed after it was stored"):
        with warns_municipal_extract():
            again = ws.read_file(FIXTURES / "kwb-odata-2017.csv")
    assert ws.report(again).warnings == ws.report(first).warnings


def test_a_cached_table_must_pass_the_completeness_check_of_a_fresh_read(fresh_cache, mirror):
    path = mirror / "geo" / "cbs-gemeenten-2022.geojson"
    first = ws.read_file(path)
    assert len(first) == 345
    table_path, _ = _entry(fresh_cache)
    import geopandas as gpd

    _rewrite(table_path, gpd.read_parquet(table_path).head(120), reseal=True)  # a sealed extract of 120 gemeenten
    with pytest.warns(ws.WijkstudieWarning, match=r"not served, it fails a check .* holds 120 of the 345 gemeenten"):
        again = ws.read_file(path)
    assert len(again) == 345


def test_a_failed_load_leaves_the_cache_and_raw_file_alone(fake_mirror, fresh_cache, tmp_path):
    root = fake_mirror({"cbs-kwb/CBS-Utrecht-kwb-2023.xlsx": write_kwb_workbook(tmp_path / "k.xlsx")})
    good = ws.load("kwb", year=2023)
    cached = {p.name: p.read_bytes() for p in (fresh_cache / "processed").iterdir()}
    assert cached
    raw = root / "cbs-kwb" / "CBS-Utrecht-kwb-2023.xlsx"
    raw.write_bytes(raw.read_bytes()[:500])
    damaged = raw.read_bytes()
    with pytest.raises(ws.WijkstudieError, match="not a valid Excel workbook"):
        ws.load("kwb", year=2023)
    assert {p.name: p.read_bytes() for p in (fresh_cache / "processed").iterdir()} == cached
    assert raw.read_bytes() == damaged
    assert len(good) == 4


@pytest.mark.parametrize("inside", ["", "cache"])
def test_a_cache_in_the_mirror_is_refused_naming_both_settings(tmp_path, monkeypatch, inside):
    mirror = tmp_path / "mirror"
    (mirror / "cbs-kwb").mkdir(parents=True)
    write_kwb_workbook(mirror / "cbs-kwb" / "kwb-2023.xlsx")
    monkeypatch.setenv("WIJKSTUDIE_MIRROR", str(mirror))
    monkeypatch.setenv("WIJKSTUDIE_DATA_DIR", str(mirror / inside))
    with pytest.raises(ws.ArgumentError) as exc:
        ws.read_file(mirror / "cbs-kwb" / "kwb-2023.xlsx")
    one_line(exc, "setting data_dir", "setting mirror", "WIJKSTUDIE_DATA_DIR", "WIJKSTUDIE_MIRROR")
    assert sorted(p.name for p in mirror.rglob("*")) == ["cbs-kwb", "kwb-2023.xlsx"]  # nothing written into it


def test_a_file_changed_in_place_is_read_again_with_refresh(tmp_path, cache_still_works):
    path = tmp_path / "kwb-2023.csv"  # a CSV saved from the KWB workbook
    pd.DataFrame(kwb_rows()).to_csv(path, index=False)
    stat = path.stat()
    first = ws.read_file(path)
    text = path.read_text(encoding="utf-8").replace(",1000,", ",2000,")
    path.write_text(text, encoding="utf-8")  # the same size ...
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # ... and the same modification time
    assert path.stat().st_size == stat.st_size
    assert ws.read_file(path)["population"].iloc[0] == 1000  # what a size-and-time fingerprint cannot see
    assert ws.read_file(path, refresh=True)["population"].iloc[0] == 2000
    assert first["population"].iloc[0] == 1000
    assert ws.read_file(path)["population"].iloc[0] == 2000  # the refreshed table is the cached one now


@pytest.mark.parametrize("content", ["[]", '{"x": 5}', '{"/a/b": [1, 2]}', "not json", '"text"'])
def test_a_bookkeeping_file_of_the_wrong_shape_is_rebuilt(tmp_path, content, cache_still_works):
    processed = cache_still_works / "processed"
    processed.mkdir(parents=True)
    (processed / "fingerprints.json").write_text(content, encoding="utf-8")
    path = write_kwb_workbook(tmp_path / "kwb-2023.xlsx")
    ws.read_file(path)
    index = json.loads((processed / "fingerprints.json").read_text(encoding="utf-8"))
    assert isinstance(index, dict) and str(path.resolve()) in index


def test_a_report_of_the_wrong_shape_is_rebuilt(tmp_path, cache_still_works):
    path = write_kwb_workbook(tmp_path / "kwb-2023.xlsx")
    good = ws.read_file(path)
    processed = cache_still_works / "processed"
    reports = sorted(p for p in processed.glob("*.json") if p.name != "fingerprints.json")
    assert len(reports) == 1 and reports[0].with_suffix(".parquet").is_file()  # the one table read, and its report
    reports[0].write_text('["not", "a", "report"]', encoding="utf-8")
    with pytest.warns(ws.WijkstudieWarning, match=rf"cache entry .*{reports[0].stem}\.parquet: not served"):
        again = ws.read_file(path)
    pd.testing.assert_frame_equal(good, again)
    assert json.loads(reports[0].read_text(encoding="utf-8"))["identification"]["dataset"] == "kwb"  # rebuilt


def test_a_cache_under_a_file_loads_without_caching_and_warns_once(tmp_path, monkeypatch):
    from wijkstudie.data import cache

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("WIJKSTUDIE_DATA_DIR", str(blocker / "cache"))
    cache._WARNED.clear()
    path = write_kwb_workbook(tmp_path / "kwb-2023.xlsx")
    with pytest.warns(ws.WijkstudieWarning, match=r"cannot be written \(a part of the path is a file, not a folder\)"):
        first = ws.read_file(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no second warning
        second = ws.read_file(path)
    pd.testing.assert_frame_equal(first, second)


def test_a_read_only_cache_loads_without_caching(tmp_path, monkeypatch):
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    from wijkstudie.data import cache

    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    monkeypatch.setenv("WIJKSTUDIE_DATA_DIR", str(folder))
    cache._WARNED.clear()
    with pytest.warns(ws.WijkstudieWarning, match="cannot be written"):
        ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx"))


def test_cache_files_follow_the_umask_like_every_other_output(fresh_cache, tmp_path):
    from wijkstudie.models import spatial

    old = os.umask(0o022)
    try:
        ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx"))
        spatial._WEIGHTS.clear()
        spatial.spatial_weights(grid_of_squares())
    finally:
        os.umask(old)
        spatial._WEIGHTS.clear()
    made = [p for p in (fresh_cache / "processed").iterdir() if p.is_file()]
    assert {p.suffix for p in made} >= {".parquet", ".json", ".npz"}
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in made}
    assert set(modes.values()) == {oct(0o644)}, modes
