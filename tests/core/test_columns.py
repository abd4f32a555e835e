"""Names a user typed that are not there (core/columns.py): one line naming the function called, the column and the
nearest one there; a formula names only columns."""

from __future__ import annotations

import pytest

import wijkstudie as ws


def _misspelt_tables():
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    from shapely.geometry import box

    rng = np.random.default_rng(1)
    table = pd.DataFrame(
        {
            "pct_owner_occupied": rng.uniform(0, 100, 40),
            "pct_volunteering": rng.uniform(0, 50, 40),
            "population": rng.integers(100, 1000, 40),
            "gemeente_code": [f"GM{i % 8}" for i in range(40)],
        }
    )
    areas = gpd.GeoDataFrame(table.head(4), geometry=[box(i, 0, i + 1, 1) for i in range(4)], crs=28992)
    return table, areas


MISSPELT = {  # the call -> the one line it gives: the function called, the column, the nearest one there
    "scatter_fit": (
        lambda t, a: ws.scatter_fit(t, "pct_owner_occupied", "pct_volunteerng"),
        "scatter_fit: the table has no column 'pct_volunteerng'; did you mean 'pct_volunteering'?",
    ),
    "scatter_fit weights": (
        lambda t, a: ws.scatter_fit(t, "pct_owner_occupied", "pct_volunteering", weights="populaton"),
        "scatter_fit: the table has no column 'populaton'; did you mean 'population'?",
    ),
    "scatter_panels": (
        lambda t, a: ws.scatter_panels([{"data": t, "x": "pct_owner_ocupied", "y": "pct_volunteering"}]),
        "scatter_panels (panel 1): the table has no column 'pct_owner_ocupied'; did you mean 'pct_owner_occupied'?",
    ),
    "dense_scatter": (
        lambda t, a: ws.dense_scatter(t, "pct_owner_occupied", "pct_volunteerng"),
        "dense_scatter: the table has no column 'pct_volunteerng'; did you mean 'pct_volunteering'?",
    ),
    "map_figure": (
        lambda t, a: ws.map_figure(a, "pct_volunteer"),
        "map_figure: the table has no column 'pct_volunteer'; did you mean 'pct_volunteering'?",
    ),
    "choropleth": (
        lambda t, a: ws.choropleth(a, "pct_volunteerng"),
        "choropleth: the table has no column 'pct_volunteerng'; did you mean 'pct_volunteering'?",
    ),
    "cluster_map": (
        lambda t, a: ws.cluster_map(a, "clusters"),
        "cluster_map: the table has no column 'clusters'; its columns: pct_owner_occupied, pct_volunteering,",
    ),
    "interval_figure": (
        lambda t, a: ws.interval_figure(t.assign(estimate=1.0, ci_low=0.0, ci_high=2.0), "term", "x"),
        "interval_figure: the table has no column 'term'; its columns: pct_owner_occupied,",
    ),
    "area_regression": (
        lambda t, a: ws.models.area_regression("pct_volunteering ~ pct_owner_ocupied", t),
        "area_regression: the table has no column 'pct_owner_ocupied'; did you mean 'pct_owner_occupied'?",
    ),
    "area_regression terms": (
        lambda t, a: ws.models.area_regression("pct_volunteerng ~ I(pct_owner_ocupied ** 2) + C(gemeente_code)", t),
        "area_regression: the table has no columns 'pct_volunteerng' (did you mean 'pct_volunteering'?), "
        "'pct_owner_ocupied' (did you mean 'pct_owner_occupied'?)",
    ),
    "area_regression weights": (
        lambda t, a: ws.models.area_regression("pct_volunteering ~ pct_owner_occupied", t, weights="populaton"),
        "area_regression: the table has no weight column 'populaton'; did you mean 'population'?",
    ),
    "multilevel": (
        lambda t, a: ws.models.multilevel("pct_volunteering ~ pct_owner_ocupied", t, group="gemeente_code"),
        "multilevel: the table has no column 'pct_owner_ocupied'; did you mean 'pct_owner_occupied'?",
    ),
    "logit": (
        lambda t, a: ws.models.logit("volunteers ~ pct_owner_occupied", t),
        "logit: the table has no column 'volunteers'",
    ),
}


@pytest.mark.parametrize("case", list(MISSPELT))
def test_a_misspelt_column_names_the_function_called_and_the_nearest_column(case):
    import matplotlib.pyplot as plt

    call, expected = MISSPELT[case]
    table, areas = _misspelt_tables()
    with pytest.raises(ws.ArgumentError) as info:
        call(table, areas)
    message = str(info.value)
    assert message.startswith(expected) and "\n" not in message, message
    plt.close("all")


def test_a_formula_names_only_columns_not_functions():
    from wijkstudie.models.result import formula_variables

    formula = "y ~ np.log(x) + C(g, Treatment('a')) + C(h, Sum) + I(z ** 2) + bs(w, df=4) + Q('a b') - 1"
    assert formula_variables(formula) == ["y", "x", "g", "h", "z", "w", "a b"]
    table, _ = _misspelt_tables()
    fit = ws.models.area_regression("pct_volunteering ~ I(pct_owner_occupied ** 2) + C(gemeente_code)", table)
    assert fit.n == len(table)
