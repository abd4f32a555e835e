"""Regression of a neighbourhood outcome on its composition."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS, WLS

from ..core.columns import require_columns
from ..core.errors import ArgumentError
from .categorical_codes import fits_with_codes
from .cluster import cr1, cr2, description, resolve_correction
from .evidence import outcome_of, term_evidence, warn_model_implied, warn_shared_source_units
from .result import (
    STD_LINEAR,
    ModelResult,
    coefficient_table,
    complete_rows,
    context,
    formula_columns,
    formula_environment,
    formula_namespace,
    standardised,
)

AREA_COV_TYPES = ("HC3", "HC2", "HC1", "HC0", "nonrobust")  # statsmodels' names


@fits_with_codes
def area_regression(
    formula: str,
    data: pd.DataFrame,
    *,
    weights: str | None = None,
    cov_type: str = "HC3",
    cluster: str | None = None,
    cluster_correction: str = "auto",
    eval_env=0,
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
        cluster-robust (see ``cluster_correction``). Rows without a cluster value are left out.
    cluster_correction : str
        with ``cluster``: ``"CR2"`` (Bell-McCaffrey's bias-reduced errors; each term's interval and p-value from
        t with its own Bell-McCaffrey (Satterthwaite) degrees of freedom, ``models.cluster``), ``"CR1"``
        (statsmodels' ``cov_type="cluster"``, with its small-sample correction, and t(G - 1), G the number of
        clusters) or ``"auto"`` (the default: CR2 with fewer than 30 clusters, else CR1)
    eval_env : int or patsy.EvalEnvironment
        where the formula's names that are not columns resolve (``np.log``, a function or variable of the caller's):
        0, the default, is the caller's namespace, as in statsmodels (``models.result.formula_environment``)

    Returns
    -------
    ModelResult
        intervals and p-values from the t distribution with the residual degrees of freedom (with ``cluster``:
        per term Bell-McCaffrey's for CR2, G - 1 for CR1; ``df`` holds them by term); ``std_estimate`` by
        ``standardised`` (weighted when the fit is); ``statistics["r2"]``; with ``cluster``: ``extra["clusters"]``
        (G), ``cluster_correction`` ("CR2" or "CR1") and ``clustering`` (the ``ClusterCovariance``, which gives a
        contrast its own degrees of freedom); ``fitted`` is the statsmodels result (fitted with
        ``cov_type="cluster"``, so its own standard errors are CR1's even where the table's are CR2's); ``evidence``:
        term -> ``EvidenceKind`` record (``models.evidence``).

    Raises
    ------
    WijkstudieError
        for a missing weight or cluster column, fewer than five complete rows or fewer than five clusters.

    Warns
    -----
    ModelImpliedWarning
        once, when the outcome is a model-based small-area estimate (its table's provenance says so) and a term
        measures one of that model's predictors; ``evidence`` records the kind of every term (``models.evidence``)
    SharedSourceUnitWarning
        once, without ``cluster``, when harmonised rows share a source unit (``source_code_<division>``)
    """
    env = formula_environment(eval_env)
    if cov_type not in AREA_COV_TYPES:
        raise ArgumentError(f"area_regression: cov_type must be one of {', '.join(AREA_COV_TYPES)}, not {cov_type!r}")
    require_columns(data, [weights], "area_regression", role="weight column")
    require_columns(data, [cluster], "area_regression", role="cluster column")
    used = complete_rows(formula, data, [c for c in (weights, cluster) if c], caller="area_regression", env=env)
    if weights is not None:
        used = used[used[weights] > 0]
    if len(used) < 5:
        raise ArgumentError(f"area_regression: only {len(used)} complete rows for {formula!r}")
    w = used[weights].astype(float) if weights else None
    read = used[formula_columns(formula, used)]  # what patsy reads (statsmodels copies text columns otherwise)
    if weights:
        model = WLS.from_formula(formula, data=read, weights=w, eval_env=formula_namespace(formula, env))
    else:
        model = OLS.from_formula(formula, data=read, eval_env=formula_namespace(formula, env))
    dropped = getattr(model.data, "missing_row_idx", None)  # positions of rows a transform made missing (np.log of 0)
    if dropped is not None and len(dropped):
        kept = np.ones(len(used), dtype=bool)
        kept[np.asarray(dropped, dtype=int)] = False
        used, w = used[kept], None if w is None else w[kept]  # the weights and clusters of the rows the model kept
        if len(used) < 5:
            raise ArgumentError(f"area_regression: only {len(used)} complete rows for {formula!r}")
    extra, notes = {}, [f"weighted by {weights}"] if weights else []
    clustering = None
    if cluster is None:
        fit = model.fit(cov_type=cov_type, use_t=True)
        distribution = f"t({int(fit.df_resid)})"
        cov, se, df = fit.cov_params(), fit.bse, dict.fromkeys(fit.params.index, float(fit.df_resid))
    else:
        groups = pd.factorize(used[cluster])[0]
        extra["clusters"] = clusters = int(groups.max() + 1)
        correction = resolve_correction(cluster_correction, clusters, caller="area_regression")
        needed = 3 if correction == "CR2" else 5  # CR2's Bell-McCaffrey df carry the few clusters; CR1 needs more
        if clusters < needed:
            raise ArgumentError(
                f"area_regression: only {clusters} clusters of {cluster!r}; clustered errors ({correction}) need at "
                f"least {needed}"
            )
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
        names = list(fit.model.exog_names)
        if correction == "CR2":
            resid = fit.model.endog - fit.model.exog @ fit.params.to_numpy()
            clustering = cr2(fit.model.exog, resid, groups, weights=None if w is None else w.to_numpy(), names=names)
        else:
            clustering = cr1(fit, groups, names)
        cov, df = clustering.cov, clustering.df.to_dict()
        with np.errstate(invalid="ignore"):  # a term no cluster varies in (a wave few clusters have): no error
            se = pd.Series(np.sqrt(np.diag(cov)), index=names)
        distribution = pd.Series({term: clustering.distribution(term) for term in names})
        extra["cluster_correction"] = correction
        notes.append(f"errors clustered by {cluster}: {description(correction, clusters)}")
    design = pd.DataFrame(fit.model.exog, columns=fit.model.exog_names)
    std = standardised(fit.params, design, fit.model.endog, None if w is None else w.to_numpy())
    table = coefficient_table(fit.params, se, distribution, std)
    where = context(data, used)
    evidence = term_evidence(where["provenance"], outcome_of(formula), table.index)
    warn_model_implied(evidence)
    if cluster is None:
        warn_shared_source_units(used, caller="area_regression")
    return ModelResult(
        "area regression" + (f" ({'; '.join(notes)})" if notes else ""),
        formula,
        table,
        int(fit.nobs),
        fitted=fit,
        cov=cov,
        statistics={"r2": float(fit.rsquared), "r2_adj": float(fit.rsquared_adj)},
        extra=extra,
        std_definition=STD_LINEAR,
        estimator="weighted regression" if weights else "regression",
        df=df,
        cluster_correction=clustering.correction if clustering else "",
        clustering=clustering if clustering is not None and clustering.correction == "CR2" else None,
        evidence=evidence,
        **where,
    )
