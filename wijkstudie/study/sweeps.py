"""Fitting the declared specifications of a finding on a declared sample.

The primary (which a notebook shows on the page, ``fit``) and every alternative of the specification table
(``sample_tests``), each recorded as a FindingTest with its choices.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from ..data.variables import label
from . import findings as fd
from .contrasts import group_contrasts, pooled_contrast
from .designs import NO_WEIGHTS, Parameters, Spec, control_choice, declared_spec, declared_specs, sweep
from .livability import direct_class
from .page_fits import declared_fit, declared_table
from .samples import TESTED, DeclaredSample

INCOME = control_choice("with income")  # the control of the "with income" alternative (findings.yaml)


class _Remembered:
    """A declared sample as one sweep reads it.

    What every test repeats (its name, waves, scope and pooling, each outcome's reliability, which columns it has, the
    rows a specification uses) computed once, since its table does not change while its specifications are fitted;
    everything else is the sample's own.
    """

    _FACTS = ("name", "waves", "scope", "pooled", "design")

    def __init__(self, sample: DeclaredSample):
        self._sample = sample
        self._reliability: dict = {}
        self._has: dict = {}
        self._rows: dict = {}

    def rows_for(self, spec: Spec) -> pd.DataFrame:
        """``rows_for(spec, sample)``, taken once per choice of rows.

        Specifications that differ only in their outcome, term, controls or weights fit the same table.
        """
        key = _rows_key(spec)
        if key not in self._rows:
            self._rows[key] = rows_for(spec, self._sample)
        return self._rows[key]

    def __getattr__(self, attr: str):
        value = getattr(self._sample, attr)
        if attr in self._FACTS:
            self.__dict__[attr] = value
        return value

    def reliability(self, outcome: str) -> float:
        if outcome not in self._reliability:
            self._reliability[outcome] = self._sample.reliability(outcome)
        return self._reliability[outcome]

    def has(self, column: str) -> bool:
        if column not in self._has:
            self._has[column] = self._sample.has(column)
        return self._has[column]


def rows_for(spec: Spec, sample: DeclaredSample) -> pd.DataFrame:
    """The rows of a sample a specification uses.

    Its areas (by the chosen livability class and cut-off; all its areas when the sample has no such class, as the rule
    says), and for an interaction with the problem class (F5) the class as column ``problem``.

    Parameters
    ----------
    spec : Spec
        the specification
    sample : DeclaredSample
        the sample

    Returns
    -------
    DataFrame
        the rows, with ``problem`` where the specification needs it; provenance kept
    """
    from ..core.provenance import carry

    table = sample.table
    if spec.waves.year is not None:  # the waves before or from a change of method
        keep = spec.waves.keep(table["year"])
        table = carry(table[keep].reset_index(drop=True), table)
        classes = {k: (v[0][keep].reset_index(drop=True), v[1]) for k, v in sample.classes.items()}
    else:
        classes = sample.classes
    if spec.areas != "all areas" and (spec.scope, spec.share) in classes:  # without the class: all areas
        problem, _ = classes[(spec.scope, spec.share)]
        keep = problem.to_numpy() == (1 if spec.areas == "problem areas" else 0)
        return carry(table[keep].reset_index(drop=True), table)
    if spec.get("problem_from"):
        items = list(spec.get("problem_from"))
        livability = sample.design.get("livability") or {}
        better = {item: livability.get("better_of", {}).get(item, livability.get("better", "high")) for item in items}
        problem, _ = direct_class(table, built_from=items, better=better, share=spec.share or 0.2, tested=TESTED)
        table = carry(table.assign(problem=problem), table)
    return table


def _rows_key(spec: Spec) -> tuple:
    """What of a specification ``rows_for`` reads: its waves, areas, livability class and cut-off, interacted class."""
    return spec.waves, spec.areas, spec.scope, spec.share, tuple(spec.get("problem_from") or ())


def _controls(spec: Spec, sample: DeclaredSample) -> list[str]:
    if spec.controls_choice == "none":
        return []
    controls = [c for c in spec.controls if sample.has(c)]
    if spec.controls_choice == "with income":
        controls += [c for c in INCOME if sample.has(c)][:1]
    return controls


def formula_of(spec: Spec, sample: DeclaredSample) -> str:
    """The specification's formula on this sample (controls it lacks are left out; wave effects when it pools waves).

    Parameters
    ----------
    spec : Spec
    sample : DeclaredSample

    Returns
    -------
    str
    """
    return replace(spec, controls=tuple(_controls(spec, sample))).formula(pooled=sample.pooled)


def fit(spec: Spec, sample: DeclaredSample, *, page=None):
    """Fit one specification.

    (``models.area_regression``: unweighted unless the specification weights by population; errors clustered by area
    when the sample pools waves, CR2 with Bell-McCaffrey degrees of freedom under 30 clusters).

    Parameters
    ----------
    spec : Spec
        a regression specification of the sample
    sample : DeclaredSample
    page : ModelResult, optional
        the specification fitted on a notebook's page: returned when it is this call (``page_fits.declared_fit``),
        else the specification is fitted here, with a ``PageFitWarning``

    Returns
    -------
    ModelResult
    """
    from ..models import area_regression

    rows = sample.rows_for(spec) if isinstance(sample, _Remembered) else rows_for(spec, sample)
    weights = None if spec.weights == NO_WEIGHTS else spec.weights
    cluster = sample.design.get("cluster") if sample.pooled else None
    name = f"{spec.finding}{' ' + spec.part if spec.part else ''}, {sample.key}"
    return declared_fit(
        page, area_regression, formula_of(spec, sample), rows, name=name, weights=weights, cluster=cluster
    )


def describe(spec: Spec, sample: DeclaredSample) -> str:
    """What distinguishes a specification from the sample's primary, in a few words ("" for the primary).

    Parameters
    ----------
    spec : Spec
    sample : DeclaredSample

    Returns
    -------
    str
    """
    primary = declared_spec(spec.finding, sample.key, spec.part)
    words = []
    if spec.areas != primary.areas:
        words.append(spec.areas)
    elif spec.areas != "all areas" and (spec.scope, spec.share) != (primary.scope, primary.share):
        words.append(f"class: {spec.scope}, worst {100 * spec.share:.0f} %")
    if spec.weights != primary.weights:
        words.append(f"weighted by {spec.weights}")
    if spec.controls_choice != primary.controls_choice:
        words.append(f"controls: {spec.controls_choice}")
    if spec.waves != primary.waves:
        words.append(f"waves {spec.waves}")
    return ", ".join(words)


def _term_label(term: str) -> str:
    return " × ".join(label(part).lower() for part in term.split(":"))


def _label(spec: Spec, sample: DeclaredSample) -> str:
    areas = "" if spec.areas == "all areas" else f", {spec.areas}"
    text = f"{sample.name}{areas}: {_term_label(spec.term)} -> {label(spec.outcome).lower()}"
    return fd.association_label(text) if fd.finding(spec.finding).get("association") else text


def _mark(test, spec: Spec, sample: DeclaredSample, level: str):
    test.sample_id, test.choices, test.evidence_level = sample.key, spec.choices, level
    test.sample = sample.name
    if level == "areas" and sample.pooled:
        test.reliability = sample.reliability(spec.outcome)
    if spec.areas != "all areas":
        test.scope_text = sample.scope_text(spec.scope, spec.share)
    if level == "areas":
        test.scope_kept = sample.scope_kept(spec.areas, spec.scope, spec.share)
    return test


def test_of(spec: Spec, sample: DeclaredSample, result, *, notebook: str):
    """A fitted specification as a FindingTest with its sample, choices and scope's definition.

    Parameters
    ----------
    spec : Spec
    sample : DeclaredSample
    result : ModelResult
        ``fit(spec, sample)``
    notebook : str
        the notebook that made it

    Returns
    -------
    FindingTest
    """
    test = fd.from_model(
        spec.finding,
        result,
        spec.term,
        label=_label(spec, sample),
        notebook=notebook,
        scope=sample.scope,
        part=spec.part,
        areas=spec.areas,
        spec=describe(spec, sample),
        waves=sample.waves,
        built_from={"problem": list(spec.get("problem_from") or [])} if spec.get("problem_from") else None,
    )
    test.controls = _controls(spec, sample)
    return _mark(test, spec, sample, "areas")


def sample_tests(
    finding_key: str,
    sample: DeclaredSample,
    *,
    notebook: str,
    primary_results: dict | None = None,
    parameters: Parameters | None = None,
):
    """Every declared specification of a finding on one area sample.

    The primary (per part) and the alternatives of the specification table (``designs.sweep``), each fitted and recorded
    with its choices.

    Parameters
    ----------
    finding_key : str
        e.g. ``"F3"``
    sample : DeclaredSample
        an area sample
    notebook : str
        the notebook that makes the tests
    primary_results : dict, optional
        {part: ModelResult} of primaries already fitted on the page (used only when each is the declared primary's
        call: model, formula, options, rows and values; otherwise fitted again, with a ``PageFitWarning``)
    parameters : Parameters, optional
        a notebook's parameters: with any set, the specification they give is fitted too and every test is marked
        exploratory

    Returns
    -------
    list of FindingTest
        empty when the finding declares nothing for the sample; specifications with fewer than eight complete rows,
        and "with income" on a sample without an income column, are left out
    """
    from ..core.errors import ArgumentError

    tests = []
    parameters = parameters or Parameters()
    sample = _Remembered(sample)
    for primary in declared_specs(finding_key, sample.key):
        specs = sweep(primary, has=sample.has)
        if parameters.exploratory:
            specs.append(parameters.apply(primary))
        for spec in specs:
            if spec.areas != "all areas" and (spec.scope, spec.share) not in sample.classes:
                continue
            if spec.controls_choice == "with income" and not any(sample.has(c) for c in INCOME):
                continue  # no income column: the declared fit again, which would count twice in the table
            given = (primary_results or {}).get(spec.part) if spec == primary and not parameters.exploratory else None
            try:
                result = fit(spec, sample, page=given)  # the page's fit when it is the declared one
            except ArgumentError:  # too few complete rows or clusters for this specification
                continue
            if result.n < 8:
                continue
            tests.append(test_of(spec, sample, result, notebook=notebook))
    tests += edition_tests(finding_key, sample, notebook=notebook)
    for test in tests if parameters.exploratory else []:
        test.exploratory = parameters.changed
    return tests


def edition_tests(finding_key: str, sample: DeclaredSample, *, notebook: str) -> list:
    """The declared primaries fitted on the other edition of a sample's source.

    (findings.yaml ``other_edition``: Rotterdam's 2016 file for the waves 2014 and 2016), recorded as the sample's
    robustness (choice ``edition``).

    Parameters
    ----------
    finding_key : str
        e.g. ``"F3"``
    sample : DeclaredSample
        the declared sample (its own edition)
    notebook : str
        the notebook that makes the tests

    Returns
    -------
    list of FindingTest
        empty for a sample without another edition, or a sample that is itself the other edition
    """
    from ..core.errors import ArgumentError, DataNotFoundError, DownloadError

    other = sample.design.get("other_edition")
    if other is None or sample.edition is not None or sample.key != "rotterdam-wijkprofiel":
        return []
    try:
        older = _other_edition(other)
    except (DataNotFoundError, DownloadError):  # the other edition cannot be had here: no robustness row from it
        return []
    tests = []
    for primary in declared_specs(finding_key, sample.key):
        if primary.areas != "all areas" and (primary.scope, primary.share) not in older.classes:
            continue
        try:
            result = fit(primary, older)
        except ArgumentError:
            continue
        test = test_of(primary, older, result, notebook=notebook)
        test.choices = dict(test.choices, edition=other)
        test.sample = sample.name  # the same sample (the same respondents), another edition
        test.spec = f"the {other} edition's waves {older.waves}"
        tests.append(test)
    return tests


_OTHER_EDITIONS: dict = {}  # (edition, the settings that change tables) -> the sample, built once in a session


def _other_edition(edition: int):
    """Rotterdam's sample in another edition of the Wijkprofiel.

    Built once per session and settings (every finding's sweep fits it: built from the raw waves each time, it cost
    about a second per finding), its table kept with the derived tables (``samples._edition_table``).

    Parameters
    ----------
    edition : int
        the edition (findings.yaml ``other_edition``)

    Returns
    -------
    _Remembered
        ``samples.rotterdam_sample(edition=edition)``
    """
    from ..core.settings import settings
    from ..data.derived import TABLE_SETTINGS
    from .samples import rotterdam_sample

    key = (edition, tuple(str(getattr(settings, name)) for name in TABLE_SETTINGS))
    if key not in _OTHER_EDITIONS:
        _OTHER_EDITIONS[key] = _Remembered(rotterdam_sample(edition=edition))
    return _OTHER_EDITIONS[key]


def resident_tests(
    finding_key: str, sample: DeclaredSample, *, notebook: str, robustness=(), primary_results: dict | None = None
) -> list:
    """The declared group contrasts of a finding on a resident-level survey table.

    (and the same contrasts on the tables of the same respondents given as ``robustness``, which do not vote).

    Parameters
    ----------
    finding_key : str
        e.g. ``"F2"``
    sample : DeclaredSample
        ``samples.residents_sample()``
    notebook : str
        the notebook that makes the tests
    robustness : iterable of DeclaredSample
        other tables of the same respondents (e.g. 82249NED beside 85541NED)
    primary_results : dict, optional
        {part: the yearly contrasts (``group_contrasts``) of the declared primary on ``sample``} already computed on
        the page: used as they are

    Returns
    -------
    list of FindingTest
        one per declared part and outcome the table has (percentage points, the years pooled)
    """
    tests = []
    for primary in declared_specs(finding_key, sample.key):
        for table_sample in (sample, *robustness):
            for spec in sweep(primary, has=lambda v, t=table_sample.table: (t["variable"] == v).any()):
                given = (primary_results or {}).get(spec.part) if spec == primary and table_sample is sample else None
                test = contrast_test(spec, table_sample, notebook=notebook, key=sample.key, contrasts=given)
                test.sample = sample.name  # a table of the same respondents is the same sample
                tests.append(test)
    return tests


def contrast_test(
    spec: Spec, sample: DeclaredSample, *, notebook: str, key: str | None = None, contrasts: pd.DataFrame | None = None
):
    """One declared group contrast as a FindingTest (percentage points, the years pooled by random effects).

    Parameters
    ----------
    spec : Spec
        a ``group contrast`` specification (``category``, ``group``)
    sample : DeclaredSample
        the resident-level table
    notebook : str
        the notebook that makes it
    key : str, optional
        the declared sample the test belongs to (by default the table's own)
    contrasts : DataFrame, optional
        its yearly contrasts (``group_contrasts``), computed already on the page: computed again from the declaration
        and recorded; a page's that differ are said with a ``PageFitWarning``

    Returns
    -------
    FindingTest
    """
    table = sample.table
    against = spec.get("against", "others")
    declared = group_contrasts(
        table, variable=spec.outcome, category=spec.get("category"), group=spec.get("group"), against=against
    )
    contrasts = declared_table(contrasts, declared, name=f"{spec.finding} {spec.part}, {key or sample.key}".strip())
    pooled = pooled_contrast(contrasts)
    table_id = str(table["table_id"].iloc[0]) if "table_id" in table else ""
    test = fd.from_estimate(
        spec.finding,
        label=f"{table_id} residents: {spec.get('group')} against "
        + (f"the other groups of {spec.get('category').lower()}" if against == "others" else "everyone (the total)")
        + f" -> {label(spec.outcome).lower()}",
        estimate=pooled["estimate"],
        ci_low=pooled["ci_low"],
        ci_high=pooled["ci_high"],
        data=table,
        n=len(contrasts),
        outcome=spec.outcome,
        term=str(spec.get("group")),
        measure=f"difference in percentage points, years {contrasts['year'].min()}-{contrasts['year'].max()} pooled",
        scale="percentage points",
        estimator="group contrast",
        std_error=pooled["std_error"],
        p_value=pooled["p_value"],
        distribution=f"t({pooled['k'] - 1})",
        part=spec.part,
        notebook=notebook,
        scope=fd.NATIONAL,
        spec=", ".join(
            ([] if key in (None, sample.key) else [f"table {table_id} (the same respondents)"])
            + ([] if against == "others" else ["against everyone (the total)"])
        ),
    )
    test = _mark(test, spec, sample, "residents")
    if key not in (None, sample.key):
        test.sample_id = key
        test.choices = dict(spec.choices, table=table_id)
    return test


def primary_tests(tests) -> list:
    """The tests that are their declared sample's primary specification (one per sample and part), e.g.

    For a figure of the estimates that vote.

    Parameters
    ----------
    tests : list of FindingTest

    Returns
    -------
    list of FindingTest
        in the order given
    """
    return [
        t
        for t in tests
        if t.sample_id
        and any(t.part == s.part and t.choices == s.choices for s in declared_specs(t.finding, t.sample_id))
    ]
