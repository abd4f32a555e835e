"""Regression of a neighbourhood outcome on its composition."""

from __future__ import annotations

import numpy as np  # noqa: F401  (formulas may say np.log(x): patsy evaluates them in this module's namespace)
import pandas as pd
import statsmodels.formula.api as smf

from ..core.columns import require_columns
from ..core.errors import ArgumentError
from .result import STD_LINEAR, ModelResult, coefficient_table, complete_rows, context, standardised

AREA_COV_TYPES = ("HC3", "HC2", "HC1", "HC0", "nonrobust")  # statsmodels' names


def area_regression(
    formula: str, data: pd.DataFrame, *, weights: str | None = None, cov_type: str = "HC3", cluster: str | None = None
) -> ModelResult:
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
        robust standard errors (``"HC3"``, the default; also ``"HC0"``-``"HC2"``) or ``"nonrobust"``; ignored
        when ``cluster`` is given
    cluster : str, optional
        a column grouping rows whose errors are correlated (e.g. ``region_code`` for areas observed in several
        years, or ``source_code_2020`` for areas harmonised from split ones): the standard errors are then
        cluster-robust (statsmodels' ``cov_type="cluster"``, with its small-sample correction) and intervals
        and p-values come from t(G - 1), G the number of clusters. Rows without a cluster value are left out.

    Returns
    -------
    ModelResult
        intervals and p-values from the t distribution with the residual degrees of freedom (t(G - 1) with
        ``cluster``); ``std_estimate`` by ``standardised`` (weighted when the fit is); ``statistics["r2"]``;
        ``extra["clusters"]`` (G) with ``cluster``; ``fitted`` is the statsmodels result.

    Raises
    ------
    WijkstudieError
        for a missing weight or cluster column, fewer than five complete rows or fewer than five clusters.
    """
    if cov_type not in AREA_COV_TYPES:
        raise ArgumentError(f"area_regression: cov_type must be one of {', '.join(AREA_COV_TYPES)}, not {cov_type!r}")
    require_columns(data, [weights], "area_regression", role="weight column")
    require_columns(data, [cluster], "area_regression", role="cluster column")
    used = complete_rows(formula, data, [c for c in (weights, cluster) if c], caller="area_regression")
    if weights is not None:
        used = used[used[weights] > 0]
    if len(used) < 5:
        raise ArgumentError(f"area_regression: only {len(used)} complete rows for {formula!r}")
    w = used[weights].astype(float) if weights else None
    model = smf.wls(formula, data=used, weights=w) if weights else smf.ols(formula, data=used)
    extra, notes = {}, [f"weighted by {weights}"] if weights else []
    if cluster is None:
        fit = model.fit(cov_type=cov_type, use_t=True)
        distribution = f"t({int(fit.df_resid)})"
    else:
        groups = pd.factorize(used[cluster])[0]
        extra["clusters"] = clusters = int(groups.max() + 1)
        if clusters < 5:
            raise ArgumentError(
                f"area_regression: only {clusters} clusters of {cluster!r}; clustered errors need at least 5"
            )
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
        distribution = f"t({clusters - 1})"
        notes.append(f"errors clustered by {cluster}")
    design = pd.DataFrame(fit.model.exog, columns=fit.model.exog_names)
    std = standardised(fit.params, design, fit.model.endog, None if w is None else w.to_numpy())
    table = coefficient_table(fit.params, fit.bse, distribution, std)
    return ModelResult(
        "area regression" + (f" ({'; '.join(notes)})" if notes else ""),
        formula,
        table,
        int(fit.nobs),
        fitted=fit,
        cov=fit.cov_params(),
        statistics={"r2": float(fit.rsquared), "r2_adj": float(fit.rsquared_adj)},
        extra=extra,
        std_definition=STD_LINEAR,
        **context(data, used),
    )
