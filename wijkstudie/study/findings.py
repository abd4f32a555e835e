"""Findings: the registry (``findings.yaml``) and the finding test.

The record of one estimate that bears on a finding, with what kind of evidence it is and which independent sample it
comes from.

A notebook turns a model estimate into a ``FindingTest`` (``from_model``, ``from_estimate``, ``case_test``,
``threshold_test``) and records it (``wijkstudie.study.results.record``); ``wijkstudie.study.verdicts`` judges the
recorded tests by the rules written in ``findings.yaml`` and ``wijkstudie.study.scorecard`` writes them out.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..core.errors import ArgumentError, DataFormatError
from ..core.paths import PACKAGE_DIR
from ..core.provenance import combine, provenance_of
from ..core.spec_sections import Sections, load_sections
from ..synthetic.world import parameters
from . import evidence as ev

FINDINGS_FILE = Path(__file__).resolve().parent / "findings.yaml"
NATIONAL = "the Netherlands"  # the scope of a test on every area of the country
SYNTHETIC_SCOPE = "the synthetic world"  # the scope of every test on synthetic data
AREAS = ("all areas", "positive livability", "problem areas")  # which areas of a sample a test uses
LEVEL_GROUPS = {"residents": "residents", "gemeenten": "gemeenten", "city wijken": "cities"}  # samples' levels
SCALES = ("standardised", "log-odds", "percentage points", "percentile", "years", "coefficient")


@lru_cache(maxsize=1)
def registry() -> Sections:
    """The registry of findings: ``findings.yaml``, read once, its sections noted as they are read.

    (``core.spec_sections``: a notebook depends on the sections it read, not on the whole file).

    Returns
    -------
    Sections
        a mapping of the file's entries: the rules in words (``verdict_rule``, ``primary_note``, ``case_rule``,
        ``threshold_rule``, ``method_check_rule``), ``reference_values``, ``rivm_waves``, ``samples`` and
        ``findings`` (by key)
    """
    return load_sections(str(FINDINGS_FILE.relative_to(PACKAGE_DIR)))


def __getattr__(name: str):
    """The module's names read from findings.yaml when asked for (PEP 562): whoever uses one depends on its section.

    ``RIVM_YEARS``: the RIVM measurements the national tests and the Vreewijk case use (``rivm_waves``).
    """
    if name == "RIVM_YEARS":
        return tuple(registry()["rivm_waves"])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def finding(key: str) -> dict:
    """One finding of the registry: claim, source, scope, direction, primary specification, rules.

    Parameters
    ----------
    key : str
        e.g. ``"F3"``

    Returns
    -------
    dict
        its entry in findings.yaml (the registry's own, not a copy)
    """
    try:
        return registry()["findings"][key]
    except KeyError:
        raise ArgumentError(f"unknown finding {key!r}; known: {', '.join(registry()['findings'])}") from None


def reference(key: str) -> dict:
    """A published reference value: value, relation ('more than', 'about', ...), unit, text and source.

    Parameters
    ----------
    key : str
        a key of ``reference_values`` in findings.yaml

    Returns
    -------
    dict
        its entry: ``value``, ``relation``, ``unit``, ``text_en``, ``text_nl``, ``source``, ...
    """
    try:
        return registry()["reference_values"][key]
    except KeyError:
        raise ArgumentError(f"unknown reference value {key!r}") from None


def reference_text(key: str, language: str = "en") -> str:
    """A published reference value in one line: its text, value and unit, and its source.

    Parameters
    ----------
    key : str
        a key of ``reference_values`` in findings.yaml
    language : str
        ``"en"`` (the default) or ``"nl"``: which of its texts (``text_<language>``)

    Returns
    -------
    str
        e.g. "Adults (18+) doing volunteer work, the Netherlands, 2020: 24.6 % — RIVM/CBS/GGD'en, ..."
    """
    ref = reference(key)
    value = f"{ref['relation'] + ' ' if ref['relation'] else ''}{ref['value']:g}{'' if ref['unit'] != '%' else ' %'}"
    unit = f" ({ref['unit']})" if ref["unit"] != "%" else ""
    return f"{ref['text_' + language]}: {value}{unit} — {ref['source']}"


def expected_sign(key: str, part: str = "") -> int:
    """The direction a finding (or one part of it) names: +1, -1, or 0 for "differently".

    Parameters
    ----------
    key : str
        e.g. ``"F3"``
    part : str
        one of the finding's ``parts`` (F5); by default ("") the finding's own ``sign``

    Returns
    -------
    int
        +1, -1 or 0
    """
    spec = finding(key)
    if part:
        try:
            return int(spec["parts"][part]["sign"])
        except KeyError:
            raise ArgumentError(f"finding {key} has no part {part!r}") from None
    if "sign" not in spec:
        raise ArgumentError(f"finding {key} names no direction in findings.yaml")
    return int(spec["sign"])


@dataclass(kw_only=True)
class FindingTest:
    """One estimate that bears on a finding, with where it comes from and what kind of evidence it is.

    ``estimate``, ``ci_low`` and ``ci_high`` are on ``scale`` (standardised coefficients unless it says otherwise);
    ``std_error``, ``p_value`` and ``distribution`` (``t(df)`` or ``normal``) allow intervals adjusted for
    multiplicity. ``evidence`` and ``sample`` are computed from the metadata when the test is made
    (``wijkstudie.study.evidence``); ``spec`` names what distinguishes this specification from the others on the same
    sample (estimator, level, areas, controls).
    """

    finding: str
    label: str
    estimate: float
    ci_low: float
    ci_high: float
    expected_sign: int  # +1 or -1: the direction the claim names; 0: it names none ("differently")
    measure: str  # e.g. "standardised coefficient of pct_owner_occupied"
    scale: str = "standardised"
    std_error: float = float("nan")
    p_value: float = float("nan")
    distribution: str = "normal"
    outcome: str = ""  # the canonical name of the outcome
    term: str = ""  # the tested term
    part: str = ""  # for findings with parts (F5): which group
    estimator: str = ""  # weighted regression, multilevel, spatial error, within-area, ...
    spec: str = ""  # what else makes this specification (level, controls, definition)
    areas: str = "all areas"  # all areas, positive livability, problem areas
    evidence: str = ev.UNKNOWN
    evidence_note: str = ""
    sample: str = ""
    outcome_source: str = ""  # the source and wave of the outcome, e.g. "rivm-gezondheid 2016"
    composition: str = ""  # the other sources, e.g. "kwb 2022, cbs-wijken 2024"
    source: str = ""
    level: str = ""
    year: str = ""  # the years of the rows used
    n: int = 0
    clusters: int = 0  # the number of areas, when errors are clustered by area (waves pooled)
    data_kind: str = "unknown"  # real, synthetic or unknown: only "real" counts as evidence
    caveats: list = field(default_factory=list)
    notebook: str = ""
    scope: str = ""  # NATIONAL, a gemeente ("Utrecht (GM0344)"), or SYNTHETIC_SCOPE
    division: str = ""  # the regional division(s) of the areas, e.g. "2024"
    files: list = field(default_factory=list)
    rule: str = "interval"  # interval, case (the finding's case rule) or threshold (F1 residents)
    detail: dict = field(default_factory=dict)  # case: percentiles; threshold: the breakpoint's parts
    planted: float | None = None  # synthetic: the value the scenario planted, on this test's scale
    planted_sign: int = 0  # synthetic: the planted direction, when the planted value is on another scale
    sample_id: str = ""  # the declared sample (findings.yaml ``samples``) the test comes from, if declared
    choices: dict = field(default_factory=dict)  # what the specification chose (``designs.Spec.choices``)
    evidence_level: str = ""  # "residents" (a survey by personal characteristic) or "areas" (survey means per area)
    scope_text: str = ""  # the livability class's definition and how many areas it keeps
    scope_kept: str = ""  # in short: e.g. "positive livability: 56 of 71 wijken"
    controls: list = field(default_factory=list)  # the control variables of the fitted model (its adjustment set)
    exploratory: dict = field(default_factory=dict)  # the notebook parameters changed from the declaration (a run
    # with any is exploratory: labelled wherever it shows, never the declared result)
    outside_scope: bool = False  # the sample has no livability class: it votes on all its areas
    mde: float = float("nan")  # minimum detectable effect at 80 % power (set when a finding is judged)
    reliability: float = float("nan")  # wave-to-wave correlation of the outcome across the sample's areas

    def __post_init__(self):
        if self.data_kind == "synthetic":  # synthetic numbers describe no real place, whatever the caller says
            self.scope = SYNTHETIC_SCOPE
        if self.expected_sign not in (1, 0, -1):
            raise ArgumentError("expected_sign must be +1, -1 or 0 (no direction named)")
        if self.areas not in AREAS:
            raise ArgumentError(f"areas must be one of {', '.join(AREAS)}, not {self.areas!r}")

    @property
    def counted_kind(self) -> bool:
        """Whether the kind of evidence may vote (the sample's primary test still has to be chosen).

        Returns
        -------
        bool
            True for real data of a kind in ``evidence.COUNTED``
        """
        return self.data_kind == "real" and self.evidence in ev.COUNTED

    @property
    def scope_group(self) -> str:
        """residents, gemeenten, cities, national, case, unscoped, synthetic or unknown.

        The level a verdict is given for (a real test that does not say its scope is never counted as national).

        Returns
        -------
        str
            the data kind for data that are not real; else "case" for a case test, "residents" for a survey by
            personal characteristic, "gemeenten" for survey means per gemeente, "unscoped" without a scope,
            "national" for areas of ``NATIONAL`` and "cities" for any other scope
        """
        if self.data_kind != "real":
            return self.data_kind
        if self.rule == "case":
            return "case"
        if self.sample_id:  # a declared sample: its declared level
            return LEVEL_GROUPS[registry()["samples"][self.sample_id]["level"]]
        if not self.scope:
            return "unscoped"
        return "national" if self.scope == NATIONAL else "cities"

    def to_dict(self) -> dict:
        """The test as a plain dict, for a JSON file (``results.record``).

        Returns
        -------
        dict
            {field: value} for every field (``dataclasses.asdict``)
        """
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> FindingTest:
        """A test from its ``to_dict`` (as read back from a recorded file).

        Parameters
        ----------
        data : dict
            {field: value}; the fields with a default may be missing, an unknown field is an error

        Returns
        -------
        FindingTest
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise DataFormatError(f"a recorded finding test has unknown fields: {', '.join(unknown)}")
        return cls(**data)


# --- making tests -------------------------------------------------------------------------------------------

ESTIMATORS = (  # the estimators the models record (ModelResult.estimator), in findings.yaml's words
    "weighted regression",
    "regression",
    "multilevel logistic regression",
    "multilevel",
    "spatial error",
    "spatial lag",
    "within-area",
    "segmented logistic regression",
    "spline logistic regression",
    "logistic regression",
)


def estimator_of(result) -> str:
    """The estimator of a ModelResult, in the words findings.yaml's primary specifications use.

    Parameters
    ----------
    result : ModelResult
        a model's result

    Returns
    -------
    str
        its ``estimator`` (one of ``ESTIMATORS`` for the package's models); the model's name for a result that
        records none
    """
    return result.estimator or result.model


def outcome_of_formula(formula: str) -> str:
    """The outcome (left-hand side) of a model formula.

    Parameters
    ----------
    formula : str
        e.g. ``"pct_volunteering ~ pct_owner_occupied"``

    Returns
    -------
    str
        the left-hand side, stripped; "" for a formula without ``~``
    """
    return formula.split("~", 1)[0].strip() if "~" in formula else ""


def _where(provenance, divisions: str = "") -> dict:
    return {
        "division": divisions or ", ".join(map(str, provenance.divisions())),
        "files": sorted({s.file for s in provenance.sources if s.file}),
    }


def planted(finding_key: str, term: str) -> tuple[float | None, int]:
    """The synthetic world's planted value for a test of ``term`` (``method_checks`` in findings.yaml).

    (value on the test's scale or None, planted direction).

    Parameters
    ----------
    finding_key : str
        e.g. ``"F1"``
    term : str
        the tested term

    Returns
    -------
    tuple
        (the value: a number, or a parameter ``section.name`` of the default scenario (``synthetic.parameters``),
        ``-`` in front negating it; None when only the sign of a parameter is named (``sign_of``), or for a term
        without a method check; the planted direction, +1, -1 or 0 (0 too for no method check))
    """
    spec = finding(finding_key).get("method_checks", {}).get(term)
    if spec is None:
        return None, 0

    def value(path):
        if isinstance(path, (int, float)):
            return float(path)
        text = str(path).strip()
        sign = -1.0 if text.startswith("-") else 1.0
        section, name = text.lstrip("-").split(".", 1)
        return sign * float(parameters()[section][name])

    if isinstance(spec, dict):
        return None, int(np.sign(value(spec["sign_of"])))
    found = value(spec)
    return found, int(np.sign(found))


def _common(
    finding_key: str,
    provenance,
    *,
    outcome: str,
    term: str,
    scope: str,
    caveats,
    n: int,
    built_from: dict | None,
    rule: str = "interval",
    clusters: int = 0,
    waves: str = "",
) -> dict:
    """What every test shares: evidence kind, sample, sources, caveats, the planted value for synthetic data.

    ``clusters``: the number of areas when the rows are areas observed in several waves (errors clustered by area);
    ``waves``: the waves a pooled sample covers (its label).
    """
    finding(finding_key)
    found = ev.classify(provenance, outcome, term, built_from=built_from, rule=rule)
    extra = list(caveats)
    if clusters and clusters < 30:
        extra.append(f"few areas ({clusters} clusters, {n} rows)")
    elif n < 30 and rule == "interval":
        extra.append(f"few areas (n = {n})")
    if provenance.kind == "unknown":
        extra.append("data of unknown provenance: not counted as evidence")
    value, sign = planted(finding_key, term) if provenance.kind == "synthetic" else (None, 0)
    return {
        "evidence": found.kind,
        "evidence_note": found.reason,
        "outcome_source": found.outcome_source,
        "composition": found.composition,
        "sample": ev.sample_of(found, scope, provenance.kind, waves),
        "source": provenance.source_text(),
        "level": ", ".join(provenance.levels),
        "data_kind": provenance.kind,
        "caveats": extra,
        "scope": scope,
        "planted": value,
        "planted_sign": sign,
    }


def from_model(
    finding_key: str,
    result,
    term: str,
    *,
    label: str,
    notebook: str = "",
    scope: str = "",
    sign: int | None = None,
    part: str = "",
    use: str = "std_estimate",
    areas: str = "all areas",
    spec: str = "",
    caveats=(),
    built_from: dict | None = None,
    waves: str = "",
) -> FindingTest:
    """A FindingTest from a ModelResult term.

    Parameters
    ----------
    finding_key : str
        e.g. ``"F3"``
    result : ModelResult
    term : str
        the tested term, e.g. ``"pct_owner_occupied"``
    label : str
        what was tested, for people
    notebook, scope : str
        the notebook that made it; the scope of its data (``study.scope_of``)
    sign : int, optional
        the direction the claim names (default: the finding's, or its ``part``'s, in findings.yaml)
    part : str
        for a finding with parts (F5): which one
    use : str
        ``"std_estimate"`` (standardised, by the model's one definition) or ``"estimate"`` (its own scale)
    areas : str
        which areas of the sample the model used: all areas, positive livability, problem areas
    spec : str
        what else distinguishes this specification on the same sample (e.g. "wijken", "proxy: worst 10 %")
    caveats : iterable of str
        caveats to show with the test (those computed here, such as few areas, are added)
    built_from : dict, optional
        {column: the variables it is made from} for study columns whose make-up the study decides at run time
    waves : str, optional
        the waves of a sample that pools several (e.g. "2014–2016"), which name its independent sample; by default
        the outcome's source and wave

    Returns
    -------
    FindingTest
        with its evidence kind and independent sample (``wijkstudie.study.evidence``); data kind, sources, level and
        years from the result's provenance (unknown stays unknown).
    """
    row = result.term(term)
    low, high, est, se = row["ci_low"], row["ci_high"], row["estimate"], row["std_error"]
    outcome = outcome_of_formula(result.formula)
    if use == "std_estimate":
        factor = row["std_estimate"] / row["estimate"] if row["estimate"] else float("nan")
        est, low, high, se = row["std_estimate"], low * factor, high * factor, se * abs(factor)
        measure, scale = f"standardised coefficient of {term}", "standardised"
    else:
        logistic = "odds_ratio" in result.table
        measure, scale = (
            f"{'log-odds ' if logistic else ''}coefficient of {term}",
            ("log-odds" if logistic else "coefficient"),
        )
    sign = expected_sign(finding_key, part) if sign is None else sign
    return FindingTest(
        finding=finding_key,
        label=label,
        estimate=float(est),
        ci_low=float(min(low, high)),
        ci_high=float(max(low, high)),
        expected_sign=sign,
        measure=measure,
        scale=scale,
        std_error=float(se),
        p_value=float(row["p_value"]),
        distribution=str(row["distribution"]),
        outcome=outcome,
        term=term,
        part=part,
        estimator=estimator_of(result),
        spec=spec,
        areas=areas,
        year=str(result.years),
        n=int(result.n),
        clusters=int(result.extra.get("clusters", 0)),
        notebook=notebook,
        **_common(
            finding_key,
            result.provenance,
            outcome=outcome,
            term=term,
            scope=scope,
            caveats=caveats,
            n=int(result.n),
            built_from=built_from,
            clusters=int(result.extra.get("clusters", 0)),
            waves=waves,
        ),
        **_where(result.provenance, result.divisions),
    )


def from_estimate(
    finding_key: str,
    *,
    label: str,
    estimate: float,
    ci_low: float,
    ci_high: float,
    data,
    n: int,
    outcome: str,
    term: str,
    measure: str,
    scale: str,
    estimator: str,
    std_error: float = float("nan"),
    p_value: float = float("nan"),
    distribution: str = "normal",
    sign: int | None = None,
    part: str = "",
    notebook: str = "",
    scope: str = "",
    areas: str = "all areas",
    spec: str = "",
    caveats=(),
    built_from: dict | None = None,
) -> FindingTest:
    """A FindingTest from an estimate computed outside a model's table (a contrast, a difference of means).

    ``data`` is the table or ModelResult it was computed from (its provenance decides the data kind).

    Parameters
    ----------
    finding_key : str
        e.g. ``"F1"``
    label : str
        what was tested, for people
    estimate, ci_low, ci_high : float
        the estimate and its interval (the bounds are put in order)
    data : DataFrame or ModelResult
        what it was computed from: its provenance, years and divisions
    n : int
        the number of rows (or residents) behind it
    outcome, term : str
        the outcome and the tested term (for the evidence kind and the planted value)
    measure : str
        what the estimate is, e.g. "difference of log-odds slopes per year"
    scale : str
        one of ``SCALES``
    estimator : str
        e.g. "segmented logistic regression"
    std_error, p_value : float
        for intervals adjusted for multiplicity (NaN, the default, when unknown)
    distribution : str
        ``"normal"`` (the default) or ``"t(df)"``
    sign : int, optional
        the direction the claim names (default: the finding's, or its ``part``'s, in findings.yaml)
    part : str
        for a finding with parts (F5): which one
    notebook, scope : str
        the notebook that made it; the scope of its data (``study.scope_of``)
    areas : str
        which areas of the sample: one of ``AREAS``
    spec : str
        what else distinguishes this specification on the same sample
    caveats : iterable of str
        caveats to show with the test (those computed here, such as few areas, are added)
    built_from : dict, optional
        {column: the variables it is made from} for study columns whose make-up the study decides at run time

    Returns
    -------
    FindingTest
        with its evidence kind and independent sample; data kind, sources, level and years from ``data``'s
        provenance
    """
    from ..models.result import ModelResult, context

    if isinstance(data, ModelResult):
        provenance, years, divisions = data.provenance, data.years, data.divisions
    else:
        ctx = (
            context(data, data)
            if hasattr(data, "columns")
            else {"provenance": provenance_of(data), "years": "", "divisions": ""}
        )
        provenance, years, divisions = ctx["provenance"], ctx["years"], ctx["divisions"]
    if scale not in SCALES:
        raise ArgumentError(f"scale must be one of {', '.join(SCALES)}, not {scale!r}")
    sign = expected_sign(finding_key, part) if sign is None else sign
    return FindingTest(
        finding=finding_key,
        label=label,
        estimate=float(estimate),
        ci_low=float(min(ci_low, ci_high)),
        ci_high=float(max(ci_low, ci_high)),
        expected_sign=sign,
        measure=measure,
        scale=scale,
        std_error=float(std_error),
        p_value=float(p_value),
        distribution=distribution,
        outcome=outcome,
        term=term,
        part=part,
        estimator=estimator,
        spec=spec,
        areas=areas,
        year=years,
        n=int(n),
        notebook=notebook,
        **_common(
            finding_key,
            provenance,
            outcome=outcome,
            term=term,
            scope=scope,
            caveats=caveats,
            n=int(n),
            built_from=built_from,
        ),
        **_where(provenance, divisions),
    )


def case_test(
    finding_key: str,
    *,
    label: str,
    percentiles: dict,
    ranges: dict,
    peers: int,
    data,
    notebook: str = "",
    scope: str = "",
) -> FindingTest:
    """A test of a single case by the finding's case rule (``case`` in findings.yaml).

    ``percentiles``: {dimension: {year: the case's percentile among its ``peers``}}; ``ranges``: {dimension:
    {year: (lowest, highest)}}, the range of the dimension's items. The estimate is the lowest percentile (the one
    the rule's "every dimension in every year" turns on), shown with its own item range; ``detail`` keeps every
    dimension and year. The outcome follows the case rule. ``data``: the peers' table, or a list (one per year).

    Parameters
    ----------
    finding_key : str
        a finding with a ``case`` rule, e.g. ``"Vreewijk"``
    label : str
        what was tested, for people
    percentiles, ranges : dict
        as above (``case_percentiles``); every dimension of the rule needs percentiles
    peers : int
        the number of peers (the test's ``n``)
    data : DataFrame or list of DataFrame
        as above: their provenance is the test's
    notebook, scope : str
        the notebook that made it; the scope of its data

    Returns
    -------
    FindingTest
        of rule ``"case"``, on the percentile scale, with ``expected_sign`` +1 and the percentiles in ``detail``
    """
    spec = finding(finding_key).get("case")
    if not spec:
        raise ArgumentError(f"finding {finding_key} has no case rule in findings.yaml")
    missing = [d for d in spec["dimensions"] if d not in percentiles]
    if missing:
        raise ArgumentError(f"case test of {finding_key}: no percentiles for {', '.join(missing)}")
    tables = data if isinstance(data, (list, tuple)) else [data]
    provenance = combine(*(provenance_of(t) for t in tables))
    detail = {
        dim: {
            str(y): {"percentile": float(v), "item_range": [float(x) for x in ranges[dim][y]]} for y, v in years.items()
        }
        for dim, years in percentiles.items()
    }
    lowest = min((d for years in detail.values() for d in years.values()), key=lambda d: d["percentile"])
    items = sorted({i for d in spec["dimensions"].values() for i in d["items"]})
    common = _common(
        finding_key,
        provenance,
        outcome=items[0],
        term="case",
        scope=scope,
        caveats=(),
        n=int(peers),
        built_from=None,
        rule="case",
    )
    measured = [s for s in provenance.sources if items[0] in s.variables and s.year is not None]
    if measured:  # every wave of the case's data: one sample
        years = sorted({s.year for s in measured})
        span = str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
        common["sample"] = " · ".join(part for part in (f"{measured[0].dataset} {span}", scope) if part)
    return FindingTest(
        finding=finding_key,
        label=label,
        estimate=lowest["percentile"],
        ci_low=lowest["item_range"][0],
        ci_high=lowest["item_range"][1],
        expected_sign=1,
        measure=f"percentile among {peers} peers (the lowest dimension and year; range: its items)",
        scale="percentile",
        outcome=", ".join(items),
        term="case",
        estimator="case rule",
        year=", ".join(sorted({y for years in detail.values() for y in years})),
        n=int(peers),
        notebook=notebook,
        rule="case",
        detail=detail,
        **common,
        **_where(provenance),
    )


def threshold_test(
    finding_key: str,
    segmented,
    *,
    label: str,
    notebook: str = "",
    scope: str = "",
    areas: str = "all areas",
    caveats=(),
) -> FindingTest:
    """A test of a claim about where a change happens.

    (``threshold`` in findings.yaml, F1: about four years) from a ``segmented_logit`` result: the breakpoint with its
    cluster-bootstrap interval, the slope before the break, and whether the slope after it is equivalent to zero (two
    one-sided tests against the declared margin). The outcome follows the threshold rule
    (``wijkstudie.study.verdicts.threshold_outcome``).

    Parameters
    ----------
    finding_key : str
        a finding that declares a ``threshold``, e.g. ``"F1"``
    segmented : ModelResult
        ``models.segmented_logit``; without a bootstrap interval its likelihood-ratio interval is used
    label : str
        what was tested, for people
    notebook, scope : str
        the notebook that made it; the scope of its data
    areas : str
        which areas of the sample: one of ``AREAS``
    caveats : iterable of str
        caveats to show with the test

    Returns
    -------
    FindingTest
        of rule ``"threshold"``: the breakpoint (in years) and its interval, with the slopes, the equivalence test
        and the claimed and allowed breakpoints in ``detail``
    """
    from ..models import equivalence_test

    spec = finding(finding_key).get("threshold")
    if not spec:
        raise ArgumentError(f"finding {finding_key} declares no threshold in findings.yaml")
    extra = segmented.extra
    tau = float(extra["breakpoint"])
    low, high = extra.get("breakpoint_ci_bootstrap") or extra["breakpoint_ci"]
    before, after = segmented.term("before"), segmented.term("after")
    flat = equivalence_test(float(after["estimate"]), float(after["std_error"]), spec["equivalence_margin"])
    detail = {
        "breakpoint": tau,
        "breakpoint_ci": [float(low), float(high)],
        "breakpoint_interval": "cluster bootstrap" if extra.get("breakpoint_ci_bootstrap") else "likelihood ratio",
        "before": {k: float(before[k]) for k in ("estimate", "ci_low", "ci_high", "p_value")},
        "after": {k: float(after[k]) for k in ("estimate", "ci_low", "ci_high", "p_value")},
        "after_equivalent_to_zero": bool(flat["equivalent"]),
        "equivalence_p": float(flat["p_value"]),
        "margin": float(spec["equivalence_margin"]),
        "claimed": float(spec["claimed"]),
        "allowed": [float(v) for v in spec["allowed"]],
    }
    outcome = outcome_of_formula(segmented.formula)
    common = _common(
        finding_key,
        segmented.provenance,
        outcome=outcome,
        term="breakpoint",
        scope=scope,
        caveats=caveats,
        n=int(segmented.n),
        built_from=None,
        rule="threshold",
    )
    return FindingTest(
        finding=finding_key,
        label=label,
        estimate=tau,
        ci_low=float(low),
        ci_high=float(high),
        expected_sign=1,
        measure=f"breakpoint in {spec['unit']} (interval: {detail['breakpoint_interval']})",
        scale="years",
        outcome=outcome,
        term="breakpoint",
        estimator=estimator_of(segmented),
        areas=areas,
        year=str(segmented.years),
        n=int(segmented.n),
        notebook=notebook,
        rule="threshold",
        detail=detail,
        **common,
        **_where(segmented.provenance, segmented.divisions),
    )


_LABEL_ARROW = re.compile(r"\s*->\s*")


def association_label(label: str) -> str:
    """A label without a causal arrow, for claims of association: "a -> b" becomes "a ~ b (association)".

    Parameters
    ----------
    label : str
        a test's label

    Returns
    -------
    str
        every ``->`` replaced by ``~``, and " (association)" added unless the label says "association" already
    """
    return _LABEL_ARROW.sub(" ~ ", label) + ("" if "association" in label else " (association)")


def isnan(value) -> bool:
    """Whether a value is missing (None or NaN).

    Parameters
    ----------
    value : object
        a number or None

    Returns
    -------
    bool
        True for None and a float NaN (a Python or numpy float64); False for anything else
    """
    return value is None or (isinstance(value, float) and math.isnan(value))
