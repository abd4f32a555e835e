"""Reproduce published figures from the data: RIVM's gemeente and national volunteering from its buurten.

RIVM publishes buurt, gemeente and national estimates in one file. Weighting the buurt estimates by
population (KWB 2017, on the buurten whose codes match between the 2017 and 2020 divisions) must give back
the published gemeente figures for most gemeenten, and the national 24.6 %.
"""

import numpy as np
import pytest

import wijkstudie as ws

TOLERANCE = 0.5  # percentage points


@pytest.fixture
def matched(mirror):
    rivm = ws.load("rivm-gezondheid", year=2020, age_group="18+")
    kwb = ws.load("kwb", year=2017, level="buurt")[["region_code", "population"]]
    buurten, report = ws.join_regions(rivm[rivm["level"] == "buurt"], kwb)
    return rivm, buurten, report


def test_buurt_codes_match_mostly_across_divisions(matched):
    _, _, report = matched
    assert report.matched > 11000
    assert report.left_only > 0  # the 2017 and 2020 divisions differ, and the report says so


def test_weighted_buurten_give_the_published_gemeente_figures(matched):
    rivm, buurten, _ = matched
    computed = ws.weighted_mean_by(buurten, "pct_volunteering", "population", by="gemeente_code")
    published = rivm[rivm["level"] == "gemeente"].set_index("region_code")["pct_volunteering"]
    diff = (computed["pct_volunteering"] - published.reindex(computed.index)).dropna().abs()
    print(
        f"\n{len(diff)} gemeenten: median |diff| {diff.median():.3f} pp, worst {diff.max():.2f} pp "
        f"({diff.idxmax()}), within {TOLERANCE} pp: {(diff <= TOLERANCE).mean():.1%}"
    )
    assert len(diff) > 300
    assert (diff <= TOLERANCE).mean() > 0.9
    assert diff.median() < 0.1


def test_weighted_buurten_give_the_published_national_figure(matched):
    rivm, buurten, _ = matched
    ok = buurten.dropna(subset=["pct_volunteering", "population"])
    national = np.average(ok["pct_volunteering"], weights=ok["population"])
    published = rivm.loc[rivm["level"] == "land", "pct_volunteering"].item()
    assert published == 24.6
    assert abs(national - published) < TOLERANCE
