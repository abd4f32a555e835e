"""Missing-value codes in publishers' files, turned into NaN and counted.

Codes recognised: ``.`` (CBS/RIVM: suppressed or not estimated, often space-padded), ``x`` / ``X``
(Rotterdam: suppressed), ``-`` and ``?``, and numeric sentinels <= -99990 (PDOK). Empty cells are missing but
are not counted as suppressed: the report counts only cells where the publisher *said* a value is withheld.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SUPPRESSION_TOKENS = frozenset({".", "x", "X", "-", "?"})
SENTINEL_LIMIT = -99990


def _parse_odd(value) -> tuple[float, bool, bool]:
    """(number, is a suppression code, is leftover text) for a cell that did not parse as a number."""
    text = str(value).strip()
    if text in SUPPRESSION_TOKENS:
        return np.nan, True, False
    if not text:
        return np.nan, False, False
    try:
        return float(text.replace(",", ".")), False, False
    except ValueError:
        return np.nan, False, True


def _clean(values: pd.Series) -> tuple[np.ndarray, int, list]:
    if pd.api.types.is_bool_dtype(values):
        values = values.astype(object)
    if pd.api.types.is_numeric_dtype(values):
        numeric = values.to_numpy(dtype="float64", na_value=np.nan).copy()
        leftovers = []
        suppressed = 0
    else:
        cells = values.to_numpy(dtype=object)
        numeric = pd.to_numeric(cells, errors="coerce").astype("float64")
        odd = np.flatnonzero(np.isnan(numeric) & ~pd.isna(cells))
        suppressed, leftovers = 0, []
        for i in odd:  # usually few: suppression codes, decimal commas, stray text
            number, is_code, is_text = _parse_odd(cells[i])
            numeric[i] = number
            suppressed += is_code
            if is_text:
                leftovers.append(cells[i])
    sentinel = numeric <= SENTINEL_LIMIT
    numeric[sentinel] = np.nan
    return numeric, suppressed + int(sentinel.sum()), leftovers


def clean_numeric(values: pd.Series) -> tuple[pd.Series, int]:
    """(float series with NaN for missing codes, number of suppressed cells)."""
    numeric, suppressed, _ = _clean(values)
    return pd.Series(numeric, index=values.index), suppressed


def numeric_or_text(values: pd.Series) -> pd.Series:
    """Numbers where every filled cell is a number or a missing code; otherwise the stripped text."""
    numeric, _, leftovers = _clean(values)
    if not leftovers and not np.isnan(numeric).all():
        return pd.Series(numeric, index=values.index)
    text = values.astype("string").str.strip()
    return text.where(text != "")
