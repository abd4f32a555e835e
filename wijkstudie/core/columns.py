"""Names a user typed that are not there.

One-line errors that name the function called, the missing names and the nearest names that are there ("did you mean
...?").

Used by every figure function and model that takes column names, and by the catalogue for dataset names, levels
and age groups. Knows nothing of pandas: a table is anything with ``columns``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from .errors import ArgumentError

SHOWN = 8  # columns listed when no name is close to the one asked for


def did_you_mean(name, options: Iterable) -> str:
    """The names among ``options`` closest to ``name``, as a question for an error message.

    Parameters
    ----------
    name : str
        the name asked for
    options : iterable
        the names there are

    Returns
    -------
    str
        e.g. ``"did you mean 'pct_volunteering'?"``, or ``""`` when none is close
    """
    texts = {str(option): option for option in options}
    close = difflib.get_close_matches(str(name), list(texts), n=3, cutoff=0.6)
    if not close:
        return ""
    return f"did you mean {' or '.join(repr(texts[c]) for c in close)}?"


def missing_columns(table, columns: Iterable) -> list:
    """The names in ``columns`` (None left out, each once) that ``table`` lacks.

    Parameters
    ----------
    table : DataFrame
        the table
    columns : iterable
        column names

    Returns
    -------
    list
    """
    have = set(table.columns)
    missing = []
    for column in columns:
        if column is not None and column not in have and column not in missing:
            missing.append(column)
    return missing


def require_columns(table, columns: Iterable, caller: str, *, role: str = "column") -> None:
    """Raise a one-line ``ArgumentError`` naming ``caller``, the columns ``table`` lacks and the nearest ones it has.

    Parameters
    ----------
    table : DataFrame
        the table given
    columns : iterable
        the column names asked for (None is left out)
    caller : str
        the function the user called, e.g. ``"scatter_fit"``
    role : str
        what the columns are for, e.g. ``"weight column"`` (default ``"column"``)

    Returns
    -------
    None

    Raises
    ------
    ArgumentError
        e.g. ``scatter_fit: the table has no column 'pct_volunteerng'; did you mean 'pct_volunteering'?``
    """
    missing = missing_columns(table, columns)
    if not missing:
        return
    have = list(table.columns)
    parts = []
    for column in missing:
        hint = did_you_mean(column, have)
        parts.append(f"{column!r} ({hint})" if hint and len(missing) > 1 else repr(column))
    plural = role if len(missing) == 1 else (role[:-1] + "ies" if role.endswith("y") else role + "s")
    text = f"{caller}: the table has no {plural} {', '.join(parts)}"
    if len(missing) == 1 and (hint := did_you_mean(missing[0], have)):
        text += f"; {hint}"
    elif not any(did_you_mean(c, have) for c in missing):
        shown = ", ".join(map(str, have[:SHOWN]))
        text += f"; its columns: {shown}" + (f", ... ({len(have)} in all)" if len(have) > SHOWN else "")
    raise ArgumentError(text)
