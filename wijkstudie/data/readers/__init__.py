"""Readers, one module per file layout; ``identify`` asks them in turn, ``read`` reads with the one that answered.

The reader protocol, documented here once (the reader modules refer to it):

``FORMATS``
    the formats the module reads (``Identification.format`` values).

``recognise(raw, hints=NO_HINTS) -> Identification | None``
    Whether the file is of the module's kind, decided from its content, never from its name.

    raw : RawFile
        the opened file
    hints : Hints, optional
        the year (and dataset) the caller or the catalogue gives, for a file that does not say it

    Returns the file's format, dataset, year and division, or None for a file of another kind. Raises
    ``DataFormatError`` for a file of the module's kind that cannot be read or whose year cannot be told.

``read(raw, ident) -> Table``
    The canonical table of a file the module recognised.

    raw : RawFile
        the opened file
    ident : Identification
        what ``recognise`` found

    Returns the frame with canonical identifiers and the publisher's columns (mapped through the variable
    dictionary), its suppressed cells, warnings and notes. Raises ``DataFormatError`` for a file it cannot read.
"""

from __future__ import annotations

from ...core.errors import DataFormatError
from ...core.printable import excerpt
from . import amsterdam, cbs_meta, cbs_odata, crosswalk, geo, kwb_workbook, leefbaarometer, rotterdam, statline
from .common import NO_HINTS, Hints
from .rawfile import RawFile
from .tidy import Identification, Table, finish

READERS = (cbs_odata, statline, kwb_workbook, rotterdam, amsterdam, leefbaarometer, geo, cbs_meta, crosswalk)
BY_FORMAT = {fmt: module for module in READERS for fmt in module.FORMATS}


def identify(raw: RawFile, hints: Hints = NO_HINTS) -> Identification:
    """What a file is: the first reader that recognises its content.

    Parameters
    ----------
    raw : RawFile
        the opened file
    hints : Hints
        the year (and dataset) the caller or the catalogue gives

    Returns
    -------
    Identification

    Raises
    ------
    DataFormatError
        for a file no reader recognises (naming its first columns or sheets, or what keeps it from being read).
    """
    for module in READERS:
        ident = module.recognise(raw, hints)
        if ident is not None:
            return ident
    if problem := raw.layout_problem():
        raise raw.fail(f"not a file wijkstudie recognises: {problem}")
    raise raw.fail(f"not a file wijkstudie recognises as {raw.kind}{_seen(raw)}")


def _seen(raw: RawFile) -> str:
    """What the file holds, in short, for the error.

    Its first columns (only of a CSV whose first line splits into columns by a comma, semicolon or tab, or of a
    workbook) or its sheets; at most 60 printable characters, and nothing of a file that does not look like data (a
    system file, a text).
    """
    if raw.kind == "csv":
        first = raw.text.split("\n", 1)[0]
        if max(first.count(","), first.count(";"), first.count("\t")) == 0:
            return ""
    cols = [str(c) for c in raw.columns()[:8]] if raw.kind in ("csv", "xlsx", "xls") else []
    if any(c.strip() for c in cols):
        return f" (first columns: {excerpt(', '.join(cols), 60)})"
    if raw.sheet_names:
        return f" (sheets: {excerpt(', '.join(raw.sheet_names), 60)})"
    return ""


def read(raw: RawFile, ident: Identification) -> Table:
    """The canonical table of a file, by the reader of its format, mapped through the variable dictionary.

    Parameters
    ----------
    raw : RawFile
        the opened file
    ident : Identification
        what ``identify`` found

    Returns
    -------
    Table

    Raises
    ------
    DataFormatError
        for a format no reader has, or a file its reader cannot read.
    """
    module = BY_FORMAT.get(ident.format)
    if module is None:
        raise DataFormatError(f"{raw.name}: no reader for format {ident.format!r}")
    return finish(module.read(raw, ident), ident)


def require_format(raw: RawFile, expected_format: str) -> None:
    """Raise a precise error when a file that should have ``expected_format`` lacks its key columns.

    Parameters
    ----------
    raw : RawFile
        the opened file
    expected_format : str
        a reader format (``BY_FORMAT``)

    Returns
    -------
    None

    Raises
    ------
    DataFormatError
        naming the file and what it lacks.
    """
    module = BY_FORMAT[expected_format]
    module.check(raw, expected_format)
