"""Boundary files (readers/geo.py): polygons repaired or refused, coordinates recognised and converted, areas
without a geometry named."""

from __future__ import annotations

import json

import numpy as np
import pytest

import wijkstudie as ws

from helpers import (
    FIXTURES,
    one_error_line,
    one_line,
    run_cli,
    run_cli_in_a_process,
)


def test_truncated_geojson(tmp_path, capsys):
    bad = tmp_path / "wijken.geojson"
    bad.write_text((FIXTURES / "wijken-2024.geojson").read_text()[:300])
    one_error_line(run_cli(capsys, "data", "inspect", bad), "wijken.geojson:")


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


def test_areas_without_a_geometry_are_named_in_a_warning_and_not_counted_as_repaired(tmp_path, fresh_cache):
    path = boundaries(tmp_path / "gemeenten-2022.geojson", {"GM0363": None, "GM0599": SQUARE, "GM0014": SQUARE})
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"][2]["geometry"]["coordinates"][0][0] = ["NaN", "abc"]  # coordinates that are not numbers
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.warns(ws.WijkstudieWarning, match=r"2 area\(s\) without a geometry .*: GM0363, GM0014"):
        table = ws.read_file(path)
    assert len(table) == 3 and not any("repaired" in w for w in map(str, ws.report(table).warnings))


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
        done = run_cli_in_a_process("data", "inspect", path, timeout=60)
    except Exception as exc:  # subprocess.TimeoutExpired: the reader ran the view
        pytest.fail(f"the GeoPackage was not refused: {type(exc).__name__}")
    assert done.returncode == 1 and done.stderr.strip() == (
        "wijkstudie: error: wijken-2024.gpkg: the GeoPackage holds an SQL view ('endless'), which would have to be "
        "run to be read: refused (boundaries are stored as tables)"
    )


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
