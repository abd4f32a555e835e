"""Amsterdam Basisbestand Gebieden (BBGA): the long data file and its variable metadata.

Data: ``jaar, gebiedcode15, variabele, waarde`` (separator and encoding vary by edition). The edition year
is the latest year with registered (not forecast) population; later rows are forecasts and are dropped.
Areas: ``STAD`` = the city (GM0363), ``DXnn`` = the 22 gebieden, ``ZX99`` = addresses not assigned to an area.
"""

from __future__ import annotations

import re

import pandas as pd

from ..reports import FileWarning
from .common import require_layout_columns
from .rawfile import RawFile
from .tidy import Identification, Table, canonicalise

FORMATS = ("bbga-long", "bbga-metadata")
DATA_COLUMNS = ["jaar", "gebiedcode15", "variabele", "waarde"]
META_COLUMNS = ["Variabele", "Label", "Definitie"]
AMSTERDAM = "GM0363"
META_RENAME = {
    "Variabele": "variable",
    "Label": "label",
    "Labelkort": "label_short",
    "Definitie": "definition",
    "Bron": "source",
    "Peildatum": "reference_date",
    "THEMA": "theme",
    "Symbool": "unit",
    "Verschijningsfrequentie": "frequency",
    "Begrotingsprogramma": "programme",
}


def check(raw: RawFile, fmt: str) -> None:
    """Raise a precise one-line error when a file that should be a BBGA file.

    (the long data CSV, or the metadata CSV) lacks what makes one.

    Parameters
    ----------
    raw : RawFile
        the opened file
    fmt : str
        the format the catalogue expects (bbga-long, bbga-metadata)

    Returns
    -------
    None

    Raises
    ------
    DataFormatError
        naming the file and what it lacks (its kind, its key columns).
    """
    if raw.kind != "csv":
        raise raw.fail(f"not a BBGA CSV: a {raw.kind} file")
    required = DATA_COLUMNS if fmt == "bbga-long" else META_COLUMNS
    require_layout_columns(
        raw,
        [c.lower() if fmt == "bbga-long" else c for c in raw.csv_header],
        required,
        "BBGA " + ("data file" if fmt == "bbga-long" else "metadata file"),
    )


def recognise(raw: RawFile, hints=None) -> Identification | None:
    """Whether a file is a BBGA file (the long data CSV, or the metadata CSV).

    The reader protocol (arguments, result, errors): :mod:`wijkstudie.data.readers`.
    """
    if raw.kind != "csv":
        return None
    header = raw.csv_header
    if all(c in [h.lower() for h in header] for c in DATA_COLUMNS):
        edition = _edition(_data(raw))
        return Identification("bbga-long", "amsterdam-bbga", "amsterdam-bbga", edition, "data", None)
    if all(c in header for c in META_COLUMNS):
        variables = raw.csv_frame()["Variabele"].dropna().astype(str)
        years = [int(y) for v in variables for y in re.findall(r"PROG(\d{4})", v)]
        return Identification("bbga-metadata", "amsterdam-bbga", None, max(years) if years else None, "metadata")
    return None


def _data(raw: RawFile) -> pd.DataFrame:
    if "data" not in raw._sheets:
        frame = raw.csv_frame()
        frame.columns = [c.lower().strip() for c in frame.columns]
        frame["jaar"] = pd.to_numeric(frame["jaar"], errors="coerce").astype("Int64")
        frame["waarde"] = pd.to_numeric(frame["waarde"].str.replace(",", ".", regex=False), errors="coerce")
        raw._sheets["data"] = frame
    return raw._sheets["data"]


def _edition(frame: pd.DataFrame) -> int:
    registered = frame[(frame["variabele"] == "BEVTOTAAL") & frame["waarde"].notna()]
    return int(registered["jaar"].max() if len(registered) else frame["jaar"].max())


def read(raw: RawFile, ident: Identification) -> Table:
    """The canonical table of a BBGA file (the long data CSV, or the metadata CSV).

    The reader protocol (arguments, result, errors): :mod:`wijkstudie.data.readers`.
    """
    if ident.format == "bbga-metadata":
        frame = raw.csv_frame().rename(columns=META_RENAME)
        frame = frame.loc[:, ~frame.columns.str.startswith("Unnamed")]
        return Table(frame.dropna(subset=["variable"]).reset_index(drop=True))
    data = _data(raw)
    data = data[(data["jaar"] <= ident.year) & ~data["variabele"].str.contains("_PROG", na=False)]
    wide = data.pivot_table(
        index=["gebiedcode15", "jaar"], columns="variabele", values="waarde", aggfunc="first", dropna=False
    ).reset_index()
    wide.columns.name = None
    area = wide["gebiedcode15"].astype("string")
    is_city = area == "STAD"
    ids = pd.DataFrame(
        {
            "year": wide["jaar"].astype("Int64"),
            "region_code": area.where(~is_city, AMSTERDAM),
            "region_name": pd.Series(pd.NA, index=wide.index, dtype="string").where(~is_city, "Amsterdam"),
            "level": pd.Series("gebied", index=wide.index, dtype="string").where(~is_city, "gemeente"),
            "gemeente_code": pd.Series(AMSTERDAM, index=wide.index, dtype="string"),
            "gemeente_name": pd.Series("Amsterdam", index=wide.index, dtype="string"),
        }
    )
    ids.loc[area == "ZX99", "region_name"] = "niet toe te delen"
    body = wide.drop(columns=["gebiedcode15", "jaar"])
    table = canonicalise(ids.join(body), list(ids.columns), ident.source_key, ident.year)
    n_missing = int(data["waarde"].isna().sum())
    table.warnings.append(
        FileWarning(f"{n_missing} empty values in the long file (not published for that area and year)")
    )
    return table
