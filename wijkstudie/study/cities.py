"""The cities' independent samples (Rotterdam's wijken in two Wijkprofiel waves, Amsterdam's gebieden in the BBGA,
Utrecht's buurten) and every finding's area specifications on them (``AREA_SPECS``; the primary one that votes
is declared in findings.yaml)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pandas as pd

from ..core.errors import ArgumentError, DataNotFoundError, WijkstudieWarning
from ..core.provenance import carry, provenance_of
from ..data.join import join_regions
from ..data.loading import load
from ..data.variables import label, study_variables
from . import findings as fd
from .evidence import classified_here, term_concepts
from .livability import PROBLEM_SHARE, buurt_livability, with_livability
from .national import RIVM_COLUMNS, complete
from .scope import CASE, CITIES, scope_of

CONTEXT_YEAR = 2015  # the register context figures of Rotterdam (1-1-2015)


ROTTERDAM_CONTEXT = [
    "population",
    "n_households",
    "pct_owner_occupied",
    "pct_social_rent",
    "pct_single_person_households",
    "pct_students",
    "pct_age_65_plus",
    "pct_non_dutch_origin",
    "pct_non_western",
    "density",
]


COHESION = study_variables()["cohesion_scale"]["built_from"]  # the items of the cohesion scale (variables.yaml)


PARTICIPATION = ["pct_active_for_neighbourhood", "pct_volunteering", "pct_contact_with_neighbours"]


@dataclass
class Sample:
    """One city's areas as one independent sample: the table, what its areas are called, the waves it covers
    (its outcome's survey or estimate years: they name the sample), whether it pools those waves (then every model
    has year effects and errors clustered by area), and its livability classes: {proxy share: (class per area,
    definition)}, empty when its areas have none (``livability`` is the definition at the default share)."""

    name: str
    table: pd.DataFrame
    areas: str
    waves: str = ""
    pooled: bool = False
    classes: dict = field(default_factory=dict)

    @property
    def livability(self) -> dict | None:
        """The definition of the sample's livability class at the default proxy cut-off (``PROBLEM_SHARE``).

        Returns
        -------
        dict or None
            {"name", "text", "built_from"}; None when the sample's areas have no livability class
        """
        return self.classes[PROBLEM_SHARE][1] if PROBLEM_SHARE in self.classes else None

    @property
    def scope(self) -> str:
        """The scope of the sample's evidence.

        Returns
        -------
        str
            ``scope_of`` the sample's table
        """
        return scope_of(self.table)


def rotterdam_wijken(year: int) -> pd.DataFrame:
    """Rotterdam's wijken: Wijkprofiel items of ``year`` (2014 or 2016) with the register context of
    1-1-2015 (tenure, households, students, age, origin), joined on Rotterdam's area number, and the cohesion
    scale (``COHESION``).

    Parameters
    ----------
    year : int
        the Wijkprofiel wave, 2014 or 2016

    Returns
    -------
    DataFrame
        one row per wijk (``area_type`` "wijk") with the Wijkprofiel's columns, the ``ROTTERDAM_CONTEXT`` columns
        (missing where a wijk has no context row) and ``cohesion_scale``; its provenance is the profile's and the
        context sheet's
    """
    from ..models import scale_score

    profile = load("rotterdam-wijkprofiel", year=year)
    context = load("rotterdam-wijkprofiel", year=CONTEXT_YEAR, sheet="context")
    wijken = profile[profile["area_type"] == "wijk"].merge(
        context[["area_number"] + ROTTERDAM_CONTEXT], on="area_number", how="left", validate="one_to_one"
    )
    wijken["cohesion_scale"] = scale_score(wijken[COHESION])
    return carry(wijken, profile, context)


def amsterdam_gebieden() -> pd.DataFrame:
    """Amsterdam's gebieden, one row per gebied and year (2001-2018), from the BBGA.

    Returns
    -------
    DataFrame
        the BBGA's rows whose ``region_code`` is a gebied (``DX`` and two digits), with every BBGA column and its
        provenance
    """
    bbga = load("amsterdam-bbga")
    gebieden = bbga[bbga["region_code"].str.match(r"^DX\d\d$")].reset_index(drop=True)
    return carry(gebieden, bbga)


def city_buurten(gemeente_code: str, kwb_year: int = 2023, rivm_year: int = 2020) -> pd.DataFrame:
    """One gemeente's buurten, selected by its code: the KWB composition of ``kwb_year`` and RIVM's estimates
    (18+) of ``rivm_year``. The table says which gemeente it is (``scope_of``).

    Parameters
    ----------
    gemeente_code : str
        e.g. ``"GM0344"``
    kwb_year : int
        the KWB year of the composition (2023 by default)
    rivm_year : int
        the year of RIVM's buurt estimates (2020 by default)

    Returns
    -------
    DataFrame
        the gemeente's KWB buurten, left-joined (``join_regions``) with the ``RIVM_COLUMNS`` RIVM's table has; the
        join report is in ``attrs["join_reports"]``
    """
    kwb = load("kwb", year=kwb_year, level="buurt")
    kwb = kwb[kwb["gemeente_code"] == gemeente_code]
    if kwb.empty:
        raise DataNotFoundError(f"kwb {kwb_year} holds no buurten of {gemeente_code}")
    rivm = load("rivm-gezondheid", year=rivm_year, age_group="18+", level="buurt")
    rivm = rivm[rivm["gemeente_code"] == gemeente_code]
    with warnings.catch_warnings():  # buurt codes kept unchecked without buurt boundaries: the join report says so
        warnings.filterwarnings("ignore", "buurt codes were kept as they are", WijkstudieWarning)
        joined, _ = join_regions(
            kwb, rivm[["region_code", "level", "division_year"] + [c for c in RIVM_COLUMNS if c in rivm]], how="left"
        )
    return joined  # the join report in attrs["join_reports"], as join_regions keeps it


def utrecht_buurten() -> pd.DataFrame:
    """Utrecht's buurten (GM0344): KWB 2023 composition with RIVM 2020 participation and loneliness (18+).

    Returns
    -------
    DataFrame
        ``city_buurten`` of Utrecht with its defaults
    """
    return city_buurten(CITIES["Utrecht"])


CLASS_SHARES = (0.1, 0.2, 0.3)  # the proxy's cut-offs: the default (0.2) decides, the others show its sensitivity


def _classes(table: pd.DataFrame, rivm_year: int) -> dict:
    """{share: (the buurt proxy's class per row of ``table``, its definition)} for every cut-off of CLASS_SHARES."""
    out = {}
    for share in CLASS_SHARES:
        problem, definition = buurt_livability(rivm_year, share)
        out[share] = (with_livability(table, problem)["problem"], definition)
    return out


def city_samples(rivm_year: int = 2016) -> dict[str, Sample]:
    """The cities' independent samples: Rotterdam's wijken (Wijkprofiel survey waves 2014 and 2016 pooled: the same
    71 wijken with the same register figures of 1-1-2015 are one sample), Amsterdam's gebieden (BBGA survey waves
    2012-2016, pooled) and Utrecht's buurten (RIVM's model-based estimates of 2020). Rotterdam's and Utrecht's areas
    are CBS buurten and get the buurt proxy's livability classes (``buurt_livability``, RIVM ``rivm_year`` for
    Rotterdam, 2020 for Utrecht); Amsterdam's gebieden have no CBS code, so no class.

    Parameters
    ----------
    rivm_year : int
        the RIVM year of the buurt proxy behind Rotterdam's livability classes (2016 by default)

    Returns
    -------
    dict
        {name: Sample}: "Rotterdam wijken", "Amsterdam gebieden" (the BBGA years with
        ``pct_active_for_neighbourhood``) and "Utrecht buurten"; Rotterdam's and Utrecht's have their classes at
        every cut-off of ``CLASS_SHARES``
    """
    waves = {year: rotterdam_wijken(year) for year in (2014, 2016)}
    rotterdam = carry(pd.concat(waves.values(), ignore_index=True), *waves.values())
    amsterdam = amsterdam_gebieden()
    survey_years = sorted(int(y) for y in amsterdam.dropna(subset=["pct_active_for_neighbourhood"])["year"].unique())
    amsterdam = amsterdam[amsterdam["year"].isin(survey_years)]
    utrecht = utrecht_buurten()
    samples = [
        Sample("Rotterdam wijken", rotterdam, "wijken", "2014–2016", True, _classes(rotterdam, rivm_year)),
        Sample("Amsterdam gebieden", amsterdam, "gebieden", f"{survey_years[0]}–{survey_years[-1]}", True),
        Sample("Utrecht buurten", utrecht, "buurten", "2020", False, _classes(utrecht, 2020)),
    ]
    return {sample.name: sample for sample in samples}


def samples_table(samples: dict) -> pd.DataFrame:
    """The samples at a glance: their areas, years, livability class and data.

    Parameters
    ----------
    samples : dict
        {name: Sample} (``city_samples``)

    Returns
    -------
    DataFrame
        one row per sample (index ``sample``): ``areas`` (the number of region codes and what they are), ``waves``,
        ``waves pooled``, ``livability class`` (its name, or none) and ``data`` (the table's provenance)
    """
    rows = []
    for sample in samples.values():
        table = sample.table
        rows.append(
            {
                "sample": sample.name,
                "areas": f"{table['region_code'].nunique()} {sample.areas}",
                "waves": sample.waves,
                "waves pooled": "yes" if sample.pooled else "no",
                "livability class": sample.livability["name"] if sample.livability else "none (no CBS codes)",
                "data": provenance_of(table).describe(),
            }
        )
    return pd.DataFrame(rows).set_index("sample")


def wave(sample: Sample, year: int) -> pd.DataFrame:
    """The rows of one wave of a sample (its provenance kept).

    Parameters
    ----------
    sample : Sample
        a sample whose table has a ``year`` column
    year : int
        the wave

    Returns
    -------
    DataFrame
        the table's rows of ``year``, with a fresh index
    """
    return carry(sample.table[sample.table["year"] == year].reset_index(drop=True), sample.table)


def tables_of(samples: dict) -> list:
    """The samples' tables (for a figure caption that names every source).

    Parameters
    ----------
    samples : dict
        {name: Sample}

    Returns
    -------
    list of DataFrame
        in the order of ``samples``
    """
    return [sample.table for sample in samples.values()]


F1_PANELS = ["pct_know_each_other", "pct_help_each_other", "pct_active_for_neighbourhood", "pct_volunteering"]


def residence_panels(table: pd.DataFrame, outcomes=F1_PANELS, annotate: str = CASE) -> list[dict]:
    """Scatter panels of participation items against the share of long-term residents (``plotting.scatter_panels``),
    the case area named.

    Parameters
    ----------
    table : DataFrame
        areas with ``pct_long_term_residents``, the ``outcomes`` and ``region_name`` (e.g. a Rotterdam wave)
    outcomes : list of str
        one panel per outcome, the y-axis (by default ``F1_PANELS``)
    annotate : str
        the ``region_name`` of the area named in every panel (by default the case, ``CASE``)

    Returns
    -------
    list of dict
        per panel ``data``, ``x``, ``y`` and ``annotate``
    """
    return [
        {"data": table, "x": "pct_long_term_residents", "y": outcome, "annotate": {annotate: annotate}}
        for outcome in outcomes
    ]


def city_panels(samples: dict, x: str, y: str = "pct_volunteering") -> list[dict]:
    """Scatter panels of ``y`` against ``x`` in each city's latest sample that has both (Amsterdam: its latest survey
    wave), for ``plotting.scatter_panels``.

    Parameters
    ----------
    samples : dict
        {name: Sample} (``city_samples``); the city is the first word of a sample's name
    x : str
        the column on the x-axis
    y : str
        the column on the y-axis (by default ``pct_volunteering``)

    Returns
    -------
    list of dict
        per city whose sample has values of both: ``data`` (a pooled sample's last year with both), ``x``, ``y``,
        ``title`` and ``annotate`` (the case, in Rotterdam; else None)
    """
    latest: dict[str, Sample] = {}
    for sample in samples.values():
        latest[sample.name.split()[0]] = sample
    panels = []
    for city, sample in latest.items():
        table = sample.table
        if x not in table or y not in table or table[[x, y]].dropna().empty:
            continue
        if sample.pooled:
            last = int(table.dropna(subset=[x, y])["year"].max())
            table, title = table[table["year"] == last], f"{sample.name} ({last})"
        else:
            title = sample.name
        panels.append(
            {"data": table, "x": x, "y": y, "title": title, "annotate": {CASE: CASE} if city == "Rotterdam" else None}
        )
    return panels


# Per finding: the tested term (the first the sample has), other terms of interest in the same model (the first
# the sample has; tested too, as robustness), and controls (alternatives separated by "|": the first present).
# The primary specification that decides each sample's vote is declared in findings.yaml.
AREA_SPECS = {
    "F1": {"terms": ["pct_long_term_residents", "mean_years_at_address"], "with": [], "controls": []},
    "F2": {
        "terms": ["pct_single_person_households"],
        "with": ["pct_students", "pct_age_18_22", "pct_age_15_24"],
        "controls": [],
    },
    "F3": {
        "terms": ["pct_owner_occupied"],
        "with": [],
        "controls": ["pct_age_65_plus", "pct_non_dutch_origin|pct_non_western"],
    },
    "F4": {"terms": ["cohesion_scale", "social_cohesion"], "with": [], "controls": []},
}


AREA_OUTCOMES = ["pct_active_for_neighbourhood", "pct_volunteering"]  # participation in the neighbourhood first


def _present(table: pd.DataFrame, names) -> list[str]:
    return [n for n in names if n in table and table[n].notna().sum() >= 5]


def _first(table: pd.DataFrame, alternatives: list[str]) -> str | None:
    found = _present(table, alternatives)
    return found[0] if found else None


def area_formula(
    finding: str, sample: Sample, outcome: str, *, pooled: bool | None = None
) -> tuple[str, list[str]] | None:
    """The formula of a finding's area specification on a sample's ``outcome`` (the tested terms first; year effects
    when the sample's waves are pooled, unless ``pooled`` says otherwise), or None when the sample lacks the
    finding's term.

    Parameters
    ----------
    finding : str
        a key of ``AREA_SPECS``, e.g. ``"F3"``
    sample : Sample
        the sample whose table decides which of the alternative terms and controls are used (the first with at
        least five values)
    outcome : str
        the outcome column
    pooled : bool, optional
        whether to add year effects (``C(year)``); by default whether the sample pools its waves

    Returns
    -------
    tuple or None
        (formula, the tested terms: the finding's term and the one of its ``with`` list, if any); None when the
        sample has none of the finding's terms or not the outcome
    """
    spec = AREA_SPECS[finding]
    table = sample.table
    term = _first(table, spec["terms"])
    if term is None or outcome not in table:
        return None
    also = _first(table, spec["with"])
    terms = [term] + ([also] if also else [])
    controls = [c for c in (_first(table, alt.split("|")) for alt in spec["controls"]) if c]
    pooled = sample.pooled if pooled is None else pooled
    right = " + ".join(terms + controls + (["C(year)"] if pooled else []))
    return f"{outcome} ~ {right}", terms


def _excluded(finding: str, term: str) -> None:
    """Refuse a predictor whose concept the finding excludes (F4: trust in government is not trust in neighbours)."""
    excluded = set(fd.finding(finding).get("excluded_concepts", []))
    shared = term_concepts(term)[0] & excluded
    if shared:
        raise ArgumentError(f"{finding}: {term} measures {', '.join(sorted(shared))}, which the claim excludes")


def _term_text(term: str) -> str:
    """A term's label; a scale built from several items names them."""
    items = study_variables().get(term, {}).get("built_from", [])
    if len(items) > 1:
        return f"{label(term).split(' (')[0].lower()} (" + ", ".join(label(item).lower() for item in items) + ")"
    return label(term).lower()


def _subsets(sample: Sample, wanted: str) -> dict:
    """The rows of each specification of a sample: {(areas, spec): rows}: all areas, the areas the claim speaks of at
    each proxy cut-off (the default one's spec is empty), and each wave of a pooled sample on the primary's areas."""
    table = sample.table
    out = {("all areas", ""): table}
    if sample.classes and wanted != "all areas":
        for share, (problem, definition) in sample.classes.items():
            rows = table[problem.to_numpy() == (1 if wanted == "problem areas" else 0)]
            out[(wanted, "" if share == PROBLEM_SHARE else definition["name"])] = rows
    if sample.pooled:
        areas = wanted if (wanted, "") in out else "all areas"
        for year in sorted(int(y) for y in table["year"].dropna().unique()):
            rows = out[(areas, "")]
            out[(areas, f"wave {year}")] = rows[rows["year"] == year]
    return out


def _where(sample: Sample, areas: str, spec: str, wanted: str) -> str:
    """The part of a test's label that says which rows it used."""
    text = f"{sample.name} {sample.waves}".strip()
    if areas != "all areas":
        text += f", {areas} ({spec or sample.livability['name']})"
    elif wanted != "all areas" and not sample.classes:
        text += " (no livability class: all areas)"
    if spec.startswith("wave "):
        text += f", {spec}"
    return text


def area_tests(finding: str, samples: dict, notebook: str) -> list:
    """Every specification of a finding on every sample: each outcome of ``AREA_OUTCOMES`` the sample has, on all
    its areas, on the areas the claim speaks of (``areas`` in findings.yaml) at each proxy cut-off where the sample
    has livability classes, and each wave of a pooled sample on its own; population-weighted regression, errors
    clustered by area when waves are pooled. The scorecard takes each sample's primary specification from
    findings.yaml; the rest are its robustness range.

    Parameters
    ----------
    finding : str
        a key of ``AREA_SPECS``, e.g. ``"F3"``
    samples : dict
        {name: Sample} (``city_samples``)
    notebook : str
        the notebook that makes the tests

    Returns
    -------
    list of FindingTest
        one per tested term of every specification with at least eight complete rows (``from_model``; labelled as
        an association when the finding is one)
    """
    from ..models import area_regression

    wanted = fd.finding(finding).get("areas", "all areas")
    association = fd.finding(finding).get("association", False)
    tests = []
    for sample in samples.values():
        built_from = {"problem": sample.livability["built_from"]} if sample.livability else None
        for outcome in _present(sample.table, AREA_OUTCOMES):
            for (areas, spec), rows in _subsets(sample, wanted).items():
                one_wave = spec.startswith("wave ")
                made = area_formula(finding, sample, outcome, pooled=sample.pooled and not one_wave)
                if made is None or complete(rows, made[0]).shape[0] < 8:
                    continue
                formula, terms = made
                cluster = "region_code" if sample.pooled and not one_wave else None
                with classified_here():
                    fit = area_regression(formula, rows, weights="population", cluster=cluster)
                for term in terms:
                    _excluded(finding, term)
                    text = f"{_where(sample, areas, spec, wanted)}: {_term_text(term)} -> {label(outcome).lower()}"
                    tests.append(
                        fd.from_model(
                            finding,
                            fit,
                            term,
                            label=fd.association_label(text) if association else text,
                            notebook=notebook,
                            scope=sample.scope,
                            areas=areas,
                            spec=spec,
                            built_from=built_from,
                            waves=sample.waves,
                        )
                    )
    return tests


def within_tests(finding: str, samples: dict, notebook: str) -> list:
    """Within-area (fixed effects) estimates of a finding's term on every pooled sample (more than one wave) that has
    the term: only change inside an area between waves counts (robustness rows of the sample's primary estimate).

    Parameters
    ----------
    finding : str
        a key of ``AREA_SPECS``, e.g. ``"F1"``
    samples : dict
        {name: Sample} (``city_samples``); samples that do not pool waves, or lack the finding's term, are skipped
    notebook : str
        the notebook that makes the tests

    Returns
    -------
    list of FindingTest
        one per outcome of ``AREA_OUTCOMES`` each such sample has (``within_estimate`` with year effects)
    """
    from ..models import within_estimate

    tests = []
    for sample in samples.values():
        term = _first(sample.table, AREA_SPECS[finding]["terms"])
        if not sample.pooled or term is None:
            continue
        for outcome in _present(sample.table, AREA_OUTCOMES):
            with classified_here():
                fit = within_estimate(f"{outcome} ~ {term}", sample.table, time="year")
            text = f"{sample.name} {sample.waves}, within areas: {_term_text(term)} -> {label(outcome).lower()}"
            tests.append(
                fd.from_model(
                    finding,
                    fit,
                    term,
                    notebook=notebook,
                    scope=sample.scope,
                    label=text,
                    waves=sample.waves,
                    spec="within areas",
                )
            )
    return tests
