"""Text for the scorecard's Markdown and CSV cells.

For every string that may come from a data file (a gemeente name, a sample, a test label): what it says is shown as
text, never run as markup or a formula.

- ``markdown_cell``: text in a Markdown table cell or a line of Markdown (one line; pipes, backslashes, HTML tags and
  link syntax neutralised, so a name can neither split a row nor become a tag or a link);
- ``csv_cell``: a spreadsheet cell (a text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets
  a leading apostrophe, as OWASP and the spreadsheets themselves recommend; numbers, and texts that are plain
  numbers such as ``-0.12``, are left as they are); ``csv_frame`` applies it to a table.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_LINE_BREAK = re.compile(r"[\r\n\v\f\u2028\u2029\x85]+")


def markdown_cell(value) -> str:
    """Text for one Markdown table cell (or a line of Markdown).

    On one line, with backslashes and pipes escaped, ``<`` as an entity (no HTML tag, no autolink) and ``](`` broken (no
    inline link or image).

    Parameters
    ----------
    value : object
        anything; shown as ``str(value)``

    Returns
    -------
    str
    """
    text = _LINE_BREAK.sub(" ", str(value)).replace("\t", " ").strip()
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    return text.replace("<", "&lt;").replace("](", "]\\(")


def csv_cell(value):
    """A spreadsheet cell that cannot start a formula.

    A text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe; numbers, and
    texts that are plain numbers, stay as they are.

    Parameters
    ----------
    value : object
        a cell

    Returns
    -------
    object
        the cell, made inert where it is a text that a spreadsheet would run
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def csv_frame(frame):
    """A table whose text cells are made inert with ``csv_cell`` (numeric columns untouched).

    Parameters
    ----------
    frame : DataFrame
        a table to write as CSV

    Returns
    -------
    DataFrame
        a copy
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or str(out[column].dtype) in ("string", "str"):
            out[column] = out[column].map(csv_cell)
    out.columns = [csv_cell(str(c)) for c in out.columns]
    return out
