"""What kind of evidence each term of a fit is.

From the provenance of the table it was fitted on, and the warnings a fit gives when that kind makes it no finding.

A table read by wijkstudie carries, per source, how each variable was measured and its concept (stamped from
catalogue.yaml and variables.yaml when the file was read: ``wijkstudie.data.evidence``). A term regressed on a
model-based small-area estimate (RIVM's "Gezondheid per wijk en buurt") whose concept is one of that model's
predictors is **model-implied** (``wijkstudie.core.evidence.judge``, the rule the study's ``classify`` uses too): the
fit warns once, in one line (``ModelImpliedWarning``), and ``ModelResult.evidence`` records it per term. A fit without
clustered errors on harmonised areas that share a source unit warns once too (``SharedSourceUnitWarning``), naming
the column to cluster on.
"""

from __future__ import annotations

import re
from warnings import warn

import pandas as pd

from ..core.errors import ModelImpliedWarning, SharedSourceUnitWarning
from ..core.evidence import (
    DIRECT,
    METHOD_CHECK,
    MODEL_IMPLIED,
    SOURCE_UNIT_PREFIX,
    UNKNOWN,
    EvidenceKind,
    judge,
    term_variables,
)
from ..core.provenance import Provenance

_LEVEL = re.compile(r"\[[^\]]*\]")  # a categorical term's level, e.g. [T.huur]


def outcome_of(formula: str) -> str:
    """The outcome variable of a formula: the first name of its left-hand side (``np.log(y) ~ x`` -> ``y``).

    Parameters
    ----------
    formula : str
        a patsy formula

    Returns
    -------
    str
        "" when the formula has no left-hand side
    """
    if "~" not in formula:
        return ""
    names = term_variables(formula.split("~", 1)[0])
    return names[0] if names else ""


def term_evidence(provenance: Provenance, outcome: str, terms) -> dict:
    """The evidence kind of each term of a fit of ``outcome`` on a table of this provenance.

    Parameters
    ----------
    provenance : Provenance
        the provenance of the rows the fit used
    outcome : str
        the outcome variable
    terms : iterable of str
        the fit's terms (the intercept is left out)

    Returns
    -------
    dict
        term -> ``EvidenceKind``: "method check" (synthetic data), "unknown" (unknown provenance, or an outcome
        whose source the provenance does not name or whose measurement it does not record), "direct survey"
        (residents' own answers), else by ``core.evidence.judge``: "direct survey", "register", "composite index",
        "model-based outcome" or "model-implied"
    """
    terms = [t for t in terms if t != "Intercept"]
    if provenance.kind != "real":
        kind = METHOD_CHECK if provenance.kind == "synthetic" else UNKNOWN
        return {t: EvidenceKind(kind, outcome, t) for t in terms}
    source = provenance.source_of(outcome)
    measured = source.measured.get(outcome, "") if source is not None else ""
    label = source.label() if source is not None else ""
    if "resident" in provenance.levels:
        return {t: EvidenceKind(DIRECT, outcome, t, label) for t in terms}
    if not measured:
        return {t: EvidenceKind(UNKNOWN, outcome, t, label) for t in terms}
    concepts_known = {}
    for s in provenance.sources:
        concepts_known.update(s.concepts)
    out = {}
    for term in terms:
        names = term_variables(_LEVEL.sub("", term))
        concepts = {concepts_known[n] for n in names if n in concepts_known}
        unknown = [n for n in names if n not in concepts_known]
        verdict = judge(measured, source.model.get("predictors", ()), concepts, unknown)
        out[term] = EvidenceKind(
            verdict.kind, outcome, term, label, source.model.get("label", ""), verdict.shared, verdict.unknown
        )
    return out


def warn_model_implied(evidence: dict, *, stacklevel: int = 4) -> None:
    """One warning, in one line, when terms regress a model-based estimate on its own model's predictors.

    Parameters
    ----------
    evidence : dict
        term -> ``EvidenceKind`` (``term_evidence``)
    stacklevel : int
        where the warning points: the caller of the model (which ``fits_with_codes`` wraps: one frame more)

    Returns
    -------
    None
    """
    implied = [e for e in evidence.values() if e.kind == MODEL_IMPLIED and e.shared]
    if not implied:
        return
    first = implied[0]
    concepts = tuple(dict.fromkeys(c for e in implied for c in e.shared))
    terms = tuple(e.term for e in implied)
    warn(
        ModelImpliedWarning(
            f"model-implied: {first.outcome} is a {first.model} whose model uses {', '.join(concepts)}; regressing "
            f"it on {', '.join(terms)} recovers that model, not a finding",
            outcome=first.outcome,
            term=first.term,
            model=first.model,
            terms=terms,
            concepts=concepts,
        ),
        stacklevel=stacklevel,
    )


def warn_shared_source_units(used: pd.DataFrame, *, caller: str, stacklevel: int = 4) -> str | None:
    """One warning when the rows a fit used share source units.

    (harmonised areas copied from one old area) and the errors are not clustered.

    Parameters
    ----------
    used : DataFrame
        the rows the fit used
    caller : str
        the model, for the message
    stacklevel : int
        where the warning points

    Returns
    -------
    str or None
        the source-unit column it warned about, else None
    """
    for column in (c for c in used.columns if str(c).startswith(SOURCE_UNIT_PREFIX)):
        units = used[column].dropna()
        shared = int(units.duplicated(keep=False).sum())
        if shared:
            warn(
                SharedSourceUnitWarning(
                    f"{caller}: {shared} of {len(used)} rows share a source unit in {column!r} (harmonised areas that "
                    f"copied one old area's figures): pass cluster={column!r}",
                    column=str(column),
                    shared=shared,
                ),
                stacklevel=stacklevel,
            )
            return str(column)
    return None
