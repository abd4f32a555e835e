"""Charts: scatter plots with a weighted line (a few dozen areas, or thousands as a hexagonal density).

Estimates with their intervals, a correlation heat map, a case's percentiles, a breakpoint fit and bars per group. Every
figure is the house width (``style.WIDTH``) with the house type scale; legends sit outside the axes, never over the
data.
"""

from __future__ import annotations

import numpy as np

from ..core.columns import require_columns
from ..core.errors import ArgumentError
from .style import (
    LINE_COLOUR,
    MARK_COLOUR,
    POINT_COLOUR,
    REFERENCE_COLOUR,
    TYPE,
    WIDTH,
    axes_height,
    axes_width,
    fitted,
    in_house_style,
    label_or_name,
    legend_outside,
    new_figure,
    words,
)


def weighted_line(x, y, weights=None) -> tuple[np.ndarray, np.ndarray] | None:
    """The (weighted) least-squares line of ``y`` on ``x`` over the range of ``x``.

    Parameters
    ----------
    x, y : array-like
        the points
    weights : array-like, optional
        a weight per point (the line minimises the weighted squared residuals)

    Returns
    -------
    tuple of ndarray or None
        ``(xs, fitted)`` at 50 points, or None for fewer than three points
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 3:
        return None
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float)
    slope, intercept = np.polyfit(x, y, 1, w=np.sqrt(w))
    xs = np.linspace(x.min(), x.max(), 50)
    return xs, intercept + slope * xs


@in_house_style
def scatter_fit(
    data,
    x: str,
    y: str,
    *,
    ax=None,
    weights: str | None = None,
    language: str | None = None,
    title: str | None = None,
    annotate: dict | None = None,
):
    """A scatter of ``y`` against ``x`` (point size by ``weights``) with the (weighted) least-squares line.

    Parameters
    ----------
    data : DataFrame
        one row per area
    x, y : str
        the columns on the axes (labelled from the variable dictionary, in the figure's language)
    ax : matplotlib Axes, optional
        where to draw (default: a new figure)
    weights : str, optional
        a column that sizes the points and weights the line (e.g. ``population``)
    language : str, optional
        ``"en"`` or ``"nl"`` (default: the setting ``language``)
    title : str, optional
        the axes' title
    annotate : dict, optional
        ``{region_name: text}`` to name a few points, e.g. ``{"Vreewijk": "Vreewijk"}``

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import wijkstudie as ws
    >>> ax = ws.scatter_fit(rotterdam, "pct_owner_occupied", "pct_volunteering", weights="population")  # doctest: +SKIP
    """
    require_columns(data, [x, y, weights], "scatter_fit")
    if ax is None:
        ax = new_figure(0.65 * WIDTH)[1][0, 0]
    used = data.dropna(subset=[x, y] + ([weights] if weights else []))
    w = used[weights].to_numpy(dtype=float) if weights else None
    size = 8 + 60 * w / w.max() if weights else 14
    ax.scatter(used[x], used[y], s=size, alpha=0.6, color=POINT_COLOUR, edgecolor="white", linewidth=0.3)
    line = weighted_line(used[x], used[y], w)
    if line is not None:
        ax.plot(*line, color=LINE_COLOUR, linewidth=1.2)
    for key, text in (annotate or {}).items():
        rows = used[used["region_name"] == key] if "region_name" in used else used.iloc[0:0]
        for _, r in rows.iterrows():
            ax.annotate(text, (r[x], r[y]), xytext=(4, 4), textcoords="offset points", fontsize=TYPE["small"])
    width = axes_width(ax)
    ax.set_xlabel(fitted(label_or_name(x, language), width, TYPE["label"]))
    ax.set_ylabel(fitted(label_or_name(y, language), axes_height(ax), TYPE["label"]))
    if title:
        ax.set_title(fitted(title, width, TYPE["title"]))
    return ax


@in_house_style
def scatter_panels(
    panels,
    *,
    weights: str | None = None,
    title: str | None = None,
    ncols: int | None = None,
    size=None,
    language: str | None = None,
):
    """One ``scatter_fit`` per panel, side by side, the house width (``WIDTH``) in all.

    Parameters
    ----------
    panels : list of dict
        per panel ``data``, ``x``, ``y`` and optionally ``title`` and ``annotate`` (see ``scatter_fit``)
    weights : str, optional
        a column that sizes the points and weights the fitted lines
    title : str, optional
        the figure's title
    ncols : int, optional
        panels per row (default: up to three)
    size : tuple of float, optional
        width and height of one panel, in inches (default: the panels share the house width)
    language : str, optional
        ``"en"`` or ``"nl"`` (default: the setting ``language``)

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import wijkstudie as ws
    >>> fig = ws.scatter_panels([{"data": rotterdam, "x": "pct_owner_occupied", "y": "pct_volunteering"},
    ...                          {"data": amsterdam, "x": "pct_owner_occupied", "y": "pct_volunteering"}],
    ...                         weights="population")  # doctest: +SKIP
    """
    for number, panel in enumerate(panels, start=1):
        require_columns(panel["data"], [panel["x"], panel["y"], weights], f"scatter_panels (panel {number})")
    ncols = ncols or min(len(panels), 3)
    nrows = int(np.ceil(len(panels) / ncols))
    if size is None:
        size = (WIDTH / ncols, 0.85 * WIDTH / ncols + 0.6)
    fig, axes = new_figure(size[1] * nrows + (0.3 if title else 0.0), nrows, ncols, width=size[0] * ncols)
    for ax, panel in zip(axes.ravel(), panels):
        scatter_fit(
            panel["data"],
            panel["x"],
            panel["y"],
            ax=ax,
            weights=weights,
            language=language,
            title=panel.get("title"),
            annotate=panel.get("annotate"),
        )
    for ax in axes.ravel()[len(panels) :]:
        ax.set_visible(False)
    if title:
        fig.suptitle(fitted(title, 0.95 * fig.get_figwidth(), TYPE["title"]))
    return fig


@in_house_style
def dense_scatter(
    data,
    x: str,
    y: str,
    *,
    weights: str | None = None,
    title: str | None = None,
    language: str | None = None,
    gridsize: int = 40,
):
    """Thousands of areas at once.

    A hexagonal density of ``y`` against ``x`` with the (weighted) least-squares line drawn over it.

    Parameters
    ----------
    data : DataFrame
        one row per area
    x, y : str
        the columns on the axes
    weights : str, optional
        a column that weights the line (e.g. ``population``)
    title : str, optional
        the axes' title
    language : str, optional
        ``"en"`` or ``"nl"`` (default: the setting ``language``)
    gridsize : int
        hexagons across the x axis

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import wijkstudie as ws
    >>> fig = ws.dense_scatter(wijken, "pct_owner_occupied", "pct_volunteering", weights="population")  # doctest: +SKIP
    """
    require_columns(data, [x, y, weights], "dense_scatter")
    used = data.dropna(subset=[x, y] + ([weights] if weights else []))
    fig, axes = new_figure(0.72 * WIDTH)
    ax = axes[0, 0]
    hexes = ax.hexbin(used[x], used[y], gridsize=gridsize, cmap="Blues", mincnt=1, linewidths=0.2)
    line = weighted_line(used[x], used[y], used[weights].to_numpy(dtype=float) if weights else None)
    if line is not None:
        ax.plot(*line, color=LINE_COLOUR, linewidth=1.5, label=words("weighted line", language))
        legend_outside(ax, where="below")
    fig.colorbar(hexes, ax=ax, shrink=0.8, label=words("areas", language))
    ax.set_xlabel(label_or_name(x, language))
    ax.set_ylabel(label_or_name(y, language))
    if title:
        ax.set_title(fitted(title, axes_width(ax), TYPE["title"]))
    return fig


def _estimate_mark(test) -> str:
    """The mark before a test's label: synthetic and unknown data, and evidence that does not count."""
    if test.data_kind != "real":
        return {"synthetic": "[SYNTHETIC] ", "unknown": "[UNKNOWN] "}.get(test.data_kind, "")
    return "" if test.counted_kind else f"[{test.evidence}, not counted] "


@in_house_style
def estimate_plot(tests, *, ax=None, title: str | None = None, language: str | None = None):
    """Point estimates with 95 % intervals of a finding's tests on one axes.

    Synthetic ones marked and red, tests that do not count as evidence (model-implied, unknown) marked and grey with
    open points.

    Parameters
    ----------
    tests : list of FindingTest
        the tests (``wijkstudie.study``), one row each
    ax : matplotlib Axes, optional
        where to draw (default: a new figure)
    title : str, optional
        the axes' title
    language : str, optional
        ``"en"`` or ``"nl"`` (default: the setting ``language``)

    Returns
    -------
    matplotlib Axes
    """
    if ax is None:
        ax = new_figure(_estimate_height(tests, WIDTH))[1][0, 0]
    for i, t in enumerate(tests):
        colour = {"synthetic": MARK_COLOUR, "unknown": REFERENCE_COLOUR}.get(t.data_kind, POINT_COLOUR)
        colour = "#aaaaaa" if t.data_kind == "real" and not t.counted_kind else colour
        ax.plot([t.ci_low, t.ci_high], [i, i], color=colour, linewidth=2)
        ax.plot([t.estimate], [i], "o", color=colour, markerfacecolor=colour if t.counted_kind else "white")
    ax.axvline(0, color=REFERENCE_COLOUR, linewidth=0.8)
    ax.set_yticks(range(len(tests)))
    ax.set_yticklabels(estimate_labels(tests, ax.get_figure().get_figwidth()), fontsize=TYPE["small"])
    ax.invert_yaxis()
    ax.set_xlabel(words("estimate with interval", language))
    if title:
        # right-aligned: a long title runs over the labels, not beyond the figure
        ax.set_title(fitted(title, 0.95 * ax.get_figure().get_figwidth(), TYPE["title"]), loc="right")
    return ax


@in_house_style
def estimate_figure(tests, *, title: str | None = None, width: float | None = None, language: str | None = None):
    """The estimates and 95 % intervals of a finding's tests (``estimate_plot``) as a figure of fitting height.

    Parameters
    ----------
    tests : list of FindingTest
        the tests (``wijkstudie.study``), one row each
    title : str, optional
        the figure's title
    width : float, optional
        in inches (default: the house width, ``WIDTH``)
    language : str, optional
        ``"en"`` or ``"nl"`` (default: the setting ``language``)

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import wijkstudie as ws
    >>> tests = ws.study.sample_tests("F1", ws.study.rotterdam_sample(), notebook="01")  # doctest: +SKIP
    >>> fig = ws.estimate_figure(tests, title="F1 on neighbourhood data: standardised estimates")  # doctest: +SKIP
    """
    fig, axes = new_figure(_estimate_height(tests, width or WIDTH), width=width)
    estimate_plot(tests, ax=axes[0, 0], title=title, language=language)
    return fig


def estimate_labels(tests, figure_width: float) -> list[str]:
    """The labels of a finding's tests (with their marks), broken into lines that take at most half the figure's width.

    Parameters
    ----------
    tests : list of FindingTest
        the tests
    figure_width : float
        inches

    Returns
    -------
    list of str
    """
    return [fitted(_estimate_mark(t) + t.label, 0.6 * figure_width, TYPE["small"]) for t in tests]


def _estimate_height(tests, figure_width: float) -> float:
    """The height of a figure of estimates: every row as tall as the tallest label, and room for the axis."""
    labels = estimate_labels(tests, figure_width)
    most = max((label.count("\n") + 1 for label in labels), default=1)
    return 1.0 + max(len(tests), 1) * (0.12 * most + 0.07)


@in_house_style
def interval_figure(table, label_column: str, x_label: str, *, title: str | None = None, reference: float | None = 0.0):
    """Estimates with 95 % intervals, one row each.

    Parameters
    ----------
    table : DataFrame
        columns ``mean`` or ``estimate``, ``ci_low`` and ``ci_high``, and ``label_column``
    label_column : str
        the column that names the rows
    x_label : str
        the x axis's label
    title : str, optional
        the axes' title
    reference : float or None
        a vertical reference line (default 0; None for none)

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import wijkstudie as ws
    >>> fig = ws.interval_figure(gaps, "areas", "percentage points")  # doctest: +SKIP
    """
    value = "mean" if "mean" in table else "estimate"
    require_columns(table, [label_column, value, "ci_low", "ci_high"], "interval_figure")
    fig, axes = new_figure(0.9 + 0.4 * len(table))
    ax = axes[0, 0]
    positions = np.arange(len(table))
    ax.errorbar(
        table[value],
        positions,
        xerr=[table[value] - table["ci_low"], table["ci_high"] - table[value]],
        fmt="o",
        color=POINT_COLOUR,
        capsize=3,
    )
    if reference is not None:
        ax.axvline(reference, color=REFERENCE_COLOUR, linewidth=0.8)
    ax.set_yticks(positions, [fitted(t, 0.45 * WIDTH, TYPE["tick"]) for t in table[label_column].astype(str)])
    ax.invert_yaxis()
    ax.set_xlabel(x_label)
    if title:
        # right-aligned: a long title runs over the labels, not beyond the figure
        ax.set_title(fitted(title, 0.95 * ax.get_figure().get_figwidth(), TYPE["title"]), loc="right")
    return fig


@in_house_style
def correlation_heatmap(correlations, title: str | None = None, language: str | None = None):
    """A heat map of a correlation matrix, labelled with the variables' names in the figure's language.

    Parameters
    ----------
    correlations : DataFrame
        a square correlation matrix (``DataFrame.corr()``)
    title : str, optional
        the axes' title
    language : str, optional
        ``"en"`` or ``"nl"`` (default: the setting ``language``)

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import wijkstudie as ws
    >>> fig = ws.correlation_heatmap(rotterdam[["social_cohesion", "pct_volunteering"]].corr())  # doctest: +SKIP
    """
    fig, axes = new_figure(0.9 * WIDTH)
    ax = axes[0, 0]
    image = ax.imshow(correlations, cmap="RdBu_r", vmin=-1, vmax=1)
    labels = [fitted(label_or_name(c, language), 0.3 * WIDTH, TYPE["small"]) for c in correlations.columns]
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=TYPE["small"])
    ax.set_yticks(range(len(labels)), labels, fontsize=TYPE["small"])
    ax.grid(False)
    fig.colorbar(image, ax=ax, shrink=0.7, label=words("correlation", language))
    if title:
        ax.set_title(fitted(title, axes_width(ax), TYPE["title"]))
    return fig


@in_house_style
def percentile_figure(ranks: dict, *, title: str | None = None, language: str | None = None, reference: float = 50.0):
    """One area's percentile among its peers on every variable, one marker per year.

    The variables sorted by the latest year.

    Parameters
    ----------
    ranks : dict
        ``{year: the rank table of that year}`` (a ``percentile`` column indexed by variable, as
        ``wijkstudie.study.case_ranks`` gives it)
    title : str, optional
        the axes' title
    language : str, optional
        ``"en"`` or ``"nl"`` (default: the setting ``language``)
    reference : float
        a vertical reference line (default: the median, 50)

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import wijkstudie as ws
    >>> ranks = ws.study.case_ranks(rotterdam)  # doctest: +SKIP
    >>> fig = ws.percentile_figure(ranks, title="Vreewijk on every item of the Wijkprofiel")  # doctest: +SKIP
    """
    latest = ranks[max(ranks)]
    order = latest.sort_values("percentile").index
    fig, axes = new_figure(1.2 + 0.15 * len(order))
    ax = axes[0, 0]
    for (year, table), marker in zip(sorted(ranks.items()), "osD^v"):
        ax.plot(table.reindex(order)["percentile"], range(len(order)), marker, label=str(year), alpha=0.8)
    ax.set_yticks(
        range(len(order)),
        [fitted(label_or_name(c, language).split(" (")[0], 0.45 * WIDTH, TYPE["small"]) for c in order],
        fontsize=TYPE["small"],
    )
    ax.axvline(reference, color=REFERENCE_COLOUR, linewidth=0.8)
    ax.set_xlabel(words("percentile among peers", language))
    legend_outside(ax, where="right")
    if title:
        ax.set_title(fitted(title, axes_width(ax), TYPE["title"]))
    return fig


@in_house_style
def breakpoint_figure(
    segmented, spline=None, *, x_label: str = "", y_label: str | None = None, language: str | None = None
):
    """The fitted curve of a ``segmented_logit`` result.

    Its breakpoint with its 95 % interval, and a spline fit (``spline_logit``) beside it.

    Parameters
    ----------
    segmented : ModelResult
        a result of ``wijkstudie.models.segmented_logit``
    spline : ModelResult, optional
        a result of ``wijkstudie.models.spline_logit`` on the same predictor
    x_label, y_label : str, optional
        the axes' labels (default: the predictor's name, and "probability" in the figure's language)
    language : str, optional
        ``"en"`` or ``"nl"`` (default: the setting ``language``)

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import wijkstudie as ws
    >>> fig = ws.breakpoint_figure(segmented, spline, x_label="years at the address")  # doctest: +SKIP
    """
    from ..models import segmented_curve

    x = segmented.extra["x"]
    curve = segmented_curve(segmented)
    low, high = segmented.extra["breakpoint_ci"]
    fig, axes = new_figure(0.6 * WIDTH)
    ax = axes[0, 0]
    ax.plot(curve[x], curve["probability"], label=words("segmented fit", language))
    if spline is not None:
        spline_curve = spline.extra["curve"]
        ax.plot(spline_curve[x], spline_curve["probability"], "--", label=words("spline fit", language))
    ax.axvline(segmented.extra["breakpoint"], color=REFERENCE_COLOUR, linewidth=0.8)
    ax.axvspan(low, high, color="#dddddd", alpha=0.6, label=words("breakpoint interval", language))
    ax.set_xlabel(x_label or x)
    ax.set_ylabel(y_label or words("probability", language))
    legend_outside(ax, where="right")
    return fig


@in_house_style
def group_bars(table, x_label: str, title: str | None = None):
    """Horizontal bars of a table with one row per group and one column per condition.

    Parameters
    ----------
    table : DataFrame
        one row per group, one column per condition (e.g. ``models.predicted_by_group``)
    x_label : str
        the x axis's label
    title : str, optional
        the axes' title

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import wijkstudie as ws
    >>> table = ws.models.predicted_by_group(fit, residents, groups, by="problem")  # doctest: +SKIP
    >>> fig = ws.group_bars(table, "predicted probability")  # doctest: +SKIP
    """
    fig, axes = new_figure(1.0 + 0.45 * len(table))
    ax = axes[0, 0]
    table.plot.barh(ax=ax, legend=False)
    ax.set_xlabel(x_label)
    ax.set_ylabel("")
    legend_outside(ax, where="right", title=table.columns.name)
    if title:
        ax.set_title(fitted(title, axes_width(ax), TYPE["title"]))
    return fig


@in_house_style
def interval_series(
    table,
    *,
    x: str = "year",
    y: str = "value",
    group: str = "group",
    panel: str | None = None,
    lower: str = "lower",
    upper: str = "upper",
    y_label: str | None = None,
    title: str | None = None,
    language: str | None = None,
):
    """Estimates over time with their 95 % intervals as bands.

    One line per group, one panel per value of ``panel`` (e.g. neighbourhood volunteering by age band and by household
    position, year by year).

    Parameters
    ----------
    table : DataFrame
        long form: ``x``, ``y``, ``group``, ``lower``, ``upper`` (NaN where none is published: no band) and ``panel``
    x, y : str
        the columns on the axes (``year`` and ``value`` by default)
    group : str
        the column naming each line
    panel : str, optional
        the column naming each panel (default: one panel)
    lower, upper : str
        the interval's bounds
    y_label : str, optional
        the y axis's label (default: the variable's label of ``y``)
    title : str, optional
        the figure's title
    language : str, optional
        ``"en"`` or ``"nl"`` (default: the setting ``language``)

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import wijkstudie as ws
    >>> rows = ws.load("cbs-statline", table="85541NED")
    >>> rows = rows[rows["variable"] == "pct_volunteering_neighbourhood"]
    >>> fig = ws.interval_series(rows[rows["category"].isin(["Leeftijd"])], panel="category")  # doctest: +SKIP
    """
    require_columns(table, [c for c in (x, y, group, panel, lower, upper) if c], "interval_series")
    repeated = table.duplicated([c for c in (panel, group, x) if c]).sum()
    if repeated:
        raise ArgumentError(
            f"interval_series: {repeated} rows repeat a {group} and {x}: the table holds several measures; keep one "
            "(e.g. rows[rows['variable'] == 'pct_volunteering_neighbourhood'])"
        )
    panels = list(dict.fromkeys(table[panel])) if panel else [None]
    fig, axes = new_figure(2.6 * len(panels) + (0.3 if title else 0.0), len(panels), 1)
    for ax, name in zip(axes.ravel(), panels):
        rows = table if name is None else table[table[panel] == name]
        for label, line in rows.sort_values(x).groupby(group, sort=False):
            drawn = ax.plot(line[x], line[y], marker="o", markersize=3, linewidth=1.2, label=str(label))
            bounds = line.dropna(subset=[lower, upper])
            if len(bounds):
                ax.fill_between(bounds[x], bounds[lower], bounds[upper], color=drawn[0].get_color(), alpha=0.15)
        ax.set_ylabel(y_label or label_or_name(y, language))
        if name is not None:
            ax.set_title(fitted(str(name), 0.9 * axes_width(ax), TYPE["title"]))
        legend_outside(ax, where="right")
    if title:
        fig.suptitle(fitted(title, 0.95 * fig.get_figwidth(), TYPE["title"]))
    return fig
