"""The cities' independent samples (Rotterdam's wijken in two Wijkprofiel waves, Amsterdam's gebieden in the BBGA,
Utrecht's buurten) and every finding's area specifications on them (``AREA_SPECS``; the primary one that votes
is declared in findings.yaml)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..core.errors import WijkstudieError
from ..core.provenance import carry, provenance_of
from ..data.join import join_regions
from ..data.loading import load
from ..data.variables import label, study_variables
from . import findings as fd
from .evidence import term_concepts
from .livability import buurt_livability, with_livability
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
    """One city's areas as one independent sample: the table, what its areas are called, whether it pools survey
    waves (then every model has year effects and errors clustered by area), and how its livability class was
    made (None: its areas have none)."""

    name: str
    table: pd.DataFrame
    areas: str
    pooled: bool = False
    livability: dict | None = None

    @property
    def scope(self) -> str:
        return scope_of(self.table)


def rotterdam_wijken(year: int) -> pd.DataFrame:
    """Rotterdam's wijken: Wijkprofiel items of ``year`` (2014 or 2016) with the register context of
    1-1-2015 (tenure, households, students, age, origin), joined on Rotterdam's area number, and the cohesion
    scale (``COHESION``)."""
    from ..models import scale_score

    profile = load("rotterdam-wijkprofiel", year=year)
    context = load("rotterdam-wijkprofiel", year=CONTEXT_YEAR, sheet="context")
    wijken = profile[profile["area_type"] == "wijk"].merge(
        context[["area_number"] + ROTTERDAM_CONTEXT], on="area_number", how="left", validate="one_to_one"
    )
    wijken["cohesion_scale"] = scale_score(wijken[COHESION])
    return carry(wijken, profile, context)


def amsterdam_gebieden() -> pd.DataFrame:
    """Amsterdam's gebieden, one row per gebied and year (2001-2018), from the BBGA."""
    bbga = load("amsterdam-bbga")
    gebieden = bbga[bbga["region_code"].str.match(r"^DX\d\d$")].reset_index(drop=True)
    return carry(gebieden, bbga)


def city_buurten(gemeente_code: str, kwb_year: int = 2023, rivm_year: int = 2020) -> pd.DataFrame:
    """One gemeente's buurten, selected by its code: the KWB composition of ``kwb_year`` and RIVM's estimates
    (18+) of ``rivm_year``. The table says which gemeente it is (``scope_of``)."""
    kwb = load("kwb", year=kwb_year, level="buurt")
    kwb = kwb[kwb["gemeente_code"] == gemeente_code]
    if kwb.empty:
        raise WijkstudieError(f"kwb {kwb_year} holds no buurten of {gemeente_code}")
    rivm = load("rivm-gezondheid", year=rivm_year, age_group="18+", level="buurt")
    rivm = rivm[rivm["gemeente_code"] == gemeente_code]
    joined, report = join_regions(
        kwb, rivm[["region_code", "level", "division_year"] + [c for c in RIVM_COLUMNS if c in rivm]], how="left"
    )
    joined.attrs["join_reports"] = [str(report)]
    return joined


def utrecht_buurten() -> pd.DataFrame:
    """Utrecht's buurten (GM0344): KWB 2023 composition with RIVM 2020 participation and loneliness (18+)."""
    return city_buurten(CITIES["Utrecht"])


def city_samples(rivm_year: int = 2016) -> dict[str, Sample]:
    """The cities' independent samples: Rotterdam's wijken in 2014 and 2016 (Wijkprofiel survey), Amsterdam's
    gebieden (BBGA survey waves 2012-2016, pooled) and Utrecht's buurten (RIVM's model-based estimates). Rotterdam's
    and Utrecht's areas are CBS buurten and get the buurt proxy livability class (``buurt_livability``, RIVM
    ``rivm_year`` for Rotterdam, 2020 for Utrecht); Amsterdam's gebieden have no CBS code, so no class.
    Returns {name: Sample}."""
    samples = []
    problem, definition = buurt_livability(rivm_year)
    for year in (2014, 2016):
        samples.append(
            Sample(
                f"Rotterdam wijken {year}",
                with_livability(rotterdam_wijken(year), problem),
                "wijken",
                livability=definition,
            )
        )
    amsterdam = amsterdam_gebieden()
    survey_years = amsterdam.dropna(subset=["pct_active_for_neighbourhood"])["year"].unique()
    samples.append(
        Sample("Amsterdam gebieden", amsterdam[amsterdam["year"].isin(survey_years)], "gebieden", pooled=True)
    )
    problem, definition = buurt_livability(2020)
    samples.append(
        Sample("Utrecht buurten", with_livability(utrecht_buurten(), problem), "buurten", livability=definition)
    )
    return {sample.name: sample for sample in samples}


def samples_table(samples: dict) -> pd.DataFrame:
    """The samples at a glance: their areas, years, livability class and data."""
    rows = []
    for sample in samples.values():
        table = sample.table
        years = sorted({int(y) for y in table["year"].dropna()}) if "year" in table else []
        rows.append(
            {
                "sample": sample.name,
                "areas": f"{table['region_code'].nunique()} {sample.areas}",
                "years": ", ".join(map(str, years)),
                "waves pooled": "yes" if sample.pooled else "no",
                "livability class": sample.livability["name"] if sample.livability else "none (no CBS codes)",
                "data": provenance_of(table).describe(),
            }
        )
    return pd.DataFrame(rows).set_index("sample")


def tables_of(samples: dict) -> list:
    """The samples' tables (for a figure caption that names every source)."""
    return [sample.table for sample in samples.values()]


F1_PANELS = ["pct_know_each_other", "pct_help_each_other", "pct_active_for_neighbourhood", "pct_volunteering"]


def residence_panels(table: pd.DataFrame, outcomes=F1_PANELS, annotate: str = CASE) -> list[dict]:
    """Scatter panels of participation items against the share of long-term residents (``plotting.scatter_panels``),
    the case area named."""
    return [
        {"data": table, "x": "pct_long_term_residents", "y": outcome, "annotate": {annotate: annotate}}
        for outcome in outcomes
    ]


def city_panels(samples: dict, x: str, y: str = "pct_volunteering") -> list[dict]:
    """Scatter panels of ``y`` against ``x`` in each city's latest sample that has both (Amsterdam: its latest survey
    wave), for ``plotting.scatter_panels``."""
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


def area_formula(finding: str, sample: Sample, outcome: str) -> tuple[str, list[str]] | None:
    """The formula of a finding's area specification on a sample's ``outcome`` (the tested terms first), or None
    when the sample lacks the finding's term."""
    spec = AREA_SPECS[finding]
    table = sample.table
    term = _first(table, spec["terms"])
    if term is None or outcome not in table:
        return None
    also = _first(table, spec["with"])
    terms = [term] + ([also] if also else [])
    controls = [c for c in (_first(table, alt.split("|")) for alt in spec["controls"]) if c]
    right = " + ".join(terms + controls + (["C(year)"] if sample.pooled else []))
    return f"{outcome} ~ {right}", terms


def _excluded(finding: str, term: str) -> None:
    """Refuse a predictor whose concept the finding excludes (F4: trust in government is not trust in neighbours)."""
    excluded = set(fd.finding(finding).get("excluded_concepts", []))
    shared = term_concepts(term)[0] & excluded
    if shared:
        raise WijkstudieError(f"{finding}: {term} measures {', '.join(sorted(shared))}, which the claim excludes")


def _term_text(term: str) -> str:
    """A term's label; a scale built from several items names them."""
    items = study_variables().get(term, {}).get("built_from", [])
    if len(items) > 1:
        return f"{label(term).split(' (')[0].lower()} (" + ", ".join(label(item).lower() for item in items) + ")"
    return label(term).lower()


def area_tests(finding: str, samples: dict, notebook: str) -> list:
    """Every specification of a finding on every sample: each outcome of ``AREA_OUTCOMES`` the sample has, on all
    its areas and on the areas the claim speaks of (``areas`` in findings.yaml) where the sample has a livability
    class; population-weighted regression, errors clustered by area when waves are pooled. The scorecard takes each
    sample's primary specification from findings.yaml; the rest are its robustness range."""
    from ..models import area_regression

    wanted = fd.finding(finding).get("areas", "all areas")
    association = fd.finding(finding).get("association", False)
    tests = []
    for sample in samples.values():
        for outcome in _present(sample.table, AREA_OUTCOMES):
            made = area_formula(finding, sample, outcome)
            if made is None:
                continue
            formula, terms = made
            subsets = {"all areas": sample.table}
            if sample.livability and wanted != "all areas":
                subsets[wanted] = sample.table[sample.table["problem"] == (1 if wanted == "problem areas" else 0)]
            for areas, data in subsets.items():
                if complete(data, formula).shape[0] < 8:
                    continue
                fit = area_regression(
                    formula, data, weights="population", cluster="region_code" if sample.pooled else None
                )
                for term in terms:
                    _excluded(finding, term)
                    where = sample.name + ("" if areas == "all areas" else f", {areas} ({sample.livability['name']})")
                    text = f"{where}: {_term_text(term)} -> {label(outcome).lower()}"
                    tests.append(
                        fd.from_model(
                            finding,
                            fit,
                            term,
                            label=fd.association_label(text) if association else text,
                            notebook=notebook,
                            scope=sample.scope,
                            areas=areas,
                            built_from={"problem": sample.livability["built_from"]} if sample.livability else None,
                        )
                    )
    return tests


def within_tests(finding: str, sample: Sample, notebook: str, outcomes=("social_cohesion", "involvement")) -> list:
    """Within-area (fixed effects) estimates of a finding's term on a pooled sample: only change inside an area
    between waves counts (robustness of the sample's primary estimate)."""
    from ..models import within_estimate

    term = _first(sample.table, AREA_SPECS[finding]["terms"])
    tests = []
    for outcome in _present(sample.table, outcomes):
        fit = within_estimate(f"{outcome} ~ {term}", sample.table, time="year")
        tests.append(
            fd.from_model(
                finding,
                fit,
                term,
                notebook=notebook,
                scope=sample.scope,
                label=f"{sample.name} {fit.year}, within: {label(term).lower()} -> {label(outcome).lower()}",
            )
        )
    return tests
