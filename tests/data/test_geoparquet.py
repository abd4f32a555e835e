"""The caches' GeoParquet reader gives what geopandas.read_parquet gives, with each CRS made once a session."""

import io
import json
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import MultiPolygon, Point, Polygon

from wijkstudie.data.geoparquet import read_geoparquet, reference_system


def _frame(crs="EPSG:28992", attrs=None):
    square = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    frame = gpd.GeoDataFrame(
        {
            "code": pd.array(["WK036301", "WK036302", None], dtype="string"),
            "count": pd.array([1, None, 3], dtype="Int64"),
            "share": [0.5, np.nan, 1.5],
            "kind": pd.Categorical(["a", "b", "a"]),
            "flag": [True, False, True],
            "geometry": [square, MultiPolygon([square, Polygon([(2, 2), (3, 2), (3, 3)])]), None],
            "after": ["x", "y", "z"],
        },
        geometry="geometry",
        crs=crs,
    )
    frame.attrs = attrs or {}
    return frame


def _bytes(frame, **kwargs) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, **kwargs)
    return buffer.getvalue()


def _same(ours, theirs):
    assert type(ours) is type(theirs)
    assert_geodataframe_equal(ours, theirs, check_dtype=True, check_crs=True, check_column_type=True)
    assert list(ours.columns) == list(theirs.columns) and ours.geometry.name == theirs.geometry.name
    assert ours.dtypes.astype(str).tolist() == theirs.dtypes.astype(str).tolist() and ours.attrs == theirs.attrs
    assert ours.crs == theirs.crs and str(ours.crs) == str(theirs.crs)  # str: the srs, the JSON in the file's order


@pytest.mark.parametrize("crs", ["EPSG:28992", "EPSG:4326", None])
def test_a_table_reads_as_geopandas_reads_it(crs):
    data = _bytes(_frame(crs, attrs={"source": "test", "years": [2020, 2022]}))
    _same(read_geoparquet(data), gpd.read_parquet(io.BytesIO(data)))
    assert read_geoparquet(data).attrs == {"source": "test", "years": [2020, 2022]}


def test_the_geometry_keeps_its_place_among_the_columns_and_an_index_is_restored():
    frame = _frame().set_index("code")
    buffer = io.BytesIO()
    frame.to_parquet(buffer)  # the index stored as a column, restored by pandas' metadata
    data = buffer.getvalue()
    ours = read_geoparquet(data)
    _same(ours, gpd.read_parquet(io.BytesIO(data)))
    assert ours.index.name == "code" and list(ours.columns) == ["count", "share", "kind", "flag", "geometry", "after"]


def test_each_reference_system_is_made_once_and_shared():
    reference_system.cache_clear()
    first, second = (read_geoparquet(_bytes(_frame())) for _ in range(2))
    assert first.crs is second.crs and first.crs.to_epsg() == 28992
    assert reference_system.cache_info().misses == 1 and reference_system.cache_info().hits == 1
    other = read_geoparquet(_bytes(_frame("EPSG:4326")))
    assert other.crs.to_epsg() == 4326 and reference_system.cache_info().misses == 2


def test_a_file_of_another_shape_is_read_by_geopandas():
    frame = _frame()
    frame["centre"] = gpd.GeoSeries([Point(0, 0), Point(1, 1), Point(2, 2)], crs="EPSG:28992")
    data = _bytes(frame)  # two geometry columns
    _same(read_geoparquet(data), gpd.read_parquet(io.BytesIO(data)))
    covered = _bytes(_frame(), write_covering_bbox=True)  # a bounding-box column, which geopandas leaves out
    ours = read_geoparquet(covered)
    _same(ours, gpd.read_parquet(io.BytesIO(covered)))
    assert "bbox" not in ours.columns
    geoarrow = _bytes(_frame().iloc[:2], geometry_encoding="geoarrow")  # another encoding than WKB
    _same(read_geoparquet(geoarrow), gpd.read_parquet(io.BytesIO(geoarrow)))


def test_a_column_without_a_crs_is_in_ogc_crs84_and_member_ids_are_removed_as_in_geopandas():
    without = _with_geo(_bytes(_frame()), lambda geo: geo["columns"]["geometry"].pop("crs"))  # the spec's default
    ours = read_geoparquet(without)
    _same(ours, gpd.read_parquet(io.BytesIO(without)))
    assert ours.crs.to_string() == "OGC:CRS84"

    def with_member_ids(geo):  # as older GDAL writes them
        members = geo["columns"]["geometry"]["crs"]["datum_ensemble"]["members"]
        for number, member in enumerate(members):
            member["id"] = {"authority": "EPSG", "code": 1166 + number}

    data = _with_geo(_bytes(_frame("EPSG:4326")), with_member_ids)
    ours = read_geoparquet(data)
    _same(ours, gpd.read_parquet(io.BytesIO(data)))
    assert '"members"' in str(ours.crs) and '"code": 1166' not in str(ours.crs)


def _with_geo(data: bytes, change, attrs: bytes | None = None) -> bytes:
    """The file with its ``geo`` metadata (a dict) changed by ``change`` (and its PANDAS_ATTRS, when given)."""
    table = pq.read_table(io.BytesIO(data))
    metadata = dict(table.schema.metadata)
    geo = json.loads(metadata[b"geo"])
    change(geo)
    metadata[b"geo"] = json.dumps(geo).encode()
    if attrs is not None:
        metadata[b"PANDAS_ATTRS"] = attrs
    buffer = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(metadata), buffer)
    return buffer.getvalue()


def test_spherical_edges_warn_and_empty_attrs_are_none_as_in_geopandas():
    data = _with_geo(_bytes(_frame()), lambda geo: geo["columns"]["geometry"].update(edges="spherical"), b"")
    with warnings.catch_warnings(record=True) as ours_warned:
        warnings.simplefilter("always")
        ours = read_geoparquet(data)
    with warnings.catch_warnings(record=True) as theirs_warned:
        warnings.simplefilter("always")
        theirs = gpd.read_parquet(io.BytesIO(data))
    _same(ours, theirs)
    assert [str(w.message) for w in ours_warned] == [str(w.message) for w in theirs_warned] != []
    planar = _with_geo(_bytes(_frame()), lambda geo: None, b"")
    _same(read_geoparquet(planar), gpd.read_parquet(io.BytesIO(planar)))


def test_a_file_without_a_version_raises_as_in_geopandas():
    data = _with_geo(_bytes(_frame()), lambda geo: geo.pop("version"))
    with pytest.raises(ValueError, match="missing required key: 'version'"):
        read_geoparquet(data)


def test_the_ids_of_a_datum_ensembles_members_are_removed_as_geopandas_does():
    crs = {"type": "GeographicCRS", "datum_ensemble": {"members": [{"name": "m", "id": {"code": 1}}, {"name": "n"}]}}

    from wijkstudie.data.geoparquet import _without_member_ids

    _without_member_ids(crs)
    assert crs["datum_ensemble"]["members"] == [{"name": "m"}, {"name": "n"}]
    assert reference_system(json.dumps(None)) is None


def test_bytes_that_are_no_parquet_file_raise():
    with pytest.raises(Exception):  # noqa: B017 (pyarrow's own error; the caches rebuild such an entry)
        read_geoparquet(b"not parquet")


@pytest.mark.parametrize("damage", ["truncated", "no version", "bad crs"])
def test_a_cached_table_that_geopandas_cannot_read_is_rebuilt_with_the_caches_one_line_warning(tmp_path, damage):
    """Even with its SHA-256 and seal matching (an entry written so), as geopandas.read_parquet made it rebuilt."""
    import hashlib

    import wijkstudie as ws
    from wijkstudie.data import cache

    key = "k" * 24
    cache.store(key, _frame(), {"identification": {"dataset": "x"}, "suppressed": {}, "warnings": []}, tmp_path)
    table_path, meta_path = cache._paths(key, tmp_path)
    data = table_path.read_bytes()
    if damage == "truncated":
        data = data[:-40]
    elif damage == "no version":
        data = _with_geo(data, lambda geo: geo.pop("version"))
    else:
        data = _with_geo(data, lambda geo: geo["columns"]["geometry"].update(crs={"not": "a system"}))
    with pytest.raises(Exception):  # noqa: B017 (whatever geopandas raises)
        gpd.read_parquet(io.BytesIO(data))
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["cache"] = {"key": key, "table_sha256": hashlib.sha256(data).hexdigest()}
    meta["cache"]["seal"] = cache.seal(meta)
    table_path.write_bytes(data)
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.warns(ws.WijkstudieWarning, match=r"cache entry .*\.parquet: not served, it cannot be parsed: rebuilt"):
        assert cache.load_cached(key, "x", tmp_path) is None


def test_a_cached_table_is_read_as_a_geodataframe_only_when_its_report_says_geometry():
    from wijkstudie.data.geoparquet import read_cached_table

    geo = _bytes(_frame())
    _same(read_cached_table(geo, geometry=True), gpd.read_parquet(io.BytesIO(geo)))
    plain = io.BytesIO()
    pd.DataFrame({"code": ["GM0363", "GM0599"], "n": [1, 2]}).to_parquet(plain, index=False)
    table = read_cached_table(plain.getvalue(), geometry=False)
    assert type(table) is pd.DataFrame
    pd.testing.assert_frame_equal(table, pd.read_parquet(io.BytesIO(plain.getvalue())))
