"""The house style for figures, choropleth maps, and ``save_figure`` for report authors.

- One style (``house_style()``, applied by ``use_house_style()``): white background, light grid, one colour
  map for maps (``YlGnBu``), a fixed font size.
- Labels and captions are English or Dutch: the ``language`` argument, or ``$WIJKSTUDIE_LANGUAGE`` (en/nl).
- ``save_figure(fig, name, source=...)`` writes PNG (300 dpi), SVG and PDF into the figures folder, with the
  data source as a caption under the figure. Files carry no timestamps or random ids, so the same inputs give
  byte-identical files on every run.
- ``choropleth(gdf, column)`` classifies with mapclassify and shows areas without data in grey, with a
  legend entry saying so.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg") if not matplotlib.get_backend().lower().startswith(("module://", "nbagg", "widget")) else None
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from .errors import WijkstudieError, os_reason  # noqa: E402
from .folders import make_folder  # noqa: E402
from .paths import figures_dir  # noqa: E402
from .runlog import note as log_file  # noqa: E402
from .provenance import Caption, provenance_of  # noqa: E402
from .settings import settings  # noqa: E402
from .variables import label  # noqa: E402

DPI = 300
FORMATS = ("png", "svg", "pdf")
MAP_CMAP = "YlGnBu"
MISSING_COLOUR = "#d9d9d9"
SYNTHETIC_MARK = "SYNTHETIC DATA"
UNKNOWN_MARK = "UNKNOWN PROVENANCE"
CAPTION_GID = "wijkstudie-caption"  # the artists save_figure adds, removed before it adds them again


def house_style() -> dict:
    return {
        "figure.facecolor": "white", "axes.facecolor": "white", "axes.grid": True, "grid.color": "#e6e6e6",
        "axes.spines.top": False, "axes.spines.right": False, "font.size": 9, "axes.titlesize": 10,
        "axes.labelsize": 9, "legend.fontsize": 8, "legend.frameon": False, "savefig.dpi": DPI,
        "svg.hashsalt": "wijkstudie", "svg.fonttype": "path", "pdf.fonttype": 42,
    }


def use_house_style() -> None:
    plt.rcParams.update(house_style())


def default_language() -> str:
    return settings.language


def caption_text(source: str, language: str | None = None, synthetic: bool = False, note: str = "",
                 unknown: bool = False) -> str:
    language = language or default_language()
    word = "Bron" if language == "nl" else "Source"
    text = source if source.lower().startswith(("bron", "source")) else f"{word}: {source}"
    if note:
        text = f"{text}. {note}"
    if synthetic:
        text = f"{SYNTHETIC_MARK} ({'synthetische data, geen echte metingen' if language == 'nl' else 'not real measurements'}). {text}"
    elif unknown:
        text = (f"{UNKNOWN_MARK} ({'niet vast te stellen of dit echte gegevens zijn' if language == 'nl' else 'not known to be real data'})"
                f". {text}")
    return text


def save_figure(fig, name: str, source, language: str | None = None, data_kind: str | None = None, note: str = "",
                folder: Path | None = None, formats=FORMATS) -> list[Path]:
    """Write ``fig`` as ``<name>.png`` (300 dpi), ``.svg`` and ``.pdf`` with the data source as caption.

    Parameters
    ----------
    fig : matplotlib Figure
    name : str
        file name without extension
    source : str, Caption or tables
        the caption: ``wijkstudie.source_caption(*tables)`` (which carries the tables' provenance), or the
        tables themselves, or plain text (whose data kind is unknown unless ``data_kind`` says it)
    data_kind : str, optional
        ``"real"``, ``"synthetic"`` or ``"unknown"``; by default the provenance of ``source``. Synthetic data get
        a visible SYNTHETIC DATA mark on the figure and in the caption, data of unknown provenance an UNKNOWN
        PROVENANCE mark: never the look of real data.

    The caption is wrapped to the figure's width; below a figure of maps it sits right under the maps.
    Saving the same figure again replaces its caption and marks (it never stacks them). Files carry no
    timestamps, so the same inputs give byte-identical files. Returns the paths written.
    """
    if isinstance(source, (list, tuple)) or hasattr(source, "columns"):
        from .provenance import source_caption

        tables = source if isinstance(source, (list, tuple)) else [source]
        source = source_caption(*tables, language=language)
    if not source:
        raise WijkstudieError(f"save_figure({name!r}): a data source for the caption is required")
    kind = data_kind or (source.provenance.kind if isinstance(source, Caption) else "unknown")
    if kind not in ("real", "synthetic", "unknown"):
        raise WijkstudieError(f"save_figure: data_kind must be real, synthetic or unknown, not {kind!r}")
    folder = Path(folder) if folder else figures_dir()
    make_folder(folder, "figures_dir")
    for artist in [t for t in fig.texts if t.get_gid() == CAPTION_GID]:
        artist.remove()
    # the caption sits below the figure (or below its maps); bbox_inches="tight" grows the saved area to include it
    bottom, top = _content_span(fig)
    text = caption_text(str(source), language, kind == "synthetic", note, kind == "unknown")
    fig.text(0.01, bottom, _wrapped(text, fig.get_figwidth(), CAPTION_POINTS),
             ha="left", va="top", fontsize=CAPTION_POINTS, color="#555555", gid=CAPTION_GID)
    if kind != "real":
        fig.text(0.99, top, SYNTHETIC_MARK if kind == "synthetic" else UNKNOWN_MARK, ha="right", va="bottom",
                 fontsize=9, color="#b2182b", weight="bold", gid=CAPTION_GID)
    metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
                "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}}
    written = []
    with plt.rc_context(house_style()):
        for fmt in formats:
            path = folder / f"{name}.{fmt}"
            try:
                fig.savefig(path, format=fmt, dpi=DPI, metadata=metadata[fmt], bbox_inches="tight", pad_inches=0.1)
            except OSError as exc:
                raise WijkstudieError(f"cannot write {path} (setting figures_dir, WIJKSTUDIE_FIGURES_DIR): "
                                      f"{os_reason(exc)}") from None
            log_file("wrote", path)
            written.append(path)
    return written


CAPTION_POINTS = 7


def _wrapped(text: str, width_inches: float, points: float) -> str:
    """``text`` broken into lines no wider than the figure (a long list of sources would otherwise widen the
    saved file far beyond the plot)."""
    per_line = max(40, int(width_inches * 72 / (0.6 * points)))  # an average character is about 0.6 em wide
    return "\n".join(textwrap.fill(line, per_line, break_on_hyphens=False) for line in text.split("\n"))


def _content_span(fig) -> tuple[float, float]:
    """Where the caption and the data mark go, in figure coordinates: just below and at the top of the figure,
    or, when every axes is a map (axis off, equal aspect), just below and just above what the maps draw (with
    their titles and legends), so that a map of another shape than its box leaves no band of white."""
    axes = [ax for ax in fig.axes if ax.get_visible()]
    if not axes or any(ax.axison for ax in axes):
        return -0.01, 1.0
    renderer = fig.canvas.get_renderer()
    boxes = [ax.get_tightbbox(renderer).transformed(fig.transFigure.inverted()) for ax in axes]
    return min(b.y0 for b in boxes) - 0.01, max(b.y1 for b in boxes) + 0.01


DRAWING_DETAIL = 3000  # a map is drawn with outlines simplified to 1/3000 of its extent: below a printed pixel


def for_drawing(gdf):
    """The areas with their outlines simplified to below what a printed map can show (1/``DRAWING_DETAIL`` of
    the map's extent), when there are many: a national map of wijken or buurten then draws in a fraction of
    the time, and the files are a fraction of the size, with no visible difference."""
    if len(gdf) < 500:
        return gdf
    x0, y0, x1, y1 = gdf.total_bounds
    tolerance = max(x1 - x0, y1 - y0) / DRAWING_DETAIL
    return gdf.set_geometry(gdf.geometry.simplify(tolerance, preserve_topology=True))


def choropleth(gdf, column: str, ax=None, scheme: str = "quantiles", k: int = 5, language: str | None = None,
               title: str | None = None, cmap: str = MAP_CMAP, edgecolor: str = "white", linewidth: float = 0.1):
    """A classified choropleth of ``column``; areas without a value are grey and named in the legend."""
    import mapclassify

    language = language or default_language()
    if column not in gdf:
        raise WijkstudieError(f"choropleth: no column {column!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 7))
    gdf = for_drawing(gdf)
    has = gdf[gdf[column].notna()]
    missing = gdf[gdf[column].isna()]
    if len(missing):
        missing.plot(ax=ax, color=MISSING_COLOUR, edgecolor=edgecolor, linewidth=linewidth)
    if len(has):
        classifier = getattr(mapclassify, {"quantiles": "Quantiles", "equal_interval": "EqualInterval",
                                           "natural_breaks": "NaturalBreaks", "fisher_jenks": "FisherJenks"}[scheme])
        bins = classifier(has[column].to_numpy(), k=min(k, has[column].nunique()))
        has.assign(_class=bins.yb).plot(column="_class", ax=ax, cmap=cmap, categorical=True,
                                         edgecolor=edgecolor, linewidth=linewidth)
        colours = plt.get_cmap(cmap)([i / max(len(bins.bins) - 1, 1) for i in range(len(bins.bins))])
        lower = [has[column].min()] + list(bins.bins[:-1])
        handles = [Patch(facecolor=c, label=f"{lo:.1f} – {hi:.1f}") for c, lo, hi in zip(colours, lower, bins.bins)]
    else:
        handles = []
    if len(missing):
        handles.append(Patch(facecolor=MISSING_COLOUR, label=("geen gegevens" if language == "nl" else "no data")
                             + f" ({len(missing)})"))
    ax.legend(handles=handles, title=_label_or_name(column, language), loc="upper left", fontsize=7)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def _label_or_name(column: str, language: str) -> str:
    try:
        return label(column, language, with_unit=True)
    except WijkstudieError:
        return column


def scatter_fit(data, x: str, y: str, ax=None, weights: str | None = None, language: str | None = None,
                title: str | None = None, annotate: dict | None = None):
    """Scatter of ``y`` against ``x`` (point size by ``weights``) with the (weighted) least-squares line.
    ``annotate``: {row label column value: text} to name a few points, e.g. {"Vreewijk": "Vreewijk"}."""
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 3.5))
    used = data.dropna(subset=[x, y] + ([weights] if weights else []))
    w = used[weights].to_numpy(dtype=float) if weights else np.ones(len(used))
    size = 8 + 60 * w / w.max() if weights else 14
    ax.scatter(used[x], used[y], s=size, alpha=0.6, color="#2c7fb8", edgecolor="white", linewidth=0.3)
    if len(used) > 2:
        slope, intercept = np.polyfit(used[x].astype(float), used[y].astype(float), 1, w=np.sqrt(w))
        xs = np.linspace(used[x].min(), used[x].max(), 50)
        ax.plot(xs, intercept + slope * xs, color="#d95f0e", linewidth=1.2)
    for key, text in (annotate or {}).items():
        rows = used[used["region_name"] == key] if "region_name" in used else used.iloc[0:0]
        for _, r in rows.iterrows():
            ax.annotate(text, (r[x], r[y]), xytext=(4, 4), textcoords="offset points", fontsize=7)
    ax.set_xlabel(_label_or_name(x, language))
    ax.set_ylabel(_label_or_name(y, language))
    if title:
        ax.set_title(title)
    return ax


def _estimate_mark(test) -> str:
    """The mark before a test's label: synthetic and unknown data, and evidence that does not count."""
    if test.data_kind != "real":
        return {"synthetic": "[SYNTHETIC] ", "unknown": "[UNKNOWN] "}.get(test.data_kind, "")
    return "" if test.counted_kind else f"[{test.evidence}, not counted] "


def estimate_plot(tests, ax=None, title: str | None = None):
    """Point estimates with 95 % intervals of a finding's tests: synthetic ones marked and red, tests that do not
    count as evidence (model-implied, unknown) marked and grey with open points."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.5 + 0.45 * max(len(tests), 1)))
    for i, t in enumerate(tests):
        colour = {"synthetic": "#b2182b", "unknown": "#888888"}.get(t.data_kind, "#2c7fb8")
        colour = "#aaaaaa" if t.data_kind == "real" and not t.counted_kind else colour
        ax.plot([t.ci_low, t.ci_high], [i, i], color=colour, linewidth=2)
        ax.plot([t.estimate], [i], "o", color=colour, markerfacecolor=colour if t.counted_kind else "white")
    ax.axvline(0, color="#888888", linewidth=0.8)
    ax.set_yticks(range(len(tests)))
    ax.set_yticklabels([_estimate_mark(t) + t.label for t in tests], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("estimate with 95 % interval")
    if title:
        ax.set_title(title)
    return ax


# --- whole figures, for notebooks (no plotting code in notebooks) -----------------------------------------

def map_figure(gdf, columns, titles=None, size=(6.0, 7.0), **options):
    """A figure of one choropleth per column, side by side (``options`` go to ``choropleth``)."""
    columns = [columns] if isinstance(columns, str) else list(columns)
    titles = titles or [None] * len(columns)
    titles = [titles] if isinstance(titles, str) else titles
    fig, axes = plt.subplots(1, len(columns), figsize=(size[0] * len(columns) * 0.85, size[1]), squeeze=False)
    for ax, column, title in zip(axes[0], columns, titles):
        choropleth(gdf, column, ax=ax, title=title, **options)
    return fig


def scatter_panels(panels, weights: str | None = None, title: str | None = None, ncols: int | None = None,
                   size=(3.7, 3.5), language: str | None = None):
    """One ``scatter_fit`` per panel: a list of dicts with ``data``, ``x``, ``y`` and optionally ``title`` and
    ``annotate``; ``weights`` sizes the points and weights the fitted line."""
    ncols = ncols or min(len(panels), 3)
    nrows = int(np.ceil(len(panels) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows), squeeze=False)
    for ax, panel in zip(axes.ravel(), panels):
        scatter_fit(panel["data"], panel["x"], panel["y"], ax=ax, weights=weights, language=language,
                    title=panel.get("title"), annotate=panel.get("annotate"))
    for ax in axes.ravel()[len(panels):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def estimate_figure(tests, title: str | None = None, width: float = 7.0):
    """The estimates and 95 % intervals of a finding's tests (``estimate_plot``) as a figure of fitting height."""
    fig, ax = plt.subplots(figsize=(width, 0.6 + 0.4 * max(len(tests), 1)))
    estimate_plot(tests, ax=ax, title=title)
    return fig


def correlation_heatmap(correlations, title: str | None = None, language: str | None = None):
    """A heat map of a correlation matrix, labelled with the variables' names in the session's language."""
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    image = ax.imshow(correlations, cmap="RdBu_r", vmin=-1, vmax=1)
    labels = [_label_or_name(c, language or default_language()) for c in correlations.columns]
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.grid(False)
    fig.colorbar(image, ax=ax, shrink=0.7, label="correlatie" if (language or default_language()) == "nl"
                 else "correlation")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def percentile_plot(ranks: dict, title: str | None = None, language: str | None = None,
                    reference: float = 50.0):
    """One area's percentile among its peers on every variable, one marker per year (``ranks``: {year: the
    ``profiles.rank_table`` of that year}); variables sorted by the latest year."""
    language = language or default_language()
    latest = ranks[max(ranks)]
    order = latest.sort_values("percentile").index
    fig, ax = plt.subplots(figsize=(6, 0.8 + 0.16 * len(order)))
    for (year, table), marker in zip(sorted(ranks.items()), "osD^v"):
        ax.plot(table.reindex(order)["percentile"], range(len(order)), marker, label=str(year), alpha=0.8)
    ax.set_yticks(range(len(order)), [_label_or_name(c, language).split(" (")[0] for c in order], fontsize=6)
    ax.axvline(reference, color="#888888", linewidth=0.8)
    ax.set_xlabel("percentiel onder vergelijkbare gebieden" if language == "nl" else "percentile among its peers")
    ax.legend(loc="lower right")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


CLUSTER_COLOURS = {"high-high": "#b2182b", "low-low": "#2166ac", "high-low": "#f4a582", "low-high": "#92c5de",
                   "not significant": "#eeeeee"}


def cluster_map(gdf, column: str = "cluster", title: str | None = None, legend_title: str = "local clusters"):
    """A map of local Moran clusters (``models.lisa`` labels), with the count of areas per class."""
    fig, ax = plt.subplots(figsize=(6, 7))
    gdf = for_drawing(gdf)
    for name, colour in CLUSTER_COLOURS.items():
        part = gdf[gdf[column] == name]
        if len(part):
            part.plot(ax=ax, color=colour, edgecolor="white", linewidth=0.2, label=f"{name} ({len(part)})")
    ax.legend(loc="upper left", fontsize=7, title=legend_title)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return fig


def breakpoint_plot(segmented, spline=None, x_label: str = "", y_label: str = "probability"):
    """The fitted curve of a ``segmented_logit`` result, its breakpoint with the 95 % interval, and a spline fit
    (``spline_logit``) beside it."""
    from .models import segmented_curve

    x = segmented.extra["x"]
    curve = segmented_curve(segmented)
    low, high = segmented.extra["breakpoint_ci"]
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    ax.plot(curve[x], curve["probability"], label="segmented fit")
    if spline is not None:
        spline_curve = spline.extra["curve"]
        ax.plot(spline_curve[x], spline_curve["probability"], "--", label="spline fit")
    ax.axvline(segmented.extra["breakpoint"], color="#888888", linewidth=0.8)
    ax.axvspan(low, high, color="#dddddd", alpha=0.6, label="95 % interval of the breakpoint")
    ax.set_xlabel(x_label or x)
    ax.set_ylabel(y_label)
    ax.legend()
    return fig


def group_bars(table, x_label: str, title: str | None = None):
    """Horizontal bars of a table with one row per group and one column per condition (e.g.
    ``predicted_by_group``)."""
    fig, ax = plt.subplots(figsize=(5.5, 0.9 + 0.45 * len(table)))
    table.plot.barh(ax=ax)
    ax.set_xlabel(x_label)
    ax.set_ylabel("")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def dense_scatter(data, x: str, y: str, weights: str | None = None, title: str | None = None,
                  language: str | None = None, gridsize: int = 40):
    """Thousands of areas at once: a hexagonal density of ``y`` against ``x`` with the (weighted) least-squares
    line drawn over it."""
    language = language or default_language()
    used = data.dropna(subset=[x, y] + ([weights] if weights else []))
    fig, ax = plt.subplots(figsize=(5.2, 4.2))
    hexes = ax.hexbin(used[x], used[y], gridsize=gridsize, cmap="Blues", mincnt=1, linewidths=0.2)
    w = used[weights].to_numpy(dtype=float) if weights else np.ones(len(used))
    if len(used) > 2:
        slope, intercept = np.polyfit(used[x].astype(float), used[y].astype(float), 1, w=np.sqrt(w))
        xs = np.linspace(used[x].min(), used[x].max(), 50)
        ax.plot(xs, intercept + slope * xs, color="#d95f0e", linewidth=1.5,
                label=("gewogen regressielijn" if language == "nl" else "weighted least-squares line"))
        ax.legend(loc="upper left")
    fig.colorbar(hexes, ax=ax, shrink=0.8, label="gebieden" if language == "nl" else "areas")
    ax.set_xlabel(_label_or_name(x, language))
    ax.set_ylabel(_label_or_name(y, language))
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def interval_plot(table, label_column: str, x_label: str, title: str | None = None, reference: float | None = 0.0):
    """Estimates with 95 % intervals, one row each (columns ``mean`` or ``estimate``, ``ci_low``, ``ci_high``;
    ``label_column`` names the rows)."""
    value = "mean" if "mean" in table else "estimate"
    fig, ax = plt.subplots(figsize=(6, 0.8 + 0.45 * len(table)))
    positions = np.arange(len(table))
    ax.errorbar(table[value], positions, xerr=[table[value] - table["ci_low"], table["ci_high"] - table[value]],
                fmt="o", color="#2c7fb8", capsize=3)
    if reference is not None:
        ax.axvline(reference, color="#888888", linewidth=0.8)
    ax.set_yticks(positions, table[label_column].astype(str), fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(x_label)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
