"""Boundaries of gemeenten, wijken and buurten, from any of the files CBS and PDOK publish them in.

- Formats: GeoJSON (PDOK WFS output, including what ``fetch`` writes), GeoPackage (the CBS wijk- en
  buurtkaart from 2019 on) and zipped shapefiles (the wijk- en buurtkaart up to 2018), one layer or several.
- Attribute conventions: ``statcode``/``statnaam``/``jrstatcode`` (CBS gebiedsindelingen),
  ``gemeentecode``/``wijkcode``/``buurtcode`` with their ``...naam`` (PDOK wijken en buurten, wijk- en buurtkaart
  from 2019), ``GM_CODE``/``WK_CODE``/``BU_CODE`` with ``GM_NAAM``/... (older wijk- en buurtkaart). A layer is
  read at the most detailed level it has codes for (a buurt layer also carries its wijk and gemeente codes).
- Coordinates: EPSG:4326 or RD New (EPSG:28992), declared or not: the bounds tell which, and everything is
  returned in EPSG:4326, with a note in the load report when a file was converted or declared wrongly.
- Year: from the content (``jrstatcode``, ``jaarstatcode``, a ``jaar`` column, GeoJSON ``metadata.year``, or a
  layer name such as ``buurt_2016_v3``), else the caller or the catalogue, else the file name.

PDOK's sentinel values (<= -99990) in numeric properties become NaN; invalid polygons are repaired with
``make_valid`` and counted. The repair is bounded: its time grows with the square of a polygon's self-crossings,
so an invalid polygon of more than ``max_repair_points`` (250,000) points, or invalid polygons crossing themselves
more than ``max_repair_crossings`` (50,000) times together, are refused in one line naming the area (the national
wijk boundaries of the mirror have 17 invalid polygons of at most 610 points, 20 crossings in all).
"""

from __future__ import annotations

import re
import zipfile
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ...core.errors import DataFormatError
from ...core.printable import excerpt
from ..reports import FileWarning
from .common import NO_HINTS, Hints, pick_year, region_identifiers, year_in_text
from .numbers import clean_numeric
from .rawfile import RawFile, limit
from .tidy import Identification, Table

if TYPE_CHECKING:  # geopandas is imported on first read, not with the package
    import geopandas as gpd

FORMATS = ("boundaries",)
# (code, name, gemeente code, gemeente name), the most detailed first
CONVENTIONS = [
    ("buurtcode", "buurtnaam", "gemeentecode", "gemeentenaam"),
    ("bu_code", "bu_naam", "gm_code", "gm_naam"),
    ("wijkcode", "wijknaam", "gemeentecode", "gemeentenaam"),
    ("wk_code", "wk_naam", "gm_code", "gm_naam"),
    ("gemeentecode", "gemeentenaam", None, None),
    ("gm_code", "gm_naam", None, None),
    ("statcode", "statnaam", None, None),
]
DATASET_OF_LEVEL = {"gemeente": "cbs-gemeenten", "wijk": "cbs-wijken", "buurt": "cbs-buurten"}
BOUNDARY_DATASETS = tuple(DATASET_OF_LEVEL.values()) + ("cbs-wijkbuurtkaart",)
LONLAT_BOUNDS = (-180.0, -90.0, 180.0, 90.0)
RD_BOUNDS = (-7000.0, 289000.0, 300000.0, 629000.0)  # the area RD New is defined for
NL_LONLAT = (2.0, 50.0, 8.0, 54.5)  # the European Netherlands and its coastal waters, generously
SKIP = {"id", "jrstatcode", "jaarstatcode", "rubriek", "fid", "objectid"}


def _spatial(raw: RawFile) -> bool:
    if raw.kind == "json":
        return "FeatureCollection" in raw.head_text
    if raw.kind == "zip":
        return any(n.lower().endswith((".shp", ".gpkg", ".geojson")) for n in _zip_names(raw))
    return raw.kind == "gpkg"


def _zip_names(raw: RawFile) -> list[str]:
    try:
        with zipfile.ZipFile(raw.path) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise raw.fail(f"not a valid zip archive (truncated or corrupt?): {exc}") from None


def _sources(raw: RawFile) -> list[str]:
    """Paths GDAL can open.

    The file itself, or each GeoPackage/GeoJSON inside a zip, or the zip as a folder of shapefiles.
    """
    if raw.kind != "zip":
        return [str(raw.path)]
    names = _zip_names(raw)
    inner = [n for n in names if n.lower().endswith((".gpkg", ".geojson"))]
    if inner:
        return [f"/vsizip/{raw.path}/{n}" for n in inner]
    folders = sorted({n.rsplit("/", 1)[0] if "/" in n else "" for n in names if n.lower().endswith(".shp")})
    return [f"/vsizip/{raw.path}" + (f"/{f}" if f else "") for f in folders]


def _layers(raw: RawFile) -> list[tuple[str, str, dict, tuple]]:
    """(source, layer, column map lower->actual, convention) for every layer with CBS codes (read once)."""
    if "geo_layers" in raw._sheets:
        return raw._sheets["geo_layers"]
    import pyogrio

    found = []
    for source in _sources(raw):
        try:
            layers = [str(name) for name, _ in pyogrio.list_layers(source)]
        except Exception as exc:
            raise raw.fail(f"cannot read the boundaries ({_short(exc)})") from None
        for layer in layers:
            try:
                info = pyogrio.read_info(source, layer=layer)
            except Exception as exc:
                raise raw.fail(f"cannot read layer {layer!r} ({_short(exc)})") from None
            columns = {str(f).lower(): str(f) for f in info["fields"]}
            convention = next((c for c in CONVENTIONS if c[0] in columns), None)
            if convention:
                found.append((source, layer, columns, convention))
    raw._sheets["geo_layers"] = found
    return found


def check(raw: RawFile, fmt: str) -> None:
    """Raise a precise one-line error when a file that should be a boundary file.

    (GeoJSON, GeoPackage or zipped shapefile, with CBS region codes) lacks what makes one.

    Parameters
    ----------
    raw : RawFile
        the opened file
    fmt : str
        the format the catalogue expects (boundaries)

    Returns
    -------
    None

    Raises
    ------
    DataFormatError
        naming the file and what it lacks (its kind, its key columns).
    """
    if not _spatial(raw):
        raise raw.fail("not a boundary file (GeoJSON, GeoPackage or zipped shapefile)")
    if not _layers(raw):
        raise raw.fail(
            "boundaries without CBS region codes (statcode, gemeentecode/wijkcode/buurtcode or GM_CODE/WK_CODE/BU_CODE)"
        )


def recognise(raw: RawFile, hints: Hints = NO_HINTS) -> Identification | None:
    """Whether a file is a boundary file (GeoJSON, GeoPackage or zipped shapefile, with CBS region codes).

    The reader protocol (arguments, result, errors): :mod:`wijkstudie.data.readers`.
    """
    if not _spatial(raw):
        return None
    layers = _layers(raw)
    if not layers:
        raise raw.fail(
            "a boundary file without CBS region codes (statcode, gemeentecode/wijkcode/buurtcode or "
            "GM_CODE/WK_CODE/BU_CODE)"
        )
    levels = {_layer_level(raw, source, layer, columns, c) for source, layer, columns, c in layers}
    levels.discard(None)
    dataset = DATASET_OF_LEVEL[levels.pop()] if len(levels) == 1 else "cbs-wijkbuurtkaart"
    content, where = _content_year(raw, layers)
    boundary_hints = Hints(hints.year, hints.origin) if hints.dataset in BOUNDARY_DATASETS + (None,) else NO_HINTS
    year, year_from = pick_year(raw, boundary_hints, "boundary file", content=content, content_from=where)
    return Identification("boundaries", dataset, None, year, None, year, year_from=year_from)


def _layer_level(raw: RawFile, source: str, layer: str, columns: dict, convention) -> str | None:
    """The level of a layer: from its convention, or (``statcode`` serves every level) from its first code."""
    level = {
        "buurtcode": "buurt",
        "bu_code": "buurt",
        "wijkcode": "wijk",
        "wk_code": "wijk",
        "gemeentecode": "gemeente",
        "gm_code": "gemeente",
    }.get(convention[0])
    if level:
        return level
    if raw.kind == "json":
        m = re.search(r'"statcode"\s*:\s*"\s*(GM|WK|BU)', raw.head_text)
        first = m.group(1) if m else ""
    else:
        import pyogrio

        sample = pyogrio.read_dataframe(
            source, layer=layer, columns=[columns["statcode"]], read_geometry=False, max_features=1
        )
        first = str(sample.iloc[0, 0]).strip()[:2].upper() if len(sample) else ""
    return {"GM": "gemeente", "WK": "wijk", "BU": "buurt"}.get(first)


def _content_year(raw: RawFile, layers) -> tuple[int | None, str]:
    if raw.kind == "json":
        head = raw.head_text
        for pattern, where in (
            (r'"metadata"\s*:\s*\{[^{}]*"year"\s*:\s*"?(\d{4})', "metadata.year"),
            (r'"jrstatcode"\s*:\s*"(\d{4})', "jrstatcode"),
            (r'"jaarstatcode"\s*:\s*"(\d{4})', "jaarstatcode"),
            (r'"jaar"\s*:\s*"?(\d{4})', "jaar"),
        ):
            if m := re.search(pattern, head):
                return int(m.group(1)), where
        return None, ""
    import pyogrio

    for source, layer, columns, _ in layers:
        for key in ("jrstatcode", "jaarstatcode", "jaar"):
            if key in columns:
                sample = pyogrio.read_dataframe(
                    source, layer=layer, columns=[columns[key]], read_geometry=False, max_features=1
                )
                if len(sample) and (m := re.match(r"(\d{4})", str(sample.iloc[0, 0]))):
                    return int(m.group(1)), key
        if (year := year_in_text(layer)) is not None:
            return year, f"layer name {layer!r}"
    return None, ""


def read(raw: RawFile, ident: Identification) -> Table:
    """The canonical table of a boundary file (GeoJSON, GeoPackage or zipped shapefile, with CBS region codes).

    The reader protocol (arguments, result, errors): :mod:`wijkstudie.data.readers`.
    """
    import geopandas as gpd  # here, not at import: ``import wijkstudie`` stays quick
    import pyogrio

    frames, suppressed, notes = [], {}, []
    for source, layer, columns, convention in _layers(raw):
        try:
            gdf = pyogrio.read_dataframe(source, layer=layer)
        except Exception as exc:
            raise raw.fail(f"cannot read layer {layer!r} ({_short(exc)})") from None
        gdf, crs_notes = to_wgs84(gdf, raw.name)
        notes += crs_notes
        frame, counts = _canonical(gdf, columns, convention, ident)
        for k, v in counts.items():
            suppressed[k] = suppressed.get(k, 0) + v
        frames.append(frame)
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=4326)
    alerts = []
    without = out.geometry.isna() | out.geometry.is_empty  # null geometry, or coordinates GDAL could not read
    if without.any():
        codes = [excerpt(c, 20) for c in out.loc[without, "region_code"].fillna("(no code)")]
        text = (
            f"{int(without.sum())} area(s) without a geometry (null, or coordinates that are not numbers): "
            + ", ".join(codes[:10])
            + (f" (+{len(codes) - 10} more)" if len(codes) > 10 else "")
        )
        alerts.append(FileWarning(text, codes=codes[:10]))
    invalid = ~out.geometry.is_valid & ~without
    if invalid.any():
        import shapely

        _check_repairable(raw, out.loc[invalid])
        # the "structure" method keeps areas as areas (no stray lines or points from self-touching rings)
        repaired = shapely.make_valid(out.geometry[invalid].to_numpy(), method="structure", keep_collapsed=False)
        out.loc[invalid, "geometry"] = repaired
        notes.append(f"{int(invalid.sum())} invalid polygons repaired with make_valid")
    if (out["gemeente_code"] == "GM0998").any():
        notes.append(
            f"{int((out['gemeente_code'] == 'GM0998').sum())} features of GM0998 'Buitenland' (not a real gemeente)"
        )
    return Table(out, {k: v for k, v in suppressed.items() if v}, notes + alerts, alerts=alerts)


PAIRS_PER_QUERY = 1 << 23  # the most segment pairs one query of the crossing count may return (128 MB)


def _check_repairable(raw: RawFile, invalid) -> None:
    """Refuse invalid polygons whose repair would take minutes.

    ``make_valid`` grows with the square of the self-crossings (1 s at 50,000, 5 s at 120,000, 8 s and 0.5 GB at
    220,000, a 2,000-point random ring has 900,000). Each polygon's points are bounded by ``max_repair_points``; the
    crossings of all of them together, counted with a tree of segments that stops once past the limit, by
    ``max_repair_crossings``.
    """
    import shapely

    max_points, max_crossings = limit("max_repair_points"), limit("max_repair_crossings")
    crossings = 0
    for code, geom in zip(invalid["region_code"], invalid.geometry.to_numpy()):
        points = int(shapely.get_num_coordinates(geom))
        area = f"area {excerpt(code, 20)}" if pd.notna(code) else "an area without a code"
        if points > max_points:
            raise raw.fail(
                f"{area} has an invalid polygon of {points:,} points, more than the limit of {max_points:,} "
                "(setting max_repair_points, WIJKSTUDIE_MAX_REPAIR_POINTS): refused rather than repaired"
            )
        crossings += _self_crossings(geom, max_crossings - crossings)
        if crossings > max_crossings:
            raise raw.fail(
                f"{area} has an invalid polygon ({points:,} points) whose self-crossings bring the file's to more "
                f"than the limit of {max_crossings:,} (setting max_repair_crossings, "
                "WIJKSTUDIE_MAX_REPAIR_CROSSINGS): refused rather than repaired"
            )


def _self_crossings(geom, cap: int) -> int:
    """The number of pairs of non-neighbouring segments of a polygon's rings that meet.

    Counted up to just past ``cap`` (the count stops there).
    """
    import shapely

    rings = shapely.get_rings(shapely.get_parts(geom))
    coords = [shapely.get_coordinates(r) for r in rings]
    coords = [c for c in coords if len(c) >= 2]
    if not coords:
        return 0
    starts = np.concatenate([c[:-1] for c in coords])
    ends = np.concatenate([c[1:] for c in coords])
    lengths = np.array([len(c) - 1 for c in coords])
    ring = np.repeat(np.arange(len(coords)), lengths)
    first = np.cumsum(lengths) - lengths
    last = first + lengths - 1
    segments = shapely.linestrings(np.stack([starts, ends], axis=1))
    tree = shapely.STRtree(segments)
    n = len(segments)
    chunk = max(1, min(65536, PAIRS_PER_QUERY // n))  # one segment meets at most n others
    count = 0
    for low in range(0, n, chunk):
        queried = np.arange(low, min(n, low + chunk))
        a, b = tree.query(segments[queried], predicate="intersects")
        a = queried[a]
        same_ring = ring[a] == ring[b]
        neighbours = same_ring & ((b - a == 1) | ((a == first[ring[a]]) & (b == last[ring[a]])))
        count += int(((b > a) & ~neighbours).sum())
        if count > cap:
            break
    return count


def _canonical(gdf, columns: dict, convention, ident: Identification):
    code_col, name_col, gm_col, gm_name_col = (columns.get(c) if c else None for c in convention)
    ids = region_identifiers(gdf[code_col])
    ids["region_name"] = gdf[name_col].astype("string") if name_col else pd.NA
    if gm_name_col:
        ids["gemeente_name"] = gdf[gm_name_col].astype("string")
    else:  # a gemeente layer names its gemeenten; wijk or buurt layers without names get none
        ids["gemeente_name"] = ids["region_name"].where(ids["level"] == "gemeente")
    ids.insert(0, "year", ident.year)
    ids.insert(1, "division_year", ident.division)
    used = {c for c in (code_col, name_col, gm_col, gm_name_col) if c}
    suppressed, extras = {}, {}
    for col in gdf.columns:
        if col == "geometry" or col in used or col.lower() in SKIP or col in ids:
            continue
        if pd.api.types.is_numeric_dtype(gdf[col]):
            extras[col], n = clean_numeric(gdf[col])
            suppressed[col] = n
        else:
            extras[col] = gdf[col]
    frame = pd.concat([ids, pd.DataFrame(extras, index=gdf.index)], axis=1)
    frame["geometry"] = gdf.geometry.values
    return frame, suppressed


def to_wgs84(gdf: gpd.GeoDataFrame, name: str) -> tuple[gpd.GeoDataFrame, list[str]]:
    """A boundary layer in EPSG:4326, whatever it declared.

    RD New coordinates are recognised by their bounds (also when a GeoJSON file, which by definition is in EPSG:4326,
    holds them without saying so).

    Parameters
    ----------
    gdf : GeoDataFrame
        the layer as read
    name : str
        the file name, for the messages

    Returns
    -------
    tuple
        ``(layer in EPSG:4326, notes)``

    Raises
    ------
    DataFormatError
        for coordinates of an unknown system, swapped latitude and longitude, or coordinates outside the
        Netherlands.
    """
    notes = []
    if gdf.empty:
        return gdf.set_crs(4326, allow_override=True), notes
    bounds = gdf.total_bounds
    looks_lonlat = _inside(bounds, LONLAT_BOUNDS)
    looks_rd = not looks_lonlat and _inside(bounds, RD_BOUNDS)
    declared = gdf.crs.to_epsg() if gdf.crs is not None else None
    if looks_rd and (declared is None or (gdf.crs is not None and gdf.crs.is_geographic)):
        said = "declares no coordinate system" if declared is None else f"declares EPSG:{declared}"
        notes.append(f"{name} {said} but its coordinates are RD New (EPSG:28992); converted to EPSG:4326")
        return gdf.set_crs(28992, allow_override=True).to_crs(4326), notes
    if declared is None:
        if not looks_lonlat:
            raise DataFormatError(
                f"{name}: coordinates of an unknown system (bounds "
                f"{np.round(bounds, 1).tolist()}), neither longitude/latitude nor RD New"
            )
        return gdf.set_crs(4326), notes
    if declared != 4326:
        notes.append(f"{name}: converted from EPSG:{declared} to EPSG:4326")
        gdf = gdf.to_crs(4326)
    _check_in_the_netherlands(gdf.total_bounds, name)
    return gdf, notes


def _check_in_the_netherlands(bounds, name: str) -> None:
    """Longitude/latitude that do not lie in and around the Netherlands: swapped axes or a wrong declaration."""
    if _inside(bounds, NL_LONLAT):
        return
    swapped = [bounds[1], bounds[0], bounds[3], bounds[2]]
    hint = (
        "latitude and longitude look swapped"
        if _inside(swapped, NL_LONLAT)
        else "the declared coordinate system does not fit the coordinates"
    )
    raise DataFormatError(
        f"{name}: coordinates outside the Netherlands (bounds {np.round(bounds, 2).tolist()}): {hint}"
    )


def _inside(bounds, box) -> bool:
    return bounds[0] >= box[0] and bounds[1] >= box[1] and bounds[2] <= box[2] and bounds[3] <= box[3]


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text[:160] + ("..." if len(text) > 160 else "")
