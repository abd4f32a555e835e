"""Join tables from different sources on region codes, and say what matched and what did not."""

from __future__ import annotations

from copy import deepcopy

import numpy as np
import pandas as pd

from ..core.errors import ArgumentError, WijkstudieError
from ..core.provenance import carry, provenance_of
from .codes import levels_of
from .harmonise import harmonise
from .reports import ATTR, EXAMPLES, JOINS, JoinReport
from .reports import report as table_report


def _name(frame: pd.DataFrame, default: str) -> str:
    provenance = provenance_of(frame)
    return " + ".join(s.label() for s in provenance.sources) or default


def join_regions(
    left: pd.DataFrame,
    right: pd.DataFrame,
    *,
    on: str = "region_code",
    how: str = "inner",
    suffixes=("", "_right"),
    harmonise: bool = True,
) -> tuple[pd.DataFrame, JoinReport]:
    """Join two region tables on their codes, and say what matched and what did not.

    Parameters
    ----------
    left, right : DataFrame
        region tables; when either is a GeoDataFrame (boundaries), the joined table is one, with its geometry
    on : str
        the code column
    how : str
        passed to ``pandas.merge``: inner, left, right or outer
    suffixes : tuple of str
        for the columns both tables have (other than the identifiers): added to the left's and the right's names
    harmonise : bool
        when the two tables are on different regional divisions (``division_year``), first move one onto the
        other's division with ``wijkstudie.harmonise`` (boundaries never move: a table of figures is moved onto
        the division of a boundary table; otherwise the older division moves onto the newer). The moved table
        brings its column ``source_code_<old division>`` into the join (the old area each new one was mainly
        made of: cluster errors by it, see ``wijkstudie.harmonise``). ``False`` joins the codes as they are and
        only notes that the divisions differ.

    Returns
    -------
    (DataFrame, JoinReport)
        the joined table, with the combined provenance of both and a report (``wijkstudie.report(joined)``): the
        left table's load report and every join that made the table, this one last. The ``JoinReport`` counts per
        level the regions found in both, only left and only right, with examples, and what was harmonised.
        Nothing is dropped silently.

    Raises
    ------
    ArgumentError
        (a ``ValueError`` and ``WijkstudieError``) for a missing code column or duplicate codes on either side.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> wijken = ws.load("cbs-wijken", year=2024)  # doctest: +SKIP
    >>> kwb = ws.load("kwb", year=2022, level="wijk")  # doctest: +SKIP
    >>> joined, matches = ws.join_regions(wijken, kwb, how="left")  # doctest: +SKIP
    >>> print(matches)  # doctest: +SKIP
    >>> print(ws.report(joined))  # the wijken's load report and this join  # doctest: +SKIP
    """
    notes = []
    if harmonise:
        left, right, notes = _onto_one_division(left, right)
    for frame, side in ((left, "left"), (right, "right")):
        if on not in frame:
            raise ArgumentError(f"join_regions: the {side} table has no column {on!r}")
        if frame[on].duplicated().any():
            dups = frame.loc[frame[on].duplicated(), on].head(3).tolist()
            raise ArgumentError(
                f"join_regions: the {side} table has duplicate {on} values (e.g. {dups}); "
                "filter it to one year / age group first"
            )
    left_codes, right_codes = set(left[on].dropna()), set(right[on].dropna())
    report = JoinReport(_name(left, "left"), _name(right, "right"))
    codes = pd.Series(sorted(left_codes | right_codes), dtype="string")
    given = pd.concat([f.set_index(on)["level"] for f in (left, right) if "level" in f])
    given = given[~given.index.duplicated()] if len(given) else given
    level_of = pd.Series(levels_of(codes).to_numpy(), index=codes.to_numpy(), dtype="string")
    if len(given):
        known = given.reindex(level_of.index)
        level_of = known.where(known.notna(), level_of).astype("string")
    for level in pd.unique(level_of.dropna()):
        codes = set(level_of.index[level_of == level])
        lo, ro = sorted((left_codes - right_codes) & codes), sorted((right_codes - left_codes) & codes)
        report.rows.append(
            {
                "level": level,
                "matched": len(left_codes & right_codes & codes),
                "left_only": len(lo),
                "right_only": len(ro),
                "left_examples": ", ".join(lo[:EXAMPLES]),
                "right_examples": ", ".join(ro[:EXAMPLES]),
            }
        )
    report.notes += notes
    for col in ("division_year", "year"):
        if col in left and col in right:
            a, b = (sorted({int(v) for v in f[col].dropna()}) for f in (left, right))
            if a and b and a != b:
                report.notes.append(
                    f"{col} differs: {a} in {report.left_name}, {b} in {report.right_name}"
                    + (
                        "; unmatched codes are often areas that were redrawn or renumbered"
                        if col == "division_year"
                        else ""
                    )
                )
    shared = [c for c in right.columns if c in left.columns and c != on]
    drop = [c for c in shared if c in ("level", "gemeente_code", "gemeente_name", "region_name")]
    if "division_year" in shared and _division(left) is not None and _division(left) == _division(right):
        drop.append("division_year")  # the same division on both sides: one column says it
    clash = [c for c in shared if c not in drop and f"{c}{suffixes[1]}" in left.columns]
    if clash:
        report.notes.append(
            f"left out of {report.right_name}: {', '.join(clash)} (the left table already has "
            f"{', '.join(c + suffixes[1] for c in clash)} from an earlier join)"
        )
    right_part = right.drop(columns=drop + clash)
    joined = left.merge(right_part, on=on, how=how, suffixes=suffixes)
    with_areas = [t for t in (left, right) if hasattr(t, "geometry") and "geometry" in t]
    if with_areas and "geometry" in joined:  # boundaries on either side: a GeoDataFrame, whatever the order
        import geopandas as gpd

        joined = gpd.GeoDataFrame(joined, geometry="geometry", crs=with_areas[0].crs)
    joined.attrs = {ATTR: deepcopy(left.attrs[ATTR])} if ATTR in left.attrs else {}  # the left's load report
    joined.attrs[JOINS] = list(left.attrs.get(JOINS) or []) + [report.to_dict()]  # and every join, this one last
    carry(joined, left, right)
    return joined, report


def _division(frame: pd.DataFrame) -> int | None:
    years = {int(v) for v in frame["division_year"].dropna()} if "division_year" in frame else set()
    return years.pop() if len(years) == 1 else None


def _onto_one_division(left: pd.DataFrame, right: pd.DataFrame):
    """Harmonise one table onto the other's division when they differ (see ``join_regions``)."""
    a, b = _division(left), _division(right)
    if a is None or b is None or a == b:
        return left, right, []
    left_geo, right_geo = (
        hasattr(left, "geometry") and "geometry" in left,
        hasattr(right, "geometry") and "geometry" in right,
    )
    if left_geo and right_geo:
        return left, right, [f"boundaries of two divisions ({a}, {b}) are joined by code, not harmonised"]
    move_right = left_geo or (not right_geo and b < a)
    moving, target = (right, a) if move_right else (left, b)
    name = _name(moving, "right" if move_right else "left")
    try:
        moved = harmonise(moving, to_division=target)
    except WijkstudieError as exc:
        return left, right, [f"{name} could not be harmonised onto the division of {target} ({exc}); joined by code"]
    levels = table_report(moved).harmonisation.levels
    if levels and all(r.method == "codes kept" for r in levels):  # buurten without boundaries: nothing moved
        return left, right, [f"{name} not harmonised: {levels[0].notes[0]}"]
    note = f"{name} harmonised from the division of {_division(moving)} to that of {target}: " + "; ".join(
        r.summary for r in levels
    )
    return (left, moved, [note]) if move_right else (moved, right, [note])


def weighted_mean_by(frame: pd.DataFrame, value: str, weight: str, *, by: str) -> pd.DataFrame:
    """The weighted mean of a column per group, over the rows where both the value and the weight are known.

    Parameters
    ----------
    frame : DataFrame
        the table
    value : str
        the column to average
    weight : str
        the weight column (rows with a weight of 0 or less are left out)
    by : str
        the group column

    Returns
    -------
    DataFrame
        one row per group: ``value`` (the weighted mean), ``weight`` (the sum of the weights used) and ``n`` (the
        rows used)

    Raises
    ------
    ArgumentError
        for a column the table lacks.

    Examples
    --------
    >>> import pandas as pd
    >>> import wijkstudie as ws
    >>> frame = pd.DataFrame({"g": ["a", "a"], "v": [10.0, 20.0], "w": [1.0, 3.0]})
    >>> float(ws.weighted_mean_by(frame, "v", "w", by="g").loc["a", "v"])
    17.5
    """
    for col in (value, weight, by):
        if col not in frame:
            raise ArgumentError(f"weighted_mean_by: no column {col!r}")
    usable = frame[frame[value].notna() & frame[weight].notna() & (frame[weight] > 0)]
    product = usable[value].astype(float) * usable[weight].astype(float)
    grouped = pd.DataFrame({"p": product, "w": usable[weight].astype(float), by: usable[by]}).groupby(by)
    out = pd.DataFrame(
        {value: grouped["p"].sum() / grouped["w"].sum(), weight: grouped["w"].sum(), "n": grouped.size()}
    )
    out[value] = out[value].replace([np.inf, -np.inf], np.nan)
    return out
