"""Resident-level group contrasts from CBS's one-way tables (study/contrasts.py): a group against the other groups of
its characteristic year by year, its standard error from the published bounds, the years pooled (HKSJ)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from wijkstudie.core.errors import DataNotFoundError
from wijkstudie.models import pooled_estimate
from wijkstudie.study.contrasts import group_contrasts, pooled_contrast

VAR = "pct_volunteering_neighbourhood"


def long_table(values: dict, half_widths: dict, *, category="Leeftijd", missing=()) -> pd.DataFrame:
    """A StatLine table in long form: {year: {group: value}}, each with the interval value ± half_widths[group];
    (year, group) pairs in ``missing`` have no bounds. A row of another characteristic and of another variable that
    must be ignored."""
    rows = []
    for year, groups in values.items():
        for group, value in groups.items():
            h = half_widths[group]
            lower, upper = (np.nan, np.nan) if (year, group) in missing else (value - h, value + h)
            rows.append(
                dict(year=year, category=category, group=group, variable=VAR, value=value, lower=lower, upper=upper)
            )
        rows.append(dict(year=year, category="Geslacht", group="mannen", variable=VAR, value=99.0, lower=98, upper=100))
        rows.append(
            dict(year=year, category=category, group="young", variable="other", value=-50.0, lower=-51, upper=-49)
        )
    return pd.DataFrame(rows)


VALUES = {
    2020: {"young": 2.0, "middle": 6.0, "old": 8.0},
    2021: {"young": 3.0, "middle": 5.0, "old": 9.0},
    2022: {"young": 1.0, "middle": 7.0, "old": 7.0},
}
HALF = {"young": 0.98, "middle": 1.96, "old": 0.392}  # se = 0.5, 1.0, 0.2 (bounds are 95 % intervals)


def test_contrast_and_its_standard_error_from_the_bounds():
    out = group_contrasts(long_table(VALUES, HALF), variable=VAR, category="Leeftijd", group="young")
    assert out["year"].tolist() == [2020, 2021, 2022]
    assert out["contrast"].tolist() == pytest.approx([2.0 - 7.0, 3.0 - 7.0, 1.0 - 7.0])
    assert out["others_value"].tolist() == pytest.approx([7.0, 7.0, 7.0])
    assert out["n_others"].tolist() == [2, 2, 2]
    se = lambda h: 2 * h / 3.92  # noqa: E731  (upper - lower) / 3.92
    expected = math.sqrt(se(0.98) ** 2 + (se(1.96) ** 2 + se(0.392) ** 2) / 4)
    assert out["std_error"].tolist() == pytest.approx([expected] * 3, rel=1e-4)


def test_a_group_given_as_a_list_is_the_mean_of_its_bands():
    out = group_contrasts(long_table(VALUES, HALF), variable=VAR, category="Leeftijd", group=["middle", "old"])
    assert out["group_value"].tolist() == pytest.approx([7.0, 7.0, 7.0])
    assert out["contrast"].tolist() == pytest.approx([5.0, 4.0, 6.0])
    se = lambda h: 2 * h / 3.92  # noqa: E731
    expected = math.sqrt((se(1.96) ** 2 + se(0.392) ** 2) / 4 + se(0.98) ** 2)
    assert out["std_error"].iloc[0] == pytest.approx(expected, rel=1e-4)


def test_missing_bounds_drop_the_year():
    mine = group_contrasts(
        long_table(VALUES, HALF, missing={(2020, "young")}), variable=VAR, category="Leeftijd", group="young"
    )
    assert mine["year"].tolist() == [2021, 2022]
    with pytest.raises(DataNotFoundError, match="no year with published bounds"):
        group_contrasts(
            long_table(VALUES, HALF, missing={(y, "young") for y in VALUES}),
            variable=VAR,
            category="Leeftijd",
            group="young",
        )


def test_an_other_group_without_bounds_leaves_the_others_of_that_year():
    # as 85541NED's "overig lid" in 2023: the year stays, against the other groups that have bounds
    out = group_contrasts(
        long_table(VALUES, HALF, missing={(2021, "old")}), variable=VAR, category="Leeftijd", group="young"
    )
    assert out["year"].tolist() == [2020, 2021, 2022]
    assert out["n_others"].tolist() == [2, 1, 2]
    assert out["contrast"].iloc[1] == pytest.approx(3.0 - 5.0)
    assert out["std_error"].iloc[1] == pytest.approx(math.sqrt(0.5**2 + 1.0**2), rel=1e-4)


def test_an_unknown_group_is_an_error_naming_the_groups():
    with pytest.raises(
        DataNotFoundError, match=r"no group students under 'Leeftijd' \(groups: middle, old, young\)"
    ) as caught:
        group_contrasts(long_table(VALUES, HALF), variable=VAR, category="Leeftijd", group="students")
    assert "\n" not in str(caught.value)


def test_pooled_contrast_is_the_hksj_random_effects_estimate():
    out = group_contrasts(long_table(VALUES, HALF), variable=VAR, category="Leeftijd", group="young")
    pooled = pooled_contrast(out)
    reference = pooled_estimate(out["contrast"].tolist(), out["std_error"].tolist(), interval="hksj")
    for key in ("estimate", "std_error", "ci_low", "ci_high", "p_value", "tau2", "i2", "k"):
        assert pooled[key] == pytest.approx(reference[key])
    assert pooled["years"] == [2020, 2021, 2022]
    # the same standard error each year: the pooled estimate is the mean contrast
    assert pooled["estimate"] == pytest.approx(-5.0)
    assert pooled["ci_low"] < -5.0 < pooled["ci_high"]


@pytest.mark.usefixtures("mirror")
def test_real_85541NED_15_to_25_volunteer_less_for_their_neighbourhood():
    from wijkstudie.study.samples import residents_sample

    table = residents_sample().table
    out = group_contrasts(table, variable=VAR, category="Leeftijd", group="15 tot 25 jaar")
    assert out["year"].min() == 2012 and len(out) >= 12  # 2012-2023, one row per year
    assert (out["n_others"] == 6).all()  # the six other age bands
    assert (out["contrast"] < 0).all()
    pooled = pooled_contrast(out)
    assert -4.5 < pooled["estimate"] < -2.5  # about -3.3 percentage points
    assert pooled["ci_high"] < 0
    assert pooled["k"] == len(out)


def test_against_the_total_compares_the_group_with_everyone():
    table = long_table(VALUES, HALF)
    total = pd.DataFrame(
        [
            dict(year=y, category="Totaal", group="Totaal", variable=VAR, value=5.0, lower=4.804, upper=5.196)
            for y in VALUES
        ]
    )
    out = group_contrasts(pd.concat([table, total]), variable=VAR, category="Leeftijd", group="young", against="total")
    assert out["contrast"].tolist() == pytest.approx([2.0 - 5.0, 3.0 - 5.0, 1.0 - 5.0])
    assert out["std_error"].tolist() == pytest.approx([math.hypot(0.5, 0.1)] * 3, rel=1e-3)
    assert (out["n_others"] == 1).all()
