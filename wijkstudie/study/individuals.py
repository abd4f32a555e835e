"""Residents (survey microdata, or the synthetic world's survey).

The indicators the resident-level models use, F1's breakpoint (where participation levels off) and F6 (knowing the
plans).
"""

from __future__ import annotations

import numpy as np  # noqa: F401  (F6's formulas say np.minimum: a formula's names resolve where it is fitted)
import pandas as pd

from ..core.provenance import carry, provenance_of
from ..microdata.survey import load_residents
from . import findings as fd
from .designs import model_spec, model_specs
from .results import record_value, recorded_value
from .scope import scope_of

RESIDENCE = "years_at_address"  # years at the current address


RESIDENT_WEIGHT = "weight"  # survey weights


RESIDENT_AREA = "buurt_code"  # the buurt of each resident: clusters and multilevel groups


BREAKPOINT = "F1 breakpoint"  # the name under which notebook 07 records the breakpoint


def with_indicators(residents: pd.DataFrame) -> pd.DataFrame:
    """0/1 columns the resident-level models use: owner, single, problem, age_30_44, age_65_plus, non_dutch.

    Parameters
    ----------
    residents : DataFrame
        one row per resident with ``tenure``, ``household_type``, ``livability``, ``age_group`` and ``origin``

    Returns
    -------
    DataFrame
        the residents with the six indicators added (``non_dutch`` is 1 for every origin but "dutch"), their
        provenance kept
    """
    out = residents.assign(
        owner=(residents["tenure"] == "owner").astype(int),
        single=(residents["household_type"] == "single").astype(int),
        problem=(residents["livability"] == "problem").astype(int),
        age_30_44=(residents["age_group"] == "30-44").astype(int),
        age_65_plus=(residents["age_group"] == "65+").astype(int),
        non_dutch=(residents["origin"] != "dutch").astype(int),
    )
    return carry(out, residents)


def residents() -> pd.DataFrame:
    """The session's survey residents (``wijkstudie.load_residents``) with the 0/1 indicators of the models.

    Returns
    -------
    DataFrame
        ``with_indicators`` of ``load_residents()``: real survey microdata or the synthetic world's survey
    """
    return with_indicators(load_residents())


def residence_breakpoint(residents: pd.DataFrame, bootstrap: int = 999):
    """F1's residents model (findings.yaml, F1 ``models: residents``).

    Participation against years at the address with a slope change at an estimated breakpoint
    (``models.segmented_logit``), survey-weighted, standard errors clustered by buurt, the breakpoint's interval from a
    cluster bootstrap over buurten. Notebook 07 fits the same model on the page; notebook 08 uses this when no
    breakpoint of the data's kind is recorded.

    Parameters
    ----------
    residents : DataFrame
        ``residents()``: ``participates``, ``years_at_address``, ``weight``, ``buurt_code`` and the covariates
    bootstrap : int
        the bootstrap replicates (999 by default; 0 skips the bootstrap, leaving the likelihood-ratio interval)

    Returns
    -------
    ModelResult
        ``segmented_logit``: the terms ``before`` and ``after``, the breakpoint and its intervals in ``extra``
    """
    from ..models import segmented_logit

    spec = model_spec("F1", "residents")
    return segmented_logit(spec.formula(), residents, weights=spec.weights, cluster=spec.cluster, bootstrap=bootstrap)


def f1_resident_tests(segmented, residents: pd.DataFrame, notebook: str) -> list:
    """F1 with residents.

    The threshold test (the primary: where the break lies, the slope before it, and whether the slope after it is
    level), with the slope before and the change of slope as its robustness rows.

    Parameters
    ----------
    segmented : ModelResult
        ``residence_breakpoint``
    residents : DataFrame
        the residents it was fitted on (for the scope)
    notebook : str
        the notebook that makes the tests

    Returns
    -------
    list of FindingTest
        the threshold test, the slope before the breakpoint and the slope after minus before (log-odds per year;
        a flattening is expected, sign -1)
    """
    scope = scope_of(residents)
    flattening = segmented.contrast({"after": 1, "before": -1})
    return [
        fd.threshold_test(
            "F1",
            segmented,
            label="Residents: breakpoint of participation in years at the address",
            notebook=notebook,
            scope=scope,
        ),
        fd.from_model(
            "F1",
            segmented,
            "before",
            label="Residents: slope per year before the breakpoint",
            use="estimate",
            notebook=notebook,
            scope=scope,
        ),
        fd.from_estimate(
            "F1",
            label="Residents: slope after minus slope before the breakpoint",
            estimate=flattening["estimate"],
            ci_low=flattening["ci_low"],
            ci_high=flattening["ci_high"],
            std_error=flattening["std_error"],
            p_value=flattening["p_value"],
            sign=-1,
            measure="difference of log-odds slopes per year",
            scale="log-odds",
            data=segmented,
            n=segmented.n,
            outcome="participates",
            term="after - before",
            estimator="segmented logistic regression",
            notebook=notebook,
            scope=scope,
        ),
    ]


def recorded_breakpoint(residents: pd.DataFrame) -> tuple[float, str]:
    """The breakpoint notebook 07 estimated and recorded, when it was estimated on the same kind of data.

    Else estimated here by the same fit without the bootstrap (the same breakpoint; the interval recorded with it is
    then the likelihood-ratio one, which is too narrow for clustered data) and recorded.

    Parameters
    ----------
    residents : DataFrame
        the residents the breakpoint is for (their provenance's kind: real or synthetic); estimated on them when
        no breakpoint of their kind is recorded, without the bootstrap

    Returns
    -------
    tuple
        (breakpoint, where it came from)
    """
    kind = provenance_of(residents).kind
    saved = recorded_value(BREAKPOINT)
    if saved and saved["data_kind"] == kind:
        return float(saved["value"]), f"recorded by notebook {saved['notebook']} ({kind} data)"
    fit = residence_breakpoint(residents, bootstrap=0)
    record_value(
        BREAKPOINT,
        fit.extra["breakpoint"],
        fit.extra["breakpoint_ci"],
        data_kind=kind,
        source=fit.source,
        notebook="estimated again",
    )
    return float(fit.extra["breakpoint"]), f"estimated here, as notebook 07 does ({kind} data)"


def resident_rows(spec, residents: pd.DataFrame) -> pd.DataFrame:
    """The residents a residents' model is fitted on.

    Those in the areas it names (``problem``: 1 in the problem areas, 0 elsewhere), or all.

    Parameters
    ----------
    spec : ModelSpec
        a residents' model (``designs.model_spec``), its ``areas`` "all areas", "problem areas" or "positive
        livability"
    residents : DataFrame
        ``residents()``, with ``problem``

    Returns
    -------
    DataFrame
        the rows (pandas keeps the table's attrs, its provenance)
    """
    if spec.areas == "all areas":
        return residents
    return residents[residents["problem"] == (1 if spec.areas == "problem areas" else 0)]  # attrs kept by pandas


def f6_models(residents: pd.DataFrame, *, primary=None) -> dict:
    """F6's residents models (findings.yaml, F6 ``models``).

    Weighted logistic regressions of confidence in the neighbourhood's future on knowing the plans, errors clustered by
    buurt: in the areas with livability problems (where the claim speaks; the primary) and in all areas (with the
    livability class as a control).

    Parameters
    ----------
    residents : DataFrame
        ``residents()``: the columns of the models' formulas, ``problem``, ``weight`` and ``buurt_code``
    primary : ModelResult, optional
        the primary (problem areas) already fitted on the page: kept when it is the declared call (model, formula,
        options, rows and values), else fitted again with a ``PageFitWarning``

    Returns
    -------
    dict
        {"problem areas": ModelResult, "all areas": ModelResult} of ``models.logit``
    """
    from ..models import logit
    from .page_fits import declared_fit

    out = {}
    for spec in model_specs("F6"):
        given = primary if spec.name == "residents" else None
        out["problem areas" if spec.areas == "problem areas" else "all areas"] = declared_fit(
            given,
            logit,
            spec.formula(),
            resident_rows(spec, residents),
            name=f"F6 {spec.name}",
            weights=spec.weights,
            cluster=spec.cluster,
        )
    return out


def f6_tests(models: dict, residents: pd.DataFrame, notebook: str) -> list:
    """F6's finding tests from ``f6_models``: knowing the plans, in the problem areas (the primary) and in all areas.

    Parameters
    ----------
    models : dict
        ``f6_models``: {areas: ModelResult}
    residents : DataFrame
        the residents they were fitted on (for the scope)
    notebook : str
        the notebook that makes the tests

    Returns
    -------
    list of FindingTest
        one per model: the log-odds coefficient of ``aware_of_plans``
    """
    scope = scope_of(residents)
    return [
        fd.from_model(
            "F6",
            fit,
            "aware_of_plans",
            use="estimate",
            areas=areas,
            notebook=notebook,
            scope=scope,
            label=f"Residents ({areas}): knows the plans -> confident about the future",
        )
        for areas, fit in models.items()
    ]
