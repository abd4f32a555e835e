"""The declared samples and specifications read as records (study/designs.py): one Spec per declared sample (per part
for F2 and F5), their formulas, and the sweep of the declared alternatives behind the specification table."""

from __future__ import annotations

import pytest

from wijkstudie.core.errors import ArgumentError
from wijkstudie.study import designs
from wijkstudie.study.designs import Spec, declared_specs, sweep
from wijkstudie.study.findings import finding, registry

FINDINGS = ("F1", "F2", "F3", "F4", "F5", "F6")


@pytest.mark.parametrize("key", FINDINGS)
def test_one_spec_per_declared_sample_and_part(key):
    spec = finding(key)
    declared = spec.get("declared", {})
    parts = spec.get("parts", {})
    specs = declared_specs(key)
    expected = []
    for sample, declaration in declared.items():
        if parts and set(declaration) <= set(parts):
            expected += [(sample, part) for part in declaration]
        else:
            expected.append((sample, ""))
    assert [(s.sample, s.part) for s in specs] == expected
    assert expected, f"{key} declares no sample"
    for s in specs:
        assert s.sample in registry()["samples"]
        assert s.finding == key
        declaration = declared[s.sample][s.part] if s.part else declared[s.sample]
        assert s.outcome == declaration["outcome"]
        assert s.term == declaration.get("term", declaration.get("group"))
        assert s.controls == tuple(declaration.get("controls", []))
        assert s.areas == declaration.get("areas", "all areas")
        # the cut-off is the sample's first declared share, and only where the specification names a class (its
        # areas, or a class it interacts with its term: F5)
        classed = s.areas != "all areas" or s.get("problem_from")
        shares = (registry()["samples"][s.sample].get("livability") or {}) if classed else {}
        assert s.share == (shares["shares"][0] if shares else None)
    # a sample the finding does not declare has no primary (and is said why in not_declared)
    for sample in spec.get("not_declared", {}):
        assert declared_specs(key, sample) == []


def test_parts_of_F2_and_F5_each_have_their_own_term():
    f2 = declared_specs("F2", "rotterdam-wijkprofiel")
    assert {s.part: s.term for s in f2} == {
        "single_person": "pct_single_person_households",
        "students": "pct_students",
    }
    residents = declared_specs("F2", "cbs-sociale-samenhang")
    assert [(s.part, s.get("category"), s.get("group"), s.estimator) for s in residents] == [
        ("single_person", "Positie in huishouden", "alleenstaande", "group contrast"),
        ("students", "Leeftijd", "15 tot 25 jaar", "group contrast"),
    ]
    f5 = declared_specs("F5")
    assert [s.part for s in f5] == ["age_65_plus", "non_dutch", "age_30_44"]
    assert all(s.get("problem_from") == ("pct_any_nuisance",) for s in f5)


def test_formula_pools_waves_with_year_effects_and_writes_an_interaction():
    (f3,) = declared_specs("F3", "rotterdam-wijkprofiel")
    assert f3.formula(pooled=False) == (
        "pct_active_for_neighbourhood ~ pct_owner_occupied + pct_age_65_plus + pct_non_dutch_origin"
    )
    assert f3.formula(pooled=True).endswith(" + C(year)")
    f5 = declared_specs("F5")[2]
    assert f5.term == "problem:pct_age_25_44"
    assert f5.formula(pooled=False) == "pct_neighbourhood_app_member ~ problem * pct_age_25_44"
    assert f5.formula(pooled=True) == "pct_neighbourhood_app_member ~ problem * pct_age_25_44 + C(year)"


def test_choices_forget_the_class_on_all_areas():
    spec = Spec("F3", "rotterdam-wijkprofiel", "y", "x", areas="positive livability", scope="nuisance", share=0.3)
    assert spec.choices["scope"] == "nuisance" and spec.choices["share"] == 0.3
    everywhere = Spec("F3", "rotterdam-wijkprofiel", "y", "x", areas="all areas", scope="nuisance", share=0.3)
    assert everywhere.choices["scope"] == "" and everywhere.choices["share"] is None


def test_sweep_primary_first_without_duplicates():
    (primary,) = declared_specs("F3", "rotterdam-wijkprofiel")
    specs = sweep(primary)
    assert specs[0] == primary
    keys = [tuple(sorted(s.choices.items(), key=lambda kv: kv[0])) for s in specs]
    assert len(keys) == len(set(keys))
    alt = designs.alternatives("F3")
    livability = registry()["samples"]["rotterdam-wijkprofiel"]["livability"]
    scopes = (1 + len(livability["alternatives"])) * len(livability["shares"]) + 1  # + all areas
    # outcome x scope, then the weighting, the controls and the waves before / from the 2020 change of method one
    # at a time (the declared "none", "declared" and "all" are the primary's own and not repeated)
    assert len(specs) == len(alt.outcome) * scopes + 1 + 2 + 2
    assert {str(s.waves) for s in specs} == {"all", "before 2020", "from 2020"}
    assert {s.weights for s in specs} == {"none", "population"}
    assert {s.controls_choice for s in specs} == {"declared", "none", "with income"}
    # weighting and controls vary one at a time from the primary
    for s in specs:
        if s.weights != "none" or s.controls_choice != "declared" or str(s.waves) != "all":
            assert (s.outcome, s.areas, s.scope, s.share) == (primary.outcome, primary.areas, "primary", 0.2)


def test_sweep_leaves_out_what_the_sample_lacks():
    (primary,) = declared_specs("F3", "rotterdam-wijkprofiel")
    full = sweep(primary)
    lacking = sweep(primary, has=lambda column: column not in ("involvement", "pct_residents_initiative"))
    assert not {s.outcome for s in lacking} & {"involvement", "pct_residents_initiative"}
    assert {s.outcome for s in full} - {s.outcome for s in lacking} == {"involvement", "pct_residents_initiative"}
    assert lacking[0] == primary


def test_sweep_keeps_a_parts_term_and_an_interaction():
    for primary in declared_specs("F2", "rotterdam-wijkprofiel"):
        specs = sweep(primary)
        assert {s.term for s in specs} == {primary.term}
        assert {s.part for s in specs} == {primary.part}
    # without parts the declared terms are varied (F4: the cohesion scales and the key item)
    (f4,) = declared_specs("F4", "rotterdam-wijkprofiel")
    assert {s.term for s in sweep(f4)} == set(designs.alternatives("F4").term)
    assert {s.term for s in sweep(f4, has=lambda c: c != "social_cohesion_vm")} == set(
        designs.alternatives("F4").term
    ) - {"social_cohesion_vm"}
    declared_alternatives = registry()["findings"]["F5"]["alternatives"]
    for primary in declared_specs("F5"):
        specs = sweep(primary)
        assert {s.term for s in specs} == {primary.term}
        assert {s.weights for s in specs} == {"none", "population"}
        # the class the term is interacted with: every declared definition at every declared cut-off
        classes = {(s.choices["scope"], s.choices["share"]) for s in specs}
        assert classes == {
            (" + ".join(items), share)
            for items in declared_alternatives["problem_from"]
            for share in declared_alternatives["shares"]
        }


def test_sweep_of_a_group_contrast_varies_the_outcome_and_the_comparison_only():
    for primary in declared_specs("F2", "cbs-sociale-samenhang"):
        specs = sweep(primary, has=lambda v: v in ("pct_volunteering_neighbourhood", "pct_volunteering_any"))
        assert specs[0] == primary
        assert [s.outcome for s in specs] == ["pct_volunteering_neighbourhood", "pct_volunteering_any"] + [
            primary.outcome
        ]
        assert [s.choices["against"] for s in specs] == ["others", "others", "total"]  # the declared comparison first
        assert {(s.term, s.areas, s.weights, s.get("group")) for s in specs} == {
            (primary.term, "all areas", "none", primary.get("group"))
        }


def test_sample_design_refuses_an_unknown_sample():
    assert designs.sample_keys()[0] == "rotterdam-wijkprofiel"
    assert designs.sample_design("amsterdam-bbga")["level"] == "city wijken"
    with pytest.raises(ArgumentError, match="no declared sample 'utrecht'"):
        designs.sample_design("utrecht")


def test_the_models_beside_the_samples_are_read_from_findings_yaml():
    """The residents' and national models are data (findings.yaml ``models``): the formula is outcome ~ terms +
    controls, in the declared order; each F5 model names the part its term tests."""
    national = designs.model_spec("F3", "national")
    declared = finding("F3")["models"]["national"]
    assert national.formula() == f"{declared['outcome']} ~ " + " + ".join(declared["terms"] + declared["controls"])
    assert national.formula() == (
        "pct_volunteering ~ pct_owner_occupied + pct_age_15_24 + pct_age_65_plus + pct_low_income + urbanity"
    )
    assert designs.model_spec("F2", "national").formula(["pct_age_15_24"]) == (
        "pct_volunteering ~ pct_age_15_24 + pct_age_65_plus + pct_low_income + urbanity"
    )  # the terms a table holds replace the declared ones
    residents = designs.model_spec("F1", "residents")
    assert residents.formula().startswith("participates ~ seg(years_at_address) + C(tenure)")
    assert (residents.weights, residents.cluster) == ("weight", "buurt_code")
    tested = {part: term for spec in designs.model_specs("F5") for part, (term, _) in spec.tested.items()}
    assert set(tested) == set(finding("F5")["parts"])  # every part has a test in some model
    assert designs.model_spec("F6", "residents").areas == "problem areas"
    with pytest.raises(ArgumentError, match="F3 declares no model 'regional'; it declares national"):
        designs.model_spec("F3", "regional")


def test_no_formula_is_left_in_the_study_code():
    """Specifications are data: no module of the study writes a model formula (``"y ~ x"``) of its own in code (its
    docstrings may show one)."""
    import ast
    import re
    from pathlib import Path

    formula = re.compile(r"^[a-z_0-9]+ ~ [a-z_(]")
    found = {}
    for path in Path(designs.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
        }
        texts = [
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
        ]
        found[path.name] = [t for t in texts if formula.match(t)]
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_groups_and_control_choices_are_declared_too():
    """The residents a figure of predicted probabilities compares, and what the "with income" alternative adds, are
    read from findings.yaml like every other choice."""
    f5 = designs.model_spec("F5", "residents")
    assert list(f5.groups) == ["65 and over", "30-44", "non-Dutch origin", "Dutch origin"]
    assert f5.groups["30-44"] == {"age_65_plus": 0, "age_30_44": 1}
    assert designs.model_spec("F6", "residents").groups == {
        "knows the plans": {"aware_of_plans": 1},
        "does not know them": {"aware_of_plans": 0},
    }
    assert designs.control_choice("with income") == registry()["control_choices"]["with income"]
    with pytest.raises(ArgumentError, match="no control choice 'with age'"):
        designs.control_choice("with age")
    declared_choices = {c for key in FINDINGS for c in finding(key).get("alternatives", {}).get("controls", [])}
    assert declared_choices - {"declared", "none"} <= set(registry()["control_choices"])  # every choice is defined
