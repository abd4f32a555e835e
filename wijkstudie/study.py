"""The study: the analysis tables and variables the notebooks share, each built one way, in one place.

- national: every wijk (or gemeente) of the Netherlands with the KWB composition and RIVM participation,
  harmonised onto one regional division (``national_wijken``, ``national_gemeenten``)
- cities, as replications: a city's buurten selected by gemeente code (``city_buurten``), Rotterdam's wijken
  (Wijkprofiel), Amsterdam's gebieden (BBGA)
- F5 at area level: volunteering by age group and a livability class (``livability_wijken``)
- the Vreewijk case: percentiles among Rotterdam's wijken (``case_percentiles``)
- residents (survey microdata, or the synthetic world's survey) and the resident-level models' variables

Every table keeps its provenance record (``wijkstudie.provenance_of``), so models and figure captions know where
the numbers come from and whether they are real. The models themselves know no study variable: the names live
here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import WijkstudieError
from .findings import NATIONAL, SYNTHETIC_SCOPE
from .join import join_regions
from .loading import load
from .provenance import carry

# --- the national tables --------------------------------------------------------------------------------------

COMPOSITION_YEAR = 2022           # the KWB with tenure for every wijk and gemeente that can be had here
RIVM_YEARS = (2016, 2020)         # the measurements with volunteering (table 50090NED, division 2020)
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


def national_wijken(rivm_year: int = 2020, kwb_year: int = COMPOSITION_YEAR) -> pd.DataFrame:
    """Every wijk of the Netherlands: the KWB composition of ``kwb_year`` and RIVM's estimates of
    ``rivm_year`` (18+), on one regional division with its boundaries (the KWB's division where its wijk
    boundaries can be had, else the latest that can). The join reports are in ``attrs["join_reports"]``.

    Returns a GeoDataFrame with one row per wijk of that division (wijken without residents have no values)."""
    kwb = load("kwb", year=kwb_year, level="wijk")
    boundaries = _boundaries("cbs-wijken", [kwb_year] + [y for y in (2024, 2025, 2023) if y != kwb_year])
    table, kwb_report = join_regions(boundaries, kwb, how="left")
    table, rivm_reports = _with_rivm(table, rivm_year, "wijk")
    table.attrs["join_reports"] = [str(kwb_report)] + rivm_reports
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


def national_models(table: pd.DataFrame, formula: str) -> dict:
    """The national models of one formula on a table of wijken: weighted least squares (by population, robust
    errors) and a multilevel model of wijken within gemeenten (the spatial error model is notebook 06's)."""
    from .models import area_regression, multilevel

    data = complete(table, formula + " + population + gemeente_code")
    return {"weighted regression": area_regression(formula, data, weights="population"),
            "multilevel, wijken in gemeenten": multilevel(formula, data, group="gemeente_code")}


def tests_of(finding: str, results: dict, term: str, sign: int, what: str, notebook: str, scope: str,
             use: str = "std_estimate", caveats=()) -> list:
    """One finding test per model of ``results`` ({model name: ModelResult}) for ``term``; ``scope`` is the
    table's (``scope_of``)."""
    from . import findings

    return [findings.from_model(finding, result, term, sign, f"{what} ({name})", use=use, caveats=caveats,
                                notebook=notebook, scope=scope) for name, result in results.items()]


# --- cities, as replications -----------------------------------------------------------------------------------

CITIES = {"Utrecht": "GM0344", "Rotterdam": "GM0599", "Amsterdam": "GM0363"}


NATIONAL_GEMEENTEN = 300  # a table with areas in this many gemeenten covers the country (342-403 since 2016)


def scope_of(table: pd.DataFrame) -> str:
    """The scope of a table's evidence: ``NATIONAL`` when its areas lie in at least ``NATIONAL_GEMEENTEN``
    gemeenten, the gemeente's name and code for one gemeente, the codes for a few; "the synthetic world" for
    synthetic data (which describe no real place); "" (not stated) when the table names no gemeente."""
    from .provenance import provenance_of

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


def rotterdam_wijken(year: int) -> pd.DataFrame:
    """Rotterdam's wijken: Wijkprofiel items of ``year`` (2014 or 2016) with the register context of
    1-1-2015 (tenure, households, students, age, origin), joined on Rotterdam's area number."""
    profile = load("rotterdam-wijkprofiel", year=year)
    context = load("rotterdam-wijkprofiel", year=CONTEXT_YEAR, variant="context")
    wijken = profile[profile["area_type"] == "wijk"].merge(
        context[["area_number"] + ROTTERDAM_CONTEXT], on="area_number", how="left", validate="one_to_one")
    return carry(wijken, profile, context)


def amsterdam_gebieden() -> pd.DataFrame:
    """Amsterdam's gebieden, one row per gebied and year (2001-2018), from the BBGA."""
    bbga = load("amsterdam-bbga")
    gebieden = bbga[bbga["region_code"].str.match(r"^DX\d\d$")].reset_index(drop=True)
    return carry(gebieden, bbga)


def national(level: str = "buurt") -> pd.DataFrame:
    """Every buurt (or wijk, gemeente) with RIVM 2020 participation and the KWB 2017 covariates, on the codes
    that match between the 2017 and 2020 divisions (buurten cannot be harmonised without buurt boundaries of
    both years; the join report says how many match)."""
    rivm = load("rivm-gezondheid", year=2020, variant="18+", level=level)
    kwb = load("kwb", year=2017, level=level)
    joined, report = join_regions(rivm, kwb.drop(columns=["year", "region_name"]))
    joined.attrs["join_report"] = str(report)
    return joined


# --- F5 at area level: volunteering by age group in neighbourhoods with livability problems ------------------

PROBLEM_CLASS = 4   # Leefbaarometer classes 1-4 (zwak and worse) count as livability problems
PROBLEM_SHARE = 0.2  # the proxy: the fifth of the areas that score worst
LEEFBAAROMETER_NAME = f"Leefbaarometer classes 1-{PROBLEM_CLASS}"
PROXY_NAME = "proxy: worst fifth on money problems and low incomes"
PROXY_TEXT = ("the fifth of the wijken that score worst on the sum of two standardised open figures published for "
              "every wijk: RIVM's share of adults with difficulty making ends meet and the KWB's share of residents "
              "in the lowest 40 % of incomes. The proxy measures economic deprivation, which often goes with "
              "livability problems; it is not the Leefbaarometer's judgement of livability")


def livability_wijken(rivm_year: int = 2020, kwb_year: int = COMPOSITION_YEAR, origin_year: int = 2017):
    """Every wijk with volunteering of 18+ and 65+ (and 18-64 where it can be had), the age bands and origin
    of its residents, and a livability class.

    The class is the Leefbaarometer's (classes 1-4 count as problems) when its scores can be had, else a proxy
    built from open figures (``PROXY_TEXT``). Origin comes from the KWB of ``origin_year`` (the reconstructed
    KWB 2022 of the offline mirror has none), harmonised onto the same division.

    Returns (table, definition): the table has ``problem`` (0/1), ``livability`` ("problem"/"elsewhere"),
    ``gap_65`` (65+ minus 18+ volunteering, percentage points); ``definition`` is {"name": a short name for
    test labels, "text": the definition and, for the proxy, why the Leefbaarometer could not be used}."""
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
    problem, definition = livability_class(table, rivm_year)
    table["problem"] = problem
    table["livability"] = pd.Series(np.where(problem == 1, "problem", "elsewhere"), index=table.index).where(
        problem.notna())
    return table, definition


def livability_class(table: pd.DataFrame, year: int) -> tuple[pd.Series, dict]:
    """The livability class of every wijk (1 = problems, 0 = elsewhere, NaN = unknown): the Leefbaarometer's
    where its scores of ``year`` can be had, else the proxy. Returns (class, {"name": ..., "text": ...})."""
    try:
        scores = load("leefbaarometer", year=year, variant="wijk")
        joined, _ = join_regions(table[["region_code", "level", "division_year"]],
                                 scores[["region_code", "level", "division_year", "livability_class"]], how="left")
        classes = joined.set_index("region_code")["livability_class"].reindex(table["region_code"]).to_numpy(float)
        problem = pd.Series(np.where(np.isnan(classes), np.nan, (classes <= PROBLEM_CLASS).astype(float)),
                            index=table.index)
        return problem, {"name": f"{LEEFBAAROMETER_NAME} ({year})",
                         "text": f"Leefbaarometer 3 scores of {year}: classes 1-{PROBLEM_CLASS} (zwak, weak, and "
                                 "worse) count as livability problems"}
    except WijkstudieError as exc:
        note = str(exc).split(";")[0]
    z = lambda s: (s - s.mean()) / s.std()  # noqa: E731
    score = z(table["pct_difficulty_making_ends_meet"]) + z(table["pct_low_income"])
    threshold = score.quantile(1 - PROBLEM_SHARE)
    problem = (score >= threshold).astype(float).where(score.notna())
    return problem, {"name": PROXY_NAME,
                     "text": f"{PROXY_TEXT}. The Leefbaarometer, the first choice, cannot be had here ({note})."}


# the tests of F5 at area level: the model and term behind each group the claim names (``predictions`` in
# findings.yaml); the 25-44 band is the closest the open data come to 30-45
F5_AREA_MODELS = {"gap": "gap_65 ~ problem",
                  "shares": "pct_volunteering ~ problem * (pct_non_dutch_origin + pct_age_25_44) + pct_age_65_plus"}
F5_AREA_TERMS = {"age_65_plus": ("gap", "problem", "65+ minus 18+ volunteering"),
                 "non_dutch": ("shares", "problem:pct_non_dutch_origin", "share of non-Dutch origin"),
                 "age_30_44": ("shares", "problem:pct_age_25_44", "share aged 25-44")}
F5_RESIDENT_TERMS = {"age_65_plus": (None, "problem:age_65_plus", "65 and over"),
                     "non_dutch": (None, "problem:non_dutch", "non-Dutch origin"),
                     "age_30_44": (None, "problem:age_30_44", "30-44")}


def f5_area_models(table: pd.DataFrame) -> dict:
    """The area-level models of F5 on a ``livability_wijken`` table, weighted by population (robust errors)."""
    from .models import area_regression

    return {name: area_regression(formula, table, weights="population") for name, formula in F5_AREA_MODELS.items()}


def f5_tests(results, terms: dict, label: str, notebook: str, scope: str = "", caveats=()) -> list:
    """One F5 test per group of the claim, with the sign ``findings.yaml`` predicts for it: ``terms`` maps the
    group to (model name in ``results``, or None for the single model ``results``; term; what is compared)."""
    from . import findings

    tests = []
    for group, prediction in findings.finding("F5")["predictions"].items():
        if group not in terms:
            continue
        name, term, what = terms[group]
        tests.append(findings.from_model("F5", results[name] if name else results, term, prediction["sign"],
                                         f"{label}: {what} x livability problems", use="estimate",
                                         caveats=caveats, notebook=notebook, scope=scope))
    return tests


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

CASE = "Vreewijk"
CASE_CONTEXT = ["pct_volunteering", "pct_lonely", "pct_difficulty_making_ends_meet", "pct_age_65_plus",
                "pct_non_dutch_origin", "pct_low_income"]


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

def case_percentiles(tables: dict, name: str, spec: dict) -> tuple[dict, int]:
    """The case's percentile among its peers per dimension of ``spec`` (the ``case`` entry of a finding) and
    year: the mean of its items' percentiles (the share of peers with a lower value; reversed items count the
    other way). ``tables``: {year: the peers' table}. Returns ({dimension: {year: percentile}}, peers)."""
    from .profiles import percentile

    result, peers = {}, 0
    for dimension, rule in spec["dimensions"].items():
        result[dimension] = {}
        for year in spec["years"]:
            table = tables[year]
            values = [percentile(table, name, item, reverse=item in rule.get("reversed", []))
                      for item in rule["items"]]
            result[dimension][year] = float(np.mean(values))
            peers = max(peers, int(table[rule["items"]].notna().all(axis=1).sum()))
    return result, peers


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


def residence_breakpoint(residents: pd.DataFrame, covariates: str = RESIDENT_CONTROLS):
    """F1: participation against years at the address with a slope change at an estimated breakpoint
    (``models.segmented_logit``), survey-weighted, standard errors clustered by buurt."""
    from .models import segmented_logit

    return segmented_logit(residents, "participates", RESIDENCE, covariates=covariates, weights=RESIDENT_WEIGHT,
                           cluster=RESIDENT_AREA)


def recorded_breakpoint(residents: pd.DataFrame) -> tuple[float, str]:
    """The breakpoint notebook 07 estimated and recorded, when it was estimated on the same kind of data; else
    estimated here the same way (and recorded). Returns (breakpoint, where it came from)."""
    from . import findings
    from .provenance import provenance_of

    kind = provenance_of(residents).kind
    saved = findings.recorded_value(BREAKPOINT)
    if saved and saved["data_kind"] == kind:
        return float(saved["value"]), f"recorded by notebook {saved['notebook']} ({kind} data)"
    fit = residence_breakpoint(residents)
    findings.record_value(BREAKPOINT, fit.extra["breakpoint"], fit.extra["breakpoint_ci"], kind, fit.source,
                          notebook="estimated again")
    return float(fit.extra["breakpoint"]), f"estimated here, as notebook 07 does ({kind} data)"
