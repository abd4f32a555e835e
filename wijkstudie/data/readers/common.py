"""Small helpers the readers share."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ...core.errors import ArgumentError, DataFormatError
from ..codes import gemeenten_of, levels_of, normalise_codes
from ..reports import PLURAL_OF_LEVEL, FileWarning, WarningKind
from .rawfile import RawFile


def require_layout_columns(raw: RawFile, columns, required, what: str) -> None:
    """Raise a one-line error naming the missing columns when a file lacks the ones its layout needs.

    A ``DataFormatError``: the file is at fault (``core.columns.require_layout_columns`` is for names a user typed).

    Parameters
    ----------
    raw : RawFile
        the opened file
    columns : iterable of str
        the columns it has
    required : iterable of str
        the columns its layout needs
    what : str
        the layout in words ("KWB workbook"), for the message

    Returns
    -------
    None

    Raises
    ------
    DataFormatError
        listing the missing columns and the first ones found.
    """
    missing = [c for c in required if c not in columns]
    if missing:
        found = ", ".join(map(str, list(columns)[:6]))
        raise raw.fail(f"not a {what}: expected column(s) {', '.join(missing)} missing (found: {found}, ...)")


def region_identifiers(
    codes: pd.Series, level_text: pd.Series | None = None, problems: list | None = None
) -> pd.DataFrame:
    """The identifier columns from a file's raw codes: ``region_code``, ``level`` and ``gemeente_code``.

    Parameters
    ----------
    codes : Series
        the codes as the file has them
    level_text : Series, optional
        the file's own level column, where it has one: it decides the level of a code without a level prefix; a
        code whose prefix says another level (BU... in a row the column calls a gemeente) keeps its code's level
    problems : list, optional
        where to add a warning about codes whose level column disagrees with them

    Returns
    -------
    DataFrame
    """
    region_code = normalise_codes(codes)
    level = levels_of(region_code)
    if level_text is not None:
        given = level_text.astype("string").str.strip().str.lower()
        known = given.isin(["land", "gemeente", "wijk", "buurt"]).fillna(False).astype(bool)
        disagree = (known & level.notna() & (given != level)).fillna(False).astype(bool)
        if disagree.any() and problems is not None:
            examples = ", ".join(
                f"{c} ({t!s})" for c, t in zip(region_code[disagree].head(3), level_text[disagree].head(3))
            )
            text = (
                f"{int(disagree.sum())} code(s) whose level column names another level than the code does (e.g. "
                f"{examples}): read at the code's level"
            )
            problems.append(FileWarning(text, codes=list(region_code[disagree].head(3).astype(str))))
        level = given.where(known & ~disagree, level)
    return pd.DataFrame(
        {"region_code": region_code, "level": level.astype("string"), "gemeente_code": gemeenten_of(region_code)}
    )


def all_missing_warnings(frame: pd.DataFrame, names, hint: str = "") -> list[FileWarning]:
    """One warning naming the variables that are empty in the whole file.

    And "X is missing for all N buurten" for each variable that is empty at one level only.

    Parameters
    ----------
    frame : DataFrame
        a canonical table with ``level``
    names : iterable of str
        the variables to look at
    hint : str
        what to add to the whole-file warning (e.g. that CBS adds income figures in a later release)

    Returns
    -------
    list of FileWarning
        with the variables they name (and the level, for one level's)
    """
    warnings = []
    if "level" not in frame:
        return warnings
    names = [n for n in names if n in frame]
    everywhere = [n for n in names if len(frame) and frame[n].isna().all()]
    if everywhere:
        text = f"empty in this file (every level): {', '.join(everywhere)}"
        warnings.append(FileWarning(text, WarningKind.EMPTY_EVERYWHERE, variables=everywhere, hint=hint))
    for level, group in frame.groupby("level", sort=False):
        for name in names:
            if name not in everywhere and len(group) > 0 and group[name].isna().all():
                plural = PLURAL_OF_LEVEL.get(level, f"{level} rows")
                text = f"{name} is missing for all {len(group)} {plural}"
                warnings.append(FileWarning(text, WarningKind.EMPTY_AT_LEVEL, level=level, variables=[name], hint=hint))
    return warnings


@dataclass(frozen=True)
class Hints:
    """What the caller (``read_file(path, year=...)``) or the catalogue (``load``) knows about a file before it is read.

    Content wins over hints; a hint that contradicts the content is an error.
    """

    year: int | None = None
    origin: str = "caller"  # "caller" (year=) or "catalogue" (load)
    dataset: str | None = None  # the dataset the catalogue expects; its year says nothing about another one


NO_HINTS = Hints()
_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19[89]|20[0-4])\d)(?!\d)")
_TABLE_ID = re.compile(r"(?<![0-9A-Za-z])(\d{5}NED)(?![0-9A-Za-z])", re.IGNORECASE)


def year_in_text(text: str) -> int | None:
    """A single year (1980-2049) written in a name such as ``kwb-2019.xlsx`` or ``Utrecht 2023``.

    Parameters
    ----------
    text : str
        a file name or title

    Returns
    -------
    int or None
        None for no year, or more than one
    """
    years = {int(y) for y in _YEAR_IN_NAME.findall(str(text))}
    return years.pop() if len(years) == 1 else None


def year_of_table_id(name: str) -> int | None:
    """The year of a CBS table id in a file name (``83765NED_TypedDataSet.csv`` -> 2017), from the catalogue.

    Parameters
    ----------
    name : str
        a file name

    Returns
    -------
    int or None
        None when the name has no id or the id holds several years (RIVM's 50090NED)
    """
    from ..catalogue import datasets

    match = _TABLE_ID.search(name)
    if not match:
        return None
    table = match.group(1).upper()
    years = {r.year for d in datasets().values() for r in d.resources if r.params.get("table") == table}
    return years.pop() if len(years) == 1 else None


def pick_year(
    raw: RawFile,
    hints: Hints,
    what: str,
    content: int | None = None,
    content_from: str = "",
    inferred: int | None = None,
    inferred_from: str = "",
    dataset: str | None = None,
) -> tuple[int, str]:
    """The year of a file and how it was found.

    From its content, else the caller's or catalogue's hint, else a CBS table id or a year in the file name, else an
    inference (e.g. from year-specific column keys). A catalogue hint for another dataset than ``dataset`` is ignored
    (the caller then reports the mismatch of datasets).

    Parameters
    ----------
    raw : RawFile
        the opened file
    hints : Hints
        the year the caller or the catalogue gives
    what : str
        the file's kind in words, for the messages
    content : int, optional
        the year the content states
    content_from : str
        where in the content
    inferred : int, optional
        a year inferred from the content (e.g. year-specific keys)
    inferred_from : str
        how it was inferred
    dataset : str, optional
        the dataset the file is

    Returns
    -------
    tuple
        ``(year, how it was found)`` (an empty text when the content states it)

    Raises
    ------
    ArgumentError
        when the caller's year contradicts the content.
    DataFormatError
        when the catalogue's year contradicts the content, or nothing gives the year (the message says how to pass
        it).
    """
    if hints.dataset and dataset and hints.dataset != dataset:
        hints = NO_HINTS
    if content is not None:
        if hints.year is not None and int(hints.year) != int(content):
            asked = (
                f"year={hints.year} was asked for"
                if hints.origin == "caller"
                else f"the catalogue expects {hints.year}"
            )
            raise raw.fail(
                f"{what} of {content} ({content_from}), but {asked}",
                ArgumentError if hints.origin == "caller" else DataFormatError,
            )
        return int(content), ""
    if hints.year is not None:
        return int(hints.year), "given by the caller" if hints.origin == "caller" else "from the catalogue"
    if (year := year_of_table_id(raw.name)) is not None:
        return year, f"from the CBS table id in the file name {raw.name!r}"
    if inferred is not None:
        return int(inferred), inferred_from
    if (year := year_in_text(raw.path.stem)) is not None:
        return year, f"from the file name {raw.name!r}"
    raise raw.fail(
        f"cannot tell the year of this {what}: neither its content nor its name says it; pass it, e.g. "
        f"wijkstudie.read_file(path, year=2023) or 'wijkstudie data inspect FILE --year 2023'"
    )
