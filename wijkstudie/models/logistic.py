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
from scipy import stats
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

from ..core.errors import ArgumentError
from .categorical_codes import codes_in_patsy, fits_with_codes
from .result import (
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


def _weights(data: pd.DataFrame, weights: str | None) -> np.ndarray | None:
    if weights is None:
        return None
    if weights not in data:
        raise ArgumentError(f"no weight column {weights!r}")
    w = data[weights].to_numpy(dtype=float)
    return w / w.mean()


def cluster_sandwich(X: np.ndarray, y: np.ndarray, p: np.ndarray, w: np.ndarray | None, groups) -> np.ndarray:
    """Cluster-robust covariance of a weighted logistic pseudo-likelihood estimate.

    Bread = (X' W p(1-p) X)^-1, meat = the sum over clusters of the summed weighted scores, times G / (G - 1).

    Parameters
    ----------
    X : ndarray
        the design
    y : ndarray
        the 0/1 outcome
    p : ndarray
        the fitted probabilities
    w : ndarray or None
        the weights
    groups : array-like
        the cluster of every row

    Returns
    -------
    ndarray
        the covariance matrix
    """
    w = np.ones(len(y)) if w is None else w
    bread = np.linalg.inv(X.T @ (X * (w * p * (1 - p))[:, None]))
    scores = X * (w * (y - p))[:, None]
    codes = pd.factorize(groups)[0]
    summed = np.zeros((codes.max() + 1, X.shape[1]))
    np.add.at(summed, codes, scores)
    g = summed.shape[0]
    return bread @ (summed.T @ summed) @ bread * g / (g - 1)


def _fit(y: np.ndarray, X: pd.DataFrame, w, groups):
    """Weighted logistic fit.

    (fit, covariance) with cluster-robust covariance where groups are given (statsmodels' own cluster option does not
    support variance weights).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = GLM(y, X, family=families.Binomial(), var_weights=w).fit()
    if groups is None:
        return fit, pd.DataFrame(fit.cov_params(), index=X.columns, columns=X.columns)
    cov = cluster_sandwich(np.asarray(X, dtype=float), y, np.asarray(fit.predict(X), dtype=float), w, groups)
    return fit, pd.DataFrame(cov, index=X.columns, columns=X.columns)


def _result(
    name: str, formula: str, y, X: pd.DataFrame, fit, cov: pd.DataFrame, data, used, w, extra=None, *, estimator: str
) -> ModelResult:
    se = pd.Series(np.sqrt(np.diag(cov)), index=X.columns)
    table = with_odds_ratios(coefficient_table(fit.params, se, "normal", standardised(fit.params, X, None, w)))
    return ModelResult(
        name,
        formula,
        table,
        int(fit.nobs),
        fitted=fit,
        cov=cov,
        statistics={"loglik": float(fit.llf)},
        extra=extra or {},
        std_definition=STD_LOGISTIC,
        estimator=estimator,
        **context(data, used),
    )


@fits_with_codes
def logit(
    formula: str, data: pd.DataFrame, *, weights: str | None = None, cluster: str | None = None, eval_env=0
) -> ModelResult:
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
    eval_env : int or patsy.EvalEnvironment
        where the formula's names that are not columns resolve: 0, the default, is the caller's namespace, as in
        statsmodels (``models.result.formula_environment``)

    Returns
    -------
    ModelResult
        log-odds with odds ratios, normal intervals; ``extra["design_info"]`` for ``predict``.
    """
    import patsy

    env = formula_environment(eval_env)
    used = complete_rows(formula, data, [c for c in (weights, cluster) if c], caller="logit", env=env)
    y, X = patsy.dmatrices(formula, used, return_type="dataframe", eval_env=env)
    w = _weights(used.loc[y.index], weights)
    fit, cov = _fit(
        y.iloc[:, 0].to_numpy(dtype=float), X, w, used.loc[y.index, cluster].to_numpy() if cluster else None
    )
    return _result(
        "logistic regression" + (f" (SE clustered by {cluster})" if cluster else ""),
        formula,
        y,
        X,
        fit,
        cov,
        data,
        used,
        w,
        {"design_info": X.design_info},
        estimator="logistic regression",
    )


def predict(result: ModelResult, data: pd.DataFrame) -> np.ndarray:
    """Predicted probabilities of a ``logit`` result for new data (the same columns as the data it was fitted on).

    Parameters
    ----------
    result : ModelResult
        a result of ``logit``
    data : DataFrame
        the rows to predict

    Returns
    -------
    ndarray

    Raises
    ------
    ArgumentError
        for a result of another model.
    """
    import patsy

    if "design_info" not in result.extra:
        raise ArgumentError(f"{result.model}: predicted probabilities need a logistic regression from logit()")
    with codes_in_patsy():  # a categorical column by its codes: the same matrix, without patsy's per-value loop
        (X,) = patsy.build_design_matrices([result.extra["design_info"]], data, return_type="dataframe")
    return np.asarray(result.fitted.predict(X), dtype=float)


def predicted_by_group(
    result: ModelResult, data: pd.DataFrame, groups: dict, *, by: str, labels: tuple = ("0", "1")
) -> pd.DataFrame:
    """Average predicted probabilities for each group with the 0/1 column ``by`` set to 0 and to 1.

    The other covariates as observed: a readable summary of interaction models.

    Parameters
    ----------
    result : ModelResult
        a result of ``logit``
    data : DataFrame
        the rows to average over
    groups : dict
        label -> {column: value} that makes the group (e.g. ``{"65+": {"age_65_plus": 1}}``)
    by : str
        the 0/1 column set to 0 and to 1
    labels : tuple of str
        names of the two columns of the result (e.g. ``("elsewhere", "livability problems")``)

    Returns
    -------
    DataFrame
        one row per group, one column per value of ``by``

    Examples
    --------
    >>> from wijkstudie import models
    >>> models.predicted_by_group(fit, residents, {"65+": {"age_65_plus": 1}}, by="problem")  # doctest: +SKIP
    """
    rows = []
    for label, setting in groups.items():
        for value in (0, 1):
            frame = data.assign(**setting, **{by: value})
            rows.append({"group": label, by: value, "probability": float(predict(result, frame).mean())})
    return (
        pd.DataFrame(rows)
        .pivot(index="group", columns=by, values="probability")
        .rename(columns={0: labels[0], 1: labels[1]})
        .rename_axis(columns=None)
    )


def _segment_columns(x: np.ndarray, tau: float) -> tuple[np.ndarray, np.ndarray]:
    return np.minimum(x, tau), np.maximum(x - tau, 0.0)


BOOTSTRAP_SEED = 20240601


@fits_with_codes
def segmented_logit(
    formula: str,
    data: pd.DataFrame,
    *,
    weights: str | None = None,
    cluster: str | None = None,
    grid=None,
    bootstrap: int = 999,
    seed: int = BOOTSTRAP_SEED,
    eval_env=0,
) -> ModelResult:
    """Logistic regression of the formula's outcome on the predictor it marks ``seg(x)``.

    Whose slope changes at an estimated breakpoint tau, and on the formula's other terms (the covariates): logit P = a +
    b1 * min(x, tau) + b2 * max(x - tau, 0) + covariates.

    tau is the grid value with the highest (weighted) log-likelihood, the profile computed at every grid value
    (Newton's method, each fit started from its neighbour's). Two 95 % intervals of tau:

    - ``breakpoint_ci``: every tau whose likelihood-ratio statistic against the best is below the chi-square(1)
      critical value 3.84. It treats the rows as independent, so with clustered data it is too narrow.
    - ``breakpoint_ci_bootstrap``: a percentile interval from a cluster bootstrap: ``bootstrap`` replicates,
      each drawing the clusters (``cluster``; every row on its own without one) with replacement, seeded by
      ``seed``, each replicate's breakpoint the argmax of its profile over the grid.

    Refitting every replicate at every grid value would take hours, so a replicate's profile is the one-step
    (estimating-function) approximation: at every grid tau the full-sample estimate beta(tau) is kept, with
    each cluster's log-likelihood ll_c, summed score s_c and summed information H_c at it. A replicate with
    cluster multiplicities m_c then has the profile log-likelihood

        loglik*(tau) = sum_c m_c ll_c + 0.5 g' H^-1 g,   g = sum_c m_c s_c,   H = sum_c m_c H_c,

    the log-likelihood after one Newton step from beta(tau): exact for a quadratic log-likelihood, and its
    error shrinks as the clusters grow in number (a replicate's estimate lies O(1 / sqrt(clusters)) from
    beta(tau)). All replicates are done at once with matrix products; without ``cluster`` the cost grows with
    the number of rows.

    Parameters
    ----------
    formula : str
        the 0/1 outcome on ``seg(x)``, one column ``x`` whose slope changes, and the covariates, e.g.
        ``"participates ~ seg(years_at_address) + C(tenure) + C(age_group)"``
    data : DataFrame
    weights : str, optional
        survey weights (normalised to mean 1)
    cluster : str, optional
        the clusters (e.g. the buurt of each resident): sandwich standard errors and the bootstrap's units
    grid : array, optional
        the breakpoints tried (by default steps of 0.25 from the 5th to the 90th percentile of ``x``)
    bootstrap : int
        bootstrap replicates (999 by default; 0 skips the bootstrap)
    seed : int
        seeds the bootstrap draws, so results repeat
    eval_env : int or patsy.EvalEnvironment
        where the formula's names that are not columns resolve: 0, the default, is the caller's namespace, as in
        statsmodels (``models.result.formula_environment``)

    Returns
    -------
    ModelResult
        its formula the one given with ``seg(x, tau)``; at the best tau: terms ``before`` and ``after`` are the
        slopes per unit of ``x`` before and after the breakpoint (``equivalence_test`` of ``after`` against a margin
        asks whether the effect flattens out).
        ``extra``: ``breakpoint``, ``breakpoint_ci`` (likelihood ratio), ``breakpoint_ci_bootstrap`` (None
        without a bootstrap), ``bootstrap`` (``replicates``, ``method``, ``seed``, ``clusters``,
        ``breakpoints``: each replicate's), ``profile`` (tau, loglik), ``at_grid_edge``, ``x`` (the
        predictor's name) and ``design`` (builds the design at a tau, for ``segmented_curve``).

    Raises
    ------
    WijkstudieError
        for a formula without exactly one ``seg(x)`` term, fewer than 50 complete rows or a negative number of
        replicates.

    Examples
    --------
    >>> from wijkstudie import models
    >>> fit = models.segmented_logit("participates ~ seg(years_at_address) + owner", residents)  # doctest: +SKIP
    """
    import patsy

    if int(bootstrap) != bootstrap or bootstrap < 0:
        raise ArgumentError(f"segmented_logit: bootstrap is a number of replicates (0 or more), not {bootstrap!r}")
    env = formula_environment(eval_env)
    x, covariates = _segmented_term(formula)
    used = complete_rows(formula, data, [c for c in (weights, cluster) if c], caller="segmented_logit", env=env)
    if len(used) < 50:
        raise ArgumentError(f"segmented_logit: only {len(used)} complete rows")
    xv = used[x].to_numpy(dtype=float)
    if grid is None:
        lo, hi = np.quantile(xv, [0.05, 0.9])
        grid = np.round(np.arange(max(lo, 0.25), hi, 0.25), 2)
    grid = np.asarray(grid, dtype=float)
    w = _weights(used, weights)
    # the design matrix of the covariates is built once; only the two segment columns change with tau
    y, covs = patsy.dmatrices(covariates, used, return_type="dataframe", eval_env=env)
    yv = y.iloc[:, 0].to_numpy(dtype=float)
    segments = SegmentedDesign(xv, covs.to_numpy(dtype=float))

    def design(tau):
        before, after = _segment_columns(xv, tau)
        return pd.concat(
            [covs.iloc[:, :1], pd.DataFrame({"before": before, "after": after}, index=covs.index), covs.iloc[:, 1:]],
            axis=1,
        )

    logliks, betas = profile_loglik(yv, segments, w, grid)
    profile = pd.DataFrame({"tau": grid, "loglik": logliks})
    best = int(np.argmax(logliks))
    critical = stats.chi2.ppf(0.95, 1) / 2
    inside = grid[logliks >= logliks[best] - critical]
    tau = float(grid[best])
    X = design(tau)
    fit, cov = _fit(yv, X, w, used[cluster].to_numpy() if cluster else None)
    extra = {
        "breakpoint": tau,
        "breakpoint_ci": (float(inside.min()), float(inside.max())),
        "breakpoint_ci_bootstrap": None,
        "bootstrap": {"replicates": 0, "method": "none"},
        "profile": profile,
        "at_grid_edge": tau in (grid[0], grid[-1]),
        "x": x,
        "design": design,
    }
    if bootstrap:
        codes = pd.factorize(used[cluster])[0] if cluster else np.arange(len(used))
        extra.update(
            _bootstrap_breakpoint(
                yv,
                segments,
                w,
                codes,
                grid,
                betas,
                int(bootstrap),
                seed,
                f"clusters of {cluster}" if cluster else "rows",
            )
        )
    return _result(
        f"segmented logistic regression (breakpoint {tau:g})",
        formula.replace(f"seg({x})", f"seg({x}, tau)", 1),
        y,
        X,
        fit,
        cov,
        data,
        used,
        w,
        extra,
        estimator="segmented logistic regression",
    )


def _call_of(code: str, function: str):
    """The ``ast.Call`` of ``function(...)`` a formula factor is, or None."""
    import ast

    try:
        node = ast.parse(code.strip(), mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == function:
        return node
    return None


def _segmented_term(formula: str):
    """(x, the formula without its ``seg(x)`` term).

    The column whose slope changes and the outcome on the covariates (a ``patsy.ModelDesc``).
    """
    import ast

    import patsy

    description = patsy.ModelDesc.from_formula(formula)
    marked = [t for t in description.rhs_termlist if len(t.factors) == 1 and _call_of(t.factors[0].code, "seg")]
    calls = [_call_of(t.factors[0].code, "seg") for t in marked]
    if len(marked) != 1 or len(calls[0].args) != 1 or not isinstance(calls[0].args[0], ast.Name):
        raise ArgumentError(
            f"segmented_logit: the formula marks the one column whose slope changes as seg(x), e.g. "
            f"'y ~ seg(x) + z'; {formula!r} has {len(marked)} seg() terms"
        )
    rest = [t for t in description.rhs_termlist if t is not marked[0]]
    if patsy.INTERCEPT not in rest:
        raise ArgumentError(f"segmented_logit: the model needs its intercept ({formula!r} removes it)")
    return calls[0].args[0].id, patsy.ModelDesc(description.lhs_termlist, rest)


def _bootstrap_breakpoint(y, segments, w, codes, grid, betas, replicates: int, seed: int, units: str) -> dict:
    """The cluster bootstrap of ``segmented_logit``: its percentile interval and what was done."""
    multiplicities = cluster_multiplicities(int(codes.max()) + 1, replicates, seed)
    taus = grid[np.argmax(one_step_profiles(y, segments, w, codes, grid, betas, multiplicities), axis=1)]
    low, high = np.quantile(taus, [0.025, 0.975], method="inverted_cdf")
    return {
        "breakpoint_ci_bootstrap": (float(low), float(high)),
        "bootstrap": {
            "replicates": replicates,
            "seed": seed,
            "clusters": multiplicities.shape[1],
            "breakpoints": taus,
            "method": f"cluster bootstrap ({units} drawn with replacement), "
            "one-step profile over the grid, 95 % percentile interval",
        },
    }


class SegmentedDesign:
    """The design of a segmented fit as numpy columns.

    Intercept, ``before``, ``after``, then the covariates (the order of ``segmented_logit``'s table).
    """

    def __init__(self, x: np.ndarray, covariates: np.ndarray):
        self.x, self.covariates = x, covariates

    def at(self, tau: float) -> np.ndarray:
        """The design matrix with the breakpoint at ``tau``.

        Parameters
        ----------
        tau : float
            the breakpoint

        Returns
        -------
        ndarray
        """
        before, after = _segment_columns(self.x, tau)
        return np.column_stack([self.covariates[:, :1], before, after, self.covariates[:, 1:]])


def _loglik(y: np.ndarray, eta: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Each row's weighted log-likelihood of a logistic model (statsmodels' GLM with ``var_weights``)."""
    return w * (y * eta - np.logaddexp(0.0, eta))


def newton_logit(y: np.ndarray, X: np.ndarray, w: np.ndarray, start=None, max_iter: int = 50):
    """The weighted logistic maximum-likelihood estimate by Newton's method with step halving.

    Parameters
    ----------
    y : ndarray
        the 0/1 outcome
    X : ndarray
        the design
    w : ndarray
        the weights
    start : array-like, optional
        the starting estimate
    max_iter : int
        Newton steps at most

    Returns
    -------
    tuple or None
        ``(beta, loglik)``, or None when the information is singular or the steps do not settle (the caller then
        falls back on statsmodels)
    """
    beta = np.zeros(X.shape[1]) if start is None else np.array(start, dtype=float)
    ll = float(_loglik(y, X @ beta, w).sum())
    for _ in range(max_iter):
        eta = X @ beta
        p = 1.0 / (1.0 + np.exp(-eta))
        try:
            step = np.linalg.solve(X.T @ (X * (w * p * (1 - p))[:, None]), X.T @ (w * (y - p)))
        except np.linalg.LinAlgError:
            return None
        length = 1.0
        while True:
            candidate = beta + length * step
            ll_new = float(_loglik(y, X @ candidate, w).sum())
            if ll_new >= ll - 1e-9 * abs(ll) or length < 1e-3:
                break
            length /= 2
        beta, change, ll = candidate, ll_new - ll, ll_new
        if np.max(np.abs(length * step)) < 1e-9 or abs(change) < 1e-12 * abs(ll):
            return beta, ll
    return None


def profile_loglik(y: np.ndarray, segments: SegmentedDesign, w, grid) -> tuple[np.ndarray, list]:
    """The profile log-likelihood of the breakpoint over a grid, and the estimates at every breakpoint.

    Parameters
    ----------
    y : ndarray
        the 0/1 outcome
    segments : SegmentedDesign
        the design
    w : ndarray or None
        the weights
    grid : array-like
        the breakpoints to try

    Returns
    -------
    tuple
        ``(log-likelihoods, estimates)``
    """
    w = np.ones(len(y)) if w is None else w
    logliks, betas, start = np.empty(len(grid)), [], None
    for i, tau in enumerate(grid):
        X = segments.at(tau)
        found = newton_logit(y, X, w, start)
        if found is None:  # singular or unsettled: statsmodels' IRLS (with its pseudo-inverse) decides
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                glm = GLM(y, X, family=families.Binomial(), var_weights=w).fit()
            found = (np.asarray(glm.params), float(glm.llf))
        start, logliks[i] = found
        betas.append(start)
    return logliks, betas


def cluster_multiplicities(clusters: int, replicates: int, seed: int) -> np.ndarray:
    """How often each cluster is drawn in each bootstrap replicate, seeded.

    Kept as small integers, drawn in batches to bound memory.

    Parameters
    ----------
    clusters : int
        the number of clusters
    replicates : int
        the number of replicates
    seed : int
        the random seed

    Returns
    -------
    ndarray
        replicates x clusters; each row sums to the number of clusters
    """
    rng = np.random.default_rng(seed)
    out = np.empty((replicates, clusters), dtype=np.uint16)
    batch = max(1, 2_000_000 // clusters)
    for start in range(0, replicates, batch):
        size = min(batch, replicates - start)
        out[start : start + size] = rng.multinomial(clusters, np.full(clusters, 1.0 / clusters), size=size)
    return out


class ClusterBlocks:
    """Rows grouped by cluster into zero-padded blocks of clusters of similar size.

    (sizes up to the next power of two, so at most half of a block is padding): each cluster's sums of scores and
    information are then batched matrix products.
    """

    def __init__(self, codes: np.ndarray):
        self.codes = np.asarray(codes)
        self.clusters = int(self.codes.max()) + 1
        sizes = np.bincount(self.codes, minlength=self.clusters)
        order = np.argsort(self.codes, kind="stable")
        position = np.empty(len(order), dtype=np.int64)
        position[order] = np.arange(len(order)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        size_class = np.ceil(np.log2(np.maximum(sizes, 1))).astype(int)
        self.blocks = []
        for size in np.unique(size_class):
            members = np.flatnonzero(size_class == size)
            local = np.full(self.clusters, -1)
            local[members] = np.arange(len(members))
            rows = np.flatnonzero(local[self.codes] >= 0)
            self.blocks.append((members, rows, local[self.codes[rows]], position[rows], int(sizes[members].max())))

    def sums(self, X: np.ndarray, residual: np.ndarray, variance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per cluster: the summed score X' residual and information X' diag(variance) X.

        Parameters
        ----------
        X : ndarray
            the design
        residual, variance : ndarray
            per row

        Returns
        -------
        tuple of ndarray
            ``(score: clusters x k, information: clusters x (upper triangle of k x k))``
        """
        k = X.shape[1]
        score, info = np.zeros((self.clusters, k)), np.zeros((self.clusters, k, k))
        for members, rows, local, position, width in self.blocks:
            padded = np.zeros((len(members), width, k))
            padded[local, position] = X[rows]
            weights = np.zeros((len(members), width, 2))
            weights[local, position] = np.column_stack([residual[rows], variance[rows]])
            score[members] = np.einsum("cik,ci->ck", padded, weights[:, :, 0])
            info[members] = np.matmul(padded.transpose(0, 2, 1), padded * weights[:, :, 1:])
        return score, info


def one_step_profiles(
    y: np.ndarray, segments: SegmentedDesign, w, codes: np.ndarray, grid, betas, multiplicities: np.ndarray
) -> np.ndarray:
    """Every bootstrap replicate's one-step profile log-likelihood over the grid (see ``segmented_logit``).

    At each breakpoint the clusters' log-likelihoods, scores and information at the full-sample estimate, combined by
    the replicates' cluster multiplicities.

    Parameters
    ----------
    y : ndarray
        the 0/1 outcome
    segments : SegmentedDesign
        the design
    w : ndarray or None
        the weights
    codes : ndarray
        the cluster of every row (0, 1, ...)
    grid : array-like
        the breakpoints
    betas : list of ndarray
        the full-sample estimate at each breakpoint
    multiplicities : ndarray
        replicates x clusters (``cluster_multiplicities``)

    Returns
    -------
    ndarray
        replicates x grid
    """
    w = np.ones(len(y)) if w is None else w
    blocks = ClusterBlocks(codes)
    k = len(betas[0])
    upper = np.triu_indices(k)
    batch = max(1, 4_000_000 // blocks.clusters)
    out = np.empty((multiplicities.shape[0], len(grid)))
    for i, tau in enumerate(grid):
        X = segments.at(tau)
        eta = X @ betas[i]
        p = 1.0 / (1.0 + np.exp(-eta))
        ll_c = np.bincount(codes, _loglik(y, eta, w), minlength=blocks.clusters)
        score_c, info_c = blocks.sums(X, w * (y - p), w * p * (1 - p))
        info_c = info_c[:, upper[0], upper[1]]
        for start in range(0, len(out), batch):
            m = multiplicities[start : start + batch].astype(float)
            out[start : start + len(m), i] = m @ ll_c + _newton_gain(m @ score_c, m @ info_c, upper, k)
    return out


def _newton_gain(g: np.ndarray, info_upper: np.ndarray, upper, k: int) -> np.ndarray:
    """0.5 g' H^-1 g for a stack of scores and (upper triangles of) information matrices.

    What one Newton step adds to the log-likelihood.
    """
    info = np.zeros((len(g), k, k))
    info[:, upper[0], upper[1]] = info_upper
    info[:, upper[1], upper[0]] = info_upper
    try:
        step = np.linalg.solve(info, g[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:  # a replicate without some category: the pseudo-inverse
        step = np.einsum("bij,bj->bi", np.linalg.pinv(info), g)
    return 0.5 * np.einsum("bi,bi->b", g, step)


def segmented_curve(result: ModelResult, x_values=None) -> pd.DataFrame:
    """Predicted probabilities over the predictor of a ``segmented_logit`` result.

    The covariates at their observed values (averaged over the sample).

    Parameters
    ----------
    result : ModelResult
        a result of ``segmented_logit``
    x_values : array-like, optional
        where to predict (default: 80 points from 0.25 to 20)

    Returns
    -------
    DataFrame
        the predictor and ``probability``

    Raises
    ------
    ArgumentError
        for a result of another model.
    """
    if "breakpoint" not in result.extra:
        raise ArgumentError(f"{result.model}: a curve of a segmented fit needs a result of segmented_logit()")
    design, tau, x = result.extra["design"], result.extra["breakpoint"], result.extra["x"]
    xs = np.linspace(0.25, 20, 80) if x_values is None else np.asarray(x_values, dtype=float)
    base = design(tau)
    # p(v) = mean over rows of expit(eta_row + b1 * min(v, tau) + b2 * max(v - tau, 0)): the covariates' part of eta
    # is the same at every v, so it is computed once
    params = np.asarray(result.fitted.params, dtype=float)
    columns = list(base.columns)
    slope_before, slope_after = params[columns.index("before")], params[columns.index("after")]
    rest = base.to_numpy(dtype=float) @ params - base["before"].to_numpy() * slope_before
    rest = rest - base["after"].to_numpy() * slope_after
    before, after = _segment_columns(xs, tau)
    eta = rest[None, :] + (before * slope_before + after * slope_after)[:, None]
    probs = (1.0 / (1.0 + np.exp(-eta))).mean(axis=1)
    return pd.DataFrame({x: xs, "probability": probs})


@fits_with_codes
def spline_logit(formula: str, data: pd.DataFrame, *, weights: str | None = None, eval_env=0) -> ModelResult:
    """A weighted logistic regression with a B-spline of one predictor (patsy's ``bs(x, df=5)`` in the formula).

    The shape of a relation without a breakpoint, beside ``segmented_logit``.

    Parameters
    ----------
    formula : str
        the 0/1 outcome on one ``bs(x, ...)`` term of a column ``x`` and the covariates, e.g.
        ``"participates ~ bs(years_at_address, df=5) + C(tenure)"``
    data : DataFrame
        one row per respondent
    weights : str, optional
        survey weights
    eval_env : int or patsy.EvalEnvironment
        where the formula's names that are not columns resolve: 0, the default, is the caller's namespace, as in
        statsmodels (``models.result.formula_environment``)

    Returns
    -------
    ModelResult
        the spline's terms (not meant to be read one by one); ``extra["curve"]``: predicted probabilities over
        ``x`` (from its 1st to 95th percentile), the covariates at their observed values, averaged.

    Raises
    ------
    WijkstudieError
        for a formula without exactly one ``bs(x, ...)`` term of a column.

    Examples
    --------
    >>> from wijkstudie import models
    >>> formula = "participates ~ bs(years_at_address, df=5)"
    >>> fit = models.spline_logit(formula, residents, weights="weight")  # doctest: +SKIP
    """
    env = formula_environment(eval_env)
    x, df = _spline_term(formula)
    used = complete_rows(formula, data, [weights] if weights else [], caller="spline_logit", env=env)
    w = _weights(used, weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = GLM.from_formula(
            formula, used, family=families.Binomial(), var_weights=w, eval_env=formula_namespace(formula, env)
        ).fit()
    xs = np.linspace(used[x].quantile(0.01), used[x].quantile(0.95), 60)
    sample = used.sample(min(len(used), 3000), random_state=0)
    stacked = pd.concat([sample] * len(xs), ignore_index=True).assign(**{x: np.repeat(xs, len(sample))})
    probability = np.asarray(fit.predict(stacked)).reshape(len(xs), len(sample)).mean(axis=1)  # one predict, not 60
    curve = pd.DataFrame({x: xs, "probability": probability})
    X = pd.DataFrame(fit.model.exog, columns=fit.model.exog_names)
    cov = pd.DataFrame(fit.cov_params(), index=X.columns, columns=X.columns)
    return _result(
        f"logistic regression with a B-spline of {x}" + (f" (df {df})" if df is not None else ""),
        formula,
        None,
        X,
        fit,
        cov,
        data,
        used,
        w,
        {"curve": curve},
        estimator="spline logistic regression",
    )


def _spline_term(formula: str) -> tuple[str, object]:
    """(x, its degrees of freedom or None) of the formula's one ``bs(x, ...)`` term."""
    import ast

    import patsy

    calls = [
        call
        for term in patsy.ModelDesc.from_formula(formula).rhs_termlist
        for factor in term.factors
        if (call := _call_of(factor.code, "bs")) is not None
    ]
    if len(calls) != 1 or not calls[0].args or not isinstance(calls[0].args[0], ast.Name):
        raise ArgumentError(
            f"spline_logit: the formula has one spline of a column, bs(x, df=5), e.g. 'y ~ bs(x, df=5) + z'; "
            f"{formula!r} has {len(calls)}"
        )
    df = next((k.value for k in calls[0].keywords if k.arg == "df"), None)
    return calls[0].args[0].id, df.value if isinstance(df, ast.Constant) else None
