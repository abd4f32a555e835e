"""The yearly CBS KWB workbook (``kwb-YYYY.xlsx`` / ``.xls``): short column names, one sheet ``kwb-YYYY``."""

from __future__ import annotations

import re

from ..rawfile import RawFile
from ..tidy import Identification, Table, canonicalise
from .common import all_missing_warnings, region_identifiers, require_columns

FORMATS = ("kwb-workbook",)
REQUIRED = ["gwb_code_10", "regio", "recs"]
# Figures CBS adds in a later release; all missing at buurt level means the file is a first release.
LATER_RELEASE = ("pct_owner_occupied", "mean_income_per_resident", "mean_woz", "pct_social_rent")


def check(raw: RawFile, fmt: str) -> None:
    if raw.kind not in ("xlsx", "xls"):
        raise raw.fail(f"not a KWB workbook: a {raw.kind} file")
    require_columns(raw, raw.columns(), REQUIRED, "KWB workbook")


def recognise(raw: RawFile) -> Identification | None:
    if raw.kind not in ("xlsx", "xls"):
        return None
    sheet_year = next((int(m.group(1)) for s in raw.sheet_names if (m := re.fullmatch(r"kwb-(\d{4})", s))), None)
    if sheet_year is None and "gwb_code_10" not in raw.columns():
        return None
    if sheet_year is None:
        raise raw.fail("KWB workbook without a 'kwb-YYYY' sheet: cannot tell the year")
    return Identification("kwb-workbook", "kwb", "kwb-workbook", sheet_year, None, sheet_year)


def read(raw: RawFile, ident: Identification) -> Table:
    sheet = f"kwb-{ident.year}" if f"kwb-{ident.year}" in raw.sheet_names else 0
    frame = raw.sheet_frame(sheet)
    require_columns(raw, frame.columns, REQUIRED, "KWB workbook")
    code = frame["gwb_code_10"].where(frame["gwb_code_10"].notna(), frame.get("gwb_code"))
    ids = region_identifiers(code, frame["recs"])
    ids["region_name"] = frame["regio"].astype("string").str.strip()
    ids["gemeente_name"] = frame.get("gm_naam", frame["regio"]).astype("string").str.strip()
    drop = {"gwb_code_10", "gwb_code_8", "gwb_code", "regio", "gm_naam", "recs"}
    body = frame.drop(columns=[c for c in frame.columns if c in drop])
    merged = ids.join(body)
    table = canonicalise(merged, list(ids.columns), ident.source_key, ident.year)
    warnings = all_missing_warnings(table.frame, table.mapped)
    table.warnings += [w + ("; this looks like a first release (CBS adds these figures later)"
                            if w.split()[0] in LATER_RELEASE and w.endswith("buurten") else "")
                       for w in warnings]
    return table
