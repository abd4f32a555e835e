"""ModelResult as records, not prose: every estimator sets ``estimator`` (findings read it instead of the model's
words), t-tested terms carry their degrees of freedom, and a result shows itself in one line and, in Jupyter, as a
table."""

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

from wijkstudie import models
from wijkstudie.core.provenance import Provenance, Source, attach
from wijkstudie.study.findings import ESTIMATORS, estimator_of

# what findings.estimator_of read from the start of a model's name before the models recorded their estimator
OLD_PREFIXES = (
    ("area regression (weighted", "weighted regression"),
    ("area regression", "regression"),
    ("multilevel logistic", "multilevel logistic regression"),
    ("multilevel", "multilevel"),
    ("spatial error", "spatial error"),
    ("spatial lag", "spatial lag"),
    ("OLS", "regression"),
    ("within-area", "within-area"),
    ("segmented logistic", "segmented logistic regression"),
    ("logistic regression with a B-spline", "spline logistic regression"),
    ("logistic regression", "logistic regression"),
)


def every_model(rng):
    n = 120
    x = rng.normal(size=n)
    areas = pd.DataFrame(
        {
            "x": x,
            "y": 1 + 0.5 * x + rng.normal(size=n),
            "g": np.repeat(np.arange(12), n // 12),
            "region_code": [f"A{i % 30}" for i in range(n)],
            "year": np.repeat([2014, 2016, 2018, 2020], n // 4),
            "population": rng.integers(100, 5000, n).astype(float),
        }
    )
    px = rng.uniform(0, 12, 1500)
    people = pd.DataFrame(
        {
            "x": px,
            "y": (rng.random(1500) < 1 / (1 + np.exp(-(-1 + 0.3 * np.minimum(px, 4))))).astype(int),
            "g": rng.integers(0, 30, 1500),
        }
    )
    cells = gpd.GeoDataFrame(
        {"x": rng.normal(size=100)},
        geometry=[box(i % 10, i // 10, i % 10 + 1, i // 10 + 1) for i in range(100)],
        crs=28992,
    )
    cells["y"] = cells["x"] + rng.normal(size=100)
    return {
        "area": models.area_regression("y ~ x", areas),
        "weighted": models.area_regression("y ~ x", areas, weights="population"),
        "weighted clustered": models.area_regression("y ~ x", areas, weights="population", cluster="g"),
        "clustered": models.area_regression("y ~ x", areas, cluster="g"),
        "within": models.within_estimate("y ~ x", areas),
        "within, years": models.within_estimate("y ~ x", areas, time="year", cov_type="nonrobust"),
        "multilevel": models.multilevel("y ~ x", areas, group="g"),
        "logit": models.logit("y ~ x", people, cluster="g"),
        "multilevel_logit": models.multilevel_logit("y ~ x", people, group="g"),
        "segmented_logit": models.segmented_logit("y ~ seg(x)", people),
        "spline_logit": models.spline_logit("y ~ bs(x, df=5)", people),
        **{f"spatial: {k}": v for k, v in models.spatial_models("y ~ x", cells).items()},
    }


def test_every_estimator_records_what_the_model_name_used_to_say_and_findings_read_the_record():
    results = every_model(np.random.default_rng(3))
    for name, result in results.items():
        old = next(label for start, label in OLD_PREFIXES if result.model.startswith(start))
        assert result.estimator == old, name
        assert result.estimator in ESTIMATORS and estimator_of(result) == old, name
    # a result that records no estimator (made by hand) is known by its model's name, as before
    bare = models.ModelResult("hand-made", "y ~ x", results["area"].table, 3)
    assert estimator_of(bare) == "hand-made"


def test_t_tested_terms_carry_their_degrees_of_freedom_and_normal_ones_none():
    results = every_model(np.random.default_rng(4))
    for name, result in results.items():
        for term, distribution in result.table["distribution"].items():
            if distribution == "normal":
                assert term not in result.df, name
            else:  # the table's t(df) is the record's df (two decimals for Bell-McCaffrey's)
                assert distribution in (f"t({result.df[term]:.0f})", f"t({result.df[term]:.2f})"), name
    assert results["area"].df["x"] == results["area"].fitted.df_resid == 118
    assert results["clustered"].cluster_correction == "CR2" and 1 < results["clustered"].df["x"] < 11
    assert results["logit"].df == {} and results["area"].cluster_correction == ""


def table_cells(html: str) -> list[list[str]]:
    """The text of every cell of the HTML table, row by row (the standard library's parser: no lxml here)."""
    from html.parser import HTMLParser

    rows: list[list[str]] = []

    class Cells(HTMLParser):
        cell = None

        def handle_starttag(self, tag, attrs):
            if tag == "tr":
                rows.append([])
            elif tag in ("td", "th"):
                self.cell = ""

        def handle_endtag(self, tag):
            if tag in ("td", "th"):
                rows[-1].append(self.cell.strip())
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell += data

    Cells().feed(html)
    return rows


def test_a_result_shows_itself_in_one_line_and_as_an_html_table():
    rng = np.random.default_rng(8)
    table = pd.DataFrame({"x": rng.normal(size=60), "g": np.repeat(np.arange(12), 5)})
    table["y"] = 2 * table["x"] + rng.normal(size=60)
    table = attach(
        table, Provenance("real", (Source("kwb", 2022, variables=("x",)), Source("rivm-gezondheid", 2020)), ("wijk",))
    )
    fit = models.area_regression("y ~ x", table, cluster="g")
    line = repr(fit)
    assert "\n" not in line and len(line) < 200
    assert line.startswith("<ModelResult regression: y ~ x (n=60; r2=")
    assert "CR2, 12 clusters" in line and "real: kwb 2022, rivm-gezondheid 2020" in line
    html = fit._repr_html_()
    rows = table_cells(html)
    assert rows[0] == ["", "estimate", "95 % low", "95 % high", "p", "std_estimate", "distribution"]
    read = pd.DataFrame([r[1:] for r in rows[1:]], index=[r[0] for r in rows[1:]], columns=rows[0][1:])
    assert float(read.loc["x", "estimate"]) == float(f"{fit.term('x')['estimate']:.4g}")
    assert float(read.loc["x", "95 % low"]) == float(f"{fit.term('x')['ci_low']:.4g}")
    assert read.loc["x", "distribution"] == fit.table.loc["x", "distribution"]
    assert "n = 60" in html and "R² = " in html and "data: real (kwb 2022, rivm-gezondheid 2020)" in html
    assert "level: wijk" in html and "<b>area regression (errors clustered by g: CR2 errors" in html
    escaped = models.area_regression("y ~ x + I(x < 0)", table)._repr_html_()  # the formula's "<" is text, not markup
    assert "<code>y ~ x + I(x &lt; 0)</code>" in escaped and "I(x &lt; 0)[T.True]</th>" in escaped
