"""Every wijk and gemeente of the Netherlands.

The KWB composition with RIVM's participation estimates, moved onto one regional division, and the national models and
tests of F2 and F3. RIVM's figures are model-based small-area estimates whose model uses the composition tested here, so
these tests are model-implied (``wijkstudie.study.evidence``): shown, never counted.
"""

from __future__ import annotations

import pandas as pd

from ..core.errors import DataNotFoundError, DownloadError
from ..data.derived import derived_table
from ..data.join import join_regions
from ..data.loading import load
from ..data.reports import JOINS
from ..data.variables import label
from . import findings as fd
from .designs import model_spec
from .evidence import classified_here
from .livability import livability_class, with_livability

COMPOSITION_YEAR = 2022  # the KWB with tenure for every wijk and gemeente that can be had here


RIVM_DIVISION = 2020  # the division of the measurements of RIVM_YEARS (findings.yaml rivm_waves)


SOURCE_UNIT = f"source_code_{RIVM_DIVISION}"  # the RIVM area a harmonised area took its figures from


RIVM_COLUMNS = ["pct_volunteering", "pct_informal_carer", "pct_lonely", "pct_difficulty_making_ends_meet"]


def _boundaries(dataset: str, years) -> pd.DataFrame:
    """The boundaries of the first of ``years`` that can be had here."""
    problems = []
    for year in years:
        try:
            return load(dataset, year=year)
        except (DataNotFoundError, DownloadError) as exc:  # not here: the next year; a damaged file is an error
            problems.append(exc.first_clause)
    raise DataNotFoundError(f"{dataset}: none of {', '.join(map(str, years))} can be had ({problems[0]})")


def _with_rivm(table: pd.DataFrame, rivm_year: int, level: str, columns=RIVM_COLUMNS) -> pd.DataFrame:
    """The table left-joined with RIVM's estimates of ``rivm_year`` (18+); the join is recorded in its attrs."""
    rivm = load("rivm-gezondheid", year=rivm_year, age_group="18+", level=level)
    keep = ["region_code", "level", "division_year"] + [c for c in columns if c in rivm]
    joined, _ = join_regions(table, rivm[keep], how="left")
    joined["year"] = rivm_year  # the year of the outcome: the composition year is in the provenance
    return joined


@derived_table()
def national_wijken(rivm_year: int = 2020, kwb_year: int = COMPOSITION_YEAR, livability: bool = False) -> pd.DataFrame:
    """Every wijk of the Netherlands.

    The KWB composition of ``kwb_year`` and RIVM's estimates of ``rivm_year`` (18+), on one regional division with its
    boundaries (the KWB's division where its wijk boundaries can be had, else the latest that can). The join reports are
    in ``attrs["join_reports"]``; a wijk of 2020 that was split gives its RIVM figures to every part, and
    ``SOURCE_UNIT`` names it (the national models cluster their errors by it).

    With ``livability``, the table gets the livability class of every wijk (``livability_class``) as ``problem``
    and ``livability``, and its definition in ``attrs["livability"]``.

    Parameters
    ----------
    rivm_year : int
        the year of RIVM's estimates (2020 by default; the study's are ``RIVM_YEARS``, findings.yaml ``rivm_waves``)
    kwb_year : int
        the KWB year of the composition (``COMPOSITION_YEAR`` by default)
    livability : bool
        whether to add the livability class (False by default)

    Returns
    -------
    GeoDataFrame
        one row per wijk of that division (wijken without residents have no values); ``year`` is ``rivm_year``
    """
    kwb = load("kwb", year=kwb_year, level="wijk")
    boundaries = _boundaries("cbs-wijken", [kwb_year] + [y for y in (2024, 2025, 2023) if y != kwb_year])
    table, _ = join_regions(boundaries, kwb, how="left")
    table = _with_rivm(table, rivm_year, "wijk")  # attrs["join_reports"]: both joins, as join_regions keeps them
    if livability:
        problem, definition = livability_class(table, rivm_year)
        reports = table.attrs[JOINS]
        table = with_livability(table, problem)
        table.attrs.update({JOINS: reports, "livability": definition})
    return table


@derived_table()
def national_gemeenten(rivm_year: int = 2020, kwb_year: int = COMPOSITION_YEAR) -> pd.DataFrame:
    """Every gemeente of the Netherlands.

    KWB composition and RIVM estimates on the gemeenten of ``kwb_year`` (with their boundaries where they can be had).

    Parameters
    ----------
    rivm_year : int
        the year of RIVM's estimates (2020 by default)
    kwb_year : int
        the KWB year of the composition and of the boundaries (``COMPOSITION_YEAR`` by default)

    Returns
    -------
    DataFrame
        one row per gemeente (a GeoDataFrame when the boundaries can be had); ``year`` is ``rivm_year``, the join
        reports are in ``attrs["join_reports"]``
    """
    kwb = load("kwb", year=kwb_year, level="gemeente")
    try:
        boundaries = load("cbs-gemeenten", year=kwb_year)
    except (DataNotFoundError, DownloadError):  # without boundaries: the table alone (a damaged file is an error)
        table = kwb
    else:
        table, _ = join_regions(boundaries, kwb, how="left")
    return _with_rivm(table, rivm_year, "gemeente")  # attrs["join_reports"]: the joins, as join_regions keeps them


def has_households(table: pd.DataFrame) -> bool:
    """Whether a KWB table holds household composition.

    (the reconstructed KWB 2022 of the offline mirror does not; the CBS workbooks and open-data tables do).

    Parameters
    ----------
    table : DataFrame
        a table of areas

    Returns
    -------
    bool
        True when more than half of its rows have ``pct_single_person_households``
    """
    return "pct_single_person_households" in table and table["pct_single_person_households"].notna().mean() > 0.5


def young_terms(table: pd.DataFrame) -> list[str]:
    """The F2 predictors of its national model (findings.yaml, F2 ``models: national``) the table holds.

    Single-person households where it has them (``has_households``), and the 15-24 share (the closest the KWB comes to
    students).

    Parameters
    ----------
    table : DataFrame
        a table of areas (``national_wijken``)

    Returns
    -------
    list of str
        the declared terms, ``pct_single_person_households`` only when ``has_households``
    """
    terms = model_spec("F2", "national").terms
    return [t for t in terms if t != "pct_single_person_households" or has_households(table)]


def complete(table: pd.DataFrame, formula: str) -> pd.DataFrame:
    """The rows with every variable of ``formula`` (keeps the provenance).

    Parameters
    ----------
    table : DataFrame
        the rows
    formula : str
        a formula whose variables are separated by ``~``, ``+`` or spaces: a column written inside a function
        call, an ``a:b`` interaction or parentheses (``C(year)``, ``a:b``, ``(b + c)``) is not recognised

    Returns
    -------
    DataFrame
        the rows without a missing value in the table's columns named in the formula
    """
    names = [c for c in table.columns if c in formula.replace("~", " ").replace("+", " ").split()]
    return table.dropna(subset=names)


def _cluster_of(table: pd.DataFrame) -> str | None:
    """The column to cluster errors by when harmonisation copied split areas' values: ``SOURCE_UNIT``."""
    return SOURCE_UNIT if SOURCE_UNIT in table and table[SOURCE_UNIT].notna().any() else None


def national_models(table: pd.DataFrame, formula: str) -> dict:
    """The national models of one formula on a table of wijken (or gemeenten).

    Weighted least squares (by population; errors clustered by the RIVM area each row took its figures from, since a
    split area's figures were copied into its parts) and a multilevel model of areas within gemeenten (the spatial error
    model is notebook 06's); the weighted regression again on the wijken without livability problems
    (``with_livability``), the areas the claims speak of.

    Parameters
    ----------
    table : DataFrame
        ``national_wijken`` or ``national_gemeenten``: the formula's columns, ``population``, ``gemeente_code`` and,
        optionally, ``SOURCE_UNIT`` and ``problem``
    formula : str
        e.g. ``model_spec("F3", "national").formula()``

    Returns
    -------
    dict
        {model name: ModelResult}: "weighted regression"; "multilevel, areas in gemeenten" when a gemeente has
        several rows (not for a table of gemeenten); "weighted regression, positive livability" when the table has
        ``problem``
    """
    from ..models import area_regression, multilevel

    cluster = _cluster_of(table)
    data = complete(table, formula + " + population" + (f" + {cluster}" if cluster else ""))
    with classified_here():
        results = {"weighted regression": area_regression(formula, data, weights="population", cluster=cluster)}
        if data["gemeente_code"].nunique() < len(data):
            results["multilevel, areas in gemeenten"] = multilevel(formula, data, group="gemeente_code")
        if "problem" in table:
            positive = data[data["problem"] == 0]
            results["weighted regression, positive livability"] = area_regression(
                formula, positive, weights="population", cluster=cluster
            )
    return results


def national_results(tables: dict, formula: str) -> dict:
    """``national_models`` of one formula on each table of ``tables`` ({RIVM year: table}), keyed (year, model).

    Parameters
    ----------
    tables : dict
        {RIVM year: ``national_wijken`` or ``national_gemeenten`` table}
    formula : str
        the formula of every model

    Returns
    -------
    dict
        {(year, model name): ModelResult}
    """
    return {
        (year, name): result
        for year, table in tables.items()
        for name, result in national_models(table, formula).items()
    }


def national_tests(
    finding: str, results: dict, term: str, *, scope: str, notebook: str, what: str, built_from: dict | None = None
) -> list:
    """One finding test per national model (``results``: {(RIVM year, model name): ModelResult}) of ``term``.

    ``what`` says which areas (e.g. "All wijken"). The test says its areas (all, or positive livability).

    Parameters
    ----------
    finding : str
        e.g. ``"F3"``
    results : dict
        ``national_results``
    term : str
        the tested term
    scope : str
        the scope of the data (``scope_of``)
    notebook : str
        the notebook that makes the tests
    what : str
        the start of every label
    built_from : dict, optional
        {column: the variables it is made from}, e.g. for ``problem``

    Returns
    -------
    list of FindingTest
        one per model, its ``spec`` the model's name (standardised estimates)
    """
    tests = []
    for (year, name), result in results.items():
        areas = "positive livability" if name.endswith("positive livability") else "all areas"
        tests.append(
            fd.from_model(
                finding,
                result,
                term,
                label=f"{what}, RIVM {year}: {label(term).lower()} -> "
                f"{label(fd.outcome_of_formula(result.formula)).lower()} ({name})",
                notebook=notebook,
                scope=scope,
                areas=areas,
                spec=name,
                built_from=built_from,
            )
        )
    return tests
