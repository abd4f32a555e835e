"""The Vreewijk case.

Where it stands among every Dutch buurt and among Rotterdam's wijken, and its percentiles on the dimensions the claim
names, with the range of its items' percentiles (the case rule of findings.yaml).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.errors import MissingRecordError
from ..core.optional import optional
from ..core.provenance import carry
from ..data.loading import load
from .cities import ROTTERDAM_CONTEXT, rotterdam_wijken
from .findings import RIVM_YEARS, finding
from .ranks import _row, percentile, rank_table, standing
from .scope import CASE, CITIES


def case_context(name: str = CASE, columns=None) -> pd.DataFrame:
    """Where a Rotterdam wijk stands among every buurt of the Netherlands and among Rotterdam's buurten.

    RIVM 2016 and 2020 (18+, division 2020) and the KWB 2017, by the CBS buurt code the Wijkprofiel wijk links to
    (``readers.rotterdam.link_to_cbs``). See ``ranks.standing``.

    Parameters
    ----------
    name : str
        the wijk's name (or region code) in Rotterdam's Wijkprofiel table of 2016 (``rotterdam_wijken``); by
        default the case, ``CASE``
    columns : list of str, optional
        the variables to place it on (by default the case's ``context`` in findings.yaml); a variable a table lacks,
        or on which the buurt has no value, is left out

    Returns
    -------
    DataFrame
        ``standing`` of the buurt in the three tables: one row per (table, variable) with ``value``, ``median_all``,
        ``percentile_all``, ``n_all``, ``percentile_within`` and ``n_within`` (among the buurten of Rotterdam,
        GM0599); ``attrs["code"]`` is the buurt code, and the provenance is that of the RIVM and KWB tables.
    """
    columns = columns if columns is not None else finding(CASE)["case"]["context"]
    code = str(_row(rotterdam_wijken(2016), name)["region_code"])
    if not code.startswith("BU"):
        raise MissingRecordError(f"{name} has no CBS buurt code ({code}): no national context")
    tables = {f"RIVM {year}": load("rivm-gezondheid", year=year, age_group="18+", level="buurt") for year in RIVM_YEARS}
    tables["KWB 2017"] = load("kwb", year=2017, level="buurt")
    out = standing(tables, code, columns, within=CITIES["Rotterdam"])
    out.attrs["code"] = code
    return carry(out, *tables.values())


def case_items(table: pd.DataFrame) -> list[str]:
    """The Wijkprofiel's items and indices of a Rotterdam table (not the register context).

    Parameters
    ----------
    table : DataFrame
        a Rotterdam Wijkprofiel table (``rotterdam_wijken``)

    Returns
    -------
    list of str
        the columns that start with ``pct_``, ``social_index``, ``physical_index`` or ``safety_index``, less those of
        ``ROTTERDAM_CONTEXT``, in the table's order
    """
    return [
        c
        for c in table.columns
        if c.startswith(("pct_", "social_index", "physical_index", "safety_index")) and c not in ROTTERDAM_CONTEXT
    ]


def case_ranks(tables: dict, name: str = CASE) -> dict:
    """The case's rank and percentile on every item, per year (``ranks.rank_table``).

    Parameters
    ----------
    tables : dict
        {year: Rotterdam Wijkprofiel table (``rotterdam_wijken``)}
    name : str
        the area's name (or region code); by default the case, ``CASE``

    Returns
    -------
    dict
        {year: ``rank_table`` of the area on that table's ``case_items``}
    """
    return {year: rank_table(table, name, case_items(table)) for year, table in tables.items()}


def case_summary(context: pd.DataFrame, percentiles: dict, ranges: dict, *, peers: int, ranks: dict | None = None):
    """What the case's numbers say, computed.

    Its national standing on volunteering and its percentiles (with the range of their items) among the city's wijken.
    Markdown, for the notebook.

    Parameters
    ----------
    context : DataFrame
        ``case_context``: indexed by (table, variable), with ``percentile_all``, ``n_all`` and ``percentile_within``;
        the line on volunteering is left out when it has no ``pct_volunteering`` rows
    percentiles : dict
        {dimension: {year: percentile}}, the first result of ``case_percentiles``
    ranges : dict
        {dimension: {year: (lowest item, highest item)}}, its second result
    peers : int
        the number of the city's wijken compared, its third result
    ranks : dict, optional
        ``case_ranks`` of the city's Wijkprofiel tables: the case's volunteering is then cited from the direct
        survey first (its percentile among the city's wijken, per wave); RIVM's national percentiles follow, as
        model-based context

    Returns
    -------
    IPython.display.Markdown
        a bulleted list: one line on volunteering in the Netherlands and within Rotterdam, one per dimension
    """
    Markdown = optional("IPython.display", "case_summary").Markdown

    lines = []
    direct = {year: r.loc["pct_volunteering"] for year, r in (ranks or {}).items() if "pct_volunteering" in r.index}
    if direct:
        lines.append(
            "The direct survey (Wijkprofiel): its volunteering lies at percentile "
            + ", ".join(f"{r['percentile']:.0f} ({year})" for year, r in direct.items())
            + f" among Rotterdam's {int(next(iter(direct.values()))['of'])} wijken with a value."
        )
    if "pct_volunteering" in context.index.get_level_values("variable"):
        rows = context.xs("pct_volunteering", level="variable")
        lines.append(
            ("For context only, not evidence on the case: " if direct else "")
            + "The Netherlands: its volunteering lies at percentile "
            + " and ".join(
                f"{r.percentile_all:.0f} of {int(r.n_all):,} Dutch buurten ({label})" for label, r in rows.iterrows()
            )
            + " (RIVM's model-based estimates); within Rotterdam at "
            + " and ".join(f"{r.percentile_within:.0f}" for _, r in rows.iterrows())
            + "."
        )
    for dimension, years in percentiles.items():
        lines.append(
            f"{dimension.capitalize()}: percentile "
            + ", ".join(
                f"{value:.1f} (items {ranges[dimension][year][0]:.0f}–{ranges[dimension][year][1]:.0f}; {year})"
                for year, value in years.items()
            )
            + f" among Rotterdam's {peers} wijken."
        )
    return Markdown("\n".join(f"- {line}" for line in lines))


def case_percentiles(tables: dict, name: str, spec: dict) -> tuple[dict, dict, int]:
    """The case's percentile among its peers per dimension of ``spec`` (the ``case`` entry of a finding) and year.

    The mean of its items' percentiles (the share of peers with a lower value; reversed items count the other way), with
    the range of its items' percentiles (with two items per dimension a bootstrap over the items could only return that
    range).

    Parameters
    ----------
    tables : dict
        {year: the peers' table}, one for each year of ``spec``
    name : str
        the case's name (or region code) in those tables
    spec : dict
        the ``case`` entry of a finding in findings.yaml: ``years``, and ``dimensions`` as {dimension: {``items``:
        columns, optionally ``reversed``: the items where less is more}}

    Returns
    -------
    tuple
        ({dimension: {year: percentile}}, {dimension: {year: (lowest item, highest item)}}, peers); ``peers`` is the
        largest number of areas with a value on every item of a dimension, over the dimensions and years.
    """
    result, ranges, peers = {}, {}, 0
    for dimension, rule in spec["dimensions"].items():
        result[dimension], ranges[dimension] = {}, {}
        for year in spec["years"]:
            table = tables[year]
            values = [percentile(table, name, item, reverse=item in rule.get("reversed", [])) for item in rule["items"]]
            result[dimension][year] = float(np.mean(values))
            ranges[dimension][year] = (float(min(values)), float(max(values)))
            peers = max(peers, int(table[rule["items"]].notna().all(axis=1).sum()))
    return result, ranges, peers
