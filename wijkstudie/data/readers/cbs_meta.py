"""CBS open-data table metadata: ``DataProperties`` (the codebook) and ``TableInfos`` (the description)."""

from __future__ import annotations

import pandas as pd

from .rawfile import RawFile
from .tidy import Identification, Table

FORMATS = ("cbs-odata-properties", "cbs-odata-tableinfo")


def _entries(raw: RawFile):
    data = raw.json
    return data.get("value", data) if isinstance(data, dict) else data


def check(raw: RawFile, fmt: str) -> None:
    """Raise a precise one-line error when a file that should be a CBS codebook.

    (OData DataProperties or TableInfos JSON of the KWB table) lacks what makes one.

    Parameters
    ----------
    raw : RawFile
        the opened file
    fmt : str
        the format the catalogue expects (cbs-odata-properties, cbs-odata-tableinfo)

    Returns
    -------
    None

    Raises
    ------
    DataFormatError
        naming the file and what it lacks (its kind, its key columns).
    """
    ident = recognise(raw) if raw.kind == "json" else None
    if ident is None or ident.format != fmt:
        raise raw.fail(
            f"not a CBS open-data {'DataProperties' if fmt.endswith('properties') else 'TableInfos'} JSON file"
        )


def recognise(raw: RawFile, hints=None) -> Identification | None:
    """Whether a file is a CBS codebook (OData DataProperties or TableInfos JSON of the KWB table).

    The reader protocol (arguments, result, errors): :mod:`wijkstudie.data.readers`.
    """
    if raw.kind != "json" or raw.head_text.lstrip().startswith('{"type"'):
        return None
    entries = _entries(raw)
    if not isinstance(entries, list) or not entries or not isinstance(entries[0], dict):
        return None
    first = entries[0]
    if "Type" in first and "Key" in first:
        years = [e.get("MapYear") for e in entries if e.get("MapYear")]
        keys = {e.get("Key", "") for e in entries}
        if not any(str(k).startswith("AantalInwoners") for k in keys):
            raise raw.fail("a CBS codebook of a table other than Kerncijfers wijken en buurten")
        return Identification(
            "cbs-odata-properties", "kwb-codebook", None, int(years[0]) if years else None, "properties"
        )
    if "Identifier" in first and "Period" in first:
        period = str(first["Period"])[:4]
        return Identification(
            "cbs-odata-tableinfo", "kwb-codebook", None, int(period) if period.isdigit() else None, "tableinfo"
        )
    return None


def read(raw: RawFile, ident: Identification) -> Table:
    """The canonical table of a CBS codebook (OData DataProperties or TableInfos JSON of the KWB table).

    The reader protocol (arguments, result, errors): :mod:`wijkstudie.data.readers`.
    """
    entries = _entries(raw)
    if ident.format == "cbs-odata-tableinfo":
        frame = pd.DataFrame(entries)
        return Table(
            frame[
                [c for c in ("Identifier", "Title", "Period", "Modified", "Summary", "Frequency") if c in frame]
            ].rename(columns=str.lower)
        )
    groups = {e["ID"]: e.get("Title") for e in entries if e.get("Type") == "TopicGroup"}
    rows = [
        {
            "key": e.get("Key"),
            "title": e.get("Title"),
            "type": e.get("Type"),
            "unit": e.get("Unit"),
            "datatype": e.get("Datatype"),
            "decimals": e.get("Decimals"),
            "group": groups.get(e.get("ParentID")),
            "description": " ".join(str(e.get("Description") or "").split()),
        }
        for e in entries
        if e.get("Type") != "TopicGroup"
    ]
    return Table(pd.DataFrame(rows))
