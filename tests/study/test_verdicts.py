"""The verdict rules: outcomes by interval, case and threshold; one vote per sample by the declared primary
specification; Holm's adjustment; the five verdict words; method checks."""

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

import wijkstudie as ws
from wijkstudie.study import evidence as ev
from wijkstudie.study import findings as fd
from wijkstudie.study import verdicts as vd

from helpers import finding_test as make


@pytest.mark.parametrize(
    "low, high, sign, expected",
    [
        (0.01, 0.5, 1, "supports"),
        (0.0, 0.5, 1, "inconclusive"),
        (-0.5, 0.5, 1, "inconclusive"),
        (-0.5, -0.01, 1, "contradicts"),
        (-0.5, 0.0, 1, "inconclusive"),
        (-0.5, -0.01, -1, "supports"),
        (0.01, 0.5, -1, "contradicts"),
        (-0.5, 0.0, -1, "inconclusive"),
        (float("nan"), 0.5, 1, "inconclusive"),
        # a claim that names no direction ("differently"): excluding zero either way supports it, nothing contradicts
        (0.01, 0.5, 0, "supports"),
        (-0.5, -0.01, 0, "supports"),
        (-0.5, 0.5, 0, "inconclusive"),
    ],
)
def test_interval_outcome_at_its_boundaries(low, high, sign, expected):
    assert vd.interval_outcome(low, high, sign) == expected


def test_a_direction_must_be_one_of_three():
    with pytest.raises(ws.WijkstudieError):
        vd.interval_outcome(0.1, 0.2, 2)


@pytest.mark.parametrize(
    "outcomes, expected",
    [
        ([], "not testable with these data"),
        (["supports"], "supported"),
        (["supports", "inconclusive"], "supported"),
        (["supports", "contradicts"], "mixed"),
        (["contradicts", "inconclusive"], "contradicted"),
        (["contradicts"], "contradicted"),
        (["inconclusive", "inconclusive"], "inconclusive"),
    ],
)
def test_the_five_verdict_words(outcomes, expected):
    assert vd.verdict(outcomes) == expected and expected in vd.VERDICTS


def test_holm_matches_statsmodels_and_its_intervals_agree_with_its_p_values():
    tests = [make(label=str(i), ci=ci) for i, ci in enumerate([(0.05, 0.45), (0.02, 0.6), (-0.1, 0.3), (0.2, 0.9)])]
    adjusted = vd.holm(tests)
    expected = multipletests([t.p_value for t in tests], method="holm")[1]
    assert [adjusted[id(t)]["p"] for t in tests] == pytest.approx(list(expected))
    for t in tests:
        low, high = adjusted[id(t)]["ci"]
        assert low <= t.ci_low + 1e-4 and high >= t.ci_high - 1e-4  # never narrower than the unadjusted one
        assert (low > 0 or high < 0) == (adjusted[id(t)]["p"] < 0.05)  # excludes zero exactly when it clears


def test_holm_adjusted_p_values_equal_statsmodels_with_ties_and_the_cap_at_one():
    rng = np.random.default_rng(3)
    for p in ([0.01, 0.04, 0.03], [0.5, 0.5, 0.01, 0.9], [0.3, 0.6, 0.8, 0.02, 0.02], rng.uniform(0, 0.2, 9)):
        expected = multipletests(p, method="holm")[1]
        assert vd.holm_adjusted(p) == pytest.approx(expected, abs=1e-15)


def test_holm_on_a_textbook_example():
    # Holm (1979) step-down on p = 0.01, 0.04, 0.03: adjusted 0.03, 0.06, 0.06
    tests = [make(label=str(p), p=p, se=0.1) for p in (0.01, 0.04, 0.03)]
    adjusted = vd.holm(tests)
    assert [round(adjusted[id(t)]["p"], 10) for t in tests] == [0.03, 0.06, 0.06]


def test_one_sample_one_vote_by_the_declared_primary_specification():
    sample = [
        make(label="primary", ci=(0.1, 0.5)),
        make(label="volunteering", outcome="pct_volunteering", ci=(-0.5, -0.1)),
        make(label="multilevel", estimator="multilevel", ci=(-0.6, -0.2)),
        make(label="positive livability", areas="positive livability", ci=(-0.01, 0.4)),
    ]
    chosen = vd.primaries("F3", sample)
    # F3's primary: weighted regression of active involvement, in the areas with positive livability first
    assert [t.label for t in chosen] == ["positive livability"]
    judgement = vd.judge("F3", sample)
    assert len(judgement.votes) == 1 and len(judgement.votes[0].robustness) == 3
    assert judgement.verdicts == {"city wijken": "inconclusive"}  # the contradicting robustness rows do not vote
    low, high = vd.robustness_range(judgement.votes[0], chosen[0])
    assert low[0] == pytest.approx(-0.4) and "multilevel" in low[1] and high[0] == pytest.approx(0.3)


def test_model_implied_and_synthetic_tests_never_vote():
    survey = make(label="survey", ci=(0.1, 0.5))
    implied = make(
        label="national",
        ci=(0.3, 0.5),
        evidence=ev.MODEL_IMPLIED,
        scope=fd.NATIONAL,
        sample="rivm-gezondheid 2016 · the Netherlands",
        outcome="pct_volunteering",
    )
    synthetic = make(
        label="synthetic", ci=(-0.5, -0.3), kind="synthetic", evidence=ev.METHOD_CHECK, sample="synthetic world"
    )
    judgement = vd.judge("F3", [survey, implied, synthetic])
    assert judgement.verdicts == {"city wijken": "supported"}  # no national verdict from model-implied tests
    assert judgement.not_counted == {ev.MODEL_IMPLIED: [implied]}
    assert judgement.method_checks == [synthetic]
    assert vd.judge("F6", [synthetic.__class__(**{**synthetic.to_dict(), "finding": "F6"})]).verdicts == {}


def test_a_sample_without_a_primary_specification_does_not_vote():
    other = make(label="regression on students", term="pct_students")
    judgement = vd.judge("F3", [other])
    assert judgement.votes == [] and judgement.not_voting == [other] and judgement.verdicts == {}


def test_holm_can_turn_a_support_into_inconclusive():
    # two samples that each just clear alone (p about 0.044): after Holm neither does
    first = make(label="first", ci=(0.01, 0.8), sample="a · Rotterdam (GM0599)")
    second = make(label="second", ci=(0.01, 0.8), sample="b · Amsterdam (GM0363)")
    judgement = vd.judge("F3", [first, second])
    outcomes = {t.label: v.outcome(t) for v in judgement.votes for t in v.primary}
    assert outcomes == {"first": "inconclusive", "second": "inconclusive"}
    assert vd.outcome_of(first) == "supports"  # the unadjusted interval alone would clear
    assert judgement.verdicts == {"city wijken": "inconclusive"}


@pytest.mark.parametrize(
    "percentiles, expected",
    [
        ({"residential stability": {2014: 80, 2016: 90}, "internal cohesion": {2014: 75, 2016: 99}}, "supports"),
        ({"residential stability": {2014: 80, 2016: 74.9}, "internal cohesion": {2014: 90, 2016: 90}}, "inconclusive"),
        ({"residential stability": {2014: 49, 2016: 30}, "internal cohesion": {2014: 90, 2016: 90}}, "contradicts"),
        ({"residential stability": {2014: 49, 2016: 50}, "internal cohesion": {2014: 90, 2016: 90}}, "inconclusive"),
    ],
)
def test_the_case_rule_at_its_boundaries(percentiles, expected):
    spec = fd.finding("Vreewijk")["case"]
    assert (spec["supported_from"], spec["contradicted_below"]) == (75, 50) and spec["why"]
    assert vd.case_outcome("Vreewijk", percentiles) == expected


def _threshold(ci, before_low=0.1, after=(-0.03, 0.02), equivalent=True):
    return {
        "breakpoint": sum(ci) / 2,
        "breakpoint_ci": list(ci),
        "claimed": 4.0,
        "allowed": [3.0, 5.0],
        "before": {"estimate": 0.2, "ci_low": before_low, "ci_high": 0.3, "p_value": 0.001},
        "after": {"estimate": sum(after) / 2, "ci_low": after[0], "ci_high": after[1], "p_value": 0.5},
        "after_equivalent_to_zero": equivalent,
        "equivalence_p": 0.01,
        "margin": 0.05,
    }


@pytest.mark.parametrize(
    "detail, expected",
    [
        (_threshold((3.5, 4.5)), "supports"),
        (_threshold((3.2, 4.8)), "supports"),
        (_threshold((2.0, 7.0)), "inconclusive"),  # includes four, but reaches beyond what 'about four' allows
        (_threshold((3.5, 4.5), equivalent=False), "inconclusive"),  # level after not shown
        (_threshold((3.5, 4.5), before_low=-0.01), "inconclusive"),  # no clear rise before
        (_threshold((5.5, 8.0)), "contradicts"),  # the break lies clearly later than 3-5 years
        (_threshold((1.0, 2.9)), "contradicts"),  # clearly earlier
        (_threshold((3.5, 4.5), after=(0.01, 0.08), equivalent=False), "contradicts"),  # still rising after the break
        (_threshold((4.5, 6.0)), "inconclusive"),  # overlaps the range, excludes four
    ],
)
def test_the_threshold_rule(detail, expected):
    assert vd.threshold_outcome(detail) == expected


def test_method_checks_compare_with_the_planted_value_or_direction():
    on_scale = make(finding="F6", ci=(0.4, 0.8), kind="synthetic", planted=0.6, term="aware_of_plans")
    on_scale.scale = "log-odds"
    assert vd.method_check(on_scale) == "planted value recovered"
    on_scale.planted = 0.9
    assert vd.method_check(on_scale) == "not recovered"
    area = make(ci=(0.1, 0.4), kind="synthetic", planted_sign=1)
    assert vd.method_check(area) == "planted direction recovered"
    assert vd.method_check(make(ci=(-0.1, 0.4), kind="synthetic", planted_sign=1)) == "not recovered"
    assert vd.method_check(make(kind="synthetic")) == "no planted value to compare with"
    assert fd.planted("F6", "aware_of_plans") == (0.6, 1)  # from the scenario, not typed here
    assert fd.planted("F3", "pct_owner_occupied") == (None, 1)


def test_pooling_needs_two_standardised_samples():
    one = make(label="one", ci=(0.1, 0.5))
    assert vd.pooled([one]) is None
    two = make(label="two", ci=(-0.2, 0.2), sample="b")
    result = vd.pooled([one, two])
    assert result["k"] == 2 and result["samples"] == [one.sample, two.sample]
    assert min(one.estimate, two.estimate) < result["estimate"] < max(one.estimate, two.estimate)
    assert math.isfinite(result["tau2"]) and 0 <= result["i2"] <= 100
    from wijkstudie.study.scorecard import pooled_text

    text = pooled_text(vd.Judgement(finding="F3", verdicts={}, votes=[], pooled=result))
    assert "with two samples the heterogeneity is estimated very imprecisely" in text
    assert "the interval is not informative" in text
    three = vd.pooled([one, two, make(label="three", ci=(0.0, 0.3), sample="c")])
    text = pooled_text(vd.Judgement(finding="F3", verdicts={}, votes=[], pooled=three))
    assert "with 3 samples t(2) is 4.3 instead of 1.96, so the interval is wide" in text  # why it is so wide


@pytest.mark.parametrize("after, expected", [(0.0, "supports"), (0.03, "contradicts"), (0.08, "contradicts")])
def test_the_threshold_rule_tells_a_level_from_a_rising_slope_after_the_break(after, expected):
    """Residents whose participation rises 0.25 log-odds a year up to four years and then by ``after`` a year: the
    threshold test of F1 (cluster-bootstrap interval of the breakpoint, equivalence of the slope after it within
    findings.yaml's margin) supports the claim only when participation levels off."""
    from wijkstudie.models import segmented_logit

    rng = np.random.default_rng(7)
    n, clusters = 60_000, 300
    group = rng.integers(0, clusters, n)
    years = rng.uniform(0, 20, n)
    eta = -1.0 + 0.25 * np.minimum(years, 4) + after * np.maximum(years - 4, 0) + rng.normal(0, 0.3, clusters)[group]
    data = pd.DataFrame({"y": (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int), "x": years, "g": group})
    fit = segmented_logit("y ~ seg(x)", data, cluster="g", bootstrap=199)
    test = fd.threshold_test("F1", fit, label="simulated residents")
    assert test.detail["margin"] == fd.finding("F1")["threshold"]["equivalence_margin"]
    assert vd.outcome_of(test) == expected, test.detail


def test_a_city_inside_a_national_sample_of_the_same_wave_does_not_vote_again():
    # a national direct survey wave and one city's areas of the same wave (a model-based outcome never votes at all:
    # issue 24, so the nesting is shown with direct survey means)
    national = make(
        label="national",
        ci=(0.1, 0.3),
        scope=fd.NATIONAL,
        sample="veiligheidsmonitor 2021 · the Netherlands",
        outcome="pct_volunteering",
        outcome_source="veiligheidsmonitor 2021",
    )
    city = make(
        label="Utrecht",
        ci=(0.2, 0.6),
        scope="Utrecht (GM0344)",
        sample="veiligheidsmonitor 2021 · Utrecht (GM0344)",
        outcome="pct_volunteering",
        outcome_source="veiligheidsmonitor 2021",
    )
    judgement = vd.judge("F3", [national, city])
    assert [v.sample for v in judgement.votes] == [national.sample] and city in judgement.not_voting
    assert judgement.nested == {city.sample: national.sample}
    assert judgement.verdicts == {"national areas": "supported"}
    model_based = [
        make(
            label=t.label,
            ci=(t.ci_low, t.ci_high),
            evidence=ev.MODEL_BASED,
            scope=t.scope,
            sample=t.sample,
            outcome=t.outcome,
            outcome_source="rivm-gezondheid 2020",
        )
        for t in (national, city)
    ]
    judgement = vd.judge("F3", model_based)
    assert judgement.votes == [] and judgement.verdicts == {}
    assert judgement.not_counted == {ev.MODEL_BASED: model_based}


def test_a_finding_with_parts_gets_a_verdict_per_part():
    tests = [
        make(
            "F5",
            part,
            ci=ci,
            term=term,
            sign=sign,
            part=part,
            estimator="logistic regression",
            outcome="participates",
            scope=fd.NATIONAL,
            sample="woon 2021 · the Netherlands",
        )
        for part, term, sign, ci in (
            ("age_65_plus", "problem:age_65_plus", 0, (-0.9, -0.3)),
            ("non_dutch", "problem:non_dutch", 0, (-0.2, 0.4)),
            ("age_30_44", "problem:age_30_44", -1, (0.1, 0.5)),
        )
    ]
    for t in tests:
        t.level = "resident"
    judgement = vd.judge("F5", tests)
    assert judgement.verdicts == {
        "national areas, 65+": "supported",
        "national areas, non-Dutch origin": "inconclusive",
        "national areas, 30-45": "contradicted",
    }


def test_the_verdict_under_each_alternative_primary_specification_is_shown():
    active = make(label="active", ci=(-0.2, 0.4))
    volunteering = make(label="volunteering", ci=(0.3, 0.9), outcome="pct_volunteering")
    judgement = vd.judge("F3", [active, volunteering])
    assert judgement.verdicts == {"city wijken": "inconclusive"}
    assert judgement.sensitivity == {"with does volunteer work as the outcome": "city wijken: supported"}
