"""Figures: house style, byte-identical files on every run, captions, labels, maps with missing areas."""

import hashlib
import re
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import wijkstudie as ws
from wijkstudie.plotting import caption_text, choropleth, save_figure, scatter_fit, use_house_style

from helpers import FIXTURES, warns_municipal_extract


def make_figure():
    use_house_style()
    gdf = gpd.GeoDataFrame(
        {"region_code": ["GM1", "GM2", "GM3"], "pct_volunteering": [20.0, np.nan, 30.0]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)],
        crs=28992,
    )
    fig, axes = plt.subplots(1, 2, figsize=(6, 3))
    choropleth(gdf, "pct_volunteering", ax=axes[0], k=2, language="nl")
    scatter_fit(
        gdf.assign(x=[1.0, 2.0, 3.0], population=[10, 20, 30]),
        "x",
        "pct_volunteering",
        ax=axes[1],
        weights="population",
    )
    return fig, axes


def image_size(path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as image:
        return image.size


def image_info(path) -> dict:
    from PIL import Image

    with Image.open(path) as image:
        return dict(image.info)


def digests(paths):
    return {p.suffix: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_two_runs_write_byte_identical_png_svg_and_pdf(tmp_path):
    runs = []
    for i in range(2):
        fig, _ = make_figure()
        runs.append(digests(save_figure(fig, "same", source="Bron: CBS", folder=tmp_path / str(i))))
        plt.close(fig)
    assert set(runs[0]) == {".png", ".svg", ".pdf"}
    assert runs[0] == runs[1]


def test_png_is_written_at_300_dpi(tmp_path):
    fig, _ = make_figure()
    png = save_figure(fig, "dpi", source="CBS", folder=tmp_path)[0]
    assert image_info(png)["dpi"] == pytest.approx((300, 300), abs=0.5)


def test_caption_names_the_source_and_marks_synthetic_data():
    assert caption_text("RIVM/CBS") == "Source: RIVM/CBS"
    assert caption_text("RIVM/CBS", language="nl") == "Bron: RIVM/CBS"
    assert caption_text("synthetic world", synthetic=True).startswith("SYNTHETIC DATA")
    with pytest.raises(ws.WijkstudieError, match="source"):
        save_figure(plt.figure(), "x", source="")


@pytest.mark.parametrize("source", [{}, {"source": None}, {"source": ""}], ids=["left-out", "none", "empty"])
def test_save_figure_without_a_source_says_how_to_give_one(tmp_path, source):
    fig = plt.figure()
    with pytest.raises(ws.ArgumentError, match=r"^save_figure\('x'\): .*source=ws\.source_caption\(table\)") as info:
        save_figure(fig, "x", folder=tmp_path, **source)
    assert "\n" not in str(info.value) and not list(tmp_path.iterdir())
    plt.close(fig)


def test_synthetic_figure_carries_the_mark_on_the_figure_and_in_the_caption(tmp_path):
    fig, _ = make_figure()
    assert not fig.texts
    save_figure(fig, "synth", source="synthetic world", data_kind="synthetic", folder=tmp_path, formats=("png",))
    texts = [t.get_text() for t in fig.texts]
    assert "SYNTHETIC DATA" in texts
    assert any(t.startswith("SYNTHETIC DATA (not real measurements). Source: synthetic world") for t in texts)
    plt.close(fig)


def test_the_kind_of_data_comes_from_the_tables_and_unknown_is_never_shown_as_real(tmp_path):
    with warns_municipal_extract():
        table = ws.read_file(FIXTURES / "kwb-odata-2017.csv")
    fig, _ = make_figure()
    save_figure(fig, "real", source=ws.source_caption(table), folder=tmp_path, formats=("png",))
    assert [t.get_text() for t in fig.texts] == ["Source: CBS, Kerncijfers wijken en buurten 2017"]
    save_figure(fig, "plain", source="CBS", folder=tmp_path, formats=("png",))  # plain text: provenance unknown
    texts = [t.get_text() for t in fig.texts]
    assert "UNKNOWN PROVENANCE" in texts and any(
        t.startswith("UNKNOWN PROVENANCE (not known to be real data)") for t in texts
    )
    merged = table.merge(
        table[["region_code"]].assign(other=1).pipe(lambda f: f.set_axis(f.columns, axis=1)), on="region_code"
    )
    merged.attrs = {}  # what pandas leaves when it drops provenance
    save_figure(fig, "merged", source=ws.source_caption(merged), folder=tmp_path, formats=("png",))
    assert "UNKNOWN PROVENANCE" in [t.get_text() for t in fig.texts]
    plt.close(fig)


def test_saving_a_figure_again_replaces_its_caption_and_marks(tmp_path):
    fig, _ = make_figure()
    save_figure(fig, "twice", source="synthetic world", data_kind="synthetic", folder=tmp_path, formats=("png",))
    save_figure(fig, "twice", source="Bron: CBS", data_kind="real", folder=tmp_path, formats=("png",))
    assert [t.get_text() for t in fig.texts] == ["Bron: CBS"]  # one caption, and no stale SYNTHETIC mark
    plt.close(fig)


def test_a_wide_map_in_a_tall_figure_is_saved_without_a_band_of_white_above_its_caption(tmp_path):
    from wijkstudie.plotting import map_figure

    use_house_style()
    wide = gpd.GeoDataFrame(
        {"region_code": ["GM1", "GM2"], "pct_volunteering": [20.0, 30.0]},
        geometry=[box(0, 0, 2, 1), box(2, 0, 4, 1)],
        crs=28992,
    )  # 4 wide, 1 high
    fig = map_figure(wide, "pct_volunteering", size=(6.0, 7.0), k=2)
    width, height = image_size(save_figure(fig, "wide", source="CBS", folder=tmp_path, formats=("png",))[0])
    plt.close(fig)
    assert height < 0.6 * width  # the map (1:4) plus title, legend and caption; the 7-inch box would give 1.4
    fig = map_figure(wide, "pct_volunteering", size=(3.0, 3.0), k=2)  # a long caption wraps to the figure
    sources = "; ".join(f"Publisher {i}, a dataset with a long title {2000 + i}" for i in range(8))
    width, _ = image_size(save_figure(fig, "long", source=sources, folder=tmp_path, formats=("png",))[0])
    plt.close(fig)
    assert width < 3.3 * 300
    fig, ax = plt.subplots(figsize=(4, 3))  # an ordinary plot keeps its caption below the axis labels
    ax.set_xlabel("x")
    save_figure(fig, "plot", source="CBS", folder=tmp_path, formats=("png",))
    caption = next(t for t in fig.texts if t.get_text().endswith("Source: CBS"))
    assert caption.get_position()[1] < 0
    plt.close(fig)


def test_map_legend_counts_areas_without_data_and_uses_dutch_labels():
    fig, axes = make_figure()
    legend = axes[0].get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    assert "geen gegevens (1)" in labels
    assert legend.get_title().get_text() == "Doet vrijwilligerswerk (%)"
    plt.close(fig)


def test_source_caption_from_loaded_tables():
    with warns_municipal_extract():
        table = ws.read_file(FIXTURES / "kwb-odata-2017.csv")
    assert ws.source_caption(table) == "Source: CBS, Kerncijfers wijken en buurten 2017"
    assert ws.source_caption(table, language="nl").startswith("Bron: CBS")


def test_session_language_sets_labels_and_captions(monkeypatch):
    monkeypatch.setenv("WIJKSTUDIE_LANGUAGE", "nl")
    assert ws.label("pct_volunteering") == "Doet vrijwilligerswerk"
    assert caption_text("CBS") == "Bron: CBS"
    fig, axes = make_figure()
    assert axes[0].get_legend().get_title().get_text() == "Doet vrijwilligerswerk (%)"
    assert axes[1].get_ylabel() == "Doet vrijwilligerswerk (%)"
    plt.close(fig)
    monkeypatch.setenv("WIJKSTUDIE_LANGUAGE", "fr")
    with pytest.raises(ws.WijkstudieError, match="WIJKSTUDIE_LANGUAGE"):
        ws.label("pct_volunteering")


def test_a_map_of_many_areas_is_drawn_simplified_below_a_printed_pixel():
    from shapely.geometry import Polygon

    from wijkstudie.plotting.maps import DRAWING_DETAIL, for_drawing

    # 600 squares with a jagged edge of 200 tiny teeth each: what real boundaries look like from afar
    def jagged(i, j):
        teeth = [(i + k / 200, j + (0.001 if k % 2 else 0)) for k in range(200)]
        return Polygon(teeth + [(i + 1, j), (i + 1, j + 1), (i, j + 1)])

    areas = gpd.GeoDataFrame(
        {"v": range(600)}, geometry=[jagged(i, j) for i in range(30) for j in range(20)], crs=28992
    )
    drawn = for_drawing(areas)
    coordinates = lambda g: int(g.geometry.count_coordinates().sum())  # noqa: E731
    assert coordinates(drawn) < coordinates(areas) / 10
    # no outline moves by more than the tolerance: 1/DRAWING_DETAIL of the map's extent
    tolerance = 30 / DRAWING_DETAIL
    assert (areas.geometry.hausdorff_distance(drawn.geometry) <= tolerance + 1e-9).all()
    assert drawn["v"].tolist() == areas["v"].tolist()
    few = areas.head(10)
    assert for_drawing(few) is few  # a few areas are drawn as they are
    assert for_drawing(drawn) is drawn  # and areas drawn already


def test_a_figure_of_several_maps_simplifies_its_areas_once(monkeypatch):
    from shapely.geometry import Point

    areas = gpd.GeoDataFrame(
        {"a": [float(i % 7) for i in range(600)], "b": [float(i % 5) for i in range(600)]},
        geometry=[Point(i % 30, i // 30).buffer(0.45, 4) for i in range(600)],
        crs=28992,
    )
    calls = []
    simplify = gpd.GeoSeries.simplify
    monkeypatch.setattr(
        gpd.GeoSeries, "simplify", lambda self, *a, **k: calls.append(len(self)) or simplify(self, *a, **k)
    )
    fig = ws.map_figure(areas, ["a", "b"])
    assert calls == [600] and len(fig.axes[0].collections) == len(fig.axes[1].collections) > 0  # two maps drawn
    plt.close(fig)
    fig = ws.map_figure(areas, ["a", "b"])  # another figure of the same table: simplified for it again
    assert calls == [600, 600]
    plt.close(fig)


def test_a_detailed_map_is_an_image_inside_its_svg_and_pdf_with_vector_text_and_the_same_bytes_each_run(tmp_path):
    from shapely.geometry import Point

    from wijkstudie.plotting.maps import RASTER_FROM, as_image

    # 400 round areas of 65 points each (too few areas to be simplified): 26,000 outline points, over the limit;
    # their first 20 are under it
    areas = gpd.GeoDataFrame(
        {"pct_volunteering": [float(i % 37) for i in range(400)]},
        geometry=[Point(i % 20, i // 20).buffer(0.45, 16) for i in range(400)],
        crs=28992,
    )
    assert as_image(areas) and not as_image(areas.head(20))
    assert int(areas.geometry.count_coordinates().sum()) > RASTER_FROM
    runs = []
    for i in range(2):
        big, small = ws.map_figure(areas, "pct_volunteering"), ws.map_figure(areas.head(20), "pct_volunteering")
        written = save_figure(big, "big", source="CBS", folder=tmp_path / str(i))
        written += save_figure(small, "small", source="CBS", folder=tmp_path / str(i))
        runs.append(digests(written[:3]) | {f"small{k}": v for k, v in digests(written[3:]).items()})
        plt.close(big), plt.close(small)
    assert runs[0] == runs[1]
    big_svg, small_svg = (tmp_path / "0" / "big.svg").read_text(), (tmp_path / "0" / "small.svg").read_text()
    assert big_svg.count("<image") == 1 and "<image" not in small_svg  # the polygons: one picture, or vector
    assert big_svg.count("<text") > 5 and 'id="DejaVuSans-' not in big_svg  # title, legend and caption: text
    assert "font-family: 'DejaVu Sans', 'Helvetica', 'Arial'" in big_svg  # the fonts named
    assert (tmp_path / "0" / "big.svg").stat().st_size < 1_000_000


# --- the house style: one width, one type scale, legends outside the data ------------------------------------------


def _areas(n=12, crs=28992, missing=(3,)):
    values = [10.0 + 3 * i if i not in missing else np.nan for i in range(n)]
    return gpd.GeoDataFrame(
        {"region_code": [f"GM{i:04d}" for i in range(n)], "pct_volunteering": values, "pct_lonely": values[::-1]},
        geometry=[box(i % 4, i // 4, i % 4 + 1, i // 4 + 1) for i in range(n)],
        crs=crs,
    )


def _points(n=60, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.uniform(10, 90, n)
    return pd.DataFrame(
        {"pct_owner_occupied": x, "pct_volunteering": 15 + 0.2 * x + rng.normal(0, 3, n), "population": 100 + x}
    )


def every_figure():
    """One figure from each figure function of the house style, from small made-up tables: {name: figure}."""
    from wijkstudie import plotting

    from helpers import finding_test

    points = _points()
    areas = _areas().assign(cluster=["high-high", "low-low", "not significant", "high-low"] * 3)
    panels = [
        {"data": points, "x": "pct_owner_occupied", "y": "pct_volunteering", "title": f"city {i}"} for i in range(3)
    ]
    tests = [
        finding_test(label=f"a long label of a test, number {i}, that needs more than one line here") for i in range(5)
    ]
    intervals = pd.DataFrame(
        {"areas": ["elsewhere", "problem"], "mean": [0.4, -0.2], "ci_low": [0.1, -0.5], "ci_high": [0.7, 0.1]}
    )
    ranks = {
        y: pd.DataFrame({"percentile": [10.0 + y % 7, 50.0, 80.0]}, index=["pct_volunteering", "pct_lonely", "x"])
        for y in (2014, 2016)
    }
    bars = pd.DataFrame({"elsewhere": [0.3, 0.4], "livability problems": [0.2, 0.35]}, index=["65+", "non-Dutch"])
    return {
        "choropleth": plotting.choropleth(areas, "pct_volunteering").figure,
        "map_figure, one map": plotting.map_figure(areas, "pct_volunteering", titles="Volunteering"),
        "map_figure, two maps": plotting.map_figure(areas, ["pct_volunteering", "pct_lonely"], titles=["a", "b"]),
        "cluster_map": plotting.cluster_map(areas, "cluster"),
        "scatter_fit": plotting.scatter_fit(
            points, "pct_owner_occupied", "pct_volunteering", weights="population"
        ).figure,
        "scatter_panels": plotting.scatter_panels(panels, weights="population", title="three cities"),
        "dense_scatter": plotting.dense_scatter(points, "pct_owner_occupied", "pct_volunteering", weights="population"),
        "estimate_figure": plotting.estimate_figure(tests, title="F3: standardised estimates"),
        "interval_figure": plotting.interval_figure(intervals, "areas", "percentage points", title="gaps"),
        "correlation_heatmap": plotting.correlation_heatmap(points.corr(), title="items"),
        "percentile_figure": plotting.percentile_figure(ranks, title="a case"),
        "group_bars": plotting.group_bars(bars, "predicted probability", title="groups"),
    }


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def drawn_texts(fig) -> list:
    """Every text a figure draws (an axis switched off draws none of its labels)."""
    from unittest import mock

    drawn, draw = [], plt.Text.draw

    def record(text, renderer):
        drawn.append(text)
        return draw(text, renderer)

    with mock.patch.object(plt.Text, "draw", record):
        fig.canvas.draw()
    return drawn


def test_every_figure_is_the_house_width_in_the_type_scale_with_its_legends_outside_the_data(tmp_path):
    """One type scale for every figure: the house width (so the same point size reads the same wherever figures are
    shown at one width: the site, a report), every text in one of the scale's sizes; no legend over an axes."""
    from wijkstudie.plotting.style import TYPE, WIDTH

    plt.rcParams.update({"font.size": 14, "legend.fontsize": 12})  # a session without the house style
    try:
        figures = every_figure()
    finally:
        plt.rcdefaults()
    assert len(figures) == 12
    widths = {}
    for name, fig in figures.items():
        assert fig.get_figwidth() == WIDTH, name
        renderer = fig.canvas.get_renderer()
        sizes = {t.get_fontsize() for t in drawn_texts(fig) if t.get_text().strip()}
        assert sizes and sizes <= set(TYPE.values()), (name, sizes)
        legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + list(fig.legends)
        assert legends or name in (
            "scatter_fit",
            "scatter_panels",
            "estimate_figure",
            "interval_figure",
            "correlation_heatmap",
        ), name
        for legend in legends:
            box_ = legend.get_window_extent(renderer)
            assert not any(_overlap(box_, ax.get_window_extent(renderer)) for ax in fig.axes), name
        widths[name] = image_size(save_figure(fig, "w", source="CBS", folder=tmp_path, formats=("png",))[0])[0] / 300
        plt.close(fig)
    assert all(0.8 * WIDTH <= w <= 1.06 * WIDTH for w in widths.values()), widths


def test_no_saved_figure_has_its_caption_over_a_legend_or_an_axes_and_its_svg_text_is_text(tmp_path):
    """Every figure helper's figure as saved (its SVG, whose words stay <text> elements in the fonts named): every
    text of the figure (legends, tick labels, titles) lies above the caption's first line."""
    figures = every_figure()
    figures["a legend below the axes (notebooks 02, 03)"] = plotting_scatter_with_a_legend_below().figure
    for name, fig in figures.items():
        written = save_figure(fig, "c", source="CBS " * 40, data_kind="real", folder=tmp_path, formats=("svg",))
        svg = written[0].read_text(encoding="utf-8")
        assert "font-family: 'DejaVu Sans'" in svg and 'id="DejaVuSans-' not in svg, name
        caption, others = svg_text_rows(svg)
        assert len(caption) >= 2 and others, name  # the caption is wrapped to the figure's width
        lowest = max(others)
        assert lowest[0] + 2 <= min(caption)[0] - 7, (name, lowest, min(caption))  # descenders; 7 px caption type
        plt.close(fig)


def svg_text_rows(svg: str) -> tuple[list, list]:
    """The baselines (y, text) of an SVG's <text> elements: the caption's, and every other's."""
    import xml.etree.ElementTree as ET

    ns = "{http://www.w3.org/2000/svg}"
    caption, others = [], []

    def walk(element, in_caption):
        in_caption = in_caption or element.get("id") == "wijkstudie-caption"
        if element.tag == f"{ns}text":
            y = element.get("y")
            if y is None:
                y = re.search(r"translate\(\S+ (\S+)\)", element.get("transform", "")).group(1)
            (caption if in_caption else others).append((float(y), "".join(element.itertext())))
        for child in element:
            walk(child, in_caption)

    walk(ET.fromstring(svg.encode("utf-8")), False)
    return caption, others


def plotting_scatter_with_a_legend_below():
    """A weighted scatter whose line is named in a legend under the axes, as the national scatters of notebooks 02 and
    03 have it."""
    from wijkstudie import plotting
    from wijkstudie.plotting.style import legend_outside

    ax = plotting.scatter_fit(_points(), "pct_owner_occupied", "pct_volunteering", weights="population")
    ax.lines[-1].set_label("weighted least-squares line")
    legend_outside(ax, where="below")
    return ax


def test_a_map_legend_sits_beside_the_map_and_covers_no_area():
    fig = ws.map_figure(_areas(), "pct_volunteering")
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent(renderer)
    for patch in ax.collections:  # the drawn areas
        assert not _overlap(legend, patch.get_window_extent(renderer))
    assert legend.x0 >= ax.get_window_extent(renderer).x1  # beside it, to the right
    plt.close(fig)


def test_figures_with_legends_outside_are_byte_identical_from_run_to_run(tmp_path):
    runs = []
    for i in range(2):
        figs = [
            ws.map_figure(_areas(), ["pct_volunteering", "pct_lonely"]),
            ws.dense_scatter(_points(), "pct_owner_occupied", "pct_volunteering"),
        ]
        runs.append(
            [digests(save_figure(f, f"f{j}", source="CBS", folder=tmp_path / str(i))) for j, f in enumerate(figs)]
        )
        for f in figs:
            plt.close(f)
    assert runs[0] == runs[1]


@pytest.mark.slow  # real Jupyter kernels: make test runs it, make test-fast leaves it out
def test_save_figure_in_a_later_cell_of_a_real_kernel_with_the_inline_backend(tmp_path):
    """What report authors do: draw in one cell, look at it (the inline backend shows the figure and replaces its
    canvas with a bare FigureCanvasBase), save it in the next."""
    from helpers import kernel_env, run_in_kernel

    cells = [
        "%matplotlib inline\nimport geopandas as gpd\nfrom shapely.geometry import box\nimport wijkstudie as ws\n"
        "areas = gpd.GeoDataFrame({'region_code': ['GM1', 'GM2'], 'pct_volunteering': [20.0, 30.0]},"
        " geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=28992)\n"
        "fig = ws.map_figure(areas, 'pct_volunteering', k=2)",
        "print(type(fig.canvas).__name__)\n"
        f"written = ws.save_figure(fig, 'later', source='Bron: CBS', folder={str(tmp_path)!r})\n"
        "print(sorted(p.name for p in written))",
    ]
    drawn, saved = run_in_kernel(cells, cwd=tmp_path, env=kernel_env())
    assert drawn["error"] == "" and "image/png" in drawn["mime"], drawn  # shown by the inline backend
    assert saved["error"] == "", saved
    assert saved["stdout"].splitlines() == ["FigureCanvasBase", "['later.pdf', 'later.png', 'later.svg']"]
    assert drawn["stderr"] == saved["stderr"] == ""  # no warning either
    assert image_size(tmp_path / "later.png")[0] > 1000


def test_map_figure_refuses_titles_that_do_not_match_its_columns():
    with pytest.raises(ws.ArgumentError, match=r"2 column\(s\) but 1 title\(s\)"):
        ws.map_figure(_areas(), ["pct_volunteering", "pct_lonely"], titles=["one"])


def test_save_figure_takes_the_axes_a_helper_returned(tmp_path):
    ax = choropleth(_areas(), "pct_volunteering")
    written = save_figure(ax, "from_axes", source="CBS", folder=tmp_path, formats=("png",))
    assert [p.name for p in written] == ["from_axes.png"] and image_size(written[0])[0] > 1000
    plt.close(ax.figure)


@pytest.mark.slow  # real Jupyter kernels: make test runs it, make test-fast leaves it out
@pytest.mark.parametrize("magic", ["", "%matplotlib inline\n"], ids=["default-backend", "inline-magic"])
def test_every_figure_of_a_kernel_session_is_shown_inline(tmp_path, magic):
    """The house style sets and restores only its own settings. In a kernel's default backend (JupyterLab's, no
    ``%matplotlib`` magic) the inline backend is loaded while the first figure is made and switches ``interactive``
    on; that stays on, and every later figure, the package's or plain matplotlib's, is shown."""
    from helpers import kernel_env, run_in_kernel

    cells = [
        f"{magic}import pandas as pd\nimport matplotlib\nimport wijkstudie as ws\n"
        "df = pd.DataFrame({'x': [1.0, 2.0, 3.0, 4.0], 'y': [2.0, 1.0, 4.0, 3.0]})\n"
        "ax = ws.scatter_fit(df, 'x', 'y')",
        "print(matplotlib.is_interactive())\nfig = ws.group_bars(df.set_index('x'), 'y')",
        "import matplotlib.pyplot as plt\nprint(matplotlib.is_interactive())\nfig, ax = plt.subplots()\n"
        "_ = ax.plot([1, 2], [3, 4])",
    ]
    shown = run_in_kernel(cells, cwd=tmp_path, env=kernel_env())
    for cell in shown:
        assert cell["error"] == "" and "image/png" in cell["mime"], cell
    assert [cell["stdout"] for cell in shown[1:]] == ["True\n", "True\n"]


def test_cluster_map_and_breakpoint_plot_default_labels_follow_the_language():
    from wijkstudie import models

    areas = _areas(missing=()).assign(cluster=["high-high", "low-low", "not significant"] * 4)
    legends = {
        language: ws.cluster_map(areas, "cluster", language=language).axes[0].get_legend().get_title().get_text()
        for language in ("en", "nl")
    }
    assert legends == {"en": "local clusters", "nl": "lokale clusters"}
    rng = np.random.default_rng(5)
    people = pd.DataFrame({"x": rng.uniform(0, 20, 400)})
    people["y"] = (rng.uniform(size=400) < 1 / (1 + np.exp(-(0.3 * np.minimum(people["x"], 8) - 1)))).astype(int)
    fit = models.segmented_logit("y ~ seg(x)", people, bootstrap=0)
    labels = {language: ws.breakpoint_figure(fit, language=language).axes[0].get_ylabel() for language in ("en", "nl")}
    assert labels == {"en": "probability", "nl": "kans"}
    plt.close("all")


def test_a_map_is_not_rendered_while_its_layers_are_added(monkeypatch):
    """geopandas asks the canvas to draw after each layer; on Agg that renders the whole map each time. The map is
    drawn when it is saved or shown, and draw_idle is the canvas's own again afterwards."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    drawn = []
    original = FigureCanvasAgg.draw
    monkeypatch.setattr(FigureCanvasAgg, "draw", lambda self, *a, **k: drawn.append(1) or original(self, *a, **k))
    fig = ws.map_figure(_areas(), ["pct_volunteering", "pct_lonely"])
    assert drawn == [] and "draw_idle" not in vars(fig.canvas)
    fig.canvas.draw_idle()  # the class's method again: it renders
    assert drawn == [1]
    plt.close(fig)


# --- save_figure writes plain names through a temporary file (issue 27) -------------------------------------------


@pytest.mark.parametrize(
    "name, why",
    [
        ("../../x", "path separator"),
        ("/srv/x", "path separator"),  # an absolute path
        ("..", "path"),
        ("a..b", "'..'"),
        ("", "empty"),
        ("   ", "empty"),
        ("map\nnext", "control character"),
        ("map\x1b[31m", "control character"),
        ("sub\\x", "path separator"),
        (None, "not a text"),
    ],
)
def test_a_figure_name_that_is_not_a_plain_name_is_refused_in_one_line(tmp_path, name, why):
    fig = plt.figure()
    with pytest.raises(ws.ArgumentError) as info:
        save_figure(fig, name, source="CBS", folder=tmp_path / "figures", formats=("png",))
    plt.close(fig)
    message = str(info.value)
    assert "\n" not in message and "\x1b" not in message and why in message and "plain file name" in message
    assert not (tmp_path / "figures").exists() or not any((tmp_path / "figures").iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["figures"])


def test_save_figure_replaces_a_planted_symlink_and_leaves_its_target_alone(tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("keep me", encoding="utf-8")
    folder = tmp_path / "figures"
    folder.mkdir()
    (folder / "map.png").symlink_to(target)
    fig, _ = make_figure()
    (written,) = save_figure(fig, "map", source="CBS", folder=folder, formats=("png",))
    assert target.read_text(encoding="utf-8") == "keep me"
    assert not written.is_symlink() and written.read_bytes().startswith(b"\x89PNG")
    assert sorted(p.name for p in folder.iterdir()) == ["map.png"]  # no temporary file left behind


def test_save_figure_writes_through_a_temporary_file_and_a_rename(tmp_path, monkeypatch):
    import os

    renamed = []
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (renamed.append((Path(a), Path(b))), real(a, b))[1])
    fig, _ = make_figure()
    written = save_figure(fig, "map", source="CBS", folder=tmp_path, formats=("png", "svg"))
    assert sorted(b for _, b in renamed) == sorted(written)  # the PNG is renamed by its worker thread, at any time
    assert all(a.parent == b.parent and a.name.startswith(".map.") for a, b in renamed)


def test_interval_series_refuses_a_table_of_several_measures():
    rows = pd.DataFrame(
        {
            "year": [2020, 2020, 2021, 2021],
            "group": ["a", "a", "a", "a"],
            "value": [1.0, 50.0, 2.0, 60.0],
            "lower": [0.5, 45.0, 1.5, 55.0],
            "upper": [1.5, 55.0, 2.5, 65.0],
            "measure": ["Buurt_46", "Totaal_1", "Buurt_46", "Totaal_1"],
        }
    )
    with pytest.raises(ws.ArgumentError, match="interval_series: 2 rows repeat a group and year: .*keep one"):
        ws.interval_series(rows)
    fig = ws.interval_series(rows[rows["measure"] == "Buurt_46"])
    (ax,) = fig.axes
    assert len(ax.lines) == 1 and len(ax.collections) == 1  # one line, one band
    plt.close(fig)


def test_what_a_figure_function_returns_follows_one_rule():
    """A function with an ``ax`` parameter draws on it and returns the Axes (``*_plot``, ``choropleth``,
    ``scatter_fit``); every other figure function returns a Figure (``*_figure``, ``*_map``, ...)."""
    import inspect

    import matplotlib.axes
    import matplotlib.figure

    from wijkstudie import plotting

    checked = 0
    for name in plotting.__all__:
        function = getattr(plotting, name)
        doc = inspect.getdoc(function) or ""
        said = doc.split("Returns\n-------\n", 1)[1].split("\n", 1)[0] if "Returns\n-------" in doc else ""
        if "Axes" not in said and "Figure" not in said:
            continue
        takes_ax = "ax" in inspect.signature(function).parameters
        assert ("Axes" in said) == takes_ax, name
        assert not name.endswith("_plot") or takes_ax, name
        assert not name.endswith("_figure") or not takes_ax, name
        checked += 1
    assert checked >= 12
    from helpers import finding_test

    tests = [finding_test(label="owner-occupied -> active", ci=(0.1, 0.6))]
    assert isinstance(plotting.estimate_plot(tests), matplotlib.axes.Axes)
    assert isinstance(plotting.estimate_figure(tests), matplotlib.figure.Figure)
