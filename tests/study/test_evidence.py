"""What kind of evidence a finding test is: computed from the catalogue's measurement and the variables' concepts."""

import numpy as np
import pandas as pd
import pytest

from wijkstudie.core.provenance import Provenance, Source, attach
from wijkstudie.data import variables as vardict
from wijkstudie.data.catalogue import datasets, measurement_models
from wijkstudie.models import area_regression
from wijkstudie.study import evidence as ev
from wijkstudie.study import findings as fd

RIVM_VARIABLES = ("pct_volunteering", "pct_difficulty_making_ends_meet")
KWB_VARIABLES = (
    "population",
    "pct_owner_occupied",
    "pct_age_15_24",
    "pct_single_person_households",
    "pct_low_income",
    "pct_non_dutch_origin",
)


def provenance(*sources, kind="real", levels=("wijk",)):
    return Provenance(kind, tuple(sources), levels)


RIVM = Source("rivm-gezondheid", 2016, 2020, "rivm.csv", variant="18+", variables=RIVM_VARIABLES)
KWB = Source("kwb", 2022, 2022, "kwb.xlsx", variant="workbook", variables=KWB_VARIABLES)
PROFILE = Source(
    "rotterdam-wijkprofiel",
    2014,
    None,
    "wp.xls",
    variant="wijkprofiel",
    variables=("pct_volunteering", "pct_active_for_neighbourhood", "pct_long_term_residents"),
)
CONTEXT = Source(
    "rotterdam-wijkprofiel",
    2015,
    None,
    "context.xls",
    variant="context",
    variables=("population", "pct_owner_occupied", "pct_students"),
)
BBGA = Source(
    "amsterdam-bbga",
    2018,
    None,
    "bbga.csv",
    variant="data",
    variables=("population", "pct_owner_occupied", "pct_volunteering", "social_cohesion"),
)


def test_every_variable_and_study_variable_has_a_known_concept():
    known = set(vardict.concepts())
    for name, entry in vardict.variables().items():
        assert entry.get("concept") in known, name
    for name, entry in vardict.study_variables().items():
        assert entry.get("concept") in known and entry.get("built_from"), name
        assert all(part in vardict.variables() for part in entry["built_from"]), name


def test_every_dataset_says_how_it_measured_and_every_model_lists_known_concepts():
    known = set(vardict.concepts())
    for model in measurement_models().values():
        assert model["citation"] and model["how"] and set(model["predictors"]) <= known
    for dataset in datasets().values():
        assert dataset.measurement.get("kind") in ev.MEASUREMENT_KINDS, dataset.name
        if dataset.measurement["kind"] == "model-based":
            assert dataset.measurement["model"] in measurement_models()
    # RIVM's small-area model uses the composition the national tests are about
    assert {"age", "household type", "home ownership", "origin", "income", "students"} <= set(
        measurement_models()["rivm-smap"]["predictors"]
    )


@pytest.mark.parametrize(
    "sources, outcome, term, built_from, expected",
    [
        ((KWB, RIVM), "pct_volunteering", "pct_owner_occupied", None, ev.MODEL_IMPLIED),
        ((KWB, RIVM), "pct_volunteering", "pct_age_15_24", None, ev.MODEL_IMPLIED),
        ((KWB, RIVM), "pct_volunteering", "pct_single_person_households", None, ev.MODEL_IMPLIED),
        ((KWB, RIVM), "pct_volunteering", "problem:pct_non_dutch_origin", None, ev.MODEL_IMPLIED),
        # a livability class from the Leefbaarometer lies outside RIVM's model; the income proxy does not
        ((KWB, RIVM), "pct_volunteering", "problem", None, ev.MODEL_BASED),
        (
            (KWB, RIVM),
            "pct_volunteering",
            "problem",
            {"problem": ["pct_difficulty_making_ends_meet", "pct_low_income"]},
            ev.MODEL_IMPLIED,
        ),
        # an outcome that compares age groups carries the model's age effect, whatever the predictor
        ((KWB, RIVM), "gap_65", "problem", None, ev.MODEL_IMPLIED),
        # a predictor the dictionary does not know cannot be shown to lie outside the model
        ((KWB, RIVM), "pct_volunteering", "mystery_share", None, ev.MODEL_IMPLIED),
        ((PROFILE, CONTEXT), "pct_active_for_neighbourhood", "pct_owner_occupied", None, ev.DIRECT),
        ((PROFILE, CONTEXT), "pct_volunteering", "pct_students", None, ev.DIRECT),
        ((BBGA,), "pct_volunteering", "pct_owner_occupied", None, ev.DIRECT),
        ((BBGA,), "pct_owner_occupied", "population", None, ev.REGISTER),
    ],
)
def test_the_evidence_rule(sources, outcome, term, built_from, expected):
    found = ev.classify(provenance(*sources), outcome, term, built_from=built_from)
    assert found.kind == expected, found.reason
    assert found.counted == (expected in ev.COUNTED)


def test_model_implied_names_the_shared_predictors_and_the_outcome_source_apart_from_the_composition():
    found = ev.classify(provenance(KWB, RIVM), "pct_volunteering", "pct_owner_occupied")
    assert "home ownership" in found.reason and "SMAP" in found.reason
    assert found.outcome_source == "rivm-gezondheid 2016" and found.composition == "kwb 2022"
    # a Rotterdam wave's outcome is the Wijkprofiel of that year, not the 2015 context sheet
    survey = ev.classify(provenance(PROFILE, CONTEXT), "pct_volunteering", "pct_owner_occupied")
    assert survey.outcome_source == "rotterdam-wijkprofiel 2014" and survey.composition == "rotterdam-wijkprofiel 2015"


def test_synthetic_unknown_case_and_resident_data():
    assert ev.classify(provenance(RIVM, kind="synthetic"), "pct_volunteering", "x").kind == ev.METHOD_CHECK
    assert ev.classify(provenance(RIVM, kind="unknown"), "pct_volunteering", "x").kind == ev.UNKNOWN
    assert ev.classify(provenance(PROFILE), "pct_long_term_residents", "case", rule="case").kind == ev.CASE
    survey = Source("woon", 2021, None, "woon.sav", variables=("participates", "owner"))
    assert ev.classify(provenance(survey, levels=("resident",)), "participates", "owner").kind == ev.DIRECT


def test_an_independent_sample_is_outcome_source_wave_and_population():
    rivm_2016 = ev.classify(provenance(KWB, RIVM), "pct_volunteering", "pct_owner_occupied")
    rivm_2020 = ev.classify(
        provenance(KWB, Source("rivm-gezondheid", 2020, 2020, "r20.csv", variant="18+", variables=RIVM_VARIABLES)),
        "pct_volunteering",
        "pct_age_15_24",
    )
    assert ev.sample_of(rivm_2016, fd.NATIONAL, "real") == "rivm-gezondheid 2016 · the Netherlands"
    assert ev.sample_of(rivm_2016, fd.NATIONAL, "real") != ev.sample_of(rivm_2020, fd.NATIONAL, "real")
    assert ev.sample_of(rivm_2016, "Utrecht (GM0344)", "real") != ev.sample_of(rivm_2016, fd.NATIONAL, "real")


def _areas(seed=1, n=60):
    rng = np.random.default_rng(seed)
    table = pd.DataFrame({"pct_owner_occupied": rng.uniform(20, 80, n), "population": rng.integers(500, 5000, n)})
    table["pct_volunteering"] = 10 + 0.2 * table["pct_owner_occupied"] + rng.normal(0, 2, n)
    table["level"] = "wijk"
    return table


def test_a_finding_test_carries_its_evidence_kind_and_sample_from_the_tables_provenance():
    national = attach(_areas(), provenance(KWB, RIVM))
    fit = area_regression("pct_volunteering ~ pct_owner_occupied", national, weights="population")
    test = fd.from_model("F3", fit, "pct_owner_occupied", label="toy national", scope=fd.NATIONAL)
    assert test.evidence == ev.MODEL_IMPLIED and not test.counted_kind
    assert test.sample == "rivm-gezondheid 2016 · the Netherlands" and test.outcome == "pct_volunteering"
    assert test.estimator == "weighted regression" and test.expected_sign == 1
    rotterdam = attach(
        _areas(2).rename(columns={"pct_volunteering": "pct_active_for_neighbourhood"}), provenance(PROFILE, CONTEXT)
    )
    fit = area_regression("pct_active_for_neighbourhood ~ pct_owner_occupied", rotterdam, weights="population")
    test = fd.from_model("F3", fit, "pct_owner_occupied", label="toy Rotterdam", scope="Rotterdam (GM0599)")
    assert test.evidence == ev.DIRECT and test.counted_kind
    assert test.sample == "rotterdam-wijkprofiel 2014 · Rotterdam (GM0599)"
