"""Rotterdam Wijkprofiel (SI/FI/VI sheets per year) and the Context workbook (register context, 1-1-2015).

Two editions of the Wijkprofiel are read alike: the 2016 file (waves 2014 and 2016; codes and area columns in the
second row) and the 2014-2024 "Dataset voor derden" (six waves; the area columns labelled in the third row only,
``kopie_*`` copies of some columns, text in a few cells, "Delfshaven (wijk)" / "Delfshaven (gebied)" for areas of
one name). What the reader did about copies, codes found twice and text cells is in the load report, as notes and as
structured records (``Report.details``); ``method_2020`` marks the waves of the survey method of 2020.

Rotterdam's 71 *wijken* are CBS *buurten* (some merged), its 14 *gebieden* are CBS *wijken*, and 5000 is the
city. Rows keep Rotterdam's number (``area_number``) and term (``area_type``: wijk, gebied, stad); ``level``
is the CBS level they correspond to. ``region_code`` is ``RTD`` + the number until ``link_to_cbs`` replaces
it by the CBS code.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd

from ..reports import FileWarning, WarningKind
from .common import require_layout_columns
from .numbers import SUPPRESSION_TOKENS, parse
from .rawfile import RawFile
from .tidy import Identification, Table, canonicalise

FORMATS = ("rotterdam-wijkprofiel", "rotterdam-context")
PROFILE_SHEET = re.compile(r"^(SI|FI-subj|FI-obj|VI) (\d{4})$")
ID_COLUMNS = ("_gebied", "wijknr", "_name")  # the area columns of a Wijkprofiel sheet: gebied, number, wijk name
AREA_SUFFIX = r"\s*\((?:wijk|gebied)\)$"  # the area_type says it (area_number tells the two apart)
COPY_PREFIX = "kopie_"  # the 2014-2024 edition repeats some columns of a sheet under this prefix
NEW_METHOD_FROM = 2020  # the first wave of the survey method Rotterdam introduced in 2020 (catalogue.yaml notes)
CONTEXT_SHEET = "Totaal contextindicatoren"
ROTTERDAM = "GM0599"


def check(raw: RawFile, fmt: str) -> None:
    """Raise a precise one-line error when a file that should be a Rotterdam workbook lacks what makes one.

    A Wijkprofiel or a Context workbook: the error names what it lacks.

    Parameters
    ----------
    raw : RawFile
        the opened file
    fmt : str
        the format the catalogue expects (rotterdam-wijkprofiel, rotterdam-context)

    Returns
    -------
    None

    Raises
    ------
    DataFormatError
        naming the file and what it lacks (its kind, its key columns).
    """
    if raw.kind not in ("xlsx", "xls"):
        raise raw.fail(f"not a Rotterdam workbook: a {raw.kind} file")
    if fmt == "rotterdam-context" and CONTEXT_SHEET not in raw.sheet_names:
        raise raw.fail(f"not the Rotterdam Context workbook: no sheet {CONTEXT_SHEET!r}")
    if fmt == "rotterdam-wijkprofiel" and not _profile_years(raw):
        raise raw.fail("not a Rotterdam Wijkprofiel workbook: no 'SI YYYY' sheets")


def _profile_years(raw: RawFile) -> list[int]:
    return sorted({int(m.group(2)) for s in raw.sheet_names if (m := PROFILE_SHEET.match(s))})


def recognise(raw: RawFile, hints=None) -> Identification | None:
    """Whether a file is a Rotterdam Wijkprofiel or Context workbook.

    The reader protocol (arguments, result, errors): :mod:`wijkstudie.data.readers`.
    """
    if raw.kind not in ("xlsx", "xls"):
        return None
    years = _profile_years(raw)
    if years:
        return Identification(
            "rotterdam-wijkprofiel",
            "rotterdam-wijkprofiel",
            "rotterdam-wijkprofiel",
            years[-1],
            "wijkprofiel",
            None,
            tuple(years),
        )
    if CONTEXT_SHEET in raw.sheet_names:
        return Identification(
            "rotterdam-context", "rotterdam-wijkprofiel", "rotterdam-context", _context_year(raw), "context", None
        )
    return None


def _area_ids(numbers: pd.Series, names: pd.Series, gebied: pd.Series) -> pd.DataFrame:
    number = pd.to_numeric(numbers, errors="coerce").astype("Int64")
    area_type = pd.Series("wijk", index=number.index, dtype="string")
    area_type[number >= 4000] = "gebied"
    area_type[number >= 5000] = "stad"
    level = area_type.map({"wijk": "buurt", "gebied": "wijk", "stad": "gemeente"}).astype("string")
    return pd.DataFrame(
        {
            "region_code": ("RTD" + number.astype("string").str.zfill(4)).astype("string"),
            # the 2024 edition tells a wijk and a gebied of one name apart: "Delfshaven (wijk)", "Delfshaven (gebied)"
            "region_name": names.astype("string").str.strip().str.replace(AREA_SUFFIX, "", regex=True),
            "level": level,
            "gemeente_code": pd.Series(ROTTERDAM, index=number.index, dtype="string"),
            "gemeente_name": pd.Series("Rotterdam", index=number.index, dtype="string"),
            "area_number": number,
            "area_type": area_type,
            "gebied_name": gebied.astype("string").str.replace(r"^gebied\s+", "", regex=True).str.strip(),
        }
    )


def read(raw: RawFile, ident: Identification) -> Table:
    """The canonical table of a Rotterdam Wijkprofiel or Context workbook.

    The reader protocol (arguments, result, errors): :mod:`wijkstudie.data.readers`.
    """
    return _read_profile(raw, ident) if ident.format == "rotterdam-wijkprofiel" else _read_context(raw, ident)


def _read_profile(raw: RawFile, ident: Identification) -> Table:
    tables, details = [], {"text_cells": [], "duplicates": [], "copies": [], "blocks": {}}
    for year in ident.years:
        merged, block_of = None, {}
        for sheet in [s for s in raw.sheet_names if (m := PROFILE_SHEET.match(s)) and int(m.group(2)) == year]:
            block = PROFILE_SHEET.match(sheet).group(1)
            frame = _profile_sheet(raw, sheet, year, details)
            if merged is None:
                merged = frame
            else:
                new = []
                for code in [c for c in frame.columns if c not in ID_COLUMNS]:
                    if code not in merged.columns:
                        new.append(code)
                        continue
                    here = merged.set_index("wijknr")[code]
                    same = _same(here, frame.set_index("wijknr")[code].reindex(here.index))
                    record = {
                        "year": year,
                        "code": code,
                        "sheets": [f"{block_of[code]} {year}", sheet],
                        "identical": same,
                    }
                    if same:
                        record["kept"] = f"{block_of[code]} {year}"
                    else:  # the same code for two things (the 2016 edition's Ms, Mo: SI's and the FI's)
                        qualified = f"{code} ({block})"
                        frame = frame.rename(columns={code: qualified})
                        new.append(qualified)
                        record["kept"] = f"{block_of[code]} {year} as {code}, {sheet} as {qualified}"
                    details["duplicates"].append(record)
                merged = merged.merge(frame[["wijknr"] + new], on="wijknr", how="outer")
            for code in frame.columns:
                if code not in ID_COLUMNS:
                    block_of.setdefault(code, block)
        require_layout_columns(raw, merged.columns, ["wijknr", "_name"], f"Rotterdam Wijkprofiel sheet for {year}")
        details["blocks"][str(year)] = block_of
        ids = _area_ids(merged["wijknr"], merged["_name"], merged["_gebied"].ffill())
        ids.loc[ids["area_type"] != "wijk", "gebied_name"] = ids["region_name"]
        ids.insert(0, "year", year)
        ids.insert(1, "method_2020", year >= NEW_METHOD_FROM)
        body = merged.drop(columns=list(ID_COLUMNS)).reset_index(drop=True)
        table = canonicalise(ids.reset_index(drop=True).join(body), list(ids.columns), ident.source_key, year)
        tables.append(table)
    frame = pd.concat([t.frame for t in tables], ignore_index=True)
    frame["method_2020"] = frame["method_2020"].astype("boolean")
    for column in frame.select_dtypes(include="object").columns:  # numbers in one wave, empty (text dtype) in another
        numbers = pd.to_numeric(frame[column], errors="coerce")
        if numbers.notna().sum() == frame[column].notna().sum():
            frame[column] = numbers.astype("float64")
    suppressed, unreadable = Counter(), Counter()
    for t in tables:
        suppressed.update(t.suppressed)
        unreadable.update(t.unreadable)
    details["survey_method"] = {
        "new_method_from": NEW_METHOD_FROM,
        "waves_new_method": [y for y in ident.years if y >= NEW_METHOD_FROM],
        "waves_old_method": [y for y in ident.years if y < NEW_METHOD_FROM],
    }
    warnings = [w.in_wave(year) for year, t in zip(ident.years, tables) for w in t.warnings]
    warnings += [
        FileWarning(
            f"{r['cells']} text cell(s) in {r['column']!r} ({r['sheet']}) read as missing (e.g. {r['example']!r})",
            WarningKind.NOT_NUMBERS,
            wave=r["year"],
        )
        for r in details["text_cells"]
    ]
    notes = _profile_notes(details)
    return Table(
        frame,
        dict(suppressed),
        warnings,
        tables[-1].mapped,
        {name: spec for name, spec in tables[0].absent.items() if all(name in t.absent for t in tables)},
        notes=notes,
        unreadable=dict(unreadable),
        alerts=[a.in_wave(year) for year, t in zip(ident.years, tables) for a in t.alerts],
        details=details,
    )


def _header(raw: RawFile, rows: list, sheet: str) -> list[str]:
    """The column names of a Wijkprofiel sheet.

    The variable codes of row 1, and for the area columns (empty in row 1 of the 2014-2024 edition, which has their
    labels in row 2) ``_gebied``, ``wijknr`` and ``_name``.
    """
    for row in rows[1:3]:
        cells = [str(c).strip() for c in row]
        if "wijknr" in cells:
            at = cells.index("wijknr")
            break
    else:
        raise raw.fail(f"sheet {sheet!r}: no 'wijknr' column in rows 2-3 (not a Wijkprofiel sheet?)")
    if at < 1 or at + 1 >= len(cells):
        raise raw.fail(f"sheet {sheet!r}: 'wijknr' is not between the gebied and the wijk name columns")
    codes = [str(c).strip() if c not in (None, "") else f"_col{i}" for i, c in enumerate(rows[1])]
    codes[at - 1 : at + 2] = ID_COLUMNS
    return codes


def _profile_sheet(raw: RawFile, sheet: str, year: int, details: dict) -> pd.DataFrame:
    """One sheet as a frame of its areas.

    A code twice in the sheet kept once, ``kopie_X`` copies of a column X of the sheet dropped (kept, as a column of
    their own, where they differ), text cells read as missing; each recorded in ``details``.
    """
    rows = raw.sheet_rows(sheet)
    codes = _header(raw, rows, sheet)
    frame = pd.DataFrame(rows[3:], columns=codes, dtype="object").replace("", None)
    frame = frame[pd.to_numeric(frame["wijknr"], errors="coerce").notna()]
    seen = pd.Index(codes).duplicated()
    for code in dict.fromkeys(c for c, twice in zip(codes, seen) if twice):  # e.g. ContactenMetBuren_p twice in SI
        columns = frame.loc[:, [c == code for c in frame.columns]]
        same = all(_same(columns.iloc[:, 0], columns.iloc[:, i]) for i in range(1, columns.shape[1]))
        details["duplicates"].append(
            {
                "year": year,
                "code": code,
                "sheets": [sheet] * columns.shape[1],
                "identical": same,
                "kept": f"{sheet}, the first",
            }
        )
    frame = frame.loc[:, ~seen]
    for code in [c for c in frame.columns if c.startswith(COPY_PREFIX)]:
        original = code[len(COPY_PREFIX) :]
        same = original in frame.columns and _same(frame[original], frame[code])
        details["copies"].append(
            {"year": year, "sheet": sheet, "column": code, "copy_of": original, "identical": same, "dropped": same}
        )
        if same:
            frame = frame.drop(columns=code)
    for code in [c for c in frame.columns if c not in ID_COLUMNS]:
        parsed = parse(frame[code])
        if not parsed.unreadable:
            continue
        text = frame[code].map(lambda v: isinstance(v, str) and v.strip() not in SUPPRESSION_TOKENS)
        text &= parsed.values.isna()
        details["text_cells"].append(
            {
                "year": year,
                "sheet": sheet,
                "column": code,
                "cells": int(text.sum()),
                "example": parsed.examples[0],
                "texts": sorted({v.strip() for v in frame[code][text]}),
            }
        )
        frame[code] = frame[code].where(~text, None)
    return frame


def _same(a: pd.Series, b: pd.Series) -> bool:
    """Whether two columns hold the same numbers (within 1e-9) and the same empty cells."""
    x, y = parse(a).values.to_numpy(), parse(b).values.to_numpy()
    return bool(np.array_equal(np.isnan(x), np.isnan(y)) and np.allclose(x, y, atol=1e-9, equal_nan=True))


def _profile_notes(details: dict) -> list[str]:
    """What the reader did with copies and repeated codes, in one line each."""
    new_waves = ", ".join(map(str, details["survey_method"]["waves_new_method"])) or "none here"
    notes = [
        f"survey method: Rotterdam changed the Wijkprofiel survey in {NEW_METHOD_FROM}; method_2020 is True for the "
        f"waves measured the new way ({new_waves})"
    ]
    copies = details["copies"]
    kept = sorted({r["column"] for r in copies if not r["dropped"]})
    dropped = sorted({r["column"] for r in copies} - set(kept))
    if dropped:
        notes.append(
            f"{len(dropped)} kopie_* column(s) equal to the column they copy in every wave here: dropped "
            f"({', '.join(dropped)})"
        )
    if kept:
        notes.append(
            f"kopie_* column(s) that differ from their original in some wave: kept where they differ "
            f"({', '.join(kept)})"
        )
    repeated: dict = {}
    for r in details["duplicates"]:
        sheets = " and ".join(dict.fromkeys(re.sub(r" \d{4}$", "", s) for s in r["sheets"]))
        kept = re.sub(r" \d{4}", "", r["kept"])
        repeated.setdefault((r["code"], sheets, r["identical"], kept), []).append(r["year"])
    for (code, sheets, identical, kept), waves in sorted(repeated.items()):
        notes.append(
            f"{code} twice ({sheets}; waves {', '.join(map(str, sorted(waves)))}): "
            + ("the same figures, kept once (" if identical else "different figures, kept both (")
            + f"{kept})"
        )
    return notes


def _context_year(raw: RawFile) -> int:
    rows = raw.sheet_rows(CONTEXT_SHEET)
    found = Counter()
    for cell in rows[0] + rows[1]:
        if hasattr(cell, "year"):
            found[cell.year] += 1
        elif isinstance(cell, str):
            found.update(int(y) for y in re.findall(r"1-1-(\d{4})", cell))
    if not found:
        raise raw.fail("Rotterdam Context workbook without a reference date (1-1-YYYY) in its header")
    return found.most_common(1)[0][0]


def _read_context(raw: RawFile, ident: Identification) -> Table:
    rows = raw.sheet_rows(CONTEXT_SHEET)
    names, seen = [], Counter()
    for i, cell in enumerate(rows[1]):
        name = str(cell).strip() if cell not in (None, "") else f"_col{i}"
        seen[name] += 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    frame = pd.DataFrame(rows[2:], columns=names, dtype="object").replace("", None)
    require_layout_columns(raw, frame.columns, ["wijknr", "BUURT85", "Gebied"], "Rotterdam Context workbook")
    frame = frame[pd.to_numeric(frame["wijknr"], errors="coerce").notna()].reset_index(drop=True)
    ids = _area_ids(frame["wijknr"], frame["BUURT85"], frame["Gebied"])
    body = frame.drop(columns=["wijknr", "BUURT85", "Gebied"])
    table = canonicalise(ids.join(body), list(ids.columns), ident.source_key, ident.year)
    return table


def _key(name) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def link_to_cbs(frame: pd.DataFrame, cbs_wijken: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Replace Rotterdam's ``RTD`` codes by CBS codes and report what could not be linked.

    Gebieden are matched by name to the CBS wijken of Rotterdam. A Rotterdam wijk gets the CBS buurt code made of
    its gebied's wijk code and its own two-digit number (CBS numbers Rotterdam's buurten that way); wijken numbered
    1000 and up merge several CBS buurten and stay unlinked.

    Parameters
    ----------
    frame : DataFrame
        a Rotterdam table with ``RTD`` codes
    cbs_wijken : DataFrame
        CBS wijken (``region_code``, ``region_name``) of a recent division

    Returns
    -------
    tuple
        ``(table, warnings)``
    """
    out = frame.copy()
    wijken = cbs_wijken[cbs_wijken["gemeente_code"] == ROTTERDAM]
    by_name = {_key(n): c for n, c in zip(wijken["region_name"], wijken["region_code"])}
    gebied_code = out["gebied_name"].map(lambda n: by_name.get(_key(n)))
    code = out["region_code"].copy()
    is_stad = out["area_type"] == "stad"
    is_gebied = out["area_type"] == "gebied"
    is_wijk = out["area_type"] == "wijk"
    code[is_stad] = ROTTERDAM
    code[is_gebied & gebied_code.notna()] = gebied_code[is_gebied & gebied_code.notna()]
    linkable = is_wijk & gebied_code.notna() & (out["area_number"] < 100)
    code[linkable] = (
        "BU" + gebied_code[linkable].str[2:] + out.loc[linkable, "area_number"].astype("string").str.zfill(2)
    )
    out["region_code"] = code.astype("string")
    notes = []
    one_year = out.drop_duplicates("area_number")
    g = one_year[one_year["area_type"] == "gebied"]
    w = one_year[one_year["area_type"] == "wijk"]
    g_ok = g["region_code"].str.startswith("WK")
    w_ok = w["region_code"].str.startswith("BU")
    linked = f"linked {int(g_ok.sum())} of {len(g)} Rotterdam gebieden to CBS wijk codes by name"
    notes.append(FileWarning(linked, WarningKind.LINKED))
    linked = (
        f"linked {int(w_ok.sum())} of {len(w)} Rotterdam wijken to CBS buurt codes (gebied's wijk code + wijk number)"
    )
    notes.append(FileWarning(linked, WarningKind.LINKED))
    if (~g_ok).any():
        text = "gebieden not linked: " + ", ".join(g.loc[~g_ok, "region_name"].astype(str))
        notes.append(FileWarning(text, WarningKind.NOT_LINKED))
    if (~w_ok).any():
        unlinked = w.loc[~w_ok]
        text = (
            f"{len(unlinked)} wijken not linked (merged areas of several CBS buurten, or no matching"
            " gebied): " + ", ".join(f"{n} {nm}" for n, nm in zip(unlinked["area_number"], unlinked["region_name"]))
        )
        notes.append(FileWarning(text, WarningKind.NOT_LINKED))
    return out, notes
