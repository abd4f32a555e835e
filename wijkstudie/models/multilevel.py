"""Multilevel (mixed) models for units nested in higher units, e.g. buurten in gemeenten."""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from ..errors import WijkstudieError
from .area import _complete
from .result import ModelResult, context_of


def multilevel(formula: str, data: pd.DataFrame, group: str = "gemeente_code", re_formula: str | None = None,
               **context) -> ModelResult:
    """Random-intercept model (plus random slopes with ``re_formula``, e.g. ``"~pct_owner_occupied"``).

    Fitted by REML with L-BFGS (the default optimiser does not converge reliably on random slopes).
    ``extra`` holds the variance of the group intercepts, the residual variance and the intraclass
    correlation (the share of the outcome's variance that lies between groups).
    """
    if group not in data:
        raise WijkstudieError(f"multilevel: no group column {group!r}")
    used = _complete(formula, data, [group])
    if used[group].nunique() < 5:
        raise WijkstudieError(f"multilevel: only {used[group].nunique()} groups")
    model = smf.mixedlm(formula, used, groups=used[group], re_formula=re_formula)
    fit = model.fit(method="lbfgs", reml=True)
    fe = fit.fe_params.index
    ci = fit.conf_int().loc[fe]
    table = pd.DataFrame({"estimate": fit.fe_params, "std_error": fit.bse[fe], "ci_low": ci[0], "ci_high": ci[1],
                          "p_value": fit.pvalues[fe]})
    sd_y = used[fit.model.endog_names].std(ddof=1)
    table["std_estimate"] = [np.nan if t == "Intercept" else fit.fe_params[t] * used[t].std(ddof=1) / sd_y
                             if t in used else np.nan for t in fe]
    group_var = float(fit.cov_re.iloc[0, 0])
    resid_var = float(fit.scale)
    extra = {"group_variance": group_var, "residual_variance": resid_var,
             "icc": group_var / (group_var + resid_var), "groups": int(used[group].nunique()),
             "converged": bool(fit.converged)}
    ctx = {**context_of(data, used), **context}
    return ModelResult(f"multilevel (random intercept by {group}" + (f", random slope {re_formula}" if re_formula else "")
                       + ")", formula, table, int(fit.nobs), None, extra=extra, fit=fit, **ctx)
