"""Maps: classified choropleths with areas without data in grey, maps side by side, and local clusters.

Maps of many areas are drawn from outlines simplified below what a printed map can show; legends sit beside or under the
map, never over it; the polygons of a detailed map are an image inside the SVG and PDF (``RASTER_FROM``) while its text,
legend and caption stay vector; figures are the house width (``style.WIDTH``) and as tall as the areas' shape needs.
"""

from __future__ import annotations

import weakref

import matplotlib.pyplot as plt
from matplotlib.patches import Patch

from ..core.columns import require_columns
from ..core.errors import ArgumentError
from .classes import SCHEMES, classify
from .polygon_layer import draw_polygons, map_aspect_of
from .style import (
    MAP_CMAP,
    MISSING_COLOUR,
    TYPE,
    WIDTH,
    axes_width,
    fitted,
    in_house_style,
    label_or_name,
    legend_outside,
    new_figure,
    words,
)

RASTER_FROM = 20_000  # a map layer of more outline points than this is drawn as an image inside an SVG or PDF
DRAWING_DETAIL = 3000  # a map is drawn with outlines simplified to 1/3000 of its extent: below a printed pixel
CLUSTER_COLOURS = {
    "high-high": "#b2182b",
    "low-low": "#2166ac",
    "high-low": "#f4a582",
    "low-high": "#92c5de",
    "not significant": "#eeeeee",
}


_DRAWN = weakref.WeakValueDictionary()  # id -> a table for_drawing returned, while it lives: drawn as it is


def for_drawing(gdf):
    """The areas with their outlines simplified to below what a printed map can show.

    (1/``DRAWING_DETAIL`` of the map's extent), when there are many: a national map of wijken or buurten then draws in a
    fraction of the time, and the files are a fraction of the size, with no visible difference. A table this function
    returned is returned as it is (a figure of several maps of the same areas simplifies them once).

    Parameters
    ----------
    gdf : GeoDataFrame
        the areas

    Returns
    -------
    GeoDataFrame
        the same areas (unchanged below 500 areas)
    """
    if len(gdf) < 500 or _DRAWN.get(id(gdf)) is gdf:
        return gdf
    x0, y0, x1, y1 = gdf.total_bounds
    tolerance = max(x1 - x0, y1 - y0) / DRAWING_DETAIL
    drawn = gdf.set_geometry(gdf.geometry.simplify(tolerance, preserve_topology=True))
    _DRAWN[id(drawn)] = drawn
    return drawn


def _draw_classes(ax, areas, classes, cmap, outlines) -> None:
    """Draw areas coloured by their class (0, 1, ...), as geopandas draws ``plot(column=..., categorical=True)``.

    One layer per class present, in the order of the classes, coloured from the colour map: a class's place among the
    classes present spread over the whole map, or, from a colour map of fewer than 32 colours, its place's colour.
    The axes' aspect is set from all the areas once.
    """
    import numpy as np

    map_aspect_of(ax, areas)
    present = np.unique(classes)
    for i, name in enumerate(present.tolist()):
        if cmap.N < 32:
            colour = cmap(i)
        else:
            colour = cmap(i / (len(present) - 1) if len(present) > 1 else 0.0)
        draw_polygons(ax, areas[classes == name], colour=colour, label=name, cmap=cmap, aspect=False, **outlines)


def as_image(gdf) -> bool:
    """Whether a map layer of these areas is drawn as an image inside an SVG or PDF (at ``style.RASTER_DPI``).

    When its outlines have more than ``RASTER_FROM`` points. A national map of wijken then writes in a fraction of a
    second and its SVG stays under 1 MB instead of 4 MB of paths, while a city map stays vector throughout.

    Parameters
    ----------
    gdf : GeoDataFrame
        the areas as drawn (after ``for_drawing``)

    Returns
    -------
    bool
    """
    import shapely

    return int(shapely.get_num_coordinates(gdf.geometry.to_numpy()).sum()) > RASTER_FROM


@in_house_style
def choropleth(
    gdf,
    column: str,
    *,
    ax=None,
    scheme: str = "quantiles",
    k: int = 5,
    language: str | None = None,
    title: str | None = None,
    cmap: str = MAP_CMAP,
    edgecolor: str = "white",
    linewidth: float = 0.1,
    legend: str = "right",
):
    """A classified choropleth of ``column``.

    Areas without a value are grey and counted in the legend, which sits beside or under the map, never over it.

    Parameters
    ----------
    gdf : GeoDataFrame
        the areas, with the column
    column : str
        the values to map (labelled from the variable dictionary)
    ax : matplotlib Axes, optional
        where to draw (default: a new figure)
    scheme : str
        ``"quantiles"``, ``"equal_interval"``, ``"natural_breaks"`` or ``"fisher_jenks"`` (the last two by mapclassify)
    k : int
        the number of classes
    language : str, optional
        ``"en"`` or ``"nl"`` (default: the setting ``language``)
    title : str, optional
        the map's title
    cmap, edgecolor, linewidth
        the colour map and the outlines
    legend : str
        ``"right"`` (beside the map) or ``"below"`` (under it)

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ArgumentError
        for a column the table lacks or an unknown scheme.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> ax = ws.choropleth(gemeenten, "pct_volunteering", title="Volunteering, 2020")  # doctest: +SKIP
    """
    require_columns(gdf, [column], "choropleth")
    if scheme not in SCHEMES:
        raise ArgumentError(f"choropleth: scheme must be one of {', '.join(SCHEMES)}, not {scheme!r}")
    if ax is None:
        _, axes = new_figure(_map_height(gdf, WIDTH - LEGEND_WIDTH))
        ax = axes[0, 0]
    gdf = for_drawing(gdf)
    image = as_image(gdf)
    has = gdf[gdf[column].notna()]
    missing = gdf[gdf[column].isna()]
    handles = []
    outlines = {"edgecolor": edgecolor, "linewidth": linewidth, "rasterized": image}
    if len(missing):
        draw_polygons(ax, missing, colour=MISSING_COLOUR, **outlines)
    if len(has):
        bins, classes = classify(has[column].to_numpy(), scheme, min(k, has[column].nunique()))
        _draw_classes(ax, has, classes, plt.get_cmap(cmap), outlines)
        colours = plt.get_cmap(cmap)([i / max(len(bins) - 1, 1) for i in range(len(bins))])
        lower = [has[column].min()] + list(bins[:-1])
        handles = [Patch(facecolor=c, label=f"{lo:.1f} – {hi:.1f}") for c, lo, hi in zip(colours, lower, bins)]
    if len(missing):
        handles.append(Patch(facecolor=MISSING_COLOUR, label=f"{words('no data', language)} ({len(missing)})"))
    ax.set_axis_off()  # before the legend: a map has no axis labels for a legend under it to avoid
    room = axes_width(ax) if legend == "below" else LEGEND_WIDTH
    legend_outside(
        ax,
        where=legend,
        handles=handles,
        title=fitted(label_or_name(column, language), room, TYPE["legend"]),
        ncols=2 if legend == "below" else 1,
    )
    if title:
        ax.set_title(fitted(title, axes_width(ax), TYPE["title"]))
    return ax


LEGEND_WIDTH = 1.9  # inches a legend beside a map takes (its title and five classes, at the legend's size)
LEGEND_HEIGHT = 1.0  # inches a legend of two columns under a map takes


def map_aspect(gdf) -> float:
    """How tall a map of these areas is for its width.

    As drawn (areas in degrees are drawn with the aspect that geopandas gives them: one degree of longitude shortened by
    the cosine of the latitude).

    Parameters
    ----------
    gdf : GeoDataFrame
        the areas

    Returns
    -------
    float
        height / width (1 for an empty or degenerate extent)
    """
    import numpy as np

    x0, y0, x1, y1 = gdf.total_bounds
    if not all(np.isfinite([x0, y0, x1, y1])) or x1 <= x0 or y1 <= y0:
        return 1.0
    shrink = np.cos(np.radians((y0 + y1) / 2)) if gdf.crs is not None and gdf.crs.is_geographic else 1.0
    return float((y1 - y0) / ((x1 - x0) * shrink))


def _map_height(gdf, map_width: float, extra: float = 0.4) -> float:
    """The height of a figure whose map is ``map_width`` inches wide.

    With room for a title (``extra``), kept between 2 and 9 inches.
    """
    return min(max(map_width * map_aspect(gdf) + extra, 2.0), 9.0)


@in_house_style
def map_figure(gdf, columns, *, titles=None, size=None, **options):
    """A figure of one choropleth per column, side by side, the house width (``WIDTH``) in all.

    One map has its legend beside it, several have theirs under them.

    Parameters
    ----------
    gdf : GeoDataFrame
        the areas, with the columns
    columns : str or list of str
        the values to map
    titles : str or list of str, optional
        a title per map
    size : tuple of float, optional
        width and height of one map, in inches (default: the maps share the house width, and are as tall as the
        areas' shape needs)
    **options
        passed to ``choropleth`` (``scheme``, ``k``, ``linewidth``, ...)

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import wijkstudie as ws
    >>> fig = ws.map_figure(wijken, ["pct_owner_occupied", "pct_volunteering"], linewidth=0)  # doctest: +SKIP
    """
    columns = [columns] if isinstance(columns, str) else list(columns)
    titles = titles or [None] * len(columns)
    titles = [titles] if isinstance(titles, str) else list(titles)
    if len(titles) != len(columns):
        raise ArgumentError(f"map_figure: {len(columns)} column(s) but {len(titles)} title(s)")
    require_columns(gdf, columns, "map_figure")
    legend = options.pop("legend", "right" if len(columns) == 1 else "below")
    if size is not None:
        fig, axes = new_figure(size[1], 1, len(columns), width=size[0] * len(columns))
    else:
        beside = LEGEND_WIDTH if legend == "right" else 0.0
        map_width = WIDTH / len(columns) - beside
        below = LEGEND_HEIGHT if legend == "below" else 0.0
        fig, axes = new_figure(_map_height(gdf, map_width, 0.4 + below), 1, len(columns))
    drawn = for_drawing(gdf)  # once for all the maps
    for ax, column, title in zip(axes[0], columns, titles, strict=True):
        choropleth(drawn, column, ax=ax, title=title, legend=legend, **options)
    return fig


@in_house_style
def cluster_map(
    gdf,
    column: str = "cluster",
    *,
    title: str | None = None,
    legend_title: str | None = None,
    language: str | None = None,
):
    """A map of local Moran clusters (``models.lisa`` labels), with the count of areas per class.

    Parameters
    ----------
    gdf : GeoDataFrame
        the areas, with the cluster labels
    column : str
        the column of labels (``high-high``, ``low-low``, ``high-low``, ``low-high``, ``not significant``)
    title : str, optional
        the map's title
    legend_title : str, optional
        the legend's title (default: "local clusters" in the figure's language)
    language : str, optional
        ``"en"`` or ``"nl"`` (default: the setting ``language``)

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import wijkstudie as ws
    >>> wijken["cluster"] = ws.models.lisa(wijken["pct_volunteering"], weights)  # doctest: +SKIP
    >>> fig = ws.cluster_map(wijken, "cluster")  # doctest: +SKIP
    """
    require_columns(gdf, [column], "cluster_map")
    fig, axes = new_figure(_map_height(gdf, WIDTH - LEGEND_WIDTH))
    ax = axes[0, 0]
    gdf = for_drawing(gdf)
    image = as_image(gdf)
    handles = []
    for name, colour in CLUSTER_COLOURS.items():
        part = gdf[gdf[column] == name]
        if len(part):
            draw_polygons(ax, part, colour=colour, edgecolor="white", linewidth=0.2, rasterized=image)
            handles.append(Patch(facecolor=colour, label=f"{name} ({len(part)})"))
    legend_outside(ax, where="right", handles=handles, title=legend_title or words("local clusters", language))
    ax.set_axis_off()
    if title:
        ax.set_title(fitted(title, axes_width(ax), TYPE["title"]))
    return fig
