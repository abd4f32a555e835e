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
_CODE = re.compile(r"^(?:(?P<year>(?:19|20)\d\d)(?=[A-Z]))?(?:(?P<prefix>NL|GM|WK|BU)(?P<code>\d{2,4}[0-9A-Z]{0,4})"
                   r"|(?P<digits>\d+))$")


def normalise_code(value, level: str | None = None) -> str | None:
    """One region code in canonical form, e.g. ``' gm363 '`` -> ``'GM0363'``, ``34401`` -> ``'WK034401'``.

    Bare numbers get their level from ``level`` or, without it, from their length (up to 4 digits:
    gemeente; 5-6: wijk; 7-8: buurt). The country is always ``NL01`` (older tables say ``NL00``).
    Returns None for empty values; raises WijkstudieError for text that is no CBS code.
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
            raise ArgumentError(f"{value!r} is not a CBS region code (a {LEVEL_OF_PREFIX[prefix]} code has "
                                  f"{width} characters after {prefix})")
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
    """``'BU03630000'`` -> ``'buurt'``."""
    if not code:
        return None
    return LEVEL_OF_PREFIX.get(str(code)[:2])


def gemeente_of(code: str | None) -> str | None:
    """The gemeente a wijk or buurt code lies in: ``'BU03630000'`` -> ``'GM0363'``."""
    if not code or level_of(code) in (None, "land"):
        return None
    return "GM" + str(code)[2:6]


_CANONICAL = r"^(?:NL01|GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})$"


def normalise_codes(values: pd.Series, level: str | None = None) -> pd.Series:
    """Vectorised ``normalise_code``; each distinct value is parsed once."""
    if level is None:
        text = values.astype("string").str.strip().str.upper().replace("NL00", COUNTRY_CODE)
        if text.str.fullmatch(_CANONICAL).all():  # the common case: padded but otherwise canonical codes
            return text
    uniques = pd.unique(values)
    lookup = {u: normalise_code(u, level) for u in uniques}
    return values.map(lookup).astype("string")


def levels_of(codes: pd.Series) -> pd.Series:
    return codes.str[:2].map(LEVEL_OF_PREFIX).astype("string")


def gemeenten_of(codes: pd.Series) -> pd.Series:
    lvl = levels_of(codes)
    out = ("GM" + codes.str[2:6]).where(lvl.isin(["gemeente", "wijk", "buurt"]))
    return out.astype("string")
