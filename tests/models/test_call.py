"""Every formula model records its call (``models.call``): the model, formula, options with defaults and the table, and
says what another call changes (another model, formula, option, rows or values)."""

import numpy as np
import pandas as pd
import pytest

from wijkstudie import models

from helpers import every_model


@pytest.fixture(scope="module")
def fits():
    return every_model(np.random.default_rng(3))


def test_every_formula_model_records_its_call_and_it_is_that_call(fits):
    for name, result in fits.items():
        call = result.call
        assert call is not None, name
        assert call.formula == result.formula or (name, call.formula) == ("segmented_logit", "y ~ seg(x)"), name
        assert "eval_env" not in call.options  # where names resolve is not an option of the model
        model = getattr(models, call.function)
        assert call.differences(model, call.formula, call.data, **call.options) == [], name
    assert fits["clustered"].call.options == {
        "weights": None,
        "cov_type": "HC3",
        "cluster": "g",
        "cluster_correction": "auto",
    }
    spatial = [r.call for n, r in fits.items() if n.startswith("spatial")]
    assert len({id(c) for c in spatial}) == 1 and spatial[0].function == "spatial_models"  # one call, three results


def test_what_another_call_changes(fits):
    call = fits["clustered"].call
    data = call.data
    assert call.differences(models.area_regression, "y ~ x", data, cluster="g") == []  # defaults filled in
    assert call.differences(models.area_regression, "y ~ x", data) == ["cluster 'g', not None"]
    assert call.differences(models.logit, "y ~ x", data, cluster="g") == ["area_regression, not logit"]
    assert call.differences(models.area_regression, "y ~ x + g", data, cluster="g") == [
        "the formula 'y ~ x', not 'y ~ x + g'"
    ]
    assert call.differences(models.area_regression, "y ~ x", data.iloc[1:], cluster="g") == [
        f"other rows ({len(data)}, not {len(data) - 1})"
    ]
    edited = data.copy()
    edited.loc[edited.index[0], "y"] += 1
    assert call.differences(models.area_regression, "y ~ x", edited, cluster="g") == ["other values in y"]
    edited = data.copy()
    edited.loc[edited.index[0], "g"] = -1  # the cluster column is read too
    assert call.differences(models.area_regression, "y ~ x", edited, cluster="g") == ["other values in g"]
    other_column = data.assign(unread=1.0)  # a column the model does not read changes nothing
    assert call.differences(models.area_regression, "y ~ x", other_column, cluster="g") == []
    assert call.differences(models.area_regression, "y ~ x", pd.DataFrame({"y": data["y"]}), cluster="g") == [
        "columns the other table lacks: x, g"
    ]


def test_a_spatial_call_reads_the_outlines(fits):
    call = fits["spatial: spatial error"].call
    moved = call.data.copy()
    moved.geometry = moved.geometry.translate(1000, 0)
    assert call.differences(models.spatial_models, "y ~ x", call.data) == []
    assert call.differences(models.spatial_models, "y ~ x", moved) == ["other values in geometry"]
