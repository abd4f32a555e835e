"""A map's layer of polygons, drawn as geopandas draws it, with all its outlines built at once.

Geopandas (1.x) builds one matplotlib patch per area in Python (a ``Path`` per ring, joined per area), about 0.5 s of a
national map of wijken. ``polygon_paths`` builds the same paths (the same vertices, codes and order) from the
outlines' coordinates in a few array operations, and ``draw_polygons`` adds them to the axes as the same collection
with the same settings that ``GeoSeries.plot`` gives it, so a figure's files are byte for byte those geopandas draws.
"""

from __future__ import annotations

import numpy as np
import shapely
from matplotlib.collections import Collection, PatchCollection
from matplotlib.path import Path

from ..core.errors import ArgumentError

POLYGON, MULTIPOLYGON = 3, 6  # shapely's type ids


def polygon_paths(geometries) -> list:
    """One matplotlib ``Path`` per (multi)polygon: each ring closed, exterior before its holes, parts in order.

    The path geopandas' ``_PolygonPatch`` builds for the area (``Path.make_compound_path`` of one closed ``Path`` per
    ring): the ring's coordinates (x and y) as vertices, its first code ``MOVETO``, its last ``CLOSEPOLY``, the others
    ``LINETO``.

    Parameters
    ----------
    geometries : array of shapely geometries
        Polygons and MultiPolygons, none missing or empty (normalised, as geopandas draws them)

    Returns
    -------
    list of matplotlib.path.Path
    """
    geometries = np.asarray(geometries, dtype=object)
    parts, part_of = shapely.get_parts(geometries, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    sizes = shapely.get_num_coordinates(rings)
    vertices = shapely.get_coordinates(rings)
    ends = np.cumsum(sizes)
    codes = np.full(len(vertices), Path.LINETO, dtype=Path.code_type)
    codes[ends - sizes] = Path.MOVETO
    codes[ends - 1] = Path.CLOSEPOLY  # after MOVETO, as ``Path(..., closed=True)`` sets them
    per_area = np.bincount(part_of[ring_of], weights=sizes, minlength=len(geometries)).astype(np.intp)
    stops = np.cumsum(per_area)
    return [Path(vertices[a:b], codes[a:b]) for a, b in zip((stops - per_area).tolist(), stops.tolist(), strict=True)]


def _axis_labels(ax, crs) -> None:
    """The axis labels geopandas gives a map's axes (from the CRS), where the axes have none yet."""
    if crs:
        x_label = f"{crs.axis_info[0].name} [{crs.axis_info[0].unit_name}]"
        y_label = f"{crs.axis_info[1].name} [{crs.axis_info[1].unit_name}]"
        if crs.axis_info[0].direction == "north":
            x_label, y_label = y_label, x_label
    else:
        x_label, y_label = "x", "y"
    if ax.get_xlabel() == "":
        ax.set_xlabel(x_label, fontsize="small")
    if ax.get_ylabel() == "":
        ax.set_ylabel(y_label, fontsize="small")


def map_aspect_of(ax, gdf) -> None:
    """Set the axes' aspect as geopandas does for these areas (``aspect="auto"``).

    Equal in a projected CRS; in degrees, a degree of latitude ``1 / cos(latitude)`` times a degree of longitude at the
    middle of the areas' extent. The axes get the labels geopandas gives them first (a map turns its axis off).

    Parameters
    ----------
    ax : matplotlib Axes
    gdf : GeoDataFrame or GeoSeries
        the areas
    """
    _axis_labels(ax, gdf.crs)
    if gdf.crs and gdf.crs.is_geographic:
        bounds = gdf.total_bounds
        ax.set_aspect(1 / np.cos(np.mean([bounds[1], bounds[3]]) * np.pi / 180))
    else:
        ax.set_aspect("equal")


def draw_polygons(ax, areas, *, colour, edgecolor, linewidth, rasterized, label=None, cmap=None, aspect=True):
    """Draw areas in one colour, as ``areas.plot(ax=ax, color=colour, ...)`` draws them.

    Missing and empty geometries are left out; the areas' outlines are normalised (so matplotlib fills around holes).
    The collection added is geopandas' kind, with the same face and edge colours, line width, label, colour map and
    rasterisation, and the axes' limits and aspect follow as they do in geopandas.

    Parameters
    ----------
    ax : matplotlib Axes
    areas : GeoDataFrame or GeoSeries
        polygons and multipolygons (missing or empty ones are skipped)
    colour
        the fill, any matplotlib colour
    edgecolor, linewidth, rasterized
        the outlines, and whether the layer is an image inside an SVG or PDF
    label : optional
        the collection's label
    cmap : matplotlib Colormap, optional
        set on the collection (geopandas sets the colour map of each class of a classified map)
    aspect : bool
        set the axes' aspect from these areas (geopandas does for a layer of its own, not for a class of a map)

    Returns
    -------
    matplotlib.collections.PatchCollection or None
        the layer (None when no area has an outline)

    Raises
    ------
    ArgumentError
        for geometries other than polygons and multipolygons.
    """
    geometry = areas.geometry if hasattr(areas, "geometry") else areas
    shapes = geometry.to_numpy()
    kept = ~(shapely.is_missing(shapes) | shapely.is_empty(shapes))
    kinds = shapely.get_type_id(shapes[kept])
    if not np.isin(kinds, (POLYGON, MULTIPOLYGON)).all():
        other = shapes[kept][~np.isin(kinds, (POLYGON, MULTIPOLYGON))][0].geom_type
        raise ArgumentError(f"draw_polygons: a map draws polygons and multipolygons, not {other}")
    _axis_labels(ax, geometry.crs)
    if len(shapes) == 0 or shapely.is_empty(shapes).all():
        return None
    if aspect:
        map_aspect_of(ax, geometry)
    if not kept.any():
        return None
    style = {"facecolor": colour, "edgecolor": edgecolor, "linewidth": linewidth, "rasterized": rasterized}
    if label is not None:
        style["label"] = label
    layer = _GeoPandasPolyCollection(polygon_paths(shapely.normalize(shapes[kept])), **style)
    if cmap is not None:
        layer.set_cmap(cmap)
    ax.add_collection(layer, autolim=True)
    ax.autoscale_view()
    return layer


def measuring_only(renderer) -> bool:
    """Whether the renderer draws nothing: matplotlib's pass that measures a figure for ``bbox_inches="tight"``.

    Matplotlib draws the figure once with its renderer's ``draw_*`` methods turned into no-ops
    (``RendererBase._draw_disabled``) before it writes a file with a tight bounding box. For an SVG or PDF the renderer
    switches to a fresh Agg renderer for a rasterised layer, which does draw: a map's polygons were rendered to an image
    that was thrown away, once per vector format.

    Parameters
    ----------
    renderer : matplotlib renderer (or ``MixedModeRenderer``)

    Returns
    -------
    bool
    """
    from matplotlib.backend_bases import RendererBase

    vector = getattr(renderer, "_vector_renderer", renderer)  # a MixedModeRenderer's, while it rasterises too
    method = getattr(vector, "draw_path_collection", None)
    return getattr(method, "__wrapped__", None) is RendererBase.draw_path_collection


class _GeoPandasPolyCollection(PatchCollection):
    """Geopandas' collection of polygons (its class name names the layer's group in an SVG), made from paths.

    It is not drawn in the pass that only measures the figure (``measuring_only``): what it draws is not measured, and
    the files written after are the same.
    """

    def set_paths(self, paths):
        Collection.set_paths(self, paths)

    def draw(self, renderer):
        if not measuring_only(renderer):
            super().draw(renderer)  # Collection.draw, which rasterises the layer when it is to be an image

    draw._supports_rasterization = True  # what matplotlib's set_rasterized asks of a draw (Collection.draw rasterises)
