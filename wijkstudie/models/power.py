"""What a test could have detected.

The minimum detectable effect of an estimate with a given standard error, and the power to detect a given effect.

Both are exact for a two-sided t test with ``df`` degrees of freedom (the noncentral t distribution; with ``df=None``
the normal distribution) at level ``alpha / tests``: the first step of Holm's procedure over a family of ``tests``
tests, the strictest level any of them faces. The effect is in the estimate's own units (standardised when the
standard error is that of a standardised estimate). A non-significant estimate whose minimum detectable effect is
larger than any plausible effect says little; one whose minimum detectable effect is small says more (and an
equivalence test, ``models.equivalence_test``, says it formally).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import optimize, stats

from ..core.errors import ArgumentError


def _check(se, df, alpha, power, tests, caller) -> float:
    if not np.isfinite(se) or se <= 0:
        raise ArgumentError(f"{caller}: the standard error must be positive, not {se}")
    if df is not None and not df > 0:
        raise ArgumentError(f"{caller}: df must be positive (or None for the normal distribution), not {df}")
    if not 0 < alpha < 1:
        raise ArgumentError(f"{caller}: alpha must lie between 0 and 1, not {alpha}")
    if int(tests) != tests or tests < 1:
        raise ArgumentError(f"{caller}: tests must be a whole number of at least 1, not {tests}")
    if power is not None and not alpha / tests / 2 < power < 1:
        raise ArgumentError(f"{caller}: power must lie between alpha / (2 tests) and 1, not {power}")
    return float(se)


@lru_cache(maxsize=4096)
def _critical(df, level: float):
    """The two-sided test's critical value at ``level`` (kept: a root search asks for it at every step)."""
    return stats.norm.isf(level / 2) if df is None else stats.t.isf(level / 2, df)


def _power(noncentrality: float, df, level: float) -> float:
    """Power of the two-sided test at ``level`` (both tails) when the test statistic's noncentrality is given."""
    critical = _critical(df, level)
    if df is None:
        return float(stats.norm.sf(critical - noncentrality) + stats.norm.cdf(-critical - noncentrality))
    # both tails in one (elementwise) call; the lower as the upper tail of the mirrored statistic: scipy's nct.cdf far
    # in the tail can be NaN
    upper, lower = stats.nct.sf(critical, df, [noncentrality, -noncentrality])
    return float(upper + (0.0 if np.isnan(lower) else lower))


def detection_power(effect: float, se: float, df: float | None, *, alpha: float = 0.05, tests: int = 1) -> float:
    """The power of a two-sided t test (normal with ``df=None``) at level alpha / tests to detect a true effect.

    Parameters
    ----------
    effect : float
        the true effect, in the estimate's units
    se : float
        the estimate's standard error
    df : float or None
        the test's degrees of freedom (a result's ``df[term]``); None for the normal distribution
    alpha : float
        the family's level
    tests : int
        the number of tests in the family (Holm's first step: level alpha / tests)

    Returns
    -------
    float
        the probability of rejecting (either tail) when the effect is ``effect``

    Raises
    ------
    ArgumentError
        for a standard error or df that is not positive, alpha outside (0, 1), or tests below 1.
    """
    se = _check(se, df, alpha, None, tests, "detection_power")
    return _power(abs(float(np.squeeze(effect))) / se, df, alpha / tests)


def minimum_detectable_effect(
    se: float, df: float | None, *, alpha: float = 0.05, power: float = 0.8, tests: int = 1
) -> float:
    """The smallest true effect that a two-sided t test.

    (normal with ``df=None``) at level alpha / tests detects with the given power: exact, from the noncentral t
    distribution.

    Parameters
    ----------
    se : float
        the estimate's standard error (of a standardised estimate for a standardised effect)
    df : float or None
        the test's degrees of freedom (a result's ``df[term]``); None for the normal distribution
    alpha : float
        the family's level
    power : float
        the required power
    tests : int
        the number of tests in the family (Holm's first step: level alpha / tests)

    Returns
    -------
    float
        the effect, positive, in the units of ``se``; with the normal distribution at alpha 0.05 and power 0.8,
        (1.95996 + 0.84162) x se = 2.8016 se

    Raises
    ------
    ArgumentError
        for a standard error or df that is not positive, alpha or power outside their range, or tests below 1.

    Examples
    --------
    >>> from wijkstudie.models.power import minimum_detectable_effect
    >>> round(minimum_detectable_effect(1.0, None), 4)
    2.8016
    """
    se = _check(se, df, alpha, power, tests, "minimum_detectable_effect")
    return float(_noncentrality(df, alpha / tests, power) * se)


@lru_cache(maxsize=4096)
def _noncentrality(df, level: float, power: float) -> float:
    """The noncentrality at which the two-sided test at ``level`` has ``power``.

    (the same for every standard error: a verdict table asks for it once per family size and df, not once per test).
    """
    if df is None:
        start = stats.norm.isf(level / 2) + stats.norm.ppf(power)
    else:
        start = stats.t.isf(level / 2, df) + stats.t.ppf(power, df)
    high = max(2 * start, 1.0)
    while _power(high, df, level) < power:
        high *= 2
    return optimize.brentq(lambda d: _power(d, df, level) - power, 0.0, high, xtol=1e-12, rtol=1e-12)
