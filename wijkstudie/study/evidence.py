"""What kind of evidence a finding test is, computed from metadata, never typed by hand.

The catalogue says how each dataset measured its figures (``measurement`` in catalogue.yaml: a direct survey
estimate, a register count, or a model-based small-area estimate with the concepts its model uses as
predictors); the variable dictionary maps every variable to a concept (variables.yaml). From these:

- **direct survey** / **register**: the outcome is measured in the area itself; such a test counts.
- **model-implied**: the outcome is a model-based estimate and the tested predictor (or a variable it is built
  from, or the groups an outcome compares) is one of that model's own predictor concepts. The test shows the
  association the model carries from individual residents to areas, not an independent test of a
  neighbourhood effect: it is shown, explained, and never counted.
- **model-based outcome**: a model-based outcome with a predictor outside its model; shown with that label, never
  counted (the model's smoothing and its other predictors still shape the figure).
- **method check**: synthetic data (the synthetic world planted the effect); never evidence about real places.
- **case**: a single case judged by its case rule.
- **unknown**: data of unknown provenance; never counted.

An **independent sample** is one outcome source x wave x population (``sample_of``): the Rotterdam Wijkprofiel
2014 and 2016, the Amsterdam BBGA, RIVM 2016 for the Netherlands, ... Several estimators on one sample give one
vote (``wijkstudie.study.verdicts``).
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import dataclass

from ..core.errors import ModelImpliedWarning
from ..core.evidence import (  # noqa: F401  (MEASUREMENT_KINDS, KIND_OF_MEASUREMENT: this module's names too)
    COMPOSITE,
    DIRECT,
    KIND_OF_MEASUREMENT,
    MEASUREMENT_KINDS,
    METHOD_CHECK,
    MODEL_BASED,
    MODEL_IMPLIED,
    REGISTER,
    UNKNOWN,
    Kind,
    judge,
    term_variables,
)
from ..core.provenance import Provenance, Source
from ..data import variables as vardict
from ..data.evidence import measurement  # noqa: F401  (this module's name too)

# the kinds and the rule are the core's (core/evidence.py), which the models use too; the study adds the case
CASE = Kind.CASE
KINDS = (DIRECT, REGISTER, MODEL_BASED, MODEL_IMPLIED, COMPOSITE, METHOD_CHECK, CASE, UNKNOWN)
COUNTED = (DIRECT, REGISTER, CASE)  # the kinds that vote (as a sample's primary): a model-based outcome never does

EXPLAINED = {
    DIRECT: "the outcome is a direct survey estimate for the areas themselves",
    REGISTER: "the outcome is a register count for the areas themselves",
    MODEL_BASED: "the outcome is a model-based small-area estimate, but the tested predictor is not one of its "
    "model's predictors",
    MODEL_IMPLIED: "the outcome is a model-based small-area estimate whose model uses the tested predictor: the test "
    "shows the association the model carries from individual residents to areas, not an independent "
    "test of a neighbourhood effect",
    COMPOSITE: "the outcome is an index that mixes survey and register items",
    METHOD_CHECK: "synthetic data: a check that the method recovers what the synthetic world planted, never "
    "evidence about Dutch neighbourhoods",
    CASE: "a single case judged by its case rule",
    UNKNOWN: "data of unknown provenance",
}


@dataclass(frozen=True)
class Evidence:
    """The kind of evidence of one test, why, and the source of its outcome."""

    kind: str
    reason: str
    outcome_source: str = ""  # e.g. "rivm-gezondheid 2016"
    composition: str = ""  # the other sources, e.g. "kwb 2022, cbs-wijken 2024"
    outcome_dataset: str = ""  # e.g. "rivm-gezondheid"

    @property
    def counted(self) -> bool:
        """Whether this kind of evidence votes in a verdict (when it is the sample's primary test).

        Returns
        -------
        bool
            True for the kinds of ``COUNTED``
        """
        return self.kind in COUNTED


@contextmanager
def classified_here():
    """For the study's own fits.

    The study classifies every test itself (``classify``) and shows a model-implied one as such, never counting it, so
    the models' ``ModelImpliedWarning`` (meant for direct use) is not repeated.

    Returns
    -------
    context manager
        inside it, ``ModelImpliedWarning`` is ignored
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelImpliedWarning)
        yield


# --- concepts -----------------------------------------------------------------------------------------------


def concepts_of(name: str, built_from: dict | None = None, _seen=()) -> set[str] | None:
    """The concepts a variable measures.

    Its own (variables.yaml), or those of what it is built from (``built_from`` given by the caller, else
    ``study_variables``); None when the dictionary does not know it.

    Parameters
    ----------
    name : str
        a variable or study column
    built_from : dict, optional
        {column: the variables it is made from}, decided by the caller at run time; an entry here is used before
        the dictionary's own concept of the name
    _seen : tuple
        the names being expanded (a guard against circular definitions: a name met again is unknown); callers
        leave it empty

    Returns
    -------
    set of str or None
        the union of the concepts of its parts; None when it, or one of its parts, is not known
    """
    built_from = built_from or {}
    study = vardict.study_variables().get(name, {})
    parts = built_from.get(name)
    if parts is None and name in vardict.variables():
        return {vardict.variables()[name]["concept"]}
    if parts is None:
        parts = study.get("built_from")
    if parts is None or name in _seen:
        return None
    found: set[str] = set()
    for part in parts:
        sub = concepts_of(part, built_from, _seen + (name,))
        if sub is None:
            return None
        found |= sub
    return found


def term_concepts(term: str, built_from: dict | None = None) -> tuple[set[str], list[str]]:
    """(concepts, variables the dictionary does not know) of a model term.

    Parameters
    ----------
    term : str
        a model term, e.g. ``problem:pct_age_25_44``
    built_from : dict, optional
        {column: the variables it is made from} for study columns the study decides at run time (``concepts_of``)

    Returns
    -------
    tuple
        (set of the concepts of the variables it knows, list of the names whose concept is unknown)
    """
    found, unknown = set(), []
    for name in term_variables(term):
        sub = concepts_of(name, built_from)
        if sub is None:
            unknown.append(name)
        else:
            found |= sub
    return found, unknown


# --- measurement ----------------------------------------------------------------------------------------------


def outcome_source(provenance: Provenance, outcome: str, built_from: dict | None = None) -> Source | None:
    """The source that measured ``outcome`` (or the variable it is built from) in a table of this provenance.

    Parameters
    ----------
    provenance : Provenance
        the table's provenance
    outcome : str
        the outcome column
    built_from : dict, optional
        {column: the variables it is made from}; by default what ``study_variables`` says it is built from

    Returns
    -------
    Source or None
        the source of the outcome, else that of the first of its parts a source holds; None when none does
    """
    names = [outcome] + list(
        (built_from or {}).get(outcome) or vardict.study_variables().get(outcome, {}).get("built_from", [])
    )
    for name in names:
        found = provenance.source_of(name)
        if found is not None:
            return found
    return None


def classify(
    provenance: Provenance, outcome: str, term: str, *, built_from: dict | None = None, rule: str = "interval"
) -> Evidence:
    """The evidence kind of a test of ``term`` on ``outcome`` in data of this provenance (module docstring).

    ``built_from`` maps study columns to the variables they are made from, where the study decides that at run time
    (the livability class: the Leefbaarometer's, or a proxy built from income figures).

    Parameters
    ----------
    provenance : Provenance
        the provenance of the data the test used (its kind, sources and levels)
    outcome : str
        the outcome column
    term : str
        the tested term
    built_from : dict, optional
        {column: the variables it is made from}
    rule : str
        the test's rule: ``"case"`` makes a test on real data a case; any other (``"interval"``, the default, or
        ``"threshold"``) is classified by its measurement

    Returns
    -------
    Evidence
        the kind, the reason in words, the outcome's source (every wave of it), the other sources and the outcome's
        dataset (only the kind and reason for synthetic data and data of unknown provenance)
    """
    if provenance.kind == "synthetic":
        return Evidence(METHOD_CHECK, EXPLAINED[METHOD_CHECK])
    if provenance.kind != "real":
        return Evidence(UNKNOWN, EXPLAINED[UNKNOWN])
    source = outcome_source(provenance, outcome, built_from)
    waves = [
        s
        for s in provenance.sources
        if source is not None and s.dataset == source.dataset and s.variant == source.variant and outcome in s.variables
    ] or ([source] if source else [])
    measured = ", ".join(dict.fromkeys(s.label() for s in waves))  # every wave of a pooled sample
    others = ", ".join(dict.fromkeys(s.label() for s in provenance.sources if s not in waves))

    def found(kind: str, reason: str) -> Evidence:
        return Evidence(kind, reason, measured, others, source.dataset if source else "")

    if rule == "case":
        return found(CASE, EXPLAINED[CASE])
    if "resident" in provenance.levels:  # survey microdata: residents' own answers
        return found(DIRECT, "the outcome is residents' own answers in survey microdata")
    if source is None:
        return found(UNKNOWN, f"no source of the table measured {outcome!r}")
    kind, model = measurement(source, outcome)
    concepts, unknown = term_concepts(term, built_from) if kind == "model-based" else (set(), [])
    contrast = vardict.study_variables().get(outcome, {}).get("contrast")
    if contrast:
        concepts.add(contrast)
    verdict = judge(kind, model["predictors"] if model else (), concepts, unknown)
    if verdict.shared:
        return found(
            MODEL_IMPLIED,
            f"{model['name']} has {', '.join(verdict.shared)} among its predictors: " + EXPLAINED[MODEL_IMPLIED],
        )
    if verdict.unknown:
        return found(
            MODEL_IMPLIED,
            f"the concept of {', '.join(verdict.unknown)} is not in the variable dictionary, so it "
            f"cannot be shown to lie outside {model['name']}: not counted",
        )
    if verdict.kind == MODEL_BASED:
        return found(MODEL_BASED, f"{EXPLAINED[MODEL_BASED]} ({model['name']})")
    return found(verdict.kind, EXPLAINED[verdict.kind])


def sample_of(evidence: Evidence, scope: str, data_kind: str, waves: str = "") -> str:
    """The independent sample a test comes from.

    The outcome's source and wave (or ``waves``, for a sample that pools several), and the population (scope).

    Parameters
    ----------
    evidence : Evidence
        the test's ``classify`` result
    scope : str
        the scope of its data (``scope_of``)
    data_kind : str
        ``"real"``, ``"synthetic"`` or ``"unknown"``
    waves : str
        the waves of a pooled sample, e.g. ``"2014–2016"``; by default ("") the outcome's source and wave

    Returns
    -------
    str
        e.g. ``"rivm-gezondheid 2016 · the Netherlands"``; "survey microdata" stands for a missing source, and
        synthetic data give ``"synthetic world · <scope>"``
    """
    if data_kind == "synthetic":
        return f"synthetic world · {scope or 'the synthetic world'}"
    source = f"{evidence.outcome_dataset} {waves}" if waves and evidence.outcome_dataset else evidence.outcome_source
    return " · ".join(part for part in (source or "survey microdata", scope) if part)
