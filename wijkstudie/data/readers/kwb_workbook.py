"""The yearly CBS KWB workbook (``kwb-YYYY.xlsx`` / ``.xls``) and files saved from it.

Recognised by its short column names (``gwb_code_10``, ``regio``, ``recs``, ``a_inw``, ...) in any sheet of
any workbook (CBS calls the sheet ``kwb-YYYY``; a municipality's extract may call it anything and put a title
above the header) or in a CSV saved from it. The year comes from the sheet name, else the caller (``year=``) or
the catalogue, else the file name.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ...core.errors import WijkstudieError
from ..codes import normalise_code
from ..reports import FileWarning, WarningKind
from .common import (
    NO_HINTS,
    Hints,
    all_missing_warnings,
    pick_year,
    region_identifiers,
    require_layout_columns,
    year_in_text,
)
from .rawfile import RawFile
from .tidy import Identification, Table, canonicalise

FORMATS = ("kwb-workbook",)
CODE_COLUMNS = ("gwb_code_10", "gwb_code")
REQUIRED = ["regio", "recs"]
HEADER_SEARCH_ROWS = 12
# Figures CBS adds in a later release; all missing at buurt level means the file is a first release.
LATER_RELEASE = ("pct_owner_occupied", "mean_income_per_resident", "mean_woz", "pct_social_rent")


def _is_header(row) -> bool:
    cells = {str(c).strip().lower() for c in row if c not in (None, "")}
    return bool(cells & set(CODE_COLUMNS)) and set(REQUIRED) <= cells


def _locate(raw: RawFile) -> tuple[str | int, int] | None:
    """(sheet, header row) of the KWB table in a workbook, or ("csv", 0) for a CSV; None when there is none."""
    if "kwb_location" in raw._sheets:
        return raw._sheets["kwb_location"]
    found = None
    if raw.kind == "csv":
        found = ("csv", 0) if _is_header(raw.csv_header) else None
    elif raw.kind in ("xlsx", "xls"):
        names = raw.sheet_names
        ordered = sorted(names, key=lambda s: not re.fullmatch(r"kwb-\d{4}", s))  # CBS's own sheet first
        for sheet in ordered:
            rows = raw.sheet_rows(sheet)
            for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
                if _is_header(row):
                    found = (sheet, i)
                    break
            if found:
                break
    raw._sheets["kwb_location"] = found
    return found


def check(raw: RawFile, fmt: str) -> None:
    """Raise a precise one-line error when a file that should be a KWB workbook.

    (any sheet name, a title above the header), or a CSV saved from one lacks what makes one.

    Parameters
    ----------
    raw : RawFile
        the opened file
    fmt : str
        the format the catalogue expects (kwb-workbook)

    Returns
    -------
    None

    Raises
    ------
    DataFormatError
        naming the file and what it lacks (its kind, its key columns).
    """
    if raw.kind not in ("xlsx", "xls", "csv"):
        raise raw.fail(f"not a KWB workbook: a {raw.kind} file")
    if _locate(raw) is None:
        require_layout_columns(raw, raw.columns(), ["gwb_code_10"] + REQUIRED, "KWB workbook")


def recognise(raw: RawFile, hints: Hints = NO_HINTS) -> Identification | None:
    """Whether a file is a KWB workbook (any sheet name, a title above the header), or a CSV saved from one.

    The reader protocol (arguments, result, errors): :mod:`wijkstudie.data.readers`.
    """
    if raw.kind not in ("xlsx", "xls", "csv"):
        return None
    location = _locate(raw)
    if location is None:
        return None
    sheet = location[0]
    sheet_year = year_in_text(sheet) if sheet != "csv" else None
    what = "KWB workbook" if sheet != "csv" else "KWB table saved as CSV"
    year, year_from = pick_year(
        raw, hints, what, content=sheet_year, content_from=f"its sheet {sheet!r}", dataset="kwb"
    )
    return Identification("kwb-workbook", "kwb", "kwb-workbook", year, None, year, year_from=year_from)


def read(raw: RawFile, ident: Identification) -> Table:
    """The canonical table of a KWB workbook (any sheet name, a title above the header), or a CSV saved from one.

    The reader protocol (arguments, result, errors): :mod:`wijkstudie.data.readers`.
    """
    sheet, header_row = _locate(raw)
    frame = raw.csv_frame() if sheet == "csv" else raw.sheet_frame(sheet, header_row)
    frame.columns = [
        str(c).strip().lower()
        if str(c).strip().lower() in CODE_COLUMNS + tuple(REQUIRED) + ("gwb_code_8", "gm_naam")
        else str(c).strip()
        for c in frame.columns
    ]
    code = frame["gwb_code_10"] if "gwb_code_10" in frame else frame["gwb_code"]
    if "gwb_code_10" in frame and "gwb_code" in frame:
        code = code.where(code.notna() & (code.astype("string").str.strip() != ""), frame["gwb_code"])
    kept = (frame["recs"].astype("string").str.strip().fillna("") != "").to_numpy(dtype=bool)
    problems = []
    short = ~kept & code.map(_is_region_code).to_numpy(dtype=bool)  # a region code, not a note below the table
    if short.any():  # a row with a code but nothing from the level column on: cut short, not a note below the table
        problems.append(
            f"{int(short.sum())} row(s) with a region code but no level (recs) and no figures were dropped (e.g. "
            f"{', '.join(str(c).strip() for c in code[short].head(3))}): rows cut short?"
        )
    frame, code = frame[kept].reset_index(drop=True), code[kept].reset_index(drop=True)
    ids = region_identifiers(code, frame["recs"], problems)
    ids["region_name"] = frame["regio"].astype("string").str.strip()
    ids["gemeente_name"] = frame.get("gm_naam", frame["regio"]).astype("string").str.strip()
    drop = {"gwb_code_10", "gwb_code_8", "gwb_code", "regio", "gm_naam", "recs"}
    body = frame.drop(columns=[c for c in frame.columns if c in drop])
    merged = ids.join(body)
    table = canonicalise(merged, list(ids.columns), ident.source_key, ident.year)
    table.warnings += [_first_release_hint(w) for w in all_missing_warnings(table.frame, table.mapped)] + problems
    table.alerts += problems
    return table


FIRST_RELEASE = "; this looks like a first release (CBS adds income and some housing figures later)"


def _is_region_code(value) -> bool:
    try:
        return normalise_code(value) is not None
    except (WijkstudieError, ValueError, TypeError):
        return False


def _first_release_hint(warning: FileWarning) -> FileWarning:
    """Figures CBS adds in a later release (income, some housing figures) missing at buurt level.

    Or in the whole file, mean the file is a first release.
    """
    everywhere = warning.kind is WarningKind.EMPTY_EVERYWHERE
    if any(n in LATER_RELEASE for n in warning.variables) and (everywhere or warning.level == "buurt"):
        return replace(warning, hint=FIRST_RELEASE)
    return warning
