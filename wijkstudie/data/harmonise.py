"""Move a regional table from one division (the gemeente, wijk and buurt boundaries of one year) onto another.

Gemeenten and wijken move with the address-count matrices of grenswijzigen (VNG Realisatie; dataset
``grenswijzigen`` in the catalogue): for each pair of division years they count the addresses in every
intersection of an old and a new area whose boundaries changed; every other area keeps its code.

- Counts (population, dwellings, households: ``aggregate: sum`` in the variable dictionary) are shared out by
  the share of the old area's addresses that lies in each new area, and added up.
- Shares, means and rates (``aggregate: mean``) are averaged over the parts that make up a new area, each part
  weighted by its estimated weight variable (population, or the dwellings or households the dictionary
  names): the old area's weight times its share of addresses in the new area. Where the table has no such
  column the parts are weighted by their addresses, and the report says so.
- Variables the dictionary derives (``pct_age_65_plus = n_age_65_plus / population``) are derived again from
  their harmonised parts where the table has them.
- A part whose value is missing leaves the new area's value missing, unless that part holds no more than
  ``tolerance`` of the new area's addresses (by default 1 %: stray addresses the matrices assign across a
  boundary).

Buurten keep their codes where the code exists in both divisions; with buurt boundaries of both years (given,
or loadable), the rest is moved by areal interpolation (tobler), counts by area share and the rest as
area-weighted means. Whatever cannot be mapped is listed in the report, never dropped silently.

Every moved level gains a column ``source_code_<from division>``: the old area that gave each new area the
largest share of its addresses (of its area, for interpolated buurten; its own code when it did not change).
An old area split over several new ones copies its shares and means into each of them, so those new areas are
not independent observations: the report counts them, and a regression on them should cluster its errors by
that column (``area_regression(..., cluster="source_code_2020")``).
"""

from __future__ import annotations

from copy import deepcopy
from warnings import warn

import numpy as np
import pandas as pd

from ..core.errors import ArgumentError, MissingRecordError, WijkstudieError, WijkstudieWarning
from ..core.evidence import SOURCE_UNIT_PREFIX
from ..core.optional import optional
from ..core.provenance import attach, provenance_of
from . import variables as vardict
from .arguments import whole
from .catalogue import get_dataset
from .download import fetch_resource
from .readers.common import Hints
from .reading import finish_table, read_table
from .reports import ATTR, HarmonisationReport, LevelReport

CROSSWALK = "grenswijzigen"
CROSSWALK_LEVELS = ("gemeente", "wijk")
CROSSWALK_YEARS = (2016, 2024)
KINDS = ("addresses", "dwellings")
IDENTITY = -1.0  # address count of a link of an area that did not change (not in the matrices)
SOURCE_PREFIX = SOURCE_UNIT_PREFIX  # "source_code_" (core/evidence.py: the models read it too)


def source_column(from_division: int) -> str:
    """The name of the column that holds each new area's main source area.

    Parameters
    ----------
    from_division : int
        the division the table was moved from

    Returns
    -------
    str
        e.g. ``"source_code_2020"``
    """
    return f"{SOURCE_PREFIX}{int(from_division)}"


# --- the crosswalk ----------------------------------------------------------------------------------------


def crosswalk(level: str, from_division: int, to_division: int, *, kind: str = "addresses") -> pd.DataFrame:
    """The address counts linking the areas of two divisions (the grenswijzigen matrices).

    Parameters
    ----------
    level : str
        ``"gemeente"`` or ``"wijk"``
    from_division, to_division : int
        any two years 2016-2024, in either direction
    kind : str
        ``"addresses"`` (postcode and house number) or ``"dwellings"`` (full addresses with a residential
        function)

    Returns
    -------
    DataFrame
        one row per (``from_code``, ``to_code``) with the ``addresses`` in their intersection, for the areas
        whose boundaries changed (every other area keeps its code); its provenance is the matrix file's.

    Raises
    ------
    ArgumentError
        for another level or kind, or a year outside 2016-2024; ``DataNotFoundError`` or ``DownloadError`` for a
        matrix that cannot be had.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> links = ws.crosswalk("wijk", 2020, 2024)  # doctest: +SKIP
    >>> merged = links.groupby("to_code")["from_code"].nunique().gt(1).sum()  # doctest: +SKIP
    """
    if level not in CROSSWALK_LEVELS:
        raise ArgumentError(f"crosswalk: level must be one of {', '.join(CROSSWALK_LEVELS)}, not {level!r}")
    if kind not in KINDS:
        raise ArgumentError(f"crosswalk: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    first, last = CROSSWALK_YEARS
    for year in (from_division, to_division):
        if not first <= int(year) <= last:
            raise ArgumentError(f"crosswalk: the grenswijzigen matrices cover the divisions {first}-{last}, not {year}")
    if from_division == to_division:
        return pd.DataFrame(
            {
                "from_code": pd.Series(dtype="string"),
                "to_code": pd.Series(dtype="string"),
                "addresses": pd.Series(dtype="int64"),
            }
        )
    early, late = sorted((int(from_division), int(to_division)))
    choice = f"{level} {early}-{late}" + ("" if kind == "addresses" else f" {kind}")
    table = _resource_table(CROSSWALK, late, choice)
    out = table[["from_code", "to_code", "addresses"]].copy()
    if from_division > to_division:  # the same intersections, read the other way
        out = out.rename(columns={"from_code": "to_code", "to_code": "from_code"})[
            ["from_code", "to_code", "addresses"]
        ]
    return attach(out.reset_index(drop=True), provenance_of(table))


def division_addresses(level: str, year: int) -> pd.Series | None:
    """The number of addresses of every gemeente or wijk with addresses in a division.

    (from the postcode matrices of grenswijzigen, 2017-2024).

    Parameters
    ----------
    level : str
        ``"gemeente"`` or ``"wijk"``
    year : int
        the division year

    Returns
    -------
    Series or None
        addresses by code; None where the matrices are not available
    """
    if level not in CROSSWALK_LEVELS or not CROSSWALK_YEARS[0] < int(year) <= CROSSWALK_YEARS[1]:
        return None
    try:
        table = _resource_table(CROSSWALK, int(year), f"{level} {year}-{year} postcode")
    except WijkstudieError:
        return None
    return table.groupby("to_code")["addresses"].sum()


def division_codes(level: str, year: int) -> set | None:
    """The codes of every gemeente or wijk with addresses in a division.

    Parameters
    ----------
    level : str
        ``"gemeente"`` or ``"wijk"``
    year : int
        the division year

    Returns
    -------
    set or None
        None where the postcode matrices are not available
    """
    addresses = division_addresses(level, year)
    return None if addresses is None else set(addresses.index)


def crosswalk_call(choice: str) -> str:
    """The ``crosswalk`` call that reads one grenswijzigen matrix of the catalogue.

    Parameters
    ----------
    choice : str
        the catalogue's name of the matrix, e.g. ``"wijk 2020-2024"`` or ``"buurt 2016-2024 dwellings"``

    Returns
    -------
    str
        e.g. ``"crosswalk('wijk', 2020, 2024)"`` or ``"crosswalk('buurt', 2016, 2024, kind='dwellings')"``; the name
        itself for one of another form
    """
    import re

    match = re.fullmatch(r"(\w+) (\d{4})-(\d{4})(?: (\w+))?", choice.strip())
    if not match:
        return choice
    level, early, late, kind = match.groups()
    return f"crosswalk({level!r}, {early}, {late}" + (f", kind={kind!r}" if kind else "") + ")"


def _resource_table(dataset: str, year: int, choice: str | None = None) -> pd.DataFrame:
    """The table of one catalogue resource (the crosswalk matrices, buurt boundaries), with its provenance."""
    resource = get_dataset(dataset).resource(year, choice)
    path = fetch_resource(resource)
    frame, meta = read_table(
        path, expected_format=resource.format, hints=Hints(resource.year, "catalogue", resource.dataset)
    )
    return finish_table(frame.copy(), meta, path, meta["warnings"])


# --- harmonising --------------------------------------------------------------------------------------------


def harmonise(
    table: pd.DataFrame,
    to_division: int,
    *,
    weights: str | None = None,
    kind: str = "addresses",
    tolerance: float = 0.01,
    boundaries: tuple | None = None,
) -> pd.DataFrame:
    """The table moved onto the regional division of ``to_division``.

    Parameters
    ----------
    table : DataFrame
        a table loaded by wijkstudie with ``region_code``, ``level`` and ``division_year``; all levels it holds
        are moved (gemeenten and wijken with the grenswijzigen matrices, buurten by code and, with boundaries,
        by areal interpolation; the country row stays)
    to_division : int
        the year of the target division, 2016-2024 for gemeenten and wijken
    weights : str, optional
        a column to weight every share and mean by instead of the one the dictionary names (population,
        dwellings, households); ``"addresses"`` weights by address counts
    kind : str
        ``"addresses"`` (postcode and house number) or ``"dwellings"`` (addresses with a residential function)
    tolerance : float
        the share of a new area's addresses whose missing value is ignored (default 1 %)
    boundaries : tuple of GeoDataFrame, optional
        for buurten: (old buurt boundaries, new buurt boundaries); by default they are loaded
        (``cbs-buurten`` of both years) when that is possible

    Returns
    -------
    DataFrame
        the harmonised table (``division_year`` = ``to_division``; a column ``harmonised`` is True for areas
        computed from several parts or under a new code; when the table moved, a column
        ``source_code_<from division>`` (string) holds the old area that gave each new area most of its
        addresses, its own code for the land row and unchanged areas). ``wijkstudie.report(result)`` shows
        the harmonisation (``.harmonisation``): how many areas were unchanged, recoded, merged, split or not
        mapped, how many new areas share their source area with another, and how much of the population moved.
        Its provenance joins the table's and the crosswalk's.

    Raises
    ------
    ArgumentError
        for a table without division or codes, a division outside 2016-2024, duplicate codes, or areas that
        are not CBS areas (Rotterdam's or Amsterdam's own); ``DataNotFoundError`` or ``DownloadError`` when the
        crosswalk matrices cannot be had. All are ``WijkstudieError``.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> rivm = ws.load("rivm-gezondheid", year=2020, level="gemeente", age_group="18+")  # doctest: +SKIP
    >>> rivm22 = ws.harmonise(rivm, to_division=2022)  # doctest: +SKIP
    >>> ws.report(rivm22).harmonisation.to_frame()  # doctest: +SKIP
    """
    to_division = whole(to_division, "to_division")
    if not 0 <= tolerance < 1:
        raise ArgumentError(f"harmonise: tolerance is a share of addresses from 0 up to 1, not {tolerance}")
    for col in ("region_code", "level", "division_year"):
        if col not in table:
            raise ArgumentError(
                f"harmonise: the table has no column {col!r}"
                + ("; it does not say which division its codes belong to" if col == "division_year" else "")
            )
    divisions = sorted({int(v) for v in table["division_year"].dropna()})
    if len(divisions) != 1:
        raise ArgumentError(f"harmonise: the table mixes divisions {divisions}; harmonise each part on its own")
    from_division = divisions[0]
    other = sorted(set(table["level"].dropna()) - {"land", "gemeente", "wijk", "buurt"})
    if other:
        raise ArgumentError(
            f"harmonise: {', '.join(other)} areas are not CBS areas and have no crosswalk; "
            "select the gemeente, wijk or buurt rows"
        )
    report = HarmonisationReport(from_division, to_division)
    parts, crosswalks = [], []
    for level, rows in table.groupby("level", sort=False):
        rows = rows.reset_index(drop=True)
        duplicated = rows["region_code"].duplicated()
        if duplicated.any():
            raise ArgumentError(
                f"harmonise: {int(duplicated.sum())} {level} codes occur more than once (e.g. "
                f"{rows.loc[duplicated, 'region_code'].iloc[0]}); keep one year and one age group"
            )
        if from_division == to_division:
            parts.append(rows.assign(harmonised=False))
            continue
        if level == "land":
            parts.append(
                rows.assign(harmonised=False, **{source_column(from_division): rows["region_code"].astype("string")})
            )
            continue
        if level in CROSSWALK_LEVELS:
            out, level_report, used = _by_crosswalk(rows, level, from_division, to_division, weights, kind, tolerance)
            report.crosswalk = "grenswijzigen (VNG Realisatie, CC BY-NC-SA 4.0)"
            crosswalks.append(used)
        else:
            out, level_report = _buurten(rows, from_division, to_division, weights, boundaries)
        parts.append(out)
        report.levels.append(level_report)
    result = pd.concat(parts, ignore_index=True) if parts else table.iloc[0:0]
    if hasattr(table, "geometry") and "geometry" in result:
        import geopandas as gpd

        result = gpd.GeoDataFrame(result, geometry="geometry", crs=table.crs)
    result["division_year"] = pd.array([to_division] * len(result), dtype="Int64")
    result = result[vardict.canonical_order(list(result.columns))]
    _carry_provenance(table, result, report, crosswalks)
    return result


def harmonisation_of(table: pd.DataFrame) -> HarmonisationReport:
    """The HarmonisationReport of a harmonised table (``wijkstudie.report(table).harmonisation``).

    Parameters
    ----------
    table : DataFrame
        a table returned by ``harmonise`` (or ``load(..., division=...)``)

    Returns
    -------
    HarmonisationReport
        what moved between the divisions, per level

    Raises
    ------
    MissingRecordError
        when the table was not harmonised, or an operation dropped its report.
    """
    data = (table.attrs.get(ATTR) or {}).get("harmonisation")
    if not data:
        raise MissingRecordError(
            "this table carries no harmonisation report (it was not harmonised, or an operation "
            "dropped the report: ask harmonise's result itself)"
        )
    return HarmonisationReport.from_dict(data)


def _carry_provenance(source: pd.DataFrame, result: pd.DataFrame, report: HarmonisationReport, crosswalks) -> None:
    """The result keeps the load report (updated) and the provenance of the source table.

    Joined with that of the crosswalk matrices used (whose non-commercial licence figure captions then cite).
    """
    from ..core.provenance import combine

    info = deepcopy(source.attrs.get(ATTR) or {})  # a table not loaded by wijkstudie gets a report of its own
    info.update(division=report.to_division, rows=len(result), harmonisation=report.to_dict())
    info["variables"] = {n: int(result[n].notna().sum()) for n in info.get("variables", {}) if n in result}
    if "level" in result:
        counts = result["level"].value_counts()
        info["levels"] = {lv: int(counts[lv]) for lv in ("land", "gemeente", "wijk", "buurt") if lv in counts}
    attrs = {k: deepcopy(v) for k, v in source.attrs.items() if k not in (ATTR, "provenance")}
    attrs[ATTR] = info
    result.attrs = attrs
    provenance = combine(provenance_of(source), *crosswalks) if crosswalks else provenance_of(source)
    attach(result, provenance.with_levels(result["level"].dropna().astype(str).unique()))


def _value_columns(rows: pd.DataFrame) -> tuple[list[str], list[str], list[str]]:
    """(counts, means, dropped): the numeric columns by how they move."""
    known = vardict.variables()
    counts, means, dropped = [], [], []
    for col in rows.columns:
        if col in vardict.identifiers() or col in ("geometry", "harmonised") or col.startswith(SOURCE_PREFIX):
            continue
        if col in known:
            (counts if vardict.aggregation(col)[0] == "sum" else means).append(col)
        elif pd.api.types.is_numeric_dtype(rows[col]):
            dropped.append(col)
        else:
            dropped.append(col)
    return counts, means, dropped


def _weight_of(name: str, rows: pd.DataFrame, override: str | None) -> str | None:
    """The weight column for a mean variable, or None for address weights."""
    if override is not None:
        if override == "addresses":
            return None
        if override not in rows:
            raise ArgumentError(f"harmonise: no weight column {override!r}")
        return override
    weight = vardict.aggregation(name)[1]
    if weight in rows and rows[weight].notna().any():
        return weight
    return "population" if "population" in rows and rows["population"].notna().any() else None


def _by_crosswalk(rows: pd.DataFrame, level: str, source: int, target: int, weights, kind, tolerance):
    links = crosswalk(level, source, target, kind=kind)
    used = provenance_of(links)
    codes = rows["region_code"].astype("string")
    changed = set(links["from_code"])
    unchanged = codes[~codes.isin(changed)]
    identity = pd.DataFrame({"from_code": unchanged.to_numpy(), "to_code": unchanged.to_numpy(), "addresses": IDENTITY})
    known_targets = division_codes(level, target)
    unmapped = []
    if known_targets is not None:
        lost = ~identity["to_code"].isin(known_targets)
        unmapped = sorted(identity.loc[lost, "from_code"])
        identity = identity[~lost]
    missing_rows = sorted(changed - set(codes))  # areas the crosswalk moves but the table lacks
    links = links[links["from_code"].isin(set(codes))]
    links = pd.concat([identity, links.astype({"addresses": "float64"})], ignore_index=True)
    out, level_report = _apply(
        rows,
        links,
        level,
        source,
        target,
        weights,
        tolerance,
        "grenswijzigen matrices",
        division_addresses(level, source),
    )
    level_report.source_areas = len(rows)
    level_report.unmapped = unmapped
    if unmapped:
        level_report.notes.append(
            f"{len(unmapped)} areas are neither in the crosswalk nor among the {level}en with "
            f"addresses of {target} (areas without addresses, such as water, or codes that "
            "no longer exist); they are left out"
        )
    if missing_rows:
        level_report.notes.append(
            f"{len(missing_rows)} areas the crosswalk moves are not in the table (e.g. "
            f"{', '.join(missing_rows[:5])}); the new areas they feed count them as missing"
        )
    return out, level_report, used


def _apply(
    rows: pd.DataFrame,
    links: pd.DataFrame,
    level: str,
    source: int,
    target: int,
    weights,
    tolerance,
    method: str,
    addresses: pd.Series | None = None,
):
    """Move the values of ``rows`` along ``links``.

    (from_code, to_code, addresses; IDENTITY for unchanged areas) and describe what happened.
    """
    counts, means, dropped = _value_columns(rows)
    data = rows.set_index("region_code")
    links = links.copy()
    is_identity = links["addresses"] == IDENTITY
    sent = links[~is_identity].groupby("from_code")["addresses"].transform("sum")
    links["share"] = 1.0
    links.loc[~is_identity, "share"] = links.loc[~is_identity, "addresses"] / sent.where(sent > 0)
    links["addresses"] = links["addresses"].where(~is_identity, np.nan)
    received = links.groupby("to_code")["addresses"].transform("sum", min_count=1)
    # a part's share of the new area's addresses (1 for an unchanged area)
    links["part"] = (links["addresses"] / received).fillna(1.0).where(~is_identity, 1.0)
    level_report = _describe_links(links, data, level, source, target, method, tolerance, addresses)
    level_report.dropped = dropped

    result = pd.DataFrame(index=pd.Index(pd.unique(links["to_code"]), name="region_code"))
    for name in counts:
        values = links["from_code"].map(data[name])
        result[name] = _combine(links, values * links["share"], values.isna(), tolerance, how="sum")
        level_report.weights[name] = "summed after sharing by addresses"
    for name in means:
        values = links["from_code"].map(data[name])
        weight_col = _weight_of(name, rows, weights)
        if weight_col is None:
            w = links["addresses"].fillna(1.0)
            level_report.weights[name] = "averaged with address weights"
        else:
            w = links["from_code"].map(data[weight_col]) * links["share"]
            # a new area with a part whose weight is unknown falls back to address weights
            unknown = w.isna().groupby(links["to_code"]).transform("any")
            w = w.where(~unknown, links["addresses"].fillna(1.0))
            level_report.weights[name] = f"averaged with {weight_col} weights"
        result[name] = _combine(links, values * w, values.isna(), tolerance, how="mean", weight=w)
    rederived = vardict.derive(result, overwrite=[n for n in means if vardict.derived_rule(n)])
    for name in rederived:
        level_report.weights[name] = "derived again from its harmonised parts"
    result = result.reset_index()
    result.insert(1, "level", level)
    _identifiers(result, rows, links, level)
    _sources(result, data, _main_sources(links, "part"), source)
    level_report.shared_source = _shared(result[source_column(source)])
    return result, level_report


def _main_sources(links: pd.DataFrame, share: str) -> pd.Series:
    """Per new area (``to_code``), the old area with the largest ``share`` of it (ties: the lowest code)."""
    ordered = links.sort_values([share, "from_code"], ascending=[False, True], kind="stable")
    return ordered.drop_duplicates("to_code").set_index("to_code")["from_code"].astype("string")


def _sources(result: pd.DataFrame, data: pd.DataFrame, main: pd.Series, source: int) -> None:
    """The column ``source_code_<source>`` of the new areas (in place).

    Source-code columns of an earlier harmonisation follow the main source area, so they keep naming the area of their
    own division.
    """
    result[source_column(source)] = result["region_code"].map(main).astype("string")
    for col in data.columns:
        if str(col).startswith(SOURCE_PREFIX) and col != source_column(source):
            result[col] = result[source_column(source)].map(data[col]).astype("string")


def _shared(sources: pd.Series) -> int:
    """The number of new areas whose source area is the source of another new area too."""
    return int(sources.dropna().duplicated(keep=False).sum())


def _combine(
    links: pd.DataFrame,
    contributions: pd.Series,
    missing: pd.Series,
    tolerance: float,
    how: str,
    weight: pd.Series | None = None,
) -> pd.Series:
    """Per new area.

    The sum (or weighted mean) of its parts' contributions; missing where parts with missing values hold more than
    ``tolerance`` of its addresses.
    """
    group = links["to_code"]
    missing_part = links["part"].where(missing.to_numpy(dtype=bool), 0.0).groupby(group, sort=False).sum()
    total = contributions.where(~missing, 0.0).groupby(group, sort=False).sum()
    if how == "mean":
        denominator = weight.where(~missing, 0.0).groupby(group, sort=False).sum()
        total = total / denominator.where(denominator > 0)
    return total.where(missing_part <= tolerance + 1e-12)


def _identifiers(result: pd.DataFrame, rows: pd.DataFrame, links: pd.DataFrame, level: str) -> None:
    """Names, gemeente codes, year and constant columns of the new areas (in place)."""
    from .codes import gemeenten_of

    per_target = links.groupby("to_code").agg(
        n=("from_code", "size"), source=("from_code", "first"), share=("share", "first")
    )
    kept = (per_target["n"] == 1) & (per_target["source"] == per_target.index) & (per_target["share"] > 0.999)
    result["harmonised"] = ~result["region_code"].map(kept).fillna(False).astype(bool)
    by_code = rows.set_index("region_code")
    if "region_name" in rows:
        names = result["region_code"].map(by_code["region_name"])
        result["region_name"] = names.where(~result["harmonised"]).astype("string")
    result["gemeente_code"] = gemeenten_of(result["region_code"].astype("string"))
    if "gemeente_name" in rows:
        gm_names = (
            rows.dropna(subset=["gemeente_code"])
            .drop_duplicates("gemeente_code")
            .set_index("gemeente_code")["gemeente_name"]
        )
        result["gemeente_name"] = result["gemeente_code"].map(gm_names).astype("string")
    for col in ("year", "age_group"):
        if col in rows and rows[col].nunique(dropna=False) == 1:
            result[col] = pd.array([rows[col].iloc[0]] * len(result), dtype=rows[col].dtype)
    result["region_code"] = result["region_code"].astype("string")
    result["level"] = result["level"].astype("string")


def _describe_links(links, data, level, source, target, method, tolerance, addresses=None) -> LevelReport:
    real = links[links["share"] >= tolerance]
    per_source = real.groupby("from_code")["to_code"].nunique()
    per_target = real.groupby("to_code")["from_code"].nunique()
    whole = real[real["share"] >= 1 - tolerance - 1e-9]
    recoded = int((whole["from_code"] != whole["to_code"]).to_numpy(dtype=bool).sum())
    same = whole[
        (whole["from_code"] == whole["to_code"]).to_numpy(dtype=bool)
        & whole["to_code"].map(per_target).eq(1).to_numpy(dtype=bool)
    ]
    # the weight of every old area: its population, else its addresses in the division (postcode matrices)
    if "population" in data and data["population"].notna().any():
        basis, size = "population", data["population"]
    elif addresses is not None:
        basis, size = "addresses", addresses
    else:
        basis, size = "addresses of the changed areas", links.groupby("from_code")["addresses"].sum(min_count=1)
    weight = links["from_code"].map(size).fillna(0.0)
    total = float(size.reindex(pd.unique(links["from_code"])).fillna(0.0).sum())
    elsewhere = (links["from_code"] != links["to_code"]).to_numpy(dtype=bool)
    moved = float((weight * links["share"])[elsewhere].sum())
    return LevelReport(
        level=level,
        from_division=source,
        to_division=target,
        method=method,
        source_areas=int(links["from_code"].nunique()),
        target_areas=int(links["to_code"].nunique()),
        unchanged=int(len(same)),
        recoded=recoded,
        merged=int((per_target > 1).sum()),
        split=int((per_source > 1).sum()),
        moved_share=moved / total if total else 0.0,
        moved_basis=basis,
    )


# --- buurten ------------------------------------------------------------------------------------------------


def _buurten(rows: pd.DataFrame, source: int, target: int, weights, boundaries):
    """Buurten: identical codes map to themselves; with boundaries of both years the rest is interpolated."""
    old_geo, new_geo, why = _buurt_boundaries(source, target, boundaries)
    codes = rows["region_code"].astype("string")
    if new_geo is None:
        links = pd.DataFrame({"from_code": codes.to_numpy(), "to_code": codes.to_numpy(), "addresses": IDENTITY})
        out, report = _apply(rows, links, "buurt", source, target, weights, 0.0, "codes kept, not checked")
        note = f"buurt codes were kept as they are and could not be checked against the division of {target}: {why}"
        report.notes.append(note)
        warn(f"{note}; a buurt that changed keeps its old figures under its old code", WijkstudieWarning, stacklevel=4)
        return out, report
    new_codes = set(new_geo["region_code"].astype("string"))
    kept = codes[codes.isin(new_codes)]
    links = pd.DataFrame({"from_code": kept.to_numpy(), "to_code": kept.to_numpy(), "addresses": IDENTITY})
    out, report = _apply(
        rows[codes.isin(new_codes)].reset_index(drop=True),
        links,
        "buurt",
        source,
        target,
        weights,
        0.0,
        "codes kept, the rest by areal interpolation",
    )
    rest = rows[~codes.isin(new_codes)]
    report.source_areas = len(rows)
    if len(rest) and old_geo is not None:
        moved, interpolated, unmatched = _interpolate(
            rest, old_geo, new_geo[~new_geo["region_code"].isin(set(kept))], rows, source
        )
        out = pd.concat([out, moved], ignore_index=True)
        report.shared_source = _shared(out[source_column(source)])
        report.interpolated = int(len(moved))
        report.unmapped = unmatched
        report.target_areas = int(out["region_code"].nunique())
        report.notes.append(
            f"{interpolated} old buurten moved onto {len(moved)} new ones by areal interpolation "
            "(tobler; counts by area share, shares and means weighted by area)"
        )
    elif len(rest):
        report.unmapped = sorted(rest["region_code"].astype(str))
        report.notes.append(f"no buurt boundaries of {source} to interpolate with: {why or 'not given'}")
    return out, report


def _buurt_boundaries(source: int, target: int, boundaries):
    if boundaries is not None:
        old, new = boundaries
        return old, new, ""
    try:
        new = _resource_table("cbs-buurten", target)
    except WijkstudieError as exc:
        return None, None, exc.first_clause
    try:
        old = _resource_table("cbs-buurten", source)
    except WijkstudieError as exc:
        return None, new, exc.first_clause
    return old, new, ""


def _interpolate(rest: pd.DataFrame, old_geo, new_geo, rows: pd.DataFrame, source: int):
    import geopandas as gpd

    area_interpolate = optional("tobler.area_weighted", "harmonising buurten by area").area_interpolate

    counts, means, _ = _value_columns(rest)
    old = old_geo[["region_code", "geometry"]].merge(rest.drop(columns=["geometry"], errors="ignore"), on="region_code")
    unmatched = sorted(set(rest["region_code"]) - set(old["region_code"]))
    if old.empty:
        return rest.iloc[0:0], 0, unmatched
    old = old.to_crs(28992)
    new = new_geo[["region_code", "geometry"]].to_crs(28992)
    estimate = area_interpolate(
        old,
        new,
        extensive_variables=[c for c in counts if old[c].notna().any()],
        intensive_variables=[c for c in means if old[c].notna().any()],
    )
    estimate["region_code"] = new["region_code"].to_numpy()
    overlaps = estimate.drop(columns=["geometry"]).set_index("region_code")
    touched = new.geometry.intersects(old.union_all()).to_numpy()
    out = overlaps[touched].reset_index()
    out.insert(1, "level", "buurt")
    out["harmonised"] = True
    from .codes import gemeenten_of

    out["gemeente_code"] = gemeenten_of(out["region_code"].astype("string"))
    for col in ("year", "age_group"):
        if col in rows and rows[col].nunique(dropna=False) == 1:
            out[col] = rows[col].iloc[0]
    # each new buurt's main source: the old buurt that covers the largest part of its area
    pieces = gpd.overlay(
        old[["region_code", "geometry"]].rename(columns={"region_code": "from_code"}),
        new.rename(columns={"region_code": "to_code"}),
        how="intersection",
        keep_geom_type=True,
    )
    pieces["area"] = pieces.area
    _sources(out, rest.set_index("region_code"), _main_sources(pieces, "area"), source)
    return out, len(old), unmatched
