"""Regression of a neighbourhood outcome on its composition."""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from ..errors import WijkstudieError
from .result import ModelResult, context_of


def _complete(formula: str, data: pd.DataFrame, extra=()) -> pd.DataFrame:
    """The rows of ``data`` with every column the formula (or ``extra``) uses filled in."""
    import re

    columns = [c for c in data.columns
               if c in extra or re.search(rf"(?<![\w.]){re.escape(str(c))}(?![\w.])", formula)]
    used = data.dropna(subset=columns)
    # patsy does not understand pandas' nullable dtypes (Int64, string): hand it plain numpy ones
    converted = {c: used[c].astype("float64") if pd.api.types.is_numeric_dtype(used[c]) else used[c].astype(object)
                 for c in columns if pd.api.types.is_extension_array_dtype(used[c].dtype)}
    return used.assign(**converted) if converted else used


def area_regression(formula: str, data: pd.DataFrame, weights: str | None = None, cov_type: str = "HC3",
                    **context) -> ModelResult:
    """Weighted least squares of an area outcome, e.g. ``"pct_volunteering ~ pct_owner_occupied + pct_age_65_plus"``.

    weights:  a column (e.g. ``population``) used as analytic weights; rows without a weight are left out
    cov_type: robust standard errors (HC3 by default; ``"nonrobust"`` for classical ones)
    The result's ``std_estimate`` is the standardised coefficient (beta * sd(x) / sd(y), weighted), so
    predictors measured in different units can be compared.
    """
    if weights is not None and weights not in data:
        raise WijkstudieError(f"area_regression: no weight column {weights!r}")
    used = _complete(formula, data, [weights] if weights else [])
    if weights is not None:
        used = used[used[weights] > 0]
    if len(used) < 5:
        raise WijkstudieError(f"area_regression: only {len(used)} complete rows for {formula!r}")
    w = used[weights].astype(float) if weights else None
    model = smf.wls(formula, data=used, weights=w) if weights else smf.ols(formula, data=used)
    fit = model.fit(cov_type=cov_type)
    ci = fit.conf_int()
    table = pd.DataFrame({"estimate": fit.params, "std_error": fit.bse, "ci_low": ci[0], "ci_high": ci[1],
                          "p_value": fit.pvalues})
    table["std_estimate"] = _standardised(fit, w)
    ctx = {**context_of(data, used), **context}
    return ModelResult("area regression" + (f" (weighted by {weights})" if weights else ""), formula, table,
                       int(fit.nobs), float(fit.rsquared), fit=fit, **ctx)


def _weighted_sd(x: np.ndarray, w: np.ndarray | None) -> float:
    if w is None:
        return float(np.std(x, ddof=1))
    mean = np.average(x, weights=w)
    return float(np.sqrt(np.average((x - mean) ** 2, weights=w)))


def _standardised(fit, w) -> pd.Series:
    exog = pd.DataFrame(fit.model.exog, columns=fit.model.exog_names)
    weights = None if w is None else np.asarray(w, dtype=float)
    sd_y = _weighted_sd(np.asarray(fit.model.endog, dtype=float), weights)
    out = {}
    for name in fit.params.index:
        out[name] = np.nan if name == "Intercept" else fit.params[name] * _weighted_sd(exog[name].to_numpy(), weights) / sd_y
    return pd.Series(out)
