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
    assert table.geometry.is_valid.all() and "1 invalid polygons repaired with make_valid" in ws.report(table).warnings


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
    assert len(table) == 3 and not any("repaired" in w for w in ws.report(table).warnings)
