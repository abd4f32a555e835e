"""What a file must be before its table is used: every area once, and a table of the whole country complete.

- ``duplicates``: a region code that occurs twice in one level (and year, and age group) would be counted twice
  by every groupby, mean and merge. Identical repeats are dropped with a warning; repeats with different values
  make the file ambiguous and are refused.
- ``check``: a table with areas in ``NATIONAL_MIN_GEMEENTEN`` or more gemeenten is checked against what its
  regional division holds (``divisions.yaml``), level by level, and for every wijk's gemeente and every
  buurt's wijk; a table with the land row but fewer gemeenten gets a warning (an extract, or cut off early?).
  A file cut off at a line end is the case this catches: it reads without an error, but lacks the areas after
  the cut.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..core.errors import DataFormatError
from ..core.yamlfile import load_yaml
from .reports import FileWarning, WarningKind

DIVISIONS_FILE = Path(__file__).resolve().parent / "divisions.yaml"
NATIONAL_MIN_GEMEENTEN = 100
PLURAL = {"gemeente": "gemeenten", "wijk": "wijken", "buurt": "buurten", "land": "land rows"}


@lru_cache(maxsize=1)
def _divisions() -> dict:
    with open(DIVISIONS_FILE, encoding="utf-8") as fh:
        return load_yaml(fh)


def expected_counts(division: int | None) -> dict:
    """The number of areas per level a division holds, where it is known (``divisions.yaml``).

    Parameters
    ----------
    division : int or None
        the division year

    Returns
    -------
    dict
        level -> areas (empty when unknown)
    """
    return dict(_divisions()["divisions"].get(division, {})) if division is not None else {}


def _gemeenten(frame: pd.DataFrame) -> int:
    present = frame["gemeente_code"].dropna().nunique() if "gemeente_code" in frame else 0
    return max(present, int((frame["level"] == "gemeente").sum()))


def check(frame: pd.DataFrame, division: int | None, name: str) -> list[FileWarning]:
    """Warnings about a table of the whole country that lacks areas.

    A table with areas in ``NATIONAL_MIN_GEMEENTEN`` or more gemeenten is checked level by level against its
    division. A table with the land row but fewer gemeenten is a municipal extract or a file cut off early: it gets
    a warning that says which. Other tables (an extract without the land row) are not checked.

    Parameters
    ----------
    frame : DataFrame
        a canonical table
    division : int or None
        its division year
    name : str
        the file name, for the messages

    Returns
    -------
    list of FileWarning
        the warnings

    Raises
    ------
    DataFormatError
        when a level lacks more than ``refuse_share`` of the areas its division holds (a file cut off).
    """
    if "level" not in frame or "region_code" not in frame:
        return []
    expected = expected_counts(division)
    gemeenten = _gemeenten(frame)
    if gemeenten < NATIONAL_MIN_GEMEENTEN:
        if (frame["level"] == "land").any() and expected.get("gemeente"):
            text = (
                f"holds the land row but only {gemeenten} of the {expected['gemeente']} gemeenten of division "
                f"{division}: a municipal extract, or a national file cut off early?"
            )
            return [FileWarning(text)]
        return []
    warnings, levels = [], frame.groupby("level")["region_code"].nunique().to_dict()
    refuse = _divisions()["refuse_share"]
    for level, count in expected.items():
        present = int(levels.get(level, 0))
        if level not in levels:
            continue  # a table of gemeenten and wijken need not have buurten, nor boundaries of wijken gemeenten
        missing = count - present
        if missing > refuse * count:
            raise DataFormatError(
                f"{name}: holds {present:,} of the {count:,} {PLURAL[level]} of division {division}: "
                f"{missing:,} are missing, so the file looks cut off or filtered (download it again, or load "
                "it with refresh=True after replacing it)"
            )
        if missing > 0:
            text = (
                f"{missing:,} of the {count:,} {PLURAL[level]} of division {division} are missing "
                f"({present:,} present): the file may be incomplete"
            )
            warnings.append(FileWarning(text, WarningKind.INCOMPLETE, level=level))
        elif missing < 0:
            text = (
                f"{-missing:,} more {PLURAL[level]} than division {division} holds ({present:,} against "
                f"{count:,}): is the division year right?"
            )
            warnings.append(FileWarning(text, WarningKind.SURPLUS, level=level))
    return warnings + _structure(frame)


KEY_COLUMNS = ("region_code", "level", "year", "age_group", "period", "measure")  # the last two: long StatLine tables


def duplicates(frame: pd.DataFrame, name: str) -> tuple[pd.DataFrame, list[FileWarning]]:
    """The table with identical repeats of an area dropped, and a warning saying how many.

    Parameters
    ----------
    frame : DataFrame
        a canonical table
    name : str
        the file name, for the messages

    Returns
    -------
    tuple
        ``(table, warnings)``

    Raises
    ------
    DataFormatError
        when an area occurs twice with different values.
    """
    if "region_code" not in frame:
        return frame, []
    key = [c for c in KEY_COLUMNS if c in frame]
    repeated = frame.duplicated(subset=key, keep=False) & frame["region_code"].notna()
    if not repeated.any():
        return frame, []
    comparable = frame.loc[repeated].copy()
    if "geometry" in comparable:  # compared as WKB text, in a plain DataFrame (no GeoDataFrame without geometry)
        comparable = pd.DataFrame(comparable).assign(geometry=comparable.geometry.to_wkb(hex=True))
    comparable = comparable.astype("string")  # NaN and <NA> compare equal once written out
    conflicting = ~comparable.duplicated(keep=False)
    codes = sorted(set(frame.loc[repeated, "region_code"]))
    if conflicting.any():
        bad = sorted(set(comparable.loc[conflicting, "region_code"]))
        raise DataFormatError(
            f"{name}: {len(bad)} region code(s) occur more than once with different values "
            f"(e.g. {', '.join(bad[:3])}): the file is ambiguous; remove the repeats"
        )
    dropped = frame.duplicated(subset=key, keep="first") & frame["region_code"].notna()
    text = (
        f"{int(dropped.sum())} repeated row(s) of {len(codes)} area(s) dropped (e.g. {', '.join(codes[:3])}): "
        "each area is kept once"
    )
    return frame.loc[~dropped].reset_index(drop=True), [FileWarning(text, codes=codes[:3])]


def _structure(frame: pd.DataFrame) -> list[FileWarning]:
    warnings = []
    codes = frame[["region_code", "level"]].dropna()
    region = codes["region_code"].to_numpy(dtype=object)  # plain Python strings: a cached (Arrow) table is
    level = codes["level"].to_numpy(dtype=object)  # checked on every load, and Arrow strings are slow one by one
    if "land" not in set(level) and (level == "gemeente").any() and _has_land_row_kind(frame):
        warnings.append(FileWarning("the land row (NL00) is missing", WarningKind.INCOMPLETE, level="land"))
    for child, parent, prefix, width in (("wijk", "gemeente", "GM", 4), ("buurt", "wijk", "WK", 6)):
        parents = set(region[level == parent])
        children = region[level == child]
        if not parents or not len(children):
            continue
        orphans = [c for c in children if prefix + c[2 : 2 + width] not in parents]
        if orphans:
            text = (
                f"{len(orphans):,} {PLURAL[child]} whose {parent} is not in the table (e.g. "
                f"{', '.join(orphans[:3])}): the file may be incomplete"
            )
            warnings.append(FileWarning(text, codes=orphans[:3]))
    return warnings


def _has_land_row_kind(frame: pd.DataFrame) -> bool:
    """Tables that carry a land row when complete: those with buurten too (the CBS and RIVM tables by region)."""
    return (frame["level"] == "buurt").any()
