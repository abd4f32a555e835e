"""patsy's per-fit work cut without changing a number (issue 28): inside the package's fits, ``C()`` of a numeric
column gets its levels and numbers from its distinct values, and a numerical factor's NA mask is taken in numpy
(models.categorical_codes, models.numerical_missing). Each gives the levels, arrays, design matrices and fits patsy's
own paths give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import patsy
import patsy.missing
import pytest
from patsy.categorical import _CategoricalBox

from wijkstudie.models import area_regression, categorical_codes, numerical_missing


@pytest.fixture
def table():
    rng = np.random.default_rng(11)
    n = 240
    return pd.DataFrame(
        {
            "y": rng.normal(size=n),
            "x": rng.normal(size=n),
            "z": rng.uniform(-0.5, 3, size=n),  # np.log(z) is NaN where z < 0: rows patsy drops
            "year": rng.choice([2014.0, 2016.0, 2018.0, 2020.0], size=n),
            "wave": rng.choice([3, 1, 2], size=n),
            "region": rng.choice(list("abcdefghij"), size=n),
            "population": rng.integers(100, 5000, size=n),
        },
        index=pd.RangeIndex(100, 100 + n) * 3,  # not 0..n-1: the index must come through unchanged
    )


@pytest.fixture
def patsys_own_paths(monkeypatch):
    """patsy's own per-value conversion, level sniffing and pandas NA mask (the fast paths decline everything)."""
    monkeypatch.setattr(categorical_codes, "codes_or_none", lambda data, levels: None)
    monkeypatch.setattr(categorical_codes, "levels_or_none", lambda data: None)
    monkeypatch.setattr(numerical_missing, "missing_rows_or_none", lambda values, na_types: None)


@pytest.mark.parametrize(
    "values",
    [
        pd.DataFrame({"a": [1.0, np.nan, 3.0, 4.0]}, index=[7, 5, 3, 1]),
        pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [np.nan, 2.0, np.inf, 1.0]}),
        pd.DataFrame({"a": [1, 2, 3, 4]}),
        np.array([[1.0], [np.nan], [2.0], [-np.inf]]),
        np.array([0.5, np.nan, 2.0, 1.0]),
    ],
)
@pytest.mark.parametrize("na_types", [("None", "NaN"), ("None",), ()])
def test_the_missing_rows_are_patsys_rows(values, na_types):
    action = patsy.missing.NAAction(NA_types=na_types)
    ours = numerical_missing.missing_rows_or_none(values, action.NA_types)
    assert isinstance(ours, np.ndarray) and ours.dtype == np.dtype(bool)
    assert ours.tolist() == np.asarray(action.is_numerical_NA(values)).tolist()


def test_values_numpy_cannot_read_plainly_are_left_to_patsy():
    nullable = pd.DataFrame({"a": pd.array([1.5, None, 2.0], dtype="Float64")})
    assert numerical_missing.missing_rows_or_none(nullable, ("NaN",)) is None
    assert numerical_missing.missing_rows_or_none(np.array([[1 + 2j]]), ("NaN",)) is None


@pytest.mark.parametrize("column", ["year", "wave"])
@pytest.mark.parametrize("levels", [None, "reversed", "more"])
def test_a_numeric_columns_numbers_are_patsys_numbers_of_every_value(table, column, levels):
    present = tuple(sorted(table[column].unique().tolist()))
    levels = {None: present, "reversed": present[::-1], "more": (0, *present, 9999)}[levels]
    box = _CategoricalBox(table[column], None, None)
    fast = categorical_codes.codes_or_none(box, levels)
    slow = patsy.categorical.categorical_to_int(box, levels, patsy.missing.NAAction())
    assert fast.dtype == np.dtype(int)
    assert fast.tolist() == np.asarray(slow).tolist()


def test_patsy_numbers_a_numeric_column_itself_where_the_values_would_not_say(table):
    levels = tuple(sorted(table["year"].unique().tolist()))
    assert categorical_codes.codes_or_none(_CategoricalBox(table["year"], None, None), levels[1:]) is None  # outside
    missing = table["year"].copy()
    missing.iloc[4] = np.nan
    assert categorical_codes.codes_or_none(_CategoricalBox(missing, None, None), levels) is None  # NA rules
    assert categorical_codes.codes_or_none(table["year"], levels) is None  # unboxed: numerical to patsy
    nullable = table["wave"].astype("Int64")
    assert categorical_codes.codes_or_none(_CategoricalBox(nullable, None, None), (1, 2, 3)) is None


def _sniffed(data):
    """Whether patsy's level sniffer is done after ``data``, and the levels and contrast it found."""
    from patsy.categorical import CategoricalSniffer

    sniffer = CategoricalSniffer(patsy.missing.NAAction())
    done = sniffer.sniff(data)
    return done, sniffer.levels_contrast()


@pytest.mark.parametrize(
    "values",
    [
        [2016.0, 2014.0, 2016.0, 2020.0],
        [3, 1, 2, 3, 1],
        [1, 0, 0, 1],  # patsy reads these as bools: it stops looking for more levels
        np.array([7, 5, 7], dtype=np.uint8),
        np.array([0.1, 0.25, 0.1], dtype=np.float32),
        [0.0, 1.5, 0.0],
    ],
)
def test_a_numeric_columns_levels_are_the_ones_patsy_sniffs(values):
    box = patsy.builtins.C(pd.Series(values, index=range(10, 10 + len(values))), patsy.Sum)
    assert categorical_codes.levels_or_none(box) is not None
    with categorical_codes.codes_in_patsy():
        fast = _sniffed(box)
    slow = _sniffed(box)
    assert fast == slow
    assert [type(level) for level in fast[1][0]] == [type(level) for level in slow[1][0]]


def test_patsy_sniffs_itself_what_the_distinct_values_would_not_say():
    C = patsy.builtins.C
    assert categorical_codes.levels_or_none(C(pd.Series([1.0, np.nan, 2.0]))) is None  # NA rules
    assert categorical_codes.levels_or_none(C(pd.Series([0.0, -0.0, 2.0]))) is None  # which zero: the rows' order
    assert categorical_codes.levels_or_none(C(pd.Series([1, 2]), levels=[2, 1])) is None  # levels given
    assert categorical_codes.levels_or_none(C(pd.Series(["a", "b"]))) is None
    assert categorical_codes.levels_or_none(C(pd.Series([1, 2], dtype="Int64"))) is None
    assert categorical_codes.levels_or_none(pd.Series([1, 2])) is None  # unboxed


@pytest.mark.parametrize(
    "formula",
    [
        "y ~ x + np.log(z)",  # numerical only, rows dropped by a transform
        "y ~ x + C(year)",
        "y ~ np.log(z) * C(wave) + C(region)",
        "y ~ C(year, Treatment(2018.0)) + x:np.log(z)",
    ],
)
@pytest.mark.filterwarnings("ignore:invalid value encountered in log:RuntimeWarning")
def test_a_design_is_the_one_patsy_builds_itself(table, formula):
    with categorical_codes.codes_in_patsy():
        fast = patsy.dmatrices(formula, table, return_type="dataframe")
    slow = patsy.dmatrices(formula, table, return_type="dataframe")
    for ours, theirs in zip(fast, slow, strict=True):
        pd.testing.assert_frame_equal(ours, theirs, check_exact=True)
        assert ours.design_info.column_names == theirs.design_info.column_names
    if "log" in formula:
        assert len(fast[1]) == (table["z"] >= 0).sum() < len(table)


def _fit_facts(result) -> dict:
    fit = result.fitted
    return {
        "table": result.table,
        "params": fit.params,
        "bse": fit.bse,
        "pvalues": fit.pvalues,
        "exog": pd.DataFrame(fit.model.exog, columns=fit.model.exog_names),
        "rows": fit.model.data.row_labels.tolist(),
        "columns": fit.model.data.model_spec.column_names,
        "levels": {
            f.name(): info.categories for f, info in fit.model.data.model_spec.factor_infos.items() if info.categories
        },
        "formula": fit.model.formula,
        "n": result.n,
    }


@pytest.mark.parametrize(
    ("formula", "options"),
    [
        ("y ~ x + np.log(z + 1)", {"weights": "population"}),
        ("y ~ x + np.log(z) + C(year)", {}),  # rows dropped by the transform
        ("y ~ x + C(year) + C(wave)", {"cluster": "region"}),
        ("y ~ np.log(z + 1) + C(year)", {"cluster": "region", "cluster_correction": "CR2", "weights": "population"}),
    ],
)
@pytest.mark.parametrize("rows", ["all", "without 2016"])
@pytest.mark.filterwarnings("ignore:invalid value encountered in log:RuntimeWarning")
def test_a_fit_is_the_one_patsys_own_paths_give(table, formula, options, rows, request):
    """The same estimates, errors, p-values, design, rows and patsy levels (exactly); a subset lacking a year has
    patsy's levels of that subset, as before."""
    data = table if rows == "all" else table[table["year"] != 2016.0]
    fast = _fit_facts(area_regression(formula, data, **options))
    request.getfixturevalue("patsys_own_paths")
    slow = _fit_facts(area_regression(formula, data, **options))
    pd.testing.assert_frame_equal(fast.pop("table"), slow.pop("table"), check_exact=True)
    pd.testing.assert_frame_equal(fast.pop("exog"), slow.pop("exog"), check_exact=True)
    for key in ("params", "bse", "pvalues"):
        pd.testing.assert_series_equal(fast.pop(key), slow.pop(key), check_exact=True)
    assert fast == slow
    if "C(year)" in formula:
        assert fast["levels"]["C(year)"] == tuple(sorted(data["year"].unique().tolist()))


def test_patsys_na_mask_and_sniffer_are_changed_only_while_the_packages_own_models_fit(table):
    from patsy.categorical import CategoricalSniffer

    before = (patsy.missing.NAAction.is_numerical_NA, CategoricalSniffer.sniff)
    area_regression("y ~ x + np.log(z + 1) + C(year)", table)
    assert (patsy.missing.NAAction.is_numerical_NA, CategoricalSniffer.sniff) == before
    with categorical_codes.codes_in_patsy(), categorical_codes.codes_in_patsy():
        assert patsy.missing.NAAction.is_numerical_NA is not before[0] and CategoricalSniffer.sniff is not before[1]
    assert (patsy.missing.NAAction.is_numerical_NA, CategoricalSniffer.sniff) == before
