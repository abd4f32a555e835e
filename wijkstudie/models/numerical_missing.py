"""patsy's mask of the rows a numerical factor leaves missing, from the factor's values as a numpy array.

patsy's ``NAAction.is_numerical_NA`` ORs ``np.isnan`` of what a factor evaluated to into a mask. A factor of a table's
column evaluates to a pandas DataFrame, so that ``np.isnan``, the OR and the row reduction each go through pandas' ufunc
machinery (about a millisecond per factor, more than the rest of building a small design matrix), and the mask comes
out as a pandas Series, which makes the OR of the factors' masks pandas' work again. ``missing_rows_or_none`` gives the
same rows as a numpy mask, what patsy's own gives for numpy values; the NA handling after it only selects rows with it
(patsy's and statsmodels' ``handle_NA``, and statsmodels' missing-row bookkeeping, which takes the mask's positions).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def missing_rows_or_none(values, na_types: tuple) -> np.ndarray | None:
    """The rows of a numerical factor's values that patsy counts as missing, as a numpy bool array.

    Parameters
    ----------
    values : DataFrame, Series or ndarray
        what the factor evaluated to (1-d or 2-d, rows first)
    na_types : tuple
        the NA action's ``NA_types`` (``"NaN"`` in it: a NaN is missing)

    Returns
    -------
    ndarray or None
        one bool per row (any of its columns NaN), as ``patsy.missing.NAAction.is_numerical_NA`` gives it for the same
        values as a numpy array; None for values whose dtypes are not all numpy floats or integers (pandas' nullable
        dtypes, objects): patsy's own mask then
    """
    dtypes = values.dtypes if isinstance(values, pd.DataFrame) else [getattr(values, "dtype", None)]
    if not all(isinstance(dtype, np.dtype) and dtype.kind in "fiu" for dtype in dtypes):
        return None  # pandas' nullable dtypes (patsy's own mask refuses their NA), objects, complex numbers
    array = np.asarray(values)
    mask = np.isnan(array) if "NaN" in na_types else np.zeros(array.shape, dtype=bool)
    return mask.any(axis=1) if mask.ndim > 1 else mask
