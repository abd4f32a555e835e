"""The one result type every model returns, and the helpers all models share.

A ``ModelResult`` holds:

- ``table``: one row per term with ``estimate``, ``std_error``, ``ci_low``, ``ci_high`` (95 %), ``p_value``,
  ``std_estimate`` (see ``standardised``) and ``distribution`` (the reference distribution the estimator implies
  for its tests and intervals: ``t(df)`` or ``normal``); logistic models add odds ratios;
- ``n``, ``statistics`` (R², log-likelihood, ... where the model has them) and ``years`` (of the rows used);
- ``provenance``: real, synthetic or unknown, and from which sources (``wijkstudie.provenance``);
- ``fitted``: the fitted statsmodels, spreg or scipy object, for anything the table does not show;
- ``cov``: the covariance of the estimates, which ``contrast`` uses;
- ``extra``: what only some models have, documented per model (a breakpoint and its interval, the spatial
  parameter, the intraclass correlation, a fitted curve).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats

from ..core.columns import require_columns
from ..core.errors import ArgumentError, MissingRecordError
from ..core.evidence import MODEL_IMPLIED
from ..core.provenance import UNKNOWN, Provenance, provenance_of


@dataclass
class ModelResult:
    """The result of any wijkstudie model.

    A tidy table of terms (estimate, standard error, 95 % interval from the distribution the estimator implies, p-value,
    standardised estimate), n, fit statistics, provenance, the fitted statsmodels/spreg/scipy object (``fitted``), the
    covariance of the estimates (``cov``), and model-specific extras (``extra``: a breakpoint and its interval, the
    spatial parameter, the intraclass correlation, a fitted curve).

    Examples
    --------
    >>> from wijkstudie import models
    >>> fit = models.area_regression("pct_volunteering ~ pct_owner_occupied", table)  # doctest: +SKIP
    >>> fit.term("pct_owner_occupied")["std_estimate"], fit.provenance.kind  # doctest: +SKIP
    """

    model: str
    formula: str
    table: pd.DataFrame
    n: int
    provenance: Provenance = UNKNOWN
    fitted: object = field(default=None, repr=False)
    cov: pd.DataFrame | None = field(default=None, repr=False)
    statistics: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict, repr=False)
    years: str = ""
    std_definition: str = ""
    divisions: str = ""  # the regional division(s) of the rows used (their ``division_year``)
    estimator: str = ""  # what was fitted, e.g. "weighted regression", "within-area", "logistic regression"
    df: dict = field(default_factory=dict)  # term -> degrees of freedom of its t test (none for a normal test)
    cluster_correction: str = ""  # "CR2" or "CR1" for clustered errors, else ""
    clustering: object = field(default=None, repr=False)  # the models.cluster.ClusterCovariance of clustered errors
    evidence: dict = field(default_factory=dict)  # term -> EvidenceKind record (models.evidence), when known
    call: object = field(default=None, repr=False)  # the models.call.Call that fitted it (a formula model's)

    # what the provenance says, as plain attributes
    @property
    def data_kind(self) -> str:
        """The kind of data the model was fitted on: ``real``, ``synthetic`` or ``unknown``."""
        return self.provenance.kind

    @property
    def source(self) -> str:
        """The sources of the data, in words (``"kwb 2022, rivm-gezondheid 2020"``)."""
        return self.provenance.source_text()

    @property
    def level(self) -> str:
        """The levels of the rows used (``"wijk"``)."""
        return ", ".join(self.provenance.levels)

    @property
    def r2(self) -> float | None:
        """R² (within-area R² for fixed-effects estimates), where the model has one."""
        return self.statistics.get("r2", self.statistics.get("r2_within"))

    def term(self, name: str) -> pd.Series:
        """One row of the table.

        Parameters
        ----------
        name : str
            a term

        Returns
        -------
        Series

        Raises
        ------
        ArgumentError
            naming the model and its terms when there is no such term.
        """
        if name not in self.table.index:
            raise ArgumentError(f"{self.model}: no term {name!r}; terms: {', '.join(map(str, self.table.index))}")
        return self.table.loc[name]

    def contrast(self, coefficients: dict, level: float = 0.95) -> dict:
        """A linear combination of estimates (e.g. ``{"after": 1, "before": -1}``) with its standard error and interval.

        From the model's covariance and reference distribution.

        Parameters
        ----------
        coefficients : dict
            term -> coefficient of the combination (a contrast vector; not data weights)
        level : float
            the interval's coverage

        Returns
        -------
        dict
            ``estimate``, ``std_error``, ``ci_low``, ``ci_high``, ``p_value``, ``distribution``

        Raises
        ------
        MissingRecordError
            for a result without a covariance; ``ArgumentError`` for a term the model does not have.
        """
        if self.cov is None:
            raise MissingRecordError(f"{self.model}: no covariance of the estimates, so no contrasts")
        unknown = [k for k in coefficients if k not in self.cov.index]
        if unknown:
            raise ArgumentError(
                f"{self.model}: no term {unknown[0]!r} for a contrast; terms: {', '.join(map(str, self.cov.index))}"
            )
        vector = pd.Series(0.0, index=self.cov.index)
        for name, coefficient in coefficients.items():
            vector[name] = coefficient
        params = self.table["estimate"].reindex(self.cov.index)
        estimate = float(vector @ params)
        se = float(np.sqrt(vector @ self.cov @ vector))
        dist = self.table["distribution"].iloc[0]
        if self.clustering is not None:  # CR2: Bell-McCaffrey degrees of freedom of this very combination
            from .cluster import t_distribution

            dist = t_distribution(self.clustering.df_of(vector.to_numpy()))
        q, p = _quantile_and_p(dist, estimate / se if se > 0 else np.nan, level)
        return {
            "estimate": estimate,
            "std_error": se,
            "ci_low": estimate - q * se,
            "ci_high": estimate + q * se,
            "p_value": p,
            "distribution": dist,
        }

    def tidy(self) -> pd.DataFrame:
        """The table with the model's context on every row (for stacking results of several models).

        Returns
        -------
        DataFrame
            one row per term, with the columns model, estimator, n, r2, source, level, years and data_kind
        """
        out = self.table.reset_index().rename(columns={"index": "term"})
        for key in ("model", "estimator", "n", "r2", "source", "level", "years", "data_kind"):
            out[key] = getattr(self, key)
        return out

    def __str__(self) -> str:
        stats_text = ", ".join(f"{k} = {v:.3f}" for k, v in self.statistics.items() if isinstance(v, float))
        head = (
            f"{self.model}: {self.formula}  (n = {self.n}"
            + (f"; {stats_text}" if stats_text else "")
            + f"; {self.provenance.describe()}"
            + (f", {self.level}" if self.level else "")
            + (f" {self.years}" if self.years else "")
            + ")"
        )
        implied = [term for term, record in self.evidence.items() if record.kind == MODEL_IMPLIED]
        warning = (
            f"\nmodel-implied: {', '.join(implied)} (the outcome is a small-area model's estimate and the model uses "
            "this predictor: the fit recovers that model, not a finding)"
            if implied
            else ""
        )
        return head + warning + "\n" + self.table.round(4).to_string()

    def __repr__(self) -> str:
        """One line: estimator, formula, n, R², data kind and source (the table is in ``str()`` and in Jupyter)."""
        r2 = self.r2
        parts = [f"n={self.n}"] + ([f"r2={r2:.3f}"] if isinstance(r2, float) and np.isfinite(r2) else [])
        if self.cluster_correction:
            parts.append(f"{self.cluster_correction}, {self.extra.get('clusters', '?')} clusters")
        parts.append(self.data_kind + (f": {self.source}" if self.source not in ("", self.data_kind) else ""))
        return f"<ModelResult {self.estimator or self.model}: {self.formula} ({'; '.join(parts)})>"

    def _repr_html_(self) -> str:
        """Jupyter's rendering.

        The model, n, R², data kind and source above the table of estimates, 95 % intervals, p-values, standardised
        estimates and reference distributions.
        """
        from html import escape

        r2 = self.r2
        facts = [f"n = {self.n}"]
        if isinstance(r2, float) and np.isfinite(r2):
            facts.append(f"R² = {r2:.3f}")
        facts.append(
            f"data: {self.data_kind}" + (f" ({self.source})" if self.source not in ("", self.data_kind) else "")
        )
        facts += [f"{label}: {value}" for label, value in (("level", self.level), ("year", self.years)) if value]
        columns = ["estimate", "ci_low", "ci_high", "p_value", "std_estimate", "distribution"]
        shown = self.table[[c for c in columns if c in self.table]].copy()
        for column in ("estimate", "ci_low", "ci_high", "std_estimate"):
            if column in shown:
                shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.4g}")
        if "p_value" in shown:
            shown["p_value"] = shown["p_value"].map(lambda v: "" if pd.isna(v) else f"{v:.3g}")
        shown = shown.rename(columns={"ci_low": "95 % low", "ci_high": "95 % high", "p_value": "p"})
        evidence = "".join(
            f"<li>{escape(str(term))}: {escape(record.kind)}</li>" for term, record in self.evidence.items()
        )
        return (
            f"<div><p><b>{escape(self.model)}</b>: <code>{escape(self.formula)}</code><br>"
            f"{escape('; '.join(facts))}</p>"
            + shown.to_html(escape=True)
            + (f"<p>evidence:</p><ul>{evidence}</ul>" if evidence else "")
            + "</div>"
        )


def reference_distribution(distribution: str):
    """The scipy distribution a table's ``distribution`` names.

    Parameters
    ----------
    distribution : str
        ``"normal"`` or ``"t(df)"``

    Returns
    -------
    scipy.stats distribution

    Raises
    ------
    ArgumentError
        for another name.
    """
    dist, args = _distribution_args(str(distribution))
    return dist(*args) if args else dist


@lru_cache(maxsize=1024)
def _distribution_args(distribution: str) -> tuple:
    """The scipy distribution a ``distribution`` names, unfrozen, and its arguments (``(stats.t, (df,))``).

    What a frozen ``reference_distribution`` calls, without freezing one per coefficient (freezing costs more than the
    quantile).
    """
    if distribution == "normal":
        return stats.norm, ()
    match = re.fullmatch(r"t\((\d+(?:\.\d+)?)\)", distribution)
    if not match:
        raise ArgumentError(f"unknown reference distribution {distribution!r}: 'normal' or 't(df)'")
    return stats.t, (float(match.group(1)),)


@lru_cache(maxsize=1024)
def _quantile(distribution: str, level: float) -> float:
    dist, args = _distribution_args(distribution)
    return float(dist.ppf(0.5 + level / 2, *args))


def _quantile_and_p(distribution: str, z: float, level: float = 0.95) -> tuple[float, float]:
    dist, args = _distribution_args(str(distribution))
    q = _quantile(str(distribution), level)
    p = float(2 * dist.sf(abs(z), *args)) if np.isfinite(z) else np.nan
    return q, p


def _quantiles_and_ps(distributions: list[str], z: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """``_quantile_and_p`` of every term at once: one scipy call per family (normal, t) over the terms' arrays.

    scipy's quantile and tail functions are elementwise, so each value is the one a call per term gives (CR2 gives
    every term its own degrees of freedom: a call per term cost more than the rest of the table).
    """
    parsed = [_distribution_args(d) for d in distributions]
    q, p = np.empty(len(parsed)), np.empty(len(parsed))
    for family in dict.fromkeys(dist for dist, _ in parsed):
        rows = np.array([dist is family for dist, _ in parsed])
        args = [np.array(column) for column in zip(*(a for dist, a in parsed if dist is family))]
        q[rows] = family.ppf(0.5 + level / 2, *args)
        p[rows] = 2 * family.sf(np.abs(z[rows]), *args)
    p[~np.isfinite(z)] = np.nan
    return q, p


def coefficient_table(params, se, distribution: str, std_estimate=None) -> pd.DataFrame:
    """The standard table from estimates and standard errors.

    Parameters
    ----------
    params, se : Series
        estimates and standard errors by term
    distribution : str or Series
        ``"t(df)"`` or ``"normal"``: the intervals' and p-values' reference distribution; a Series gives one per term
        (CR2's Bell-McCaffrey degrees of freedom differ by term)
    std_estimate : Series, optional
        standardised estimates by term

    Returns
    -------
    DataFrame
        ``estimate``, ``std_error``, ``ci_low``, ``ci_high`` (95 %), ``p_value``, ``std_estimate``, ``distribution``
    """
    params, se = pd.Series(params, dtype="float64"), pd.Series(se, index=params.index, dtype="float64")
    if isinstance(distribution, str):
        distribution = pd.Series(distribution, index=params.index)
    distribution = pd.Series(distribution).reindex(params.index)
    estimate, error = params.to_numpy(), se.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):  # as pandas divides: a zero error gives inf or NaN, silently
        q, p = _quantiles_and_ps([str(d) for d in distribution], estimate / error)
    return pd.DataFrame(
        {
            "estimate": estimate,
            "std_error": error,
            "ci_low": estimate - q * error,
            "ci_high": estimate + q * error,
            "p_value": p,
            "std_estimate": np.nan if std_estimate is None else pd.Series(std_estimate).reindex(params.index),
            "distribution": distribution.astype(str),
        },
        index=params.index,
    )


def with_odds_ratios(table: pd.DataFrame) -> pd.DataFrame:
    """A logistic model's table with odds ratios and their intervals added.

    Parameters
    ----------
    table : DataFrame
        a coefficient table on the log-odds scale

    Returns
    -------
    DataFrame
        with ``odds_ratio``, ``or_low`` and ``or_high``
    """
    out = table.copy()
    out["odds_ratio"] = np.exp(out["estimate"])
    out["or_low"], out["or_high"] = np.exp(out["ci_low"]), np.exp(out["ci_high"])
    return out


def weighted_sd(x, w=None) -> float:
    """The (weighted) population standard deviation.

    Parameters
    ----------
    x : array-like
        the values
    w : array-like, optional
        their weights

    Returns
    -------
    float
    """
    x = np.asarray(x, dtype=float)
    if w is None:
        return float(np.std(x, ddof=1))
    w = np.asarray(w, dtype=float)
    mean = np.average(x, weights=w)
    return float(np.sqrt(np.average((x - mean) ** 2, weights=w)))


def standardised(params: pd.Series, design: pd.DataFrame, outcome=None, weights=None) -> pd.Series:
    """The one way wijkstudie standardises estimates: estimate x SD(predictor) / SD(outcome).

    The standard deviations are those of the raw columns (as the design matrix holds them: not demeaned, not
    whitened) over the rows the model used, weighted exactly when the fit is weighted. Every model passes its raw
    design here, so a within-area (fixed effects) slope is standardised like a cross-sectional one. With
    ``outcome=None`` (logistic models) only the predictor is standardised, so the result is on the log-odds scale per
    standard deviation. The intercept, and terms not in the design (a spatial parameter), have none.

    Parameters
    ----------
    params : Series
        estimates by term
    design : DataFrame
        the raw design matrix
    outcome : array-like, optional
        the outcome (None for logistic models)
    weights : array-like, optional
        the fit's weights

    Returns
    -------
    Series
        standardised estimates by term (NaN where there is none)
    """
    sd_y = weighted_sd(outcome, weights) if outcome is not None else 1.0
    out = {}
    for name in params.index:
        if name == "Intercept" or name not in design:
            out[name] = np.nan
        else:
            out[name] = params[name] * weighted_sd(design[name], weights) / sd_y
    return pd.Series(out)


STD_LINEAR = (
    "estimate x sd(predictor) / sd(outcome), the sds of the raw (not demeaned) columns over the rows "
    "the model used, weighted exactly when the fit is weighted"
)
STD_LOGISTIC = (
    "estimate x sd(predictor): log-odds per standard deviation of the predictor, the sd of its raw "
    "column over the rows the model used, weighted exactly when the fit is weighted"
)


def context(data: pd.DataFrame, used: pd.DataFrame) -> dict:
    """The provenance of the data a model was fitted on (unknown when the table carries none).

    Narrowed to the levels of the rows used, and the years and regional divisions of those rows.

    Parameters
    ----------
    data : DataFrame
        the table given to the model
    used : DataFrame
        the rows it used

    Returns
    -------
    dict
        ``provenance``, ``years`` and ``divisions`` (for ``ModelResult``)
    """
    provenance = provenance_of(data)
    if "level" in used:
        provenance = provenance.with_levels(used["level"].dropna().astype(str).unique())
    year_column = "year" if "year" in used else "survey_year" if "survey_year" in used else None
    years = sorted({int(y) for y in used[year_column].dropna()}) if year_column else []
    text = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "")
    divisions = sorted({int(y) for y in used["division_year"].dropna()}) if "division_year" in used else []
    return {"provenance": provenance, "years": text, "divisions": ", ".join(map(str, divisions))}


def formula_environment(eval_env=0):
    """The namespace a model's formula is evaluated in, as statsmodels does it: the caller's.

    A model calls this first thing, so that ``eval_env=0`` is the namespace of whoever called the model: a function
    (``double(x)``) or a variable (``np.minimum(x, cutoff)``) in the formula resolves where the formula was written,
    never in the models module.

    Parameters
    ----------
    eval_env : int or patsy.EvalEnvironment
        how many frames above the model's caller to look (0, the default: the caller itself), or an environment
        captured already (passed on as it is)

    Returns
    -------
    patsy.EvalEnvironment
    """
    import patsy

    return patsy.EvalEnvironment.capture(eval_env, reference=2)  # 0: this function, 1: the model, 2: its caller


def formula_namespace(formula: str, env) -> dict:
    """The names of a formula that ``env`` resolves, as a dict.

    What statsmodels takes as ``eval_env`` (it deprecates an environment object).

    Parameters
    ----------
    formula : str
        a patsy formula
    env : patsy.EvalEnvironment
        its namespace (``formula_environment``)

    Returns
    -------
    dict
        {name: value} of every name in the formula's terms (functions, modules, variables) the namespace holds
    """
    return {name: env.namespace[name] for name in _formula_names(formula) if name in env.namespace}


@lru_cache(maxsize=1024)
def _formula_names(formula: str) -> tuple[str, ...]:
    """Every name in a formula's terms (functions, modules, variables, columns), sorted: parsed once per text."""
    import ast

    import patsy

    description = patsy.ModelDesc.from_formula(formula)
    names = set()
    for term in description.lhs_termlist + description.rhs_termlist:
        for factor in term.factors:
            names |= {
                node.id for node in ast.walk(ast.parse(factor.code.strip(), mode="eval")) if isinstance(node, ast.Name)
            }
    return tuple(sorted(names))


def complete_rows(formula: str, data: pd.DataFrame, extra=(), *, caller: str = "model", env=None) -> pd.DataFrame:
    """The rows with every column the formula (or ``extra``) uses filled in.

    With pandas' nullable dtypes turned into plain numpy ones (patsy does not read them).

    Parameters
    ----------
    formula : str
        a patsy formula
    data : DataFrame
        the table
    extra : iterable of str
        other columns that must be filled (weights, clusters)
    caller : str
        the model the user called, for the error message
    env : patsy.EvalEnvironment, optional
        the formula's namespace (``formula_environment``): a name of the formula the table lacks but this namespace
        holds (a variable of the caller's) is not a column; without it every name is one

    Returns
    -------
    DataFrame

    Raises
    ------
    ArgumentError
        for a variable of the formula, or a column of ``extra``, that the table lacks (before patsy sees it), e.g.
        ``area_regression: the table has no column 'pct_owner_ocupied'; did you mean 'pct_owner_occupied'?``
    """
    names = formula_variables(formula)
    if env is not None:  # as patsy looks names up: the table first, then the caller's namespace
        names = [n for n in names if n in data.columns or n not in env.namespace]
    require_columns(data, [*names, *extra], caller)
    in_formula = formula_columns(formula, data)
    columns = [c for c in data.columns if c in extra or c in in_formula]
    bare = data.copy(deep=False)  # pandas deep-copies attrs at every step below: the records are copied once
    attrs, bare.attrs = bare.attrs, {}
    used = _without_missing(bare, columns)
    converted = {}
    for c in columns:
        column = used[c]
        dtype = column.dtype
        if pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
            if pd.api.types.is_extension_array_dtype(dtype):
                converted[c] = column.astype("float64")
        elif c in in_formula and not pd.api.types.is_bool_dtype(dtype):
            converted[c] = _levels_as_patsy_sorts_them(column)
        elif pd.api.types.is_extension_array_dtype(dtype):
            converted[c] = column.astype(object)
    used = used.assign(**converted) if converted else used
    used.attrs = attrs  # the table's records (provenance, reports), as every pandas step would have kept them
    return used


def _without_missing(table: pd.DataFrame, columns: list) -> pd.DataFrame:
    """The rows of ``table.dropna(subset=columns)``: ``table`` itself when every row is complete (not a copy).

    The mask is built column by column (in a table with unique column names): pandas' own takes the columns as a table
    first, and copies a complete table (a GeoDataFrame's copy costs milliseconds), which cost more than the rest of a
    small model's bookkeeping. ``complete_rows`` gives it its own shallow copy.
    """
    if not table.columns.is_unique:
        return table.dropna(subset=columns)
    complete = np.logical_and.reduce([table[c].notna().to_numpy(dtype=bool) for c in columns], initial=True)
    return table if complete.all() else table.loc[complete]


def formula_columns(formula: str, data: pd.DataFrame) -> list[str]:
    """The columns of a table whose names a formula's text holds (as whole names), in the table's order.

    What patsy may read of it, so that a model can be given only these (statsmodels copies a table with text columns
    whole before patsy reads it).

    Parameters
    ----------
    formula : str
        a patsy formula
    data : DataFrame
        the table

    Returns
    -------
    list
        column names
    """
    return [c for c in data.columns if _mentions(formula, str(c))]


@lru_cache(maxsize=65536)
def _mentions(formula: str, name: str) -> bool:
    """Whether a formula's text holds a name as a whole name (not inside another, ``x`` in ``pct_x``)."""
    return re.search(rf"(?<![\w.]){re.escape(name)}(?![\w.])", formula) is not None


def formula_variables(formula: str) -> list[str]:
    """The columns a patsy formula reads.

    The names in its terms that are not functions, modules or patsy's own (``C``, ``Treatment``, ...), and the texts
    quoted with ``Q("...")``.

    Parameters
    ----------
    formula : str
        e.g. ``"y ~ np.log(x) + C(group, Treatment('a'))"``

    Returns
    -------
    list of str
        in order of appearance, each once (e.g. ``["y", "x", "group"]``); empty for a formula patsy cannot parse
        (patsy's own error then says why)
    """
    return list(_formula_variables(formula))


@lru_cache(maxsize=1024)
def _formula_variables(formula: str) -> tuple[str, ...]:
    """``formula_variables``, parsed once per formula text (a tuple: what the cache holds cannot be changed)."""
    import ast
    import builtins

    import patsy
    import patsy.builtins

    try:
        description = patsy.ModelDesc.from_formula(formula)
    except (patsy.PatsyError, TypeError):
        return ()
    known = set(patsy.builtins.__all__)
    names: list[str] = []
    for terms in (description.lhs_termlist, description.rhs_termlist):
        for factor in (f for term in terms for f in term.factors):
            try:
                tree = ast.parse(factor.code.strip(), mode="eval")
            except SyntaxError:
                continue
            not_columns = set()
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    not_columns.add(id(node.func))
                    if isinstance(node.func, ast.Name) and node.func.id == "Q" and node.args:
                        if isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                            names.append(node.args[0].value)
                elif isinstance(node, ast.Attribute):
                    not_columns.add(id(node.value))
            names += [
                node.id
                for node in ast.walk(tree)
                if isinstance(node, ast.Name)
                and id(node) not in not_columns
                and node.id not in known
                and not hasattr(builtins, node.id)
            ]
    return tuple(dict.fromkeys(names))


def _levels_as_patsy_sorts_them(series: pd.Series):
    """A text or categorical column as a pandas Categorical whose categories are the values present, sorted.

    The levels, and so the reference level, patsy gives a column of plain objects; but patsy reads a Categorical by its
    codes instead of value by value (on 50,000 residents, seconds instead of milliseconds).
    """
    values = series.astype(object)
    try:
        levels = sorted(values.unique())
    except TypeError:  # values of mixed types: patsy's own ordering decides
        return values
    return pd.Categorical(values, categories=levels)


def stack(results: dict, term: str) -> pd.DataFrame:
    """One term of several models side by side.

    Parameters
    ----------
    results : dict
        label -> ModelResult
    term : str
        the term

    Returns
    -------
    DataFrame
        one row per model: estimate, interval, p-value, standardised estimate, n, R²

    Examples
    --------
    >>> from wijkstudie import models
    >>> models.stack({"2014": fit14, "2016": fit16}, "pct_owner_occupied")  # doctest: +SKIP
    """
    rows = []
    for key, result in results.items():
        row = result.term(term)
        rows.append(
            {
                "model": key,
                "estimate": row["estimate"],
                "ci_low": row["ci_low"],
                "ci_high": row["ci_high"],
                "p_value": row["p_value"],
                "std_estimate": row["std_estimate"],
                "n": result.n,
                "r2": result.r2,
            }
        )
    return pd.DataFrame(rows).set_index("model")
