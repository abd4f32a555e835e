"""GeoParquet files the caches wrote, read as ``geopandas.read_parquet`` reads them, each CRS parsed once a session.

pyproj makes a coordinate reference system from a file's PROJJSON in about 20 ms: more than the rest of reading a
small table, and a notebook reads some twenty cached tables, nearly all in the same one or two systems. Here the
table is read as geopandas reads one file (pyarrow's table, its non-geometry columns by ``to_pandas``, the geometry
from its WKB, the table's ``attrs``), with the system made once per PROJJSON text and shared, as geopandas shares one
between a table and the tables made from it. A file of another shape (several geometry columns, another encoding, a
bounding-box column, spherical edges, no version) is read by geopandas itself, so that it raises or warns as
geopandas does. The system is made from the column's JSON in the file's key order, as geopandas makes it, so even its
``srs`` (its ``str``, what a pickle of it holds) is geopandas'. pyproj keeps its parsed system per thread: a thread's
first use of a system made in another parses it again (about 20 ms, once a thread and system).
"""

from __future__ import annotations

import io
import json
from functools import lru_cache


def read_geoparquet(data: bytes):
    """A GeoDataFrame from the bytes of a GeoParquet file (what ``geopandas.read_parquet`` gives for them).

    Parameters
    ----------
    data : bytes
        the file's content

    Returns
    -------
    GeoDataFrame

    Raises
    ------
    Exception
        whatever pyarrow or geopandas raise for bytes that are not a GeoParquet file
    """
    import geopandas as gpd
    import numpy as np
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(data))
    metadata = table.schema.metadata or {}
    geo = json.loads(metadata.get(b"geo", b"null"))
    columns = geo.get("columns") if isinstance(geo, dict) else None
    if not isinstance(columns, dict) or len(columns) != 1:
        return gpd.read_parquet(io.BytesIO(data))
    ((name, column),) = columns.items()
    if (
        name != geo.get("primary_column")
        or name not in table.column_names
        or not isinstance(column, dict)
        or column.get("encoding") != "WKB"
        or "covering" in column
        or column.get("edges", "planar") != "planar"  # geopandas warns that it reads them as planar
        or not (geo.get("version") or geo.get("schema_version"))  # geopandas raises
    ):
        return gpd.read_parquet(io.BytesIO(data))
    position = list(table.slice(0, 0).to_pandas().columns).index(name)
    frame = table.drop([name]).to_pandas()
    crs = reference_system(json.dumps(column.get("crs", "OGC:CRS84")))  # the spec's default; the file's key order
    frame.insert(position, name, gpd.GeoSeries.from_wkb(np.array(table[name]), crs=crs).values)
    if metadata.get(b"PANDAS_ATTRS"):  # as geopandas: empty means none
        frame.attrs = json.loads(metadata[b"PANDAS_ATTRS"])
    return gpd.GeoDataFrame(frame, geometry=name)


def read_cached_table(data: bytes, *, geometry: bool):
    """A cached table from its Parquet bytes: a GeoDataFrame (``read_geoparquet``) when it holds geometry.

    What the table cache and the derived-table cache serve, from the bytes whose hash they checked.

    Parameters
    ----------
    data : bytes
        the file's content
    geometry : bool
        whether the entry's report says the table has a geometry column

    Returns
    -------
    DataFrame or GeoDataFrame
    """
    if geometry:
        return read_geoparquet(data)
    import pandas as pd

    return pd.read_parquet(io.BytesIO(data))


@lru_cache(maxsize=32)
def reference_system(text: str):
    """The pyproj CRS of a GeoParquet column's ``crs`` (its JSON text), made once; None for an unknown system (null).

    As geopandas makes it: the ids of a datum ensemble's members removed first (older PROJ databases lack them).

    Parameters
    ----------
    text : str
        the JSON of the column's ``crs``: a PROJJSON object, a string or null

    Returns
    -------
    pyproj.CRS or None
    """
    from pyproj import CRS

    crs = json.loads(text)
    if crs is None:
        return None
    if isinstance(crs, dict):
        _without_member_ids(crs)
    return CRS.from_user_input(crs)


def _without_member_ids(value: dict) -> None:
    """Remove the ``id`` of every member of a datum ensemble, in place (GDAL's and geopandas' fix for older PROJ)."""
    for key, item in value.items():
        if isinstance(item, dict):
            _without_member_ids(item)
        elif key == "members" and isinstance(item, list):
            for member in item:
                if isinstance(member, dict):
                    member.pop("id", None)
