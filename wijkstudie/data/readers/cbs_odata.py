"""CBS open-data (OData) tables by region: KWB and RIVM Gezondheid per wijk en buurt.

Columns are the OData keys (``WijkenEnBuurten``, ``SoortRegio_2``, ``AantalInwoners_5``, ...), in a CSV
(what ``fetch`` writes, or a StatLine export) or in an Excel export of the same table. The region key is
``WijkenEnBuurten`` (``RegioS`` in the oldest KWB table). The year comes from ``Perioden`` (``2020JJ00``) where
the table has it (RIVM); KWB tables have none, so their year comes from the caller or the catalogue, a table id
or year in the file name, or the year-specific keys listed as ``signature`` in the catalogue.
"""

from __future__ import annotations

import re

import pandas as pd

from ..catalogue import datasets
from ..reports import FileWarning, WarningKind
from .common import NO_HINTS, Hints, all_missing_warnings, pick_year, region_identifiers, require_layout_columns
from .rawfile import RawFile
from .tidy import Identification, Table, canonicalise

FORMATS = ("cbs-odata-table",)
AGE_GROUPS = {"20300": "18+", "80200": "65+", "53115": "18-64"}
RIVM_MARKERS = ("Vrijwilligerswerk", "Eenzaam", "Mantelzorger", "ErvarenGezondheid")
REGION_KEYS = ("WijkenEnBuurten", "RegioS")


def _columns(raw: RawFile) -> list[str]:
    return raw.columns() if raw.kind in ("csv", "xlsx", "xls") else []


def _region_key(columns) -> str | None:
    return next((k for k in REGION_KEYS if k in columns), None)


def check(raw: RawFile, fmt: str) -> None:
    """Raise a precise one-line error when a file that should be a CBS or RIVM open-data table by region.

    (the OData CSV, or a StatLine export) lacks what makes one.

    Parameters
    ----------
    raw : RawFile
        the opened file
    fmt : str
        the format the catalogue expects (cbs-odata-table)

    Returns
    -------
    None

    Raises
    ------
    DataFormatError
        naming the file and what it lacks (its kind, its key columns).
    """
    columns = _columns(raw)
    if _region_key(columns) is None:
        require_layout_columns(raw, columns, ["WijkenEnBuurten"], "CBS open-data table by region")


def recognise(raw: RawFile, hints: Hints = NO_HINTS) -> Identification | None:
    """Whether a file is a CBS or RIVM open-data table by region (the OData CSV, or a StatLine export).

    The reader protocol (arguments, result, errors): :mod:`wijkstudie.data.readers`.
    """
    columns = _columns(raw)
    if _region_key(columns) is None or not (
        {"SoortRegio_2", "Codering_3"} & set(columns) or any(c.startswith("AantalInwoners") for c in columns)
    ):
        return None
    frame = _frame(raw)
    if any(c.startswith(RIVM_MARKERS) for c in columns):
        year = _period_year(raw, frame, hints)
        variant = _age_group(raw, frame)
        return Identification(
            "cbs-odata-table", "rivm-gezondheid", "rivm-gezondheid", year, variant, _division("rivm-gezondheid", year)
        )
    inferred = _signature_year(columns)
    year, year_from = pick_year(
        raw,
        hints,
        "KWB open-data table",
        inferred=inferred,
        inferred_from=f"inferred from the column keys that only the {inferred} table has" if inferred else "",
        dataset="kwb",
    )
    return Identification("cbs-odata-table", "kwb", "kwb-odata", year, None, year, year_from=year_from)


def _frame(raw: RawFile) -> pd.DataFrame:
    if "frame" not in raw._sheets:
        raw._sheets["frame"] = raw.csv_frame() if raw.kind == "csv" else raw.sheet_frame(0)
    return raw._sheets["frame"]


def _period_year(raw: RawFile, frame: pd.DataFrame, hints: Hints) -> int:
    if "Perioden" not in frame:
        year, _ = pick_year(raw, hints, "RIVM table without a Perioden column", dataset="rivm-gezondheid")
        return year
    periods = frame["Perioden"].dropna().astype(str).str.strip()
    years = sorted({int(m.group(1)) for p in periods.unique() if (m := re.match(r"(\d{4})", p))})
    if len(years) == 1:
        year, _ = pick_year(
            raw, hints, "RIVM table", content=years[0], content_from="its Perioden column", dataset="rivm-gezondheid"
        )
        return year
    if (
        hints.year is not None and hints.dataset in (None, "rivm-gezondheid") and int(hints.year) in years
    ):  # a file of several measurements: keep the one asked
        raw._sheets["frame"] = frame[periods.str.startswith(str(hints.year))].reset_index(drop=True)
        return int(hints.year)
    raise raw.fail(
        f"the table holds the measurements of {', '.join(map(str, years)) or 'no year'}; pass the one "
        "you want (year=...) or filter the table on Perioden first"
    )


def _age_group(raw: RawFile, frame: pd.DataFrame) -> str | None:
    if "Leeftijd" not in frame:
        return None
    codes = sorted(
        {
            str(int(float(c))) if str(c).strip().replace(".", "").isdigit() else str(c).strip()
            for c in frame["Leeftijd"].dropna().unique()
        }
    )
    if len(codes) > 1:
        groups = ", ".join(AGE_GROUPS.get(c, c) for c in codes)
        raise raw.fail(
            f"the table holds several age groups ({groups}), so every area would appear more than "
            "once; filter it on Leeftijd first"
        )
    return AGE_GROUPS.get(codes[0], codes[0]) if codes else None


def _signature_year(columns) -> int | None:
    """The one KWB year whose signature keys (catalogue) are all among the columns, or None."""
    present = set(columns)
    years = {r.year for r in datasets()["kwb"].resources if r.signature and set(r.signature) <= present}
    return years.pop() if len(years) == 1 else None


def _division(dataset: str, year: int) -> int:
    for r in datasets()[dataset].resources:
        if r.year == year and r.division:
            return r.division
    return year


def read(raw: RawFile, ident: Identification) -> Table:
    """The canonical table of a CBS or RIVM open-data table by region (the OData CSV, or a StatLine export).

    The reader protocol (arguments, result, errors): :mod:`wijkstudie.data.readers`.
    """
    frame = _frame(raw)
    if "Marges" in frame:  # RIVM: keep the point estimate, not the interval bounds
        frame = frame[frame["Marges"].astype(str).str.strip().isin(["MW00000", "nan", "None"])]
    region_key = _region_key(frame.columns)
    problems: list[FileWarning] = []
    ids = region_identifiers(frame[region_key], frame.get("SoortRegio_2"), problems)
    names = frame.get("Gemeentenaam_1", pd.Series(index=frame.index, dtype="object"))
    gemeente_name = names.astype("string").str.strip()
    ids["gemeente_name"] = gemeente_name.where(ids["level"] != "land")
    ids["region_name"] = gemeente_name.where(ids["level"].isin(["land", "gemeente"]))
    id_columns = list(ids.columns)
    if ident.dataset == "rivm-gezondheid":
        ids["age_group"] = ident.variant
        id_columns.append("age_group")
    drop = {region_key, "SoortRegio_2", "Gemeentenaam_1", "Codering_3", "ID", "Perioden", "Leeftijd", "Marges"}
    body = frame.drop(columns=[c for c in frame.columns if c in drop]).reset_index(drop=True)
    merged = pd.concat([ids.reset_index(drop=True), body], axis=1)
    table = canonicalise(merged, id_columns, ident.source_key, ident.year)
    table.warnings += all_missing_warnings(table.frame, table.mapped) + problems
    table.alerts += problems
    values = table.frame[[c for c in table.frame.columns if c not in id_columns]]
    empty = values.isna().all(axis=1) if values.shape[1] else values.index.to_series().astype(bool)
    if empty.any():
        rows = table.frame.loc[empty]
        places = sorted(set(rows["gemeente_code"].dropna().astype(str)))
        text = (
            f"{int(empty.sum())} rows have a region code but no values at all "
            f"(gemeente {', '.join(places[:5])}{' ...' if len(places) > 5 else ''}); their level "
            "comes from the code"
        )
        table.warnings.append(FileWarning(text, WarningKind.EMPTY_ROWS, codes=places[:5]))
    return table
