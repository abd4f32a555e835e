"""patsy reads a pandas categorical, or a numeric column, inside ``C(...)`` by its codes; and NA masks in numpy.

patsy turns a categorical column into level numbers with ``categorical_to_int``. For a bare pandas categorical it
takes the codes; but ``C(tenure)`` wraps the column in a box first, and patsy unwraps the box after that check, so
every ``C(...)`` of a categorical column is converted one value at a time in Python (about 2 s per design matrix of
the 50,000 residents). ``codes_in_patsy`` makes patsy take the codes there too when they say the same thing: every
category is one of the levels patsy asks for (in their order, or mapped to it: a model fitted on a table whose
categories were sorted otherwise, predicting for new rows) and no value is missing (patsy's own path decides
everything else: values outside the levels, missing values and their NA rules). ``C(year)`` of a numeric column
(every pooled sweep's wave dummies) is numbered by its distinct values, each looked up in patsy's levels as patsy
looks up every value, and its levels are those distinct values (patsy's sniffer adds the values to a set one by
one). The result is the same array, and the same levels, either way. Inside, patsy's numerical NA mask is also taken
from the values as a numpy array (``numerical_missing``): the same rows, without pandas' ufunc machinery per factor.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager

import numpy as np

_STATE: dict = {}


def codes_or_none(data, levels: tuple):
    """The level numbers of a boxed categorical or numeric column when patsy's per-value conversion gives the same.

    Parameters
    ----------
    data : object
        what patsy converts (a ``C(...)`` box, a column, ...)
    levels : tuple
        the levels patsy asks for, in order

    Returns
    -------
    ndarray or None
        the level numbers (as patsy's own ``int`` array: each value's position in ``levels``), or None when patsy
        should convert the data itself
    """
    import pandas as pd
    from patsy.categorical import _CategoricalBox

    if not isinstance(data, _CategoricalBox) or not isinstance(data.data, (pd.Series, pd.Categorical)):
        return None
    if data.levels is not None and tuple(data.levels) != levels:
        return None  # patsy's mismatch error
    inner = data.data
    if not isinstance(inner.dtype, pd.CategoricalDtype):
        return _value_numbers(inner, levels) if isinstance(inner.dtype, np.dtype) else None
    codes = np.asarray(inner.cat.codes if isinstance(inner, pd.Series) else inner.codes)
    if codes.ndim != 1 or (codes < 0).any():
        return None  # missing values: patsy's NA rules decide
    categories = tuple(inner.dtype.categories)
    if categories == levels:
        return codes.astype(int)
    try:
        position = {level: number for number, level in enumerate(levels)}
        numbers = np.array([position.get(category, -1) for category in categories], dtype=int)
    except TypeError:  # an unhashable level: patsy's error
        return None
    if len(numbers) == 0 or (numbers[np.unique(codes)] < 0).any():
        return None  # a value outside the levels: patsy's error
    return numbers[codes]


def _value_numbers(column, levels: tuple):
    """The level numbers of a numeric column's values (each value's position in ``levels``), or None.

    patsy's ``categorical_to_int`` looks every value up in ``dict(zip(levels, range(len(levels))))``; here each
    distinct value is looked up once (as the Python number patsy iterates) and the numbers spread over the rows. None
    (patsy's own loop then) for a column that is not a 1-d integer or float column, a missing value (patsy's NA rules),
    a value outside the levels (patsy's error) or unhashable levels.
    """
    values = np.asarray(column)
    if values.ndim != 1 or values.dtype.kind not in "iuf" or np.isnan(values).any():
        return None
    distinct, rows = np.unique(values, return_inverse=True)
    try:
        position = dict(zip(levels, range(len(levels))))
    except TypeError:
        return None
    numbers = np.array([position.get(value, -1) for value in distinct.tolist()], dtype=int)
    if (numbers < 0).any():
        return None
    return numbers[rows.reshape(-1)]


def levels_or_none(data) -> list | None:
    """The distinct values of a boxed numeric column (``C(year)``), as patsy's level sniffer collects them, or None.

    patsy's ``CategoricalSniffer.sniff`` adds every value but a missing one to a set, one at a time in Python; the
    distinct values as Python numbers are that set's members.

    Parameters
    ----------
    data : object
        what patsy sniffs (a ``C(...)`` box, a column, ...)

    Returns
    -------
    list or None
        the distinct values, sorted (patsy sorts the set's members itself); None (patsy's own loop then) for anything
        but a ``C(...)`` box without levels of a 1-d integer or float column, a missing value (patsy's NA rules), or a
        negative zero (which of two equal zeros patsy keeps depends on the rows' order)
    """
    import pandas as pd
    from patsy.categorical import _CategoricalBox

    if not isinstance(data, _CategoricalBox) or data.levels is not None or not isinstance(data.data, pd.Series):
        return None
    if not isinstance(data.data.dtype, np.dtype) or data.data.dtype.kind not in "iuf":
        return None
    values = data.data.to_numpy()
    if values.ndim != 1 or np.isnan(values).any() or np.signbit(values[values == 0]).any():
        return None
    return np.unique(values).tolist()


@contextmanager
def codes_in_patsy():
    """While inside, patsy takes ``codes_or_none``, ``levels_or_none`` and ``missing_rows_or_none`` first.

    (In ``categorical_to_int`` of ``patsy.categorical`` and ``patsy.build``, ``patsy.categorical.CategoricalSniffer``'s
    ``sniff``, and ``patsy.missing.NAAction``'s ``is_numerical_NA``, which statsmodels' own NA action inherits, from
    ``numerical_missing``); restored after.

    Nested uses patch once. Only the package's own model fits (``fits_with_codes``) and ``logistic.predict`` (the
    design of new rows) run inside: patsy is never changed for anyone else, and outside (a user's own
    ``dmatrices``) it converts value by value as it always does, to the same arrays.

    Yields
    ------
    None
    """
    import patsy.build
    import patsy.categorical
    import patsy.missing

    from .numerical_missing import missing_rows_or_none

    if not _STATE:
        original, original_na = patsy.categorical.categorical_to_int, patsy.missing.NAAction.is_numerical_NA
        original_sniff = patsy.categorical.CategoricalSniffer.sniff

        def categorical_to_int(data, levels, NA_action, origin=None):
            codes = codes_or_none(data, levels)
            return codes if codes is not None else original(data, levels, NA_action, origin)

        def is_numerical_NA(self, arr):  # patsy's method, its names
            mask = missing_rows_or_none(arr, self.NA_types)
            return mask if mask is not None else original_na(self, arr)

        def sniff(self, data):  # what patsy's does for a box of a numeric column, the set filled at once
            levels = levels_or_none(data)
            if levels is None:
                return original_sniff(self, data)
            self._contrast = data.contrast
            self._level_set.update(levels)
            return self._level_set == {True, False}

        categorical_to_int.__doc__, is_numerical_NA.__doc__ = original.__doc__, original_na.__doc__
        patsy.categorical.categorical_to_int = patsy.build.categorical_to_int = categorical_to_int
        patsy.missing.NAAction.is_numerical_NA = is_numerical_NA
        patsy.categorical.CategoricalSniffer.sniff = sniff
        _STATE.update(original=original, original_na=original_na, original_sniff=original_sniff, depth=0)
    _STATE["depth"] += 1
    try:
        yield
    finally:
        _STATE["depth"] -= 1
        if _STATE["depth"] == 0:
            patsy.categorical.categorical_to_int = patsy.build.categorical_to_int = _STATE.pop("original")
            patsy.missing.NAAction.is_numerical_NA = _STATE.pop("original_na")
            patsy.categorical.CategoricalSniffer.sniff = _STATE.pop("original_sniff")
            _STATE.clear()


def fits_with_codes(model):
    """A model function that fits inside ``codes_in_patsy``, its formula's names still resolved where it was called.

    Its result (or each result of a dict of them) records the call (``ModelResult.call``, a ``models.call.Call``).

    Parameters
    ----------
    model : callable
        a model function with an ``eval_env`` keyword (``0``: its caller's namespace)

    Returns
    -------
    callable
        the same function: ``eval_env`` given as a number is captured here, counted from the caller, so the added
        frame changes nothing
    """
    import patsy

    from .call import Call

    @functools.wraps(model)
    def fit(*args, eval_env=0, **kwargs):
        if isinstance(eval_env, int):
            eval_env = patsy.EvalEnvironment.capture(eval_env, reference=1)  # 0: this frame's caller
        with codes_in_patsy():
            result = model(*args, eval_env=eval_env, **kwargs)
        call = Call.of(model, args, kwargs)
        for one in result.values() if isinstance(result, dict) else [result]:
            one.call = call
        return result

    return fit
