"""Resident-level evidence from CBS's one-way survey tables.

A group's published percentage against the other groups of the same characteristic, year by year, the years pooled
(findings.yaml ``samples.cbs-sociale-samenhang.method``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.errors import DataNotFoundError

Z95 = 1.959963984540054  # the published bounds are 95 % intervals: se = (upper - lower) / (2 * Z95)


TOTAL = "Totaal"  # the category (and group) of a StatLine table's row for everyone


def group_contrasts(
    table: pd.DataFrame, *, variable: str, category: str, group, against: str = "others"
) -> pd.DataFrame:
    """Per year, a group's estimate minus the unweighted mean of the other groups of its characteristic.

    With the standard error from the published bounds (groups of one characteristic are disjoint samples of respondents,
    so their errors are independent).

    Parameters
    ----------
    table : DataFrame
        a StatLine table in long form (``category``, ``group``, ``year``, ``variable``, ``value``, ``lower``,
        ``upper``)
    variable : str
        the measure's canonical name, e.g. ``"pct_volunteering_neighbourhood"``
    category : str
        the characteristic, e.g. ``"Leeftijd"``
    group : str or list of str
        the group (several: their unweighted mean, e.g. the two bands of 65+)
    against : str
        ``"others"`` (the unweighted mean of the other groups of the characteristic, the declared comparison) or
        ``"total"`` (the table's row for everyone, which includes the group: a population-weighted comparison that the
        group's own share pulls towards zero; its error is taken as independent, which overstates it)

    Returns
    -------
    DataFrame
        one row per year with ``group_value``, ``others_value``, ``contrast`` (percentage points), ``std_error`` and
        ``n_others``; years without bounds for every group are left out

    Raises
    ------
    DataNotFoundError
        when the table has no row of the group, or no year with bounds
    """
    groups = [group] if isinstance(group, str) else list(group)
    rows = table[(table["variable"] == variable) & (table["category"] == category)]
    if against == "total":
        total = table[(table["variable"] == variable) & (table["category"] == TOTAL)]
        rows = pd.concat([rows[rows["group"].isin(groups)], total], ignore_index=True)
    if not rows["group"].isin(groups).any():
        have = ", ".join(sorted(rows["group"].dropna().unique())) or "none"
        raise DataNotFoundError(f"{variable}: no group {' / '.join(groups)} under {category!r} (groups: {have})")
    out = []
    for year, rows_of_year in rows.groupby("year"):
        rows_of_year = rows_of_year.dropna(subset=["value", "lower", "upper"])
        mine = rows_of_year[rows_of_year["group"].isin(groups)]
        others = rows_of_year[~rows_of_year["group"].isin(groups)]
        if len(mine) != len(groups) or others.empty:
            continue
        se_mine = (mine["upper"] - mine["lower"]) / (2 * Z95)
        se_others = (others["upper"] - others["lower"]) / (2 * Z95)
        out.append(
            {
                "year": int(year),
                "group_value": float(mine["value"].mean()),
                "others_value": float(others["value"].mean()),
                "contrast": float(mine["value"].mean() - others["value"].mean()),
                "std_error": float(
                    np.sqrt((se_mine**2).sum() / len(groups) ** 2 + (se_others**2).sum() / len(others) ** 2)
                ),
                "n_others": int(len(others)),
            }
        )
    if not out:
        raise DataNotFoundError(f"{variable}: no year with published bounds for {' / '.join(groups)} and the others")
    return pd.DataFrame(out)


def pooled_contrast(contrasts: pd.DataFrame) -> dict:
    """The yearly contrasts pooled by random effects with a Hartung-Knapp interval (``models.pooled_estimate``).

    Parameters
    ----------
    contrasts : DataFrame
        ``group_contrasts``

    Returns
    -------
    dict
        ``estimate``, ``ci_low``, ``ci_high``, ``std_error``, ``p_value``, ``distribution`` ("t(k-1)"), ``tau2``,
        ``i2`` and ``years``
    """
    from ..models import pooled_estimate

    result = pooled_estimate(
        contrasts["contrast"].tolist(),
        contrasts["std_error"].tolist(),
        labels=[str(y) for y in contrasts["year"]],
        interval="hksj",
    )
    return dict(result, years=contrasts["year"].tolist())
