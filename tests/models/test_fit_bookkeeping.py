"""A model's bookkeeping around the fit, made cheap without changing a number (issue 28): the coefficient table's
quantiles and p-values computed for all terms at once, a formula's parse kept per formula text, the complete rows found
column by column. Each gives what the per-term, uncached or pandas path gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import patsy
import pytest
from scipy import stats

from wijkstudie.core.errors import ArgumentError
from wijkstudie.models import result as mr


def _per_term(params: pd.Series, se: pd.Series, distributions: dict) -> pd.DataFrame:
    """The table term by term, each from its own frozen scipy distribution (what the table means)."""
    rows = {}
    for term in params.index:
        frozen = mr.reference_distribution(distributions[term])
        q = float(frozen.ppf(0.975))
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.float64(params[term]) / se[term]
        p = float(2 * frozen.sf(abs(z))) if np.isfinite(z) else np.nan
        rows[term] = {"ci_low": params[term] - q * se[term], "ci_high": params[term] + q * se[term], "p_value": p}
    return pd.DataFrame.from_dict(rows, orient="index")


@pytest.mark.parametrize("seed", range(6))
def test_the_table_gives_every_term_exactly_what_its_own_distribution_gives(seed):
    rng = np.random.default_rng(seed)
    terms = ["Intercept", "a", "b", "c", "d"]
    params = pd.Series(rng.normal(size=5) * 3, index=terms)
    se = pd.Series(np.abs(rng.normal(size=5)), index=terms)
    se["c"] = 0.0  # no error: no p-value (z is infinite)
    # CR2 gives every term its own degrees of freedom; a spatial model mixes in a normal term
    distributions = {t: f"t({rng.uniform(2, 80)})" for t in terms} | {"b": "normal", "d": "t(41)"}
    table = mr.coefficient_table(params, se[::-1], pd.Series(distributions), params * 0.5)  # se in another order
    expected = _per_term(params, se, distributions)
    for column in ("ci_low", "ci_high", "p_value"):
        # exactly: the same scipy function per element, not merely close
        assert np.array_equal(table[column].to_numpy(), expected[column].to_numpy(), equal_nan=True)
    assert np.isnan(table.loc["c", "p_value"])
    assert table["std_error"].tolist() == se[terms].tolist()
    assert table["distribution"].tolist() == [distributions[t] for t in terms]
    columns = ["estimate", "std_error", "ci_low", "ci_high", "p_value", "std_estimate", "distribution"]
    assert list(table.columns) == columns
    assert table["std_estimate"].tolist() == (params * 0.5).tolist()


def test_one_distribution_for_all_terms_and_no_standardised_estimates():
    params = pd.Series([1.0, -2.0], index=["Intercept", "x"])
    se = pd.Series([0.5, 0.4], index=params.index)
    table = mr.coefficient_table(params, se, "t(30)")
    expected = _per_term(params, se, dict.fromkeys(params.index, "t(30)"))
    assert np.array_equal(table["p_value"].to_numpy(), expected["p_value"].to_numpy())
    assert table["std_estimate"].isna().all() and set(table["distribution"]) == {"t(30)"}
    assert mr.coefficient_table(params.iloc[:0], se.iloc[:0], "normal").empty


def test_reference_distributions_are_still_frozen_and_other_names_refused():
    assert mr.reference_distribution("normal") is stats.norm
    frozen = mr.reference_distribution("t(12.5)")
    assert frozen.args == (12.5,) and frozen.ppf(0.975) == stats.t(12.5).ppf(0.975)
    with pytest.raises(ArgumentError, match="unknown reference distribution 'chi2'"):
        mr.reference_distribution("chi2")
    with pytest.raises(ArgumentError, match="unknown reference distribution"):
        mr.coefficient_table(pd.Series([1.0], index=["x"]), pd.Series([1.0], index=["x"]), "t(x)")


def test_a_formulas_parse_is_kept_per_text_and_never_handed_out_to_be_changed():
    first = mr.formula_variables("y ~ np.log(x) + C(g)")
    first.append("changed")  # a caller's list: the kept parse is not it
    assert mr.formula_variables("y ~ np.log(x) + C(g)") == ["y", "x", "g"]
    assert mr.formula_variables("y ~ x2 + z") == ["y", "x2", "z"]  # another text, its own parse
    assert mr.formula_variables("y ~ ~") == []  # patsy cannot parse it: patsy's own error says why later


def test_formula_columns_read_each_tables_own_columns():
    assert mr.formula_columns("y ~ x", pd.DataFrame(columns=["x", "pct_x", "y"])) == ["x", "y"]
    assert mr.formula_columns("y ~ x", pd.DataFrame(columns=["y", "z"])) == ["y"]  # the same formula, another table
    assert mr.formula_columns("y ~ pct_x", pd.DataFrame(columns=["x", "pct_x", "y"])) == ["pct_x", "y"]


def test_a_formulas_names_resolve_in_each_callers_namespace():
    def caller_with(value):
        cutoff = value  # noqa: F841 (read by the formula's namespace)
        return mr.formula_namespace("y ~ np.minimum(x, cutoff)", patsy.EvalEnvironment.capture(0))

    assert caller_with(3)["cutoff"] == 3 and caller_with(5)["cutoff"] == 5  # the same text, two namespaces
    assert caller_with(3)["np"] is np
    assert "x" not in caller_with(3)  # a column, not a name of the caller's


def _table():
    table = pd.DataFrame(
        {
            "y": [1.0, np.nan, 3.0, 4.0, 5.0, 6.0],
            "x": pd.array([1, 2, None, 4, 5, 6], dtype="Int64"),
            "g": pd.array(["a", "b", "a", None, "b", "a"], dtype="string"),
            "c": pd.Categorical(["u", "v", "u", "v", None, "u"]),
            "o": [None, "p", "q", "r", "s", "t"],
            "w": [1.0, 2.0, 3.0, 4.0, 5.0, np.nan],
            "wide": ["text"] * 6,
        },
        index=[10, 11, 12, 13, 14, 15],
    )
    table.attrs["note"] = {"kept": True}
    return table


@pytest.mark.parametrize(
    "formula, extra",
    [("y ~ x + g", ["w"]), ("y ~ C(c)", []), ("y ~ o", []), ("w ~ 1", []), ("y ~ x + g + C(c) + o", ["w"])],
)
def test_complete_rows_are_the_rows_pandas_dropna_keeps(formula, extra):
    table = _table()
    used = mr.complete_rows(formula, table, extra)
    columns = [c for c in table.columns if c in extra or c in mr.formula_columns(formula, table)]
    assert used.index.tolist() == table.dropna(subset=columns).index.tolist()
    assert list(used.columns) == list(table.columns) and used.attrs == {"note": {"kept": True}}
    assert used is not table and used.attrs["note"] is not table.attrs["note"]  # copied once, as pandas would
    used.attrs["note"]["kept"] = False
    assert table.attrs == {"note": {"kept": True}}
    assert used["wide"].tolist() == ["text"] * len(used)


def test_without_missing_is_dropna_also_for_repeated_names_and_no_columns():
    table = _table()
    for columns in (["y", "x", "g", "c", "o"], ["w"], []):
        pd.testing.assert_frame_equal(mr._without_missing(table, columns), table.dropna(subset=columns))
    assert mr._without_missing(table, ["wide"]) is table  # nothing dropped: the table itself
    twice = pd.concat([table[["y"]], table[["y", "x"]]], axis=1)  # a name twice: pandas' own dropna decides
    pd.testing.assert_frame_equal(mr._without_missing(twice, ["y"]), twice.dropna(subset=["y"]))
