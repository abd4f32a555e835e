"""The classes of a choropleth: quantiles and equal intervals computed here, the optimising schemes by mapclassify.

``classify(values, scheme, k)`` returns the upper bounds of the classes and the class of every value, exactly as
mapclassify's ``Quantiles``, ``EqualInterval``, ``NaturalBreaks`` and ``FisherJenks`` (their ``bins`` and ``yb``).
The first two are a few lines of arithmetic, repeated here step for step (mapclassify 2.x: scipy's
``scoreatpercentile`` with fractional interpolation, then ``numpy.unique``; ``arange`` cuts with the last set to the
maximum), so a map with the default scheme never imports mapclassify, whose classifiers module imports
scikit-learn's clustering (about 0.3-0.4 s). The optimising schemes still come from mapclassify.
"""

from __future__ import annotations

import numpy as np

from ..core.errors import ArgumentError

SCHEMES = {  # scheme -> mapclassify's classifier (computed here for the first two)
    "quantiles": "Quantiles",
    "equal_interval": "EqualInterval",
    "natural_breaks": "NaturalBreaks",
    "fisher_jenks": "FisherJenks",
}


def quantile_bins(values: np.ndarray, k: int) -> np.ndarray:
    """The upper bounds of ``k`` quantile classes (fewer where ties make bounds repeat).

    Parameters
    ----------
    values : array
        the values (no missing ones)
    k : int
        the number of classes

    Returns
    -------
    array
        sorted distinct bounds, the last the maximum
    """
    ordered = np.sort(np.asarray(values).ravel())
    step = 100.0 / k
    percents = np.arange(step, 100 + step, step)
    if percents[-1] > 100.0:
        percents[-1] = 100.0
    return np.unique(np.array([_score_at_percentile(ordered, p) for p in percents]))


def _score_at_percentile(ordered: np.ndarray, percent: float):
    """The ``percent`` percentile of sorted values, to the last bit as scipy's ``scoreatpercentile`` (fraction)."""
    index = percent / 100.0 * (ordered.shape[0] - 1)
    i = int(index)
    if i == index:
        return np.add.reduce(ordered[i : i + 1] * np.array(1)) / 1.0
    weights = np.array([(i + 1 - index), (index - i)], float)
    return np.add.reduce(ordered[i : i + 2] * weights) / weights.sum()


def equal_interval_bins(values: np.ndarray, k: int) -> np.ndarray:
    """The upper bounds of ``k`` classes of equal width from the minimum to the maximum.

    Parameters
    ----------
    values : array
        the values (no missing ones), not all equal
    k : int
        the number of classes

    Returns
    -------
    array

    Raises
    ------
    ArgumentError
        when every value is the same (there is no interval to divide)
    """
    values = np.asarray(values).ravel()
    low, high = values.min(), values.max()
    if low == high:
        raise ArgumentError(f"equal intervals: all {len(values)} values are {low}: there is no range to divide")
    width = (high - low) * 1.0 / k
    cuts = np.arange(low + width, high + width, width)
    if len(cuts) > k:
        cuts = cuts[0:k]
    cuts[-1] = high
    return cuts.copy()


def class_of(values: np.ndarray, bins: np.ndarray) -> np.ndarray:
    """The class of every value: the first bound it does not exceed, as mapclassify's ``bin1d`` gives it.

    Including ``bin1d``'s class 0 for a value above the last bound (which happens: for some ``k`` the last of
    mapclassify's percentiles, summed up in steps of ``100 / k``, falls just short of 100, and the maximum lies above
    the last bound).

    Parameters
    ----------
    values : array
    bins : array
        increasing upper bounds

    Returns
    -------
    array of int
    """
    classes = np.searchsorted(bins, np.asarray(values).ravel(), side="left").astype(int)
    classes[classes == len(bins)] = 0
    return classes


def classify(values, scheme: str, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The classes of ``values``: their upper bounds and the class of each value.

    Parameters
    ----------
    values : array
        the values (no missing ones)
    scheme : str
        one of ``SCHEMES``
    k : int
        the number of classes

    Returns
    -------
    (array, array of int)
        the bounds (``bins``) and every value's class (``yb``), as mapclassify's classifier of that scheme

    Raises
    ------
    ArgumentError
        for another scheme
    """
    values = np.asarray(values).ravel()
    if scheme == "quantiles":
        bins = quantile_bins(values, k)
    elif scheme == "equal_interval":
        bins = equal_interval_bins(values, k)
    elif scheme in SCHEMES:
        import mapclassify

        classes = getattr(mapclassify, SCHEMES[scheme])(values, k=k)
        return classes.bins, classes.yb
    else:
        raise ArgumentError(f"scheme must be one of {', '.join(SCHEMES)}, not {scheme!r}")
    return bins, class_of(values, bins)
