"""One estimate from several.

A random-effects pooled estimate of the same effect estimated in several places or years (statsmodels' meta-analysis).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..core.errors import ArgumentError

METHODS = {"dl": "DerSimonian-Laird", "pm": "Paule-Mandel"}


def pooled_estimate(estimates, std_errors, *, labels=None, method: str = "dl", interval: str = "normal") -> dict:
    """The random-effects pooled estimate of one effect estimated ``k`` times, with its heterogeneity.

    A wrapper of ``statsmodels.stats.meta_analysis.combine_effects``: every estimate is weighted by
    1 / (se^2 + tau^2), tau^2 the variance of the true effects between the estimates. The between-estimate
    variance is truncated at zero, as DerSimonian and Laird (1986) define it (statsmodels leaves a negative
    value for the caller); the pooled estimate is then the fixed-effect (inverse-variance) one.

    Parameters
    ----------
    estimates, std_errors : array-like
        the k estimates (e.g. one slope per city or per year) and their standard errors
    labels : list of str, optional
        names of the estimates (index of ``weights``)
    method : str
        ``"dl"`` (DerSimonian-Laird, the default) or ``"pm"`` (Paule-Mandel) for tau^2
    interval : str
        ``"normal"`` (the default) or ``"hksj"``: Hartung-Knapp-Sidik-Jonkman, the variance of the pooled estimate
        scaled by the weighted spread of the estimates around it (never below the random-effects one, Röver et al.
        2015), with t(k - 1) quantiles; recommended for a few estimates, where the normal interval is too narrow
        (IntHout, Ioannidis & Borm 2014, BMC Medical Research Methodology 14:25)

    Returns
    -------
    dict
        ``estimate``, ``std_error``, ``ci_low``, ``ci_high`` (95 %, by ``interval``), ``z``, ``p_value``, ``tau2``,
        ``i2`` (the share of the variation between estimates beyond chance, 0-100 %), ``q`` (Cochran's Q) and
        ``q_p_value`` (its chi-square(k - 1) test of homogeneity), ``k``, ``method``, ``interval`` (in words),
        ``interval_method`` (``"normal"`` or ``"hksj"``) and ``weights`` (each
        estimate's share of the pooled one, a Series summing to 1).

    Raises
    ------
    WijkstudieError
        for fewer than two estimates, estimates and standard errors of different lengths, missing values,
        standard errors that are not positive, or another method.
    """
    from statsmodels.stats.meta_analysis import combine_effects

    effect, se = _checked(estimates, std_errors, method)
    k = len(effect)
    labels = list(range(k)) if labels is None else [str(v) for v in labels]
    if len(labels) != k:
        raise ArgumentError(f"pooled_estimate: {len(labels)} labels for {k} estimates")
    # statsmodels keeps a negative DerSimonian-Laird tau^2, whose random-effects variance can be negative (a
    # square root of it is invalid), and its I^2 divides by Q: neither figure is used then (see below)
    with np.errstate(divide="ignore", invalid="ignore"):
        res = combine_effects(effect, se**2, method_re=method, row_names=labels, use_t=False)
    q = float(res.q)
    if res.tau2 > 0:
        tau2, estimate, std_error, weights = float(res.tau2), res.mean_effect_re, res.sd_eff_w_re, res.weights_rel_re
    else:  # no variance between the estimates beyond chance: the fixed-effect estimate
        tau2, estimate, std_error, weights = 0.0, res.mean_effect_fe, res.sd_eff_w_fe, res.weights_rel_fe
    if interval not in ("normal", "hksj"):
        raise ArgumentError(f"pooled_estimate: interval must be 'normal' or 'hksj', not {interval!r}")
    crit = stats.norm.ppf(0.975)
    if interval == "hksj":
        w = 1.0 / (se**2 + tau2)
        hksj = float(np.sqrt(np.sum(w * (effect - estimate) ** 2) / ((k - 1) * np.sum(w))))
        # never narrower than the random-effects standard error (Roever, Knapp & Friede 2015, BMC Med Res Methodol
        # 15:99): estimates that agree more than chance allows would otherwise give a zero-width interval
        std_error = max(hksj, float(std_error))
        crit = stats.t.ppf(0.975, k - 1)
    z = float(estimate / std_error)
    return {
        "estimate": float(estimate),
        "std_error": float(std_error),
        "ci_low": float(estimate - crit * std_error),
        "ci_high": float(estimate + crit * std_error),
        "z": z,
        "p_value": float(2 * (stats.t.sf(abs(z), k - 1) if interval == "hksj" else stats.norm.sf(abs(z)))),
        "tau2": tau2,
        "i2": 100 * max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0,
        "q": q,
        "q_p_value": float(stats.chi2.sf(q, k - 1)),
        "k": k,
        "method": METHODS[method],
        "interval": "Hartung-Knapp, t(k - 1)" if interval == "hksj" else "normal",
        "interval_method": interval,
        "weights": pd.Series(np.asarray(weights, dtype=float), index=labels, name="weight"),
    }


def _checked(estimates, std_errors, method: str) -> tuple[np.ndarray, np.ndarray]:
    if method not in METHODS:
        raise ArgumentError(f"pooled_estimate: method must be one of {', '.join(METHODS)}, not {method!r}")
    effect = np.asarray(estimates, dtype=float).ravel()
    se = np.asarray(std_errors, dtype=float).ravel()
    if len(effect) != len(se):
        raise ArgumentError(f"pooled_estimate: {len(effect)} estimates but {len(se)} standard errors")
    if len(effect) < 2:
        raise ArgumentError(f"pooled_estimate: needs at least 2 estimates, not {len(effect)}")
    if not (np.isfinite(effect).all() and np.isfinite(se).all()):
        raise ArgumentError("pooled_estimate: an estimate or standard error is missing or infinite")
    if (se <= 0).any():
        raise ArgumentError(f"pooled_estimate: standard errors must be positive, not {se.min():g}")
    return effect, se
