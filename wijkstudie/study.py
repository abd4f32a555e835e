"""The study: the analysis tables, samples and finding tests the notebooks share, each built one way, in one place.

- national: every wijk (or gemeente) of the Netherlands with the KWB composition and RIVM participation,
  harmonised onto one regional division (``national_wijken``, ``national_gemeenten``); their tests are of RIVM's
  model-based estimates (``national_tests``), so most are model-implied (``wijkstudie.evidence``)
- the cities' samples (``city_samples``): Rotterdam's wijken (Wijkprofiel 2014 and 2016, direct survey), Amsterdam's
  gebieden (BBGA survey items, waves pooled), Utrecht's buurten (KWB with RIVM); ``area_tests`` fits each
  finding's declared specifications on every sample (``AREA_SPECS``)
- livability: a class per wijk or buurt (the Leefbaarometer's, or a proxy from open figures), which selects the
  areas a claim speaks of (``with_livability``)
- F5 at area level (``livability_wijken``, ``f5_area_tests``) and with residents (``f5_resident_tests``)
- the Vreewijk case: percentiles among Rotterdam's wijken with a bootstrap over items (``case_percentiles``)
- residents (survey microdata, or the synthetic world's survey): F1's breakpoint (``f1_resident_tests``), F6
  (``f6_tests``)

Every table keeps its provenance record (``wijkstudie.provenance_of``), so models, tests and captions know where
the numbers come from and whether they are real. The models know no study variable: the names live here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import findings as fd
from .errors import WijkstudieError
from .findings import NATIONAL, SYNTHETIC_SCOPE
from .join import join_regions
from .loading import load
from .provenance import carry, provenance_of
from .variables import label, study_variables

# --- the national tables --------------------------------------------------------------------------------------

COMPOSITION_YEAR = 2022           # the KWB with tenure for every wijk and gemeente that can be had here
RIVM_YEARS = (2016, 2020)         # the measurements with volunteering (table 50090NED, division 2020)
RIVM_DIVISION = 2020              # the division of those measurements
SOURCE_UNIT = f"source_code_{RIVM_DIVISION}"  # the RIVM area a harmonised area took its figures from
NATIONAL_CONTROLS = ["pct_age_65_plus", "pct_low_income", "urbanity"]  # what every KWB year holds
F3_FORMULA = "pct_volunteering ~ pct_owner_occupied + pct_age_15_24 + " + " + ".join(NATIONAL_CONTROLS)
F2_FORMULA = "pct_volunteering ~ {young} + " + " + ".join(NATIONAL_CONTROLS)
RIVM_COLUMNS = ["pct_volunteering", "pct_informal_carer", "pct_lonely", "pct_difficulty_making_ends_meet"]
CONTEXT_YEAR = 2015                # the register context figures of Rotterdam (1-1-2015)
ROTTERDAM_CONTEXT = ["population", "n_households", "pct_owner_occupied", "pct_social_rent",
                     "pct_single_person_households", "pct_students", "pct_age_65_plus", "pct_non_dutch_origin",
                     "pct_non_western", "density"]


def _boundaries(dataset: str, years) -> pd.DataFrame:
    """The boundaries of the first of ``years`` that can be had here."""
    problems = []
    for year in years:
        try:
            return load(dataset, year=year)
        except WijkstudieError as exc:
            problems.append(str(exc).split(";")[0])
    raise WijkstudieError(f"{dataset}: none of {', '.join(map(str, years))} can be had ({problems[0]})")


def _with_rivm(table: pd.DataFrame, rivm_year: int, level: str, columns=RIVM_COLUMNS) -> tuple[pd.DataFrame, list]:
    rivm = load("rivm-gezondheid", year=rivm_year, variant="18+", level=level)
    keep = ["region_code", "level", "division_year"] + [c for c in columns if c in rivm]
    joined, report = join_regions(table, rivm[keep], how="left")
    joined["year"] = rivm_year  # the year of the outcome: the composition year is in the provenance
    return joined, [str(report)]


def national_wijken(rivm_year: int = 2020, kwb_year: int = COMPOSITION_YEAR, livability: bool = False) -> pd.DataFrame:
    """Every wijk of the Netherlands: the KWB composition of ``kwb_year`` and RIVM's estimates of
    ``rivm_year`` (18+), on one regional division with its boundaries (the KWB's division where its wijk
    boundaries can be had, else the latest that can). The join reports are in ``attrs["join_reports"]``; a wijk
    of 2020 that was split gives its RIVM figures to every part, and ``SOURCE_UNIT`` names it (the national models
    cluster their errors by it).

    With ``livability``, the table gets the livability class of every wijk (``livability_class``) as ``problem``
    and ``livability``, and its definition in ``attrs["livability"]``.

    Returns a GeoDataFrame with one row per wijk of that division (wijken without residents have no values)."""
    kwb = load("kwb", year=kwb_year, level="wijk")
    boundaries = _boundaries("cbs-wijken", [kwb_year] + [y for y in (2024, 2025, 2023) if y != kwb_year])
    table, kwb_report = join_regions(boundaries, kwb, how="left")
    table, rivm_reports = _with_rivm(table, rivm_year, "wijk")
    table.attrs["join_reports"] = [str(kwb_report)] + rivm_reports
    if livability:
        problem, definition = livability_class(table, rivm_year)
        reports = table.attrs["join_reports"]
        table = with_livability(table, problem)
        table.attrs.update(join_reports=reports, livability=definition)
    return table


def national_gemeenten(rivm_year: int = 2020, kwb_year: int = COMPOSITION_YEAR) -> pd.DataFrame:
    """Every gemeente of the Netherlands: KWB composition and RIVM estimates on the gemeenten of ``kwb_year``
    (with their boundaries where they can be had)."""
    kwb = load("kwb", year=kwb_year, level="gemeente")
    try:
        table, report = join_regions(load("cbs-gemeenten", year=kwb_year), kwb, how="left")
        reports = [str(report)]
    except WijkstudieError:
        table, reports = kwb, []
    table, rivm_reports = _with_rivm(table, rivm_year, "gemeente")
    table.attrs["join_reports"] = reports + rivm_reports
    return table


def has_households(table: pd.DataFrame) -> bool:
    """Whether a KWB table holds household composition (the reconstructed KWB 2022 of the offline mirror does
    not; the CBS workbooks and open-data tables do)."""
    return "pct_single_person_households" in table and table["pct_single_person_households"].notna().mean() > 0.5


def young_terms(table: pd.DataFrame) -> list[str]:
    """The F2 predictors the table holds: single-person households where it has them, and the 15-24 share
    (the closest the KWB comes to students)."""
    return (["pct_single_person_households"] if has_households(table) else []) + ["pct_age_15_24"]


def complete(table: pd.DataFrame, formula: str) -> pd.DataFrame:
    """The rows with every variable of ``formula`` (keeps the provenance)."""
    names = [c for c in table.columns if c in formula.replace("~", " ").replace("+", " ").split()]
    return table.dropna(subset=names)


def _cluster_of(table: pd.DataFrame) -> str | None:
    """The column to cluster errors by when harmonisation copied split areas' values: ``SOURCE_UNIT``."""
    return SOURCE_UNIT if SOURCE_UNIT in table and table[SOURCE_UNIT].notna().any() else None


def national_models(table: pd.DataFrame, formula: str) -> dict:
    """The national models of one formula on a table of wijken (or gemeenten): weighted least squares (by
    population; errors clustered by the RIVM area each row took its figures from, since a split area's figures
    were copied into its parts) and a multilevel model of areas within gemeenten (the spatial error model is
    notebook 06's); the weighted regression again on the wijken without livability problems (``with_livability``),
    the areas the claims speak of."""
    from .models import area_regression, multilevel

    cluster = _cluster_of(table)
    data = complete(table, formula + " + population" + (f" + {cluster}" if cluster else ""))
    results = {"weighted regression": area_regression(formula, data, weights="population", cluster=cluster)}
    if data["gemeente_code"].nunique() < len(data):
        results["multilevel, areas in gemeenten"] = multilevel(formula, data, group="gemeente_code")
    if "problem" in table:
        positive = data[data["problem"] == 0]
        results["weighted regression, positive livability"] = area_regression(formula, positive, weights="population",
                                                                             cluster=cluster)
    return results


def national_results(tables: dict, formula: str) -> dict:
    """``national_models`` of one formula on each table of ``tables`` ({RIVM year: table}), keyed (year, model)."""
    return {(year, name): result for year, table in tables.items()
            for name, result in national_models(table, formula).items()}


def national_tests(finding: str, results: dict, term: str, *, scope: str, notebook: str, what: str,
                   built_from: dict | None = None) -> list:
    """One finding test per national model (``results``: {(RIVM year, model name): ModelResult}) of ``term``;
    ``what`` says which areas (e.g. "All wijken"). The test says its areas (all, or positive livability)."""
    tests = []
    for (year, name), result in results.items():
        areas = "positive livability" if name.endswith("positive livability") else "all areas"
        tests.append(fd.from_model(finding, result, term, label=f"{what}, RIVM {year}: {label(term).lower()} -> "
                                   f"{label(fd.outcome_of_formula(result.formula)).lower()} ({name})",
                                   notebook=notebook, scope=scope, areas=areas, spec=name, built_from=built_from))
    return tests


# --- scope --------------------------------------------------------------------------------------------------------

CITIES = {"Utrecht": "GM0344", "Rotterdam": "GM0599", "Amsterdam": "GM0363"}
CASE = "Vreewijk"  # the case of notebook 05 (a finding of its own), named in the Rotterdam figures
NATIONAL_GEMEENTEN = 300  # a table with areas in this many gemeenten covers the country (342-403 since 2016)


def scope_of(table: pd.DataFrame) -> str:
    """The scope of a table's evidence: ``NATIONAL`` when its areas lie in at least ``NATIONAL_GEMEENTEN``
    gemeenten, the gemeente's name and code for one gemeente, the codes for a few; "the synthetic world" for
    synthetic data (which describe no real place); "" (not stated) when the table names no gemeente."""
    if provenance_of(table).kind == "synthetic":
        return SYNTHETIC_SCOPE
    codes = sorted(set(table["gemeente_code"].dropna().astype(str))) if "gemeente_code" in table else []
    if len(codes) >= NATIONAL_GEMEENTEN:
        return NATIONAL
    if len(codes) != 1:
        return f"{len(codes)} gemeenten ({', '.join(codes)})" if codes else ""
    names = table.loc[table["gemeente_code"] == codes[0], "gemeente_name"].dropna() if "gemeente_name" in table \
        else pd.Series(dtype=str)
    return f"{names.iloc[0] if len(names) else codes[0]} ({codes[0]})"


# --- livability: the areas a claim speaks of ----------------------------------------------------------------------

PROBLEM_CLASS = 4   # Leefbaarometer classes 1-4 (zwak and worse) count as livability problems
PROBLEM_SHARE = 0.2  # the proxy: the fifth of the areas that score worst
LEEFBAAROMETER_NAME = f"Leefbaarometer classes 1-{PROBLEM_CLASS}"
PROXY_FIGURES = {"wijk": ("pct_difficulty_making_ends_meet", "pct_low_income", +1),
                 "buurt": ("pct_difficulty_making_ends_meet", "mean_income_per_resident", -1)}
PROXY_TEXT = ("the {share} of the Dutch {level}en that score worst on the sum of two standardised open figures: "
              "RIVM's share of adults with difficulty making ends meet and the KWB's {income}. The proxy measures "
              "economic deprivation, which often goes with livability problems; it is not the Leefbaarometer's "
              "judgement of livability")


def _share_text(share: float) -> str:
    return {0.2: "fifth", 0.1: "tenth"}.get(round(share, 2), f"{100 * share:.0f} %")


def proxy_name(share: float = PROBLEM_SHARE) -> str:
    return f"proxy: worst {100 * share:.0f} % on money problems and incomes"


def _proxy(rivm_money: pd.Series, income: pd.Series, sign: int, share: float) -> pd.Series:
    z = lambda s: (s - s.mean()) / s.std()  # noqa: E731
    score = z(rivm_money) + sign * z(income)
    threshold = score.quantile(1 - share)
    return (score >= threshold).astype(float).where(score.notna())


def livability_class(table: pd.DataFrame, year: int, share: float = PROBLEM_SHARE) -> tuple[pd.Series, dict]:
    """The livability class of every wijk of a national wijk table (1 = problems, 0 = elsewhere, NaN = unknown):
    the Leefbaarometer's where its scores of ``year`` can be had, else the proxy (the worst ``share`` of the
    wijken). Returns (class, {"name", "text", "built_from": the variables it is made of})."""
    try:
        scores = load("leefbaarometer", year=year, variant="wijk")
        joined, _ = join_regions(table[["region_code", "level", "division_year"]],
                                 scores[["region_code", "level", "division_year", "livability_class"]], how="left")
        classes = joined.set_index("region_code")["livability_class"].reindex(table["region_code"]).to_numpy(float)
        problem = pd.Series(np.where(np.isnan(classes), np.nan, (classes <= PROBLEM_CLASS).astype(float)),
                            index=table.index)
        return problem, {"name": f"{LEEFBAAROMETER_NAME} ({year})", "built_from": ["livability_class"],
                         "text": f"Leefbaarometer 3 scores of {year}: classes 1-{PROBLEM_CLASS} (zwak, weak, and "
                                 "worse) count as livability problems"}
    except WijkstudieError as exc:
        note = str(exc).split(";")[0]
    money, income, sign = PROXY_FIGURES["wijk"]
    problem = _proxy(table[money], table[income], sign, share)
    text = PROXY_TEXT.format(share=_share_text(share), level="wijk", income="share of residents in the lowest 40 % "
                                                                             "of incomes")
    return problem, {"name": proxy_name(share), "built_from": [money, income],
                     "text": f"{text}. The Leefbaarometer, the first choice, cannot be had here ({note})."}


def buurt_livability(rivm_year: int, share: float = PROBLEM_SHARE, kwb_year: int = 2017) -> tuple[pd.Series, dict]:
    """The proxy livability class of every Dutch buurt (indexed by buurt code, division of RIVM's table): the worst
    ``share`` of the buurten on RIVM's money problems (``rivm_year``) and the KWB's mean income per resident
    (``kwb_year``, buurten whose code is the same in both divisions)."""
    money, income, sign = PROXY_FIGURES["buurt"]
    rivm = load("rivm-gezondheid", year=rivm_year, variant="18+", level="buurt")
    kwb = load("kwb", year=kwb_year, level="buurt")
    both = rivm[["region_code", money]].merge(kwb[["region_code", income]], on="region_code", how="inner")
    problem = _proxy(both[money], both[income], sign, share)
    problem.index = both["region_code"].astype(str)
    text = PROXY_TEXT.format(share=_share_text(share), level="buurt",
                             income=f"mean income per resident ({kwb_year}; RIVM {rivm_year})")
    return problem, {"name": proxy_name(share), "built_from": [money, income], "text": text}


def with_livability(table: pd.DataFrame, problem: pd.Series) -> pd.DataFrame:
    """The table with ``problem`` (1, 0, NaN) and ``livability`` ("problem", "elsewhere", NaN) columns; ``problem``
    is indexed like the table or by region code."""
    if not problem.index.equals(table.index):
        problem = table["region_code"].astype(str).map(problem)
    out = table.assign(problem=problem.to_numpy(dtype=float))
    out["livability"] = pd.Series(np.where(out["problem"] == 1, "problem", "elsewhere"), index=out.index).where(
        out["problem"].notna())
    return carry(out, table)


# --- the cities' samples ------------------------------------------------------------------------------------------

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
    from .models import scale_score

    profile = load("rotterdam-wijkprofiel", year=year)
    context = load("rotterdam-wijkprofiel", year=CONTEXT_YEAR, variant="context")
    wijken = profile[profile["area_type"] == "wijk"].merge(
        context[["area_number"] + ROTTERDAM_CONTEXT], on="area_number", how="left", validate="one_to_one")
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
    rivm = load("rivm-gezondheid", year=rivm_year, variant="18+", level="buurt")
    rivm = rivm[rivm["gemeente_code"] == gemeente_code]
    joined, report = join_regions(kwb, rivm[["region_code", "level", "division_year"] + [c for c in RIVM_COLUMNS
                                                                                         if c in rivm]], how="left")
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
        samples.append(Sample(f"Rotterdam wijken {year}", with_livability(rotterdam_wijken(year), problem), "wijken",
                              livability=definition))
    amsterdam = amsterdam_gebieden()
    survey_years = amsterdam.dropna(subset=["pct_active_for_neighbourhood"])["year"].unique()
    samples.append(Sample("Amsterdam gebieden", amsterdam[amsterdam["year"].isin(survey_years)], "gebieden",
                          pooled=True))
    problem, definition = buurt_livability(2020)
    samples.append(Sample("Utrecht buurten", with_livability(utrecht_buurten(), problem), "buurten",
                          livability=definition))
    return {sample.name: sample for sample in samples}


def samples_table(samples: dict) -> pd.DataFrame:
    """The samples at a glance: their areas, years, livability class and data."""
    rows = []
    for sample in samples.values():
        table = sample.table
        years = sorted({int(y) for y in table["year"].dropna()}) if "year" in table else []
        rows.append({"sample": sample.name, "areas": f"{table['region_code'].nunique()} {sample.areas}",
                     "years": ", ".join(map(str, years)), "waves pooled": "yes" if sample.pooled else "no",
                     "livability class": sample.livability["name"] if sample.livability else "none (no CBS codes)",
                     "data": provenance_of(table).describe()})
    return pd.DataFrame(rows).set_index("sample")


def tables_of(samples: dict) -> list:
    """The samples' tables (for a figure caption that names every source)."""
    return [sample.table for sample in samples.values()]


F1_PANELS = ["pct_know_each_other", "pct_help_each_other", "pct_active_for_neighbourhood", "pct_volunteering"]


def residence_panels(table: pd.DataFrame, outcomes=F1_PANELS, annotate: str = CASE) -> list[dict]:
    """Scatter panels of participation items against the share of long-term residents (``plotting.scatter_panels``),
    the case area named."""
    return [{"data": table, "x": "pct_long_term_residents", "y": outcome, "annotate": {annotate: annotate}}
            for outcome in outcomes]


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
        panels.append({"data": table, "x": x, "y": y, "title": title,
                       "annotate": {CASE: CASE} if city == "Rotterdam" else None})
    return panels


# Per finding: the tested term (the first the sample has), other terms of interest in the same model (the first
# the sample has; tested too, as robustness), and controls (alternatives separated by "|": the first present).
# The primary specification that decides each sample's vote is declared in findings.yaml.
AREA_SPECS = {
    "F1": {"terms": ["pct_long_term_residents", "mean_years_at_address"], "with": [], "controls": []},
    "F2": {"terms": ["pct_single_person_households"], "with": ["pct_students", "pct_age_18_22", "pct_age_15_24"],
           "controls": []},
    "F3": {"terms": ["pct_owner_occupied"], "with": [], "controls": ["pct_age_65_plus",
                                                                     "pct_non_dutch_origin|pct_non_western"]},
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
    from .evidence import term_concepts

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
    from .models import area_regression

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
                fit = area_regression(formula, data, weights="population",
                                      cluster="region_code" if sample.pooled else None)
                for term in terms:
                    _excluded(finding, term)
                    where = sample.name + ("" if areas == "all areas" else f", {areas} ({sample.livability['name']})")
                    text = f"{where}: {_term_text(term)} -> {label(outcome).lower()}"
                    tests.append(fd.from_model(
                        finding, fit, term, label=fd.association_label(text) if association else text,
                        notebook=notebook, scope=sample.scope, areas=areas,
                        built_from={"problem": sample.livability["built_from"]} if sample.livability else None))
    return tests


def within_tests(finding: str, sample: Sample, notebook: str, outcomes=("social_cohesion", "involvement")) -> list:
    """Within-area (fixed effects) estimates of a finding's term on a pooled sample: only change inside an area
    between waves counts (robustness of the sample's primary estimate)."""
    from .models import within_estimate

    term = _first(sample.table, AREA_SPECS[finding]["terms"])
    tests = []
    for outcome in _present(sample.table, outcomes):
        fit = within_estimate(f"{outcome} ~ {term}", sample.table, time="year")
        tests.append(fd.from_model(finding, fit, term, notebook=notebook, scope=sample.scope,
                                   label=f"{sample.name} {fit.year}, within: {label(term).lower()} -> "
                                         f"{label(outcome).lower()}"))
    return tests


# --- spatial structure (notebook 06) -------------------------------------------------------------------------

def moran_table(areas: dict, weights: dict, variables) -> pd.DataFrame:
    """Global Moran's I of each variable over each set of areas ({name: table}, with its ``weights``)."""
    from .models import morans_i

    rows = []
    for name, table in areas.items():
        for variable in variables:
            rows.append({"areas": name, "variable": label(variable), "n": len(table),
                         **morans_i(table[variable], weights[name])})
    return pd.DataFrame(rows).set_index(["areas", "variable"])


def spatial_terms(young: list[str]) -> dict:
    """The national terms of F3 and F2 with the direction each claim names."""
    return {"F3": [("pct_owner_occupied", fd.expected_sign("F3"))],
            "F2": [(term, fd.expected_sign("F2")) for term in young]}


def spatial_results(tables: dict, young: list[str]) -> dict:
    """OLS, spatial error and spatial lag models of the national F3 and F2 formulas on each table ({RIVM year:
    wijken}), keyed (finding, year)."""
    from .models import spatial_models

    formulas = {"F3": F3_FORMULA, "F2": F2_FORMULA.format(young=" + ".join(young))}
    return {(key, year): spatial_models(formula, complete(table, formula))
            for key, formula in formulas.items() for year, table in tables.items()}


def spatial_table(spatial: dict, terms: dict) -> pd.DataFrame:
    """Each term of each spatial result side by side: estimate, interval, standardised estimate, n."""
    rows = []
    for (key, year), models in spatial.items():
        for name, result in models.items():
            for term, _ in terms[key]:
                row = result.term(term)
                rows.append({"finding": key, "term": term, "RIVM": year, "model": name, "n": result.n,
                             "estimate": row["estimate"], "ci_low": row["ci_low"], "ci_high": row["ci_high"],
                             "std_estimate": row["std_estimate"]})
    return pd.DataFrame(rows).set_index(["finding", "term", "RIVM", "model"])


def spatial_tests(spatial: dict, terms: dict, tables: dict, notebook: str) -> dict:
    """The spatial error model's finding tests of F3 and F2 ({finding: tests}); of RIVM's model-based figures."""
    out: dict[str, list] = {}
    for (key, year), models in spatial.items():
        for term, sign in terms[key]:
            out.setdefault(key, []).append(fd.from_model(
                key, models["spatial error"], term, sign=sign, notebook=notebook, scope=scope_of(tables[year]),
                spec="spatial error model", label=f"All wijken, RIVM {year}: {label(term).lower()} -> volunteering "
                                                  "(spatial error model)"))
    return out


def spatial_summary(moran: pd.DataFrame, spatial: dict, table: pd.DataFrame):
    """What the spatial results say, computed (Markdown for the notebook)."""
    from IPython.display import Markdown

    volunteering = moran.xs(label("pct_volunteering"), level="variable")
    year = max(y for _, y in spatial)
    ols, error = spatial[("F3", year)]["OLS"], spatial[("F3", year)]["spatial error"]
    missing = int(table["pct_volunteering"].isna().sum())
    lines = [
        "Volunteering clusters in space: Moran's I " + " and ".join(
            f"{row.I:.2f} over {int(row.n):,} {name}" for name, row in volunteering.iterrows())
        + "; RIVM's model smooths over neighbouring areas, so part of this is the model's own.",
        f"The residuals of the national F3 model remain clustered (Moran's I {ols.extra['moran_residuals']['I']:.2f}); "
        f"the spatial error model (lambda {error.extra['lambda'][0]:.2f}) gives the owner-occupied share a "
        f"standardised coefficient of {error.term('pct_owner_occupied')['std_estimate']:+.2f} against "
        f"{ols.term('pct_owner_occupied')['std_estimate']:+.2f} in OLS (RIVM {year}; model-implied, not counted).",
        f"{missing} of {len(table):,} wijken have no RIVM estimate (suppressed, or without residents).",
    ]
    return Markdown("\n".join(f"- {line}" for line in lines))


# --- F5 at area level: volunteering by age group in neighbourhoods with livability problems ------------------

def livability_wijken(rivm_year: int = 2020, kwb_year: int = COMPOSITION_YEAR, origin_year: int = 2017,
                      share: float = PROBLEM_SHARE):
    """Every wijk with volunteering of 18+ and 65+ (and 18-64 where it can be had), the age bands and origin
    of its residents, and a livability class (``livability_class``: the Leefbaarometer's, or the proxy with the
    worst ``share`` of the wijken). Origin comes from the KWB of ``origin_year`` (the reconstructed KWB 2022 of the
    offline mirror has none), harmonised onto the same division.

    Returns (table, definition): the table has ``problem`` (0/1), ``livability`` ("problem"/"elsewhere"),
    ``gap_65`` (65+ minus 18+ volunteering, percentage points); ``definition`` is {"name", "text", "built_from"}."""
    table = national_wijken(rivm_year, kwb_year)
    division = int(table["division_year"].dropna().iloc[0])
    for variant, name in (("65+", "pct_volunteering_65_plus"), ("18-64", "pct_volunteering_18_64")):
        try:
            rivm = load("rivm-gezondheid", year=rivm_year, variant=variant, level="wijk", division=division)
        except WijkstudieError:
            continue
        part = rivm[["region_code", "pct_volunteering"]].rename(columns={"pct_volunteering": name})
        table = carry(table.merge(part, on="region_code", how="left"), table, rivm)
    try:
        origin = load("kwb", year=origin_year, level="wijk")[["region_code", "level", "division_year",
                                                              "pct_non_dutch_origin"]]
        table, _ = join_regions(table.drop(columns=["pct_non_dutch_origin"], errors="ignore"), origin, how="left")
    except WijkstudieError:
        pass
    if "pct_volunteering_65_plus" not in table:
        raise WijkstudieError(f"rivm-gezondheid {rivm_year} (65+) cannot be had here: no test of older residents")
    table["gap_65"] = table["pct_volunteering_65_plus"] - table["pct_volunteering"]
    problem, definition = livability_class(table, rivm_year, share)
    return with_livability(table, problem), definition


def f5_tables(years=RIVM_YEARS, shares=None) -> dict:
    """``livability_wijken`` for every RIVM year and every proxy cut-off of ``problem_shares`` (findings.yaml),
    the national table built once per year: {(year, share): (table, definition)}. With the Leefbaarometer the class
    has no cut-off, and only the default share is kept."""
    shares = shares or fd.finding("F5")["problem_shares"]
    out = {}
    for year in years:
        table, definition = livability_wijken(year)
        out[(year, PROBLEM_SHARE)] = (table, definition)
        if "proxy" not in definition["name"]:
            continue
        for share in shares:
            if share != PROBLEM_SHARE:
                problem, other = livability_class(table, year, share)
                out[(year, share)] = (with_livability(table, problem), other)
    return dict(sorted(out.items()))


# the area-level tests of F5: the model and term behind each part of the claim (``parts`` in findings.yaml); the
# 25-44 band is the closest the open data come to 30-45
F5_AREA_MODELS = {"gap": "gap_65 ~ problem",
                  "shares": "pct_volunteering ~ problem * (pct_non_dutch_origin + pct_age_25_44) + pct_age_65_plus"}
F5_AREA_TERMS = {"age_65_plus": ("gap", "problem", "65+ minus 18+ volunteering"),
                 "non_dutch": ("shares", "problem:pct_non_dutch_origin", "share of non-Dutch origin"),
                 "age_30_44": ("shares", "problem:pct_age_25_44", "share aged 25-44")}
F5_RESIDENT_TERMS = {"age_65_plus": (None, "problem:age_65_plus", "65 and over"),
                     "non_dutch": (None, "problem:non_dutch", "non-Dutch origin"),
                     "age_30_44": (None, "problem:age_30_44", "30-44")}


def f5_area_models(table: pd.DataFrame) -> dict:
    """The area-level models of F5 on a ``livability_wijken`` table, weighted by population (errors clustered by
    the RIVM wijk each row took its figures from)."""
    from .models import area_regression

    cluster = _cluster_of(table)
    return {name: area_regression(formula, table, weights="population", cluster=cluster)
            for name, formula in F5_AREA_MODELS.items()}


def f5_tests(results, terms: dict, label_text: str, notebook: str, scope: str = "", spec: str = "",
             built_from: dict | None = None) -> list:
    """One F5 test per part of the claim (``parts`` in findings.yaml, each with its own direction, or none):
    ``terms`` maps the part to (model name in ``results``, or None for the single model ``results``; term; what is
    compared)."""
    tests = []
    for part in fd.finding("F5")["parts"]:
        if part not in terms:
            continue
        name, term, what = terms[part]
        tests.append(fd.from_model("F5", results[name] if name else results, term, part=part, use="estimate",
                                   label=f"{label_text}: {what} x livability problems", notebook=notebook,
                                   scope=scope, spec=spec, built_from=built_from))
    return tests


def f5_area_tests(tables: dict, notebook: str) -> list:
    """The area-level F5 tests for every RIVM year and every proxy cut-off of ``problem_shares`` (findings.yaml):
    ``tables`` is {(year, share): (livability_wijken table, definition)}. The default cut-off is the main
    specification; the others show its sensitivity."""
    tests = []
    for (year, share), (table, definition) in tables.items():
        tests += f5_tests(f5_area_models(table), F5_AREA_TERMS, f"All wijken, RIVM {year} ({definition['name']})",
                          notebook, scope=scope_of(table), spec="" if share == PROBLEM_SHARE else definition["name"],
                          built_from={"problem": definition["built_from"]})
    return tests


def f5_main_tables(tables: dict) -> dict:
    """{year: table} of ``f5_tables`` at the default cut-off."""
    return {year: table for (year, share), (table, _) in tables.items() if share == PROBLEM_SHARE}


def f5_gaps(tables: dict) -> pd.DataFrame:
    """The population-weighted 65+ minus 18+ volunteering gap per livability class and RIVM year (``group_gap``),
    labelled for ``plotting.interval_plot``."""
    gaps = pd.concat({f"RIVM {year}": group_gap(table) for year, table in tables.items()},
                     names=["measurement"]).reset_index()
    gaps["areas"] = gaps["livability"] + " (" + gaps["measurement"] + ", n = " + gaps["n"].astype(str) + ")"
    return gaps


F5_GROUPS = {"65 and over": {"age_65_plus": 1, "age_30_44": 0}, "30-44": {"age_65_plus": 0, "age_30_44": 1},
             "non-Dutch origin": {"non_dutch": 1}, "Dutch origin": {"non_dutch": 0}}


def f5_resident_formula(breakpoint: float) -> str:
    """The resident-level F5 model: each group's interaction with the livability class, residence up to the
    breakpoint of notebook 07."""
    return (f"participates ~ problem * (age_65_plus + non_dutch + age_30_44) + C(tenure) + C(household_type) "
            f"+ np.minimum(years_at_address, {breakpoint})")


def f5_resident_terms() -> list[str]:
    return [term for _, term, _ in F5_RESIDENT_TERMS.values()]


def group_gap(table: pd.DataFrame, column: str = "gap_65", by: str = "livability",
              weights: str = "population") -> pd.DataFrame:
    """The population-weighted mean of ``column`` per class with its 95 % interval (weighted least squares of
    the column on the class, robust errors): the table behind the F5 figure."""
    from .models import area_regression

    rows = []
    for name, part in table.dropna(subset=[column, by, weights]).groupby(by):
        fit = area_regression(f"{column} ~ 1", part, weights=weights)
        row = fit.term("Intercept")
        rows.append({by: name, "mean": row["estimate"], "ci_low": row["ci_low"], "ci_high": row["ci_high"],
                     "n": fit.n})
    return pd.DataFrame(rows).set_index(by)


# --- the Vreewijk case ------------------------------------------------------------------------------------------

CASE_CONTEXT = ["pct_volunteering", "pct_lonely", "pct_difficulty_making_ends_meet", "pct_age_65_plus",
                "pct_non_dutch_origin", "pct_low_income"]
SEED = 20240601


def case_context(name: str = CASE, columns=CASE_CONTEXT) -> pd.DataFrame:
    """Where a Rotterdam wijk stands among every buurt of the Netherlands and among Rotterdam's buurten: RIVM
    2016 and 2020 (18+, division 2020) and the KWB 2017, by the CBS buurt code the Wijkprofiel wijk links to
    (``readers.rotterdam.link_to_cbs``). See ``profiles.standing``."""
    from .profiles import _row, standing

    code = str(_row(rotterdam_wijken(2016), name)["region_code"])
    if not code.startswith("BU"):
        raise WijkstudieError(f"{name} has no CBS buurt code ({code}): no national context")
    tables = {f"RIVM {year}": load("rivm-gezondheid", year=year, variant="18+", level="buurt") for year in RIVM_YEARS}
    tables["KWB 2017"] = load("kwb", year=2017, level="buurt")
    out = standing(tables, code, columns, within=CITIES["Rotterdam"])
    out.attrs["code"] = code
    return carry(out, *tables.values())


CASE_PROFILE = ["pct_know_each_other", "pct_help_each_other", "pct_active_for_neighbourhood", "pct_volunteering",
                "pct_long_term_residents", "pct_owner_occupied", "pct_social_rent", "pct_age_65_plus"]


def case_items(table: pd.DataFrame) -> list[str]:
    """The Wijkprofiel's items and indices of a Rotterdam table (not the register context)."""
    return [c for c in table.columns if c.startswith(("pct_", "social_index", "physical_index", "safety_index"))
            and c not in ROTTERDAM_CONTEXT]


def case_ranks(tables: dict, name: str = CASE) -> dict:
    """The case's rank and percentile on every item, per year (``profiles.rank_table``)."""
    from .profiles import rank_table

    return {year: rank_table(table, name, case_items(table)) for year, table in tables.items()}


def case_summary(context: pd.DataFrame, percentiles: dict, intervals: dict, peers: int):
    """What the case's numbers say, computed: its national standing on volunteering and its percentiles (with their
    bootstrap intervals) among the city's wijken. Markdown, for the notebook."""
    from IPython.display import Markdown

    lines = []
    if "pct_volunteering" in context.index.get_level_values("variable"):
        rows = context.xs("pct_volunteering", level="variable")
        lines.append("The Netherlands: its volunteering lies at percentile " + " and ".join(
            f"{r.percentile_all:.0f} of {int(r.n_all):,} Dutch buurten ({label})" for label, r in rows.iterrows())
            + " (RIVM's model-based estimates); within Rotterdam at "
            + " and ".join(f"{r.percentile_within:.0f}" for _, r in rows.iterrows()) + ".")
    for dimension, years in percentiles.items():
        lines.append(f"{dimension.capitalize()}: percentile " + ", ".join(
            f"{value:.1f} [{intervals[dimension][year][0]:.0f}, {intervals[dimension][year][1]:.0f}] ({year})"
            for year, value in years.items()) + f" among Rotterdam's {peers} wijken.")
    return Markdown("\n".join(f"- {line}" for line in lines))


def case_percentiles(tables: dict, name: str, spec: dict) -> tuple[dict, dict, int]:
    """The case's percentile among its peers per dimension of ``spec`` (the ``case`` entry of a finding) and
    year: the mean of its items' percentiles (the share of peers with a lower value; reversed items count the
    other way), with a 95 % bootstrap interval over the dimension's items (``spec["bootstrap"]`` resamples of the
    items with replacement, seeded). ``tables``: {year: the peers' table}.

    Returns ({dimension: {year: percentile}}, {dimension: {year: (low, high)}}, peers)."""
    from .profiles import percentile

    rng = np.random.default_rng(SEED)
    result, intervals, peers = {}, {}, 0
    for dimension, rule in spec["dimensions"].items():
        result[dimension], intervals[dimension] = {}, {}
        for year in spec["years"]:
            table = tables[year]
            values = np.array([percentile(table, name, item, reverse=item in rule.get("reversed", []))
                               for item in rule["items"]])
            draws = rng.integers(0, len(values), size=(int(spec.get("bootstrap", 999)), len(values)))
            means = values[draws].mean(axis=1)
            result[dimension][year] = float(values.mean())
            intervals[dimension][year] = (float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5)))
            peers = max(peers, int(table[rule["items"]].notna().all(axis=1).sum()))
    return result, intervals, peers


# --- residents (survey microdata, or the synthetic world's survey) ------------------------------------------

RESIDENT_CONTROLS = "C(tenure) + C(household_type) + C(age_group) + C(origin)"
RESIDENCE = "years_at_address"     # years at the current address
RESIDENT_WEIGHT = "weight"          # survey weights
RESIDENT_AREA = "buurt_code"        # the buurt of each resident: clusters and multilevel groups
BREAKPOINT = "F1 breakpoint"        # the name under which notebook 07 records the breakpoint


def with_indicators(residents: pd.DataFrame) -> pd.DataFrame:
    """0/1 columns the resident-level models use: owner, single, problem, age_30_44, age_65_plus, non_dutch."""
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
    """The session's survey residents (``wijkstudie.load_residents``) with the 0/1 indicators of the models."""
    from .microdata import load_residents

    return with_indicators(load_residents())


def residence_breakpoint(residents: pd.DataFrame, covariates: str = RESIDENT_CONTROLS, bootstrap: int = 999):
    """F1: participation against years at the address with a slope change at an estimated breakpoint
    (``models.segmented_logit``), survey-weighted, standard errors clustered by buurt, the breakpoint's interval
    from a cluster bootstrap over buurten."""
    from .models import segmented_logit

    return segmented_logit(residents, "participates", RESIDENCE, covariates=covariates, weights=RESIDENT_WEIGHT,
                           cluster=RESIDENT_AREA, bootstrap=bootstrap)


def f1_resident_tests(segmented, residents: pd.DataFrame, notebook: str) -> list:
    """F1 with residents: the threshold test (the primary: where the break lies, the slope before it, and whether
    the slope after it is level), with the slope before and the change of slope as its robustness rows."""
    scope = scope_of(residents)
    flattening = segmented.contrast({"after": 1, "before": -1})
    return [
        fd.threshold_test("F1", segmented, label="Residents: breakpoint of participation in years at the address",
                          notebook=notebook, scope=scope),
        fd.from_model("F1", segmented, "before", label="Residents: slope per year before the breakpoint",
                      use="estimate", notebook=notebook, scope=scope),
        fd.from_estimate("F1", label="Residents: slope after minus slope before the breakpoint",
                         estimate=flattening["estimate"], ci_low=flattening["ci_low"], ci_high=flattening["ci_high"],
                         std_error=flattening["std_error"], p_value=flattening["p_value"], sign=-1,
                         measure="difference of log-odds slopes per year", scale="log-odds", data=segmented,
                         n=segmented.n, outcome="participates", term="after - before",
                         estimator="segmented logistic regression", notebook=notebook, scope=scope),
    ]


def recorded_breakpoint(residents: pd.DataFrame) -> tuple[float, str]:
    """The breakpoint notebook 07 estimated and recorded, when it was estimated on the same kind of data; else
    estimated here the same way (and recorded). Returns (breakpoint, where it came from)."""
    from .results import record_value, recorded_value

    kind = provenance_of(residents).kind
    saved = recorded_value(BREAKPOINT)
    if saved and saved["data_kind"] == kind:
        return float(saved["value"]), f"recorded by notebook {saved['notebook']} ({kind} data)"
    fit = residence_breakpoint(residents, bootstrap=0)
    record_value(BREAKPOINT, fit.extra["breakpoint"], fit.extra["breakpoint_ci"], kind, fit.source,
                 notebook="estimated again")
    return float(fit.extra["breakpoint"]), f"estimated here, as notebook 07 does ({kind} data)"


F6_FORMULA = ("confidence_in_future ~ aware_of_plans + C(tenure) + C(age_group) + C(origin) "
              "+ np.minimum(years_at_address, 10)")


def f6_models(residents: pd.DataFrame) -> dict:
    """F6: weighted logistic regressions of confidence in the neighbourhood's future on knowing the plans, errors
    clustered by buurt: in the areas with livability problems (where the claim speaks) and in all areas (with the
    livability class as a control)."""
    from .models import logit

    problem_areas = residents[residents["problem"] == 1]
    return {"problem areas": logit(F6_FORMULA, problem_areas, weights=RESIDENT_WEIGHT, cluster=RESIDENT_AREA),
            "all areas": logit(F6_FORMULA + " + problem", residents, weights=RESIDENT_WEIGHT, cluster=RESIDENT_AREA)}


F6_GROUPS = {"knows the plans": {"aware_of_plans": 1}, "does not know them": {"aware_of_plans": 0}}


def f6_tests(models: dict, residents: pd.DataFrame, notebook: str) -> list:
    scope = scope_of(residents)
    return [fd.from_model("F6", fit, "aware_of_plans", use="estimate", areas=areas, notebook=notebook, scope=scope,
                          label=f"Residents ({areas}): knows the plans -> confident about the future")
            for areas, fit in models.items()]
