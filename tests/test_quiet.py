"""Quiet by default: no tqdm widget warning in a kernel, no overflow warning from the models, and a test run that
shows why tests were skipped and in which a warning of the package fails the test that caused it (unless the test
expects it). (No warning from the project's own metadata at install: tests/test_install.py.)"""

import tomllib
import warnings

import numpy as np
import pandas as pd
import pytest

from helpers import REPO, kernel_env, run_in_kernel


def test_the_test_run_shows_why_tests_were_skipped_and_fails_on_the_packages_warnings():
    options = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert "-rs" in options["addopts"].split()
    assert "error::wijkstudie.data.reports.WijkstudieWarning" in options["filterwarnings"]


@pytest.mark.slow  # real Jupyter kernels: make test runs it, make test-fast leaves it out
def test_a_kernel_without_ipywidgets_gets_text_bars_and_no_tqdm_warning(tmp_path):
    block = "import sys\nsys.modules['ipywidgets'] = None  # as if it were not installed\n"
    cells = [
        block + "import wijkstudie as ws\nfrom wijkstudie.core.optional import optional\n"
        "optional('esda.moran', 'morans_i')\nimport pooch\n"
        "from wijkstudie.data.download import progress_bar\nprint(progress_bar().__module__)",
    ]
    (out,) = run_in_kernel(cells, cwd=tmp_path, env=kernel_env())
    assert out["error"] == "" and out["stdout"] == "tqdm.std\n"
    assert "IProgress" not in out["stderr"] and "TqdmWarning" not in out["stderr"], out["stderr"]


def test_a_kernel_with_ipywidgets_gets_the_notebook_bar_and_a_script_the_text_bar(tmp_path):
    pytest.importorskip("ipywidgets")
    from wijkstudie.data.download import progress_bar

    assert progress_bar().__module__ == "tqdm.std"
    cells = ["from wijkstudie.data.download import progress_bar\nprint(progress_bar().__module__)"]
    (out,) = run_in_kernel(cells, cwd=tmp_path, env=kernel_env())
    assert out["stdout"] == "tqdm.notebook\n" and out["stderr"] == ""


def _residents(scale: float, seed: int = 1, groups: int = 50, per: int = 40):
    """Residents in groups with a random intercept (sd 1) and a predictor on the scale ``scale`` whose effect on the
    log-odds is 3 per ``scale`` units (a predictor in euros, say)."""
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(groups), per)
    x = rng.normal(0, scale, g.size)
    eta = -0.5 + 3.0 * x / scale + rng.normal(0, 1.0, groups)[g]
    y = (rng.random(g.size) < 1 / (1 + np.exp(-eta))).astype(int)
    return pd.DataFrame({"y": y, "x": x, "x_scaled": x / scale, "g": g})


def test_multilevel_logit_on_a_predictor_in_thousands_warns_nothing_and_finds_the_same_estimate():
    """The optimiser's line search tries large linear predictors; 1 / (1 + exp(-eta)) overflowed there (a
    RuntimeWarning); the probabilities now come from expit. The estimate is that of the rescaled predictor."""
    from wijkstudie.models import multilevel_logit

    data = _residents(1000.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        fit = multilevel_logit("y ~ x", data, group="g")
    scaled = multilevel_logit("y ~ x_scaled", data, group="g")
    per_scale = fit.table.loc["x", "estimate"] * 1000
    assert per_scale == pytest.approx(scaled.table.loc["x_scaled", "estimate"], rel=1e-3)
    assert abs(per_scale - 3.0) < 3 * scaled.table.loc["x_scaled", "std_error"]
    assert fit.extra["group_sd"] == pytest.approx(scaled.extra["group_sd"], rel=1e-3)
    assert fit.extra["converged"]
