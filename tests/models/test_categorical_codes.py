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


@pytest.mark.parametrize(
    "levels", [("own", "rent", "social", "other"), ("rent", "social", "own"), ("x", "own", "rent", "social")]
)
def test_levels_in_another_order_are_patsys_numbers_of_every_value(table, levels):
    """A model fitted on categories sorted otherwise (patsy's levels in another order, or more of them) predicts for
    new rows by the codes mapped to its levels: what patsy's per-value conversion gives."""
    from patsy.missing import NAAction

    box = _CategoricalBox(table["tenure"], None, None)
    fast = categorical_codes.codes_or_none(box, levels)
    slow = patsy.categorical.categorical_to_int(box, levels, NAAction())
    assert fast.dtype == np.dtype(int)
    assert fast.tolist() == np.asarray(slow).tolist()


def test_patsy_converts_what_the_codes_would_not_say(table):
    levels = ("social", "own", "rent", "other")
    box = _CategoricalBox(table["tenure"], None, None)
    assert categorical_codes.codes_or_none(box, ("own", "rent")) is None  # a value ("social") outside the levels
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
def test_a_design_is_the_one_patsy_builds_value_by_value(table, formula):
    table.loc[5, "x"] = np.nan  # a dropped row
    with categorical_codes.codes_in_patsy():
        assert patsy.build.categorical_to_int.__module__ == categorical_codes.__name__
        fast = patsy.dmatrices(formula, table, return_type="dataframe")
    slow = patsy.dmatrices(formula, table, return_type="dataframe")
    for ours, theirs in zip(fast, slow):
        pd.testing.assert_frame_equal(ours, theirs)
    assert len(fast[1]) == len(table) - 1


def test_patsy_is_changed_only_while_the_packages_own_models_fit(table):
    """Importing the package, or fitting one of its models, leaves patsy as it was for everyone else (the codes are
    read only inside a fit, nested fits included), and the model still reads its caller's namespace."""
    import importlib
    import pkgutil

    import wijkstudie

    before = (patsy.build.categorical_to_int, patsy.categorical.categorical_to_int)
    for module in pkgutil.walk_packages(wijkstudie.__path__, "wijkstudie."):
        if not module.name.endswith("__main__"):  # the command itself: it runs when imported
            importlib.import_module(module.name)
    assert (patsy.build.categorical_to_int, patsy.categorical.categorical_to_int) == before
    from wijkstudie.models import area_regression

    def halved(values):  # defined only here: resolved in this test's namespace
        return values / 2

    fit = area_regression("y ~ halved(x) + C(tenure)", table)
    assert (patsy.build.categorical_to_int, patsy.categorical.categorical_to_int) == before
    direct = area_regression("y ~ x + C(tenure)", table)
    assert fit.table.loc["halved(x)", "estimate"] == pytest.approx(2 * direct.table.loc["x", "estimate"])
    with categorical_codes.codes_in_patsy(), categorical_codes.codes_in_patsy():
        patched = patsy.build.categorical_to_int
    assert patched is not before[0] and patsy.build.categorical_to_int is before[0]
