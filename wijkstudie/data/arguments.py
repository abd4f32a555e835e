"""The checks of the arguments the public loading functions share (``load``, ``fetch``, ``read_file``, ...).

A yes/no flag, a whole number, a year; each refuses anything else in one line naming the argument.
"""

from __future__ import annotations

import numpy as np

from ..core.errors import ArgumentTypeError
from .catalogue import LATEST_AVAILABLE


def flag(value, what: str) -> bool:
    """A yes/no argument (``refresh``, ``use_cache``, ``all_columns``).

    True or False, never a text ("no" would be true).

    Parameters
    ----------
    value : object
        the argument
    what : str
        its name, for the message

    Returns
    -------
    bool

    Raises
    ------
    ArgumentTypeError
        for anything but True or False (numpy's too).
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise ArgumentTypeError(f"{what} must be True or False, not {value!r}")


def whole(value, what: str) -> int | None:
    """A whole number from an argument.

    Parameters
    ----------
    value : object
        the argument (None stays None)
    what : str
        its name, for the message

    Returns
    -------
    int or None

    Raises
    ------
    ArgumentTypeError
        for anything that is not a whole number (a float with a fraction, a text, a bool).
    """
    if value is None:
        return None
    try:
        if isinstance(value, bool) or int(value) != float(value):
            raise ValueError
        return int(value)
    except (TypeError, ValueError):
        raise ArgumentTypeError(f"{what} must be a whole number such as 2022, not {value!r}") from None


def year_argument(year) -> int | str | None:
    """The year argument of ``load`` and ``fetch``.

    A whole number, None, or ``"latest-available"`` (written in any case, with spaces or underscores).

    Parameters
    ----------
    year : object
        the argument

    Returns
    -------
    int, str or None

    Raises
    ------
    ArgumentTypeError
        for anything else.
    """
    if isinstance(year, str) and year.strip().lower().replace("_", "-").replace(" ", "-") == LATEST_AVAILABLE:
        return LATEST_AVAILABLE
    return whole(year, "year")
