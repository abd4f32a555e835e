"""Regression of a neighbourhood outcome on its composition."""

from __future__ import annotations

import pandas as pd
import statsmodels.formula.api as smf

from ..errors import WijkstudieError
from .result import STD_LINEAR, ModelResult, coefficient_table, complete_rows, context, standardised


def area_regression(formula: str, data: pd.DataFrame, weights: str | None = None,
                    cov_type: str = "HC3") -> ModelResult:
    """Weighted least squares of an area outcome on its composition.

    Parameters
    ----------
    formula : str
        e.g. ``"pct_volunteering ~ pct_owner_occupied + pct_age_65_plus"``
    data : DataFrame
        one row per area; rows with a missing value in a formula column (or the weight) are left out
    weights : str, optional
        a column (e.g. ``population``) used as analytic weights; rows without a positive weight are left out
    cov_type : str
        robust standard errors (``"HC3"``, the default) or ``"nonrobust"``

    Returns
    -------
    ModelResult
        intervals and p-values from the t distribution with the residual degrees of freedom; ``std_estimate``
        by ``standardised`` (weighted); ``statistics["r2"]``; ``fitted`` is the statsmodels result.

    Raises
    ------
    WijkstudieError
        for a missing weight column or fewer than five complete rows.
    """
    if weights is not None and weights not in data:
        raise WijkstudieError(f"area_regression: no weight column {weights!r}")
    used = complete_rows(formula, data, [weights] if weights else [])
    if weights is not None:
        used = used[used[weights] > 0]
    if len(used) < 5:
        raise WijkstudieError(f"area_regression: only {len(used)} complete rows for {formula!r}")
    w = used[weights].astype(float) if weights else None
    model = smf.wls(formula, data=used, weights=w) if weights else smf.ols(formula, data=used)
    fit = model.fit(cov_type=cov_type, use_t=True)
    design = pd.DataFrame(fit.model.exog, columns=fit.model.exog_names)
    std = standardised(fit.params, design, fit.model.endog, None if w is None else w.to_numpy())
    table = coefficient_table(fit.params, fit.bse, f"t({int(fit.df_resid)})", std)
    return ModelResult("area regression" + (f" (weighted by {weights})" if weights else ""), formula, table,
                       int(fit.nobs), fitted=fit, cov=fit.cov_params(),
                       statistics={"r2": float(fit.rsquared), "r2_adj": float(fit.rsquared_adj)},
                       std_definition=STD_LINEAR, **context(data, used))
