"""Leefbaarometer 3.0 scores per wijk or buurt.

As its WFS returns them (a GeoJSON FeatureCollection whose properties are ``id`` (the CBS code), ``name``, ``gemeente``,
``scale`` (wijk or buurt), ``year``, the class ``kscore`` (1-9) and the deviations ``afw``, ``fys``, ``onv``, ``soc``,
``vrz``, ``won``).

Read as a table of scores (the geometry is left out: join the scores to the boundaries of their division).
"""

from __future__ import annotations

import re

import pandas as pd

from .common import NO_HINTS, Hints, pick_year, region_identifiers
from .rawfile import RawFile
from .tidy import Identification, Table, canonicalise

FORMATS = ("leefbaarometer-scores",)
LEVELS = {"wijk": "wijk", "buurt": "buurt", "wijken": "wijk", "buurten": "buurt"}


def _is_lbm(raw: RawFile) -> bool:
    head = raw.head_text
    return raw.kind == "json" and "FeatureCollection" in head and re.search(r'"kscore"\s*:', head) is not None


def check(raw: RawFile, fmt: str) -> None:
    """Raise a precise one-line error when a file that should be a Leefbaarometer score file.

    (GeoJSON with kscore) lacks what makes one.

    Parameters
    ----------
    raw : RawFile
        the opened file
    fmt : str
        the format the catalogue expects (leefbaarometer-scores)

    Returns
    -------
    None

    Raises
    ------
    DataFormatError
        naming the file and what it lacks (its kind, its key columns).
    """
    if not _is_lbm(raw):
        raise raw.fail("not a Leefbaarometer score file (a GeoJSON FeatureCollection with kscore)")


def _features(raw: RawFile) -> pd.DataFrame:
    if "lbm" not in raw._sheets:
        props = [f.get("properties") or {} for f in raw.json.get("features", [])]
        raw._sheets["lbm"] = pd.DataFrame(props)
    return raw._sheets["lbm"]


def recognise(raw: RawFile, hints: Hints = NO_HINTS) -> Identification | None:
    """Whether a file is a Leefbaarometer score file (GeoJSON with kscore).

    The reader protocol (arguments, result, errors): :mod:`wijkstudie.data.readers`.
    """
    if not _is_lbm(raw):
        return None
    frame = _features(raw)
    years = sorted({int(str(y)[:4]) for y in frame.get("year", pd.Series(dtype=str)).dropna()})
    content = years[0] if len(years) == 1 else None
    year, year_from = pick_year(
        raw, hints, "Leefbaarometer file", content=content, content_from="its year property", dataset="leefbaarometer"
    )
    levels = sorted({LEVELS.get(str(s).strip().lower(), str(s)) for s in frame.get("scale", pd.Series(dtype=str))})
    variant = levels[0] if len(levels) == 1 else None
    return Identification(
        "leefbaarometer-scores", "leefbaarometer", "leefbaarometer", year, variant, year, year_from=year_from
    )


def read(raw: RawFile, ident: Identification) -> Table:
    """The canonical table of a Leefbaarometer score file (GeoJSON with kscore).

    The reader protocol (arguments, result, errors): :mod:`wijkstudie.data.readers`.
    """
    frame = _features(raw)
    if "id" not in frame:
        raise raw.fail("Leefbaarometer features without an 'id' (the CBS code of the area)")
    ids = region_identifiers(frame["id"])
    ids["region_name"] = frame.get("name", pd.Series(index=frame.index, dtype="object")).astype("string")
    ids["gemeente_name"] = frame.get("gemeente", pd.Series(index=frame.index, dtype="object")).astype("string")
    body = frame.drop(columns=[c for c in ("id", "name", "gemeente", "scale", "year") if c in frame])
    return canonicalise(pd.concat([ids, body], axis=1), list(ids.columns), ident.source_key, ident.year)
