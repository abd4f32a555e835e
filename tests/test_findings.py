import math

import pandas as pd
import pytest

import wijkstudie as ws
from wijkstudie import findings as fd
from wijkstudie.models import area_regression


@pytest.mark.parametrize("low, high, sign, expected", [
    (0.01, 0.5, 1, "supports"), (0.0, 0.5, 1, "inconclusive"), (-0.5, 0.5, 1, "inconclusive"),
    (-0.5, -0.01, 1, "contradicts"), (-0.5, 0.0, 1, "inconclusive"),
    (-0.5, -0.01, -1, "supports"), (0.01, 0.5, -1, "contradicts"), (-0.5, 0.0, -1, "inconclusive"),
    (float("nan"), 0.5, 1, "inconclusive"),
])
def test_classify_at_its_boundaries(low, high, sign, expected):
    assert fd.classify(low, high, sign) == expected


@pytest.mark.parametrize("outcomes, expected", [
    ([], fd.NOT_TESTABLE), (["supports"], fd.SUPPORTED), (["supports", "supports"], fd.SUPPORTED),
    (["supports", "inconclusive"], fd.MIXED), (["supports", "contradicts"], fd.MIXED),
    (["inconclusive"], fd.NOT_SUPPORTED), (["contradicts", "inconclusive"], fd.NOT_SUPPORTED),
])
def test_verdict_rule(outcomes, expected):
    assert fd.verdict(outcomes) == expected


def test_sign_must_be_given():
    with pytest.raises(ws.WijkstudieError):
        fd.classify(0.1, 0.2, 0)


def test_registry_has_every_finding_with_both_languages_and_a_source():
    reg = fd.registry()
    assert set(reg["findings"]) == {"F1", "F2", "F3", "F4", "F5", "F6", "Vreewijk"}
    for f in reg["findings"].values():
        assert f["claim_en"] and f["claim_nl"] and f["publication"] and f["notebooks"]
        for ref in f.get("published", []):
            assert fd.reference(ref)["source"]
    assert fd.reference("rivm2020_volunteering")["value"] == 24.6
    assert fd.reference("vm2021_social_cohesion")["value"] == 6.4
    assert "more than 75 %" in fd.reference_text("cbs2011_trust_adults")


def test_from_model_scales_the_ci_with_the_standardised_estimate():
    data = pd.DataFrame({"x": range(40), "y": [2 * v + (v % 3) for v in range(40)]})
    result = area_regression("y ~ x", data)
    t = fd.from_model("F3", result, "x", +1, "toy")
    row = result.term("x")
    factor = row["std_estimate"] / row["estimate"]
    assert t.estimate == pytest.approx(row["std_estimate"])
    assert (t.ci_low, t.ci_high) == pytest.approx((row["ci_low"] * factor, row["ci_high"] * factor))
    assert t.outcome == "supports"


def _test(finding="F3", label="a", ci=(0.1, 0.5), kind="real", scope=fd.NATIONAL, **kw):
    return fd.FindingTest(finding, label, sum(ci) / 2, ci[0], ci[1], 1, "std", "kwb", "wijk", "2020", 3000,
                          data_kind=kind, scope=scope, **kw)


def test_record_and_scorecard_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(tmp_path))
    national = _test(label="all wijken", division="2024", files=["cbs/kwb-2022.xlsx"])
    city = _test(label="Utrecht buurten", ci=(-0.1, 0.3), scope="Utrecht (GM0344)")
    synth = _test("F6", "residents", (0.4, 0.6), kind="synthetic", scope="")
    fd.record("F3", [city, national], notebook="02")
    fd.record("F6", [synth], notebook="09")
    table = fd.write_scorecard(statement="Data: a test statement.")
    f3 = table[table["finding"] == "F3"]
    assert set(f3["verdict"]) == {"national: supported; cities: not supported"} and len(f3) == 2
    assert f3["scope"].tolist() == [fd.NATIONAL, "Utrecht (GM0344)"]  # the national test comes first
    assert f3["division"].tolist() == ["2024", "—"] and f3["n"].tolist() == [3000, 3000]
    assert f3["files"].tolist()[0] == "cbs/kwb-2022.xlsx"
    assert table.loc[table["finding"] == "F6", "verdict"].item() == "SYNTHETIC data: supported"
    assert table.loc[table["finding"] == "F6", "data"].item() == "SYNTHETIC"
    assert table.loc[table["finding"] == "F5", "verdict"].item() == fd.NOT_TESTABLE
    md = (tmp_path / "scorecard.md").read_text()
    assert md.index("Data: a test statement.") < md.index("| finding |")
    assert "Verdict rule:" in md and "Case rule:" in md
    assert "| F3 | national: supported; cities: not supported | the Netherlands | all wijken | wijk | 2024 | 3,000 |" in md
    assert (tmp_path / "scorecard.csv").is_file()
    assert fd.files_used() == ["cbs/kwb-2022.xlsx"]       # real tests only
    fd.record("F3", [national], notebook="02")  # a re-run replaces that notebook's tests
    assert fd.scorecard().query("finding == 'F3'")["verdict"].tolist() == ["national: supported"]


def test_verdicts_are_kept_apart_by_scope_and_kind():
    national = _test(ci=(-0.3, -0.1))
    city = _test(scope="Rotterdam (GM0599)")
    synth = _test(kind="synthetic", scope="")
    unknown = _test(kind="unknown")
    assert fd.scoped_verdict([city, national]) == "national: not supported; cities: supported"
    assert fd.scoped_verdict([national, synth, unknown]) == (
        "national: not supported; SYNTHETIC data: supported; UNKNOWN provenance, not counted: supported")
    assert fd.scoped_verdict([city]) == "cities: supported"   # a city verdict never reads as a national one
    assert fd.scoped_verdict([]) == fd.NOT_TESTABLE


VREEWIJK = "Vreewijk"


@pytest.mark.parametrize("percentiles, expected", [
    ({"residential stability": {2014: 80, 2016: 90}, "internal cohesion": {2014: 75, 2016: 99}}, "supports"),
    ({"residential stability": {2014: 80, 2016: 74.9}, "internal cohesion": {2014: 90, 2016: 90}}, "inconclusive"),
    ({"residential stability": {2014: 49, 2016: 30}, "internal cohesion": {2014: 90, 2016: 90}}, "contradicts"),
    ({"residential stability": {2014: 49, 2016: 50}, "internal cohesion": {2014: 90, 2016: 90}}, "inconclusive"),
])
def test_the_case_rule_at_its_boundaries(percentiles, expected):
    spec = fd.finding(VREEWIJK)["case"]
    assert (spec["supported_from"], spec["contradicted_below"]) == (75, 50)
    assert fd.case_outcome(VREEWIJK, percentiles) == expected


def test_a_case_test_is_judged_by_the_case_rule_and_grouped_as_a_case(mirror):
    table = ws.load("rotterdam-wijkprofiel", year=2016)
    percentiles = {"residential stability": {2014: 80, 2016: 90}, "internal cohesion": {2014: 60, 2016: 95}}
    test = fd.case_test(VREEWIJK, "Vreewijk among Rotterdam's wijken", percentiles, 71, table, scope="Rotterdam")
    assert (test.estimate, test.ci_low, test.ci_high) == (60, 60, 95)
    assert test.outcome == "inconclusive" and test.scope_group == "case" and test.rule == "case"
    assert fd.scoped_verdict([test]) == "case: not supported"
    with pytest.raises(ws.WijkstudieError, match="no percentiles for internal cohesion"):
        fd.case_test(VREEWIJK, "x", {"residential stability": {2014: 80}}, 71, table)
    with pytest.raises(ws.WijkstudieError, match="no case rule"):
        fd.case_test("F3", "x", percentiles, 71, table)


def test_finding_card_mentions_synthetic_data():
    synth = fd.FindingTest("F6", "c", 0.5, 0.4, 0.6, 1, "log odds", "synthetic world", "resident", "2024", 5000,
                           data_kind="synthetic")
    text = fd.finding_card("F6", [synth]).data
    assert "SYNTHETIC" in text and "Verdict: SYNTHETIC data: supported" in text and "Bekendheid" not in text
    assert "Bekendheid met de plannen" in fd.finding_card("F6", [synth], language="nl").data


def test_the_scorecard_says_which_data_produced_it(tmp_path, monkeypatch):
    from wijkstudie import reproduce

    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(tmp_path))
    fd.record("F3", [_test(files=["kwb-2022.xlsx", "RIVM_gezondheid2020_18+.xlsx"]),
                     _test("F6", kind="synthetic", files=["survey.csv"])], notebook="02")
    checkout = tmp_path / "home" / "me" / "wijkstudie"  # wherever this clone lives (a clone in the temp folder has the test's mirror beside it)
    monkeypatch.setattr(reproduce, "checkout_dir", lambda: checkout)
    mirror = reproduce.data_statement("real", tmp_path / "mirror", when="2026-11-28")
    assert mirror.startswith("Produced on 2026-11-28 by `make reproduce` from a local mirror")
    assert str(tmp_path / "mirror") in mirror   # far from the checkout: the whole path
    beside = reproduce.data_statement("real", checkout.parent / "shared" / "data")
    assert "(../shared/data)" in beside         # beside the checkout: no machine-specific path
    assert "read 2 files: RIVM_gezondheid2020_18+.xlsx, kwb-2022.xlsx." in mirror  # real tests' files only
    assert "over the network" in reproduce.data_statement("real", None)
    assert "SYNTHETIC" in reproduce.data_statement("synthetic", None)
