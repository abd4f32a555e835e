"""Verdicts on the declared samples (issues 23 and 24): a declared sample votes with the test whose choices equal its
declaration (all areas, outside the stated scope, when it has no class); model-based outcomes never vote; Holm per
finding or part; the minimum detectable effect of every test of a voting sample; the specification table; verdicts
per level; pooling only of the same quantity."""

from __future__ import annotations

from dataclasses import replace

import pytest

from wijkstudie.models.power import minimum_detectable_effect
from wijkstudie.study import evidence as ev
from wijkstudie.study import verdicts as vd
from wijkstudie.study.designs import declared_specs

from helpers import finding_test

ROTTERDAM, VM, RESIDENTS = "rotterdam-wijkprofiel", "veiligheidsmonitor-2021-2023", "cbs-sociale-samenhang"
NAMES = {ROTTERDAM: "Rotterdam wijken 2014–2024", VM: "Veiligheidsmonitor gemeenten 2021–2023", RESIDENTS: "85541NED"}


def declared(finding, sample, part="", ci=(0.1, 0.5), *, df=60, **changes):
    """A test of a declared sample with the choices of its declared primary (``changes`` alter the choices: e.g.
    weights="population"), a t(df) interval around ``ci``'s midpoint."""
    spec = next(s for s in declared_specs(finding, sample) if s.part == part)
    spec = replace(spec, **changes)
    level = "residents" if sample == RESIDENTS else "areas"
    return finding_test(
        finding,
        label=f"{sample} {part} {sorted(changes.items())}",
        ci=ci,
        sample=NAMES[sample],
        sample_id=sample,
        choices=spec.choices,
        evidence_level=level,
        part=part,
        outcome=spec.outcome,
        term=spec.term,
        areas=spec.areas,
        distribution=f"t({df})",
        sign=-1 if finding == "F2" else 1,
    )


def test_the_declared_primary_is_chosen_by_its_choices():
    weighted = declared("F3", ROTTERDAM, ci=(-0.5, -0.1), weights="population")
    everywhere = declared("F3", ROTTERDAM, ci=(-0.6, -0.2), areas="all areas")
    primary = declared("F3", ROTTERDAM, ci=(0.1, 0.5))
    tests = [weighted, everywhere, primary]  # the primary last: chosen by its choices, not its place
    assert vd.primaries("F3", tests) == [primary]
    judged = vd.judge("F3", tests)
    (vote,) = judged.votes
    assert vote.primary == [primary] and vote.sample == NAMES[ROTTERDAM]
    assert set(map(id, vote.robustness)) == {id(weighted), id(everywhere)}
    assert judged.verdicts == {"city wijken": vd.SUPPORTED}
    assert not primary.outside_scope


def test_a_sample_without_a_class_votes_on_all_areas_outside_the_scope():
    everywhere = declared("F3", VM, ci=(0.2, 0.6), areas="all areas")
    weighted = declared("F3", VM, ci=(-0.6, -0.2), areas="all areas", weights="population")
    assert vd.primaries("F3", [weighted, everywhere]) == [everywhere]
    assert everywhere.outside_scope and not weighted.outside_scope
    judged = vd.judge("F3", [weighted, everywhere])
    assert judged.verdicts == {"gemeenten": vd.SUPPORTED}
    # with a test in the declared areas the sample votes with that one, inside the scope
    inside = declared("F3", VM, ci=(-0.4, 0.3))
    assert vd.primaries("F3", [everywhere, inside]) == [inside] and not inside.outside_scope


def test_a_model_based_outcome_never_votes():
    assert ev.MODEL_BASED not in ev.COUNTED
    model_based = replace(declared("F3", ROTTERDAM, ci=(0.2, 0.6)), evidence=ev.MODEL_BASED)
    judged = vd.judge("F3", [model_based])
    assert judged.votes == [] and judged.verdict_text() == vd.NOT_TESTABLE
    assert judged.not_counted[ev.MODEL_BASED] == [model_based]
    assert model_based not in judged.not_voting
    # beside a direct sample it changes nothing
    direct = declared("F3", VM, ci=(-0.5, 0.4))
    assert vd.judge("F3", [model_based, direct]).verdicts == {"gemeenten": vd.INCONCLUSIVE}


def f2_tests():
    """F2: Rotterdam and the residents, both parts: four counted estimates in two families of two."""
    return [
        declared("F2", ROTTERDAM, "single_person", ci=(-0.50, -0.02)),
        declared("F2", ROTTERDAM, "students", ci=(-0.45, 0.05)),
        declared("F2", RESIDENTS, "single_person", ci=(-0.60, -0.01), df=11),
        declared("F2", RESIDENTS, "students", ci=(-4.0, -2.7), df=11),
    ]


def test_holm_is_per_part_and_verdicts_per_level_and_part():
    tests = f2_tests()
    judged = vd.judge("F2", tests)
    assert judged.family == {"single_person": 2, "students": 2}
    adjusted = {id(t): a for v in judged.votes for t, a in ((t, v.adjusted.get(id(t))) for t in v.primary)}
    for part in ("single_person", "students"):
        family = [t for t in tests if t.part == part]
        expected = vd.holm_adjusted([t.p_value for t in family])
        assert [adjusted[id(t)]["p"] for t in family] == pytest.approx(list(expected))
    # one family of four would have given other adjusted p-values
    assert [adjusted[id(t)]["p"] for t in tests] != pytest.approx(list(vd.holm_adjusted([t.p_value for t in tests])))
    assert set(judged.verdicts) == {
        "residents, single-person households",
        "residents, students",
        "city wijken, single-person households",
        "city wijken, students",
    }
    assert judged.verdicts["residents, students"] == vd.SUPPORTED
    assert judged.verdicts["city wijken, students"] == vd.INCONCLUSIVE
    assert {t.scope_group for t in tests} == {"residents", "cities"}


def test_every_test_of_a_voting_sample_carries_its_mde_at_its_familys_level():
    tests = f2_tests()
    robustness = declared("F2", ROTTERDAM, "students", ci=(-0.6, 0.1), weights="population")
    judged = vd.judge("F2", [*tests, robustness])
    for t in tests:
        df = 11 if t.sample_id == RESIDENTS else 60
        assert t.mde == pytest.approx(minimum_detectable_effect(t.std_error, df, tests=2))
    assert robustness.mde == pytest.approx(minimum_detectable_effect(robustness.std_error, 60, tests=2))
    # a family of one is tested at the full level: a smaller mde for the same standard error
    alone = declared("F3", ROTTERDAM, ci=(-0.45, 0.05))
    vd.judge("F3", [alone])
    assert alone.mde == pytest.approx(minimum_detectable_effect(alone.std_error, 60, tests=1))
    assert alone.mde < minimum_detectable_effect(alone.std_error, 60, tests=2)
    assert judged.family["students"] == 2


def test_specification_table_keeps_what_a_sample_cannot_vary():
    rot_primary = declared("F3", ROTTERDAM, ci=(0.1, 0.5))
    rot_weighted = declared("F3", ROTTERDAM, ci=(-0.3, 0.2), weights="population")
    vm_primary = declared("F3", VM, ci=(0.2, 0.6))  # VM has no weighted test
    table = vd.specification_table("F3", [rot_primary, rot_weighted, vm_primary])
    assert list(table.columns) == [*vd.CHOICE_COLUMNS, "part", "primary", "samples", "verdict", "words"]
    # the combinations the tests cover; the Veiligheidsmonitor's own declared outcome with Rotterdam's declared
    # choices is the same specification as Rotterdam's declared outcome with the VM's: one row, not two
    assert len(table) == 2
    assert int(table["primary"].sum()) == 1
    primary_row = table[table["primary"]].iloc[0]
    assert primary_row["weights"] == "none" and primary_row["samples"] == 2
    assert primary_row["verdict"] == "gemeenten: supported; city wijken: supported"
    weighted_row = table[table["weights"] == "population"].iloc[0]
    assert not weighted_row["primary"]
    # Rotterdam uses its weighted test; the Veiligheidsmonitor keeps its declared (unweighted) one and still votes
    assert weighted_row["samples"] == 2
    assert weighted_row["verdict"] == "gemeenten: supported; city wijken: inconclusive"
    assert weighted_row["words"] == (vd.SUPPORTED, vd.INCONCLUSIVE)
    assert vd.specification_summary(table) == "over 2 specifications: supported 75 %, inconclusive 25 %"
    assert vd.specification_summary(table.iloc[:0]) == ""
    # the declared judgement carries the table
    judged = vd.judge("F3", [rot_primary, rot_weighted, vm_primary])
    assert judged.specifications.equals(table)


def test_specification_table_of_a_finding_with_parts_is_per_part():
    tests = f2_tests()
    table = vd.specification_table("F2", tests)
    # each part: the declared primaries of both samples, one specification (Rotterdam's and the residents' own
    # declared outcomes and terms differ)
    assert table["part"].tolist() == ["single_person", "students"]
    assert table["primary"].all() and (table["samples"] == 2).all()
    weighted = declared("F2", ROTTERDAM, "students", ci=(-0.6, -0.3), weights="population")
    table = vd.specification_table("F2", [*tests, weighted])
    assert sorted(table["part"]) == ["single_person", "students", "students"]
    row = table[table["weights"] == "population"].iloc[0]
    assert row["verdict"] == "residents, students: supported; city wijken, students: supported"
    for _, row in table.iterrows():
        name = "students" if row["part"] == "students" else "single-person households"
        assert all(scope.endswith(f", {name}") for scope in [v.split(": ")[0] for v in row["verdict"].split("; ")])


def test_pooled_only_for_the_same_quantity():
    a = declared("F3", ROTTERDAM, ci=(0.1, 0.5))
    b = declared("F3", VM, ci=(0.0, 0.4))
    b.outcome = a.outcome  # the same outcome, term and controls' choice on the same scale and level
    result = vd.pooled([a, b])
    assert result is not None and result["k"] == 2
    assert a.estimate > result["estimate"] > b.estimate
    other_controls = declared("F3", VM, ci=(0.0, 0.4), controls_choice="none")
    other_controls.outcome = a.outcome
    other_controls.controls = ["pct_age_65_plus", "urbanity"]  # the adjustment set: age and urbanisation, not none
    assert vd.quantity(other_controls) != vd.quantity(a)
    assert vd.pooled([a, other_controls]) is None
    other_level = replace(b, evidence_level="residents")
    assert vd.pooled([a, other_level]) is None


# --- the scorecard of declared samples ----------------------------------------------------------------------------


def rotterdam_like(slope: float, *, seed: int = 5, areas: int = 60, income: bool = False):
    """A hand-made sample in the declared Rotterdam layout (wijken in three waves, the objective indices the class is
    built from, composition and population), participation = 10 + slope x owner-occupied share + noise; its provenance
    names the Wijkprofiel (a direct survey) as the source of every column."""
    import numpy as np
    import pandas as pd

    from wijkstudie.core.provenance import Provenance, Source, attach
    from wijkstudie.study.samples import DeclaredSample, _classes

    rng = np.random.default_rng(seed)
    own, phys, safe = rng.uniform(10, 80, areas), rng.normal(100, 10, areas), rng.normal(100, 10, areas)
    a65, nd = rng.uniform(5, 30, areas), rng.uniform(5, 60, areas)
    rows = [
        dict(
            region_code=f"WK{i:02d}",
            year=year,
            pct_owner_occupied=own[i],
            pct_age_65_plus=a65[i],
            pct_non_dutch_origin=nd[i],
            physical_index_objective=phys[i] + rng.normal(0, 1),
            safety_index_objective=safe[i] + rng.normal(0, 1),
            population=1000 + 10 * i,
            pct_active_for_neighbourhood=10 + slope * own[i] + rng.normal(0, 2),
        )
        for year in (2014, 2016, 2018)
        for i in range(areas)
    ]
    table = pd.DataFrame(rows)
    if income:
        table["pct_low_income"] = rng.uniform(5, 25, len(table))
    columns = tuple(c for c in table.columns if c not in ("region_code", "year"))
    attach(table, Provenance("real", (Source("rotterdam-wijkprofiel", 2014, variables=columns),), ("wijk",)))
    return DeclaredSample(ROTTERDAM, table, _classes(ROTTERDAM, table))


def test_sample_tests_fit_the_declared_sweep_and_recover_the_slope():
    from wijkstudie.study import sweeps

    sample = rotterdam_like(0.2)
    primary = sweeps.fit(declared_specs("F3", ROTTERDAM)[0], sample)
    assert primary.term("pct_owner_occupied")["estimate"] == pytest.approx(0.2, abs=0.02)  # the planted slope
    assert primary.extra["clusters"] == 48  # the 48 wijken outside the worst 20 %, three waves each
    assert primary.n == 3 * 48 and primary.cluster_correction == "CR1"  # 30 clusters or more
    tests = sweeps.sample_tests("F3", sample, notebook="test")
    # the one outcome the sample has x (3 cut-offs x 3 definitions it has + all areas), weighted, no controls, the
    # waves before 2020 (the sample's only waves; "from 2020" has none) ("with income" is left out: the sample has
    # no income column, it would be the declared fit again)
    assert len(tests) == 10 + 1 + 1 + 1
    assert {t.choices["controls"] for t in tests} == {"declared", "none"}
    richer = rotterdam_like(0.2, income=True)
    income = sweeps.sample_tests("F3", richer, notebook="test")
    assert {t.choices["controls"] for t in income} == {"declared", "none", "with income"}
    spec = replace(declared_specs("F3", ROTTERDAM)[0], controls_choice="with income")
    assert sweeps.formula_of(spec, richer) == (
        "pct_active_for_neighbourhood ~ pct_owner_occupied + pct_age_65_plus + pct_non_dutch_origin + pct_low_income"
        " + C(year)"
    )
    assert {t.sample_id for t in tests} == {ROTTERDAM} and {t.evidence for t in tests} == {ev.DIRECT}
    judged = vd.judge("F3", tests)
    assert judged.verdicts == {"city wijken": vd.SUPPORTED}
    (vote,) = judged.votes
    assert vote.primary[0].choices == declared_specs("F3", ROTTERDAM)[0].choices
    assert "the other 48 have a positive livability" in vote.primary[0].scope_text


def test_a_sweep_reads_each_fact_of_its_sample_once_and_records_what_the_sample_says(monkeypatch):
    from wijkstudie.study import sweeps
    from wijkstudie.study.samples import DeclaredSample

    sample = rotterdam_like(0.2)
    asked = []
    reliability = DeclaredSample.reliability
    monkeypatch.setattr(
        DeclaredSample, "reliability", lambda self, outcome: asked.append(outcome) or reliability(self, outcome)
    )
    tests = sweeps.sample_tests("F3", sample, notebook="test")
    assert len(tests) == 13 and asked == ["pct_active_for_neighbourhood"]  # one outcome: computed once, not 13 times
    assert {t.reliability for t in tests} == {reliability(sample, "pct_active_for_neighbourhood")}
    assert {t.sample for t in tests} == {sample.name} and sample.name.endswith("2014–2018")


def test_counted_rows_have_an_mde_and_no_model_based_outcome():
    from wijkstudie.study import scorecard as sc
    from wijkstudie.study import sweeps

    tests = sweeps.sample_tests("F3", rotterdam_like(0.2), notebook="test")
    model_based = replace(
        declared("F3", VM, ci=(0.2, 0.6)),
        evidence=ev.MODEL_BASED,
        outcome="pct_volunteering",
        outcome_source="rivm-gezondheid 2020",
        label="RIVM volunteering",
    )
    table = sc.scorecard([*tests, model_based])
    counted = table[table["counted"] == "yes"]
    assert len(counted) == 1
    assert all(isinstance(v, float) and v > 0 for v in counted["mde"])
    assert ev.MODEL_BASED not in set(counted["evidence"])
    for text in counted["scope_definition"]:
        assert "rivm" not in text.lower()
        assert not any(variable in text for variable in ("pct_volunteering", "pct_volunteering_any"))
    assert table.loc[table["test"] == "RIVM volunteering", "counted"].item() == "no"
    assert {"mde", "reliability", "scope_definition", "evidence_level"} <= set(table.columns)
    assert "detectable" not in table.columns


def test_verdict_line_says_what_an_inconclusive_sample_could_detect():
    from wijkstudie.study import scorecard as sc
    from wijkstudie.study import sweeps

    tests = sweeps.sample_tests("F3", rotterdam_like(0.0, seed=11), notebook="test")
    judged = vd.judge("F3", tests)
    assert judged.verdicts == {"city wijken": vd.INCONCLUSIVE}
    line = sc.verdict_line("F3", judged, tests)
    (primary,) = judged.votes[0].primary
    assert f"could detect only effects of about {primary.mde:.2f} SD or more" in line
    assert "(other choices: over " in line  # the specification table's summary
    supported = vd.judge("F3", sweeps.sample_tests("F3", rotterdam_like(0.2), notebook="test"))
    assert "could detect" not in sc.verdict_line("F3", supported, [])


def test_the_other_edition_is_built_once_per_session_and_settings(monkeypatch, tmp_path):
    import wijkstudie as ws
    from wijkstudie.study import samples, sweeps

    built = []
    monkeypatch.setattr(sweeps, "_OTHER_EDITIONS", {})
    monkeypatch.setattr(samples, "rotterdam_sample", lambda edition=None: built.append(edition) or rotterdam_like(0.1))
    first = sweeps._other_edition(2016)
    assert sweeps._other_edition(2016) is first and built == [2016]
    monkeypatch.setattr(ws.settings, "data_dir", str(tmp_path))  # another cache: built again
    assert sweeps._other_edition(2016) is not first and built == [2016, 2016]


# --- the sweep's and the verdicts' bookkeeping, made cheap without changing a result (issue 28) --------------------


def test_a_sweep_takes_each_choice_of_rows_once_and_fits_the_rows_rows_for_gives(monkeypatch):
    from wijkstudie.study import sweeps

    sample = rotterdam_like(0.2)
    expected = sweeps.sample_tests("F3", sample, notebook="test")
    taken, fitted = [], []
    rows_for, fit = sweeps.rows_for, sweeps.declared_fit
    monkeypatch.setattr(sweeps, "rows_for", lambda spec, s: taken.append(spec) or rows_for(spec, s))
    monkeypatch.setattr(sweeps, "declared_fit", lambda *a, **k: fitted.append(a[3]) or fit(*a, **k))
    tests = sweeps.sample_tests("F3", sample, notebook="test")
    assert [t.estimate for t in tests] == [t.estimate for t in expected]
    # 13 fits: all areas and 9 classes x cut-offs, weighted, no controls and the waves before 2020 share rows
    # 14 calls (13 tests and the waves from 2020, which have no rows) on 12 choices of rows, each taken once: the
    # weighted and the no-controls specifications fit the declared primary's rows
    assert len(fitted) == 14 and len(taken) == len({sweeps._rows_key(s) for s in taken}) == 12
    for spec in taken:  # each fit was given the very rows rows_for gives its specification
        given = [rows for rows in fitted if rows.equals(rows_for(spec, sample))]
        assert given
    # the key holds everything rows_for reads: two specifications that differ in it get other rows
    primary = declared_specs("F3", ROTTERDAM)[0]
    remembered = sweeps._Remembered(sample)
    assert remembered.rows_for(primary) is remembered.rows_for(replace(primary, weights="population"))
    for change in ({"areas": "all areas"}, {"share": 0.1}, {"waves": sweeps.sweep(primary, has=sample.has)[-1].waves}):
        other = replace(primary, **change)
        assert sweeps._rows_key(other) != sweeps._rows_key(primary)
        assert remembered.rows_for(other).equals(rows_for(other, sample))


def test_membership_among_tests_is_equality_as_in_a_list():
    primary = declared("F3", ROTTERDAM, ci=(0.1, 0.5))
    twin = replace(primary)  # another object, equal field by field
    weighted = declared("F3", ROTTERDAM, ci=(0.1, 0.5), weights="population")
    same_label = replace(primary, estimate=0.31)  # the label and specification alike, another estimate
    for test in (primary, twin, weighted, same_label):
        for tests in ([primary], [weighted, twin], [same_label], []):
            assert vd.among(test, tests) == (test in tests)
    assert vd.among(twin, [primary]) and not vd.among(same_label, [primary])


def test_the_specification_tables_judgements_are_the_full_ones_without_the_pooled_estimate():
    tests = [declared("F3", ROTTERDAM, ci=(0.1, 0.5)), declared("F3", VM, ci=(0.2, 0.6))]
    tests.append(declared("F3", ROTTERDAM, ci=(-0.3, 0.2), weights="population"))
    for choices in ({"weights": "population"}, {"weights": "none"}):
        full = vd.judge("F3", tests, primary={"choices": choices})
        lean = vd._judge("F3", tests, {"choices": choices}, pool=False)
        assert full.pooled is not None and lean.pooled is None
        assert lean.verdicts == full.verdicts and lean.scopes == full.scopes
        assert [[id(t) for t in v.primary] for v in lean.votes] == [[id(t) for t in v.primary] for v in full.votes]


def test_a_card_judges_its_finding_once_and_says_what_judging_twice_said(monkeypatch):
    from wijkstudie.study import scorecard as sc
    from wijkstudie.study import sweeps

    tests = sweeps.sample_tests("F3", rotterdam_like(0.2), notebook="test")
    table = sc.scorecard(tests, findings=["F3"])
    twice = sc.finding_markdown("F3", table, tests)  # judged again for its specification table
    assert "| " in twice and sc.specification_markdown(vd.judge("F3", tests))[-1] in twice
    judged = []
    judge = sc.judge
    monkeypatch.setattr(sc, "judge", lambda key, *a, **k: judged.append(key) or judge(key, *a, **k))
    card = sc.finding_card("F3", tests).data
    assert judged == ["F3"] and twice in card
