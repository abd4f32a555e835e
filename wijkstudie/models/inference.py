"""Tests on an estimate that the models' tables do not give: equivalence (is an effect negligibly small?)."""

from __future__ import annotations

from ..core.errors import ArgumentError
from .result import reference_distribution


def equivalence_test(
    estimate: float, std_error: float, margin: float, *, distribution: str = "normal", alpha: float = 0.05
) -> dict:
    """Two one-sided tests (TOST) of whether an effect lies within ``-margin`` to ``+margin``.

    A non-significant slope is no evidence that the slope is zero; equivalence is. The tests are
    H0: effect <= -margin against effect > -margin, and H0: effect >= margin against effect < margin;
    the effect is declared equivalent to zero (within the margin) when both are rejected at ``alpha``, which is
    the same as its (1 - 2 alpha) interval (90 % by default) lying inside (-margin, margin).

    Parameters
    ----------
    estimate, std_error : float
        e.g. ``result.term("after")[["estimate", "std_error"]]``
    margin : float
        the largest effect (in the estimate's units) that counts as negligible; fixed before looking
    distribution : str
        the estimate's reference distribution, ``"normal"`` or ``"t(df)"`` (a result table's ``distribution``)
    alpha : float
        the level of each one-sided test

    Returns
    -------
    dict
        ``equivalent`` (bool), ``p_value`` (the larger of the two one-sided p-values), ``p_lower`` and
        ``p_upper`` (against -margin and +margin), ``ci_low`` and ``ci_high`` (the (1 - 2 alpha) interval),
        ``level`` (1 - 2 alpha), ``margin``, ``distribution``, and the ``estimate`` and ``std_error`` tested.

    Raises
    ------
    WijkstudieError
        for a margin or standard error that is not positive, or alpha outside (0, 0.5).
    """
    estimate, std_error, margin = float(estimate), float(std_error), float(margin)
    if not margin > 0:
        raise ArgumentError(f"equivalence_test: the margin must be positive, not {margin}")
    if not std_error > 0:
        raise ArgumentError(f"equivalence_test: the standard error must be positive, not {std_error}")
    if not 0 < alpha < 0.5:
        raise ArgumentError(f"equivalence_test: alpha must lie between 0 and 0.5, not {alpha}")
    dist = reference_distribution(distribution)
    p_lower = float(dist.sf((estimate + margin) / std_error))  # H0: effect <= -margin
    p_upper = float(dist.cdf((estimate - margin) / std_error))  # H0: effect >= +margin
    q = float(dist.ppf(1 - alpha))
    low, high = estimate - q * std_error, estimate + q * std_error
    p_value = max(p_lower, p_upper)
    return {
        "equivalent": bool(p_value < alpha),
        "p_value": p_value,
        "p_lower": p_lower,
        "p_upper": p_upper,
        "ci_low": low,
        "ci_high": high,
        "level": 1 - 2 * alpha,
        "margin": margin,
        "distribution": str(distribution),
        "estimate": estimate,
        "std_error": std_error,
    }
