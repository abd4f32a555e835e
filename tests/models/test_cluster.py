"""CR2 cluster-robust errors with Bell-McCaffrey degrees of freedom (models.cluster), checked against published
results: statsmodels' HC2 (clusters of one row), the Bell-McCaffrey degrees of freedom of a difference in means that
Imbens & Kolesár (2016, REStat 98(4), eq. 10 with HC2) give in closed form, clubSandwich's identity of CR2 with
Welch's t statistic in a two-period difference-in-differences (its tests/testthat/test_lm.R), Pustejovsky & Tipton's
(2018) Theorem 2 (fixed effects nested in clusters need not enter the hat matrix), and the coverage of the intervals
on simulated clustered data."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from wijkstudie.core.errors import WijkstudieError
from wijkstudie.models import area_regression, within_estimate
from wijkstudie.models.cluster import CR2_BELOW, cr2, wild_cluster_bootstrap


def test_cr2_with_one_row_per_cluster_is_statsmodels_hc2_weighted_or_not():
    rng = np.random.default_rng(11)
    n = 40
    X = sm.add_constant(rng.normal(size=(n, 2)))
    y = X @ [1.0, 0.5, -0.3] + rng.normal(size=n) * (1 + np.abs(X[:, 1]))
    w = rng.gamma(3.0, 3.0, n)
    for fit, weights in ((sm.OLS(y, X).fit(cov_type="HC2"), None), (sm.WLS(y, X, weights=w).fit(cov_type="HC2"), w)):
        robust = cr2(X, y - X @ fit.params, np.arange(n), weights=weights)
        np.testing.assert_allclose(robust.cov.to_numpy(), fit.cov_params(), rtol=1e-10)
        assert robust.correction == "CR2" and robust.clusters == n


@pytest.mark.parametrize("n0, n1", [(4, 11), (3, 20), (10, 10)])
def test_bell_mccaffrey_df_of_a_difference_in_means_is_imbens_and_kolesars_closed_form(n0, n1):
    """HC2 of a regression on a group dummy is Welch's variance; its Bell-McCaffrey degrees of freedom (homoskedastic
    working model) are (n0 + n1)^2 (n0 - 1)(n1 - 1) / (n1^2 (n1 - 1) + n0^2 (n0 - 1)) (Imbens & Kolesár 2016)."""
    rng = np.random.default_rng(n0 * 100 + n1)
    group = np.r_[np.zeros(n0), np.ones(n1)]
    y = rng.normal(size=n0 + n1) * (1 + 2 * group)
    X = sm.add_constant(group)
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    robust = cr2(X, y - X @ b, np.arange(n0 + n1), names=["Intercept", "group"])
    expected = (n0 + n1) ** 2 * (n0 - 1) * (n1 - 1) / (n1**2 * (n1 - 1) + n0**2 * (n0 - 1))
    assert robust.df["group"] == pytest.approx(expected, rel=1e-10)
    welch = y[:n0].var(ddof=1) / n0 + y[n0:].var(ddof=1) / n1
    assert robust.cov.loc["group", "group"] == pytest.approx(welch, rel=1e-10)
    assert expected <= n0 + n1 - 2  # at most the residual degrees of freedom (equal when balanced)


def test_cr2_t_statistic_of_a_two_period_difference_in_differences_is_welchs():
    """clubSandwich's test "CR2 is equivalent to Welch t-test for DiD design": 4 control and 9 treated clusters of two
    periods, cluster and period fixed effects; the CR2 t statistic is Welch's on the clusters' differences (the
    degrees of freedom differ, as there: Bell-McCaffrey's rest on the working model, Welch's on the sample)."""
    rng = np.random.default_rng(13)
    m0, m1 = 4, 9
    m = m0 + m1
    cluster = np.repeat(np.arange(m), 2)
    period = np.tile([1, 2], m)
    treated = np.r_[np.zeros(m0), np.ones(m1)]
    trt = (period - 1) * np.repeat(treated, 2)
    y = 0.4 * trt + rng.normal(size=m)[cluster] + rng.normal(size=2 * m)
    dummies = np.column_stack([pd.get_dummies(cluster).to_numpy(float), (period == 2).astype(float)])
    design = np.column_stack([dummies, trt])
    b = np.linalg.lstsq(design, y, rcond=None)[0]
    robust = cr2(trt, y - design @ b, cluster, nuisance=dummies, names=["trt"])
    diff = y.reshape(m, 2) @ [-1, 1]
    welch = stats.ttest_ind(diff[treated == 1], diff[treated == 0], equal_var=False)
    assert b[-1] == pytest.approx(diff[treated == 1].mean() - diff[treated == 0].mean(), rel=1e-10)
    assert b[-1] / np.sqrt(robust.cov.loc["trt", "trt"]) == pytest.approx(welch.statistic, rel=1e-10)
    assert 2 < robust.df["trt"] < m - 1 and abs(robust.df["trt"] - welch.df) > 0.1


def unbalanced_panel(rng, areas=9, years=4):
    code = np.repeat(np.arange(areas), years)
    year = np.tile(np.arange(2016, 2016 + years), areas)
    keep = rng.random(code.size) > 0.15
    code, year = code[keep], year[keep]
    x = rng.normal(size=code.size) + rng.normal(size=areas)[code]
    y = 0.3 * x + rng.normal(size=areas)[code] + rng.normal(size=years)[year - 2016] + rng.normal(size=code.size)
    return pd.DataFrame({"region_code": [f"WK{c:02d}" for c in code], "year": year, "x": x, "y": y})


def test_within_estimate_cr2_equals_cr2_of_the_regression_with_every_dummy_in_the_hat_matrix():
    """Pustejovsky & Tipton's Theorem 2: the area means (nested in the clusters) need not enter the hat matrix; the year
    effects do. The within estimate's CR2 and its degrees of freedom equal those of the full dummy regression."""
    data = unbalanced_panel(np.random.default_rng(2))
    fit = within_estimate("y ~ x", data, time="year")
    areas = pd.get_dummies(data["region_code"]).to_numpy(float)
    years = pd.get_dummies(data["year"]).to_numpy(float)[:, 1:]
    design = np.column_stack([data["x"], areas, years])
    b = np.linalg.lstsq(design, data["y"], rcond=None)[0]
    full = cr2(data["x"], data["y"] - design @ b, data["region_code"], nuisance=design[:, 1:], names=["x"])
    assert fit.term("x")["estimate"] == pytest.approx(b[0], rel=1e-8)
    assert fit.term("x")["std_error"] == pytest.approx(np.sqrt(full.cov.loc["x", "x"]), rel=1e-6)
    assert fit.df["x"] == pytest.approx(full.df["x"], rel=1e-6)
    assert fit.cluster_correction == "CR2" and fit.table.loc["x", "distribution"] == f"t({full.df['x']:.2f})"
    assert "CR2 errors, Bell-McCaffrey df, 9 clusters" in fit.model and fit.estimator == "within-area"
    cr1 = within_estimate("y ~ x", data, time="year", cluster_correction="CR1")
    assert cr1.cluster_correction == "CR1" and cr1.df == {"x": 8.0} and cr1.table.loc["x", "distribution"] == "t(8)"


def test_area_regression_uses_cr2_below_30_clusters_and_cr1_from_there_and_a_contrast_gets_its_own_df():
    rng = np.random.default_rng(5)
    code = np.repeat(np.arange(40), 3)
    data = pd.DataFrame(
        {
            "g": code,
            "x": rng.normal(size=code.size) + rng.normal(size=40)[code],
            "z": rng.normal(size=code.size),
            "w": rng.gamma(2.0, 2.0, code.size),
        }
    )
    data["y"] = 1 + 0.5 * data["x"] + rng.normal(size=40)[code] + rng.normal(size=code.size)
    few = data[data["g"] < CR2_BELOW - 1]
    fit = area_regression("y ~ x + z", few, weights="w", cluster="g")
    assert fit.cluster_correction == "CR2" and fit.extra["clusters"] == CR2_BELOW - 1
    # the table is models.cluster.cr2 of the weighted fit
    X = sm.add_constant(few[["x", "z"]].to_numpy())
    wls = sm.WLS(few["y"].to_numpy(), X, weights=few["w"].to_numpy()).fit()
    direct = cr2(X, wls.resid, few["g"], weights=few["w"], names=["Intercept", "x", "z"])
    np.testing.assert_allclose(fit.table["std_error"], np.sqrt(np.diag(direct.cov)), rtol=1e-9)
    assert fit.df == pytest.approx(direct.df.to_dict(), rel=1e-9)
    q = stats.t.ppf(0.975, round(direct.df["x"], 2))
    assert fit.term("x")["ci_high"] == pytest.approx(wls.params[1] + q * np.sqrt(direct.cov.loc["x", "x"]), rel=1e-9)
    # a contrast of one term is that term's test; of two, its own Bell-McCaffrey degrees of freedom
    single = fit.contrast({"x": 1.0})
    assert single["ci_high"] == pytest.approx(fit.term("x")["ci_high"], rel=1e-6)
    both = fit.contrast({"x": 1.0, "z": -1.0})
    assert both["distribution"] == f"t({direct.df_of([0, 1, -1]):.2f})" and both["distribution"] not in set(
        fit.table["distribution"]
    )
    many = area_regression("y ~ x + z", data, weights="w", cluster="g")
    assert many.cluster_correction == "CR1" and set(many.table["distribution"]) == {"t(39)"}
    forced = area_regression("y ~ x + z", data, weights="w", cluster="g", cluster_correction="CR2")
    assert forced.cluster_correction == "CR2" and forced.term("x")["std_error"] != many.term("x")["std_error"]
    with pytest.raises(WijkstudieError, match="cluster_correction must be one of auto, CR2, CR1, not 'CR3'"):
        area_regression("y ~ x", data, cluster="g", cluster_correction="CR3")


def test_cr2_intervals_cover_where_cr1_intervals_do_not_with_12_clusters():
    """12 clusters of 5 to 39 rows, 3 of them treated, a strong cluster effect: CR1 with t(11) covers the true (zero)
    effect in 85 % of 600 samples (512), CR2 with Bell-McCaffrey degrees of freedom in 97 % (582)."""
    rng = np.random.default_rng(0)
    G = 12
    sizes = rng.integers(5, 40, G)
    g = np.repeat(np.arange(G), sizes)
    n = g.size
    covered = {"CR1": 0, "CR2": 0}
    reps = 600
    for _ in range(reps):
        treated = np.zeros(G)
        treated[rng.choice(G, 3, replace=False)] = 1
        X = np.column_stack([np.ones(n), treated[g]])
        y = 1 + rng.normal(0, 1, G)[g] + rng.normal(0, 1, n)
        bread = np.linalg.inv(X.T @ X)
        b = bread @ X.T @ y
        e = y - X @ b
        robust = cr2(X, e, g)
        scores = np.zeros((G, 2))
        np.add.at(scores, g, X * e[:, None])
        cr1 = bread @ scores.T @ scores @ bread * G / (G - 1) * (n - 1) / (n - 2)  # statsmodels' and Stata's CR1
        covered["CR1"] += abs(b[1]) < stats.t.ppf(0.975, G - 1) * np.sqrt(cr1[1, 1])
        covered["CR2"] += abs(b[1]) < stats.t.ppf(0.975, robust.df.iloc[1]) * np.sqrt(robust.cov.iloc[1, 1])
    assert covered["CR1"] / reps < 0.9
    assert 0.93 < covered["CR2"] / reps < 0.99


def test_wild_cluster_bootstrap_t_is_statsmodels_cr1_and_rademacher_enumerates_every_sign_pattern():
    rng = np.random.default_rng(3)
    g = np.repeat(np.arange(6), [4, 9, 12, 5, 20, 7])
    X = np.column_stack([np.ones(g.size), rng.normal(size=6)[g] + rng.normal(size=g.size)])
    y = X @ [1.0, 0.3] + rng.normal(size=6)[g] + rng.normal(size=g.size)
    fit = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": g})
    boot = wild_cluster_bootstrap(X, y, g, 1, kind="rademacher", reps=999)
    assert boot["t"] == pytest.approx(fit.tvalues[1], rel=1e-10)
    assert boot["reps"] == 64 and (boot["p_value"] * 64) == pytest.approx(round(boot["p_value"] * 64))
    with pytest.raises(WijkstudieError, match="kind must be 'webb' or 'rademacher'"):
        wild_cluster_bootstrap(X, y, g, 1, kind="mammen")


def test_wild_cluster_bootstrap_rejects_a_true_null_at_about_its_level_with_12_clusters():
    """12 clusters, 4 treated, no effect: the restricted wild cluster bootstrap (Webb weights) rejects at 5 % in
    8 % of 300 samples (23; MacKinnon & Webb 2018: WCR is close to its level unless very few clusters are treated),
    CR1 with t(11) in 12 % (35)."""
    rng = np.random.default_rng(7)
    G = 12
    g = np.repeat(np.arange(G), rng.integers(5, 40, G))
    rejected = {"wild": 0, "CR1": 0}
    reps = 300
    for i in range(reps):
        treated = np.zeros(G)
        treated[rng.choice(G, 4, replace=False)] = 1
        X = np.column_stack([np.ones(g.size), treated[g]])
        y = 1 + rng.normal(0, 1, G)[g] + rng.normal(0, 1, g.size)
        boot = wild_cluster_bootstrap(X, y, g, 1, reps=999, seed=i)
        rejected["wild"] += boot["p_value"] < 0.05
        rejected["CR1"] += 2 * stats.t.sf(abs(boot["t"]), G - 1) < 0.05
    assert 0.02 < rejected["wild"] / reps < 0.1
    assert rejected["CR1"] > rejected["wild"]
