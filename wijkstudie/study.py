"""Analysis tables that several notebooks share: each loads and joins the real sources one way, in one place.

Every table keeps ``attrs["sources"]`` (dataset, year), so models and figure captions know where the numbers
come from.
"""

from __future__ import annotations

import pandas as pd

from .api import load
from .join import join_regions, sources_of

ROTTERDAM_CONTEXT = ["population", "n_households", "pct_owner_occupied", "pct_social_rent",
                     "pct_single_person_households", "pct_students", "pct_age_65_plus", "pct_non_dutch_origin",
                     "pct_non_western", "density"]


def _with_sources(frame: pd.DataFrame, *tables) -> pd.DataFrame:
    """Keep the (dataset, year) of every table the frame was made from, so real and synthetic stay apart."""
    sources = []
    for table in tables:
        sources += [s for s in sources_of(table) if s not in sources]
    frame.attrs = {"sources": sources}
    return frame


def rotterdam_wijken(year: int) -> pd.DataFrame:
    """Rotterdam's 71 wijken: Wijkprofiel items of ``year`` (2014 or 2016) with the register context of
    1-1-2015 (tenure, households, students, age, origin), joined on Rotterdam's area number."""
    profile = load("rotterdam-wijkprofiel", year=year)
    context = load("rotterdam-wijkprofiel", variant="context")
    wijken = profile[profile["area_type"] == "wijk"].merge(
        context[["area_number"] + ROTTERDAM_CONTEXT], on="area_number", how="left", validate="one_to_one")
    return _with_sources(wijken, profile, context)


def utrecht_buurten() -> pd.DataFrame:
    """Utrecht's buurten: KWB 2023 composition joined to RIVM 2020 participation and loneliness (18+)."""
    kwb = load("kwb", year=2023, level="buurt")
    rivm = load("rivm-gezondheid", year=2020, variant="18+", level="buurt")
    joined, _ = join_regions(kwb, rivm[["region_code", "pct_volunteering", "pct_informal_carer", "pct_lonely"]])
    return joined


def amsterdam_gebieden() -> pd.DataFrame:
    """Amsterdam's 22 gebieden, one row per gebied and year (2001-2018), from the BBGA."""
    bbga = load("amsterdam-bbga")
    gebieden = bbga[bbga["region_code"].str.match(r"^DX\d\d$")].reset_index(drop=True)
    return _with_sources(gebieden, bbga)


def national(level: str = "buurt") -> pd.DataFrame:
    """Every buurt (or wijk, gemeente) with RIVM 2020 participation and the KWB 2017 covariates, on the codes
    that match between the 2017 and 2020 divisions (the join report says how many)."""
    rivm = load("rivm-gezondheid", year=2020, variant="18+", level=level)
    kwb = load("kwb", year=2017, level=level)
    joined, report = join_regions(rivm, kwb.drop(columns=["year", "division_year", "region_name"]))
    joined.attrs["join_report"] = str(report)
    return joined
