"""Small helpers the readers share."""

from __future__ import annotations

import pandas as pd

from ..codes import gemeenten_of, levels_of, normalise_codes
from ..rawfile import RawFile


def require_columns(raw: RawFile, columns, required, what: str) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        found = ", ".join(map(str, list(columns)[:6]))
        raise raw.fail(f"not a {what}: expected column(s) {', '.join(missing)} missing (found: {found}, ...)")


def region_identifiers(codes: pd.Series, level_text: pd.Series | None = None) -> pd.DataFrame:
    """region_code, level and gemeente_code from raw codes (and a level column where the file has one)."""
    region_code = normalise_codes(codes)
    level = levels_of(region_code)
    if level_text is not None:
        given = level_text.astype("string").str.strip().str.lower()
        level = given.where(given.isin(["land", "gemeente", "wijk", "buurt"]), level)
    return pd.DataFrame({"region_code": region_code, "level": level.astype("string"),
                         "gemeente_code": gemeenten_of(region_code)})


def all_missing_warnings(frame: pd.DataFrame, names, hint: str = "") -> list[str]:
    """'X is missing for all N buurten' for each variable and level where that is so."""
    warnings = []
    if "level" not in frame:
        return warnings
    for level, group in frame.groupby("level", sort=False):
        for name in names:
            if name in group and len(group) > 0 and group[name].isna().all():
                plural = {"gemeente": "gemeenten", "wijk": "wijken", "buurt": "buurten", "land": "rows (land)",
                          "gebied": "gebieden"}.get(level, f"{level} rows")
                warnings.append(f"{name} is missing for all {len(group)} {plural}{hint}")
    return warnings
