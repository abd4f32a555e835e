"""Each model recovers a known answer from data with a planted effect."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from shapely.geometry import box

import wijkstudie as ws
from wijkstudie.models import (
    area_regression,
    cronbach_alpha,
    lisa,
    morans_i,
    multilevel,
    scale_score,
    spatial_models,
    spatial_weights,
    within_estimate,
)


@pytest.fixture
def rng():
    return np.random.default_rng(42)


def test_area_regression_recovers_a_planted_slope(rng):
    n = 3000
    x = rng.normal(50, 10, n)
    z = rng.normal(0, 1, n)
    w = rng.integers(100, 5000, n).astype(float)
    y = 10 + 0.3 * x - 2.0 * z + rng.normal(0, 5, n) / np.sqrt(w / w.mean())  # noise shrinks with weight
    res = area_regression("y ~ x + z", pd.DataFrame({"y": y, "x": x, "z": z, "population": w}), weights="population")
    for term, truth in (("x", 0.3), ("z", -2.0)):
        row = res.term(term)
        assert row["ci_low"] < truth < row["ci_high"]
        assert abs(row["estimate"] - truth) < 0.05 * abs(truth) + 0.02
    assert res.n == n and 0 < res.r2 < 1


def test_standardised_coefficient_of_a_single_predictor_is_the_correlation(rng):
    x = rng.normal(size=500)
    y = 0.5 * x + rng.normal(size=500)
    res = area_regression("y ~ x", pd.DataFrame({"x": x, "y": y}))
    assert res.term("x")["std_estimate"] == pytest.approx(np.corrcoef(x, y)[0, 1], abs=1e-9)


def test_rows_with_missing_values_or_weights_are_left_out(rng):
    data = pd.DataFrame(
        {
            "y": [1.0, 2, 3, 4, 5, 6, 7, np.nan],
            "x": [1.0, 2, 3, 4, 5, 6, 7, 8],
            "population": [1.0, 1, 1, 1, 1, 1, np.nan, 1],
        }
    )
    assert area_regression("y ~ x", data, weights="population").n == 6


@pytest.mark.parametrize("weights, cluster", [("population", None), ("population", "g"), (None, "g"), (None, None)])
def test_rows_a_transform_makes_missing_are_left_out_with_their_weights_and_clusters(rng, weights, cluster):
    n = 120
    data = pd.DataFrame({"x": rng.normal(size=n), "g": np.repeat(np.arange(24), 5), "population": rng.uniform(1, 5, n)})
    data["y"] = 1 + 2 * np.log(np.abs(data["x"])) + rng.normal(0, 0.1, n)  # a value in every row
    with np.errstate(invalid="ignore"):  # the log of a negative number: NaN, a row patsy leaves out
        fit = area_regression("y ~ np.log(x)", data, weights=weights, cluster=cluster)
    kept = data[data["x"] > 0].assign(log_x=lambda d: np.log(d["x"]))
    same = area_regression("y ~ log_x", kept, weights=weights, cluster=cluster)  # the rows the log leaves
    assert fit.n == same.n == len(kept) < n
    for column in ("estimate", "std_error", "p_value", "std_estimate"):
        np.testing.assert_allclose(fit.table[column].to_numpy(), same.table[column].to_numpy(), rtol=1e-12)
    assert fit.term("np.log(x)")["estimate"] == pytest.approx(2, abs=0.1)  # the planted slope


def panel(rng, areas=40, years=6, beta=0.8):
    ids = np.repeat(np.arange(areas), years)
    year = np.tile(np.arange(2012, 2012 + years), areas)
    alpha = rng.normal(0, 5, areas)[ids]
    x = alpha * 0.5 + rng.normal(0, 1, ids.size)  # x correlates with the area effect: pooled OLS is biased
    y = alpha + beta * x + 0.1 * (year - 2012) + rng.normal(0, 0.5, ids.size)
    return pd.DataFrame({"region_code": [f"DX{i:02d}" for i in ids], "year": year, "x": x, "y": y})


def test_within_estimate_equals_ols_with_area_dummies(rng):
    data = panel(rng)
    fe = within_estimate("y ~ x", data, cov_type="nonrobust")
    dummies = smf.ols("y ~ x + C(region_code)", data).fit()
    assert fe.term("x")["estimate"] == pytest.approx(dummies.params["x"], rel=1e-10)
    assert fe.term("x")["std_error"] == pytest.approx(dummies.bse["x"], rel=1e-8)


def test_within_estimate_with_year_effects_equals_two_way_dummies(rng):
    data = panel(rng)
    fe = within_estimate("y ~ x", data, time="year", cov_type="nonrobust")
    dummies = smf.ols("y ~ x + C(region_code) + C(year)", data).fit()
    assert fe.term("x")["estimate"] == pytest.approx(dummies.params["x"], rel=1e-8)
    assert fe.term("x")["std_error"] == pytest.approx(dummies.bse["x"], rel=1e-6)


def test_within_estimate_removes_area_confounding(rng):
    data = panel(rng, beta=0.8)
    pooled = smf.ols("y ~ x", data).fit().params["x"]
    fe = within_estimate("y ~ x", data)
    assert abs(pooled - 0.8) > 0.5  # the pooled slope is badly biased ...
    assert fe.term("x")["ci_low"] < 0.8 < fe.term("x")["ci_high"]  # ... the within slope is not


def test_multilevel_recovers_slope_and_group_variance(rng):
    groups, per = 150, 30
    g = np.repeat(np.arange(groups), per)
    effects = rng.normal(0, 2.0, groups)  # group variance 4
    u = effects[g]
    x = rng.normal(0, 1, g.size)
    y = 5 + 1.5 * x + u + rng.normal(0, 1.0, g.size)  # residual variance 1, ICC 0.8
    res = multilevel("y ~ x", pd.DataFrame({"y": y, "x": x, "gemeente_code": g}), group="gemeente_code")
    assert res.term("x")["ci_low"] < 1.5 < res.term("x")["ci_high"]
    # the realised variance of the drawn group effects is the parameter this sample can recover
    realised = effects.var(ddof=1)
    assert res.extra["group_variance"] == pytest.approx(realised, rel=0.1)
    assert res.extra["icc"] == pytest.approx(realised / (realised + 1.0), abs=0.03)
    assert res.extra["converged"]


def test_multilevel_without_a_group_effect_still_recovers_the_slope():
    # what the synthetic world's wijken give: few groups, no variance between them once the covariates are
    # in; L-BFGS meets a singular gradient there
    import wijkstudie as ws
    from wijkstudie import study

    with ws.settings.using(data="synthetic", synthetic_mirror=ws.synthetic.mirror()):
        wijken = study.national_wijken(2020)
    formula = study.model_spec("F3", "national").formula()
    res = multilevel(formula, wijken, group="gemeente_code")
    ols = smf.ols(formula, study.complete(wijken, formula)).fit()
    assert res.extra["optimiser"] == "powell" and res.extra["group_variance"] < 1e-4
    # with no group variance the multilevel estimate is the least-squares one
    assert res.term("pct_owner_occupied")["estimate"] == pytest.approx(ols.params["pct_owner_occupied"], abs=1e-4)


def grid(n=20):
    cells = [box(i, j, i + 1, j + 1) for i in range(n) for j in range(n)]
    gdf = gpd.GeoDataFrame(
        {"i": [i for i in range(n) for _ in range(n)], "j": list(range(n)) * n}, geometry=cells, crs=28992
    )
    return gdf


def test_morans_i_finds_a_planted_pattern_and_not_a_shuffled_one(rng):
    gdf = grid()
    w = spatial_weights(gdf)
    pattern = gdf["i"] + gdf["j"] + rng.normal(0, 2, len(gdf))
    planted = morans_i(pattern, w)
    shuffled = morans_i(rng.permutation(pattern.to_numpy()), w)
    assert planted["I"] > 0.5 and planted["p_value"] < 0.01
    assert shuffled["p_value"] > 0.05 and abs(shuffled["I"]) < 0.1


def test_spatial_weights_of_the_same_areas_are_each_their_own():
    gdf = grid(6)
    first = spatial_weights(gdf)
    first.transform = "b"  # a caller that changes its weights
    second = spatial_weights(gdf)  # kept in this session: the same areas, row-standardised as ever
    assert second.transform == "R" and second is not first
    assert all(sum(values) == pytest.approx(1.0) for values in second.weights.values())
    assert all(v == 1.0 for values in first.weights.values() for v in values)
    assert np.asarray(second.sparse.sum(axis=1)).ravel() == pytest.approx(1.0) and first.sparse.max() == 1.0


def test_lisa_labels_the_hot_corner(rng):
    gdf = grid(12)
    values = np.where((gdf["i"] < 4) & (gdf["j"] < 4), 10.0, 0.0) + rng.normal(0, 0.5, len(gdf))
    labels = lisa(values, spatial_weights(gdf))
    corner = (gdf["i"] < 3) & (gdf["j"] < 3)
    assert (labels[corner.to_numpy()] == "high-high").mean() > 0.8


def test_spatial_error_model_recovers_the_slope_under_autocorrelated_errors(rng):
    gdf = grid(25)
    w = spatial_weights(gdf)
    from libpysal.weights import lag_spatial

    eps = rng.normal(0, 1, len(gdf))
    e = eps.copy()
    for _ in range(60):  # solve u = 0.7 W u + eps by fixed-point iteration
        e = 0.7 * lag_spatial(w, e) + eps
    gdf["x"] = rng.normal(0, 1, len(gdf))
    gdf["y"] = 2 + 1.0 * gdf["x"] + e
    out = spatial_models("y ~ x", gdf, w)
    err = out["spatial error"]
    assert err.extra["spatially_autocorrelated"] and set(out) == {"OLS", "spatial error", "spatial lag"}
    assert err.term("x")["ci_low"] < 1.0 < err.term("x")["ci_high"]
    assert err.term("lambda")["ci_low"] < 0.7 < err.term("lambda")["ci_high"]
    assert err.extra["lambda"][1] < 0.7 < err.extra["lambda"][2]
    assert out["OLS"].table["distribution"].iloc[0] == f"t({len(gdf) - 2})"


def test_cronbach_alpha_of_parallel_items(rng):
    true = rng.normal(size=2000)
    items = pd.DataFrame({f"i{k}": true + rng.normal(0, 1, 2000) for k in range(4)})
    # parallel items with reliability 0.5 each: alpha = 4 * 0.5 / (1 + 3 * 0.5) = 0.8
    assert cronbach_alpha(items) == pytest.approx(0.8, abs=0.02)
    noise = pd.DataFrame({f"i{k}": rng.normal(size=2000) for k in range(4)})
    assert abs(cronbach_alpha(noise)) < 0.1
    score = scale_score(items)
    assert np.corrcoef(score, true)[0, 1] > 0.85


def test_an_unknown_covariance_type_is_an_argument_error_not_silently_another(rng):
    areas = pd.DataFrame({"x": rng.normal(size=40), "g": np.repeat(np.arange(10), 4)})
    areas["y"] = areas["x"] + rng.normal(size=40)
    with pytest.raises(ws.ArgumentError, match="cov_type must be one of HC3, .*not 'banana'"):
        area_regression("y ~ x", areas, cov_type="banana")
    with pytest.raises(ws.ArgumentError, match="cov_type must be 'cluster' or 'nonrobust', not 'HC3'"):
        within_estimate("y ~ x", areas, entity="g", cov_type="HC3")
    hc1 = area_regression("y ~ x", areas, cov_type="HC1").table.loc["x", "std_error"]
    assert hc1 == pytest.approx(smf.ols("y ~ x", areas).fit(cov_type="HC1").bse["x"])


def test_formulas_may_use_numpy_functions_in_every_formula_model(rng):
    areas = pd.DataFrame({"x": rng.uniform(1, 10, 60), "g": np.repeat(np.arange(12), 5)})
    areas["y"] = 2 * np.log(areas["x"]) + rng.normal(0, 0.1, 60)
    assert area_regression("y ~ np.log(x)", areas).table.loc["np.log(x)", "estimate"] == pytest.approx(2, abs=0.1)
    assert "np.log(x)" in within_estimate("y ~ np.log(x)", areas, entity="g").table.index
    assert "np.log(x)" in multilevel("y ~ np.log(x)", areas, group="g").table.index


def test_a_model_reads_only_the_columns_its_formula_names():
    from wijkstudie.models.result import formula_columns

    table = pd.DataFrame(columns=["y", "x", "x2", "year", "region_code", "a b", "pct_x"])
    assert formula_columns('y ~ x + np.log(x2) + C(year) + Q("a b")', table) == ["y", "x", "x2", "year", "a b"]
    assert formula_columns("y ~ pct_x", table) == ["y", "pct_x"]  # x inside pct_x is not x
