"""The livability class of a declared sample (study/livability.py ``direct_class``): built from direct data only, one
class per area across the waves, the worst ``share`` of the scored areas; and the real Rotterdam sample's class."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from wijkstudie.core.errors import ArgumentError
from wijkstudie.core.provenance import Provenance, Source, attach
from wijkstudie.study.livability import direct_class
from wijkstudie.study.samples import TESTED


def areas(n=10, waves=(2020, 2022), *, missing=()):
    """``n`` areas A0.. in each wave: ``good`` rises with the area's number (A0 worst), ``bad`` falls with it (A0 has
    the most nuisance), both with a small wave-to-wave wobble that never changes the order."""
    rows = []
    for wave in waves:
        for i in range(n):
            wobble = 0.1 if wave == waves[0] else -0.1
            rows.append(
                {
                    "region_code": f"A{i}",
                    "year": wave,
                    "good": np.nan if f"A{i}" in missing else 10.0 * i + wobble,
                    "bad": 100.0 - 5.0 * i + wobble,
                    "pct_owner_occupied": 30.0 + i,
                }
            )
    return pd.DataFrame(rows)


def test_the_worst_share_of_the_areas_are_problems_in_every_wave():
    table = areas(10)
    problem, definition = direct_class(table, built_from=["good"], better={"good": "high"}, share=0.2)
    assert problem.index.equals(table.index)
    per_area = table.assign(problem=problem).groupby("region_code")["problem"].agg(["min", "max"])
    assert (per_area["min"] == per_area["max"]).all()  # one class per area, whatever the wave
    assert set(table.loc[problem == 1, "region_code"]) == {"A0", "A1"}
    assert definition["problem_areas"] == 2 and definition["scored_areas"] == 10 and definition["areas"] == 10
    assert definition["built_from"] == ["good"] and definition["share"] == 0.2
    _, wider = direct_class(table, built_from=["good"], better={"good": "high"}, share=0.3)
    assert wider["problem_areas"] == 3


def test_better_low_flips_the_order():
    table = areas(10)
    high, _ = direct_class(table, built_from=["bad"], better={"bad": "high"}, share=0.2)
    low, _ = direct_class(table, built_from=["bad"], better={"bad": "low"}, share=0.2)
    assert set(table.loc[high == 1, "region_code"]) == {"A8", "A9"}  # least nuisance read as worst
    assert set(table.loc[low == 1, "region_code"]) == {"A0", "A1"}
    # two items pointing the same way after their signs: the same class as either alone
    both, definition = direct_class(table, built_from=["good", "bad"], better={"good": "high", "bad": "low"}, share=0.2)
    assert set(table.loc[both == 1, "region_code"]) == {"A0", "A1"}
    assert definition["name"] == "worst 20 % on good and bad"


def test_an_area_without_a_score_has_no_class():
    table = areas(11, missing=("A5",))
    problem, definition = direct_class(table, built_from=["good"], better={"good": "high"}, share=0.2)
    assert problem[table["region_code"] == "A5"].isna().all()
    assert problem[table["region_code"] != "A5"].notna().all()
    assert definition["scored_areas"] == 10 and definition["areas"] == 11
    assert set(table.loc[problem == 1, "region_code"]) == {"A0", "A1"}


def test_refuses_a_tested_predictor_and_a_missing_column():
    table = areas(10)
    with pytest.raises(ArgumentError, match="tested predictor") as caught:
        direct_class(table, built_from=["good", "pct_owner_occupied"], better={}, tested=TESTED)
    assert "\n" not in str(caught.value) and "pct_owner_occupied" in str(caught.value)
    with pytest.raises(ArgumentError, match="'livability_mark', which the table does not have"):
        direct_class(table, built_from=["livability_mark"], better={})


def test_refuses_a_model_based_column_by_its_provenance():
    table = areas(10)
    attach(
        table,
        Provenance(
            "real",
            (Source("kwb", 2022, variables=("bad",)), Source("rivm-gezondheid", 2020, variables=("good",))),
            ("wijk",),
        ),
    )
    with pytest.raises(ArgumentError, match=r"model-based estimate \(good of rivm-gezondheid\)"):
        direct_class(table, built_from=["good"], better={"good": "high"})
    # the register column of the same table is fine
    problem, _ = direct_class(table, built_from=["bad"], better={"bad": "low"})
    assert int(problem.sum()) == 2 * len(table["year"].unique())


@pytest.fixture(scope="module")
def rotterdam(tmp_path_factory, real_mirror):
    """The declared Rotterdam sample, read once from the real mirror (shared cache of the session)."""
    from wijkstudie.study.samples import rotterdam_sample

    base = tmp_path_factory.getbasetemp()
    session = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # conftest's shared cache
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WIJKSTUDIE_CONFIG", "none")
        patch.setenv("WIJKSTUDIE_DATA", "real")
        patch.setenv("WIJKSTUDIE_DATA_DIR", str(session / "shared-cache"))
        patch.setenv("WIJKSTUDIE_MIRROR", str(real_mirror))
        return rotterdam_sample()


def test_real_rotterdam_primary_class_keeps_56_of_71_wijken(rotterdam):
    assert rotterdam.table["region_code"].nunique() == 71
    assert rotterdam.waves == "2014–2024" and rotterdam.pooled
    problem, definition = rotterdam.classes[("primary", 0.2)]
    assert definition["built_from"] == ["physical_index_objective", "safety_index_objective"]
    assert (definition["scored_areas"], definition["problem_areas"]) == (71, 15)
    per_area = rotterdam.table.assign(problem=problem).groupby("region_code")["problem"].agg(["min", "max"])
    assert (per_area["min"] == per_area["max"]).all()
    assert int((per_area["min"] == 0).sum()) == 56
    assert "the other 56 have a positive livability" in rotterdam.scope_text()
    # the declared alternative definitions and cut-offs are all there; a wider cut-off keeps fewer
    assert len(rotterdam.classes) == 4 * 3
    assert (
        rotterdam.classes[("primary", 0.1)][1]["problem_areas"]
        < 15
        < rotterdam.classes[("primary", 0.3)][1]["problem_areas"]
    )
    # no class is built from a tested predictor or a model-based item
    for _, definition in rotterdam.classes.values():
        assert not set(definition["built_from"]) & set(TESTED)
