"""The house style: one look, one type scale, captions that name the data source, and ``save_figure``.

- ``house_style()`` (applied by ``use_house_style()``, by every figure function while it draws, and always while
  saving): white background, light grid, one colour map for maps, one type scale (``TYPE``) for every figure.
- One width: every figure the package makes is ``WIDTH`` inches wide (the text width of an A4 page), so that its
  type scale reads the same wherever its figures are shown at one width (the report site, a report); heights
  follow the content. Legends sit outside what the axes show, never over the data.
- Labels and captions are English or Dutch: the ``language`` argument, else the setting ``language``;
  ``words(key, language)`` is the one place a text is chosen by language.
- ``source_caption(*tables)`` names the data sources from the catalogue's attribution and carries the tables'
  provenance; ``save_figure(fig, name, source=...)`` writes PNG (300 dpi), SVG and PDF with that caption under the
  figure and a visible mark on synthetic data or data of unknown provenance. Files carry no timestamps or random
  ids, so the same inputs give byte-identical files on every run. While it saves, the PNG is encoded in a worker
  thread (``png_writer``), and a PDF's font subsets come from a cache (``font_subsets``): the same bytes, sooner.

Importing this module does not choose a matplotlib backend: the notebook's, the script's or ``MPLBACKEND``'s is
used.
"""

from __future__ import annotations

import textwrap
from contextlib import ExitStack, contextmanager
from pathlib import Path

import matplotlib.pyplot as plt

from ..core.atomic import write_atomic
from ..core.errors import ArgumentError, MissingRecordError, WijkstudieError, os_reason
from ..core.folders import make_folder
from ..core.paths import figures_dir
from ..core.provenance import UNKNOWN, Provenance, combine, provenance_of
from ..core.settings import settings
from ..data.variables import label
from .font_subsets import cached_font_subsets
from .png_writer import background_png

DPI = 300
RASTER_DPI = 200  # resolution of the parts of an SVG or PDF drawn as an image (the many polygons of a map)
FORMATS = ("png", "svg", "pdf")
MAP_CMAP = "YlGnBu"
MISSING_COLOUR = "#d9d9d9"
POINT_COLOUR, LINE_COLOUR, MARK_COLOUR, REFERENCE_COLOUR = "#2c7fb8", "#d95f0e", "#b2182b", "#888888"
SYNTHETIC_MARK = "SYNTHETIC DATA"
UNKNOWN_MARK = "UNKNOWN PROVENANCE"
CAPTION_GID = "wijkstudie-caption"  # the artists save_figure adds, removed before it adds them again
# the type scale, in points: four sizes, each for one kind of text, in every figure of the house style
TYPE = {"base": 9, "title": 10, "label": 9, "tick": 8, "legend": 8, "small": 7, "caption": 7}
WIDTH = 6.5  # inches: the width of every figure of the house style (the text width of an A4 page)

WORDS = {  # every text a figure chooses by language
    "source": {"en": "Source", "nl": "Bron"},
    "no data": {"en": "no data", "nl": "geen gegevens"},
    "synthetic": {"en": "not real measurements", "nl": "synthetische data, geen echte metingen"},
    "unknown": {"en": "not known to be real data", "nl": "niet vast te stellen of dit echte gegevens zijn"},
    "synthetic stand-in": {"en": "synthetic stand-in for", "nl": "synthetische vervanging van"},
    "unknown source": {"en": "unknown", "nl": "onbekend"},
    "correlation": {"en": "correlation", "nl": "correlatie"},
    "percentile among peers": {"en": "percentile among its peers", "nl": "percentiel onder vergelijkbare gebieden"},
    "weighted line": {"en": "weighted least-squares line", "nl": "gewogen regressielijn"},
    "areas": {"en": "areas", "nl": "gebieden"},
    "estimate with interval": {"en": "estimate with 95 % interval", "nl": "schatting met 95 %-interval"},
    "segmented fit": {"en": "segmented fit", "nl": "gesegmenteerde fit"},
    "spline fit": {"en": "spline fit", "nl": "spline-fit"},
    "breakpoint interval": {"en": "95 % interval of the breakpoint", "nl": "95 %-interval van het breekpunt"},
    "probability": {"en": "probability", "nl": "kans"},
    "local clusters": {"en": "local clusters", "nl": "lokale clusters"},
}


def language_of(language: str | None = None) -> str:
    """The language of a figure.

    Parameters
    ----------
    language : str, optional
        ``"en"`` or ``"nl"``

    Returns
    -------
    str
        the argument, else the setting ``language``
    """
    return language or settings.language


def words(key: str, language: str | None = None) -> str:
    """A figure's text in the figure's language (``WORDS``).

    Parameters
    ----------
    key : str
        a key of ``WORDS`` (``"source"``, ``"areas"``, ...)
    language : str, optional
        ``"en"`` or ``"nl"`` (default: the setting ``language``)

    Returns
    -------
    str
    """
    return WORDS[key][language_of(language)]


# the fonts an SVG names (its text stays text): DejaVu Sans, which matplotlib ships and draws the PNG and PDF with,
# then fonts a viewer without it has
SANS_SERIF = ["DejaVu Sans", "Helvetica", "Arial", "Liberation Sans"]


def house_style() -> dict:
    """The house style as matplotlib settings.

    White background, light grid, one type scale (``TYPE``), 300 dpi, and files without timestamps.

    Returns
    -------
    dict
        rcParams, for ``house_style_context`` or ``rcParams.update``
    """
    return {
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "axes.grid": True,
        "grid.color": "#e6e6e6",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": TYPE["base"],
        "axes.titlesize": TYPE["title"],
        "figure.titlesize": TYPE["title"],
        "axes.labelsize": TYPE["label"],
        "xtick.labelsize": TYPE["tick"],
        "ytick.labelsize": TYPE["tick"],
        "legend.fontsize": TYPE["legend"],
        "legend.title_fontsize": TYPE["legend"],
        "legend.frameon": False,
        "savefig.dpi": DPI,
        "svg.hashsalt": "wijkstudie",
        "svg.fonttype": "none",  # text stays text (searchable, editable), in the fonts named here
        "font.family": "sans-serif",
        "font.sans-serif": SANS_SERIF,
        "pdf.fonttype": 42,
    }


def use_house_style() -> None:
    """Apply the house style (``house_style``) to every figure of this session."""
    plt.rcParams.update(house_style())


def in_house_style(function):
    """Run a figure function in the house style (``house_style``), whatever the session's matplotlib settings.

    Its texts get the sizes of the type scale when they are made.

    Parameters
    ----------
    function : callable
        a function that makes or draws on a figure

    Returns
    -------
    callable
        the same function, run inside ``house_style_context()``
    """
    import functools

    @functools.wraps(function)
    def styled(*args, **kwargs):
        with house_style_context():
            return function(*args, **kwargs)

    return styled


@contextmanager
def house_style_context():
    """The house style's settings (``house_style``) while the block runs.

    And the session's values of those settings again afterwards.

    Only the house style's own keys are set and restored (unlike ``matplotlib.rc_context``, which restores every
    setting): whatever else changes meanwhile stays changed, such as ``interactive``, which the inline backend of a
    Jupyter kernel switches on when it is loaded while the first figure is made (restoring it would show no later
    figure of the session).

    Yields
    ------
    None
    """
    style = house_style()
    before = {key: plt.rcParams[key] for key in style}
    plt.rcParams.update(style)
    try:
        yield
    finally:
        plt.rcParams.update(before)


def new_figure(height: float, nrows: int = 1, ncols: int = 1, *, width: float | None = None, **options):
    """A figure of the house style.

    ``WIDTH`` inches wide (unless ``width`` says otherwise), laid out by matplotlib's constrained layout (legends
    outside the axes keep their room).

    Parameters
    ----------
    height : float
        inches
    nrows, ncols : int
        the grid of axes
    width : float, optional
        inches (default: ``WIDTH``)
    **options
        passed to ``plt.subplots``

    Returns
    -------
    tuple
        ``(figure, 2-d array of axes)``
    """
    return plt.subplots(nrows, ncols, figsize=(width or WIDTH, height), layout="constrained", squeeze=False, **options)


def axes_width(ax) -> float:
    """An axes' width in inches, as its figure lays it out before drawing.

    Parameters
    ----------
    ax : matplotlib Axes

    Returns
    -------
    float
    """
    return ax.get_figure().get_figwidth() * ax.get_position().width


def axes_height(ax) -> float:
    """An axes' height in inches, as its figure lays it out before drawing.

    Parameters
    ----------
    ax : matplotlib Axes

    Returns
    -------
    float
    """
    return ax.get_figure().get_figheight() * ax.get_position().height


def fitted(text: str, inches: float, points: float) -> str:
    """A label broken into lines no wider than ``inches`` at ``points`` (an average character is about 0.55 em wide).

    So that a long label never widens its figure.

    Parameters
    ----------
    text : str
        the label
    inches : float
        the room it has
    points : float
        its font size

    Returns
    -------
    str
    """
    per_line = max(12, int(inches * 72 / (0.55 * points)))
    return textwrap.fill(text, per_line, break_on_hyphens=False) if len(text) > per_line else text


def legend_outside(ax, *, where: str = "right", handles=None, title: str | None = None, ncols: int = 1):
    """A legend beside (``"right"``), under (``"below"``) or above (``"above"``) an axes, never over what it shows.

    Parameters
    ----------
    ax : matplotlib Axes
        the axes
    where : str
        ``"right"``, ``"below"`` or ``"above"``
    handles : list, optional
        the entries (default: the axes' labelled artists)
    title : str, optional
        the legend's title
    ncols : int
        columns of entries

    Returns
    -------
    matplotlib Legend or None
        None when there is nothing to show
    """
    places = {
        "right": {"loc": "upper left", "bbox_to_anchor": (1.02, 1.0)},
        "below": {"loc": "upper center", "bbox_to_anchor": (0.5, -0.02)},
        "above": {"loc": "lower left", "bbox_to_anchor": (0.0, 1.02)},
    }
    if where not in places:
        raise ArgumentError(f"legend: where must be one of {', '.join(places)}, not {where!r}")
    if handles is None:
        handles, _ = ax.get_legend_handles_labels()
    if not handles:
        return None
    fig = ax.get_figure()
    if where == "below" and ax.axison and fig.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine":
        # under the tick labels and the axis label: the layout gives the figure's legend its own room
        return fig.legend(handles=handles, title=title, ncols=max(ncols, len(handles)), loc="outside lower center")
    return ax.legend(
        handles=handles, title=title, ncols=ncols, borderaxespad=0.0, fontsize=TYPE["legend"], **places[where]
    )


def label_or_name(column: str, language: str | None = None) -> str:
    """A column's label with its unit, in the figure's language.

    The name itself for a column the dictionary does not know.

    Parameters
    ----------
    column : str
        a column name
    language : str, optional
        ``"en"`` or ``"nl"`` (default: the setting ``language``)

    Returns
    -------
    str
    """
    try:
        return label(column, language_of(language), with_unit=True)
    except WijkstudieError:
        return column


# --- captions -----------------------------------------------------------------------------------------------


class Caption(str):
    """A figure caption (``Source: ...``) that remembers the provenance it was made from.

    So ``save_figure`` can mark synthetic or unknown data.

    Parameters
    ----------
    text : str
        the caption
    provenance : Provenance
        the combined provenance of the tables it names
    """

    provenance: Provenance = UNKNOWN

    def __new__(cls, text: str, provenance: Provenance):
        """The caption's text, carrying the provenance it was made from."""
        obj = super().__new__(cls, text)
        obj.provenance = provenance
        return obj


def source_caption(*tables, language: str | None = None) -> Caption:
    """The data-source caption for a figure made from these tables, from the catalogue's attribution.

    Parameters
    ----------
    *tables : DataFrame
        the tables the figure shows
    language : str, optional
        ``"en"`` or ``"nl"`` (default: the session's)

    Returns
    -------
    Caption
        text such as ``Source: RIVM/CBS, Gezondheid per wijk en buurt (RIVM/CBS small-area estimate) 2020; CBS/PDOK,
        Gebiedsindelingen 2022`` (a model-based source names the kind of estimate)
        that carries the combined provenance, so ``save_figure`` marks synthetic or unknown data. Synthetic
        data are named as stand-ins; tables without provenance give ``Source: unknown``.

    Raises
    ------
    MissingRecordError
        when tables of known provenance name no source.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> caption = ws.source_caption(rivm, gemeenten)  # doctest: +SKIP
    >>> ws.save_figure(fig, "volunteering", source=caption)  # doctest: +SKIP
    """
    from ..data.catalogue import datasets

    provenance = combine(*(provenance_of(t) for t in tables))
    years: dict[str, list] = {}
    for source in provenance.sources:
        dataset = datasets().get(source.dataset)
        text = dataset.attribution.split(":", 1)[1].strip() if dataset else source.dataset
        if source.model.get("label") and provenance.kind == "real":  # a model-based estimate says so (catalogue.yaml)
            text = f"{text} ({source.model['label']})"
        known = years.setdefault(text, [])
        if source.year is not None and source.year not in known:
            known.append(source.year)
    parts = [f"{text} {', '.join(map(str, sorted(ys)))}".strip() for text, ys in years.items()]
    if not parts:
        if provenance.kind != "unknown":
            raise MissingRecordError("source_caption: these tables name no source")
        parts = [words("unknown source", language)]
    word = words("source", language)
    if provenance.kind == "synthetic":
        return Caption(f"{word}: {words('synthetic stand-in', language)} " + "; ".join(parts), provenance)
    return Caption(f"{word}: " + "; ".join(parts), provenance)


def caption_text(
    source: str, *, language: str | None = None, synthetic: bool = False, note: str = "", unknown: bool = False
) -> str:
    """The caption under a figure.

    The source (``Source: ...``), a note, and a mark for synthetic data or data of unknown provenance.

    Parameters
    ----------
    source : str
        the source text (``Source: ...`` is added unless it starts with it, or with ``Bron``)
    language : str, optional
        ``"en"`` or ``"nl"`` (default: the setting ``language``)
    synthetic, unknown : bool
        mark the caption as synthetic data, or data of unknown provenance
    note : str
        a sentence added after the source

    Returns
    -------
    str
    """
    word = words("source", language)
    text = source if source.lower().startswith(("bron", "source")) else f"{word}: {source}"
    if note:
        text = f"{text}. {note}"
    if synthetic:
        text = f"{SYNTHETIC_MARK} ({words('synthetic', language)}). {text}"
    elif unknown:
        text = f"{UNKNOWN_MARK} ({words('unknown', language)}). {text}"
    return text


# --- saving -------------------------------------------------------------------------------------------------


def save_figure(
    fig,
    name: str,
    *,
    source=None,
    language: str | None = None,
    data_kind: str | None = None,
    note: str = "",
    folder: Path | None = None,
    formats=FORMATS,
) -> list[Path]:
    """Write ``fig`` as ``<name>.png`` (300 dpi).

    ``.svg`` and ``.pdf`` (vector; the polygons of a detailed map inside them as an image at ``RASTER_DPI``) with the
    data source as caption.

    Parameters
    ----------
    fig : matplotlib Figure or Axes
        drawn in this cell or an earlier one (a figure the notebook already showed saves as well); for an Axes,
        its whole figure
    name : str
        file name without extension
    source : str, Caption or tables
        required: the caption: ``wijkstudie.source_caption(*tables)`` (which carries the tables' provenance), or the
        tables themselves, or plain text (whose data kind is unknown unless ``data_kind`` says it)
    language : str, optional
        ``"en"`` or ``"nl"`` for the caption (default: the setting ``language``)
    data_kind : str, optional
        ``"real"``, ``"synthetic"`` or ``"unknown"``; by default the provenance of ``source``. Synthetic data get
        a visible SYNTHETIC DATA mark on the figure and in the caption, data of unknown provenance an UNKNOWN
        PROVENANCE mark: never the look of real data.
    note : str, optional
        a sentence added to the caption
    folder : path, optional
        where to write (default: the setting ``figures_dir``)
    formats : tuple
        which of png, svg and pdf

    Returns
    -------
    list of Path
        the files written, all of them whole when it returns. The caption is wrapped to the figure's width; below a
        figure of maps it sits right under the maps. Saving the same figure again replaces its caption and marks (it
        never stacks them).

    Raises
    ------
    ArgumentError
        without a source, for another data kind, or a figures folder that cannot be written.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> fig = ws.map_figure(gemeenten, "pct_volunteering")  # doctest: +SKIP
    >>> ws.save_figure(fig, "volunteering", source=ws.source_caption(gemeenten))  # doctest: +SKIP
    """
    if isinstance(source, (list, tuple)) or hasattr(source, "columns"):
        tables = source if isinstance(source, (list, tuple)) else [source]
        source = source_caption(*tables, language=language)
    if not source:
        raise ArgumentError(
            f"save_figure({name!r}): a data source for the caption is required: pass source=ws.source_caption(table)"
            " (or the tables themselves, or a text such as source='CBS, Kerncijfers wijken en buurten 2022')"
        )
    kind = data_kind or (source.provenance.kind if isinstance(source, Caption) else "unknown")
    if kind not in ("real", "synthetic", "unknown"):
        raise ArgumentError(f"save_figure: data_kind must be real, synthetic or unknown, not {kind!r}")
    _plain_name(name)
    if not hasattr(fig, "savefig") and hasattr(fig, "figure"):  # an Axes (what choropleth and scatter_fit return)
        fig = fig.figure
    folder = Path(folder) if folder else figures_dir()
    make_folder(folder, "figures_dir")
    _drawable(fig)
    for artist in [t for t in fig.texts if t.get_gid() == CAPTION_GID]:
        artist.remove()
    # the caption sits below the figure (or below its maps); bbox_inches="tight" grows the saved area to include it
    bottom, top = _content_span(fig)
    text = caption_text(
        str(source), language=language, synthetic=kind == "synthetic", note=note, unknown=kind == "unknown"
    )
    fig.text(
        0.01,
        bottom,
        _wrapped(text, fig.get_figwidth(), TYPE["caption"]),
        ha="left",
        va="top",
        fontsize=TYPE["caption"],
        color="#555555",
        gid=CAPTION_GID,
    )
    if kind != "real":
        fig.text(
            0.99,
            top,
            SYNTHETIC_MARK if kind == "synthetic" else UNKNOWN_MARK,
            ha="right",
            va="bottom",
            fontsize=TYPE["base"],
            color=MARK_COLOUR,
            weight="bold",
            gid=CAPTION_GID,
        )
    metadata = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": None},
        "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
    }
    options = {"bbox_inches": "tight", "pad_inches": 0.1}
    written = []
    unpin = _pin_figure_legends(fig)
    with house_style_context(), ExitStack() as stack:
        stack.callback(unpin)
        if "pdf" in formats:
            stack.enter_context(cached_font_subsets())  # a PDF's font subsets made once and kept (font_subsets)
        png = stack.enter_context(background_png())  # the PNG encoded while the SVG and PDF are drawn (png_writer)
        for fmt in formats:
            path = folder / f"{name}.{fmt}"
            dpi = DPI if fmt == "png" else RASTER_DPI
            try:  # a temporary file in the folder, renamed over the target: never through a symlink
                if fmt == "png":
                    png.save(fig, path, dpi=dpi, metadata=metadata[fmt], **options)
                else:
                    write_atomic(
                        path,
                        lambda tmp, fmt=fmt, dpi=dpi: fig.savefig(
                            tmp, format=fmt, dpi=dpi, metadata=metadata[fmt], **options
                        ),
                    )
            except OSError as exc:
                raise _not_written(path, exc) from None
            written.append(path)
        for path, error in png.wait():
            if isinstance(error, OSError):
                raise _not_written(path, error) from None
            raise error
    return written


def _not_written(path: Path, exc: OSError) -> ArgumentError:
    """The error for a figure file that could not be written."""
    return ArgumentError(f"cannot write {path} (setting figures_dir, WIJKSTUDIE_FIGURES_DIR): {os_reason(exc)}")


def _plain_name(name) -> None:
    """Refuse a figure name that is not a plain file name.

    Empty, a path (a separator, ``..``, absolute) or with a control character (a line break, an escape).
    """
    from ..core.printable import excerpt

    text = name if isinstance(name, str) else ""
    bad = (
        "it is empty"
        if not text.strip()
        else "it holds a path separator or is a path"
        if "/" in text or "\\" in text or Path(text).is_absolute() or text in (".", "..")
        else "it holds '..'"
        if ".." in text
        else "it holds a control character"
        if any(not c.isprintable() for c in text)
        else ""
    )
    if not isinstance(name, str):
        bad = f"it is a {type(name).__name__}, not a text"
    if bad:
        raise ArgumentError(
            f"save_figure: the name {excerpt(name, 60)!r} is not a plain file name ({bad}): give a name such as "
            "'volunteering_map', without folders (folder= says where)"
        )


def _pin_figure_legends(fig):
    """Keep a figure's legends where the layout put them while it is saved, and return what undoes that.

    A figure legend "outside" the axes (``legend_outside(..., where="below")``) is placed against the figure's edge;
    saving with ``bbox_inches="tight"`` moves that edge down to the caption, and the legend with it, over the
    caption. So the layout is drawn once, frozen, and each such legend is pinned to its place next to the axes.
    """
    outside = [legend for legend in fig.legends if getattr(legend, "_outside_loc", None)]
    axes = [ax for ax in fig.axes if ax.get_visible()]
    if not outside or not axes:
        return lambda: None
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    engine = fig.get_layout_engine()
    fig.set_layout_engine("none")  # the axes keep the places the layout gave them
    anchor = axes[0].transAxes
    kept = []
    for legend in outside:
        kept.append((legend, legend._loc, legend.get_bbox_to_anchor() if legend._bbox_to_anchor else None))
        legend.set_bbox_to_anchor(legend.get_window_extent(renderer).transformed(anchor.inverted()), transform=anchor)
        legend.set_loc("center")

    def unpin():
        for legend, loc, bbox in kept:
            legend._loc = loc
            legend.set_bbox_to_anchor(bbox)
        fig.set_layout_engine(engine)

    return unpin


def _drawable(fig) -> None:
    """Give a figure a canvas that can draw again.

    A figure the inline backend has shown (and closed) keeps a bare ``FigureCanvasBase``, which has no renderer.
    """
    if not hasattr(fig.canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)


def _wrapped(text: str, width_inches: float, points: float) -> str:
    """``text`` broken into lines no wider than the figure.

    (a long list of sources would otherwise widen the saved file far beyond the plot).
    """
    per_line = max(40, int(width_inches * 72 / (0.6 * points)))  # an average character is about 0.6 em wide
    return "\n".join(textwrap.fill(line, per_line, break_on_hyphens=False) for line in text.split("\n"))


def _content_span(fig) -> tuple[float, float]:
    """Where the caption and the data mark go, in figure coordinates.

    Just below and at the top of the figure (lower or higher when a legend reaches out of it: the caption never lies
    over a legend), or, when every axes is a map (axis off, equal aspect), just below and just above what the maps draw
    (with their titles and legends), so that a map of another shape than its box leaves no band of white.
    """
    axes = [ax for ax in fig.axes if ax.get_visible()]
    if not axes:
        return -0.01, 1.0
    fig.draw_without_rendering()  # the layout engine places the axes and their legends when the figure is drawn
    renderer = fig.canvas.get_renderer()
    to_figure = fig.transFigure.inverted()
    boxes = [ax.get_tightbbox(renderer).transformed(to_figure) for ax in axes]  # with the legends of the axes
    boxes += [legend.get_window_extent(renderer).transformed(to_figure) for legend in fig.legends]
    bottom, top = min(b.y0 for b in boxes) - 0.01, max(b.y1 for b in boxes) + 0.01
    if any(ax.axison for ax in axes):  # charts: below the figure, or below a legend that reaches lower
        return min(bottom, -0.01), max(top, 1.0)
    return bottom, top
