"""Sound inference (issue 15): clustered errors, one standardisation, a cluster bootstrap of the breakpoint,
equivalence tests and pooled estimates. Every test checks an estimate against a known answer."""

import warnings

import numpy as np
import pandas as pd
import pytest

from wijkstudie.models import multilevel_logit


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
    assert fit.extra["icc"] == pytest.approx(fit.extra["group_variance"] / (fit.extra["group_variance"]
                                                                           + np.pi ** 2 / 3))
