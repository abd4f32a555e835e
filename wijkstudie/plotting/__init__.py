"""Figures in the house style, for notebooks and report authors.

- ``style``: the house style and type scale, the one place a text is chosen by language, data-source captions
  (``source_caption``) and ``save_figure`` (PNG, SVG and PDF, byte-identical from run to run);
- ``maps``: ``choropleth``, ``map_figure``, ``cluster_map``;
- ``charts``: ``scatter_fit``, ``scatter_panels``, ``dense_scatter``, ``estimate_figure``, ``interval_plot``,
  ``interval_series``, ``correlation_heatmap``, ``percentile_plot``, ``breakpoint_plot``, ``group_bars``.

Every function that makes a figure returns it; nothing is saved until ``save_figure``.
"""

from .charts import (
    breakpoint_plot,
    correlation_heatmap,
    dense_scatter,
    estimate_figure,
    estimate_plot,
    group_bars,
    interval_plot,
    interval_series,
    percentile_plot,
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
    "breakpoint_plot",
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
    "interval_plot",
    "interval_series",
    "map_figure",
    "percentile_plot",
    "save_figure",
    "scatter_fit",
    "scatter_panels",
    "source_caption",
    "use_house_style",
    "weighted_line",
    "words",
]
