"""Minimum detectable effects and power (models.power) against statsmodels' power classes and the textbook value."""

import numpy as np
import pytest
from statsmodels.stats.power import NormalIndPower, TTestPower

from wijkstudie.core.errors import WijkstudieError
from wijkstudie.models.power import detection_power, minimum_detectable_effect


def test_the_normal_minimum_detectable_effect_is_the_textbook_2_8_standard_errors():
    """The textbook's (1.96 + 0.8416) se = 2.8016 se leaves out the far tail's rejections; the exact two-sided value
    is 3.4e-6 se smaller."""
    assert minimum_detectable_effect(1.0, None) == pytest.approx(2.8016, abs=5e-5)
    assert minimum_detectable_effect(0.5, None) == pytest.approx(0.5 * 2.8016, abs=5e-5)
    exact = minimum_detectable_effect(1.0, None)
    assert 0 < (1.959964 + 0.841621) - exact < 1e-5 and detection_power(exact, 1.0, None) == pytest.approx(
        0.8, abs=1e-12
    )


@pytest.mark.parametrize("n", [5, 12, 30, 200])
@pytest.mark.parametrize("alpha, power", [(0.05, 0.8), (0.01, 0.9), (0.10, 0.5)])
def test_the_t_minimum_detectable_effect_is_statsmodels_one_sample_t_test_power(n, alpha, power):
    """A one-sample t test of n observations: effect size d, se = 1 / sqrt(n), df = n - 1. statsmodels' own power
    function gives our effect the required power to 1e-9; its solve_power stops within about 3e-6 of the root (its
    answer's power is off by up to 3e-6 by its own power function), so the effects agree to 1e-5."""
    mde = minimum_detectable_effect(1 / np.sqrt(n), n - 1, alpha=alpha, power=power)
    assert TTestPower().power(mde, n, alpha, alternative="two-sided") == pytest.approx(power, abs=1e-9)
    d = TTestPower().solve_power(effect_size=None, nobs=n, alpha=alpha, power=power, alternative="two-sided")
    assert mde == pytest.approx(float(np.squeeze(d)), abs=1e-5)
    other = TTestPower().power(effect_size=0.4, nobs=n, alpha=alpha, alternative="two-sided")
    assert detection_power(0.4, 1 / np.sqrt(n), n - 1, alpha=alpha) == pytest.approx(other, abs=1e-9)


@pytest.mark.parametrize("n", [8, 50, 400])
@pytest.mark.parametrize("alpha, power", [(0.05, 0.8), (0.005, 0.95)])
def test_the_normal_minimum_detectable_effect_is_statsmodels_normal_power(n, alpha, power):
    """Two groups of n: effect size d with se = sqrt(2 / n)."""
    mde = minimum_detectable_effect(np.sqrt(2 / n), None, alpha=alpha, power=power)
    assert NormalIndPower().power(mde, n, alpha, ratio=1.0) == pytest.approx(power, abs=1e-9)
    d = NormalIndPower().solve_power(effect_size=None, nobs1=n, alpha=alpha, power=power, ratio=1.0)
    assert mde == pytest.approx(float(np.squeeze(d)), abs=1e-5)


def test_a_family_of_tests_is_tested_at_holms_first_step_and_fewer_df_need_a_larger_effect():
    se = 0.1
    assert minimum_detectable_effect(se, 20, tests=5) == pytest.approx(minimum_detectable_effect(se, 20, alpha=0.01))
    assert minimum_detectable_effect(se, 20, tests=5) > minimum_detectable_effect(se, 20)
    assert minimum_detectable_effect(se, 4) > minimum_detectable_effect(se, 40) > minimum_detectable_effect(se, None)
    assert detection_power(0.0, se, 10) == pytest.approx(0.05)  # no effect: rejected at the test's level
    assert detection_power(-0.3, se, 10) == detection_power(0.3, se, 10)
    for bad, match in (
        (dict(se=0.0, df=10), "the standard error must be positive"),
        (dict(se=1.0, df=0), "df must be positive"),
        (dict(se=1.0, df=10, power=1.0), "power must lie between"),
        (dict(se=1.0, df=10, tests=0), "tests must be a whole number"),
    ):
        with pytest.raises(WijkstudieError, match=match):
            minimum_detectable_effect(**bad)


@pytest.mark.parametrize("df", [None, 3.0, 11.37, 60.0, 4000.0])
def test_power_is_exactly_the_sum_of_both_tails_of_its_own_distribution(df):
    from scipy import stats

    from wijkstudie.models.power import _power

    for level in (0.05, 0.025, 0.05 / 3):
        # asked in turn for other dfs and levels: the kept critical value is each one's own
        if df is None:
            critical = stats.norm.isf(level / 2)
        else:
            critical = stats.t.isf(level / 2, df)
        for effect in (0.0, 0.4, 2.5, 9.0):
            if df is None:
                expected = float(stats.norm.sf(critical - effect) + stats.norm.cdf(-critical - effect))
            else:
                lower = stats.nct.sf(critical, df, -effect)
                expected = float(stats.nct.sf(critical, df, effect) + (0.0 if np.isnan(lower) else lower))
            assert _power(effect, df, level) == expected  # exactly: the same scipy functions per element
