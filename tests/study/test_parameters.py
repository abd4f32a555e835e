"""A notebook's parameters cell: changed parameters give the specification they name, and every test of such a run
is labelled exploratory (issue 26, item 5); the declared run carries no label."""

import json

import numpy as np
import pandas as pd
import pytest

from wijkstudie import study
from wijkstudie.core.errors import PageFitWarning
from wijkstudie.study.designs import Parameters, Waves
from wijkstudie.study.samples import DeclaredSample

from helpers import REPO


def _sample(seed=1):
    """A hand-made Rotterdam-like panel: 30 wijken, three waves, a known slope of the owner share."""
    rng = np.random.default_rng(seed)
    rows = []
    for area in range(30):
        owners = rng.uniform(10, 80)
        for year in (2014, 2016, 2018):
            rows.append(
                {
                    "region_code": f"BU0599{area:04d}",
                    "gemeente_code": "GM0599",
                    "year": year,
                    "pct_owner_occupied": owners,
                    "pct_age_65_plus": rng.uniform(5, 30),
                    "pct_non_dutch_origin": rng.uniform(10, 70),
                    "pct_active_for_neighbourhood": 5 + 0.2 * owners + rng.normal(0, 2),
                    "pct_volunteering": 10 + rng.normal(0, 2),
                    "physical_index_objective": rng.normal(100, 10),
                    "safety_index_objective": rng.normal(100, 10),
                }
            )
    table = pd.DataFrame(rows)
    from wijkstudie.study.samples import _classes

    return DeclaredSample("rotterdam-wijkprofiel", table, _classes("rotterdam-wijkprofiel", table))


def test_declared_parameters_change_nothing():
    params = Parameters()
    primary = study.declared_specs("F3", "rotterdam-wijkprofiel")[0]
    assert not params.exploratory and params.changed == {}
    assert params.apply(primary) == primary


def test_changed_parameters_name_the_specification_they_give():
    primary = study.declared_specs("F3", "rotterdam-wijkprofiel")[0]
    changed = Parameters(outcome="pct_volunteering", controls=[], share=0.3, waves="from 2020").apply(primary)
    assert (changed.outcome, changed.controls, changed.share, changed.waves) == (
        "pct_volunteering",
        (),
        0.3,
        Waves("from", 2020),
    )
    assert changed.choices["waves"] == "from 2020"
    assert changed.formula(pooled=True) == "pct_volunteering ~ pct_owner_occupied + C(year)"


def test_an_exploratory_run_labels_every_test_and_fits_what_it_names():
    sample = _sample()
    declared = study.sample_tests("F3", sample, notebook="x")
    assert declared and all(not t.exploratory for t in declared)
    params = Parameters(controls=[])
    tests = study.sample_tests("F3", sample, notebook="x", parameters=params)
    assert tests and all(t.exploratory == {"controls": []} for t in tests)
    assert any(t.choices["controls"] == "chosen" for t in tests)  # the specification the parameters give
    card = str(study.finding_card("F3", tests).data)
    assert card.startswith("**EXPLORATORY run**") and "CONTROLS = []" in card
    assert not str(study.finding_card("F3", declared).data).startswith("**EXPLORATORY")


def test_the_page_fit_is_used_only_when_it_is_the_declared_model():
    sample = _sample()
    primary = study.declared_specs("F3", sample.key)[0]
    other = Parameters(outcome="pct_volunteering").apply(primary)
    page = study.fit(other, sample)  # a reader changed the outcome on the page
    with pytest.warns(PageFitWarning, match="F3, .*the formula .*pct_volunteering") as said:
        tests = study.sample_tests("F3", sample, notebook="x", primary_results={"": page})
    first = tests[0]
    assert first.outcome == "pct_active_for_neighbourhood"  # the declared model was fitted again, not the page's
    assert first.estimate == pytest.approx(study.sample_tests("F3", sample, notebook="x")[0].estimate)
    assert said[0].message.model.startswith("F3, ") and len(said[0].message.differences) == 1


def _page_fit(sample, primary, rows=None, **options):
    """The declared primary as a notebook's page fits it (the chapters' cell), with what the reader changed."""
    from wijkstudie.models import area_regression

    formula = study.formula_of(primary, sample)
    rows = study.rows_for(primary, sample) if rows is None else rows
    return area_regression(formula, rows, **{"cluster": "region_code", **options})


def test_the_page_fit_that_is_the_declared_call_is_recorded_as_it_is():
    sample = _sample()
    primary = study.declared_specs("F3", sample.key)[0]
    page = _page_fit(sample, primary)
    assert study.sweeps.fit(primary, sample, page=page) is page  # not fitted again
    tests = study.sample_tests("F3", sample, notebook="x", primary_results={"": page})  # no warning (an error here)
    assert [t.estimate for t in tests] == [t.estimate for t in study.sample_tests("F3", sample, notebook="x")]


@pytest.mark.parametrize(
    "change, said",
    [
        ({"cluster": None}, "cluster None, not 'region_code'"),  # the reader dropped the clustered errors
        ({"weights": "pct_age_65_plus"}, "weights 'pct_age_65_plus', not None"),
        ({"cov_type": "HC1"}, "cov_type 'HC1', not 'HC3'"),
        ({"rows": "fewer"}, "other rows"),  # a reader kept only some areas
        ({"rows": "edited"}, "other values in pct_owner_occupied"),  # or changed a value
    ],
)
def test_a_page_fit_on_other_rows_or_options_is_not_recorded_as_the_declared_one(change, said):
    sample = _sample()
    primary = study.declared_specs("F3", sample.key)[0]
    declared = study.sweeps.fit(primary, sample)
    rows = study.rows_for(primary, sample)
    how = change.pop("rows", None)
    if how == "fewer":
        rows = rows.iloc[:-6]
    elif how == "edited":
        rows = rows.copy()
        rows.iloc[0, rows.columns.get_loc("pct_owner_occupied")] += 50
    page = _page_fit(sample, primary, rows, **change)
    with pytest.warns(PageFitWarning, match=said.replace("(", r"\(")):
        refitted = study.sweeps.fit(primary, sample, page=page)
    assert refitted is not page
    assert refitted.table.equals(declared.table) and refitted.call.options == declared.call.options


@pytest.mark.parametrize(
    "name",
    [
        "01_residence_and_participation",
        "02_home_ownership",
        "03_households_and_students",
        "04_trust_and_cohesion",
        "11_veiligheidsmonitor_gemeenten",
        "12_plans_area_level",
    ],
)
def test_finding_notebooks_open_with_a_parameters_cell_all_none(name):
    nb = json.loads((REPO / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    first = code[0]
    assert "parameters" in first["metadata"].get("tags", [])
    source = "".join(first["source"])
    assert "EXPLORATORY" in source  # says what a change does
    values = dict(
        line.split("#")[0].replace(" ", "").split("=", 1)
        for line in source.splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert set(values) == {"OUTCOME", "CONTROLS", "SHARE", "WAVES"} and set(values.values()) == {"None"}
    assert any("parameters=params" in "".join(c["source"]) for c in code)


def test_an_exploratory_cut_off_never_replaces_the_declared_primary():
    """The page's fit of a changed SHARE has the declared formula but other rows: it is not recorded as the primary."""
    sample = _sample()
    primary = study.declared_specs("F3", sample.key)[0]
    params = Parameters(share=0.3)
    page = study.fit(params.apply(primary), sample)  # the notebook's cell with SHARE = 0.3
    declared = study.sample_tests("F3", sample, notebook="x")[0]
    tests = study.sample_tests("F3", sample, notebook="x", primary_results={"": page}, parameters=params)
    first = next(t for t in tests if t.choices == primary.choices)
    assert first.n == declared.n != page.n and first.estimate == pytest.approx(declared.estimate)
