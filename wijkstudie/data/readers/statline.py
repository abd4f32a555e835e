"""CBS StatLine tables (survey estimates by personal characteristic or by region) as one tidy long table.

Two shapes of the same table are read alike:

- a CSV dump (``;``, UTF-8 with a byte-order mark, a leading ``ID`` column): dimension columns holding titles
  ("Leeftijd: 15 tot 25 jaar", "Rotterdam", "2019") and measure columns named by their open-data keys
  (``Buurt_46``), as in the mirror's ``cbs-statline/`` folder;
- what CBS's open-data feed gives (``cbsodata.download_data``, stored by ``fetch`` as one JSON object): the
  ``TypedDataSet`` with dimension keys ("MW00000", "1012600", "2019JJ00", "GM0363"), ``DataProperties`` (the
  measures' titles), ``TableInfos`` (the table id) and one list of keys and titles per dimension.

A table is recognised by its content: a ``Perioden`` column, measure columns named ``Name_<number>`` and at most
two other dimensions. The dimension whose values are all "Waarde" and bounds or margins ("Ondergrens
95%-interval", "Betrouwbaarheidsmarge", ...) says which row is the estimate and which its 95 % interval; the
other one is ``RegioS`` (``region``) or a characteristic (``characteristic``, split into ``category`` and
``group`` at ": ").
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from ...core.errors import WijkstudieError
from ...core.printable import excerpt
from .. import variables as vardict
from ..reports import FileWarning, WarningKind
from .common import _TABLE_ID, NO_HINTS, Hints, pick_year
from .numbers import SENTINEL_LIMIT
from .rawfile import RawFile
from .tidy import Identification, Table

FORMATS = ("cbs-statline",)
SOURCE_KEY = "cbs-statline"
MEASURE = re.compile(r"^[A-Za-z][A-Za-z0-9]*_\d+$")
PERIOD = re.compile(r"^(\d{4})(?:(JJ|KW|MM|HJ|X)(\d{2,3}))?$")
PERIODS = "Perioden"
REGIONS = "RegioS"
DIMENSION_TYPES = ("Dimension", "TimeDimension", "GeoDimension", "GeoDetail")
MISSING_CODES = (-888.0, -999.0, -8888.0, -9999.0)  # no figure (81924NED has -888 in 5 cells and their margins)
# the rows of the margin dimension: by title (both shapes), or by key where a feed table comes without titles
MARGIN_KEYS = {"MW00000": "value", "MOG0095": "lower", "MBG0095": "upper"}
# CBS shortens the category of a characteristic in some titles ("Positie in huish.: lid paar geen ouder")
CATEGORY_WORDS = {"huish.": "huishouden", "huish": "huishouden", "hh.": "huishouden", "hh": "huishouden"}
# region kinds by the suffix of a title ("Alkmaar (GM)") or the prefix of a feed key ("GM0361")
KIND_OF_SUFFIX = {"GM": "gemeente", "gemeente": "gemeente", "PV": "province", "LD": "other", "BT": "police unit",
                  "PD": "police unit", "RE": "police unit"}  # fmt: skip
KIND_OF_KEY = {"NL": "land", "GM": "gemeente", "PV": "province", "LD": "other", "BT": "police unit",
               "PD": "police unit", "RE": "police unit"}  # fmt: skip
_SUFFIX = re.compile(r"^(.*\S)\s+\((GM|gemeente|PV|LD|BT|PD|RE)\)$")
GROUPS = re.compile(r"^(G\d+|Gemeenten\b.*)$")  # G4, G40, "Gemeenten > 70 000 inwoners": groups of gemeenten
COLUMNS = ["table_id", "characteristic", "category", "group", "region", "region_kind", "period", "year", "quarter",
           "measure", "measure_title", "variable", "value", "lower", "upper"]  # fmt: skip


def margin_role(title: str) -> str | None:
    """What a row of the margin dimension holds, from its title or key.

    ``value``, ``lower``, ``upper`` (a bound or the size of the margin below or above, decided from the numbers) or
    ``margin`` (a symmetric margin).

    Parameters
    ----------
    title : str
        "Waarde", "Ondergrens 95%-interval", "Betrouwbaarheidsmarge", "MW00000", ...

    Returns
    -------
    str or None
        None for a title of another kind
    """
    text = str(title).strip()
    if text in MARGIN_KEYS:
        return MARGIN_KEYS[text]
    low = text.lower()
    if low == "waarde":
        return "value"
    if "ondergrens" in low:
        return "lower"
    if "bovengrens" in low:
        return "upper"
    if low.startswith("betrouwbaarheidsmarge") or low == "marge":
        return "margin"
    return None


def parse_period(period: str) -> tuple[int, int | None] | None:
    """The year and quarter of a StatLine period: "2019", "2019JJ00" (a year), "2019KW02" (a quarter).

    Parameters
    ----------
    period : str

    Returns
    -------
    tuple or None
        ``(year, quarter or None)``; None for a text that is no period
    """
    match = PERIOD.match(str(period).strip())
    if not match:
        return None
    quarter = int(match.group(3)) if match.group(2) == "KW" else None
    return int(match.group(1)), quarter


def split_characteristic(title: str) -> tuple[str | None, str]:
    """The category and group of a characteristic's title.

    "Leeftijd: 15 tot 25 jaar" -> ("Leeftijd", "15 tot 25 jaar"); CBS's shortened categories are written out ("Positie
    in huish." -> "Positie in huishouden"); a title without a category is a group of its own ("Totaal" -> ("Totaal",
    "Totaal"), "Mannen" -> (None, "Mannen")).

    Parameters
    ----------
    title : str

    Returns
    -------
    tuple
        ``(category or None, group)``
    """
    text = " ".join(str(title).split())
    if ": " not in text:
        return ("Totaal" if text.lower().startswith("totaal") else None), text
    category, group = text.split(": ", 1)
    words = [CATEGORY_WORDS.get(w, w) for w in category.split(" ")]
    return " ".join(words), group.strip()


def region_kind(title: str, key: str | None = None) -> str:
    """The kind of a region of a StatLine table.

    ``land``, ``province``, ``gemeente``, ``police unit`` (basisteam, district or regional unit: not a CBS area) or
    ``other`` (landsdelen, groups of gemeenten).

    Parameters
    ----------
    title : str
        "Nederland", "Alkmaar (GM)", "Alkmaar", "Sneek (BT)", "G4", ...
    key : str, optional
        the feed's key ("GM0361"), which wins over the title

    Returns
    -------
    str
    """
    if isinstance(key, str) and key[:2] in KIND_OF_KEY:
        return KIND_OF_KEY[key[:2]]
    text = str(title).strip()
    if text == "Nederland":
        return "land"
    if match := _SUFFIX.match(text):
        return KIND_OF_SUFFIX[match.group(2)]
    # a title without a kind is a gemeente unless it names a group (G4, "Gemeenten > 70 000 inwoners") or joins
    # areas with a slash, as no gemeente's name does (the police district "Amsterdam-Centrum/-Noord")
    return "other" if GROUPS.match(text) or "/" in text else "gemeente"


def region_name(title: str) -> str:
    """A region's title without the kind in brackets: "Alkmaar (GM)" -> "Alkmaar", "Utrecht (gemeente)" -> "Utrecht".

    Parameters
    ----------
    title : str

    Returns
    -------
    str
    """
    match = _SUFFIX.match(str(title).strip())
    return match.group(1) if match else str(title).strip()


# --- recognising ---------------------------------------------------------------------------------------------


def _feed(raw: RawFile) -> dict | None:
    if raw.kind != "json" or not raw.head_text.lstrip().startswith("{"):
        return None
    data = raw.json
    if isinstance(data, dict) and isinstance(data.get("TypedDataSet"), list) and "DataProperties" in data:
        return data
    return None


def _csv_dimensions(columns) -> list[str] | None:
    """The dimension columns of a CSV dump (every column but ``ID`` and the measures), or None for another file."""
    if PERIODS not in columns or "WijkenEnBuurten" in columns:
        return None
    measures = [c for c in columns if MEASURE.match(c)]
    dims = [c for c in columns if c != "ID" and not MEASURE.match(c)]
    return dims if measures and 1 <= len(dims) <= 3 else None


def check(raw: RawFile, fmt: str) -> None:
    """Raise a one-line error when a file that should be a StatLine table lacks what makes one.

    Parameters
    ----------
    raw : RawFile
        the opened file
    fmt : str
        the format the catalogue expects (cbs-statline)

    Returns
    -------
    None

    Raises
    ------
    DataFormatError
        naming the file and what it lacks.
    """
    if _feed(raw) is not None:
        return
    columns = raw.columns() if raw.kind == "csv" else []
    if _csv_dimensions(columns) is None:
        found = ", ".join(map(str, columns[:6])) or f"a {raw.kind} file"
        raise raw.fail(
            "not a CBS StatLine table: expected a Perioden column, measure columns (Name_1, ...) and at most two "
            f"other dimensions, or the open-data feed's TypedDataSet with DataProperties (found: {found})"
        )


def recognise(raw: RawFile, hints: Hints = NO_HINTS) -> Identification | None:
    """Whether a file is a CBS StatLine table (a CSV dump or the open-data feed's JSON), from its content.

    Parameters
    ----------
    raw : RawFile
        the opened file
    hints : Hints, optional
        the year the caller or the catalogue gives (it must be the table's last period)

    Returns
    -------
    Identification or None
        the table's format, dataset, last year and id (as variant); None for a file of another kind

    Raises
    ------
    DataFormatError
        for a StatLine table whose periods cannot be read.
    """
    feed = _feed(raw)
    if feed is None:
        if raw.kind != "csv" or _csv_dimensions(raw.columns()) is None:
            return None
    shaped = _shape(raw)
    years = sorted({parsed[0] for p in shaped["dims"][PERIODS].unique() if (parsed := parse_period(p))})
    if not years:
        return None
    what = "StatLine table (its year is its last period)"
    year, _ = pick_year(raw, hints, what, content=years[-1], content_from="its Perioden column", dataset="cbs-statline")
    return Identification("cbs-statline", "cbs-statline", SOURCE_KEY, year, shaped["table_id"])


# --- reading -------------------------------------------------------------------------------------------------


def _shape(raw: RawFile) -> dict:
    """Both shapes as one.

    ``frame`` (the measures), ``dims`` (a frame of dimension titles), ``keys`` (the feed's region keys, or None),
    ``titles`` (measure -> title) and ``table_id``.
    """
    if "statline" in raw._sheets:
        return raw._sheets["statline"]
    feed = _feed(raw)
    if feed is None:
        frame = raw.csv_frame()
        dims = frame[_csv_dimensions(list(frame.columns))].astype("string").apply(lambda s: s.str.strip())
        match = _TABLE_ID.search(raw.name)
        shaped = {"frame": frame, "dims": dims, "keys": None, "titles": {},
                  "table_id": match.group(1) if match else None}  # fmt: skip
    else:
        try:
            shaped = _from_feed(raw, feed)
        except (TypeError, KeyError, ValueError, AttributeError, IndexError) as exc:
            if isinstance(exc, WijkstudieError):
                raise
            raise raw.fail(
                f"a damaged CBS open-data table (TypedDataSet, DataProperties): {excerpt(str(exc), 60)}"
            ) from None
    shaped["measures"] = [c for c in shaped["frame"].columns if MEASURE.match(str(c))]
    raw._sheets["statline"] = shaped
    return shaped


def _from_feed(raw: RawFile, feed: dict) -> dict:
    frame = pd.DataFrame(feed["TypedDataSet"])
    props = [p for p in feed.get("DataProperties") or [] if isinstance(p, dict)]
    dim_keys = [p["Key"] for p in props if p.get("Type") in DIMENSION_TYPES and p.get("Key") in frame]
    if PERIODS not in dim_keys:
        raise raw.fail("a CBS open-data table without a Perioden dimension: not a StatLine table wijkstudie reads")
    dims, keys = {}, None
    for dim in dim_keys:
        codes = frame[dim].astype("string").str.strip()
        titles = {str(e.get("Key", "")).strip(): str(e.get("Title", "")).strip() for e in feed.get(dim) or []}
        dims[dim] = codes if dim == PERIODS else codes.map(lambda k, t=titles: t.get(k, k)).astype("string")
        if dim == REGIONS:
            keys = codes
    info = feed.get("TableInfos") or [{}]
    titles = {p["Key"]: str(p.get("Title", "")).strip() for p in props if p.get("Type") == "Topic" and "Key" in p}
    return {"frame": frame, "dims": pd.DataFrame(dims), "keys": keys, "titles": titles,
            "table_id": str(info[0].get("Identifier") or "") or None}  # fmt: skip


def _margin_dimension(dims: pd.DataFrame) -> str | None:
    """The dimension whose values are all a value, bound or margin, with at least one value row."""
    for dim in dims.columns:
        if dim == PERIODS:
            continue
        roles = {margin_role(v) for v in dims[dim].dropna().unique()}
        if "value" in roles and None not in roles:
            return dim
    return None


def read(raw: RawFile, ident: Identification) -> Table:
    """The tidy long table of a StatLine table.

    One row per estimate (dimension, period and measure), with its 95 % bounds where the table publishes them.

    Parameters
    ----------
    raw : RawFile
        the opened file
    ident : Identification
        what ``recognise`` found

    Returns
    -------
    Table
        columns ``table_id``, ``characteristic``, ``category``, ``group`` (or ``region``, ``region_kind``),
        ``period``, ``year``, ``quarter``, ``measure``, ``measure_title``, ``variable``, ``value``, ``lower``,
        ``upper``

    Raises
    ------
    DataFormatError
        for a table with more than one characteristic, an unreadable period, a repeated row, or a bound or margin
        row without its value row.
    """
    shaped = _shape(raw)
    dims, frame, measures = shaped["dims"], shaped["frame"], shaped["measures"]
    margin = _margin_dimension(dims)
    others = [d for d in dims.columns if d not in (PERIODS, margin)]
    if len(others) > 1:
        raise raw.fail(f"a StatLine table with {len(others)} dimensions besides the periods and margins "
                       f"({', '.join(others)}): only one-way tables are read")  # fmt: skip
    other = others[0] if others else None
    periods = dims[PERIODS].map(parse_period)
    if periods.isna().any():
        bad = dims.loc[periods.isna(), PERIODS].iloc[0]
        raise raw.fail(f"period {str(bad)[:20]!r} in Perioden is not a year (2019, 2019JJ00) or quarter (2019KW02)")
    role = dims[margin].map(margin_role) if margin else pd.Series("value", index=dims.index)
    ids = pd.DataFrame({"period": dims[PERIODS], "other": dims[other] if other else ""})
    if shaped["keys"] is not None:
        ids["key"] = shaped["keys"]
    key_cols = list(ids.columns)
    values = frame[measures].apply(pd.to_numeric, errors="coerce")
    notes, warnings = [], []
    codes = values.isin(MISSING_CODES) | (values <= SENTINEL_LIMIT)
    if codes.any().any():
        found = sorted({f"{v:g}" for v in values[codes].stack()})
        notes.append(f"{int(codes.sum().sum())} cells hold a code for no figure ({', '.join(found)}): read as missing")
        values = values.mask(codes)
    keep = _check_rows(raw, pd.concat([ids.assign(role=role), values], axis=1), key_cols, margin, dims)
    if not keep.all():
        notes.append(f"{int((~keep).sum())} rows repeating another row with the same title and the same numbers "
                     "left out (CBS lists some groups under two keys)")  # fmt: skip
        ids, role, values, frame = ids[keep], role[keep], values[keep], frame[keep]
    unreadable = int((values.isna() & frame[measures].notna() & (frame[measures].astype("string") != "")).sum().sum())
    long = pd.concat([ids, role.rename("role"), values], axis=1).melt(
        id_vars=key_cols + ["role"], value_vars=measures, var_name="measure", value_name="number"
    )
    wide = long.pivot(index=key_cols + ["measure"], columns="role", values="number").reset_index()
    wide.columns.name = None
    order = {c: {v: i for i, v in enumerate(pd.unique(s))} for c, s in [("other", ids["other"]),
             ("period", ids["period"]), ("measure", pd.Series(measures))]}  # fmt: skip
    wide = wide.iloc[pd.DataFrame({c: wide[c].map(o) for c, o in order.items()}).sort_values(list(order)).index]
    for col in ("value", "lower", "upper", "margin"):
        if col not in wide:
            wide[col] = float("nan")
    if "margin" in set(role):
        wide["lower"], wide["upper"] = wide["value"] - wide["margin"], wide["value"] + wide["margin"]
        notes.append("95 % bounds: the value minus and plus the published (symmetric) margin")
    elif {"lower", "upper"} & set(role):
        both = wide[["value", "lower", "upper"]].dropna()
        inside = ((both["lower"] <= both["value"]) & (both["value"] <= both["upper"])).mean() if len(both) else 1.0
        if inside < 0.9:  # margin sizes, not bounds
            wide["lower"], wide["upper"] = wide["value"] - wide["lower"], wide["value"] + wide["upper"]
            notes.append(f"95 % bounds: the published lower and upper margins are sizes (the value lies between "
                         f"them in {inside:.0%} of the cells), taken from the value")  # fmt: skip
        else:
            notes.append(f"95 % bounds as published (the value lies between them in {inside:.1%} of the cells)")
    else:
        notes.append("no 95 % bounds or margins published: lower and upper are empty")
    empty = wide[["value", "lower", "upper"]].isna().all(axis=1)
    if empty.any():
        notes.append(f"{int(empty.sum()):,} cells without a value left out (a group, region or period without "
                     "this figure)")  # fmt: skip
        wide = wide.loc[~empty].reset_index(drop=True)
    if unreadable:
        warnings.append(
            FileWarning(f"{unreadable:,} cell(s) are not numbers; read as missing", WarningKind.NOT_NUMBERS)
        )
    return _finish(wide, shaped, other, ident, notes, warnings)


def _check_rows(raw: RawFile, rows: pd.DataFrame, key_cols: list, margin: str | None, dims: pd.DataFrame) -> pd.Series:
    """Which rows to keep.

    A row that repeats another's titles with the same numbers is left out; one with other numbers, or a bound or margin
    row without its value row, is an error.
    """
    repeated = rows.duplicated(subset=key_cols + ["role"], keep=False)
    if repeated.any():
        conflicting = ~rows[repeated].astype("string").fillna("").duplicated(subset=rows.columns, keep=False)
        if conflicting.any():
            first = dims.loc[conflicting[conflicting].index[0]]
            raise raw.fail(f"the row of {', '.join(str(v) for v in first)} occurs twice with different numbers")
    keep = ~rows.duplicated(subset=key_cols + ["role"])
    has_value = rows[rows["role"] == "value"].set_index(key_cols).index
    orphan = ~rows.set_index(key_cols).index.isin(has_value)
    if orphan.any():
        first = dims.loc[orphan].iloc[0]
        raise raw.fail(f"a {margin} row ({', '.join(str(v) for v in first)}) has no value row (Waarde)")
    return keep


def _finish(wide: pd.DataFrame, shaped: dict, other: str | None, ident: Identification, notes, warnings) -> Table:
    out = pd.DataFrame({"table_id": pd.Series(ident.variant, index=wide.index, dtype="string")})
    if other == REGIONS:
        out["region"] = wide["other"].astype("string")
        keys = wide["key"].tolist() if "key" in wide else [None] * len(wide)
        out["region_kind"] = pd.array([region_kind(t, k) for t, k in zip(out["region"], keys)], dtype="string")
        if "key" in wide:
            codes = wide["key"].where(out["region_kind"].isin(["gemeente", "land"]))
            out["region_code"] = codes.astype("string")
    elif other is not None:
        out["characteristic"] = wide["other"].astype("string")
        split = [split_characteristic(t) for t in out["characteristic"]]
        out["category"] = pd.array([c for c, _ in split], dtype="string")
        out["group"] = pd.array([g for _, g in split], dtype="string")
    parsed = [parse_period(p) for p in wide["period"]]
    out["period"] = wide["period"].astype("string")
    out["year"] = pd.array([y for y, _ in parsed], dtype="Int64")
    out["quarter"] = pd.array([q for _, q in parsed], dtype="Int64")
    out["measure"] = wide["measure"].astype("string")
    out["measure_title"] = wide["measure"].map(shaped["titles"]).astype("string")
    out["variable"] = wide["measure"].map(variables_of(ident.variant, shaped["measures"])).astype("string")
    for col in ("value", "lower", "upper"):
        out[col] = wide[col].astype("float64")
    mapped = {v: m for m, v in variables_of(ident.variant, shaped["measures"]).items()}
    order = [c for c in COLUMNS + ["region_code"] if c in out]
    return Table(out[order], warnings=warnings, mapped=mapped, notes=notes)


def variables_of(table_id: str | None, measures) -> dict[str, str]:
    """Measure -> canonical variable for a StatLine table.

    From the variable dictionary (source ``cbs-statline``, keyed by table id or ``"*"``).

    Parameters
    ----------
    table_id : str or None
        the table's id ("85541NED")
    measures : iterable of str
        the table's measure keys

    Returns
    -------
    dict
    """
    out = {}
    for name, spec in vardict.source_columns(SOURCE_KEY, table_id).items():
        present, _ = vardict.resolve(spec, measures)
        if present is not None and len(present) == 1:
            out.setdefault(present[0], name)
    return out


# --- linking gemeenten ---------------------------------------------------------------------------------------


def _name_key(name) -> str:
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return " ".join(text.replace("’", "'").lower().split())


def link_gemeenten(frame: pd.DataFrame, names: dict[int, pd.DataFrame]) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Give the gemeente rows of a StatLine table by region their CBS code (``region_code``).

    By name, from the gemeente names of the wave's year or, where those cannot be had, of the nearest year that can.

    Parameters
    ----------
    frame : DataFrame
        a StatLine table with ``region``, ``region_kind`` and ``year``
    names : dict
        year -> a table of gemeenten (``region_code``, ``region_name``) of that year's division

    Returns
    -------
    tuple
        ``(table, notes, unlinked)``: the table with ``region_code`` (GM codes; NL01 for the land row; empty for
        police units and other areas), notes per wave ("linked 55 of 55 gemeenten of 2021 (names of 2022)") and
        the names (with wave) that did not link
    """
    out = frame.copy()
    code = out["region_code"].copy() if "region_code" in out else pd.Series(pd.NA, index=out.index, dtype="string")
    code[out["region_kind"] == "land"] = "NL01"
    notes, unlinked = [], []
    is_gm = out["region_kind"] == "gemeente"
    if not names and is_gm.any():
        unlinked = sorted(
            {f"{region_name(r)} ({int(y)})" for r, y in zip(out.loc[is_gm, "region"], out.loc[is_gm, "year"])}
        )
        notes.append(
            "gemeenten not linked to CBS codes: no list of gemeente names (cbs-gemeenten, kwb) can be had here"
        )
        return out.assign(region_code=code.astype("string")), notes, unlinked
    for year in sorted(out.loc[is_gm, "year"].dropna().unique()):
        used = min(names, key=lambda y: (abs(y - int(year)), -y))
        table = names[used]
        exact = {_name_key(n): c for n, c in zip(table["region_name"], table["region_code"])}
        bare = {}
        for n, c in zip(table["region_name"], table["region_code"]):
            bare.setdefault(_name_key(re.sub(r"\s*\([^)]*\)$", "", str(n))), set()).add(c)
        rows = is_gm & (out["year"] == year) & code.isna()
        wave = out.loc[rows, "region"].map(region_name).drop_duplicates()
        found = {}
        for title, name in zip(out.loc[wave.index, "region"], wave):
            key = _name_key(name)
            hit = exact.get(key)
            if hit is None:
                stripped = bare.get(_name_key(re.sub(r"\s*\([^)]*\)$", "", name)), set())
                hit = next(iter(stripped)) if len(stripped) == 1 else None
            found[title] = hit
            if hit is None:
                unlinked.append(f"{name} ({int(year)})")
        code[rows] = out.loc[rows, "region"].map(found)
        notes.append(f"linked {sum(v is not None for v in found.values())} of {len(found)} gemeenten of the "
                     f"{int(year)} wave to CBS codes by name (gemeente names of {used})")  # fmt: skip
    out["region_code"] = code.astype("string")
    return out, notes, unlinked
