"""The declared samples and specifications, read as records.

Findings.yaml's ``samples`` (what each independent sample is and how its areas are classed), every finding's
``declared`` primary and ``alternatives`` (the choices its specification table varies), and the ``models`` it fits
beside them (``ModelSpec``: residents, national tables). Nothing here fits a model: the notebooks and ``study.sweeps``
do.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

import numpy as np

from ..core.errors import ArgumentError
from .evidence import term_concepts
from .findings import finding, registry

PRIMARY_SCOPE = "primary"  # the name of a sample's declared livability definition
NO_WEIGHTS = "none"
WAVE_SIDES = ("all", "before", "from")


@dataclass(frozen=True)
class Waves:
    """Which waves of a sample a specification uses.

    All of them, or those before or from a year (a declared change of the survey's method). ``str(waves)`` is how the
    specification table and the tests name it.

    Parameters
    ----------
    side : str
        ``"all"``, ``"before"`` or ``"from"``
    year : int, optional
        the first wave of the new method (for ``before`` and ``from``)

    Examples
    --------
    >>> from wijkstudie.study.designs import Waves
    >>> Waves.parse("before 2020"), str(Waves("from", 2020)), str(Waves())
    (Waves(side='before', year=2020), 'from 2020', 'all')
    """

    side: str = "all"
    year: int | None = None

    def __post_init__(self):
        if self.side not in WAVE_SIDES or (self.side == "all") != (self.year is None):
            raise ArgumentError(f"waves: 'all', or 'before' / 'from' a year, not {self.side!r} {self.year!r}")

    def __str__(self) -> str:
        return self.side if self.year is None else f"{self.side} {self.year}"

    @classmethod
    def parse(cls, value) -> Waves:
        """The waves a user names (``"all"``, ``"before 2020"``, ``"from 2020"``), or a ``Waves`` as it is.

        Parameters
        ----------
        value : str or Waves

        Returns
        -------
        Waves

        Raises
        ------
        ArgumentError
            for anything else.
        """
        if isinstance(value, cls):
            return value
        words = str(value).split() if isinstance(value, str) else []
        if words == ["all"]:
            return cls()
        if len(words) == 2 and words[0] in WAVE_SIDES[1:] and words[1].isdigit():
            return cls(words[0], int(words[1]))
        raise ArgumentError(f"waves: 'all', 'before <year>' or 'from <year>', not {value!r}")

    def keep(self, years) -> object:
        """Which rows of these waves a table's ``year`` column holds.

        Parameters
        ----------
        years : Series
            the rows' years

        Returns
        -------
        ndarray of bool
        """
        if self.year is None:
            return np.ones(len(years), dtype=bool)
        return (years < self.year if self.side == "before" else years >= self.year).to_numpy()


@dataclass(frozen=True)
class Spec:
    """One specification of a finding on one declared sample.

    What is regressed on what, with which controls, on which areas (and which livability definition and cut-off make
    them), weighted or not.

    ``choices`` (a dict) is what the specification table groups by; ``primary`` says whether this is the sample's
    declared specification.
    """

    finding: str
    sample: str
    outcome: str
    term: str
    part: str = ""
    controls: tuple = ()
    areas: str = "all areas"
    scope: str = PRIMARY_SCOPE
    share: float | None = None
    weights: str = NO_WEIGHTS
    estimator: str = "regression"
    controls_choice: str = "declared"
    waves: Waves = Waves()  # all waves, or those before / from a declared change of method
    extra: tuple = ()  # other declared keys as (key, value) pairs: category, group, problem_from, ...

    @property
    def choices(self) -> dict:
        """What distinguishes this specification from the sample's others (recorded with each test).

        Returns
        -------
        dict
            outcome, term, areas, scope (the livability definition), share (its cut-off), weights, controls
        """
        interaction = self.get("problem_from")  # a class interacted with a term (F5): its items and cut-off choose
        classed = self.areas != "all areas" or bool(interaction)
        return {
            "outcome": self.outcome,
            "term": self.term,
            "areas": self.areas,
            "scope": (" + ".join(interaction) if interaction else self.scope) if classed else "",
            "share": self.share if classed else None,
            "weights": self.weights,
            "controls": self.controls_choice,
            "waves": str(self.waves),
            **({"against": self.get("against", "others")} if self.estimator == "group contrast" else {}),
        }

    def get(self, key: str, default=None):
        """A declared key beyond the record's fields (e.g. ``category``, ``group``, ``problem_from``).

        Parameters
        ----------
        key : str
            the key in the declaration
        default : object
            returned when the declaration does not have it

        Returns
        -------
        object
        """
        return dict(self.extra).get(key, default)

    def formula(self, *, pooled: bool) -> str:
        """The model formula (statsmodels/patsy).

        The outcome on the term and the controls, with wave effects when the sample pools waves.

        Parameters
        ----------
        pooled : bool
            whether to add ``C(year)``

        Returns
        -------
        str
            e.g. ``"pct_active_for_neighbourhood ~ pct_owner_occupied + pct_age_65_plus + C(year)"``
        """
        terms = [self.term] if ":" not in self.term else [self.term.replace(":", " * ")]
        right = " + ".join(terms + list(self.controls) + (["C(year)"] if pooled else []))
        return f"{self.outcome} ~ {right}"


def sample_design(key: str) -> dict:
    """One declared sample (findings.yaml ``samples``).

    Parameters
    ----------
    key : str
        e.g. ``"rotterdam-wijkprofiel"``

    Returns
    -------
    dict
        its entry: name, source, waves, level, evidence_level, cluster, weights, livability, ...

    Raises
    ------
    ArgumentError
        for a key findings.yaml does not declare
    """
    samples = registry().get("samples", {})
    if key not in samples:
        raise ArgumentError(f"no declared sample {key!r}; findings.yaml declares {', '.join(samples)}")
    return samples[key]


def sample_keys() -> list[str]:
    """The declared samples' keys, in findings.yaml's order.

    Returns
    -------
    list of str
    """
    return list(registry().get("samples", {}))


_FIELDS = {"outcome", "term", "controls", "areas", "estimator"}


def allowed_term(finding_key: str, term: str) -> str:
    """A declared term.

    Refused when it measures a concept the finding excludes (``excluded_concepts``; F4: trust in government is not trust
    in neighbours).

    Parameters
    ----------
    finding_key : str
        e.g. ``"F4"``
    term : str
        a primary's or an alternative's term

    Returns
    -------
    str
        the term

    Raises
    ------
    ArgumentError
        for a term whose concept (variables.yaml) the finding excludes
    """
    excluded = set(finding(finding_key).get("excluded_concepts", []))
    shared = term_concepts(term)[0] & excluded if excluded else set()
    if shared:
        raise ArgumentError(f"{finding_key}: {term} measures {', '.join(sorted(shared))}, which the claim excludes")
    return term


def _spec(finding_key: str, sample: str, part: str, declared: dict) -> Spec:
    design = sample_design(sample)
    shares = (design.get("livability") or {}).get("shares") if isinstance(design.get("livability"), dict) else None
    areas = declared.get("areas", "all areas")
    return Spec(
        finding=finding_key,
        sample=sample,
        part=part,
        outcome=declared["outcome"],
        term=allowed_term(finding_key, declared.get("term", declared.get("group", ""))),
        controls=tuple(declared.get("controls", [])),
        areas=areas,
        share=shares[0] if shares and (areas != "all areas" or "problem_from" in declared) else None,
        estimator=declared.get("estimator", "regression"),
        extra=tuple(
            sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in declared.items() if k not in _FIELDS)
        ),
    )


def declared_specs(finding_key: str, sample: str | None = None) -> list[Spec]:
    """The declared primary specification of each sample (one per part for a finding with parts).

    Parameters
    ----------
    finding_key : str
        e.g. ``"F3"``
    sample : str, optional
        only this sample's

    Returns
    -------
    list of Spec
        in findings.yaml's order; empty for a sample the finding declares nothing for
    """
    spec = finding(finding_key)
    parts = spec.get("parts", {})
    out = []
    for key, declared in spec.get("declared", {}).items():
        if sample is not None and key != sample:
            continue
        if parts and set(declared) <= set(parts):  # one declaration per part
            out += [_spec(finding_key, key, part, d) for part, d in declared.items()]
        else:
            out.append(_spec(finding_key, key, "", declared))
    return out


def declared_spec(finding_key: str, sample: str, part: str = "") -> Spec:
    """The declared primary specification of one sample (and part) of a finding.

    Parameters
    ----------
    finding_key : str
        e.g. ``"F3"``
    sample : str
        a declared sample, e.g. ``"rotterdam-wijkprofiel"``
    part : str
        the part, for a finding with parts ("" otherwise)

    Returns
    -------
    Spec

    Raises
    ------
    ArgumentError
        when the finding declares nothing for that sample and part
    """
    found = [s for s in declared_specs(finding_key, sample) if s.part == part]
    if not found:
        raise ArgumentError(f"{finding_key} declares no primary for {sample}{' (' + part + ')' if part else ''}")
    return found[0]


@dataclass(frozen=True)
class ModelSpec:
    """A specification a finding fits beside its declared samples' (findings.yaml, a finding's ``models``).

    The residents' models, RIVM's national tables, the area-level F5 models. Its formula is ``outcome ~ terms +
    controls``; a name in it that is not a column (``np``, ``tau``) resolves where the model is fitted (the caller's
    namespace, as statsmodels does).

    ``tests`` holds (part, term, what is compared) for a finding with parts: the term of the model that tests each
    (``tested``); ``groups`` the residents a figure of its predicted probabilities compares ({name: {indicator:
    value}}, ``models.predicted_by_group``).
    """

    finding: str
    name: str
    outcome: str
    terms: tuple
    controls: tuple = ()
    areas: str = "all areas"
    weights: str | None = None
    cluster: str | None = None
    tests: tuple = ()  # ((part, term, what is compared), ...)
    groups: dict = field(default_factory=dict, compare=False, hash=False)  # {name: {indicator: value}}

    def formula(self, terms=None) -> str:
        """The model formula.

        Parameters
        ----------
        terms : list of str, optional
            other tested terms in place of the declared ones (e.g. those a table holds)

        Returns
        -------
        str
            e.g. ``"pct_volunteering ~ pct_owner_occupied + pct_age_15_24 + pct_age_65_plus"``
        """
        right = list(self.terms if terms is None else terms) + list(self.controls)
        return f"{self.outcome} ~ {' + '.join(right)}"

    @property
    def tested(self) -> dict:
        """The term each part's test reads, with what it compares.

        Returns
        -------
        dict
            {part: (term, what is compared)}, in findings.yaml's order
        """
        return {part: (term, what) for part, term, what in self.tests}


def model_spec(finding_key: str, name: str) -> ModelSpec:
    """One of a finding's specifications beside the declared samples' (findings.yaml ``models``).

    Parameters
    ----------
    finding_key : str
        e.g. ``"F3"``
    name : str
        e.g. ``"national"`` or ``"residents"``

    Returns
    -------
    ModelSpec

    Raises
    ------
    ArgumentError
        for a model the finding does not declare
    """
    models = finding(finding_key).get("models", {})
    if name not in models:
        raise ArgumentError(f"{finding_key} declares no model {name!r}; it declares {', '.join(models) or 'none'}")
    entry = models[name]
    return ModelSpec(
        finding=finding_key,
        name=name,
        outcome=entry["outcome"],
        terms=tuple(entry["terms"]),
        controls=tuple(entry.get("controls", [])),
        areas=entry.get("areas", "all areas"),
        weights=entry.get("weights"),
        cluster=entry.get("cluster"),
        tests=tuple((part, t["term"], t["compared"]) for part, t in entry.get("tests", {}).items()),
        groups={name: dict(values) for name, values in entry.get("groups", {}).items()},
    )


def model_specs(finding_key: str) -> list[ModelSpec]:
    """Every specification a finding declares beside its samples' (findings.yaml ``models``).

    Parameters
    ----------
    finding_key : str
        e.g. ``"F5"``

    Returns
    -------
    list of ModelSpec
        in findings.yaml's order
    """
    return [model_spec(finding_key, name) for name in finding(finding_key).get("models", {})]


def control_choice(name: str) -> list[str]:
    """The controls a ``controls`` alternative adds (findings.yaml ``control_choices``).

    Parameters
    ----------
    name : str
        e.g. ``"with income"``

    Returns
    -------
    list of str
        the columns, of which a specification uses the first its sample has

    Raises
    ------
    ArgumentError
        for a choice findings.yaml does not declare
    """
    choices = registry().get("control_choices", {})
    if name not in choices:
        raise ArgumentError(f"no control choice {name!r}; findings.yaml declares {', '.join(choices)}")
    return list(choices[name])


@dataclass
class Alternatives:
    """A finding's declared alternatives (findings.yaml ``alternatives``)."""

    outcome: list = field(default_factory=list)
    term: list = field(default_factory=list)
    areas: list = field(default_factory=list)
    weights: list = field(default_factory=list)
    controls: list = field(default_factory=list)


def alternatives(finding_key: str) -> Alternatives:
    """The choices a finding's specification table varies.

    Parameters
    ----------
    finding_key : str
        e.g. ``"F3"``

    Returns
    -------
    Alternatives
    """
    declared = finding(finding_key).get("alternatives", {})
    out = Alternatives(**{k: list(declared.get(k, [])) for k in ("outcome", "term", "areas", "weights", "controls")})
    out.term = [allowed_term(finding_key, term) for term in out.term]
    return out


def _scopes(design: dict) -> list[tuple[str, float]]:
    """(definition name, cut-off) of every declared livability class of a sample."""
    livability = design.get("livability")
    if not isinstance(livability, dict):
        return []
    names = [PRIMARY_SCOPE] + list(livability.get("alternatives", {}))
    return list(itertools.product(names, livability.get("shares", [0.2])))


def sweep(primary: Spec, *, has=lambda column: True) -> list[Spec]:
    """Every specification of the sample the declared alternatives give.

    Outcome x term x scope definition x cut-off (the areas the claim names, and all areas), then the weighting, the
    controls and, for a sample whose survey changed its method (``method_break``), the waves before and from the change,
    varied one at a time from the primary. The primary comes first; alternatives the sample cannot have (``has`` is
    False for a column it lacks) are left out; a part keeps its own term.

    Parameters
    ----------
    primary : Spec
        a declared primary (``declared_specs``)
    has : callable
        ``has(column)`` -> bool: whether the sample has the column

    Returns
    -------
    list of Spec
        without duplicates, the primary first
    """
    alt = alternatives(primary.finding)
    design = sample_design(primary.sample)
    outcomes = [o for o in dict.fromkeys([primary.outcome] + alt.outcome) if has(o)]
    if primary.part or ":" in primary.term:
        terms = [primary.term]
    else:
        terms = [t for t in dict.fromkeys([primary.term] + alt.term) if has(t)]
    if primary.estimator != "regression":  # a group contrast: the outcomes, and the comparison with everyone
        against_total = tuple(sorted(dict(primary.extra, against="total").items()))
        return (
            [primary]
            + [replace(primary, outcome=o) for o in outcomes if o != primary.outcome]
            + [replace(primary, extra=against_total)]
        )
    if primary.get("problem_from"):  # a class interacted with the term (F5): its items and cut-offs are the choices
        declared = finding(primary.finding).get("alternatives", {})
        extra = dict(primary.extra)
        out = [primary]
        for items, share in itertools.product(
            declared.get("problem_from", [list(extra["problem_from"])]), declared.get("shares", [primary.share])
        ):
            changed = tuple(sorted(dict(extra, problem_from=tuple(items)).items()))
            out.append(replace(primary, extra=changed, share=share))
        out += [replace(primary, weights=w) for w in alt.weights]
        return _unique(out)
    scopes = [("all areas", "", None)]
    if primary.areas != "all areas":
        scopes = [(primary.areas, name, share) for name, share in _scopes(design)] + scopes
    out = [primary]
    for outcome, term, (areas, scope, share) in itertools.product(outcomes, terms, scopes):
        out.append(replace(primary, outcome=outcome, term=term, areas=areas, scope=scope or PRIMARY_SCOPE, share=share))
    for weights in alt.weights:
        out.append(replace(primary, weights=weights))
    for controls in alt.controls:
        out.append(replace(primary, controls_choice=controls))
    if design.get("method_break"):  # the survey's change of method: the waves before and after it on their own
        out += [replace(primary, waves=Waves(side, int(design["method_break"]))) for side in ("before", "from")]
    return _unique(out)


def _unique(specs: list[Spec]) -> list[Spec]:
    """The specifications without repeats of the same choices, in order."""
    seen, unique = set(), []
    for spec in specs:
        key = tuple(sorted(spec.choices.items(), key=lambda kv: kv[0]))
        if key not in seen:
            seen.add(key)
            unique.append(spec)
    return unique


@dataclass(frozen=True)
class Parameters:
    """The choices a notebook's parameters cell lets a reader change (None keeps the declared one).

    A run with any other value is exploratory: its tests say so wherever they show (``FindingTest.exploratory``).

    ``outcome`` replaces the outcome, ``controls`` the controls (a list, [] for none), ``share`` the livability
    class's cut-off, ``waves`` the waves ("all", "before 2020", "from 2020").
    """

    outcome: str | None = None
    controls: tuple | list | None = None
    share: float | None = None
    waves: str | None = None

    @property
    def changed(self) -> dict:
        """The parameters that differ from the declaration.

        Returns
        -------
        dict
            {name: value}; empty for the declared run
        """
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items() if v is not None}

    @property
    def exploratory(self) -> bool:
        """Whether any parameter differs from the declaration.

        Returns
        -------
        bool
        """
        return bool(self.changed)

    def apply(self, spec: Spec) -> Spec:
        """The specification with these parameters (the declared one when none is set).

        Parameters
        ----------
        spec : Spec
            a declared primary

        Returns
        -------
        Spec
        """
        changes = {}
        if self.outcome is not None:
            changes["outcome"] = self.outcome
        if self.controls is not None:
            changes.update(controls=tuple(self.controls), controls_choice="chosen")
        if self.share is not None and (spec.areas != "all areas" or spec.get("problem_from")):
            changes["share"] = float(self.share)
        if self.waves is not None:
            changes["waves"] = Waves.parse(self.waves)
        return replace(spec, **changes)
