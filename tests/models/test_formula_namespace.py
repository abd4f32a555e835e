"""Every model is formula-first and resolves a formula's names as statsmodels does: in the namespace of whoever called
the model (``eval_env=0``), never in the models module. The functions and variables below exist only here."""

import numpy as np
import pandas as pd
import patsy
import pytest

from wijkstudie.core.errors import ArgumentError
from wijkstudie.models import (
    area_regression,
    logit,
    multilevel,
    multilevel_logit,
    segmented_logit,
    spline_logit,
    within_estimate,
)


def doubled(values):
    """A transformation only this test module defines."""
    return 2 * np.asarray(values, dtype=float)


@pytest.fixture
def areas():
    rng = np.random.default_rng(3)
    n = 400
    x = rng.uniform(1, 10, n)
    return pd.DataFrame(
        {"x": x, "y": 3.0 * x + rng.normal(0, 0.5, n), "g": np.repeat(np.arange(40), 10), "t": np.tile(range(10), 40)}
    )


@pytest.fixture
def people():
    rng = np.random.default_rng(4)
    n = 1500
    x, z = rng.uniform(0, 12, n), (rng.random(n) < 0.5).astype(int)
    eta = -1.0 + 0.4 * np.minimum(x, 4) + 0.5 * z
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return pd.DataFrame({"x": x, "z": z, "y": y, "g": np.repeat(np.arange(50), 30)})


def test_a_function_of_the_callers_resolves_in_every_linear_model(areas):
    """``doubled`` is defined only in this test module: each model finds it where the formula was written, and the
    slope on the doubled predictor is half the planted one."""
    fits = {
        "area_regression": area_regression("y ~ doubled(x)", areas),
        "multilevel": multilevel("y ~ doubled(x)", areas, group="g"),
        "within_estimate": within_estimate("y ~ doubled(x)", areas, entity="g"),
    }
    for name, fit in fits.items():
        assert fit.table.loc["doubled(x)", "estimate"] == pytest.approx(1.5, abs=0.05), name


def test_a_local_variable_of_the_callers_resolves_in_the_logistic_models(people):
    cutoff = 4  # noqa: F841  (a local variable only this frame has; the formula names it)
    fits = {
        "logit": logit("y ~ np.minimum(x, cutoff) + z", people, cluster="g"),
        "multilevel_logit": multilevel_logit("y ~ np.minimum(x, cutoff) + z", people, group="g"),
        "segmented_logit": segmented_logit("y ~ seg(x) + doubled(z)", people, bootstrap=0),
        "spline_logit": spline_logit("y ~ bs(x, df=4) + doubled(z)", people),
    }
    assert fits["logit"].table.loc["np.minimum(x, cutoff)", "estimate"] == pytest.approx(0.4, abs=0.15)
    assert "np.minimum(x, cutoff)" in fits["multilevel_logit"].table.index
    assert fits["segmented_logit"].table.loc["doubled(z)", "estimate"] == pytest.approx(0.25, abs=0.12)
    assert "doubled(z)" in fits["spline_logit"].table.index


def test_a_name_only_the_models_module_knows_does_not_resolve(areas):
    """The models' own imports (``stats`` is scipy.stats in the logistic module, ``np`` numpy and ``OLS``
    statsmodels' estimator in the area module) are not the caller's: a formula that names them fails, as it would in
    statsmodels."""
    with pytest.raises(patsy.PatsyError, match="stats"):
        logit("y ~ stats.zscore(x)", areas.assign(y=(areas["y"] > 15).astype(int)))
    with pytest.raises(patsy.PatsyError, match="OLS"):
        area_regression("y ~ OLS(x)", areas)


def test_eval_env_passes_the_namespace_on(areas):
    """A helper that fits a formula for its caller passes ``eval_env=1`` (or a captured environment), as with
    statsmodels: the names resolve in the helper's caller."""

    def fit_for_caller(formula, data):
        halved = None  # noqa: F841  (a name the helper has, which must not be the one used)
        return area_regression(formula, data, eval_env=1)

    def halved(values):
        return np.asarray(values, dtype=float) / 2

    assert fit_for_caller("y ~ halved(x)", areas).table.loc["halved(x)", "estimate"] == pytest.approx(6, abs=0.2)
    captured = patsy.EvalEnvironment.capture()
    assert area_regression("y ~ halved(x)", areas, eval_env=captured).table.loc["halved(x)", "estimate"] > 5


def test_a_variable_of_the_caller_is_not_taken_for_a_missing_column(areas):
    """A name the table lacks is a missing column unless the caller's namespace holds it."""
    shift = 1.0  # noqa: F841  (named in the formula)
    assert "I(x + shift)" in area_regression("y ~ I(x + shift)", areas).table.index
    with pytest.raises(ArgumentError, match="no column 'shiftt'"):
        area_regression("y ~ I(x + shiftt)", areas)


def test_segmented_and_spline_logit_take_a_formula_first(people):
    """The predictor whose slope changes is marked ``seg(x)``; the spline is patsy's ``bs(x, df=...)``; the other
    terms are the covariates. A formula without the mark is refused in one line."""
    segmented = segmented_logit("y ~ seg(x) + z", people, bootstrap=0)
    assert segmented.formula == "y ~ seg(x, tau) + z"
    assert segmented.extra["x"] == "x" and set(segmented.table.index) >= {"before", "after", "z"}
    assert 2.5 <= segmented.extra["breakpoint"] <= 5.5
    spline = spline_logit("y ~ bs(x, df=4) + z", people)
    assert spline.model == "logistic regression with a B-spline of x (df 4)" and list(spline.extra["curve"]) == [
        "x",
        "probability",
    ]
    with pytest.raises(ArgumentError, match=r"seg\(x\)"):
        segmented_logit("y ~ x + z", people)
    with pytest.raises(ArgumentError, match=r"bs\(x, df=5\)"):
        spline_logit("y ~ x + z", people)
