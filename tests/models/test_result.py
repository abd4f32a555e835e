"""ModelResult as records, not prose: every estimator sets ``estimator`` (findings read it instead of the model's
words), t-tested terms carry their degrees of freedom, and a result shows itself in one line and, in Jupyter, as a
table."""

import numpy as np
import pandas as pd

from wijkstudie import models
from wijkstudie.core.provenance import Provenance, Source, attach
from wijkstudie.study.findings import ESTIMATORS, estimator_of

from helpers import every_model

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
