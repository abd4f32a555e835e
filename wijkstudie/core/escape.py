"""One escaping helper per output format, for every string that may come from a data file (a gemeente name, a
sample, a test label, a notebook's file name): what it says is shown as text, never run as markup or a formula.

- ``html_text``: text inside an HTML element or attribute (``&``, ``<``, ``>``, ``"`` and ``'`` escaped);
- ``url_part``: one path segment of a relative link (percent-encoded, so ``"`` or ``/`` in a name stays a name);
- ``markdown_cell``: text in a Markdown table cell or a line of Markdown (one line; pipes, backslashes, HTML tags and
  link syntax neutralised, so a name can neither split a row nor become a tag or a link);
- ``csv_cell``: a spreadsheet cell (a text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets
  a leading apostrophe, as OWASP and the spreadsheets themselves recommend; numbers, and texts that are plain
  numbers such as ``-0.12``, are left as they are);
- ``excerpt``: a short printable excerpt of file content for an error message (non-printable characters escaped);
- ``terminal_text``: text for a terminal (the command's errors, warnings and reports): control characters such as
  ANSI escapes in a file name are shown escaped (``\\x1b``), never sent to the terminal; line breaks stay.
"""

from __future__ import annotations

import html
import re
import urllib.parse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_LINE_BREAK = re.compile(r"[\r\n\v\f\u2028\u2029\x85]+")


def html_text(value) -> str:
    """Text for HTML: an element's content or an attribute's value (quotes escaped too).

    Parameters
    ----------
    value : object
        anything; shown as ``str(value)``

    Returns
    -------
    str
    """
    return html.escape(str(value), quote=True)


def url_part(name) -> str:
    """One path segment of a relative link, percent-encoded (``/``, ``"``, ``?``, ``#`` and spaces included).

    Parameters
    ----------
    name : object
        a file name without folders

    Returns
    -------
    str
        safe inside an HTML attribute as it is
    """
    return urllib.parse.quote(str(name), safe="")


def markdown_cell(value) -> str:
    """Text for one Markdown table cell (or a line of Markdown): on one line, with backslashes and pipes escaped,
    ``<`` as an entity (no HTML tag, no autolink) and ``](`` broken (no inline link or image).

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
    """A spreadsheet cell that cannot start a formula: a text starting with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return gets a leading apostrophe; numbers, and texts that are plain numbers, stay as they are.

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


def excerpt(text, limit: int = 60) -> str:
    """At most ``limit`` characters of file content, non-printable characters escaped (``\\x1b``), ``...`` when cut.

    Parameters
    ----------
    text : object
        content from a file
    limit : int
        the number of characters shown

    Returns
    -------
    str
    """
    text = str(text)
    shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text[:limit])
    return shown[: limit + 8] + ("..." if len(text) > limit else "")


def terminal_text(text) -> str:
    """Text for a terminal with every control character but the line break and the tab escaped (``\\x1b``,
    ``\\r``, C1 controls, bidirectional overrides), so that a file name cannot colour, move or rewrite the screen.

    Parameters
    ----------
    text : object
        anything; shown as ``str(text)``

    Returns
    -------
    str
    """
    return "".join(
        c if c in "\n\t" or c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(text)
    )
