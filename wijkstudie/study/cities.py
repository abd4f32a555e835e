"""The cities' tables.

Rotterdam's wijken in the Wijkprofiel with their register context, Amsterdam's gebieden in the BBGA, a gemeente's
buurten (Utrecht's) in the KWB and RIVM's estimates, and the scatter panels the notebooks draw of them. The samples
built from them and their specifications are declared in findings.yaml (``study.samples``, ``study.designs``).
"""

from __future__ import annotations

import warnings

import pandas as pd

from ..core.errors import DataNotFoundError, WijkstudieWarning
from ..core.provenance import carry
from ..data.join import join_regions
from ..data.loading import load
from ..data.variables import study_variables
from .scope import CASE, CITIES

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


def rotterdam_wijken(year: int) -> pd.DataFrame:
    """Rotterdam's wijken.

    Wijkprofiel items of ``year`` (2014 or 2016) with the register context of 1-1-2015 (tenure, households, students,
    age, origin), joined on Rotterdam's area number, and the cohesion scale (``COHESION``).

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
    """One gemeente's buurten, selected by its code.

    The KWB composition of ``kwb_year`` and RIVM's estimates (18+) of ``rivm_year``. The table says which gemeente it is
    (``scope_of``).

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
    from .national import RIVM_COLUMNS  # here: a notebook of the city samples needs no national table

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


def wave(sample, year: int) -> pd.DataFrame:
    """The rows of one wave of a sample (its provenance kept).

    Parameters
    ----------
    sample : DeclaredSample
        a sample whose table has a ``year`` column
    year : int
        the wave

    Returns
    -------
    DataFrame
        the table's rows of ``year``, with a fresh index
    """
    return carry(sample.table[sample.table["year"] == year].reset_index(drop=True), sample.table)


F1_PANELS = ["pct_know_each_other", "pct_help_each_other", "pct_active_for_neighbourhood", "pct_volunteering"]


def residence_panels(table: pd.DataFrame, outcomes=F1_PANELS, annotate: str = CASE) -> list[dict]:
    """Scatter panels of participation items against the share of long-term residents (``plotting.scatter_panels``).

    The case area named.

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
    """Scatter panels of ``y`` against ``x`` in each city's latest sample that has both.

    (Amsterdam: its latest survey wave), for ``plotting.scatter_panels``.

    Parameters
    ----------
    samples : dict
        {key: DeclaredSample} (``samples.rotterdam_sample`` and the like); the city is the first word of a sample's
        name
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
    latest: dict = {}
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
