"""One area among its peers: ranks, changes between years and the most similar areas (the Vreewijk case)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.errors import MissingRecordError


def _row(table: pd.DataFrame, name: str) -> pd.Series:
    """The one area named ``name`` (or with the region code ``name``)."""
    match = table["region_name"] == name if "region_name" in table else pd.Series(False, index=table.index)
    if "region_code" in table:
        match = match.fillna(False) | (table["region_code"] == name).fillna(False)
    rows = table[match.astype(bool)]
    if len(rows) != 1:
        raise MissingRecordError(f"expected one area named (or coded) {name!r}, found {len(rows)}")
    return rows.iloc[0]


def percentile(table: pd.DataFrame, name: str, column: str, reverse: bool = False) -> float:
    """The area's percentile on one column.

    The share (in %) of the areas with a value that have a lower one (``reverse``: a higher one, for columns where less
    is more).

    Parameters
    ----------
    table : DataFrame
        the areas, with ``region_name`` and/or ``region_code``
    name : str
        the area's name or region code (exactly one row must match)
    column : str
        the column ranked
    reverse : bool
        count the areas with a higher value instead (False by default)

    Returns
    -------
    float
        0-100; the area itself is counted among the areas with a value
    """
    row = _row(table, name)
    values = table[column].dropna()
    if pd.isna(row[column]) or values.empty:
        raise MissingRecordError(f"{name!r} has no value of {column!r}")
    return float(((values > row[column]) if reverse else (values < row[column])).mean() * 100)


def standing(tables: dict, area: str, columns, within: str | None = None) -> pd.DataFrame:
    """The wider context of a case.

    Its value and percentile on ``columns`` among every area of each table (``tables``: {label, e.g. "RIVM 2020":
    table}) and, with ``within`` (a gemeente code), among that gemeente's areas.

    Parameters
    ----------
    tables : dict
        {label: table of areas (with ``gemeente_code`` for ``within``)}
    area : str
        the case's name or region code in every table
    columns : list of str
        the variables; a column a table lacks, or where the case has no value, is left out for that table
    within : str, optional
        a gemeente code

    Returns
    -------
    DataFrame
        one row per table and column (index ``table``, ``variable``): value, median and percentile among all
        (``n_all`` areas) and within the gemeente (``n_within``)
    """
    rows = []
    for label, table in tables.items():
        local = table[table["gemeente_code"] == within] if within else None
        for column in columns:
            if column not in table or pd.isna(_row(table, area)[column]):
                continue
            row = {
                "table": label,
                "variable": column,
                "value": float(_row(table, area)[column]),
                "median_all": float(table[column].median()),
                "percentile_all": percentile(table, area, column),
                "n_all": int(table[column].notna().sum()),
            }
            if local is not None:
                row.update(percentile_within=percentile(local, area, column), n_within=int(local[column].notna().sum()))
            rows.append(row)
    if not rows:
        raise MissingRecordError(f"{area!r}: none of {', '.join(columns)} has a value in these tables")
    return pd.DataFrame(rows).set_index(["table", "variable"])


def rank_table(table: pd.DataFrame, name: str, columns) -> pd.DataFrame:
    """Per column: the area's value.

    Its rank (1 = highest) among the areas with a value, its percentile (share of areas with a lower value) and the
    median of all areas.

    Parameters
    ----------
    table : DataFrame
        the areas, with ``region_name`` and/or ``region_code``
    name : str
        the area's name or region code
    columns : list of str
        the columns; those where the area has no value are left out

    Returns
    -------
    DataFrame
        indexed by ``variable``: ``value``, ``rank``, ``of`` (the areas with a value), ``percentile`` and ``median``
    """
    row = _row(table, name)
    out = []
    for col in columns:
        values = table[col].dropna()
        if pd.isna(row[col]) or values.empty:
            continue
        out.append(
            {
                "variable": col,
                "value": row[col],
                "rank": int((values > row[col]).sum() + 1),
                "of": len(values),
                "percentile": float((values < row[col]).mean() * 100),
                "median": float(values.median()),
            }
        )
    if not out:
        raise MissingRecordError(f"{name!r} has no value in any of {', '.join(columns)}")
    return pd.DataFrame(out).set_index("variable")


def change_table(before: pd.DataFrame, after: pd.DataFrame, name: str, columns, key: str = "area_number"):
    """Per column: the area's change between two tables and how that change ranks among all areas' changes.

    Parameters
    ----------
    before, after : DataFrame
        the areas at two moments; ``before`` needs ``region_name``
    name : str
        the area's ``region_name`` (a region code is not matched here)
    columns : list of str
        the columns both tables have; those where the area's change is missing are left out
    key : str
        the column that pairs the areas of the two tables (``area_number`` by default)

    Returns
    -------
    DataFrame
        indexed by ``variable``: ``before``, ``after``, ``change``, ``median_change`` and ``abs_change_percentile``
        (the share, in %, of the areas whose absolute change is smaller)
    """
    merged = before[[key, "region_name"] + list(columns)].merge(
        after[[key] + list(columns)], on=key, suffixes=("_before", "_after")
    )
    rows = []
    for col in columns:
        change = merged[f"{col}_after"] - merged[f"{col}_before"]
        mine = change[merged["region_name"] == name]
        if mine.empty or pd.isna(mine.iloc[0]):
            continue
        known = change.dropna()  # areas without a change in this column are not ranked (as in ``percentile``)
        rows.append(
            {
                "variable": col,
                "before": merged.loc[mine.index[0], f"{col}_before"],
                "after": merged.loc[mine.index[0], f"{col}_after"],
                "change": mine.iloc[0],
                "median_change": float(known.median()),
                "abs_change_percentile": float((known.abs() < abs(mine.iloc[0])).mean() * 100),
            }
        )
    if not rows:
        raise MissingRecordError(f"{name!r} has no change in any of {', '.join(columns)} (or is not in both tables)")
    return pd.DataFrame(rows).set_index("variable")


def most_similar(table: pd.DataFrame, name: str, columns, k: int = 5) -> pd.DataFrame:
    """The k areas closest to ``name`` on the standardised columns (Euclidean distance).

    Parameters
    ----------
    table : DataFrame
        the areas, with ``region_name``; areas with a missing value in ``columns`` are left out
    name : str
        the area's ``region_name``
    columns : list of str
        the columns compared, each standardised over the areas left
    k : int
        how many areas (5 by default)

    Returns
    -------
    DataFrame
        the k nearest areas (the area itself left out), nearest first: ``region_name``, ``gebied_name`` (when the
        table has it) and ``distance``
    """
    data = table.dropna(subset=list(columns)).reset_index(drop=True)
    z = (data[columns] - data[columns].mean()) / data[columns].std(ddof=1)
    me = data.index[data["region_name"] == name]
    if len(me) != 1:
        raise MissingRecordError(f"{name!r} has missing values in these columns or is not in the table")
    distance = np.sqrt(((z - z.loc[me[0]]) ** 2).sum(axis=1))
    out = data.assign(distance=distance).drop(index=me[0]).nsmallest(k, "distance")
    return out[["region_name", "gebied_name", "distance"] if "gebied_name" in out else ["region_name", "distance"]]
