"""Survey items as a scale: Cronbach's alpha and a simple mean-of-z-scores score."""

from __future__ import annotations

import pandas as pd

from ..core.errors import ArgumentError


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of survey items (rows with a missing item are left out).

    Parameters
    ----------
    items : DataFrame
        one column per item

    Returns
    -------
    float

    Raises
    ------
    ArgumentError
        for fewer than 2 items or 3 complete rows.

    Examples
    --------
    >>> import pandas as pd
    >>> from wijkstudie import models
    >>> items = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 2, 3, 5], "c": [2, 2, 3, 4]})
    >>> round(models.cronbach_alpha(items), 2)
    0.96
    """
    data = items.dropna()
    k = data.shape[1]
    if k < 2 or len(data) < 3:
        raise ArgumentError("cronbach_alpha: needs at least 2 items and 3 complete rows")
    item_var = data.var(axis=0, ddof=1).sum()
    total_var = data.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1 - item_var / total_var))


def scale_score(items: pd.DataFrame) -> pd.Series:
    """The mean of the items' z-scores (NaN where any item is missing).

    Parameters
    ----------
    items : DataFrame
        one column per item

    Returns
    -------
    Series
    """
    z = (items - items.mean()) / items.std(ddof=1)
    return z.mean(axis=1, skipna=False)
