"""Verdicts: the rules of ``findings.yaml`` applied to recorded finding tests.

- ``outcome_of``: supports, contradicts or inconclusive for one test, by its interval (``interval_outcome``), the
  case rule (``case_outcome``) or the threshold rule (``threshold_outcome``);
- ``method_check``: what a synthetic test recovered of the planted value;
- ``judge``: per finding, the counted samples (one primary estimate each, chosen by the finding's declared
  primary specification), their Holm-adjusted intervals, the robustness range of their other specifications, the
  pooled random-effects estimate, the tests that do not count (model-implied, method checks, unknown) and the
  verdict per scope in five words: supported, contradicted, mixed, inconclusive, not testable with these data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..core.errors import ArgumentError
from ..data.variables import label
from . import evidence as ev
from .findings import FindingTest, finding, isnan

SUPPORTED, CONTRADICTED, MIXED = "supported", "contradicted", "mixed"
INCONCLUSIVE, NOT_TESTABLE = "inconclusive", "not testable with these data"
VERDICTS = (SUPPORTED, CONTRADICTED, MIXED, INCONCLUSIVE, NOT_TESTABLE)
SUPPORTS, CONTRADICTS, UNDECIDED = "supports", "contradicts", "inconclusive"
ALPHA = 0.05
SCOPES = {  # the scopes a verdict is given for: scope group -> its name in a verdict
    "residents": "residents",
    "gemeenten": "gemeenten",
    "cities": "city wijken",
    "national": "national areas",
    "case": "case",
}


# --- one test -------------------------------------------------------------------------------------------------


def interval_outcome(ci_low: float, ci_high: float, expected_sign: int) -> str:
    """'supports', 'contradicts' or 'inconclusive' for an interval and the direction a claim names.

    (0: none, when an interval that excludes zero supports and nothing contradicts).

    Parameters
    ----------
    ci_low, ci_high : float
        the interval; a missing bound makes the outcome inconclusive
    expected_sign : int
        +1, -1 or 0

    Returns
    -------
    str
        ``SUPPORTS`` when the interval lies entirely on the named side of zero, ``CONTRADICTS`` when it lies
        entirely on the other side, else ``UNDECIDED``
    """
    if expected_sign not in (1, 0, -1):
        raise ArgumentError("expected_sign must be +1, -1 or 0")
    if isnan(ci_low) or isnan(ci_high):
        return UNDECIDED
    if expected_sign == 0:
        return SUPPORTS if ci_low > 0 or ci_high < 0 else UNDECIDED
    low, high = (ci_low, ci_high) if expected_sign == 1 else (-ci_high, -ci_low)
    if low > 0:
        return SUPPORTS
    if high < 0:
        return CONTRADICTS
    return UNDECIDED


def case_outcome(finding_key: str, detail: dict) -> str:
    """The case rule.

    Supports when the case lies at or above ``supported_from`` on every dimension in every year; contradicts when on
    some dimension it lies below ``contradicted_below`` in every year.

    Parameters
    ----------
    finding_key : str
        a finding with a ``case`` rule in findings.yaml
    detail : dict
        {dimension: {year: percentile, or a dict with ``percentile``}}, a case test's ``detail``

    Returns
    -------
    str
        ``SUPPORTS``, ``CONTRADICTS`` or ``UNDECIDED``
    """
    spec = finding(finding_key)["case"]
    value = lambda d: d["percentile"] if isinstance(d, dict) else float(d)  # noqa: E731
    values = [value(d) for years in detail.values() for d in years.values()]
    if values and min(values) >= spec["supported_from"]:
        return SUPPORTS
    if any(years and max(value(d) for d in years.values()) < spec["contradicted_below"] for years in detail.values()):
        return CONTRADICTS
    return UNDECIDED


def threshold_outcome(detail: dict) -> str:
    """The threshold rule (findings.yaml).

    Supports when the breakpoint's interval lies within the range the claim allows, the slope before is positive and the
    slope after is equivalent to zero; contradicts when the interval lies entirely outside that range or the slope after
    is clearly positive; inconclusive otherwise.

    Parameters
    ----------
    detail : dict
        a threshold test's ``detail`` (``threshold_test``): ``breakpoint_ci``, ``allowed``, ``before`` and ``after``
        (each with ``ci_low``) and ``after_equivalent_to_zero``

    Returns
    -------
    str
        ``SUPPORTS``, ``CONTRADICTS`` or ``UNDECIDED``
    """
    low, high = detail["breakpoint_ci"]
    allowed_low, allowed_high = detail["allowed"]
    if high < allowed_low or low > allowed_high or detail["after"]["ci_low"] > 0:
        return CONTRADICTS
    within = allowed_low <= low and high <= allowed_high
    if within and detail["before"]["ci_low"] > 0 and detail["after_equivalent_to_zero"]:
        return SUPPORTS
    return UNDECIDED


def outcome_of(test: FindingTest, ci: tuple | None = None) -> str:
    """The outcome of one test by its rule; ``ci`` replaces its interval (an adjusted one).

    Parameters
    ----------
    test : FindingTest
        a test of any rule: ``case``, ``threshold`` or ``interval``
    ci : tuple, optional
        (low, high) to judge instead of the test's own interval (interval rule only)

    Returns
    -------
    str
        ``SUPPORTS``, ``CONTRADICTS`` or ``UNDECIDED``
    """
    if test.rule == "case":
        return case_outcome(test.finding, test.detail)
    if test.rule == "threshold":
        return threshold_outcome(test.detail)
    low, high = ci or (test.ci_low, test.ci_high)
    return interval_outcome(low, high, test.expected_sign)


RECOVERED_VALUE, RECOVERED_DIRECTION = "planted value recovered", "planted direction recovered"
NOT_RECOVERED, NOTHING_PLANTED = "not recovered", "no planted value to compare with"
RECOVERED = (RECOVERED_VALUE, RECOVERED_DIRECTION)  # the outcomes of a method check that recovered what was planted


def method_check(test: FindingTest) -> str:
    """For a synthetic test.

    'planted value recovered', 'planted direction recovered', 'not recovered' or 'no planted value to compare with'.

    Parameters
    ----------
    test : FindingTest
        a test on synthetic data, with its ``planted`` value or ``planted_sign``

    Returns
    -------
    str
        one of the four phrases: the value is recovered when the interval holds it (a threshold test: the breakpoint's
        interval, with the slope after the break not clearly different from zero; a standardised estimate is only
        checked for the planted direction)
    """
    if test.rule == "threshold":
        d = test.detail
        inside = d["breakpoint_ci"][0] <= test.planted <= d["breakpoint_ci"][1] if test.planted is not None else None
        if inside is None:
            return NOTHING_PLANTED
        return RECOVERED_VALUE if inside and d["after"]["ci_low"] <= 0 <= d["after"]["ci_high"] else NOT_RECOVERED
    if test.planted is not None and test.scale != "standardised":
        return RECOVERED_VALUE if test.ci_low <= test.planted <= test.ci_high else NOT_RECOVERED
    if test.planted_sign:
        side = interval_outcome(test.ci_low, test.ci_high, test.planted_sign)
        return RECOVERED_DIRECTION if side == SUPPORTS else NOT_RECOVERED
    return NOTHING_PLANTED


def interval_side(test: FindingTest) -> str:
    """Where a test's own interval lies, in words that are not a verdict (for tests that do not vote).

    Parameters
    ----------
    test : FindingTest
        any test

    Returns
    -------
    str
        "interval above 0", "interval below 0", "interval includes 0" or "no interval"; for a case or threshold
        test its outcome by its rule, e.g. "supports by its rule (not a vote)"
    """
    if test.rule in ("case", "threshold"):
        return f"{outcome_of(test)} by its rule (not a vote)"
    if isnan(test.ci_low) or isnan(test.ci_high):
        return "no interval"
    if test.ci_low > 0:
        return "interval above 0"
    if test.ci_high < 0:
        return "interval below 0"
    return "interval includes 0"


def verdict(outcomes) -> str:
    """The verdict from the counted outcomes of one scope (see ``verdict_rule`` in findings.yaml).

    Parameters
    ----------
    outcomes : iterable of str
        the outcomes (``SUPPORTS``, ``CONTRADICTS``, ``UNDECIDED``) of the counted primary estimates

    Returns
    -------
    str
        one of ``VERDICTS``: ``NOT_TESTABLE`` without outcomes
    """
    outcomes = list(outcomes)
    if not outcomes:
        return NOT_TESTABLE
    supporting, contradicting = outcomes.count(SUPPORTS), outcomes.count(CONTRADICTS)
    if supporting and contradicting:
        return MIXED
    if supporting:
        return SUPPORTED
    if contradicting:
        return CONTRADICTED
    return INCONCLUSIVE


# --- choosing each sample's primary estimate ------------------------------------------------------------------


def _preference(value: str, wanted) -> int | None:
    """Position of ``value`` in a preference list (a single value is a list of one); None when it is not there."""
    if wanted is None:
        return 0
    wanted = wanted if isinstance(wanted, list) else [wanted]
    return wanted.index(value) if value in wanted else None


def _matches(test: FindingTest, alternative: dict) -> bool:
    if "level" in alternative and alternative["level"] not in [s.strip() for s in test.level.split(",")]:
        return False
    if "rule" in alternative and test.rule != alternative["rule"]:
        return False
    if "estimator" in alternative and test.estimator != alternative["estimator"]:
        return False
    return all(_preference(getattr(test, key), alternative.get(key)) is not None for key in ("outcome", "term"))


def _declared_primaries(finding_key: str, tests: list[FindingTest], primary) -> list[FindingTest] | None:
    """The primary estimate(s) of a declared sample's tests.

    (their choices equal the declared specification's, or, under an alternative of the specification table, ``primary``
    = {"choices": {...}} where the sample has them); a declared sample whose primary scope has no class votes with its
    all-areas test, marked outside the stated scope. None for tests of no declared sample (the older ``primary``
    alternatives decide).
    """
    from .designs import declared_specs

    keys = {t.sample_id for t in tests if t.sample_id}
    if len(keys) != 1:
        return None
    key = keys.pop()
    chosen = []
    wanted = (primary or {}).get("choices", {}) if isinstance(primary, dict) else {}
    for spec in declared_specs(finding_key, key):
        mine = [t for t in tests if t.part == spec.part]
        choices = dict(spec.choices)
        for dim, value in wanted.items():  # a sample keeps what it cannot vary (and a choice it does not have)
            if dim in choices and any(t.choices.get(dim) == value for t in mine):
                choices[dim] = value
                if dim == "areas" and value == "all areas":
                    choices.update(scope="", share=None)
        match = [t for t in mine if t.choices == choices]
        if not match and choices.get("areas") != "all areas":  # no class here: all areas, outside the scope
            match = [t for t in mine if t.choices == dict(choices, areas="all areas", scope="", share=None)]
            for t in match if primary is None else []:  # the declared judgement marks it (an alternative does not)
                t.outside_scope = True
        chosen += match[:1]
    return chosen


def primaries(finding_key: str, tests: list[FindingTest], primary: list | None = None) -> list[FindingTest]:
    """The primary estimate(s) of one sample's tests of a finding by the finding's declared ``primary`` specification.

    (or the one given): the first alternative that some test matches; among the matches the preferred term, outcome,
    areas (the alternative's or the finding's own first, then all areas) and the main specification (no ``spec``). One
    per part for a finding with parts. Empty when no test matches (the sample does not vote).

    Parameters
    ----------
    finding_key : str
        e.g. ``"F3"``
    tests : list of FindingTest
        one sample's tests of the finding
    primary : list of dict, optional
        the alternatives to use instead of the finding's ``primary`` in findings.yaml (``alternative_primaries``)

    Returns
    -------
    list of FindingTest
        one per part (one for a finding without parts), or empty
    """
    spec = finding(finding_key)
    declared = _declared_primaries(finding_key, tests, primary)
    if declared is not None:
        return declared
    listed = spec.get("primary", []) if not isinstance(primary, list) else primary
    for alternative in listed:
        matching = [t for t in tests if _matches(t, alternative)]
        if not matching:
            continue
        areas = [alternative.get("areas", spec.get("areas", "all areas")), "all areas"]

        def rank(t: FindingTest, alternative=alternative, areas=areas) -> tuple:
            return (
                _preference(t.term, alternative.get("term")),
                _preference(t.outcome, alternative.get("outcome")),
                areas.index(t.areas) if t.areas in areas else len(areas),
                t.spec != "",
            )

        chosen = {}
        for t in sorted(matching, key=rank):
            chosen.setdefault(t.part, t)
        return list(chosen.values())
    return []


# --- multiplicity and pooling -----------------------------------------------------------------------------------


def _quantile(distribution: str, level: float) -> float:
    from ..models.result import _quantile

    return _quantile(str(distribution), level)  # kept per distribution and level (scipy's ppf is slow per call)


def holm_adjusted(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values (Holm 1979), in the order given.

    The i-th smallest p is multiplied by m - i + 1, the running maximum taken over the sorted order, capped at 1
    (statsmodels' ``multipletests(..., method="holm")`` gives the same, but collects the garbage of the whole process on
    every call).

    Parameters
    ----------
    p_values : array-like
        the unadjusted p-values

    Returns
    -------
    ndarray
        the adjusted p-values
    """
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    scaled = p[order] * np.arange(len(p), 0, -1)
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(np.maximum.accumulate(scaled), 1.0)
    return adjusted


def holm(tests: list[FindingTest], alpha: float = ALPHA) -> dict[int, dict]:
    """Holm's adjustment over the counted primary estimates of one finding (interval-rule tests).

    The adjusted interval uses the confidence level 1 - alpha * p / p_adjusted, so it excludes zero exactly when
    the adjusted p is below ``alpha``.

    Parameters
    ----------
    tests : list of FindingTest
        the counted primary estimates; only interval-rule tests with a p-value and a standard error are adjusted
    alpha : float
        the family-wise error rate (``ALPHA``, 0.05, by default)

    Returns
    -------
    dict
        {id(test): {"p": adjusted p, "ci": adjusted interval}}, each with its confidence ``level`` too; empty
        when no test can be adjusted
    """
    usable = [t for t in tests if t.rule == "interval" and not isnan(t.p_value) and not isnan(t.std_error)]
    if not usable:
        return {}
    adjusted = holm_adjusted([t.p_value for t in usable])
    out = {}
    for t, p_adj in zip(usable, adjusted):
        level = 1 - alpha * (t.p_value / p_adj if p_adj > 0 else 1.0)
        q = _quantile(t.distribution, level)
        out[id(t)] = {
            "p": float(p_adj),
            "ci": (t.estimate - q * t.std_error, t.estimate + q * t.std_error),
            "level": level,
        }
    return out


def quantity(test: FindingTest) -> tuple:
    """What a test estimates, for pooling.

    Its part, the concepts of its outcome, term and controls, its scale and level. Two tests of the same quantity may be
    pooled; others are not (the reason is shown instead).

    Parameters
    ----------
    test : FindingTest

    Returns
    -------
    tuple
    """
    controls = frozenset(frozenset(ev.term_concepts(c)[0]) for c in test.controls)
    return (
        test.part,
        _outcome_concept(test),
        frozenset(ev.term_concepts(test.term)[0]),
        controls,
        test.scale,
        test.evidence_level,
    )


def pooling_note(tests: list[FindingTest]) -> str:
    """Why the counted estimates of a finding are not pooled ("" when they are, or when there are fewer than two).

    Parameters
    ----------
    tests : list of FindingTest
        the counted primary estimates of one finding

    Returns
    -------
    str
        e.g. "not pooled: the samples differ in their controls (age, origin; age, urbanisation)"
    """
    usable = [t for t in tests if t.scale == "standardised" and not isnan(t.std_error) and t.std_error > 0]
    if len(usable) < 2 or len({quantity(t) for t in usable}) == 1:
        return ""
    names = ("part", "outcome", "term", "controls", "scale", "level")
    differing = [n for i, n in enumerate(names) if len({quantity(t)[i] for t in usable}) > 1]
    sets = "; ".join(
        dict.fromkeys(
            ", ".join(sorted(set().union(*[ev.term_concepts(c)[0] for c in t.controls]))) or "none" for t in usable
        )
    )
    detail = f" ({sets})" if "controls" in differing else ""
    return (
        f"not pooled: the samples do not estimate the same quantity (they differ in {', '.join(differing)}{detail}); "
        "each keeps its own vote"
    )


def pooled(tests: list[FindingTest]) -> dict | None:
    """The random-effects pooled estimate of two or more counted standardised estimates of one term and outcome.

    DerSimonian-Laird tau-squared and I-squared, a Hartung-Knapp interval with t(k - 1) (as few samples need); None
    when there is nothing to pool: estimates of different measures of a construct are not pooled.

    Parameters
    ----------
    tests : list of FindingTest
        the counted primary estimates of one finding; those on the standardised scale with a positive standard
        error are pooled

    Returns
    -------
    dict or None
        ``models.pooled_estimate``'s result (weights labelled by sample) with ``samples`` and ``areas``; None for
        fewer than two such estimates, or when they differ in part, term or outcome
    """
    from ..models import pooled_estimate

    usable = [t for t in tests if t.scale == "standardised" and not isnan(t.std_error) and t.std_error > 0]
    if len(usable) < 2 or len({quantity(t) for t in usable}) > 1:
        return None
    result = pooled_estimate(
        [t.estimate for t in usable],
        [t.std_error for t in usable],
        labels=[t.sample for t in usable],
        interval="hksj",
    )
    return dict(result, samples=[t.sample for t in usable], areas=sorted({t.areas for t in usable}))


# --- a finding's judgement ----------------------------------------------------------------------------------------


@dataclass
class Vote:
    """One counted sample: its primary estimate(s), their adjusted outcome, the range of its other specifications."""

    sample: str
    primary: list
    adjusted: dict = field(default_factory=dict)  # id(test) -> {"p", "ci", "level"}
    robustness: list = field(default_factory=list)  # the sample's other tests (same finding)

    def outcome(self, test: FindingTest) -> str:
        """The outcome of one of the vote's primary estimates, by its adjusted interval where it has one.

        Parameters
        ----------
        test : FindingTest
            one of ``primary``

        Returns
        -------
        str
            ``outcome_of`` the test
        """
        adjusted = self.adjusted.get(id(test))
        return outcome_of(test, adjusted["ci"] if adjusted else None)

    @property
    def outcomes(self) -> list[str]:
        """The outcome of every primary estimate of the vote.

        Returns
        -------
        list of str
            ``outcome`` of each of ``primary``, in order
        """
        return [self.outcome(t) for t in self.primary]


@dataclass(frozen=True)
class VerdictScope:
    """What one key of ``Judgement.verdicts`` is a verdict on: a scope group and, for a finding with parts, a part.

    Parameters
    ----------
    group : str
        the scope group (a key of ``SCOPES``: ``"national"``, ``"cities"``, ...)
    part : str
        the part's key in findings.yaml ("" for a finding without parts)
    part_name : str
        the part's name as the verdict says it ("" for a finding without parts)
    """

    group: str
    part: str = ""
    part_name: str = ""

    @property
    def key(self) -> str:
        """The key of the verdict: the scope's name, and the part's (``"city wijken, social cohesion"``)."""
        return SCOPES[self.group] + (f", {self.part_name}" if self.part_name else "")


@dataclass
class Judgement:
    """What the evidence says about one finding."""

    finding: str
    verdicts: dict  # scope (and part, for a finding with parts) -> verdict word
    votes: list  # counted samples (Vote)
    not_voting: list = field(default_factory=list)  # real tests of countable kinds whose sample does not vote
    not_counted: dict = field(default_factory=dict)  # evidence kind -> tests (model-implied, composite, unknown)
    method_checks: list = field(default_factory=list)
    pooled: dict | None = None
    direction_only: str = ""
    nested: dict = field(default_factory=dict)  # sample -> the sample it lies in (it does not vote)
    sensitivity: dict = field(default_factory=dict)  # an alternative primary specification -> its verdict text
    family: dict = field(default_factory=dict)  # part -> the number of counted estimates adjusted together (Holm)
    specifications: object = None  # the specification table (``specification_table``), a DataFrame
    scopes: dict = field(default_factory=dict)  # verdict key -> VerdictScope (what each verdict is a verdict on)

    def verdict_text(self) -> str:
        """The verdict per scope (``"national: ...; cities: ..."``), or one word when no scope has counted samples.

        Returns
        -------
        str
            the verdict of every scope (and part), or ``NOT_TESTABLE``
        """
        if not self.verdicts:
            return NOT_TESTABLE
        return "; ".join(f"{scope}: {word}" for scope, word in self.verdicts.items())


def _scope_verdicts(finding_key: str, votes: list[Vote]) -> dict:
    """The verdict per scope (and, for a finding with parts, per part: each part is a claim of its own).

    Keyed by ``VerdictScope``.
    """
    parts = finding(finding_key).get("parts", {})
    verdicts = {}
    for group in SCOPES:
        pairs = [(t, o) for v in votes for t, o in zip(v.primary, v.outcomes) if t.scope_group == group]
        if not pairs:
            continue
        if not parts:
            verdicts[VerdictScope(group)] = verdict(o for _, o in pairs)
            continue
        for part, spec in parts.items():
            mine = [o for t, o in pairs if t.part == part]
            if mine:
                verdicts[VerdictScope(group, part, spec.get("name", part))] = verdict(mine)
    return verdicts


def _nested(votes: list[Vote]) -> dict:
    """Samples that lie inside another counted sample (a city of the same national survey wave).

    {sample: the sample it lies in}. Only the wider one votes.
    """
    national = {t.outcome_source: v.sample for v in votes for t in v.primary if t.scope_group == "national"}
    return {
        v.sample: national[v.primary[0].outcome_source]
        for v in votes
        if v.primary[0].scope_group != "national" and v.primary[0].outcome_source in national
    }


def among(test: FindingTest, tests) -> bool:
    """``test in tests`` (the same test, or one equal to it field by field), its label and specification compared first.

    A FindingTest compares all its fields: two tests whose label or specification differ are never equal, and most
    differ there, so the whole comparison is made only for the few that could be equal.

    Parameters
    ----------
    test : FindingTest
    tests : iterable of FindingTest

    Returns
    -------
    bool
    """
    return any(t is test or (t.label == test.label and t.spec == test.spec and t == test) for t in tests)


def judge(finding_key: str, tests: list[FindingTest], primary: list | None = None) -> Judgement:
    """Judge one finding's recorded tests (see the module docstring and ``verdict_rule`` in findings.yaml).

    ``primary`` replaces the finding's declared primary specification (for the sensitivity of the verdict).

    Parameters
    ----------
    finding_key : str
        e.g. ``"F3"``
    tests : list of FindingTest
        recorded tests (of any finding: the finding's are used)
    primary : list of dict, optional
        the alternatives to choose each sample's primary estimate by; given, the judgement has no ``sensitivity``

    Returns
    -------
    Judgement
        the verdicts per scope, the votes, the tests that do not vote or do not count, the method checks, the pooled
        estimate and, with the declared primary, the verdicts under the alternatives
    """
    return _judge(finding_key, tests, primary)


def _judge(finding_key: str, tests: list[FindingTest], primary, *, pool: bool = True) -> Judgement:
    """``judge``; with ``pool=False`` without the pooled estimate (``pooled`` None: only a full judgement shows it)."""
    tests = [t for t in tests if t.finding == finding_key]
    real = [t for t in tests if t.data_kind == "real"]
    by_sample: dict[str, list] = {}
    for t in real:
        by_sample.setdefault(t.sample_id or t.sample, []).append(t)
    votes, not_voting = [], []
    for mine in by_sample.values():
        chosen = primaries(finding_key, mine, primary)
        if chosen and all(t.counted_kind for t in chosen):
            votes.append(Vote(chosen[0].sample, chosen, robustness=[t for t in mine if not among(t, chosen)]))
        else:  # no primary specification, or a primary of a kind that does not count: the sample does not vote
            not_voting += [t for t in mine if t.counted_kind]
    nested = _nested(votes)
    for vote in [v for v in votes if v.sample in nested]:
        votes.remove(vote)
        not_voting += vote.primary + vote.robustness
    counted = [t for v in votes for t in v.primary]
    adjusted = {}
    for part in dict.fromkeys(t.part for t in counted):  # one family per finding, or per part
        adjusted.update(holm([t for t in counted if t.part == part]))
    for vote in votes:
        vote.adjusted = {id(t): adjusted[id(t)] for t in vote.primary if id(t) in adjusted}
    not_counted: dict[str, list] = {}
    voted = {id(t) for v in votes for t in v.primary + v.robustness} | {id(t) for t in not_voting}
    for t in real:
        if id(t) not in voted and not t.counted_kind:
            not_counted.setdefault(t.evidence, []).append(t)
    not_counted.setdefault(ev.UNKNOWN, []).extend(t for t in tests if t.data_kind == "unknown")
    direction = ""
    listed = primary if isinstance(primary, list) else finding(finding_key).get("primary", [])
    for alternative in listed:
        if alternative.get("direction_only") and any(_matches(t, alternative) for t in counted):
            direction = alternative["direction_only"]
    why = next((a["direction_only"] for a in listed if isinstance(a.get("direction_only"), str)), "")
    declared = {(t.sample_id, t.part): t for t in counted if t.sample_id}  # one declaration per sample and part
    if any(dict(_declared_of(t).extra).get("direction_only") for t in declared.values()) and why:
        direction = why
    family = {part: sum(1 for t in counted if t.part == part) for part in dict.fromkeys(t.part for t in counted)}
    if primary is None:  # the declared judgement: every test of a voting sample says what it could detect
        for vote in votes:
            for t in vote.primary + vote.robustness:
                t.mde = minimum_detectable(t, family.get(t.part, 1))
    scoped = _scope_verdicts(finding_key, votes)
    return Judgement(
        finding_key,
        {scope.key: word for scope, word in scoped.items()},
        votes,
        not_voting,
        {k: v for k, v in not_counted.items() if v},
        [t for t in tests if t.data_kind == "synthetic"],
        pooled(counted) if pool else None,
        direction,
        nested,
        {} if primary is not None else sensitivity(finding_key, tests),
        family,
        None if primary is not None else specification_table(finding_key, tests),
        {scope.key: scope for scope in scoped},
    )


def _declared_of(test: FindingTest):
    """The declared primary specification of a test's sample and part."""
    from .designs import declared_spec

    return declared_spec(test.finding, test.sample_id, test.part)


def _df(test: FindingTest) -> float | None:
    return float(test.distribution[2:-1]) if test.distribution.startswith("t(") else None


def power_at(test: FindingTest, effect: float, family: int) -> float:
    """The power of a test's own test (its df, two-sided, at its family's Holm first step) to detect ``effect``.

    Parameters
    ----------
    test : FindingTest
        an interval-rule test with a standard error
    effect : float
        the true effect, on the test's scale
    family : int
        the number of counted estimates adjusted together

    Returns
    -------
    float
        NaN for a test without a standard error
    """
    from ..models.power import detection_power

    if test.rule != "interval" or isnan(test.std_error) or test.std_error <= 0:
        return float("nan")
    return float(detection_power(effect, test.std_error, _df(test), alpha=ALPHA, tests=max(family, 1)))


def minimum_detectable(test: FindingTest, family: int) -> float:
    """The smallest true effect, on the test's own scale, that its test finds with 80 % power.

    Two-sided, its own degrees of freedom (t(df), or normal), at the Holm level of its family's first step (alpha /
    family).

    Parameters
    ----------
    test : FindingTest
        an interval-rule test with a standard error
    family : int
        the number of counted primary estimates in the test's family (the finding, or its part)

    Returns
    -------
    float
        NaN for a test without a standard error or of another rule
    """
    from ..models.power import minimum_detectable_effect

    if test.rule != "interval" or isnan(test.std_error) or test.std_error <= 0:
        return float("nan")
    return float(minimum_detectable_effect(test.std_error, _df(test), alpha=ALPHA, power=0.8, tests=max(family, 1)))


def alternative_primaries(finding_key: str) -> dict[str, list]:
    """The primary specifications a reader might have chosen instead of the declared one.

    Each other outcome of its preference list first, and all areas instead of the areas the claim speaks of.

    Parameters
    ----------
    finding_key : str
        e.g. ``"F3"``

    Returns
    -------
    dict
        {description: primary}, e.g. "with does volunteer work as the outcome" or "on all areas"
    """
    declared = finding(finding_key).get("primary", [])
    out = {}
    for i, alternative in enumerate(declared):
        outcomes = alternative.get("outcome") or []
        for other in outcomes[1:]:
            changed = [dict(a) for a in declared]
            changed[i]["outcome"] = [other] + [o for o in outcomes if o != other]
            out[f"with {label(other).lower()} as the outcome"] = changed
    if finding(finding_key).get("areas", "all areas") != "all areas":
        out["on all areas"] = [dict(a, areas="all areas") for a in declared]
    return out


def sensitivity(finding_key: str, tests: list[FindingTest]) -> dict[str, str]:
    """The verdict under each alternative primary specification (``alternative_primaries``).

    Where it differs from the declared one's.

    Parameters
    ----------
    finding_key : str
        e.g. ``"F3"``
    tests : list of FindingTest
        recorded tests

    Returns
    -------
    dict
        {description: verdict text}, only the alternatives whose verdict text differs
    """
    declared = judge(finding_key, tests, primary=finding(finding_key).get("primary", [])).verdict_text()
    out = {}
    for description, primary in alternative_primaries(finding_key).items():
        text = judge(finding_key, tests, primary=primary).verdict_text()
        if text != declared:
            out[description] = text
    return out


def robustness_range(vote: Vote, test: FindingTest) -> tuple | None:
    """(lowest, highest) of the sample's other specifications of the same term on an outcome of the same concept.

    (and the same scale and part), each (estimate, what distinguishes it); None when there are none.

    Parameters
    ----------
    vote : Vote
        the sample's vote; its ``robustness`` tests are compared
    test : FindingTest
        the primary estimate they are compared with

    Returns
    -------
    tuple or None
        ((lowest estimate, ``describe_spec``), (highest estimate, ``describe_spec``))
    """
    same = [
        t
        for t in vote.robustness
        if t.scale == test.scale
        and t.part == test.part
        and t.term == test.term
        and _outcome_concept(t) == _outcome_concept(test)
        and not math.isnan(t.estimate)
    ]
    if not same:
        return None
    low, high = min(same, key=lambda t: t.estimate), max(same, key=lambda t: t.estimate)
    return (low.estimate, describe_spec(low)), (high.estimate, describe_spec(high))


def _outcome_concept(test: FindingTest) -> frozenset | None:
    found = ev.concepts_of(test.outcome)
    return frozenset(found) if found is not None else None


def describe_spec(test: FindingTest) -> str:
    """What distinguishes a specification, in a few words: estimator, areas, outcome, term, spec.

    Parameters
    ----------
    test : FindingTest
        any test

    Returns
    -------
    str
        e.g. "weighted regression, problem areas (pct_volunteering ~ pct_owner_occupied)"; the areas only when not
        all areas
    """
    parts = [test.estimator]
    if test.areas != "all areas":
        parts.append(test.areas)
    parts += [p for p in (test.spec,) if p]
    return ", ".join(parts) + f" ({test.outcome} ~ {test.term})"


# --- the specification table --------------------------------------------------------------------------------------

CHOICE_COLUMNS = ("outcome", "term", "areas", "scope", "share", "weights", "controls", "waves", "against")


def specification_table(finding_key: str, tests: list[FindingTest]):
    """The verdict under every combination of the declared choices that the samples' recorded tests cover.

    (findings.yaml ``alternatives``): outcome, term, areas and the livability class's definition and cut-off, the
    weighting and the controls. Under each combination every declared sample uses its test with those choices where it
    has them and keeps its declared choice where it has not; Holm and the verdict rule as for the primary.

    Parameters
    ----------
    finding_key : str
        e.g. ``"F3"``
    tests : list of FindingTest
        recorded tests

    Returns
    -------
    DataFrame
        one row per combination and part (combinations that choose the same voting tests are one row, the first in
        order: every sample keeping its declared choice is one specification, however many samples declare other
        outcomes): the choices (``CHOICE_COLUMNS``), ``part``, ``primary`` (whether it is the declared
        specification), ``samples`` (how many vote), ``verdict`` (per scope, in words) and ``words`` (the verdict
        words, one per scope); empty without declared samples
    """
    import pandas as pd

    from .designs import declared_specs

    mine = [t for t in tests if t.finding == finding_key and t.data_kind == "real" and t.sample_id and t.counted_kind]
    parts = finding(finding_key).get("parts", {})
    rows = []
    for part in dict.fromkeys(t.part for t in mine):
        declared = [
            {k: s.choices.get(k) for k in CHOICE_COLUMNS} for s in declared_specs(finding_key) if s.part == part
        ]
        combos = {tuple((k, t.choices.get(k)) for k in CHOICE_COLUMNS) for t in mine if t.part == part}
        seen = {}  # the voting tests of a row -> its index: two combinations that choose the same tests are one row
        for combo in sorted(combos, key=lambda c: [str(v) for _, v in c]):
            choices = dict(combo)
            judged = _judge(finding_key, tests, {"choices": choices}, pool=False)  # its votes and verdicts
            chosen = frozenset(id(t) for v in judged.votes for t in v.primary if t.part == part)
            if chosen in seen:  # e.g. two samples' own declared primaries (F3: Rotterdam's and the VM's outcome)
                rows[seen[chosen]]["primary"] |= choices in declared
                continue
            seen[chosen] = len(rows)
            verdicts = {k: v for k, v in judged.verdicts.items() if not parts or judged.scopes[k].part == part}
            rows.append(
                dict(
                    choices,
                    part=part,
                    primary=choices in declared,
                    samples=sum(1 for v in judged.votes if any(t.part == part for t in v.primary)),
                    verdict="; ".join(f"{k}: {v}" for k, v in verdicts.items()) or NOT_TESTABLE,
                    words=tuple(verdicts.values()) or (NOT_TESTABLE,),
                )
            )
    return pd.DataFrame(rows, columns=[*CHOICE_COLUMNS, "part", "primary", "samples", "verdict", "words"])


def specification_summary(table) -> str:
    """The specification table in one clause: how many specifications, and the share of each verdict word.

    Parameters
    ----------
    table : DataFrame
        ``specification_table``

    Returns
    -------
    str
        e.g. "over 42 specifications: inconclusive 81 %, contradicted 19 %"; "" for an empty table
    """
    if table is None or len(table) == 0:
        return ""
    words = [word for row in table["words"] for word in row]
    counts = {w: words.count(w) for w in VERDICTS if w in words}
    shares = ", ".join(f"{w} {100 * n / len(words):.0f} %" for w, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    return f"over {len(table)} specification{'s' if len(table) != 1 else ''}: {shares}"
