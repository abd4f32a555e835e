"""Boundaries as GeoJSON: CBS gebiedsindelingen (``statcode``/``jrstatcode``) and PDOK wijken/buurten.

Returned as GeoDataFrames in EPSG:4326 with canonical identifiers. PDOK's sentinel values (<= -99990) in
numeric properties become NaN.
"""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd

from ..rawfile import RawFile
from ..tidy import Identification, Table
from ..missing import clean_numeric
from .common import region_identifiers

FORMATS = ("cbs-gebiedsindeling-geojson", "wijken-geojson", "buurten-geojson")
PROPERTY = r'"{}"\s*:'


def _has(raw: RawFile, key: str) -> bool:
    return re.search(PROPERTY.format(key), raw.head_text) is not None


def check(raw: RawFile, fmt: str) -> None:
    if raw.kind != "json" or "FeatureCollection" not in raw.head_text:
        raise raw.fail("not a GeoJSON FeatureCollection")
    key = {"cbs-gebiedsindeling-geojson": "statcode", "wijken-geojson": "wijkcode",
           "buurten-geojson": "buurtcode"}[fmt]
    if not _has(raw, key):
        raise raw.fail(f"GeoJSON without the expected property {key!r}")


def recognise(raw: RawFile) -> Identification | None:
    if raw.kind != "json" or "FeatureCollection" not in raw.head_text:
        return None
    if _has(raw, "statcode") and _has(raw, "jrstatcode"):
        m = re.search(r'"jrstatcode"\s*:\s*"(\d{4})', raw.head_text)
        year = int(m.group(1)) if m else None
        return Identification("cbs-gebiedsindeling-geojson", "cbs-gemeenten", None, year, None, year)
    for fmt, key, dataset in (("buurten-geojson", "buurtcode", "cbs-buurten"),
                              ("wijken-geojson", "wijkcode", "cbs-wijken")):
        if _has(raw, key):
            year = _year(raw)
            return Identification(fmt, dataset, None, year, None, year)
    raise raw.fail("a GeoJSON FeatureCollection without CBS region codes (statcode, wijkcode or buurtcode)")


def _year(raw: RawFile) -> int:
    head = raw.head_text
    for pattern in (r'"metadata"\s*:\s*\{[^{}]*"year"\s*:\s*"?(\d{4})', r'"jaarstatcode"\s*:\s*"(\d{4})',
                    r'"jaar"\s*:\s*"?(\d{4})'):
        if m := re.search(pattern, head):
            return int(m.group(1))
    raise raw.fail("boundaries without a year (no metadata.year, jaarstatcode or jaar property)")


def read(raw: RawFile, ident: Identification) -> Table:
    try:
        gdf = gpd.read_file(raw.path)
    except Exception as exc:
        raise raw.fail(f"cannot read the GeoJSON: {' '.join(str(exc).split())[:160]}") from None
    if gdf.crs is None:
        gdf = gdf.set_crs(4326)
    if ident.format == "cbs-gebiedsindeling-geojson":
        code, name, gm, gm_name = "statcode", "statnaam", None, None
    elif ident.format == "wijken-geojson":
        code, name, gm, gm_name = "wijkcode", "wijknaam", "gemeentecode", "gemeentenaam"
    else:
        code, name, gm, gm_name = "buurtcode", "buurtnaam", "gemeentecode", "gemeentenaam"
    ids = region_identifiers(gdf[code])
    ids["region_name"] = gdf[name].astype("string")
    ids["gemeente_name"] = (gdf[gm_name] if gm_name else gdf[name]).astype("string")
    ids.insert(0, "year", ident.year)
    ids.insert(1, "division_year", ident.division)
    suppressed, extras = {}, {}
    for col in gdf.columns:
        if col in ("geometry", code, name, gm, gm_name, "id", "jrstatcode", "rubriek"):
            continue
        if pd.api.types.is_numeric_dtype(gdf[col]):
            extras[col], n = clean_numeric(gdf[col])
            suppressed[col] = n
        else:
            extras[col] = gdf[col]
    frame = pd.concat([ids, pd.DataFrame(extras, index=gdf.index)], axis=1)
    out = gpd.GeoDataFrame(frame, geometry=gdf.geometry.values, crs=gdf.crs)
    warnings = []
    if (out["gemeente_code"] == "GM0998").any():
        warnings.append(f"{int((out['gemeente_code'] == 'GM0998').sum())} features of GM0998 'Buitenland' "
                        "(not a real gemeente)")
    return Table(out, {k: v for k, v in suppressed.items() if v}, warnings)
