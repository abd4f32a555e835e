"""A probe suite of damaged and unusual input, as a hostile but realistic user would give it.

Every case ends in a one-line error or a warning that names the problem and counts it, never in silent
numbers; after every case the cache still works. Damaged inputs are built from the real mirror files (copied
into a temporary folder, never into the repository) and from hand-made fixtures.
"""

from __future__ import annotations

import json
import os
import time
import warnings

import pandas as pd
import pytest

import wijkstudie as ws
from wijkstudie.microdata.survey import read_microdata

from helpers import FIXTURES, MAPPING, kwb_rows, one_line, survey, write_kwb_workbook

KWB_2017 = "cbs-kwb/indicators_buurt_wijk_gemeente.csv"


@pytest.fixture
def kwb_2017(real_mirror):
    """The real KWB 2017 table of the mirror."""
    return real_mirror / KWB_2017


@pytest.fixture
def cache_still_works(fresh_cache, tmp_path):
    """After the case, a good file loads (twice, the second time from the cache)."""
    yield fresh_cache
    good = write_kwb_workbook(tmp_path / "after-the-case-kwb-2023.xlsx")
    first = ws.read_file(good)
    second = ws.read_file(good)
    pd.testing.assert_frame_equal(first, second)


def cut_at_a_line_end(source, target, share: float):
    lines = source.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    target.write_text("".join(lines[: int(len(lines) * share)]), encoding="utf-8")
    return target


# --- 1. incomplete tables ----------------------------------------------------------------------------------------


def test_a_national_table_cut_in_half_at_a_line_end_is_refused(tmp_path, cache_still_works, kwb_2017):
    cut = cut_at_a_line_end(kwb_2017, tmp_path / "indicators_buurt_wijk_gemeente.csv", 0.5)
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.read_file(cut)
    one_line(exc, "gemeenten of division 2017", "are missing", "cut off")


def test_a_national_table_missing_its_last_rows_warns_with_the_count(tmp_path, cache_still_works, kwb_2017):
    cut = cut_at_a_line_end(kwb_2017, tmp_path / "indicators_buurt_wijk_gemeente.csv", 0.995)
    with (
        pytest.warns(ws.WijkstudieWarning, match=r"of the 13,208 buurten of division 2017 are missing"),
        pytest.warns(ws.WijkstudieWarning, match=r"of the 3,070 wijken of division 2017 are missing"),
    ):
        table = ws.read_file(cut)
    assert any("buurten of division 2017 are missing" in w for w in map(str, ws.report(table).warnings))
    with pytest.warns(ws.WijkstudieWarning, match="are missing"):  # also when it comes from the cache
        ws.read_file(cut)


def test_a_land_row_with_one_gemeente_is_named_an_extract_or_a_cut(tmp_path, cache_still_works):
    with pytest.warns(ws.WijkstudieWarning, match="land row but only 1 of the 388 gemeenten"):
        ws.read_file(FIXTURES / "kwb-odata-2017.csv")


def test_wijken_whose_gemeente_is_missing_are_counted(tmp_path, cache_still_works, kwb_2017):
    source = kwb_2017
    lines = source.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    kept = [line for line in lines if ",GM0014 " not in line]  # drop the gemeente row of Groningen only
    target = tmp_path / "indicators_buurt_wijk_gemeente.csv"
    target.write_text("".join(kept), encoding="utf-8")
    with pytest.warns(ws.WijkstudieWarning) as caught:
        ws.read_file(target)
    texts = " | ".join(str(w.message) for w in caught)
    assert "1 of the 388 gemeenten of division 2017 are missing" in texts
    assert "wijken whose gemeente is not in the table (e.g. WK001400" in texts


# --- 2. misread numbers ------------------------------------------------------------------------------------------


def test_dutch_and_english_number_formats_are_read_deliberately(tmp_path, cache_still_works):
    rows = kwb_rows(
        {
            (0, "a_inw"): "343.038",
            (1, "a_inw"): "1,200",
            (2, "a_inw"): "1 234",
            (0, "g_wozbag"): "1.234,5",
            (1, "g_wozbag"): "1,234.5",
            (2, "g_wozbag"): "250,5",
            (0, "p_koopw"): "55,5",
        }
    )
    table = ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx", rows=rows))
    assert table["population"].tolist() == [343038, 1200, 1234]  # counts: a dot or comma groups thousands
    assert table["mean_woz"].tolist() == [1234.5, 1234.5, 250.5]
    assert table["pct_owner_occupied"].iloc[0] == 55.5


def test_cells_that_are_not_numbers_are_counted_apart_from_suppressed_ones(tmp_path, cache_still_works):
    rows = kwb_rows({(0, "p_koopw"): "n.v.t.", (1, "p_koopw"): ".", (2, "p_koopw"): "onbekend"})
    table = ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx", rows=rows))
    report = ws.report(table)
    assert table["pct_owner_occupied"].isna().all()
    assert report.suppressed["pct_owner_occupied"] == 1 and report.unreadable["pct_owner_occupied"] == 2
    assert "pct_owner_occupied:  0 / 1 / 2" in " ".join(str(report).split("  ")).replace(
        "   ", " "
    ) or "0 / 1 / 2" in str(report)
    assert any(
        "2 cell(s) of 'p_koopw' are not numbers (e.g. 'n.v.t.', 'onbekend')" in w for w in map(str, report.warnings)
    )


def test_a_fractional_count_is_a_warning(tmp_path, cache_still_works):
    rows = kwb_rows({(1, "a_inw"): 600.5})
    with pytest.warns(ws.WijkstudieWarning, match=r"population: 1 count\(s\) in 'a_inw' have a fractional part"):
        ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx", rows=rows))


def test_a_percentage_above_100_is_named(tmp_path, cache_still_works):
    rows = kwb_rows({(1, "p_koopw"): 550})
    with pytest.warns(ws.WijkstudieWarning, match=r"impossible values .*pct_owner_occupied: 1 value\(s\) outside"):
        table = ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx", rows=rows))
    assert any(
        "pct_owner_occupied: 1 value(s) outside 0-100 (e.g. 550)" in w for w in map(str, ws.report(table).warnings)
    )


# --- 3. duplicate areas ------------------------------------------------------------------------------------------


def test_an_area_repeated_identically_is_kept_once_with_a_warning(tmp_path, cache_still_works):
    rows = kwb_rows()
    rows.append(dict(rows[1]))
    with pytest.warns(ws.WijkstudieWarning, match=r"1 repeated row\(s\) of 1 area\(s\) dropped \(e.g. BU99010000\)"):
        table = ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx", rows=rows))
    assert table["region_code"].is_unique and len(table) == 3


def test_an_area_repeated_with_other_values_is_refused(tmp_path, cache_still_works):
    rows = kwb_rows()
    rows.append(dict(rows[1], a_inw=999))
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx", rows=rows))
    one_line(exc, "kwb-2023.xlsx", "1 region code(s) occur more than once with different values", "BU99010000")


def test_a_boundary_repeated_is_refused(tmp_path, cache_still_works):
    data = json.loads((FIXTURES / "gemeenten-2022.geojson").read_bytes().decode("latin-1"))
    first = dict(data["features"][0])
    first["geometry"] = {"type": "Polygon", "coordinates": [[[5.0, 52.0], [5.1, 52.0], [5.1, 52.1], [5.0, 52.0]]]}
    data["features"].append(first)
    path = tmp_path / "gemeenten-2022.geojson"
    path.write_text(json.dumps(data), encoding="latin-1")
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.read_file(path)
    one_line(exc, "occur more than once with different values")


# --- 4. coordinates ----------------------------------------------------------------------------------------------


def square_collection(x0, y0, size, crs=None, ring=None):
    ring = ring or [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"statcode": "GM0363", "statnaam": "Amsterdam", "jrstatcode": "2022-GM0363"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        ],
    }
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{crs}"}}
    return collection


def write_json(path, data):
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("crs", [None, 28992, 4326])
def test_rd_coordinates_are_recognised_and_converted_whatever_the_file_declares(tmp_path, crs, cache_still_works):
    path = write_json(tmp_path / "gemeenten-2022.geojson", square_collection(120000, 485000, 1000, crs))
    table = ws.read_file(path)
    minx, miny, maxx, maxy = table.total_bounds
    assert table.crs.to_epsg() == 4326 and 4.8 < minx < maxx < 5.0 and 52.3 < miny < maxy < 52.4  # Amsterdam
    said = " ".join(map(str, ws.report(table).warnings + ws.report(table).notes))
    assert "EPSG:28992" in said or crs == 28992


def test_swapped_latitude_and_longitude_are_refused(tmp_path, cache_still_works):
    path = write_json(tmp_path / "gemeenten-2022.geojson", square_collection(52.3, 4.9, 0.05))
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.read_file(path)
    one_line(exc, "coordinates outside the Netherlands", "latitude and longitude look swapped")


def test_a_self_intersecting_polygon_is_repaired_and_counted(tmp_path, cache_still_works):
    bowtie = [[4.9, 52.3], [5.0, 52.4], [5.0, 52.3], [4.9, 52.4], [4.9, 52.3]]
    path = write_json(tmp_path / "gemeenten-2022.geojson", square_collection(0, 0, 0, ring=bowtie))
    table = ws.read_file(path)
    assert table.geometry.is_valid.all() and table.geometry.to_crs(28992).area.iloc[0] > 0
    assert "1 invalid polygons repaired with make_valid" in map(str, ws.report(table).warnings)


# --- 5. survey values --------------------------------------------------------------------------------------------


def test_impossible_survey_values_are_listed_in_one_error(tmp_path):
    data = survey()
    data.loc[0, "lft"], data.loc[1, "lft"] = 250, 10
    data.loc[2, "woonduur"], data.loc[3, "jaar"] = -3, -2019
    data.loc[4, "woonduur"] = 80  # longer at the address (80 years) than old (99)? possible; 5: 45 at 40 is not
    data.loc[5, "woonduur"] = 45
    data.to_csv(tmp_path / "s.csv", index=False)
    with pytest.raises(ws.WijkstudieError) as exc:
        read_microdata(tmp_path / "s.csv", MAPPING)
    text = one_line(
        exc,
        "survey_year: 1 value(s) outside 1990-2100 (e.g. -2019)",
        "age: 2 value(s) outside 18-110 (e.g. 10, 250)",
        "years_at_address: 1 value(s) outside 0-110 (e.g. -3)",
    )
    assert "4 problem(s)" in text and "longer than they are old" in text


def test_a_residence_longer_than_a_life_is_refused(tmp_path):
    data = survey()
    data.loc[5, "woonduur"] = 45  # aged 40
    data.to_csv(tmp_path / "s.csv", index=False)
    with pytest.raises(ws.WijkstudieError) as exc:
        read_microdata(tmp_path / "s.csv", MAPPING)
    one_line(exc, "years_at_address: 1 respondent(s) have lived at their address longer than they are old")


def test_out_of_range_values_become_missing_only_when_the_mapping_says_so(tmp_path):
    data = survey()
    data.loc[0, "lft"] = 250
    data.to_csv(tmp_path / "s.csv", index=False)
    with pytest.warns(ws.WijkstudieWarning, match=r"age: 1 value\(s\) outside 18-110 \(e.g. 250\): set to missing"):
        residents = read_microdata(tmp_path / "s.csv", dict(MAPPING, out_of_range="missing"))
    assert pd.isna(residents.loc[0, "age"]) and pd.isna(residents.loc[0, "age_group"])
    assert residents["age"].notna().sum() == 4  # 250 set to missing; 99 is a missing code of MAPPING


def test_an_age_of_ten_never_lands_in_the_youngest_group(tmp_path):
    data = survey()
    data.loc[1, "lft"] = 10
    data.to_csv(tmp_path / "s.csv", index=False)
    with pytest.warns(ws.WijkstudieWarning):
        residents = read_microdata(tmp_path / "s.csv", dict(MAPPING, out_of_range="missing"))
    assert pd.isna(residents.loc[1, "age_group"]) and residents.loc[0, "age_group"] == "18-29"


@pytest.mark.parametrize(
    "text, fragments",
    [
        ("columns:\n  age: lft\n  tenure: [eig\n", ["broken.yaml: not valid YAML at line"]),
        ("- columns\n- values\n", ["broken.yaml: a mapping is a YAML dictionary with a 'columns' section, not list"]),
        ("columns: [age, lft]\n", ["broken.yaml: 'columns' must be schema name: column in the file, not list"]),
        ("columns: {age: lft}\nvalues: {tenure: owner}\n", ["'values' of tenure must be {code: schema value}"]),
        ("", ["broken.yaml: a mapping is a YAML dictionary", "not an empty file"]),
    ],
)
def test_a_broken_mapping_file_gives_one_line_naming_the_file(tmp_path, text, fragments):
    survey().to_csv(tmp_path / "s.csv", index=False)
    (tmp_path / "broken.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ws.WijkstudieError) as exc:
        read_microdata(tmp_path / "s.csv", tmp_path / "broken.yaml")
    one_line(exc, *fragments)


# --- 6. caches ---------------------------------------------------------------------------------------------------


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


def test_a_pinned_file_that_changed_is_refused_not_served(fake_mirror, tmp_path, cache_still_works):
    root = fake_mirror({"amsterdam-bbga/bbga_latest_and_greatest-DX.csv": FIXTURES / "bbga-long.csv"})
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.load("amsterdam-bbga")
    one_line(exc, "hash mismatch for amsterdam-bbga")
    assert root.exists()


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


def test_temporary_files_left_by_killed_loads_are_removed_on_the_next_run(tmp_path, cache_still_works):
    from wijkstudie.data import download

    processed = cache_still_works / "processed"
    processed.mkdir(parents=True)
    stale = processed / ".abc.parquet.x1y2.tmp"
    fresh = processed / ".def.parquet.z3.tmp"  # a load running right now
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    old = time.time() - 2 * download.STALE_TEMP_SECONDS
    os.utime(stale, (old, old))
    download._SWEPT.clear()
    ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx"))
    assert not stale.exists() and fresh.exists()


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


# --- 7. errors that name the setting -----------------------------------------------------------------------------


def test_a_download_into_a_cache_under_a_file_names_the_setting(tmp_path, monkeypatch):
    from wijkstudie.data import download

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("WIJKSTUDIE_DATA_DIR", str(blocker / "cache"))
    monkeypatch.setattr(download, "_download_url", lambda *a: pytest.fail("no download may start"))
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.fetch("kwb", year=2023, source_format="workbook")
    one_line(exc, "WIJKSTUDIE_DATA_DIR", str(blocker / "cache"), "a part of the path is a file")


def test_a_figures_folder_under_a_file_names_the_setting(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    from wijkstudie.plotting import save_figure

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(blocker / "figures"))
    fig = plt.figure()
    with pytest.raises(ws.WijkstudieError) as exc:
        save_figure(fig, "x", source="Bron: test", data_kind="real")
    plt.close(fig)
    one_line(exc, "WIJKSTUDIE_FIGURES_DIR", str(blocker / "figures"), "a part of the path is a file")


@pytest.mark.parametrize("where", ["under-a-file", "loop", "a-file"])
def test_an_unusable_mirror_setting_is_named(tmp_path, monkeypatch, where):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    if where == "loop":
        (tmp_path / "l1").symlink_to(tmp_path / "l2")
        (tmp_path / "l2").symlink_to(tmp_path / "l1")
    mirror = {"under-a-file": blocker / "mirror", "loop": tmp_path / "l1", "a-file": blocker}[where]
    monkeypatch.setenv("WIJKSTUDIE_MIRROR", str(mirror))
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.load("kwb", year=2017)
    expected = {"under-a-file": "lies under the file", "loop": "a symlink loop", "a-file": "a file, not a folder"}
    one_line(exc, f"WIJKSTUDIE_MIRROR={mirror}", expected[where])


def test_a_folder_or_a_loop_where_the_mirror_should_have_a_file(fake_mirror, tmp_path):
    root = fake_mirror({"geo/unrelated.txt": b"x"})
    (root / "cbs-kwb" / "indicators_buurt_wijk_gemeente.csv").mkdir(parents=True)
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.load("kwb", year=2017, source_format="open-data")
    one_line(exc, "indicators_buurt_wijk_gemeente.csv: is a folder, not a data file")
    (root / "cbs-kwb" / "indicators_buurt_wijk_gemeente.csv").rmdir()
    (root / "cbs-kwb" / "indicators_buurt_wijk_gemeente.csv").symlink_to(
        root / "cbs-kwb" / "indicators_buurt_wijk_gemeente.csv"
    )
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.load("kwb", year=2017, source_format="open-data")
    one_line(exc, "a symlink loop")


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda: ws.load(None), "a dataset name is a text such as 'kwb', not None"),
        (lambda: ws.load(5), "not 5"),
        (lambda: ws.load("kwb", year="twenty"), "year must be a whole number"),
        (lambda: ws.load("kwb", year=2020.5), "year must be a whole number"),
        (lambda: ws.load("kwb", year=2017, level=3), "no level 3"),
        (lambda: ws.load("kwb", year=2017, source_format=5), "kwb: no source_format 5 for 2017; available: workbook"),
        (lambda: ws.load("kwb", year=2017, age_group="18+"), "kwb: load takes no age_group= (its files differ by"),
        (lambda: ws.load("grenswijzigen", year=2024), "grenswijzigen: not read with load(); use wijkstudie.crosswalk"),
        (lambda: ws.load("kwb-codebook", level="wijk"), "no level 'wijk'"),
        (lambda: ws.read_file(None), "read_file: give the path of a file, not None"),
        (lambda: ws.read_file(""), "read_file: give the path of a file"),
        (lambda: ws.read_file(FIXTURES / "empty.csv", year="x"), "year must be a whole number"),
    ],
)
def test_wrong_arguments_give_one_line(call, fragment, fresh_cache):
    with pytest.raises(ws.WijkstudieError) as exc:
        call()
    one_line(exc, fragment)


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda: ws.load("kwb", year=2017, refresh="no"), "refresh must be True or False, not 'no'"),
        (lambda: ws.load("kwb", year=2017, all_columns=1), "all_columns must be True or False, not 1"),
        (lambda: ws.read_file(FIXTURES / "empty.csv", refresh="no"), "refresh must be True or False, not 'no'"),
        (lambda: ws.read_file(FIXTURES / "empty.csv", use_cache=None), "use_cache must be True or False, not None"),
    ],
)
def test_a_yes_no_argument_given_a_text_is_refused_not_taken_as_true(call, fragment, fresh_cache):
    with pytest.raises(ws.ArgumentTypeError) as exc:
        call()
    one_line(exc, fragment)


def test_a_csv_with_another_delimiter_is_told_about_it(tmp_path):
    source = (FIXTURES / "kwb-odata-2017.csv").read_text(encoding="utf-8")
    path = tmp_path / "kwb.csv"
    path.write_text(source.replace(",", "|"), encoding="utf-8")
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.read_file(path)
    one_line(exc, "kwb.csv", "its columns are separated by '|', not by a comma, semicolon or tab")


def test_an_empty_first_row_is_called_so(tmp_path):
    source = (FIXTURES / "kwb-odata-2017.csv").read_text(encoding="utf-8")
    path = tmp_path / "kwb.csv"
    path.write_text("\n" + source, encoding="utf-8")
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.read_file(path)
    one_line(exc, "its first row is empty")


def test_ctrl_c_on_the_command_line_is_one_line_and_status_130(monkeypatch, capsys):
    from wijkstudie import cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_list", interrupted)  # the parser is built at each call, with this function
    assert cli.main(["data", "list"]) == 130
    err = capsys.readouterr().err
    assert err.strip() == "wijkstudie: interrupted" and "Traceback" not in err


def test_ctrl_c_during_reproduce_is_one_line_and_status_130(monkeypatch, capsys):
    from wijkstudie.reproduce import run as reproduce

    monkeypatch.setattr(reproduce, "main", lambda argv=None: (_ for _ in ()).throw(KeyboardInterrupt))
    assert reproduce.run([]) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
