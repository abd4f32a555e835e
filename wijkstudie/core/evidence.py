"""The one rule for what kind of evidence a test of a term on an outcome is, given how the outcome was measured.

- the outcome is a **direct survey** estimate or a **register** count (or a **composite index**) of the areas
  themselves: that kind;
- it is a **model-based** small-area estimate and the term measures one of that model's predictor concepts (or a
  variable whose concept is not known, so that it cannot be shown to lie outside the model): **model-implied**, the
  association the model carries from individual residents to areas, not a finding;
- a model-based estimate and a term outside its model: **model-based outcome**.

The data layer says how a source measured a variable (``wijkstudie.data.evidence``, from catalogue.yaml) and stamps
it into a table's provenance when the file is read; the models (``wijkstudie.models.evidence``) and the study
(``wijkstudie.study.evidence.classify``) both decide with ``judge``. It lives in the lowest layer so that both can.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """The kinds of evidence a test can be (the value is how tables and texts name it; members equal their value)."""

    DIRECT = "direct survey"
    REGISTER = "register"
    MODEL_BASED = "model-based outcome"
    MODEL_IMPLIED = "model-implied"
    COMPOSITE = "composite index"
    METHOD_CHECK = "method check"
    CASE = "case"
    UNKNOWN = "unknown"


DIRECT, REGISTER, MODEL_BASED, MODEL_IMPLIED = (
    Kind.DIRECT,
    Kind.REGISTER,
    Kind.MODEL_BASED,
    Kind.MODEL_IMPLIED,
)
COMPOSITE, METHOD_CHECK, UNKNOWN = Kind.COMPOSITE, Kind.METHOD_CHECK, Kind.UNKNOWN
KIND_OF_MEASUREMENT = {"direct survey": DIRECT, "register": REGISTER, "composite index": COMPOSITE}
MEASUREMENT_KINDS = ("direct survey", "register", "model-based", "composite index")
# harmonise's column of the old area each new area took its figures from (source_code_<division>): new areas that
# share one copied its figures, so they are not independent observations
SOURCE_UNIT_PREFIX = "source_code_"

_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
_FUNCTIONS = {"C", "np", "minimum", "maximum", "log", "I", "bs", "seg", "Intercept"}


@dataclass(frozen=True)
class Judgement:
    """What ``judge`` decided.

    The kind, the model's predictor concepts the term shares, and the term's names whose concept is unknown (when that
    made it model-implied).
    """

    kind: str
    shared: tuple = ()
    unknown: tuple = ()


@dataclass(frozen=True)
class EvidenceKind:
    """The evidence kind of one term of a fitted model, as a record (``ModelResult.evidence``)."""

    kind: str  # one of the kinds of this module
    outcome: str
    term: str
    source: str = ""  # the outcome's source, e.g. "rivm-gezondheid 2020"
    model: str = ""  # the measurement model of a model-based outcome
    shared: tuple = ()  # the model's predictor concepts the term measures
    unknown: tuple = ()  # the term's variables whose concept is not known


def term_variables(term: str) -> list[str]:
    """The variable names in a model term: ``problem:pct_age_25_44`` -> [problem, pct_age_25_44].

    Parameters
    ----------
    term : str
        a model term or formula part; names of formula functions (``C``, ``np``, ``I``, ``log``, ...) and
        ``Intercept`` are left out

    Returns
    -------
    list of str
        the names in the order they appear
    """
    return [n for n in _NAME.findall(str(term)) if n not in _FUNCTIONS]


def judge(measurement: str, predictors, concepts, unknown=()) -> Judgement:
    """The evidence kind of a test of a term on an outcome measured as ``measurement``.

    Parameters
    ----------
    measurement : str
        how the outcome was measured: one of ``MEASUREMENT_KINDS``
    predictors : iterable of str
        the predictor concepts of the outcome's measurement model (for a model-based outcome)
    concepts : iterable of str
        the concepts the term measures
    unknown : iterable of str
        the term's names whose concept is not known

    Returns
    -------
    Judgement
        the kind (``DIRECT``, ``REGISTER``, ``COMPOSITE``, ``MODEL_IMPLIED`` or ``MODEL_BASED``), the shared concepts
        and the unknown names that decided it
    """
    if measurement != "model-based":
        return Judgement(KIND_OF_MEASUREMENT[measurement])
    shared = tuple(sorted(set(concepts) & set(predictors)))
    if shared:
        return Judgement(MODEL_IMPLIED, shared)
    if unknown:
        return Judgement(MODEL_IMPLIED, (), tuple(unknown))
    return Judgement(MODEL_BASED)
