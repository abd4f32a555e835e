"""F5, groups in neighbourhoods with livability problems.

Every wijk's 65+ and 18+ volunteering by livability class (RIVM's model-based figures: model-implied), and the
resident-level model of each group's interaction with the class.
"""

from __future__ import annotations

import pandas as pd

from ..core.errors import ArgumentError, DataNotFoundError, DownloadError
from ..core.provenance import carry
from ..data.join import join_regions
from ..data.loading import load
from . import findings as fd
from .designs import model_spec
from .evidence import classified_here
from .findings import RIVM_YEARS
from .livability import PROBLEM_SHARE, livability_class, with_livability
from .national import COMPOSITION_YEAR, _cluster_of, national_wijken
from .scope import scope_of


def livability_wijken(
    rivm_year: int = 2020, kwb_year: int = COMPOSITION_YEAR, origin_year: int = 2017, *, share: float = PROBLEM_SHARE
):
    """Every wijk with volunteering of 18+ and 65+ (and 18-64 where it can be had).

    The age bands and origin of its residents, and a livability class (``livability_class``: the Leefbaarometer's, or
    the proxy with the worst ``share`` of the wijken). Origin comes from the KWB of ``origin_year`` (the reconstructed
    KWB 2022 of the offline mirror has none), harmonised onto the same division.

    Parameters
    ----------
    rivm_year : int
        the year of RIVM's estimates (18+, 65+ and 18-64) and of the Leefbaarometer scores tried (2020 by default)
    kwb_year : int
        the KWB year of the composition (``COMPOSITION_YEAR`` by default; ``national_wijken``)
    origin_year : int
        the KWB year the origin shares come from (2017 by default); when it cannot be had, the table keeps the
        origin of ``kwb_year``, if any
    share : float
        the proxy's cut-off: the worst share of the wijken (``PROBLEM_SHARE`` by default)

    Returns
    -------
    tuple
        (table, definition): the table has ``problem`` (0/1), ``livability`` ("problem"/"elsewhere"),
        ``gap_65`` (65+ minus 18+ volunteering, percentage points); ``definition`` is {"name", "text",
        "built_from"}.
    """
    table = national_wijken(rivm_year, kwb_year)
    division = int(table["division_year"].dropna().iloc[0])
    for variant, name in (("65+", "pct_volunteering_65_plus"), ("18-64", "pct_volunteering_18_64")):
        try:
            rivm = load("rivm-gezondheid", year=rivm_year, age_group=variant, level="wijk", division=division)
        except (ArgumentError, DataNotFoundError, DownloadError):  # an age group the year lacks, or not here
            continue
        part = rivm[["region_code", "pct_volunteering"]].rename(columns={"pct_volunteering": name})
        table = carry(table.merge(part, on="region_code", how="left"), table, rivm)
    try:
        origin = load("kwb", year=origin_year, level="wijk")[
            ["region_code", "level", "division_year", "pct_non_dutch_origin"]
        ]
        table, _ = join_regions(table.drop(columns=["pct_non_dutch_origin"], errors="ignore"), origin, how="left")
    except (DataNotFoundError, DownloadError):  # origin not here: the tests that need it say so (a damaged file raises)
        pass
    if "pct_volunteering_65_plus" not in table:
        raise DataNotFoundError(f"rivm-gezondheid {rivm_year} (65+) cannot be had here: no test of older residents")
    table["gap_65"] = table["pct_volunteering_65_plus"] - table["pct_volunteering"]
    problem, definition = livability_class(table, rivm_year, share)
    return with_livability(table, problem), definition


def f5_tables(years=RIVM_YEARS, shares=None) -> dict:
    """``livability_wijken`` for every RIVM year and every proxy cut-off of ``problem_shares`` (findings.yaml).

    The national table built once per year: {(year, share): (table, definition)}. With the Leefbaarometer the class has
    no cut-off, and only the default share is kept.

    Parameters
    ----------
    years : iterable of int
        the RIVM years (``RIVM_YEARS`` by default)
    shares : list of float, optional
        the proxy's cut-offs (by default F5's ``problem_shares`` in findings.yaml); the default share
        (``PROBLEM_SHARE``) is always made

    Returns
    -------
    dict
        {(year, share): (table, definition)}, sorted by year and share
    """
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


F5_AREA_MODELS = ("area gap", "area shares")  # F5's models of every wijk (findings.yaml ``models``)


def f5_area_models(table: pd.DataFrame) -> dict:
    """The area-level models of F5 (findings.yaml, F5 ``models``: ``F5_AREA_MODELS``) on a ``livability_wijken`` table.

    Weighted by population (errors clustered by the RIVM wijk each row took its figures from).

    Parameters
    ----------
    table : DataFrame
        a ``livability_wijken`` table; the errors are clustered by ``SOURCE_UNIT`` when it has that column with
        values, else they are robust (HC3)

    Returns
    -------
    dict
        {model name: ModelResult} of ``area_regression`` for each model of ``F5_AREA_MODELS``
    """
    from ..models import area_regression

    cluster = _cluster_of(table)
    specs = [model_spec("F5", name) for name in F5_AREA_MODELS]
    with classified_here():
        return {s.name: area_regression(s.formula(), table, weights=s.weights, cluster=cluster) for s in specs}


def f5_tests(
    results: dict,
    label_text: str,
    *,
    notebook: str,
    scope: str = "",
    spec: str = "",
    built_from: dict | None = None,
) -> list:
    """One F5 test per part of the claim (``parts`` in findings.yaml, each with its own direction, or none).

    The term that tests it in the model of ``results`` whose specification names it (findings.yaml, F5 ``models``:
    ``tests``).

    Parameters
    ----------
    results : dict
        {model name: ModelResult}: ``f5_area_models``, or ``{"residents": the residents' model}``; parts none of
        them tests get no test
    label_text : str
        the start of every test's label, e.g. "All wijken, RIVM 2020 (...)"
    notebook : str
        the notebook that makes the tests
    scope : str
        the scope of the data (``scope_of``)
    spec : str
        what distinguishes this specification (e.g. a proxy's other cut-off); "" for the main one
    built_from : dict, optional
        {column: the variables it is made from}, e.g. ``{"problem": definition["built_from"]}``

    Returns
    -------
    list of FindingTest
        one per part in ``terms``, on the model's own scale (``use="estimate"``)
    """
    tested = {
        part: (name, *model_spec("F5", name).tested[part]) for name in results for part in model_spec("F5", name).tested
    }
    tests = []
    for part in fd.finding("F5")["parts"]:
        if part not in tested:
            continue
        name, term, what = tested[part]
        tests.append(
            fd.from_model(
                "F5",
                results[name],
                term,
                part=part,
                use="estimate",
                label=f"{label_text}: {what} x livability problems",
                notebook=notebook,
                scope=scope,
                spec=spec,
                built_from=built_from,
            )
        )
    return tests


def f5_area_tests(tables: dict, notebook: str) -> list:
    """The area-level F5 tests for every RIVM year and every proxy cut-off of ``problem_shares`` (findings.yaml).

    ``tables`` is {(year, share): (livability_wijken table, definition)}. The default cut-off is the main specification;
    the others show its sensitivity.

    Parameters
    ----------
    tables : dict
        ``f5_tables``
    notebook : str
        the notebook that makes the tests

    Returns
    -------
    list of FindingTest
        ``f5_tests`` of each table's ``f5_area_models``
    """
    tests = []
    for (year, share), (table, definition) in tables.items():
        tests += f5_tests(
            f5_area_models(table),
            f"All wijken, RIVM {year} ({definition['name']})",
            notebook=notebook,
            scope=scope_of(table),
            spec="" if share == PROBLEM_SHARE else definition["name"],
            built_from={"problem": definition["built_from"]},
        )
    return tests


def f5_main_tables(tables: dict) -> dict:
    """{year: table} of ``f5_tables`` at the default cut-off.

    Parameters
    ----------
    tables : dict
        ``f5_tables``: {(year, share): (table, definition)}

    Returns
    -------
    dict
        {year: table} for the share ``PROBLEM_SHARE``
    """
    return {year: table for (year, share), (table, _) in tables.items() if share == PROBLEM_SHARE}


def f5_gaps(tables: dict) -> pd.DataFrame:
    """The population-weighted 65+ minus 18+ volunteering gap per livability class and RIVM year (``group_gap``).

    Labelled for ``plotting.interval_figure``.

    Parameters
    ----------
    tables : dict
        {RIVM year: ``livability_wijken`` table} (``f5_main_tables``)

    Returns
    -------
    DataFrame
        one row per year and class: ``measurement`` ("RIVM <year>"), ``livability``, ``mean``, ``ci_low``,
        ``ci_high``, ``n`` and ``areas`` (the label: class, measurement and n)
    """
    gaps = pd.concat(
        {f"RIVM {year}": group_gap(table) for year, table in tables.items()}, names=["measurement"]
    ).reset_index()
    gaps["areas"] = gaps["livability"] + " (" + gaps["measurement"] + ", n = " + gaps["n"].astype(str) + ")"
    return gaps


def group_gap(
    table: pd.DataFrame, column: str = "gap_65", by: str = "livability", *, weights: str = "population"
) -> pd.DataFrame:
    """The population-weighted mean of ``column`` per class with its 95 % interval.

    (an intercept-only weighted least squares fit within each class, robust errors, so each class has its own variance):
    the table behind the F5 figure.

    Parameters
    ----------
    table : DataFrame
        one row per area (e.g. ``livability_wijken``); rows missing ``column``, ``by`` or ``weights`` are left out
    column : str
        the variable averaged (``gap_65`` by default)
    by : str
        the class column (``livability`` by default)
    weights : str
        the weight column (``population`` by default)

    Returns
    -------
    DataFrame
        indexed by the class: ``mean``, ``ci_low``, ``ci_high`` and ``n`` (the areas used)
    """
    from ..models import area_regression

    rows = []
    for name, part in table.dropna(subset=[column, by, weights]).groupby(by):
        fit = area_regression(f"{column} ~ 1", part, weights=weights)
        row = fit.term("Intercept")
        rows.append({by: name, "mean": row["estimate"], "ci_low": row["ci_low"], "ci_high": row["ci_high"], "n": fit.n})
    return pd.DataFrame(rows).set_index(by)
