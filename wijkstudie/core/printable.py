r"""Printable text for messages about files.

A short excerpt of a file's content for an error message, and text for a terminal (the command's errors, warnings and
reports). Control characters such as ANSI escapes in a file name or a cell are shown escaped (``\\x1b``), never sent to
the terminal; line breaks stay.
"""

from __future__ import annotations


def excerpt(text, limit: int = 60) -> str:
    r"""At most ``limit`` characters of file content, non-printable characters escaped (``\\x1b``), ``...`` when cut.

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
    r"""Text for a terminal with every control character but the line break and the tab escaped.

    (``\\x1b``, ``\\r``, C1 controls, bidirectional overrides), so that a file name cannot colour, move or rewrite the
    screen.

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
