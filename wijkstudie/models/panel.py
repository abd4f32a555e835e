"""Within-area (fixed effects) estimates for areas observed over several years."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS

from ..core.columns import require_columns
from ..core.errors import ArgumentError
from .categorical_codes import fits_with_codes
from .cluster import cr1, cr2, description, resolve_correction
from .evidence import outcome_of, term_evidence, warn_model_implied
from .result import (
    STD_LINEAR,
    ModelResult,
    coefficient_table,
    complete_rows,
    context,
    formula_environment,
    standardised,
)


@fits_with_codes
def within_estimate(
    formula: str,
    data: pd.DataFrame,
    *,
    entity: str = "region_code",
    time: str | None = None,
    cov_type: str = "cluster",
    cluster_correction: str = "auto",
    eval_env=0,
) -> ModelResult:
    """Fixed-effects estimate.

    Every variable is demeaned within ``entity`` (and ``time`` when given, for year effects), so only change within an
    area over the years identifies the slope.

    Parameters
    ----------
    formula : str
        outcome ~ predictors (no intercept is estimated: the area means absorb it)
    entity, time : str
        the columns naming the area and, optionally, the year (two-way demeaning)
    cov_type : str
        ``"cluster"`` (by entity, see ``cluster_correction``) or ``"nonrobust"`` (equal to ordinary least squares
        with one dummy per area, t(n - k - absorbed means))
    cluster_correction : str
        with ``cov_type="cluster"``: ``"CR2"`` (Bell-McCaffrey's bias-reduced errors, each term tested against t
        with its own Bell-McCaffrey degrees of freedom; the year effects enter the hat matrix, the area means need
        not: Pustejovsky & Tipton 2018, Theorem 2), ``"CR1"`` (statsmodels' cluster-robust errors and t(number of
        areas - 1)) or ``"auto"`` (the default: CR2 with fewer than 30 areas, else CR1)
    eval_env : int or patsy.EvalEnvironment
        where the formula's names that are not columns resolve: 0, the default, is the caller's namespace, as in
        statsmodels (``models.result.formula_environment``)

    Returns
    -------
    ModelResult
        ``statistics["r2_within"]``; ``extra``: ``areas`` (observed more than once), ``dof`` and, clustered,
        ``clusters`` and ``cluster_correction``; ``df``: each term's degrees of freedom.
        ``std_estimate`` is standardised like every linear model's (``models.result.standardised``): by the
        standard deviations of the raw predictor and outcome over the rows used (areas seen more than once),
        unweighted as the fit is, not by the smaller within-area (demeaned) ones, so that it can be set beside
        a cross-sectional estimate.
    """
    import patsy

    env = formula_environment(eval_env)
    if cov_type not in ("cluster", "nonrobust"):
        raise ArgumentError(f"within_estimate: cov_type must be 'cluster' or 'nonrobust', not {cov_type!r}")
    needed = [entity] + ([time] if time else [])
    require_columns(data, needed, "within_estimate")
    used = complete_rows(formula, data, needed, caller="within_estimate", env=env)
    y, X = patsy.dmatrices(formula + " - 1", used, return_type="dataframe", NA_action="drop", eval_env=env)
    keys = used.loc[y.index, needed]
    counts = keys[entity].map(keys[entity].value_counts())
    keep = counts > 1  # an area seen once carries no within information
    y, X, keys = y[keep], X[keep], keys[keep]
    if len(y) < 3 or keys[entity].nunique() < 2:
        raise ArgumentError("within_estimate: too few areas observed more than once")
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
        raise ArgumentError("within_estimate: no degrees of freedom left")
    ols = OLS(yd, Xd)
    extra, clustering, label = {"areas": int(keys[entity].nunique()), "dof": dof}, None, ""
    if cov_type == "cluster":
        groups = pd.factorize(keys[entity])[0]
        fit = ols.fit(cov_type="cluster", cov_kwds={"groups": groups})
        correction = resolve_correction(cluster_correction, extra["areas"], caller="within_estimate")
        if correction == "CR2":
            nuisance = None
            if time:  # the year dummies (one left out), demeaned within areas: the year effects' part of the hat matrix
                years = pd.get_dummies(keys[time]).iloc[:, 1:].astype(float)
                nuisance = (years - years.groupby(keys[entity]).transform("mean")).to_numpy()
            clustering = cr2(Xd.to_numpy(), fit.resid.to_numpy(), groups, nuisance=nuisance, names=list(Xd.columns))
        else:
            clustering = cr1(fit, groups, list(Xd.columns))
        cov = clustering.cov.to_numpy()
        distribution = pd.Series({term: clustering.distribution(term) for term in Xd.columns})
        df = clustering.df.to_dict()
        extra.update(clusters=extra["areas"], cluster_correction=correction)
        label = f" ({description(correction, extra['areas'])})"
    else:
        fit = ols.fit()
        cov = fit.cov_params() * (n - k) / dof
        distribution = f"t({dof})"
        df = dict.fromkeys(Xd.columns, float(dof))
    se = pd.Series(np.sqrt(np.diag(cov)), index=Xd.columns)
    table = coefficient_table(fit.params, se, distribution, standardised(fit.params, X, y.iloc[:, 0]))
    total = float(np.sum(yd**2))
    r2_within = 1 - float(np.sum(fit.resid**2)) / total if total > 0 else np.nan
    used_rows = used.loc[keys.index]
    where = context(data, used_rows)
    evidence = term_evidence(where["provenance"], outcome_of(formula), table.index)
    warn_model_implied(evidence)
    return ModelResult(
        "within-area (fixed effects)" + (" with year effects" if time else "") + label,
        formula,
        table,
        n,
        fitted=fit,
        cov=pd.DataFrame(cov, index=Xd.columns, columns=Xd.columns),
        statistics={"r2_within": r2_within},
        extra=extra,
        std_definition=STD_LINEAR,
        estimator="within-area",
        df=df,
        cluster_correction=clustering.correction if clustering else "",
        clustering=clustering if clustering is not None and clustering.correction == "CR2" else None,
        evidence=evidence,
        **where,
    )
