"""CBS open-data (OData) tables by region: KWB and RIVM Gezondheid per wijk en buurt.

Columns are the OData keys (``WijkenEnBuurten``, ``SoortRegio_2``, ``AantalInwoners_5``, ...), in a CSV
(what ``fetch`` writes) or in an Excel export of the same table. The year comes from ``Perioden``
(``2020JJ00``) where the table has it; KWB tables have none, so their year is the one whose keys in the
variable dictionary best match the file's columns (keys change every year).
"""

from __future__ import annotations

import re

import pandas as pd

from .. import variables as vardict
from ..catalogue import datasets
from ..rawfile import RawFile
from ..tidy import Identification, Table, canonicalise
from .common import all_missing_warnings, region_identifiers, require_columns

FORMATS = ("cbs-odata-table",)
AGE_GROUPS = {"20300": "18+", "80200": "65+", "53115": "18-64"}
RIVM_MARKERS = ("Vrijwilligerswerk", "Eenzaam", "Mantelzorger", "ErvarenGezondheid")


def _columns(raw: RawFile) -> list[str]:
    return raw.columns() if raw.kind in ("csv", "xlsx", "xls") else []


def check(raw: RawFile, fmt: str) -> None:
    require_columns(raw, _columns(raw), ["WijkenEnBuurten"], "CBS open-data table by region")


def recognise(raw: RawFile) -> Identification | None:
    columns = _columns(raw)
    if "WijkenEnBuurten" not in columns:
        return None
    frame = _frame(raw)
    if any(c.startswith(RIVM_MARKERS) for c in columns):
        year = _period_year(raw, frame)
        variant = None
        if "Leeftijd" in frame:
            codes = sorted({str(int(float(c))) if str(c).strip().replace(".", "").isdigit() else str(c).strip()
                            for c in frame["Leeftijd"].dropna().unique()})
            variant = AGE_GROUPS.get(codes[0], codes[0]) if len(codes) == 1 else None
        return Identification("cbs-odata-table", "rivm-gezondheid", "rivm-gezondheid", year, variant,
                              _division("rivm-gezondheid", year))
    year = _kwb_year(raw, columns)
    return Identification("cbs-odata-table", "kwb", "kwb-odata", year, None, year)


def _frame(raw: RawFile) -> pd.DataFrame:
    if "frame" not in raw._sheets:
        raw._sheets["frame"] = raw.csv_frame() if raw.kind == "csv" else raw.sheet_frame(0)
    return raw._sheets["frame"]


def _period_year(raw: RawFile, frame: pd.DataFrame) -> int:
    if "Perioden" not in frame:
        raise raw.fail("RIVM table without a Perioden column: cannot tell the year")
    periods = frame["Perioden"].dropna().astype(str).str.strip().unique()
    years = sorted({int(m.group(1)) for p in periods if (m := re.match(r"(\d{4})", p))})
    if len(years) != 1:
        raise raw.fail(f"expected one period, found {', '.join(map(str, years)) or 'none'}; "
                       "filter the table on Perioden first")
    return years[0]


def _kwb_year(raw: RawFile, columns) -> int:
    """The KWB year whose year-specific keys (from the variable dictionary) the file has most of."""
    present = set(columns)
    scores: dict[int, int] = {}
    for entry in vardict.variables().values():
        for year, spec in entry.get("sources", {}).get("kwb-odata", {}).items():
            if year == "*":
                continue
            col = spec["column"] if isinstance(spec, dict) else spec
            scores[int(year)] = scores.get(int(year), 0) + (col in present)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] == 0 or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        known = ", ".join(str(y) for y in sorted(scores))
        raise raw.fail(f"a KWB open-data table of a year wijkstudie does not know (known: {known}); "
                       "add its keys to variables.yaml")
    return ranked[0][0]


def _division(dataset: str, year: int) -> int:
    for r in datasets()[dataset].resources:
        if r.year == year and r.division:
            return r.division
    return year


def read(raw: RawFile, ident: Identification) -> Table:
    frame = _frame(raw)
    if "Marges" in frame:  # RIVM: keep the point estimate, not the interval bounds
        frame = frame[frame["Marges"].astype(str).str.strip().isin(["MW00000", "nan", "None"])]
    ids = region_identifiers(frame["WijkenEnBuurten"], frame.get("SoortRegio_2"))
    names = frame.get("Gemeentenaam_1", pd.Series(index=frame.index, dtype="object"))
    gemeente_name = names.astype("string").str.strip()
    ids["gemeente_name"] = gemeente_name.where(ids["level"] != "land")
    ids["region_name"] = gemeente_name.where(ids["level"].isin(["land", "gemeente"]))
    id_columns = list(ids.columns)
    if ident.dataset == "rivm-gezondheid":
        ids["age_group"] = ident.variant
        id_columns.append("age_group")
    drop = {"WijkenEnBuurten", "SoortRegio_2", "Gemeentenaam_1", "Codering_3", "ID", "Perioden",
            "Leeftijd", "Marges"}
    body = frame.drop(columns=[c for c in frame.columns if c in drop]).reset_index(drop=True)
    merged = pd.concat([ids.reset_index(drop=True), body], axis=1)
    table = canonicalise(merged, id_columns, ident.source_key, ident.year)
    table.warnings += all_missing_warnings(table.frame, table.mapped)
    values = table.frame[[c for c in table.frame.columns if c not in id_columns]]
    empty = values.isna().all(axis=1) if values.shape[1] else values.index.to_series().astype(bool)
    if empty.any():
        rows = table.frame.loc[empty]
        places = sorted(set(rows["gemeente_code"].dropna().astype(str)))
        table.warnings.append(f"{int(empty.sum())} rows have a region code but no values at all "
                              f"(gemeente {', '.join(places[:5])}{' ...' if len(places) > 5 else ''}); their level "
                              "comes from the code")
    return table
