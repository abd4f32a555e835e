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


def test_record_and_scorecard_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(tmp_path))
    real = fd.FindingTest("F3", "a", 0.3, 0.1, 0.5, 1, "std", "kwb", "buurt", "2023", 100, data_kind="real")
    weak = fd.FindingTest("F3", "b", 0.1, -0.1, 0.3, 1, "std", "bbga", "gebied", "2016", 22, data_kind="real")
    synth = fd.FindingTest("F6", "c", 0.5, 0.4, 0.6, 1, "log odds", "synthetic world", "resident", "2024", 5000,
                           data_kind="synthetic")
    fd.record("F3", [real, weak], notebook="02")
    fd.record("F6", [synth], notebook="09")
    table = fd.write_scorecard()
    f3 = table[table["finding"] == "F3"]
    assert set(f3["verdict"]) == {fd.MIXED} and len(f3) == 2
    assert table.loc[table["finding"] == "F6", "verdict"].item() == "supported (SYNTHETIC data)"
    assert table.loc[table["finding"] == "F6", "data"].item().startswith("SYNTHETIC")
    assert table.loc[table["finding"] == "F5", "verdict"].item() == fd.NOT_TESTABLE
    md = (tmp_path / "scorecard.md").read_text()
    assert "Verdict rule:" in md and "| F3 | mixed |" in md
    assert (tmp_path / "scorecard.csv").is_file()
    fd.record("F3", [real], notebook="02")  # a re-run replaces that notebook's tests
    assert fd.scorecard().query("finding == 'F3'")["verdict"].tolist() == [fd.SUPPORTED]


def test_real_and_synthetic_evidence_get_separate_verdicts():
    real = fd.FindingTest("F1", "areas", 0.1, -0.1, 0.3, 1, "std", "rotterdam", "buurt", "2016", 71, data_kind="real")
    synth = fd.FindingTest("F1", "residents", 0.25, 0.2, 0.3, 1, "log odds", "synthetic world", "resident", "2024",
                           50000, data_kind="synthetic")
    assert fd.combined_verdict([real, synth]) == "not supported (real data); supported (SYNTHETIC data)"
    assert fd.combined_verdict([synth]) == "supported (SYNTHETIC data)"
    assert fd.combined_verdict([real]) == "not supported"
    assert fd.combined_verdict([]) == fd.NOT_TESTABLE


def test_finding_card_mentions_synthetic_data():
    synth = fd.FindingTest("F6", "c", 0.5, 0.4, 0.6, 1, "log odds", "synthetic world", "resident", "2024", 5000,
                           data_kind="synthetic")
    text = fd.finding_card("F6", [synth]).data
    assert "SYNTHETIC" in text and "Verdict: supported" in text and "Bekendheid" not in text
    assert "Bekendheid met de plannen" in fd.finding_card("F6", [synth], language="nl").data


def test_only_a_complete_real_run_updates_the_readme(tmp_path, monkeypatch):
    from wijkstudie import reproduce

    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{reproduce.README_START}\nold\n{reproduce.README_END}\nrest\n", encoding="utf-8")
    monkeypatch.setattr(reproduce, "checkout_dir", lambda: tmp_path)
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(tmp_path / "figures"))
    monkeypatch.setenv("WIJKSTUDIE_DATA", "real")
    monkeypatch.setattr(reproduce, "run_notebook", lambda path, out: 0.1)
    reproduce.main([str(tmp_path / "01_one.ipynb")])           # a partial run
    assert "\nold\n" in readme.read_text()
    monkeypatch.setattr(reproduce, "notebooks_dir", lambda: tmp_path)
    (tmp_path / "00_tour.ipynb").write_text("{}")
    reproduce.main([])                                          # a complete run
    text = readme.read_text()
    assert "\nold\n" not in text and "| finding | verdict |" in text and text.endswith("rest\n")
