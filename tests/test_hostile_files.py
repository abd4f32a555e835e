"""Hostile files that cost time or memory out of all proportion to their size, and values no publisher writes.

Each case builds a small file in ``tmp_path`` (limits made small with ``ws.settings.using`` where the real default
would need a large file) and expects a one-line error or a warning naming the file and the problem; the real files
of the mirror stay well inside every default.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest

import wijkstudie as ws
from wijkstudie.microdata.survey import read_microdata

from helpers import one_line, survey, write_kwb_workbook


def boundaries(path, rings_by_code: dict):
    """A GeoJSON file of gemeenten, one polygon (its exterior ring) per code."""
    features = [
        {
            "type": "Feature",
            "properties": {"statcode": code, "statnaam": f"Gemeente {code}", "jrstatcode": f"2022{code}"},
            "geometry": None if ring is None else {"type": "Polygon", "coordinates": [ring]},
        }
        for code, ring in rings_by_code.items()
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def scribble(points: int, seed: int = 0) -> list:
    """A ring through random points near Amsterdam: it crosses itself some 0.1 x points^2 times."""
    xy = np.random.default_rng(seed).random((points, 2)) * 0.1 + [4.85, 52.3]
    return [*xy.tolist(), xy[0].tolist()]


SQUARE = [[5.0, 52.0], [5.1, 52.0], [5.1, 52.1], [5.0, 52.1], [5.0, 52.0]]


# --- 1. polygon repair ---------------------------------------------------------------------------------------------


def test_a_polygon_crossing_itself_too_often_is_refused_before_repair(tmp_path, fresh_cache):
    path = boundaries(tmp_path / "gemeenten-2022.geojson", {"GM0363": scribble(300), "GM0599": SQUARE})
    with ws.settings.using(max_repair_crossings=1000), pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(path)
    one_line(exc, "gemeenten-2022.geojson", "GM0363", "301 points", "max_repair_crossings", "refused")
    table = ws.read_file(path)  # some 10,000 crossings: within the default, repaired in a fraction of a second
    assert table.geometry.is_valid.all() and "1 invalid polygons repaired with make_valid" in map(
        str, ws.report(table).warnings
    )


def test_an_invalid_polygon_of_too_many_points_is_refused_and_a_valid_one_loads(tmp_path, fresh_cache):
    bowtie = [[4.9, 52.3], [5.0, 52.4], [5.0, 52.3], [4.9, 52.4], [4.9, 52.3]]
    path = boundaries(tmp_path / "gemeenten-2022.geojson", {"GM0363": bowtie, "GM0599": SQUARE})
    with ws.settings.using(max_repair_points=4), pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(path)
    one_line(exc, "GM0363", "5 points", "max_repair_points")
    valid = boundaries(tmp_path / "gemeenten-2021.geojson", {"GM0599": SQUARE})
    with ws.settings.using(max_repair_points=4, max_repair_crossings=1):
        assert len(ws.read_file(valid)) == 1


# --- 2. zip bombs --------------------------------------------------------------------------------------------------


def test_a_workbook_that_unpacks_to_more_than_the_limit_is_refused_before_parsing(tmp_path, fresh_cache):
    good = write_kwb_workbook(tmp_path / "kwb-2023.xlsx")
    bomb = tmp_path / "bomb-kwb-2023.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":  # 4 MiB of spaces: 4 KB packed
                data = data.replace(b"<sheetData>", b" " * (4 << 20) + b"<sheetData>")
            target.writestr(info.filename, data)
    assert bomb.stat().st_size < 100_000
    with ws.settings.using(max_unpacked_bytes=1 << 20), pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(bomb)
    one_line(exc, "bomb-kwb-2023.xlsx: unpacks to", "xl/worksheets/sheet1.xml alone", "max_unpacked_bytes", "refused")
    with ws.settings.using(max_unpacked_bytes=1 << 20):
        assert len(ws.read_file(good)) > 0


def test_zipped_boundaries_that_unpack_to_more_than_the_limit_are_refused(tmp_path, fresh_cache):
    path = tmp_path / "wijkbuurtkaart-2018.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("buurt_2018.shp", b"\0" * (2 << 20))
    with ws.settings.using(max_unpacked_bytes=1 << 20), pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(path)
    one_line(exc, "wijkbuurtkaart-2018.zip: unpacks to 2,097,152 bytes", "max_unpacked_bytes")


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress])
def test_r_data_that_unpacks_to_more_than_the_limit_is_refused_before_parsing(tmp_path, fresh_cache, compress):
    path = tmp_path / "grenswijziging_gemeente_van_2020_naar_2022.rda"
    path.write_bytes(compress(b"RDX3\nX\n" + b"\0" * (3 << 20)))  # R data that unpacks to 3 MiB
    with ws.settings.using(max_unpacked_bytes=1 << 20), pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(path)
    one_line(exc, "grenswijziging_gemeente_van_2020_naar_2022.rda: unpacks to more than", "max_unpacked_bytes")


# --- 4. YAML aliases in a mapping --------------------------------------------------------------------------------


LAUGHS = "".join(
    f"{a}: &{a} [{', '.join([f'*{b}'] * 9) if b else ', '.join(['lol'] * 9)}]\n" for a, b in zip("abcde", ["", *"abcd"])
)


@pytest.mark.parametrize(
    "text, line",
    [
        (LAUGHS + "columns: {age: lft}\nsource: *e\n", 2),  # 9 ** 5 strings once walked; 9 levels: 387 million
        ("base: &base {age: lft}\ncolumns:\n  <<: *base\n", 3),  # a merge key is an alias too
    ],
)
def test_a_mapping_with_yaml_aliases_is_refused(tmp_path, text, line):
    survey().to_csv(tmp_path / "s.csv", index=False)
    (tmp_path / "laughs.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ws.DataFormatError) as exc:
        read_microdata(tmp_path / "s.csv", tmp_path / "laughs.yaml")
    one_line(exc, f"mapping laughs.yaml: YAML aliases are not allowed (line {line})")


# --- 5. grenswijzigen matrices -------------------------------------------------------------------------------------

GEMEENTE_2020_2022 = "grenswijziging_gemeente_van_2020_naar_2022"


def matrix(path, name=GEMEENTE_2020_2022, cells=((10, 0), (5, 20)), rows=("14", "34"), columns=("14", "1680")):
    pyreadr = pytest.importorskip("pyreadr")
    frame = pd.DataFrame([list(r) for r in cells], index=list(rows), columns=list(columns))
    pyreadr.write_rdata(str(path), frame, df_name=name)
    return path


def test_a_good_matrix_reads(tmp_path, fresh_cache):
    table = ws.read_file(matrix(tmp_path / f"{GEMEENTE_2020_2022}.rda"))
    assert sorted(table["addresses"]) == [5, 10, 20] and set(table["to_code"]) == {"GM0014", "GM0034"}


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"cells": ((10, -5), (5, 20))}, "1 negative (e.g. -5)"),
        ({"cells": ((10.4, 0), (5, 2.7))}, "2 not whole (e.g. 10.4)"),
        ({"cells": ((np.inf, 0), (5, 20))}, "1 not finite (e.g. inf)"),
        ({"cells": ((1e20, 0), (5, 20))}, "1 above 100,000,000"),
        ({"cells": (("abc", "0"), ("5", "20"))}, "address counts that are not numbers (e.g. 'abc')"),
        ({"rows": ("../../etc", "34")}, "1 row label(s) that are not gemeente codes (e.g. '../../etc')"),
        ({"columns": ("14", "123456")}, "1 column label(s) that are not gemeente codes (e.g. '123456')"),
        ({"name": "grenswijziging_wijk_van_2020_naar_2022"}, "holds wijk 2020-2022, expected gemeente 2020-2022"),
        ({"name": "grenswijziging_gemeente_van_2016_naar_2022"}, "holds gemeente 2016-2022, expected gemeente 2020"),
    ],
)
def test_a_matrix_with_impossible_counts_labels_or_content_is_refused(tmp_path, fresh_cache, kwargs, fragment):
    path = matrix(tmp_path / f"{GEMEENTE_2020_2022}.rda", **kwargs)
    with pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(path)
    one_line(exc, f"{GEMEENTE_2020_2022}.rda: ", fragment)


# --- 6. a cache inside the mirror ----------------------------------------------------------------------------------


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


# --- 7. areas without a geometry -----------------------------------------------------------------------------------


def test_areas_without_a_geometry_are_named_in_a_warning_and_not_counted_as_repaired(tmp_path, fresh_cache):
    path = boundaries(tmp_path / "gemeenten-2022.geojson", {"GM0363": None, "GM0599": SQUARE, "GM0014": SQUARE})
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"][2]["geometry"]["coordinates"][0][0] = ["NaN", "abc"]  # coordinates that are not numbers
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.warns(ws.WijkstudieWarning, match=r"2 area\(s\) without a geometry .*: GM0363, GM0014"):
        table = ws.read_file(path)
    assert len(table) == 3 and not any("repaired" in w for w in map(str, ws.report(table).warnings))


# --- 8. every reader bounded (issue 27) ----------------------------------------------------------------------------


def _cli(*args, timeout=60):
    """The command in a process of its own (a crash or a hang of the reader must not take the test run with it)."""
    import os
    import subprocess
    import sys

    from helpers import REPO

    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "wijkstudie", *map(str, args)], capture_output=True, text=True, env=env, timeout=timeout
    )


def _finishes(call, seconds=20):
    """Run ``call`` in a thread; its outcome (what it returned, or the exception), or None while it is blocked."""
    import threading

    outcome = []

    def run():
        try:
            outcome.append(call())
        except BaseException as exc:  # noqa: BLE001 - the test looks at what it was
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    return outcome[0] if outcome else None


def test_a_fifo_is_refused_from_its_stat_before_it_is_opened(tmp_path, fresh_cache, capsys):
    import os

    from helpers import run_cli

    fifo = tmp_path / "kwb-2022.csv"
    os.mkfifo(fifo)
    try:
        outcome = _finishes(lambda: ws.read_file(fifo))
        assert isinstance(outcome, ws.DataFormatError), outcome
        assert str(outcome) == "kwb-2022.csv: a FIFO (named pipe), not a data file: refused before it is opened"
        result = _finishes(lambda: run_cli(capsys, "data", "inspect", fifo))
        assert result is not None and not isinstance(result, BaseException), result
        assert result.returncode == 1 and "a FIFO (named pipe), not a data file" in result.stderr
    finally:  # release a reader that blocked (on the code before the fix)
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK) if _has_reader(fifo) else None
        if fd is not None:
            os.close(fd)


def _has_reader(fifo) -> bool:
    import os

    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        return True
    except OSError:
        return False


def test_a_device_is_refused_and_never_read(fresh_cache):
    with pytest.raises(ws.DataFormatError) as exc:
        ws.read_file("/dev/zero")
    one_line(exc, "zero: a character device, not a data file: refused before it is opened")


def test_a_text_file_over_the_size_limit_is_refused_before_it_is_hashed(tmp_path, fresh_cache, monkeypatch):
    path = tmp_path / "kwb-2017.csv"
    path.write_text("gwb_code,a_inw\n" + "GM0001,1000\n" * 200, encoding="utf-8")

    def never(*args, **kwargs):
        raise AssertionError("hashed before the size was checked")

    monkeypatch.setattr("wijkstudie.data.cache.file_sha256", never)
    with ws.settings.using(max_text_bytes=1000), pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(path)
    one_line(exc, "kwb-2017.csv: a text file of 2,415 bytes, more than the limit of 1,000", "max_text_bytes", "refused")
    good = write_kwb_workbook(tmp_path / "kwb-2023.xlsx")  # a workbook is bounded by its own checks, not this one
    monkeypatch.undo()
    with ws.settings.using(max_text_bytes=1000):
        assert len(ws.read_file(good)) > 0


def test_the_text_size_limit_is_a_setting_with_its_variable(monkeypatch):
    monkeypatch.setenv("WIJKSTUDIE_MAX_TEXT_BYTES", "1234")
    assert ws.settings.max_text_bytes == 1234


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_deeply_nested_json_is_refused_in_one_line_before_it_is_parsed(tmp_path, fresh_cache, text):
    path = tmp_path / "wijken-2024.geojson"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(path)
    one_line(exc, "wijken-2024.geojson: JSON nested", "levels deep, more than the 200", "refused before it is parsed")


def test_brackets_inside_json_strings_do_not_count_as_nesting():
    from wijkstudie.data.readers.rawfile import json_depth

    assert json_depth(b'{"a": "[[[[{{{", "b": "\\\\", "c": "\\"[[[", "d": [[1]]}') == 3


@pytest.mark.parametrize("ends", ["\r", "mixed"])
def test_cr_only_and_mixed_line_ends_read_like_lf(tmp_path, fresh_cache, ends):
    from helpers import FIXTURES, warns_municipal_extract

    text = (FIXTURES / "kwb-odata-2017.csv").read_text(encoding="utf-8-sig")
    lines = text.split("\n")
    if ends == "\r":
        changed = "\r".join(lines)
    else:
        changed = "".join(line + ("\r\n", "\r", "\n")[i % 3] for i, line in enumerate(lines))
    (tmp_path / "lf").mkdir()
    (tmp_path / "lf" / "kwb.csv").write_text(text, encoding="utf-8")
    (tmp_path / "kwb.csv").write_bytes(changed.encode("utf-8"))
    with warns_municipal_extract():
        expected = ws.read_file(tmp_path / "lf" / "kwb.csv")
    with warns_municipal_extract():
        table = ws.read_file(tmp_path / "kwb.csv")
    pd.testing.assert_frame_equal(pd.DataFrame(table), pd.DataFrame(expected))


def _nested_rdata(depth: int) -> bytes:
    """R data (XDR, as ``save`` writes it) holding one object: a list nested ``depth`` deep."""
    import struct

    def word(n):
        return struct.pack(">i", n)

    def charsxp(text):
        return word(0x00040009) + word(len(text)) + text

    out = b"RDX3\nX\n" + word(3) + word(0x040300) + word(0x030500) + word(5) + b"UTF-8"
    out += word(0x402) + word(1) + charsxp(b"grenswijziging_gemeente_van_2020_naar_2022")  # the pairlist's tag
    out += (word(19) + word(1)) * depth + word(254)  # VECSXP of length 1, ... , NULL
    return out + word(254)  # the end of the pairlist


def test_r_data_nested_too_deep_is_refused_before_the_r_reader_sees_it(tmp_path):
    path = tmp_path / "grenswijziging_gemeente_van_2020_naar_2022.rda"
    path.write_bytes(gzip.compress(_nested_rdata(20_000)))
    assert path.stat().st_size < 2000
    done = _cli("data", "inspect", path)
    assert done.returncode == 1, (done.returncode, done.stderr[-300:])  # not -11, a segmentation fault
    assert done.stderr.strip() == (
        "wijkstudie: error: grenswijziging_gemeente_van_2020_naar_2022.rda: R data nested more than 200 levels deep "
        "(lists within lists), which no matrix needs: refused before it is parsed"
    )


def test_the_walk_of_r_data_measures_the_nesting_it_is_given():
    import io

    from wijkstudie.data.readers.rawfile import rdata_depth

    assert rdata_depth(io.BytesIO(_nested_rdata(5)), 200) == 7  # the pairlist, its tag's level, 5 lists, NULL
    assert rdata_depth(io.BytesIO(_nested_rdata(300)), 200) == 201  # stops once past the limit


def test_a_real_grenswijzigen_matrix_passes_the_walk(tmp_path, fresh_cache):
    table = ws.read_file(matrix(tmp_path / f"{GEMEENTE_2020_2022}.rda"))
    assert sorted(table["addresses"]) == [5, 10, 20]


def test_a_geopackage_whose_layer_is_a_recursive_view_is_refused(tmp_path):
    import sqlite3

    import geopandas as gpd
    from shapely.geometry import box

    path = tmp_path / "wijken-2024.gpkg"
    gpd.GeoDataFrame(
        {"statcode": ["GM0363"], "statnaam": ["Amsterdam"]}, geometry=[box(4.8, 52.3, 4.9, 52.4)], crs=4326
    ).to_file(path, layer="gemeenten", driver="GPKG")
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE VIEW endless AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
            "SELECT g.fid + r.n AS fid, g.geom, g.statcode, g.statnaam FROM r, gemeenten g"
        )
        db.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
            "VALUES ('endless', 'features', 'endless', 4326)"
        )
        db.execute("INSERT INTO gpkg_geometry_columns VALUES ('endless', 'geom', 'POLYGON', 4326, 0, 0)")
    try:
        done = _cli("data", "inspect", path, timeout=60)
    except Exception as exc:  # subprocess.TimeoutExpired: the reader ran the view
        pytest.fail(f"the GeoPackage was not refused: {type(exc).__name__}")
    assert done.returncode == 1 and done.stderr.strip() == (
        "wijkstudie: error: wijken-2024.gpkg: the GeoPackage holds an SQL view ('endless'), which would have to be "
        "run to be read: refused (boundaries are stored as tables)"
    )


# --- 9. values never corrupted silently (issue 27) -----------------------------------------------------------------


def test_a_matrix_saved_without_row_names_is_refused(tmp_path, fresh_cache):
    path = matrix(tmp_path / f"{GEMEENTE_2020_2022}.rda", rows=("1", "2"))  # R's row numbers, read as GM0001, GM0002
    with pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(path)
    one_line(exc, f"{GEMEENTE_2020_2022}.rda: its 2 row labels are R's row numbers 1-2, not gemeente codes")


def _workbook_with_formulas(path):
    """A KWB workbook whose a_inw of the wijk is a formula without a computed value and whose p_koopw of the
    gemeente is #DIV/0! and of the wijk #N/A (openpyxl writes formulas without their values, as a script would)."""
    import openpyxl

    write_kwb_workbook(path)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    a_inw, p_koopw = header.index("a_inw") + 1, header.index("p_koopw") + 1
    sheet.cell(3, a_inw).value = "=G2*2"
    for row, error in ((2, "#DIV/0!"), (3, "#N/A")):
        cell = sheet.cell(row, p_koopw)
        cell.value, cell.data_type = error, "e"
    book.save(path)
    return path


def test_formula_cells_without_a_value_and_error_cells_are_counted_per_column_and_warned(tmp_path, fresh_cache):
    path = _workbook_with_formulas(tmp_path / "kwb-2023.xlsx")
    expected = (
        r"kwb-2023.xlsx: sheet 'kwb-2023': 1 formula cell\(s\) without a computed value and 2 error cell\(s\) "
        r"\(#DIV/0!, #N/A\) read as missing, by column: G 'a_inw': 1 formula\(s\); N 'p_koopw': 2 error\(s\)"
    )
    for _ in range(2):  # from the file, then from the cache
        with pytest.warns(ws.WijkstudieWarning, match=expected):
            table = ws.read_file(path)
    assert table.set_index("region_code").loc["WK990100", ["population", "pct_owner_occupied"]].isna().all()
    assert any("formula cell(s) without a computed value" in w for w in map(str, ws.report(table).warnings))


def test_a_hidden_stale_first_sheet_is_not_read_instead_of_the_visible_one(tmp_path, fresh_cache):
    import openpyxl

    path = write_kwb_workbook(tmp_path / "kwb-2023.xlsx")
    book = openpyxl.load_workbook(path)
    stale = book.copy_worksheet(book["kwb-2023"])
    for row in stale.iter_rows(min_row=2):
        row[[c.value for c in stale[1]].index("a_inw")].value = 1  # stale figures
    book["kwb-2023"].title = "Blad1"
    stale.title = "kwb-2023"
    stale.sheet_state = "hidden"
    book.move_sheet(stale, offset=-1)  # the hidden sheet first
    book.save(path)
    table = ws.read_file(path)
    assert table.set_index("region_code").loc["GM9901", "population"] == 1000  # the visible sheet's figures


def test_a_hidden_sheet_is_read_when_it_is_asked_for_by_name(tmp_path):
    import openpyxl

    from wijkstudie.data.readers.rawfile import open_raw

    path = tmp_path / "book.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "shown"
    book.active.append(["a"])
    hidden = book.create_sheet("labels")
    hidden.append(["b"])
    hidden.sheet_state = "hidden"
    book.save(path)
    raw = open_raw(path)
    assert raw.sheet_names == ["shown"] and raw.sheet_rows(0) == [["a"]] and raw.sheet_rows("labels") == [["b"]]


@pytest.mark.parametrize("cell, shown", [("inf", "inf"), ("Infinity", "inf"), ("-inf", "-inf"), ("1e308", "1e+308")])
def test_non_finite_and_impossible_numbers_are_warned_about_and_never_counted_as_suppressed(
    tmp_path, fresh_cache, cell, shown
):
    from helpers import FIXTURES

    text = (FIXTURES / "kwb-odata-2017.csv").read_text(encoding="utf-8-sig").replace(",400,", f",{cell},", 1)
    path = tmp_path / "kwb.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.warns(ws.WijkstudieWarning) as caught:
        table = ws.read_file(path)
    said = [str(w.message) for w in caught if "impossible values" in str(w.message)]
    assert len(said) == 1 and f"are infinite or beyond any possible value (e.g. {shown})" in said[0]
    assert "population: 1 cell(s) of 'AantalInwoners_5'" in said[0]
    assert table.set_index("region_code")["population"].dropna().map(np.isfinite).all()
    assert ws.report(table).suppressed["population"] == 0 and ws.report(table).unreadable["population"] == 1


def test_impossible_values_warn_once_per_load_from_the_file_and_from_the_cache(tmp_path, fresh_cache):
    from helpers import kwb_rows

    rows = kwb_rows()
    rows[0]["p_koopw"], rows[1]["a_inw"] = 550, -20
    path = write_kwb_workbook(tmp_path / "kwb-2023.xlsx", rows=rows)
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            table = ws.read_file(path)
        said = [str(w.message) for w in caught if "impossible values" in str(w.message)]
        assert len(said) == 1, said
        assert "pct_owner_occupied: 1 value(s) outside 0-100 (e.g. 550)" in said[0] and "population" in said[0]
    assert any("pct_owner_occupied: 1 value(s) outside 0-100" in w for w in map(str, ws.report(table).warnings))


def test_short_rows_and_codes_whose_level_column_disagrees_are_reported(tmp_path, fresh_cache):
    from helpers import kwb_rows

    rows = kwb_rows()
    rows[1]["recs"] = "Gemeente"  # a buurt whose level column says gemeente
    rows[2] = {k: (v if k in ("gwb_code_10", "regio") else "") for k, v in rows[2].items()}  # code and name only
    path = write_kwb_workbook(tmp_path / "kwb-2023.xlsx", rows=rows)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = ws.read_file(path)
    said = " | ".join(str(w.message) for w in caught)
    assert "1 row(s) with a region code but no level (recs) and no figures were dropped (e.g. BU99010001)" in said
    assert "1 code(s) whose level column names another level than the code does (e.g. BU99010000 (Gemeente))" in said
    assert table.set_index("region_code").loc["BU99010000", "level"] == "buurt"
