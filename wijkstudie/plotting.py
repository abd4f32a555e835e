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

from pathlib import Path

import matplotlib

matplotlib.use("Agg") if not matplotlib.get_backend().lower().startswith(("module://", "nbagg", "widget")) else None
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from .errors import WijkstudieError  # noqa: E402
from .paths import figures_dir  # noqa: E402
from .paths import language as default_language  # noqa: E402
from .variables import label  # noqa: E402

DPI = 300
FORMATS = ("png", "svg", "pdf")
MAP_CMAP = "YlGnBu"
MISSING_COLOUR = "#d9d9d9"
SYNTHETIC_MARK = "SYNTHETIC DATA"


def house_style() -> dict:
    return {
        "figure.facecolor": "white", "axes.facecolor": "white", "axes.grid": True, "grid.color": "#e6e6e6",
        "axes.spines.top": False, "axes.spines.right": False, "font.size": 9, "axes.titlesize": 10,
        "axes.labelsize": 9, "legend.fontsize": 8, "legend.frameon": False, "savefig.dpi": DPI,
        "svg.hashsalt": "wijkstudie", "svg.fonttype": "path", "pdf.fonttype": 42,
    }


def use_house_style() -> None:
    plt.rcParams.update(house_style())


def caption_text(source: str, language: str | None = None, synthetic: bool = False, note: str = "") -> str:
    language = language or default_language()
    word = "Bron" if language == "nl" else "Source"
    text = source if source.lower().startswith(("bron", "source")) else f"{word}: {source}"
    if note:
        text = f"{text}. {note}"
    if synthetic:
        text = f"{SYNTHETIC_MARK} ({'synthetische data, geen echte metingen' if language == 'nl' else 'not real measurements'}). {text}"
    return text


def save_figure(fig, name: str, source: str, language: str | None = None, synthetic: bool | None = None, note: str = "",
                folder: Path | None = None, formats=FORMATS) -> list[Path]:
    """Write ``fig`` as ``<name>.png`` (300 dpi), ``.svg`` and ``.pdf`` with the source as caption.

    ``synthetic=True`` puts a visible SYNTHETIC DATA mark on the figure and in the caption; by default it is on
    whenever the source names synthetic data or the session runs on the synthetic world.
    Returns the paths written.
    """
    if synthetic is None:
        from .paths import data_mode

        synthetic = "synthetic" in source.lower() or data_mode() == "synthetic"
    if not source:
        raise WijkstudieError(f"save_figure({name!r}): a data source for the caption is required")
    folder = Path(folder) if folder else figures_dir()
    folder.mkdir(parents=True, exist_ok=True)
    # the caption sits below the figure; bbox_inches="tight" grows the saved area to include it
    fig.text(0.01, -0.01, caption_text(source, language, synthetic, note), ha="left", va="top", fontsize=7,
             color="#555555")
    if synthetic:
        fig.text(0.99, 1.0, SYNTHETIC_MARK, ha="right", va="bottom", fontsize=9, color="#b2182b", weight="bold")
    metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
                "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}}
    written = []
    with plt.rc_context(house_style()):
        for fmt in formats:
            path = folder / f"{name}.{fmt}"
            fig.savefig(path, format=fmt, dpi=DPI, metadata=metadata[fmt], bbox_inches="tight", pad_inches=0.1)
            written.append(path)
    return written


def choropleth(gdf, column: str, ax=None, scheme: str = "quantiles", k: int = 5, language: str | None = None,
               title: str | None = None, cmap: str = MAP_CMAP, edgecolor: str = "white", linewidth: float = 0.1):
    """A classified choropleth of ``column``; areas without a value are grey and named in the legend."""
    import mapclassify

    language = language or default_language()
    if column not in gdf:
        raise WijkstudieError(f"choropleth: no column {column!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 7))
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
    import numpy as np

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


def estimate_plot(tests, ax=None, title: str | None = None):
    """Point estimates with 95 % intervals of a finding's tests (synthetic ones marked)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.5 + 0.45 * max(len(tests), 1)))
    for i, t in enumerate(tests):
        colour = "#b2182b" if t.data_kind == "synthetic" else "#2c7fb8"
        ax.plot([t.ci_low, t.ci_high], [i, i], color=colour, linewidth=2)
        ax.plot([t.estimate], [i], "o", color=colour)
    ax.axvline(0, color="#888888", linewidth=0.8)
    ax.set_yticks(range(len(tests)))
    ax.set_yticklabels([("[SYNTHETIC] " if t.data_kind == "synthetic" else "") + t.label for t in tests], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("estimate with 95 % interval")
    if title:
        ax.set_title(title)
    return ax
