"""Within-area (fixed effects) estimates for areas observed over several years."""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm

from ..errors import WijkstudieError
from .result import ModelResult, context_of


def within_estimate(formula: str, data: pd.DataFrame, entity: str = "region_code", time: str | None = None,
                    cov_type: str = "cluster", **context) -> ModelResult:
    """Fixed-effects estimate: every variable is demeaned within ``entity`` (and ``time`` when given, for
    year effects), so only change within an area over the years identifies the slope.

    ``cov_type="cluster"`` clusters standard errors by entity; ``"nonrobust"`` gives the classical ones,
    equal to ordinary least squares with one dummy per area. Degrees of freedom account for the absorbed
    area means.
    """
    import patsy

    needed = [entity] + ([time] if time else [])
    for col in needed:
        if col not in data:
            raise WijkstudieError(f"within_estimate: no column {col!r}")
    from .area import _complete

    source_data, data = data, _complete(formula, data, needed)
    y, X = patsy.dmatrices(formula + " - 1", data, return_type="dataframe", NA_action="drop")
    keys = data.loc[y.index, needed]
    counts = keys[entity].map(keys[entity].value_counts())
    keep = counts > 1  # an area seen once carries no within information
    y, X, keys = y[keep], X[keep], keys[keep]
    if len(y) < 3 or keys[entity].nunique() < 2:
        raise WijkstudieError("within_estimate: too few areas observed more than once")
    frame = pd.concat([y, X], axis=1)
    demeaned = frame - frame.groupby(keys[entity]).transform("mean")
    absorbed = keys[entity].nunique()
    if time:
        # two-way demeaning by alternating projections (exact for balanced panels, converges otherwise)
        for _ in range(100):
            before = demeaned.copy()
            demeaned = demeaned - demeaned.groupby(keys[time]).transform("mean")
            demeaned = demeaned - demeaned.groupby(keys[entity]).transform("mean")
            if np.abs(demeaned - before).to_numpy().max() < 1e-10:
                break
        absorbed += keys[time].nunique() - 1
    yd, Xd = demeaned.iloc[:, 0], demeaned.iloc[:, 1:]
    n, k = Xd.shape
    dof = n - k - absorbed
    if dof <= 0:
        raise WijkstudieError("within_estimate: no degrees of freedom left")
    ols = sm.OLS(yd, Xd)
    if cov_type == "cluster":
        fit = ols.fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(keys[entity])[0]})
    else:
        fit = ols.fit()
    scale = (n - k) / dof
    cov = fit.cov_params() * (scale if cov_type != "cluster" else 1.0)
    se = np.sqrt(np.diag(cov))
    from scipy import stats

    dist = stats.t(dof) if cov_type != "cluster" else stats.t(keys[entity].nunique() - 1)
    tvals = fit.params / se
    q = dist.ppf(0.975)
    table = pd.DataFrame({"estimate": fit.params, "std_error": se, "ci_low": fit.params - q * se,
                          "ci_high": fit.params + q * se, "p_value": 2 * dist.sf(np.abs(tvals))}, index=Xd.columns)
    sd_y = yd.std(ddof=1)
    table["std_estimate"] = [fit.params[c] * Xd[c].std(ddof=1) / sd_y if sd_y > 0 else np.nan for c in Xd.columns]
    r2_within = 1 - float(np.sum(fit.resid ** 2) / np.sum(yd ** 2)) if np.sum(yd ** 2) > 0 else None
    ctx = {**context_of(source_data, data.loc[keys.index]), **context}
    return ModelResult("within-area (fixed effects)" + (" with year effects" if time else ""), formula, table, n,
                       r2_within, extra={"areas": int(keys[entity].nunique()), "dof": dof}, fit=fit, **ctx)
