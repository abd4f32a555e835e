"""Resident-level models of participation, weighted where the survey has weights.

- ``segmented_logit``: participation against years at the address with an estimated breakpoint (profile
  likelihood over a grid, with a likelihood-ratio 95 % interval for the breakpoint), and ``spline_logit`` to
  compare with
- ``multilevel_logit``: residents in neighbourhoods (maximum likelihood by adaptive Gauss-Hermite quadrature;
  odds ratios and the intraclass correlation)
- ``logit``: weighted logistic regression with standard errors clustered by neighbourhood, used for the
  livability interactions (F5) and for awareness of plans and confidence (F6)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from ..errors import WijkstudieError
from .area import _complete
from .result import ModelResult, context_of

LOGISTIC_VARIANCE = np.pi ** 2 / 3


def _odds_table(params, se, pvalues) -> pd.DataFrame:
    table = pd.DataFrame({"estimate": params, "std_error": se, "ci_low": params - 1.96 * se,
                          "ci_high": params + 1.96 * se, "p_value": pvalues})
    table["odds_ratio"] = np.exp(table["estimate"])
    table["or_low"], table["or_high"] = np.exp(table["ci_low"]), np.exp(table["ci_high"])
    table["std_estimate"] = np.nan
    return table


def _weights(data: pd.DataFrame, weights: str | None) -> np.ndarray | None:
    if weights is None or weights not in data:
        return None
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


def _glm_with_clusters(y: np.ndarray, X: pd.DataFrame, w, groups):
    """Weighted logistic fit; returns (params, standard errors, p-values, fit) with cluster-robust errors
    (statsmodels' own cluster option does not support variance weights)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(y, X, family=sm.families.Binomial(), var_weights=w).fit()
    if groups is None:
        return fit.params, fit.bse, fit.pvalues, fit
    cov = cluster_sandwich(np.asarray(X, dtype=float), y, np.asarray(fit.predict(X), dtype=float), w, groups)
    se = pd.Series(np.sqrt(np.diag(cov)), index=fit.params.index)
    fit.cov_params_default = cov
    fit.cluster_cov = pd.DataFrame(cov, index=fit.params.index, columns=fit.params.index)
    return fit.params, se, pd.Series(2 * stats.norm.sf(np.abs(fit.params / se)), index=fit.params.index), fit


def logit(formula: str, data: pd.DataFrame, weights: str | None = "weight", cluster: str | None = "buurt_code",
          **context) -> ModelResult:
    """Weighted logistic regression (survey weights normalised to mean 1) with standard errors clustered by
    ``cluster`` (sandwich estimator). Estimates are log-odds; the table also has odds ratios."""
    import patsy

    used = _complete(formula, data, [c for c in (weights, cluster) if c])
    y, X = patsy.dmatrices(formula, used, return_type="dataframe")
    params, se, pvalues, fit = _glm_with_clusters(y.iloc[:, 0].to_numpy(dtype=float), X,
                                                  _weights(used.loc[y.index], weights),
                                                  used.loc[y.index, cluster].to_numpy() if cluster else None)
    table = _odds_table(params, se, pvalues)
    extra = {"design_info": X.design_info}
    return ModelResult("logistic regression" + (f" (SE clustered by {cluster})" if cluster else ""), formula, table,
                       int(fit.nobs), None, extra=extra, fit=fit,
                       **{**context_of(data, used), "level": "resident", **context})


def predict(result: ModelResult, data: pd.DataFrame) -> np.ndarray:
    """Predicted probabilities of a ``logit`` result for new data (same columns as the data it was fitted on)."""
    import patsy

    (X,) = patsy.build_design_matrices([result.extra["design_info"]], data, return_type="dataframe")
    return np.asarray(result.fit.predict(X), dtype=float)


def _segment_columns(x: np.ndarray, tau: float) -> tuple[np.ndarray, np.ndarray]:
    return np.minimum(x, tau), np.maximum(x - tau, 0.0)


def segmented_logit(data: pd.DataFrame, outcome: str = "participates", x: str = "years_at_address",
                    covariates: str = "", weights: str | None = "weight", grid=None, **context) -> dict:
    """Logistic regression of ``outcome`` on ``x`` with a slope change at an estimated breakpoint tau:
    logit P = a + b1 * min(x, tau) + b2 * max(x - tau, 0) + covariates.

    tau is the grid value with the highest (weighted) log-likelihood; its 95 % interval holds every tau whose
    likelihood-ratio statistic against the best is below the chi-square(1) critical value 3.84.
    Returns {"breakpoint", "breakpoint_ci", "profile" (tau, loglik), "result" (ModelResult at the best tau:
    terms "before" and "after" are the slopes per year before and after the breakpoint)}.
    """
    cov_formula = f" + {covariates}" if covariates else ""
    used = _complete(f"{outcome} ~ {x}{cov_formula}", data, [weights] if weights else [])
    if len(used) < 50:
        raise WijkstudieError(f"segmented_logit: only {len(used)} complete rows")
    xv = used[x].to_numpy(dtype=float)
    if grid is None:
        lo, hi = np.quantile(xv, [0.05, 0.9])
        grid = np.round(np.arange(max(lo, 0.25), hi, 0.25), 2)
    w = _weights(used, weights)
    # the design matrix of the covariates is built once; only the two segment columns change with tau
    import patsy

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
    groups = used["buurt_code"].to_numpy() if "buurt_code" in used else None
    params, se, pvalues, fit = _glm_with_clusters(yv, design(tau), w, groups)
    result = ModelResult(f"segmented logistic regression (breakpoint {tau:g} years)",
                         f"{outcome} ~ seg({x}, tau){cov_formula}", _odds_table(params, se, pvalues),
                         int(fit.nobs), None, fit=fit, **{**context_of(data, used), "level": "resident", **context})
    result.extra["design"] = design
    return {"breakpoint": tau, "breakpoint_ci": (float(inside.min()), float(inside.max())), "profile": profile,
            "result": result, "at_grid_edge": tau in (grid[0], grid[-1])}


def spline_logit(data: pd.DataFrame, outcome: str = "participates", x: str = "years_at_address",
                 covariates: str = "", weights: str | None = "weight", df: int = 5) -> pd.DataFrame:
    """A B-spline of ``x`` in a logistic regression; returns predicted probabilities over x (covariates at
    their observed values, averaged), to set beside the segmented fit."""
    cov_formula = f" + {covariates}" if covariates else ""
    used = _complete(f"{outcome} ~ {x}{cov_formula}", data, [weights] if weights else [])
    formula = f"{outcome} ~ bs({x}, df={df}){cov_formula}"
    fit = smf.glm(formula, used, family=sm.families.Binomial(), var_weights=_weights(used, weights)).fit()
    xs = np.linspace(used[x].quantile(0.01), used[x].quantile(0.95), 60)
    sample = used.sample(min(len(used), 3000), random_state=0)
    predicted = [fit.predict(sample.assign(**{x: v})).mean() for v in xs]
    return pd.DataFrame({x: xs, "probability": predicted})


def segmented_curve(segmented: dict, x_values=None) -> pd.DataFrame:
    """Predicted probabilities over years at the address from a segmented fit, with the covariates at their
    observed values (averaged over the sample)."""
    result = segmented["result"]
    design = result.extra["design"]
    xs = np.linspace(0.25, 20, 80) if x_values is None else np.asarray(x_values, dtype=float)
    base = design(segmented["breakpoint"])
    probs = []
    for v in xs:
        before, after = _segment_columns(np.full(len(base), v), segmented["breakpoint"])
        probs.append(float(result.fit.predict(base.assign(before=before, after=after)).mean()))
    return pd.DataFrame({"years_at_address": xs, "probability": probs})


def _aghq_objective(y, X, g, groups, nodes):
    """Negative log-likelihood of a random-intercept logistic model by adaptive Gauss-Hermite quadrature, and
    its gradient by Fisher's identity (the posterior expectation of the complete-data score, by the same nodes).
    Parameters: (beta..., log sigma)."""
    z, wq = np.polynomial.hermite.hermgauss(nodes)

    def modes(eta0, sigma2):
        u = np.zeros(groups)
        for _ in range(50):
            p = 1.0 / (1.0 + np.exp(-(eta0 + u[g])))
            grad = np.bincount(g, y - p, groups) - u / sigma2
            hess = np.bincount(g, p * (1 - p), groups) + 1.0 / sigma2
            step = grad / hess
            u += step
            if np.abs(step).max() < 1e-10:
                break
        p = 1.0 / (1.0 + np.exp(-(eta0 + u[g])))
        return u, np.bincount(g, p * (1 - p), groups) + 1.0 / sigma2

    def objective(theta):
        beta, log_sigma = theta[:-1], theta[-1]
        sigma2 = np.exp(2 * log_sigma)
        eta0 = X @ beta
        u_hat, h = modes(eta0, sigma2)
        scale = np.sqrt(2.0 / h)
        logterms = np.empty((nodes, groups))
        for q in range(nodes):
            u_q = u_hat + scale * z[q]
            eta = eta0 + u_q[g]
            ll = np.bincount(g, y * eta - np.logaddexp(0.0, eta), groups)
            logterms[q] = (np.log(wq[q]) + z[q] ** 2 + ll - u_q ** 2 / (2 * sigma2)
                           - 0.5 * np.log(2 * np.pi * sigma2))
        top = logterms.max(axis=0)
        log_lik = np.log(scale) + top + np.log(np.exp(logterms - top).sum(axis=0))
        post = np.exp(logterms - (top + np.log(np.exp(logterms - top).sum(axis=0))))
        resid = np.zeros_like(y)
        grad_sigma = 0.0
        for q in range(nodes):
            u_q = u_hat + scale * z[q]
            p = 1.0 / (1.0 + np.exp(-(eta0 + u_q[g])))
            resid += post[q][g] * (y - p)
            grad_sigma += np.sum(post[q] * (u_q ** 2 / sigma2 - 1.0))
        grad = np.concatenate([X.T @ resid, [grad_sigma]])
        return -log_lik.sum(), -grad, u_hat

    return objective


def multilevel_logit(formula: str, data: pd.DataFrame, group: str = "buurt_code", nodes: int = 9,
                     **context) -> ModelResult:
    """Random-intercept logistic regression of residents in ``group`` by maximum likelihood, the integral over
    each group's intercept done by adaptive Gauss-Hermite quadrature (as lme4's glmer with nAGQ > 1).

    Standard errors come from the numerically differentiated score (observed information). Survey weights are
    not used. ``extra`` holds the sd and variance of the group intercepts and the intraclass correlation on the
    latent scale, var / (var + pi^2 / 3), with 95 % intervals, and the predicted group intercepts.
    """
    import patsy
    from scipy import optimize

    used = _complete(formula, data, [group]).reset_index(drop=True)
    y, X = patsy.dmatrices(formula, used, return_type="dataframe")
    g = pd.factorize(used.loc[y.index, group])[0]
    groups = int(g.max() + 1)
    if groups < 5:
        raise WijkstudieError(f"multilevel_logit: only {groups} groups")
    yv, Xv = y.iloc[:, 0].to_numpy(dtype=float), X.to_numpy(dtype=float)
    objective = _aghq_objective(yv, Xv, g, groups, nodes)
    start = sm.GLM(yv, Xv, family=sm.families.Binomial()).fit().params
    theta0 = np.concatenate([start, [np.log(0.5)]])
    opt = optimize.minimize(lambda t: objective(t)[:2], theta0, jac=True, method="L-BFGS-B",
                            options={"maxiter": 500, "gtol": 1e-6})
    theta = opt.x
    step = 1e-4
    hessian = np.empty((theta.size, theta.size))
    for i in range(theta.size):
        up, down = theta.copy(), theta.copy()
        up[i] += step
        down[i] -= step
        hessian[i] = (objective(up)[1] - objective(down)[1]) / (2 * step)
    cov = np.linalg.inv((hessian + hessian.T) / 2)
    se = np.sqrt(np.diag(cov))
    k = Xv.shape[1]
    params = pd.Series(theta[:k], index=X.columns)
    table = _odds_table(params, pd.Series(se[:k], index=X.columns),
                        pd.Series(2 * stats.norm.sf(np.abs(theta[:k] / se[:k])), index=X.columns))
    log_sd, log_sd_se = theta[-1], se[-1]
    sds = np.exp([log_sd, log_sd - 1.96 * log_sd_se, log_sd + 1.96 * log_sd_se])
    icc = sds ** 2 / (sds ** 2 + LOGISTIC_VARIANCE)
    extra = {"group_sd": float(sds[0]), "group_sd_ci": (float(sds[1]), float(sds[2])),
             "group_variance": float(sds[0] ** 2), "icc": float(icc[0]), "icc_ci": (float(icc[1]), float(icc[2])),
             "groups": groups, "converged": bool(opt.success), "iterations": int(opt.nit),
             "loglik": float(-opt.fun), "group_intercepts": objective(theta)[2]}
    return ModelResult(f"multilevel logistic regression (random intercept by {group}, adaptive quadrature, "
                       f"{nodes} nodes)", formula, table, int(len(yv)), None, extra=extra, fit=opt,
                       **{**context_of(data, used), "level": "resident", **context})


def predicted_by_group(result: ModelResult, data: pd.DataFrame, groups: dict, area: str = "problem") -> pd.DataFrame:
    """Average predicted probabilities for each group (a dict label -> {column: value}) in areas with
    ``area`` = 0 and 1, the other covariates as observed: a readable summary of interaction models."""
    rows = []
    for label, setting in groups.items():
        for value in (0, 1):
            frame = data.assign(**setting, **{area: value})
            rows.append({"group": label, area: value, "probability": float(predict(result, frame).mean())})
    return pd.DataFrame(rows).pivot(index="group", columns=area, values="probability").rename(
        columns={0: "elsewhere", 1: "livability problems"})


def contrast(result: ModelResult, weights: dict) -> dict:
    """A linear combination of coefficients (e.g. {"after": 1, "before": -1}) with its 95 % interval."""
    params = result.fit.params
    cov = getattr(result.fit, "cluster_cov", None)
    cov = result.fit.cov_params() if cov is None else cov
    vector = pd.Series(0.0, index=params.index)
    for name, w in weights.items():
        vector[name] = w
    estimate = float(vector @ params)
    se = float(np.sqrt(vector @ cov @ vector))
    return {"estimate": estimate, "ci_low": estimate - 1.96 * se, "ci_high": estimate + 1.96 * se, "std_error": se}
