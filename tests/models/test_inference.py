"""Sound inference (issue 15): clustered errors, one standardisation, a cluster bootstrap of the breakpoint,
equivalence tests and pooled estimates. Every test checks an estimate against a known answer."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from wijkstudie.core.errors import WijkstudieError
from wijkstudie.models import area_regression, equivalence_test, multilevel_logit, segmented_logit


def test_the_intraclass_correlation_of_a_vanishing_group_variance_is_computed_without_overflow():
    rng = np.random.default_rng(3)
    n = 1500
    x = rng.uniform(0, 12, n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(-1 + 0.3 * np.minimum(x, 4))))).astype(int)  # no group effect at all
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        fit = multilevel_logit("y ~ x", pd.DataFrame({"x": x, "y": y, "g": rng.integers(0, 30, n)}), group="g")
    low, high = fit.extra["icc_ci"]
    assert fit.extra["icc"] < 0.01 and 0 <= low <= fit.extra["icc"] <= high <= 1
    sd_low, sd_high = fit.extra["group_sd_ci"]
    assert sd_low <= fit.extra["group_sd"] <= sd_high  # an unbounded upper limit is inf, not an overflow
    # the ICC is var / (var + pi^2 / 3) at the estimate
    assert fit.extra["icc"] == pytest.approx(fit.extra["group_variance"] / (fit.extra["group_variance"] + np.pi**2 / 3))


# --- clustered errors in area_regression ----------------------------------------------------------------------


def areas_over_years(rng, areas=40, years=5, slope=0.5):
    """Areas observed in several years: the composition x is mostly the area's own, and the outcome carries a
    strong area effect, so the rows of one area are far from independent."""
    code = np.repeat(np.arange(areas), years)
    x = rng.normal(0, 1, areas)[code] + rng.normal(0, 0.7, code.size)
    y = 2 + slope * x + rng.normal(0, 2, areas)[code] + rng.normal(0, 0.5, code.size)
    return pd.DataFrame(
        {
            "region_code": [f"WK{c:04d}" for c in code],
            "year": np.tile(np.arange(2016, 2016 + years), areas),
            "x": x,
            "y": y,
        }
    )


@pytest.mark.slow  # 400 fits: a coverage rate needs the repetitions
def test_clustered_errors_are_larger_than_hc3_and_their_intervals_cover_the_true_slope():
    """Over 200 simulated panels of 40 areas x 5 years, the 95 % intervals clustered by area cover the true
    slope about 95 % of the time (binomial sd 1.5 points; we ask >= 90 %), those of HC3 far less often."""
    covered, covered_hc3, ratios = [], [], []
    for seed in range(200):
        data = areas_over_years(np.random.default_rng(seed))
        clustered = area_regression("y ~ x", data, cluster="region_code")
        hc3 = area_regression("y ~ x", data)
        row, row_hc3 = clustered.term("x"), hc3.term("x")
        covered.append(row["ci_low"] < 0.5 < row["ci_high"])
        covered_hc3.append(row_hc3["ci_low"] < 0.5 < row_hc3["ci_high"])
        ratios.append(row["std_error"] / row_hc3["std_error"])
    assert np.mean(covered) >= 0.90, np.mean(covered)
    assert np.mean(covered_hc3) < 0.85, np.mean(covered_hc3)  # HC3 treats 200 rows as 200 independent areas
    assert min(ratios) > 1.2 and np.median(ratios) > 1.5


def test_clustered_errors_are_statsmodels_cluster_robust_ones_with_t_intervals():
    data = areas_over_years(np.random.default_rng(199))
    clustered = area_regression("y ~ x", data, cluster="region_code")
    row = clustered.term("x")
    assert row["std_error"] > 1.2 * area_regression("y ~ x", data).term("x")["std_error"]  # larger than HC3
    assert clustered.extra["clusters"] == 40 and set(clustered.table["distribution"]) == {"t(39)"}
    assert clustered.model == "area regression (errors clustered by region_code: CR1 errors, t(39), 40 clusters)"
    assert clustered.cluster_correction == "CR1" and clustered.df == {"Intercept": 39.0, "x": 39.0}
    # the clustered standard error is statsmodels' cluster-robust one
    import statsmodels.formula.api as smf

    reference = smf.ols("y ~ x", data).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(data["region_code"])[0]}
    )
    assert row["std_error"] == pytest.approx(reference.bse["x"], rel=1e-10)
    assert row["ci_high"] - row["estimate"] == pytest.approx(stats.t(39).ppf(0.975) * row["std_error"], rel=1e-10)


def test_clustered_errors_drop_rows_without_a_cluster_and_refuse_too_few_clusters():
    data = areas_over_years(np.random.default_rng(1), areas=8)
    data.loc[:4, "region_code"] = None  # the first area's five rows lack their cluster
    weighted = data.assign(population=100.0)
    fit = area_regression("y ~ x", weighted, weights="population", cluster="region_code", cluster_correction="CR1")
    assert fit.n == 35 and fit.extra["clusters"] == 7 and fit.table["distribution"].iloc[0] == "t(6)"
    assert (
        fit.model
        == "area regression (weighted by population; errors clustered by region_code: CR1 errors, t(6), 7 clusters)"
    )
    # with 7 clusters the default is CR2 with Bell-McCaffrey degrees of freedom (fewer than G - 1 here)
    fit = area_regression("y ~ x", weighted, weights="population", cluster="region_code")
    assert fit.cluster_correction == "CR2" and fit.extra["cluster_correction"] == "CR2"
    assert fit.model.endswith("errors clustered by region_code: CR2 errors, Bell-McCaffrey df, 7 clusters)")
    assert 1 < fit.df["x"] < 6 and fit.table.loc["x", "distribution"] == f"t({fit.df['x']:.2f})"
    four = data[data["region_code"].isin(["WK0001", "WK0002", "WK0003", "WK0004"])]
    few = area_regression("y ~ x", four, cluster="region_code")  # CR2's Bell-McCaffrey df carry 3 or more clusters
    assert few.extra["clusters"] == 4 and few.cluster_correction == "CR2" and few.df["x"] < 3
    with pytest.raises(
        WijkstudieError, match=r"only 4 clusters of 'region_code'; clustered errors \(CR1\) need at least 5"
    ):
        area_regression("y ~ x", four, cluster="region_code", cluster_correction="CR1")
    with pytest.raises(
        WijkstudieError, match=r"only 2 clusters of 'region_code'; clustered errors \(CR2\) need at least 3"
    ):
        area_regression("y ~ x", four[four["region_code"].isin(["WK0001", "WK0002"])], cluster="region_code")
    with pytest.raises(WijkstudieError, match="no cluster column 'gemeente_code'"):
        area_regression("y ~ x", data, cluster="gemeente_code")


# --- one definition of a standardised estimate ------------------------------------------------------------------


def raw_ratio(frame, x="x", y="y", weights=None):
    """SD(x) / SD(y) of the raw columns, computed here independently of the package (weighted: numpy's
    frequency-free analytic weights; the same factor divides both, so the ratio is exact)."""
    aw = None if weights is None else frame[weights].to_numpy(dtype=float)
    return float(np.sqrt(np.cov(frame[x], aweights=aw) / np.cov(frame[y], aweights=aw)))


def test_every_linear_model_standardises_by_the_raw_sds_of_the_rows_it_used():
    import geopandas as gpd
    from shapely.geometry import box

    from wijkstudie.models import multilevel, spatial_models, within_estimate
    from wijkstudie.models.result import STD_LINEAR

    rng = np.random.default_rng(5)
    panel = areas_over_years(rng, areas=60, years=4).assign(population=rng.integers(100, 5000, 240).astype(float))
    panel["x"] = 3 * panel["x"]  # raw SD(x) about 3.7, SD(y) about 2.6
    panel.loc[[0, 1], "y"] = np.nan  # rows a model cannot use ...
    panel = pd.concat([panel, panel.iloc[[5]].assign(region_code="WK9999")], ignore_index=True)  # ... a singleton
    complete = panel.dropna(subset=["y"])
    results = {
        "area regression": (area_regression("y ~ x", panel), complete, None),
        "weighted": (area_regression("y ~ x", panel, weights="population"), complete, "population"),
        "clustered": (
            area_regression("y ~ x", panel, weights="population", cluster="region_code"),
            complete,
            "population",
        ),
        "multilevel": (multilevel("y ~ x", panel, group="region_code"), complete, None),
        # the within estimate uses only areas seen more than once: the singleton is not among its rows
        "within": (within_estimate("y ~ x", panel), complete[complete["region_code"] != "WK9999"], None),
    }
    side = 15
    cells = gpd.GeoDataFrame(
        {"x": rng.normal(0, 3, side * side)},
        geometry=[box(i % side, i // side, i % side + 1, i // side + 1) for i in range(side * side)],
        crs=28992,
    )
    cells["y"] = 1 + 0.4 * cells["x"] + rng.normal(0, 2, len(cells))
    results.update({f"spatial: {k}": (v, cells, None) for k, v in spatial_models("y ~ x", cells).items()})
    for name, (result, rows, weights) in results.items():
        row = result.term("x")
        assert row["std_estimate"] == pytest.approx(row["estimate"] * raw_ratio(rows, weights=weights), rel=1e-9), name
        assert result.std_definition == STD_LINEAR, name
    assert "raw (not demeaned)" in STD_LINEAR and "weighted exactly when the fit is weighted" in STD_LINEAR
    # the within-area SDs are far smaller: standardising by them would have inflated the within estimate
    within = results["within"][0].term("x")
    used = results["within"][1]
    demeaned = used[["x", "y"]] - used.groupby("region_code")[["x", "y"]].transform("mean")
    assert abs(within["estimate"] * raw_ratio(demeaned) - within["std_estimate"]) > 0.05


# --- the breakpoint of a segmented logistic model: a cluster bootstrap -----------------------------------------


def clustered_residents(rng, clusters=300, breakpoint=4.0, before=0.3, after=0.0, sd=0.3):
    """Residents in buurten of 20-60: participation rises with years at the address up to the breakpoint and is
    flat after it; x and the outcome both vary between buurten (a random intercept with sd ``sd``)."""
    sizes = rng.integers(20, 61, clusters)
    c = np.repeat(np.arange(clusters), sizes)
    x = np.clip(rng.exponential(6.0, c.size) + rng.normal(0, 1.0, clusters)[c], 0, None)
    eta = -1.0 + before * np.minimum(x, breakpoint) + after * np.maximum(x - breakpoint, 0)
    eta = eta + rng.normal(0, sd, clusters)[c]
    y = (rng.random(c.size) < 1 / (1 + np.exp(-eta))).astype(int)
    return pd.DataFrame({"y": y, "x": x, "buurt": [f"BU{i:04d}" for i in c], "w": rng.uniform(0.5, 2, c.size)})


@pytest.fixture(scope="module")
def segmented():
    data = clustered_residents(np.random.default_rng(0))
    return data, segmented_logit("y ~ seg(x)", data, weights="w", cluster="buurt")


def test_the_cluster_bootstrap_interval_holds_the_true_breakpoint_and_the_slopes_are_recovered(segmented):
    _, fit = segmented
    low, high = fit.extra["breakpoint_ci_bootstrap"]
    assert low <= 4 <= high and low <= fit.extra["breakpoint"] <= high and high - low <= 2
    # the slopes of the model the data were drawn from (a random intercept of sd 0.3 attenuates the marginal
    # slope by under 2 %): each within its 99.9 % interval
    for term, truth in (("before", 0.3), ("after", 0.0)):
        row = fit.term(term)
        assert abs(row["estimate"] - truth) / row["std_error"] < 3.3, term
    boot = fit.extra["bootstrap"]
    assert boot["replicates"] == 999 and boot["clusters"] == 300 and len(boot["breakpoints"]) == 999
    assert "cluster bootstrap" in boot["method"] and "buurt" in boot["method"]
    # the after slope is flat: equivalent to zero within 0.05 log-odds per year
    after = fit.term("after")
    assert equivalence_test(after["estimate"], after["std_error"], 0.05, distribution=after["distribution"])[
        "equivalent"
    ]


def test_the_bootstrap_is_seeded_and_can_be_skipped(segmented):
    data, fit = segmented
    small = data[data["buurt"] < "BU0080"]
    once = segmented_logit("y ~ seg(x)", small, weights="w", cluster="buurt", bootstrap=199, seed=7)
    again = segmented_logit("y ~ seg(x)", small, weights="w", cluster="buurt", bootstrap=199, seed=7)
    assert once.extra["breakpoint_ci_bootstrap"] == again.extra["breakpoint_ci_bootstrap"]
    assert np.array_equal(once.extra["bootstrap"]["breakpoints"], again.extra["bootstrap"]["breakpoints"])
    skipped = segmented_logit("y ~ seg(x)", small, weights="w", cluster="buurt", bootstrap=0)
    assert skipped.extra["breakpoint_ci_bootstrap"] is None and skipped.extra["bootstrap"]["replicates"] == 0
    assert skipped.extra["breakpoint"] == once.extra["breakpoint"]
    with pytest.raises(WijkstudieError, match="bootstrap is a number of replicates"):
        segmented_logit("y ~ seg(x)", small, bootstrap=-1)


def test_the_profile_is_the_likelihood_statsmodels_gives_at_every_breakpoint(segmented):
    import statsmodels.api as sm

    data, fit = segmented
    profile = fit.extra["profile"]
    w = data["w"].to_numpy() / data["w"].mean()
    for tau in profile["tau"].iloc[[0, 10, 30, -1]]:
        glm = sm.GLM(data["y"], fit.extra["design"](tau), family=sm.families.Binomial(), var_weights=w).fit()
        assert profile.loc[profile["tau"] == tau, "loglik"].item() == pytest.approx(glm.llf, abs=1e-6)


def test_the_one_step_profile_finds_the_breakpoint_a_full_refit_of_the_replicate_finds():
    """For resampled data sets (whole buurten drawn with replacement, the data set rebuilt and refitted over the
    grid), the one-step profile's argmax is the full refit's (we allow one grid step)."""
    from wijkstudie.models.logistic import SegmentedDesign, cluster_multiplicities, one_step_profiles, profile_loglik

    data = clustered_residents(np.random.default_rng(4), clusters=60)
    grid = np.arange(1.0, 8.01, 0.5)
    codes = pd.factorize(data["buurt"])[0]
    y, w = data["y"].to_numpy(float), data["w"].to_numpy(float) / data["w"].mean()
    segments = SegmentedDesign(data["x"].to_numpy(float), np.ones((len(data), 1)))
    _, betas = profile_loglik(y, segments, w, grid)
    draws = cluster_multiplicities(60, 8, seed=3)
    one_step = one_step_profiles(y, segments, w, codes, grid, betas, draws)
    same = 0
    for replicate, counts in enumerate(draws):
        rows = np.repeat(np.arange(len(data)), counts[codes])
        resampled = data.iloc[rows].assign(w=w[rows])  # the full sample's normalised weights, as the bootstrap
        refit = segmented_logit("y ~ seg(x)", resampled, weights="w", grid=grid, bootstrap=0)
        full = refit.extra["profile"]["loglik"].to_numpy() * w[rows].mean()  # undo the refit's normalising
        step = abs(int(np.argmax(one_step[replicate])) - int(np.argmax(full)))
        assert step <= 1, replicate
        same += step == 0
        assert np.abs(one_step[replicate] - full).max() < 0.25, replicate  # log-likelihood units
    assert same >= 6


# --- equivalence: two one-sided tests ---------------------------------------------------------------------------


@pytest.mark.parametrize("distribution", ["normal", "t(12)"])
def test_equivalence_holds_exactly_when_the_90_percent_interval_lies_inside_the_margin(distribution):
    q = stats.norm.ppf(0.95) if distribution == "normal" else stats.t(12).ppf(0.95)
    se, margin = 0.5, 2.0
    edge = margin - q * se  # the estimate whose 90 % interval ends at +margin
    for sign in (1, -1):
        inside = equivalence_test(sign * (edge - 1e-3), se, margin, distribution=distribution)
        outside = equivalence_test(sign * (edge + 1e-3), se, margin, distribution=distribution)
        assert inside["equivalent"] and not outside["equivalent"]
        assert inside["p_value"] < 0.05 < outside["p_value"]
        assert -margin < inside["ci_low"] and inside["ci_high"] < margin
        assert max(abs(outside["ci_low"]), abs(outside["ci_high"])) > margin
        assert inside["level"] == pytest.approx(0.90) and inside["margin"] == margin
    result = equivalence_test(0.3, se, margin, distribution=distribution)
    dist = stats.norm if distribution == "normal" else stats.t(12)
    # the p-value is the larger one-sided p: here the test against +margin, (0.3 - 2) / 0.5 standard errors away
    assert result["p_value"] == pytest.approx(dist.cdf((0.3 - margin) / se)) == result["p_upper"]
    assert result["p_lower"] == pytest.approx(dist.sf((0.3 + margin) / se))
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((0.3 - q * se, 0.3 + q * se))


def test_equivalence_refuses_a_margin_or_standard_error_that_is_not_positive():
    with pytest.raises(WijkstudieError, match="margin must be positive"):
        equivalence_test(0.1, 0.2, 0)
    with pytest.raises(WijkstudieError, match="standard error must be positive"):
        equivalence_test(0.1, float("nan"), 0.5)
    with pytest.raises(WijkstudieError, match="unknown reference distribution"):
        equivalence_test(0.1, 0.2, 0.5, distribution="cauchy")


# --- pooled random-effects estimate -----------------------------------------------------------------------------

# The BCG vaccine trials (Colditz et al. 1994, JAMA 271: 698-702; metafor's dat.bcg): TB cases and non-cases
# among the vaccinated (tpos, tneg) and the controls (cpos, cneg) of 13 trials.
BCG = pd.DataFrame(
    [
        ("Aronson", 1948, 4, 119, 11, 128),
        ("Ferguson & Simes", 1949, 6, 300, 29, 274),
        ("Rosenthal et al", 1960, 3, 228, 11, 209),
        ("Hart & Sutherland", 1977, 62, 13536, 248, 12619),
        ("Frimodt-Moller et al", 1973, 33, 5036, 47, 5761),
        ("Stein & Aronson", 1953, 180, 1361, 372, 1079),
        ("Vandiviere et al", 1973, 8, 2537, 10, 619),
        ("TPT Madras", 1980, 505, 87886, 499, 87892),
        ("Coetzee & Berjak", 1968, 29, 7470, 45, 7232),
        ("Rosenthal et al", 1961, 17, 1699, 65, 1600),
        ("Comstock et al", 1974, 186, 50448, 141, 27197),
        ("Comstock & Webster", 1969, 5, 2493, 3, 2338),
        ("Comstock et al", 1976, 27, 16886, 29, 17825),
    ],
    columns=["author", "year", "tpos", "tneg", "cpos", "cneg"],
)


def test_the_pooled_estimate_of_the_bcg_trials_is_the_published_one():
    """Log risk ratios and their variances as metafor's escalc(measure="RR") computes them; the expected figures
    are those metafor's own test suite checks rma(yi, vi, method="DL") against (Stata's metan, randomi):
    tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r in github.com/wviechtb/metafor: estimate -0.7141,
    95 % CI -1.0644 to -0.3638, z -3.9952, tau^2 0.3088, I^2 92.1173 %, and Q = 152.2330 (the fixed-effect
    model's QE)."""
    from wijkstudie.models import pooled_estimate

    treated, control = BCG["tpos"] + BCG["tneg"], BCG["cpos"] + BCG["cneg"]
    log_rr = np.log(BCG["tpos"] / treated) - np.log(BCG["cpos"] / control)
    variance = 1 / BCG["tpos"] - 1 / treated + 1 / BCG["cpos"] - 1 / control
    labels = BCG["author"] + " " + BCG["year"].astype(str)
    pooled = pooled_estimate(log_rr, np.sqrt(variance), labels=labels)
    assert pooled["estimate"] == pytest.approx(-0.7141, abs=1e-4)
    assert (pooled["ci_low"], pooled["ci_high"]) == pytest.approx((-1.0644, -0.3638), abs=1e-4)
    assert pooled["z"] == pytest.approx(-3.9952, abs=1e-4)
    assert pooled["tau2"] == pytest.approx(0.3088, abs=1e-4)
    assert pooled["i2"] == pytest.approx(92.1173, abs=1e-4)
    assert pooled["q"] == pytest.approx(152.2330, abs=1e-4) and pooled["q_p_value"] < 1e-20
    assert pooled["k"] == 13 and pooled["method"] == "DerSimonian-Laird"
    assert pooled["weights"].sum() == pytest.approx(1) and pooled["weights"].index[7] == "TPT Madras 1980"
    # random-effects weights 1 / (v + tau^2), normalised
    expected = 1 / (variance + pooled["tau2"])
    assert pooled["weights"].to_numpy() == pytest.approx((expected / expected.sum()).to_numpy(), rel=1e-6)


def test_estimates_that_agree_beyond_chance_pool_to_the_inverse_variance_mean():
    from wijkstudie.models import pooled_estimate

    estimates, se = np.array([0.50, 0.52, 0.49, 0.51]), np.array([0.1, 0.2, 0.15, 0.1])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        pooled = pooled_estimate(estimates, se)  # Q far below its k - 1 degrees of freedom: no heterogeneity
    w = 1 / se**2
    assert pooled["tau2"] == 0 and pooled["i2"] == 0 and pooled["q"] < 3
    assert pooled["estimate"] == pytest.approx(np.sum(w * estimates) / w.sum())
    assert pooled["std_error"] == pytest.approx(1 / np.sqrt(w.sum()))
    with pytest.raises(WijkstudieError, match="at least 2 estimates"):
        pooled_estimate([0.5], [0.1])
    with pytest.raises(WijkstudieError, match="standard errors must be positive"):
        pooled_estimate([0.5, 0.4], [0.1, 0.0])
    with pytest.raises(WijkstudieError, match="method must be one of dl, pm"):
        pooled_estimate([0.5, 0.4], [0.1, 0.2], method="reml")


def test_the_hartung_knapp_interval_of_the_bcg_trials_agrees_with_statsmodels_and_the_formula():
    """The Hartung-Knapp-Sidik-Jonkman interval (IntHout, Ioannidis & Borm 2014, BMC Med Res Methodol 14:25): the
    random-effects estimate with variance sum w (y - mu)^2 / ((k - 1) sum w), w = 1 / (v + tau^2), and t(k - 1)
    quantiles; statsmodels computes it too (``ci_eff_re_wls``)."""
    from scipy import stats
    from statsmodels.stats.meta_analysis import combine_effects

    from wijkstudie.models import pooled_estimate

    treated, control = BCG["tpos"] + BCG["tneg"], BCG["cpos"] + BCG["cneg"]
    log_rr = (np.log(BCG["tpos"] / treated) - np.log(BCG["cpos"] / control)).to_numpy()
    variance = (1 / BCG["tpos"] - 1 / treated + 1 / BCG["cpos"] - 1 / control).to_numpy()
    pooled = pooled_estimate(log_rr, np.sqrt(variance), interval="hksj")
    w = 1 / (variance + pooled["tau2"])
    mu = np.sum(w * log_rr) / w.sum()
    se = np.sqrt(np.sum(w * (log_rr - mu) ** 2) / (12 * w.sum()))
    t = stats.t.ppf(0.975, 12)
    assert pooled["estimate"] == pytest.approx(mu) and pooled["std_error"] == pytest.approx(se)
    assert (pooled["ci_low"], pooled["ci_high"]) == pytest.approx((mu - t * se, mu + t * se))
    reference = combine_effects(log_rr, variance, method_re="dl", use_t=True).conf_int(use_t=True)[3]
    assert (pooled["ci_low"], pooled["ci_high"]) == pytest.approx(tuple(reference), rel=1e-6)
    normal = pooled_estimate(log_rr, np.sqrt(variance))
    assert normal["estimate"] == pytest.approx(pooled["estimate"]) and pooled["interval"].startswith("Hartung")


def test_the_hartung_knapp_interval_never_shrinks_below_the_random_effects_one():
    from wijkstudie.models import pooled_estimate

    same = pooled_estimate([0.3, 0.3], [0.1, 0.2], interval="hksj")  # agreement beyond chance: no spread at all
    plain = pooled_estimate([0.3, 0.3], [0.1, 0.2])
    assert same["std_error"] == pytest.approx(plain["std_error"]) and same["ci_high"] > plain["ci_high"]
