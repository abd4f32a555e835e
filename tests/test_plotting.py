"""Figures: house style, byte-identical files on every run, captions, labels, maps with missing areas."""

import hashlib

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
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
    from PIL import Image

    fig, _ = make_figure()
    png = save_figure(fig, "dpi", source="CBS", folder=tmp_path)[0]
    assert Image.open(png).info["dpi"] == pytest.approx((300, 300), abs=0.5)


def test_caption_names_the_source_and_marks_synthetic_data():
    assert caption_text("RIVM/CBS") == "Source: RIVM/CBS"
    assert caption_text("RIVM/CBS", language="nl") == "Bron: RIVM/CBS"
    assert caption_text("synthetic world", synthetic=True).startswith("SYNTHETIC DATA")
    with pytest.raises(ws.WijkstudieError, match="source"):
        save_figure(plt.figure(), "x", source="")


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
    from PIL import Image

    from wijkstudie.plotting import map_figure

    use_house_style()
    wide = gpd.GeoDataFrame(
        {"region_code": ["GM1", "GM2"], "pct_volunteering": [20.0, 30.0]},
        geometry=[box(0, 0, 2, 1), box(2, 0, 4, 1)],
        crs=28992,
    )  # 4 wide, 1 high
    fig = map_figure(wide, "pct_volunteering", size=(6.0, 7.0), k=2)
    width, height = Image.open(save_figure(fig, "wide", source="CBS", folder=tmp_path, formats=("png",))[0]).size
    plt.close(fig)
    assert height < 0.6 * width  # the map (1:4) plus title, legend and caption; the 7-inch box would give 1.4
    fig = map_figure(wide, "pct_volunteering", size=(3.0, 3.0), k=2)  # a long caption wraps to the figure
    sources = "; ".join(f"Publisher {i}, a dataset with a long title {2000 + i}" for i in range(8))
    width, _ = Image.open(save_figure(fig, "long", source=sources, folder=tmp_path, formats=("png",))[0]).size
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
