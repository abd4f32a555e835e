"""Processed tables are cached as Parquet and reused until the raw file changes."""

import shutil

import pandas as pd

import wijkstudie as ws

from helpers import FIXTURES, warns_municipal_extract


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
    table = ws.read_file(FIXTURES / "bbga-long.csv")
    pd.testing.assert_frame_equal(table, first)
    pd.testing.assert_frame_equal(pd.read_parquet(tables[0]), pd.DataFrame(first))  # written again, whole
