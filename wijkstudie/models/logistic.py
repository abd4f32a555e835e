"""Logistic models of a 0/1 outcome (e.g. residents who take part), weighted where a survey has weights.

- ``logit``: weighted logistic regression with standard errors clustered by a group (sandwich estimator)
- ``segmented_logit``: the effect of one predictor changes slope at an estimated breakpoint (profile
  likelihood over a grid, with a likelihood-ratio 95 % interval); ``segmented_curve`` draws it
- ``spline_logit``: a B-spline of the predictor, to set beside the segmented fit
- ``predict`` and ``predicted_by_group``: average predicted probabilities for groups of cases

Estimators take every column name from the caller; none knows the study's variables.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from ..errors import WijkstudieError
from .result import STD_LOGISTIC, ModelResult, coefficient_table, complete_rows, context, standardised, \
    with_odds_ratios


def _weights(data: pd.DataFrame, weights: str | None) -> np.ndarray | None:
    if weights is None:
        return None
    if weights not in data:
        raise WijkstudieError(f"no weight column {weights!r}")
    w = data[weights].to_numpy(dtype=float)
    return w / w.mean()


def cluster_sandwich(X: np.ndarray, y: np.ndarray, p: np.ndarray, w: np.ndarray | None, groups) -> np.ndarray:
    """Cluster-robust covariance of a weighted logistic pseudo-likelihood estimate:
    bread = (X' W p(1-p) X)^-1, meat = sum over clusters of the summed weighted scores, times G / (G - 1)."""
    w = np.ones(len(y)) if w is None else w
    bread = np.linalg.inv(X.T @ (X * (w * p * (1 - p))[:, None]))
    scores = X * (w * (y - p))[:, None]
    codes = pd.factorize(groups)[0]
    summed = np.zeros((codes.max() + 1, X.shape[1]))
    np.add.at(summed, codes, scores)
    g = summed.shape[0]
    return bread @ (summed.T @ summed) @ bread * g / (g - 1)


def _fit(y: np.ndarray, X: pd.DataFrame, w, groups):
    """Weighted logistic fit; (fit, covariance) with cluster-robust covariance where groups are given
    (statsmodels' own cluster option does not support variance weights)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(y, X, family=sm.families.Binomial(), var_weights=w).fit()
    if groups is None:
        return fit, pd.DataFrame(fit.cov_params(), index=X.columns, columns=X.columns)
    cov = cluster_sandwich(np.asarray(X, dtype=float), y, np.asarray(fit.predict(X), dtype=float), w, groups)
    return fit, pd.DataFrame(cov, index=X.columns, columns=X.columns)


def _result(name: str, formula: str, y, X: pd.DataFrame, fit, cov: pd.DataFrame, data, used, w,
            extra=None) -> ModelResult:
    se = pd.Series(np.sqrt(np.diag(cov)), index=X.columns)
    table = with_odds_ratios(coefficient_table(fit.params, se, "normal", standardised(fit.params, X, None, w)))
    return ModelResult(name, formula, table, int(fit.nobs), fitted=fit, cov=cov,
                       statistics={"loglik": float(fit.llf)}, extra=extra or {}, std_definition=STD_LOGISTIC,
                       **context(data, used))


def logit(formula: str, data: pd.DataFrame, weights: str | None = None, cluster: str | None = None) -> ModelResult:
    """Weighted logistic regression with standard errors clustered by ``cluster``.

    Parameters
    ----------
    formula : str
        e.g. ``"participates ~ problem * age_65_plus + C(tenure)"``
    data : DataFrame
    weights : str, optional
        survey weights (normalised to mean 1)
    cluster : str, optional
        the column of the clusters (e.g. the buurt of each resident) for the sandwich standard errors

    Returns
    -------
    ModelResult
        log-odds with odds ratios, normal intervals; ``extra["design_info"]`` for ``predict``.
    """
    import patsy

    used = complete_rows(formula, data, [c for c in (weights, cluster) if c])
    y, X = patsy.dmatrices(formula, used, return_type="dataframe")
    w = _weights(used.loc[y.index], weights)
    fit, cov = _fit(y.iloc[:, 0].to_numpy(dtype=float), X, w,
                    used.loc[y.index, cluster].to_numpy() if cluster else None)
    return _result("logistic regression" + (f" (SE clustered by {cluster})" if cluster else ""), formula, y, X, fit,
                   cov, data, used, w, {"design_info": X.design_info})


def predict(result: ModelResult, data: pd.DataFrame) -> np.ndarray:
    """Predicted probabilities of a ``logit`` result for new data (same columns as the data it was fitted on)."""
    import patsy

    if "design_info" not in result.extra:
        raise WijkstudieError(f"{result.model}: predicted probabilities need a logistic regression from logit()")
    (X,) = patsy.build_design_matrices([result.extra["design_info"]], data, return_type="dataframe")
    return np.asarray(result.fitted.predict(X), dtype=float)


def predicted_by_group(result: ModelResult, data: pd.DataFrame, groups: dict, by: str,
                       labels: tuple = ("0", "1")) -> pd.DataFrame:
    """Average predicted probabilities for each group (a dict label -> {column: value}) with the 0/1 column
    ``by`` set to 0 and to 1, the other covariates as observed: a readable summary of interaction models.
    ``labels`` name the two columns of the result (e.g. ``("elsewhere", "livability problems")``)."""
    rows = []
    for label, setting in groups.items():
        for value in (0, 1):
            frame = data.assign(**setting, **{by: value})
            rows.append({"group": label, by: value, "probability": float(predict(result, frame).mean())})
    return pd.DataFrame(rows).pivot(index="group", columns=by, values="probability").rename(
        columns={0: labels[0], 1: labels[1]}).rename_axis(columns=None)


def _segment_columns(x: np.ndarray, tau: float) -> tuple[np.ndarray, np.ndarray]:
    return np.minimum(x, tau), np.maximum(x - tau, 0.0)


def segmented_logit(data: pd.DataFrame, outcome: str, x: str, covariates: str = "", weights: str | None = None,
                    cluster: str | None = None, grid=None) -> ModelResult:
    """Logistic regression of ``outcome`` on ``x`` with a slope change at an estimated breakpoint tau:
    logit P = a + b1 * min(x, tau) + b2 * max(x - tau, 0) + covariates.

    tau is the grid value with the highest (weighted) log-likelihood; its 95 % interval holds every tau whose
    likelihood-ratio statistic against the best is below the chi-square(1) critical value 3.84.

    Returns
    -------
    ModelResult
        at the best tau: terms ``before`` and ``after`` are the slopes per unit of ``x`` before and after the
        breakpoint. ``extra``: ``breakpoint``, ``breakpoint_ci``, ``profile`` (tau, loglik), ``at_grid_edge``,
        ``x`` (the predictor's name) and ``design`` (builds the design at a tau, for ``segmented_curve``).
    """
    import patsy

    cov_formula = f" + {covariates}" if covariates else ""
    used = complete_rows(f"{outcome} ~ {x}{cov_formula}", data, [c for c in (weights, cluster) if c])
    if len(used) < 50:
        raise WijkstudieError(f"segmented_logit: only {len(used)} complete rows")
    xv = used[x].to_numpy(dtype=float)
    if grid is None:
        lo, hi = np.quantile(xv, [0.05, 0.9])
        grid = np.round(np.arange(max(lo, 0.25), hi, 0.25), 2)
    w = _weights(used, weights)
    # the design matrix of the covariates is built once; only the two segment columns change with tau
    y, covs = patsy.dmatrices(f"{outcome} ~ 1{cov_formula}", used, return_type="dataframe")
    yv = y.iloc[:, 0].to_numpy()

    def design(tau):
        before, after = _segment_columns(xv, tau)
        return pd.concat([covs.iloc[:, :1], pd.DataFrame({"before": before, "after": after}, index=covs.index),
                          covs.iloc[:, 1:]], axis=1)

    def loglik(tau):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return sm.GLM(yv, design(tau), family=sm.families.Binomial(), var_weights=w).fit().llf

    coarse = pd.DataFrame({"tau": grid[::4], "loglik": [loglik(t) for t in grid[::4]]})
    centre = coarse.loc[coarse["loglik"].idxmax(), "tau"]
    fine = [t for t in grid if abs(t - centre) <= 2.0 and t not in set(coarse["tau"])]
    profile = pd.concat([coarse, pd.DataFrame({"tau": fine, "loglik": [loglik(t) for t in fine]})])
    profile = profile.sort_values("tau").reset_index(drop=True)
    best = profile.loc[profile["loglik"].idxmax()]
    critical = stats.chi2.ppf(0.95, 1) / 2
    inside = profile[profile["loglik"] >= best["loglik"] - critical]["tau"]
    tau = float(best["tau"])
    X = design(tau)
    fit, cov = _fit(yv, X, w, used[cluster].to_numpy() if cluster else None)
    extra = {"breakpoint": tau, "breakpoint_ci": (float(inside.min()), float(inside.max())), "profile": profile,
             "at_grid_edge": tau in (grid[0], grid[-1]), "x": x, "design": design}
    return _result(f"segmented logistic regression (breakpoint {tau:g})", f"{outcome} ~ seg({x}, tau){cov_formula}",
                   y, X, fit, cov, data, used, w, extra)


def segmented_curve(result: ModelResult, x_values=None) -> pd.DataFrame:
    """Predicted probabilities over the predictor of a ``segmented_logit`` result, the covariates at their
    observed values (averaged over the sample)."""
    if "breakpoint" not in result.extra:
        raise WijkstudieError(f"{result.model}: a curve of a segmented fit needs a result of segmented_logit()")
    design, tau, x = result.extra["design"], result.extra["breakpoint"], result.extra["x"]
    xs = np.linspace(0.25, 20, 80) if x_values is None else np.asarray(x_values, dtype=float)
    base = design(tau)
    probs = []
    for v in xs:
        before, after = _segment_columns(np.full(len(base), v), tau)
        probs.append(float(result.fitted.predict(base.assign(before=before, after=after)).mean()))
    return pd.DataFrame({x: xs, "probability": probs})


def spline_logit(data: pd.DataFrame, outcome: str, x: str, covariates: str = "", weights: str | None = None,
                 df: int = 5) -> ModelResult:
    """A B-spline of ``x`` (``df`` degrees of freedom) in a logistic regression.

    Returns
    -------
    ModelResult
        the spline's terms (not meant to be read one by one); ``extra["curve"]``: predicted probabilities over
        ``x`` (from its 1st to 95th percentile), the covariates at their observed values, averaged.
    """
    import statsmodels.formula.api as smf

    cov_formula = f" + {covariates}" if covariates else ""
    used = complete_rows(f"{outcome} ~ {x}{cov_formula}", data, [weights] if weights else [])
    formula = f"{outcome} ~ bs({x}, df={df}){cov_formula}"
    w = _weights(used, weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = smf.glm(formula, used, family=sm.families.Binomial(), var_weights=w).fit()
    xs = np.linspace(used[x].quantile(0.01), used[x].quantile(0.95), 60)
    sample = used.sample(min(len(used), 3000), random_state=0)
    curve = pd.DataFrame({x: xs, "probability": [fit.predict(sample.assign(**{x: v})).mean() for v in xs]})
    X = pd.DataFrame(fit.model.exog, columns=fit.model.exog_names)
    cov = pd.DataFrame(fit.cov_params(), index=X.columns, columns=X.columns)
    return _result(f"logistic regression with a B-spline of {x} (df {df})", formula, None, X, fit, cov, data, used, w,
                   {"curve": curve})
