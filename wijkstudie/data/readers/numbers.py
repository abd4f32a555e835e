"""Numbers in publishers' files.

Missing-value codes turned into NaN and counted, Dutch and English number formats read deliberately, and every cell that
is not a number counted and named.

Codes recognised as suppressed: ``.`` (CBS/RIVM: suppressed or not estimated, often space-padded), ``x`` /
``X`` (Rotterdam: suppressed), ``-`` and ``?``, and numeric sentinels <= -99990 (PDOK). Empty cells are missing
but not counted: the report counts only cells where the publisher *said* a value is withheld. Any other text
(``n.v.t.``, ``onbekend``, a stray note) is *unreadable*: NaN as well, but counted apart and shown in the load
report with an example.

Number formats, per cell written as text:

- both separators: the last one is the decimal mark (``1.234,5`` and ``1,234.5`` are 1234.5);
- one separator used more than once is a thousands separator (``1.234.567``);
- a single ``,``: a decimal comma (``12,5``), except in a count column, where ``343,038`` is 343038;
- a single ``.``: a decimal point (``12.5``), except in a count column, where ``343.038`` (three digits after
  the dot) is 343038: counts are whole numbers, and Dutch files write thousands with a dot;
- spaces (also non-breaking ones) between digits are thousands separators (``343 038``).

A count column is one whose variable counts persons, households or dwellings; a count with a fractional part
is counted and reported (``fractional``).

A number no publisher writes is read as missing and counted apart (``impossible``, with examples): ``inf``,
``Infinity`` and ``-inf`` (never a suppression code, whatever its sign), and values beyond ``NUMBER_LIMIT`` (a count
beyond ``COUNT_LIMIT``: the Netherlands has some 18 million residents), such as ``1e308``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SUPPRESSION_TOKENS = frozenset({".", "x", "X", "-", "?"})
SENTINEL_LIMIT = -99990
COUNT_LIMIT = 1e9  # no count of persons, households or dwellings in the Netherlands comes near
NUMBER_LIMIT = 1e15  # nor any other figure (euros, hectares, per km2)
COUNT, NUMBER = "count", "number"

_GROUPED_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
_GROUPED_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")
_SPACES = re.compile(r"(?<=\d)[\s\u00a0\u202f](?=\d)")


@dataclass
class Parsed:
    """A column read as numbers, with what was found on the way."""

    values: pd.Series
    suppressed: int = 0  # publisher's codes and sentinels
    unreadable: int = 0  # text that is not a number or a code
    examples: list = field(default_factory=list)  # up to three unreadable cells
    fractional: int = 0  # counts with a fractional part
    regrouped: int = 0  # cells read with thousands separators or a decimal comma
    impossible: int = 0  # infinite, or beyond any value the variable can take (read as missing)
    impossible_examples: list = field(default_factory=list)  # up to three of them


def parse_number(text: str, kind: str = NUMBER) -> tuple[float, bool]:
    """One cell of text as a number (Dutch and English formats; see the module docstring).

    Parameters
    ----------
    text : str
        the cell
    kind : str
        ``"count"`` or ``"number"``: in counts ``343.038`` is 343038

    Returns
    -------
    tuple
        ``(number, whether separators were interpreted)``; NaN when it is not a number
    """
    cell = _SPACES.sub("", text.strip())
    regrouped = cell != text.strip()
    if "," in cell and "." in cell:
        decimal = "," if cell.rfind(",") > cell.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        cell, regrouped = cell.replace(thousands, "").replace(decimal, "."), True
    elif cell.count(",") > 1 or (kind == COUNT and _GROUPED_COMMA.match(cell)):
        cell, regrouped = (cell.replace(",", ""), True) if _GROUPED_COMMA.match(cell) else (cell, regrouped)
    elif cell.count(".") > 1 or (kind == COUNT and _GROUPED_DOT.match(cell)):
        cell, regrouped = (cell.replace(".", ""), True) if _GROUPED_DOT.match(cell) else (cell, regrouped)
    elif "," in cell:
        cell, regrouped = cell.replace(",", "."), True
    try:
        return float(cell), regrouped
    except ValueError:
        return np.nan, False


def parse(values: pd.Series, kind: str = NUMBER) -> Parsed:
    """A column read as numbers (see the module docstring).

    Parameters
    ----------
    values : Series
        the column as the file has it
    kind : str
        ``"count"`` or ``"number"``

    Returns
    -------
    Parsed
        the numbers (NaN for missing codes and unreadable cells), with the suppressed, unreadable, fractional and
        regrouped cells counted
    """
    if pd.api.types.is_bool_dtype(values):
        values = values.astype(object)
    result = Parsed(pd.Series(dtype="float64"))
    if pd.api.types.is_numeric_dtype(values):
        numeric = values.to_numpy(dtype="float64", na_value=np.nan).copy()
    else:
        cells = values.to_numpy(dtype=object)
        inferred = pd.api.types.infer_dtype(cells, skipna=True)  # fast, and decides the common cases
        if inferred == "string":
            is_text = ~pd.isna(cells)
        elif inferred in ("floating", "integer", "mixed-integer-float", "empty"):
            is_text = np.zeros(len(cells), dtype=bool)
        else:
            is_text = np.array([isinstance(c, str) for c in cells], dtype=bool)
        numeric = np.full(len(cells), np.nan)
        other = ~is_text & ~pd.isna(cells)
        if other.any():  # numbers a workbook stored as numbers (and anything else that is not text)
            numeric[other] = pd.to_numeric(pd.Series(cells[other]), errors="coerce").to_numpy(dtype="float64")
            bad = other & np.isnan(numeric)
            result.unreadable += int(bad.sum())
            result.examples += [str(c) for c in cells[bad][:3]]
        texts = pd.Series(cells[is_text], dtype=object)
        as_numbers = pd.to_numeric(texts, errors="coerce").to_numpy(dtype="float64", copy=True)  # the fast path
        if kind == COUNT:  # "343.038" in a count column: a thousands separator, not a decimal point
            grouped = texts.str.strip().str.fullmatch(_GROUPED_DOT.pattern).to_numpy(dtype=bool)
            as_numbers[grouped] = np.nan
        numeric[is_text] = as_numbers
        plain = is_text.copy()
        plain[is_text] = ~np.isnan(as_numbers)
        for i in np.flatnonzero(is_text & ~plain):  # codes, separators, stray text
            text = cells[i].strip()
            if text in SUPPRESSION_TOKENS:
                result.suppressed += 1
                continue
            if not text:
                continue
            number, regrouped = parse_number(text, kind)
            numeric[i] = number
            result.regrouped += regrouped
            if np.isnan(number):
                result.unreadable += 1
                if len(result.examples) < 3 and text not in result.examples:
                    result.examples.append(text)
    limit = COUNT_LIMIT if kind == COUNT else NUMBER_LIMIT
    with np.errstate(invalid="ignore"):
        wild = ~np.isnan(numeric) & ~(np.abs(numeric) <= limit)
    if wild.any():
        result.impossible = int(wild.sum())
        result.impossible_examples = [f"{v:g}" for v in dict.fromkeys(numeric[wild].tolist())][:3]
        numeric[wild] = np.nan
    sentinel = numeric <= SENTINEL_LIMIT
    numeric[sentinel] = np.nan
    result.suppressed += int(sentinel.sum())
    if kind == COUNT:
        filled = numeric[~np.isnan(numeric)]
        result.fractional = int((np.abs(filled - np.round(filled)) > 1e-9).sum())
    result.values = pd.Series(numeric, index=values.index)
    return result


def clean_numeric(values: pd.Series, kind: str = NUMBER) -> tuple[pd.Series, int]:
    """A column as numbers, and how many cells were suppressed.

    Parameters
    ----------
    values : Series
        the column as the file has it
    kind : str
        ``"count"`` or ``"number"``

    Returns
    -------
    tuple
        ``(float series with NaN for missing codes, suppressed cells)``
    """
    parsed = parse(values, kind)
    return parsed.values, parsed.suppressed


def numeric_or_text(values: pd.Series) -> pd.Series:
    """A column as numbers where every filled cell is a number or a missing code; otherwise its stripped text.

    Parameters
    ----------
    values : Series
        the column as the file has it

    Returns
    -------
    Series
    """
    parsed = parse(values)
    if not parsed.unreadable and not parsed.impossible and not np.isnan(parsed.values.to_numpy()).all():
        return parsed.values
    text = values.astype("string").str.strip()
    return text.where(text != "")
