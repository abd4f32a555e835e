"""patsy's C() of a pandas categorical read by its codes (models.categorical_codes): the same design as patsy's own
per-value conversion, and patsy's own path wherever the codes would not mean the same."""

import numpy as np
import pandas as pd
import patsy
import pytest
from patsy.categorical import _CategoricalBox

from wijkstudie.models import categorical_codes


@pytest.fixture
def table():
    rng = np.random.default_rng(7)
    tenure = pd.Categorical(rng.choice(["rent", "own", "social"], 300), categories=["social", "own", "rent", "other"])
    return pd.DataFrame({"y": rng.normal(size=300), "tenure": tenure, "x": rng.normal(size=300)})


def test_the_codes_are_patsys_levels_of_every_value(table):
    codes = categorical_codes.codes_or_none(
        _CategoricalBox(table["tenure"], None, None), ("social", "own", "rent", "other")
    )
    levels = ("social", "own", "rent", "other")
    assert codes.dtype == np.dtype(int)
    assert [levels[c] for c in codes] == list(table["tenure"].astype(str))


def test_patsy_converts_what_the_codes_would_not_say(table):
    levels = ("social", "own", "rent", "other")
    box = _CategoricalBox(table["tenure"], None, None)
    assert categorical_codes.codes_or_none(box, ("own", "rent", "social", "other")) is None  # other levels
    assert categorical_codes.codes_or_none(_CategoricalBox(table["tenure"], None, ["own"]), levels) is None
    assert categorical_codes.codes_or_none(table["tenure"], levels) is None  # unboxed: patsy's own codes
    strings = _CategoricalBox(table["tenure"].astype(str), None, None)
    assert categorical_codes.codes_or_none(strings, levels) is None  # not categorical
    missing = table["tenure"].copy()
    missing.iloc[3] = np.nan
    assert categorical_codes.codes_or_none(_CategoricalBox(missing, None, None), levels) is None  # NA rules


@pytest.mark.parametrize(
    "formula",
    [
        "y ~ C(tenure) + x",
        "y ~ C(tenure, Treatment('rent')) * x",
        "y ~ C(tenure, levels=['rent', 'own', 'social', 'other']) + x",
    ],
)
def test_a_design_is_the_one_patsy_builds_value_by_value(table, formula, monkeypatch):
    categorical_codes.install()
    table.loc[5, "x"] = np.nan  # a dropped row
    fast = patsy.dmatrices(formula, table, return_type="dataframe")
    monkeypatch.setattr(patsy.build, "categorical_to_int", categorical_codes._STATE["original"])
    slow = patsy.dmatrices(formula, table, return_type="dataframe")
    for ours, theirs in zip(fast, slow):
        pd.testing.assert_frame_equal(ours, theirs)
    assert len(fast[1]) == len(table) - 1
