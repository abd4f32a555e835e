"""Figures in the house style, for notebooks and report authors.

- ``style``: the house style and type scale, the one place a text is chosen by language, data-source captions
  (``source_caption``) and ``save_figure`` (PNG, SVG and PDF, byte-identical from run to run);
- ``maps``: ``choropleth``, ``map_figure``, ``cluster_map``; ``classes``: a choropleth's classes (quantiles and equal
  intervals computed here, the optimising schemes by mapclassify); ``polygon_layer``: a map layer drawn at once;
- ``png_writer``, ``font_subsets``: what makes ``save_figure`` quicker without changing a byte (the PNG encoded in a
  worker thread; a PDF's font subsets kept under the data cache, as ``kept_entries``), put in place by ``patching``
  while it saves;
- ``charts``: ``scatter_fit``, ``scatter_panels``, ``dense_scatter``, ``estimate_figure``, ``interval_figure``,
  ``interval_series``, ``correlation_heatmap``, ``percentile_figure``, ``breakpoint_figure``, ``group_bars``.

Every function that makes a figure returns it; nothing is saved until ``save_figure``. One rule for what comes
back: a function with an ``ax`` parameter (``scatter_fit``, ``estimate_plot``, ``choropleth``) draws on that Axes
and returns the Axes; every other one (``*_figure``, ``*_map``, ...) makes its own Figure and returns it.
"""

from .charts import (
    breakpoint_figure,
    correlation_heatmap,
    dense_scatter,
    estimate_figure,
    estimate_plot,
    group_bars,
    interval_figure,
    interval_series,
    percentile_figure,
    scatter_fit,
    scatter_panels,
    weighted_line,
)
from .maps import choropleth, cluster_map, for_drawing, map_figure
from .style import (
    FORMATS,
    SYNTHETIC_MARK,
    UNKNOWN_MARK,
    Caption,
    caption_text,
    house_style,
    save_figure,
    source_caption,
    use_house_style,
    words,
)

__all__ = [
    "FORMATS",
    "SYNTHETIC_MARK",
    "UNKNOWN_MARK",
    "Caption",
    "breakpoint_figure",
    "caption_text",
    "choropleth",
    "cluster_map",
    "correlation_heatmap",
    "dense_scatter",
    "estimate_figure",
    "estimate_plot",
    "for_drawing",
    "group_bars",
    "house_style",
    "interval_figure",
    "interval_series",
    "map_figure",
    "percentile_figure",
    "save_figure",
    "scatter_fit",
    "scatter_panels",
    "source_caption",
    "use_house_style",
    "weighted_line",
    "words",
]
