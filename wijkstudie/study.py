"""Analysis tables that several notebooks share: each loads and joins the real sources one way, in one place.

Every table keeps its provenance record (``wijkstudie.provenance_of``), so models and figure captions know where
the numbers come from and whether they are real.
"""

from __future__ import annotations

import pandas as pd

from .join import join_regions
from .loading import load
from .provenance import carry

ROTTERDAM_CONTEXT = ["population", "n_households", "pct_owner_occupied", "pct_social_rent",
                     "pct_single_person_households", "pct_students", "pct_age_65_plus", "pct_non_dutch_origin",
                     "pct_non_western", "density"]


def rotterdam_wijken(year: int) -> pd.DataFrame:
    """Rotterdam's 71 wijken: Wijkprofiel items of ``year`` (2014 or 2016) with the register context of
    1-1-2015 (tenure, households, students, age, origin), joined on Rotterdam's area number."""
    profile = load("rotterdam-wijkprofiel", year=year)
    context = load("rotterdam-wijkprofiel", variant="context")
    wijken = profile[profile["area_type"] == "wijk"].merge(
        context[["area_number"] + ROTTERDAM_CONTEXT], on="area_number", how="left", validate="one_to_one")
    return carry(wijken, profile, context)


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
    return carry(gebieden, bbga)


def national(level: str = "buurt") -> pd.DataFrame:
    """Every buurt (or wijk, gemeente) with RIVM 2020 participation and the KWB 2017 covariates, on the codes
    that match between the 2017 and 2020 divisions (the join report says how many)."""
    rivm = load("rivm-gezondheid", year=2020, variant="18+", level=level)
    kwb = load("kwb", year=2017, level=level)
    joined, report = join_regions(rivm, kwb.drop(columns=["year", "division_year", "region_name"]))
    joined.attrs["join_report"] = str(report)
    return joined


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


# --- residents (survey microdata, or the synthetic world's survey) ------------------------------------------

RESIDENT_CONTROLS = "C(tenure) + C(household_type) + C(age_group) + C(origin)"
RESIDENCE = "years_at_address"     # years at the current address
RESIDENT_WEIGHT = "weight"          # survey weights
RESIDENT_AREA = "buurt_code"        # the buurt of each resident: clusters and multilevel groups
BREAKPOINT = "F1 breakpoint"        # the name under which notebook 07 records the breakpoint


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
