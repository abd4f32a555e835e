"""A choropleth's classes: quantiles and equal intervals computed here are mapclassify's, bound for bound, value for
value; the optimising schemes still come from mapclassify, which a map of the default scheme never imports."""

import subprocess
import sys
import warnings

import mapclassify
import numpy as np
import pytest

import wijkstudie as ws
from wijkstudie.plotting.classes import classify


def arrays():
    """Many arrays: floats, integers, heavy ties, a few values, one value repeated, negative, large, tiny ranges."""
    rng = np.random.default_rng(28)
    yield "one value", np.array([4.2])
    yield "two values", np.array([1.0, 3.0])
    yield "all equal", np.full(12, 7.5)
    yield "ties", np.array([1, 1, 1, 1, 2, 2, 3, 9, 9, 9], dtype=float)
    yield "integers", rng.integers(0, 6, 50)
    yield "tiny range", 1e-9 * rng.normal(size=40) + 3
    yield "large", 1e12 * rng.random(64)
    for n in (3, 5, 7, 10, 11, 99, 100, 101, 1000, 3412):
        yield f"normal {n}", rng.normal(50, 20, n)
        yield f"rounded {n}", np.round(rng.gamma(2, 10, n), 1)
        yield f"few distinct {n}", rng.choice([-2.5, 0.0, 0.1, 8.0], n)


CASES = list(arrays())


@pytest.mark.parametrize("name,values", CASES, ids=[name for name, _ in CASES])
@pytest.mark.parametrize("scheme,theirs", [("quantiles", "Quantiles"), ("equal_interval", "EqualInterval")])
def test_quantiles_and_equal_intervals_are_mapclassifys_bound_for_bound_value_for_value(name, values, scheme, theirs):
    distinct = len(np.unique(values))
    for k in sorted({1, 2, 3, 4, 5, 7, 10, distinct, min(5, distinct), distinct + 2}):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # mapclassify warns when ties leave fewer classes
            try:
                expected = getattr(mapclassify, theirs)(values, k=k)
            except ValueError:  # equal intervals of values that are all the same
                with pytest.raises(ws.ArgumentError, match="no range to divide"):
                    classify(values, scheme, k)
                continue
        bins, classes = classify(values, scheme, k)
        assert bins.dtype == expected.bins.dtype and np.array_equal(bins, expected.bins), (k, bins, expected.bins)
        assert np.array_equal(classes, expected.yb), k


@pytest.mark.filterwarnings("ignore:Numba not installed")  # mapclassify's own note: its pure-Python Fisher-Jenks
@pytest.mark.parametrize("scheme", ["natural_breaks", "fisher_jenks"])
def test_the_optimising_schemes_come_from_mapclassify(scheme):
    values = np.random.default_rng(1).normal(size=60)
    bins, classes = classify(values, scheme, 4)
    if scheme == "fisher_jenks":  # deterministic (natural breaks starts from random seeds)
        expected = mapclassify.FisherJenks(values, k=4)
        assert np.array_equal(bins, expected.bins) and np.array_equal(classes, expected.yb)
    assert len(bins) == 4 and set(classes) == {0, 1, 2, 3}


def test_an_unknown_scheme_is_refused():
    with pytest.raises(ws.ArgumentError, match="scheme must be one of quantiles, equal_interval"):
        classify([1.0, 2.0], "jenks", 2)


def test_a_map_of_the_default_scheme_does_not_import_mapclassify(tmp_path):
    code = (
        "import sys, geopandas as gpd, matplotlib; matplotlib.use('Agg')\n"
        "from shapely.geometry import box\n"
        "import wijkstudie as ws\n"
        "gdf = gpd.GeoDataFrame({'v': [1.0, 2.0, 3.0, None]}, geometry=[box(i, 0, i + 1, 1) for i in range(4)],"
        " crs=28992)\n"
        "ws.choropleth(gdf, 'v', k=2)\n"
        "ws.choropleth(gdf, 'v', k=2, scheme='equal_interval')\n"
        "assert 'mapclassify' not in sys.modules, 'imported'\n"
        "ws.choropleth(gdf, 'v', k=2, scheme='fisher_jenks')\n"
        "assert 'mapclassify' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
