"""Multilevel (mixed) models for units nested in higher units.

Buurten in gemeenten (linear), residents in buurten (logistic).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.regression.mixed_linear_model import MixedLM

from ..core.columns import require_columns
from ..core.errors import ArgumentError
from .categorical_codes import fits_with_codes
from .result import (
    STD_LINEAR,
    STD_LOGISTIC,
    ModelResult,
    coefficient_table,
    complete_rows,
    context,
    formula_environment,
    formula_namespace,
    standardised,
    with_odds_ratios,
)

LOGISTIC_VARIANCE = np.pi**2 / 3
MAX_LOG = 700.0  # exp(x) and its square stay finite below this


@fits_with_codes
def multilevel(
    formula: str, data: pd.DataFrame, *, group: str, re_formula: str | None = None, eval_env=0
) -> ModelResult:
    """Random-intercept linear model (plus random slopes with ``re_formula``, e.g. ``"~pct_owner_occupied"``).

    Parameters
    ----------
    formula : str
        the fixed part, e.g. ``"pct_volunteering ~ pct_owner_occupied"``
    data : DataFrame
    group : str
        the column of the higher unit, e.g. ``"gemeente_code"``
    re_formula : str, optional
        random slopes
    eval_env : int or patsy.EvalEnvironment
        where the formula's names that are not columns resolve: 0, the default, is the caller's namespace, as in
        statsmodels (``models.result.formula_environment``)

    Returns
    -------
    ModelResult
        fitted by REML with L-BFGS (the default optimiser does not converge reliably on random slopes), or
        Powell's method when the group variance is at zero and the gradient is singular; normal intervals.
        ``extra``: ``group_variance``, ``residual_variance``, ``icc`` (the share of the outcome's unexplained
        variance between groups), ``groups``, ``converged``, ``optimiser``.
    """
    env = formula_environment(eval_env)
    require_columns(data, [group], "multilevel", role="group column")
    used = complete_rows(formula, data, [group], caller="multilevel", env=env)
    if used[group].nunique() < 5:
        raise ArgumentError(f"multilevel: only {used[group].nunique()} groups")
    model = MixedLM.from_formula(
        formula, used, groups=used[group], re_formula=re_formula, eval_env=formula_namespace(formula, env)
    )
    try:
        fit, optimiser = model.fit(method="lbfgs", reml=True), "lbfgs"
    except np.linalg.LinAlgError:  # a group variance at zero makes the gradient singular: no gradient then
        fit, optimiser = model.fit(method="powell", reml=True), "powell"
    fe = fit.fe_params.index
    design = pd.DataFrame(fit.model.exog, columns=fit.model.exog_names)
    table = coefficient_table(
        fit.fe_params, fit.bse[fe], "normal", standardised(fit.fe_params, design, fit.model.endog)
    )
    group_var, resid_var = float(fit.cov_re.iloc[0, 0]), float(fit.scale)
    extra = {
        "group_variance": group_var,
        "residual_variance": resid_var,
        "icc": group_var / (group_var + resid_var),
        "groups": int(used[group].nunique()),
        "converged": bool(fit.converged),
        "optimiser": optimiser,
    }
    return ModelResult(
        f"multilevel (random intercept by {group}" + (f", random slope {re_formula}" if re_formula else "") + ")",
        formula,
        table,
        int(fit.nobs),
        fitted=fit,
        cov=fit.cov_params().loc[fe, fe],
        statistics={"loglik": float(fit.llf)},
        extra=extra,
        std_definition=STD_LINEAR,
        estimator="multilevel",
        **context(data, used),
    )


def _aghq_objective(y, X, g, groups, nodes):
    """Negative log-likelihood of a random-intercept logistic model by adaptive Gauss-Hermite quadrature.

    And its gradient by Fisher's identity (the posterior expectation of the complete-data score, by the same nodes).
    Parameters: (beta..., log sigma). Probabilities come from ``expit``, which never overflows: the optimiser's line
    search tries large linear predictors (a predictor in euros, say), where ``1 / (1 + exp(-eta))`` overflows.
    """
    from scipy.special import expit

    z, wq = np.polynomial.hermite.hermgauss(nodes)

    def modes(eta0, sigma2):
        u = np.zeros(groups)
        for _ in range(50):
            p = expit(eta0 + u[g])
            grad = np.bincount(g, y - p, groups) - u / sigma2
            hess = np.bincount(g, p * (1 - p), groups) + 1.0 / sigma2
            step = grad / hess
            u += step
            if np.abs(step).max() < 1e-10:
                break
        p = expit(eta0 + u[g])
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
            logterms[q] = np.log(wq[q]) + z[q] ** 2 + ll - u_q**2 / (2 * sigma2) - 0.5 * np.log(2 * np.pi * sigma2)
        top = logterms.max(axis=0)
        log_lik = np.log(scale) + top + np.log(np.exp(logterms - top).sum(axis=0))
        post = np.exp(logterms - (top + np.log(np.exp(logterms - top).sum(axis=0))))
        resid = np.zeros_like(y)
        grad_sigma = 0.0
        for q in range(nodes):
            u_q = u_hat + scale * z[q]
            p = expit(eta0 + u_q[g])
            resid += post[q][g] * (y - p)
            grad_sigma += np.sum(post[q] * (u_q**2 / sigma2 - 1.0))
        grad = np.concatenate([X.T @ resid, [grad_sigma]])
        return -log_lik.sum(), -grad, u_hat

    return objective


def _sd_and_icc(log_sds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group standard deviations and latent intraclass correlations from log standard deviations.

    A group variance near zero has a huge standard error on the log scale: an upper bound beyond what a float holds is
    reported as infinite (ICC 1) without overflowing, the ICC computed as a logistic function of 2 log sd.
    """
    from scipy.special import expit

    sds = np.where(log_sds > MAX_LOG, np.inf, np.exp(np.minimum(log_sds, MAX_LOG)))
    icc = expit(2 * log_sds - np.log(LOGISTIC_VARIANCE))
    return sds, icc


@fits_with_codes
def multilevel_logit(formula: str, data: pd.DataFrame, *, group: str, nodes: int = 9, eval_env=0) -> ModelResult:
    """Random-intercept logistic regression of units in ``group`` by maximum likelihood.

    The integral over each group's intercept done by adaptive Gauss-Hermite quadrature (as lme4's glmer with nAGQ > 1).

    Parameters
    ----------
    formula : str
        e.g. ``"participates ~ owner + C(age_group)"``
    data : DataFrame
    group : str
        the column of the groups (e.g. the buurt of each resident)
    nodes : int
        quadrature nodes per group
    eval_env : int or patsy.EvalEnvironment
        where the formula's names that are not columns resolve: 0, the default, is the caller's namespace, as in
        statsmodels (``models.result.formula_environment``)

    Returns
    -------
    ModelResult
        log-odds with odds ratios; standard errors from the numerically differentiated score (observed
        information), normal intervals; survey weights are not used. ``extra``: ``group_sd`` and
        ``group_sd_ci``, ``group_variance``, ``icc`` and ``icc_ci`` (latent scale, var / (var + pi^2 / 3)),
        ``groups``, ``converged``, ``iterations``, ``loglik``, ``group_intercepts``.
    """
    import patsy

    env = formula_environment(eval_env)
    require_columns(data, [group], "multilevel_logit", role="group column")
    used = complete_rows(formula, data, [group], caller="multilevel_logit", env=env).reset_index(drop=True)
    y, X = patsy.dmatrices(formula, used, return_type="dataframe", eval_env=env)
    g = pd.factorize(used.loc[y.index, group])[0]
    groups = int(g.max() + 1)
    if groups < 5:
        raise ArgumentError(f"multilevel_logit: only {groups} groups")
    yv, Xv = y.iloc[:, 0].to_numpy(dtype=float), X.to_numpy(dtype=float)
    objective = _aghq_objective(yv, Xv, g, groups, nodes)
    start = GLM(yv, Xv, family=families.Binomial()).fit().params
    theta0 = np.concatenate([start, [np.log(0.5)]])
    opt = optimize.minimize(
        lambda t: objective(t)[:2], theta0, jac=True, method="L-BFGS-B", options={"maxiter": 500, "gtol": 1e-6}
    )
    theta = opt.x
    step = 1e-4
    hessian = np.empty((theta.size, theta.size))
    for i in range(theta.size):
        up, down = theta.copy(), theta.copy()
        up[i] += step
        down[i] -= step
        hessian[i] = (objective(up)[1] - objective(down)[1]) / (2 * step)
    cov_all = np.linalg.inv((hessian + hessian.T) / 2)
    se = np.sqrt(np.diag(cov_all))
    k = Xv.shape[1]
    params = pd.Series(theta[:k], index=X.columns)
    table = with_odds_ratios(
        coefficient_table(params, pd.Series(se[:k], index=X.columns), "normal", standardised(params, X))
    )
    log_sds = theta[-1] + np.array([0.0, -1.96, 1.96]) * se[-1]
    sds, icc = _sd_and_icc(log_sds)
    extra = {
        "group_sd": float(sds[0]),
        "group_sd_ci": (float(sds[1]), float(sds[2])),
        "group_variance": float(sds[0] ** 2),
        "icc": float(icc[0]),
        "icc_ci": (float(icc[1]), float(icc[2])),
        "groups": groups,
        "converged": bool(opt.success),
        "iterations": int(opt.nit),
        "group_intercepts": objective(theta)[2],
    }
    cov = pd.DataFrame(cov_all[:k, :k], index=X.columns, columns=X.columns)
    return ModelResult(
        f"multilevel logistic regression (random intercept by {group}, adaptive quadrature, {nodes} nodes)",
        formula,
        table,
        int(len(yv)),
        fitted=opt,
        cov=cov,
        statistics={"loglik": float(-opt.fun)},
        extra=extra,
        std_definition=STD_LOGISTIC,
        estimator="multilevel logistic regression",
        **context(data, used),
    )
