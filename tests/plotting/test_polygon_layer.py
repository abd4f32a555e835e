"""A map's polygon layer is built at once and is the layer geopandas draws: same paths, same settings, same bytes."""

import io

import geopandas as gpd
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
import shapely
from geopandas.plotting import _PolygonPatch
from shapely.geometry import MultiPolygon, Point, Polygon, box

import wijkstudie as ws
from wijkstudie.core.errors import ArgumentError
from wijkstudie.plotting.maps import _draw_classes
from wijkstudie.plotting.polygon_layer import draw_polygons, measuring_only, polygon_paths

SQUARE_WITH_TWO_HOLES = Polygon(
    [(0, 0), (10, 0), (10, 10), (0, 10)],
    holes=[[(1, 1), (2, 1), (2, 2), (1, 2)], [(5, 5), (7, 5), (6, 8)]],
)
ISLANDS = MultiPolygon(
    [box(20, 0, 22, 3), Polygon([(30, 0), (34, 0), (32, 5)]), box(25, 5, 28, 9).difference(box(26, 6, 27, 7))]
)
CLOCKWISE = Polygon([(40, 0), (40, 4), (44, 4), (44, 0)])  # normalised before drawing: its winding is turned


def areas(crs=28992):
    """Areas of every kind a map meets: holes, several parts, clockwise rings, missing and empty outlines."""
    geometry = [SQUARE_WITH_TWO_HOLES, ISLANDS, CLOCKWISE, None, Polygon(), box(50, 0, 53, 2), box(0, 20, 5, 26)]
    values = [1.0, 2.0, 3.0, 4.0, 5.0, np.nan, 7.0]
    return gpd.GeoDataFrame({"v": values}, geometry=geometry, crs=crs)


def test_the_paths_are_geopandas_own_vertex_for_vertex_and_code_for_code():
    shapes = shapely.normalize(np.array([SQUARE_WITH_TWO_HOLES, ISLANDS, CLOCKWISE, box(0, 0, 1, 1)], dtype=object))
    paths = polygon_paths(shapes)
    expected = [_PolygonPatch(shape).get_path() for shape in shapes]
    assert len(paths) == len(expected)
    for path, other in zip(paths, expected, strict=True):
        np.testing.assert_array_equal(path.vertices, other.vertices)
        np.testing.assert_array_equal(path.codes, other.codes)
        assert path.codes.dtype == other.codes.dtype and path.should_simplify == other.should_simplify
    assert paths[0].codes[:6].tolist() == [1, 2, 2, 2, 79, 1]  # MOVETO, LINETO ..., CLOSEPOLY, next ring


def _geopandas_map(gdf, ax, image):
    """The layers as geopandas draws them (what maps.choropleth called before)."""
    has, missing = gdf[gdf["v"].notna()], gdf[gdf["v"].isna()]
    missing.plot(ax=ax, color="#cccccc", edgecolor="white", linewidth=0.5, rasterized=image)
    classes = np.array([0, 1, 1, 2, 0, 2])[: len(has)]
    has.assign(_class=classes).plot(
        column="_class", ax=ax, cmap="viridis", categorical=True, edgecolor="white", linewidth=0.5, rasterized=image
    )


def _our_map(gdf, ax, image):
    has, missing = gdf[gdf["v"].notna()], gdf[gdf["v"].isna()]
    outlines = {"edgecolor": "white", "linewidth": 0.5, "rasterized": image}
    draw_polygons(ax, missing, colour="#cccccc", **outlines)
    _draw_classes(ax, has, np.array([0, 1, 1, 2, 0, 2])[: len(has)], plt.get_cmap("viridis"), outlines)


def _files(draw, gdf, image):
    with mpl.rc_context({"svg.hashsalt": "test", "path.simplify": True}):
        fig, ax = plt.subplots(figsize=(4, 3))
        draw(gdf, ax, image)
        state = [
            (
                type(c).__name__,
                [(p.vertices.tolist(), p.codes.tolist()) for p in c.get_paths()],
                c.get_facecolor().tolist(),
                c.get_edgecolor().tolist(),
                c.get_linewidth().tolist(),
                c.get_rasterized(),
                c.get_label(),
                c.get_zorder(),
                c.get_cmap().name,
            )
            for c in ax.collections
        ]
        state.append((ax.get_xlim(), ax.get_ylim(), ax.get_aspect(), ax.get_xlabel(), ax.get_ylabel()))
        files = {}
        for form, metadata in {"svg": {"Date": None}, "pdf": {"CreationDate": None}, "png": {}}.items():
            out = io.BytesIO()
            fig.savefig(out, format=form, metadata=metadata, dpi=100, bbox_inches="tight")
            files[form] = out.getvalue()
        plt.close(fig)
    return state, files


@pytest.mark.parametrize("image", [False, True], ids=["vector", "image"])
@pytest.mark.parametrize("crs", [28992, 4326], ids=["metres", "degrees"])
def test_a_map_is_the_collection_geopandas_draws_and_its_files_the_same_bytes(crs, image):
    gdf = areas(crs)
    ours, our_files = _files(_our_map, gdf, image)
    theirs, their_files = _files(_geopandas_map, gdf, image)
    assert ours == theirs
    assert our_files == their_files
    assert len(ours) == 5 and ours[0][1] and ours[0][0] == "_GeoPandasPolyCollection"  # missing value, 3 classes


def test_a_choropleth_and_a_cluster_map_still_draw_every_area_with_an_outline():
    gdf = areas().assign(cluster=["high-high", "low-low", "not significant", "low-low", "high-high", "x", "high-low"])
    ax = ws.choropleth(gdf, "v", k=3)
    assert sum(len(c.get_paths()) for c in ax.collections) == 5  # the missing and the empty outline are not drawn
    fig = ws.cluster_map(gdf, "cluster")
    assert sum(len(c.get_paths()) for c in fig.axes[0].collections) == 4  # areas of the five named classes
    plt.close("all")


def test_a_layer_of_points_is_refused_in_one_line():
    fig, ax = plt.subplots()
    with pytest.raises(ArgumentError, match="polygons and multipolygons, not Point"):
        draw_polygons(
            ax,
            gpd.GeoSeries([box(0, 0, 1, 1), Point(3, 3)]),
            colour="red",
            edgecolor="w",
            linewidth=1,
            rasterized=False,
        )
    assert len(ax.collections) == 0
    plt.close(fig)


def test_a_layer_is_drawn_once_per_file_not_in_the_pass_that_measures_the_figure(tmp_path, monkeypatch):
    """bbox_inches="tight" draws the figure once with a renderer that draws nothing; for an SVG or PDF a rasterised
    layer used to be rendered to an image there and thrown away."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.collections import Collection

    drawn = []
    original = Collection.draw
    monkeypatch.setattr(
        Collection, "draw", lambda self, renderer: drawn.append(type(self).__name__) or original(self, renderer)
    )
    fig = ws.map_figure(areas(), "v", linewidth=0.2)
    layers = len(fig.axes[0].collections)
    ws.save_figure(fig, "layers", source="test", folder=tmp_path)
    assert drawn.count("_GeoPandasPolyCollection") == 3 * layers  # png, svg, pdf: once each
    renderer = RendererAgg(10, 10, 72)
    assert not measuring_only(renderer)
    with renderer._draw_disabled():
        assert measuring_only(renderer)
    plt.close(fig)
