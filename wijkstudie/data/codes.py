"""CBS region codes: normalise them and read the level and gemeente from them.

CBS codes: ``NL01`` (country), ``GM0363`` (gemeente), ``WK036300`` (wijk: gemeente digits + 2),
``BU03630000`` (buurt: wijk digits + 2). Files pad them with spaces, drop the prefix or the leading zeros
(``363``, ``34401``), or prefix the division year (``2022GM0014``); ``normalise_code`` undoes all that.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..core.errors import ArgumentError

LEVEL_OF_PREFIX = {"NL": "land", "GM": "gemeente", "WK": "wijk", "BU": "buurt"}
DIGITS_OF_LEVEL = {"gemeente": 4, "wijk": 6, "buurt": 8}
PREFIX_OF_LEVEL = {v: k for k, v in LEVEL_OF_PREFIX.items()}
COUNTRY_CODE = "NL01"

# Amsterdam and a few others use letters inside wijk and buurt codes (WK0363AA, BU0363AA01).
_CODE = re.compile(
    r"^(?:(?P<year>(?:19|20)\d\d)(?=[A-Z]))?(?:(?P<prefix>NL|GM|WK|BU)(?P<code>\d{2,4}[0-9A-Z]{0,4})"
    r"|(?P<digits>\d+))$"
)


def normalise_code(value, level: str | None = None) -> str | None:
    """One region code in canonical form, e.g. ``' gm363 '`` -> ``'GM0363'``, ``34401`` -> ``'WK034401'``.

    Bare numbers get their level from ``level`` or, without it, from their length (up to 4 digits: gemeente; 5-6:
    wijk; 7-8: buurt). The country is always ``NL01`` (older tables say ``NL00``).

    Parameters
    ----------
    value : str, int, float or None
        a code as a file has it: with or without its prefix, padded or not, a year in front (``2022GM0363``)
    level : str, optional
        ``"gemeente"``, ``"wijk"`` or ``"buurt"``: the level of a bare number

    Returns
    -------
    str or None
        the canonical code (``GM0363``, ``WK036300``, ``BU03630000``, ``NL01``); None for an empty value

    Raises
    ------
    ArgumentError
        (a ``ValueError``) for text that is no CBS region code, or an unknown level.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> ws.normalise_code(" gm363 ")
    'GM0363'
    >>> ws.normalise_code(34401)
    'WK034401'
    >>> ws.normalise_code(363, level="wijk")
    'WK000363'
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().upper().replace(" ", "")
    if not text:
        return None
    match = _CODE.match(text)
    if not match:
        raise ArgumentError(f"{value!r} is not a CBS region code (expected e.g. GM0363, WK036300, BU03630000)")
    prefix, digits = match["prefix"], match["digits"] or match["code"]
    if prefix == "NL":
        return COUNTRY_CODE
    if prefix is not None and not digits.isdigit():
        width = DIGITS_OF_LEVEL[LEVEL_OF_PREFIX[prefix]]
        if len(digits) != width:
            raise ArgumentError(
                f"{value!r} is not a CBS region code (a {LEVEL_OF_PREFIX[prefix]} code has "
                f"{width} characters after {prefix})"
            )
        return prefix + digits
    if prefix is None:
        if level is None:
            n = len(digits)
            level = "gemeente" if n <= 4 else "wijk" if n <= 6 else "buurt" if n <= 8 else None
            if level is None:
                raise ArgumentError(f"{value!r} has too many digits for a CBS region code")
        if level not in PREFIX_OF_LEVEL or level == "land":
            raise ArgumentError(f"unknown level {level!r}; use gemeente, wijk or buurt")
        prefix = PREFIX_OF_LEVEL[level]
    width = DIGITS_OF_LEVEL[LEVEL_OF_PREFIX[prefix]]
    if len(digits) > width:
        raise ArgumentError(f"{value!r} has too many digits for a {LEVEL_OF_PREFIX[prefix]} code")
    return prefix + digits.zfill(width)


def level_of(code: str | None) -> str | None:
    """The level of a region code.

    Parameters
    ----------
    code : str or None
        a canonical region code

    Returns
    -------
    str or None
        ``"land"``, ``"gemeente"``, ``"wijk"`` or ``"buurt"``; None for an empty or unknown code

    Examples
    --------
    >>> import wijkstudie as ws
    >>> ws.level_of("BU03630000")
    'buurt'
    """
    if not code:
        return None
    return LEVEL_OF_PREFIX.get(str(code)[:2])


def gemeente_of(code: str | None) -> str | None:
    """The gemeente a wijk or buurt code lies in.

    Parameters
    ----------
    code : str or None
        a canonical gemeente, wijk or buurt code

    Returns
    -------
    str or None
        the gemeente code; None for the country, an empty or an unknown code

    Examples
    --------
    >>> import wijkstudie as ws
    >>> ws.gemeente_of("BU03630000")
    'GM0363'
    """
    if not code or level_of(code) in (None, "land"):
        return None
    return "GM" + str(code)[2:6]


_CANONICAL = r"^(?:NL01|GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})$"


def normalise_codes(values: pd.Series, level: str | None = None) -> pd.Series:
    """``normalise_code`` for a whole column; each distinct value is parsed once.

    Parameters
    ----------
    values : Series
        codes as a file has them
    level : str, optional
        the level of bare numbers (see ``normalise_code``)

    Returns
    -------
    Series
        canonical codes (string dtype)

    Raises
    ------
    ArgumentError
        for a value that is no CBS region code.
    """
    if level is None:
        text = values.astype("string").str.strip().str.upper().replace("NL00", COUNTRY_CODE)
        if text.str.fullmatch(_CANONICAL).all():  # the common case: padded but otherwise canonical codes
            return text
    uniques = pd.unique(values)
    lookup = {u: normalise_code(u, level) for u in uniques}
    return values.map(lookup).astype("string")


def levels_of(codes: pd.Series) -> pd.Series:
    """``level_of`` for a column of canonical codes.

    Parameters
    ----------
    codes : Series
        canonical region codes (string dtype)

    Returns
    -------
    Series
        the level of each code (string dtype; missing for an unknown prefix)
    """
    return codes.str[:2].map(LEVEL_OF_PREFIX).astype("string")


def gemeenten_of(codes: pd.Series) -> pd.Series:
    """``gemeente_of`` for a column of canonical codes.

    Parameters
    ----------
    codes : Series
        canonical region codes (string dtype)

    Returns
    -------
    Series
        the gemeente code of every gemeente, wijk and buurt code; missing for the country
    """
    lvl = levels_of(codes)
    out = ("GM" + codes.str[2:6]).where(lvl.isin(["gemeente", "wijk", "buurt"]))
    return out.astype("string")
