"""Provenance: where the numbers of a table come from, as one small record that travels with the table.

A ``Provenance`` says what kind of data a table holds (``real``, ``synthetic`` or ``unknown``), which sources
(dataset, year, regional division, file and content hash) and which levels. It is made in one place, when a
file is read (``from_file``: synthetic when the file carries wijkstudie's synthetic mark in its own content
(``file_mark``), wherever it lies; else the kind of the mirror's manifest; real otherwise), and kept in
``DataFrame.attrs["provenance"]``. pandas keeps ``attrs`` through copies, column selections, filters,
``groupby`` aggregations and through ``merge``/``concat`` of tables whose provenance is the same; where it drops
them (a ``merge`` of two tables with different provenance) the table has no provenance, and
``provenance_of`` then says **unknown**, never real. ``wijkstudie.join_regions`` and ``combine`` join the
records of the tables they are given.

Models, finding tests, figure captions (``wijkstudie.plotting.source_caption``) and the scorecard read the
record: a number of unknown provenance is
never counted as evidence about real neighbourhoods.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .errors import ArgumentError

KINDS = ("real", "synthetic", "unknown")
MANIFEST = "wijkstudie-mirror.json"  # marks a mirror folder; {"data_kind": "synthetic", ...}
ATTR = "provenance"
# The synthetic mark every file of the synthetic mirror carries in its own content (synthetic/mirror_writer.py):
SYNTHETIC_MARK = "wijkstudie-synthetic"  # a workbook's keywords (docProps/core.xml)
CSV_MARK_LINE = "# wijkstudie-synthetic:"  # the first line of a CSV (readers skip it)
JSON_MARK_KEY = "wijkstudie_data_kind"  # a member of a GeoJSON's top-level object, a key of a YAML file
_MARK_BYTES = 4096


@dataclass(frozen=True)
class Source:
    """One file a table was made from."""

    dataset: str
    year: int | None = None
    division: int | None = None
    file: str = ""
    sha256: str = ""
    variant: str | None = None  # the catalogue variant (age group, workbook, context sheet, ...)
    variables: tuple = field(default=(), repr=False)  # the canonical variables this file gave the table
    # how the file measured them, stamped from the catalogue when it is read (data/evidence.py), so that models,
    # which may not import the data layer, can tell a model-based estimate from a measured figure:
    measured: dict = field(default_factory=dict, repr=False, compare=False)  # variable -> measurement kind
    concepts: dict = field(default_factory=dict, repr=False, compare=False)  # variable -> concept (variables.yaml)
    model: dict = field(default_factory=dict, repr=False, compare=False)  # the measurement model of model-based ones

    def label(self) -> str:
        """The source in words: ``"kwb 2022"``.

        Returns
        -------
        str
        """
        return f"{self.dataset} {self.year}" if self.year is not None else self.dataset


class Record(dict):
    """A provenance record as a table keeps it in ``attrs``.

    A dict of plain data that cannot be changed, so that pandas, which deep-copies ``attrs`` at nearly every step,
    shares it instead (``copy.deepcopy`` returns it itself), and the ``Provenance`` it holds is read once (``parsed``).
    A table gets another record with ``attach``, never by editing this one; ``dict(record)`` is an ordinary dict.

    Parameters
    ----------
    data : dict
        the record (``Provenance.to_dict``)
    parsed : Provenance, optional
        the record it was made from, when known
    """

    __slots__ = ("_parsed",)

    def __init__(self, data=(), *, parsed: Provenance | None = None):
        super().__init__(data)
        self._parsed = parsed

    def parsed(self) -> Provenance:
        """The record as a ``Provenance`` (read once).

        Returns
        -------
        Provenance
        """
        if self._parsed is None:
            self._parsed = Provenance.from_dict(self)
        return self._parsed

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self

    def __reduce__(self):
        return (type(self), (dict(self),))

    def _read_only(self, *args, **kwargs):
        raise TypeError("a provenance record cannot be changed: attach a new one (wijkstudie.core.provenance.attach)")

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only


@dataclass(frozen=True)
class Provenance:
    """Where the numbers of a table come from: the kind of data, the sources and the levels (see the module docstring).

    Made when a file is read, carried by ``join_regions``, ``harmonise`` and the models.

    Parameters
    ----------
    kind : str
        ``"real"``, ``"synthetic"`` or ``"unknown"``
    sources : tuple of Source
        the files the table was made from (dataset, year, division, file, content hash, variant, variables)
    levels : tuple of str
        the levels the table holds
    note : str
        what to know about data that are not real (e.g. how a synthetic mirror was made)

    Raises
    ------
    ArgumentError
        for another kind.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> record = ws.provenance_of(ws.load("kwb", year=2022))  # doctest: +SKIP
    >>> record.kind, record.source_text()  # doctest: +SKIP
    ('real', 'kwb 2022')
    """

    kind: str
    sources: tuple = ()
    levels: tuple = ()
    note: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ArgumentError(f"provenance: kind must be one of {', '.join(KINDS)}, not {self.kind!r}")

    @property
    def is_real(self) -> bool:
        """Whether every number comes from real data."""
        return self.kind == "real"

    def source_text(self) -> str:
        """``kwb 2022, rivm-gezondheid 2020`` (unknown provenance: ``unknown``).

        Returns
        -------
        str
        """
        labels = dict.fromkeys(s.label() for s in self.sources)  # two files of one dataset and year: named once
        return ", ".join(labels) or ("unknown" if self.kind == "unknown" else "")

    def years(self) -> list[int]:
        """The reference years of the sources, in order.

        Returns
        -------
        list of int
        """
        return sorted({s.year for s in self.sources if s.year is not None})

    def divisions(self) -> list[int]:
        """The regional divisions of the sources, in order.

        Returns
        -------
        list of int
        """
        return sorted({s.division for s in self.sources if s.division is not None})

    def model_estimates(self) -> list[str]:
        """What kind of model-based estimate some of the table's figures are.

        Once each (``"RIVM/CBS small-area estimate"``), from the measurement model the catalogue names for a source
        (``Source.model["label"]``).

        Returns
        -------
        list of str
            empty when no source holds a model-based figure
        """
        return list(dict.fromkeys(s.model.get("label", "") for s in self.sources if s.model.get("label")))

    def describe(self) -> str:
        """One line: ``real data: kwb 2022 (division 2022)`` / ``SYNTHETIC data: ...`` / ``UNKNOWN provenance``.

        With ``; includes a RIVM/CBS small-area estimate`` where a source of real data holds model-based figures.

        Returns
        -------
        str
        """
        estimates = self.model_estimates() if self.kind == "real" else []  # a synthetic stand-in estimated nothing
        return self._describe() + (f"; includes a {', a '.join(estimates)}" if estimates else "")

    def _describe(self) -> str:
        if self.kind == "unknown":
            return (
                "UNKNOWN provenance"
                + (f" ({self.note})" if self.note else "")
                + (f": {self.source_text()}" if self.sources else "")
            )
        head = "SYNTHETIC data" if self.kind == "synthetic" else "real data"
        divisions = self.divisions()
        return f"{head}: {self.source_text()}" + (f" (division {', '.join(map(str, divisions))})" if divisions else "")

    def with_levels(self, levels) -> Provenance:
        """The same record for a table that holds these levels.

        Parameters
        ----------
        levels : iterable of str
            the levels

        Returns
        -------
        Provenance
        """
        return Provenance(self.kind, self.sources, tuple(sorted(set(levels))), self.note)

    def to_dict(self) -> dict:
        """The record as plain data (what a table keeps in ``attrs["provenance"]``).

        Returns
        -------
        Record
            a read-only dict (plain data: JSON writes it as it is)
        """
        return Record(
            {
                "kind": self.kind,
                "sources": [{**vars(s), "variables": list(s.variables)} for s in self.sources],
                "levels": list(self.levels),
                "note": self.note,
            },
            parsed=self,
        )

    @classmethod
    def from_dict(cls, data: dict) -> Provenance:
        """The record from its plain data (``to_dict``).

        Parameters
        ----------
        data : dict
            as ``to_dict`` makes it

        Returns
        -------
        Provenance
        """
        sources = tuple(Source(**{**s, "variables": tuple(s.get("variables", ()))}) for s in data.get("sources", []))
        return cls(data["kind"], sources, tuple(data.get("levels", [])), data.get("note", ""))

    def source_of(self, variable: str) -> Source | None:
        """The source that gave a table a variable (the last one read, when several did).

        Parameters
        ----------
        variable : str
            a canonical variable

        Returns
        -------
        Source or None
        """
        found = [s for s in self.sources if variable in s.variables]
        return found[-1] if found else None


UNKNOWN = Provenance(
    "unknown",
    note="the table carries no provenance: made outside wijkstudie, or an operation "
    "such as a merge of tables with different provenance dropped it",
)


def combine(*provenances: Provenance) -> Provenance:
    """The provenance of a table made from several.

    Unknown if any part is unknown, else synthetic if any part is synthetic, real only when every part is real; the
    sources and levels of all.

    Parameters
    ----------
    *provenances : Provenance
        the records of the parts

    Returns
    -------
    Provenance
        ``UNKNOWN`` for no parts
    """
    if not provenances:
        return UNKNOWN
    kinds = {p.kind for p in provenances}
    kind = "unknown" if "unknown" in kinds else "synthetic" if "synthetic" in kinds else "real"
    sources: list[Source] = []
    for p in provenances:
        sources += [s for s in p.sources if s not in sources]
    levels = sorted({lv for p in provenances for lv in p.levels})
    notes = "; ".join(dict.fromkeys(p.note for p in provenances if p.note and p.kind != "real"))
    return Provenance(kind, tuple(sources), tuple(levels), notes)


def provenance_of(table) -> Provenance:
    """The provenance of a table: what kind of data it holds and which files it comes from.

    Parameters
    ----------
    table : DataFrame, ModelResult or Provenance
        anything that carries a provenance record

    Returns
    -------
    Provenance
        kind (``real``, ``synthetic`` or ``unknown``), sources, levels; ``UNKNOWN`` when the table carries none
        (made outside wijkstudie, or a pandas operation dropped it): never real by default.

    Examples
    --------
    >>> import pandas as pd
    >>> import wijkstudie as ws
    >>> ws.provenance_of(pd.DataFrame()).kind
    'unknown'
    >>> print(ws.provenance_of(ws.load("kwb", year=2022)).describe())  # doctest: +SKIP
    """
    if isinstance(table, Provenance):
        return table
    found = getattr(table, "provenance", None)
    if isinstance(found, Provenance):
        return found
    data = getattr(table, "attrs", {}).get(ATTR) if hasattr(table, "attrs") else None
    if isinstance(data, Record):
        return data.parsed()
    return Provenance.from_dict(data) if data else UNKNOWN


def attach(table: pd.DataFrame, provenance: Provenance) -> pd.DataFrame:
    """Set the provenance of a table, in place.

    Parameters
    ----------
    table : DataFrame
        the table
    provenance : Provenance
        its record

    Returns
    -------
    DataFrame
        the table
    """
    table.attrs[ATTR] = provenance.to_dict()
    return table


def carry(result: pd.DataFrame, *inputs) -> pd.DataFrame:
    """Give ``result`` the combined provenance of the tables it was made from.

    (for code that merges or concats with pandas directly).

    Parameters
    ----------
    result : DataFrame
        the table made
    *inputs : DataFrame
        the tables it was made from

    Returns
    -------
    DataFrame
        ``result``, with the combined record (and its own levels)

    Examples
    --------
    >>> import pandas as pd
    >>> from wijkstudie.core.provenance import carry
    >>> merged = carry(kwb.merge(rivm, on="region_code"), kwb, rivm)  # doctest: +SKIP
    """
    provenance = combine(*(provenance_of(t) for t in inputs))
    if "level" in getattr(result, "columns", ()):
        provenance = provenance.with_levels(result["level"].dropna().astype(str).unique())
    return attach(result, provenance)


# --- from files ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _manifest_of(folder: Path) -> dict | None:
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"data_kind": "unknown", "problem": f"{path} is not readable JSON"}
    return data if isinstance(data, dict) else {"data_kind": "unknown", "problem": f"{path} is not a JSON object"}


def mirror_manifest(path: Path) -> dict | None:
    """The wijkstudie manifest of the mirror a file lies in (searched up to four folders up).

    Parameters
    ----------
    path : Path
        a file

    Returns
    -------
    dict or None
        the manifest (``{"data_kind": "synthetic", ...}``), or None outside a marked mirror
    """
    folder = Path(path).resolve().parent
    for _ in range(5):
        found = _manifest_of(folder)
        if found is not None:
            return found
        if folder.parent == folder:
            break
        folder = folder.parent
    return None


def file_mark(path: Path) -> str | None:
    """The kind of data a file says it holds in its own content.

    ``"synthetic"`` for a file of wijkstudie's synthetic world (a workbook whose keywords hold ``wijkstudie-synthetic``,
    a CSV whose first line is ``# wijkstudie-synthetic: ...``, a GeoJSON or YAML file with ``wijkstudie_data_kind:
    synthetic`` near its top), None for any other file. Reads at most a few kilobytes.

    Parameters
    ----------
    path : Path
        a file

    Returns
    -------
    str or None
    """
    import re
    import zipfile

    try:
        with open(path, "rb") as fh:
            head = fh.read(_MARK_BYTES)
        if head.startswith(b"PK\x03\x04"):
            with zipfile.ZipFile(path) as archive, archive.open("docProps/core.xml") as fh:
                return "synthetic" if SYNTHETIC_MARK.encode() in fh.read(65536) else None
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, RuntimeError):
        return None
    text = head.lstrip(b"\xef\xbb\xbf")
    if text.startswith(CSV_MARK_LINE.encode()):
        return "synthetic"
    key = JSON_MARK_KEY.encode()
    if re.search(rb'"' + key + rb'"\s*:\s*"synthetic"|^' + key + rb":\s*synthetic\s*$", text, re.MULTILINE):
        return "synthetic"
    return None


INPUT_EVENT = "wijkstudie.input"  # the audit event (PEP 578) that names a file a result depends on


def announce_input(path, dataset: str | None = None, year: int | None = None) -> None:
    """Say, through Python's audit events (``sys.audit``, PEP 578).

    That a file is an input of what this process computes, whether or not its bytes are read here: a data file read by C
    code (GDAL, Arrow), or stood in for by a cached table. The event is ``wijkstudie.input`` with the absolute path
    (links not followed: in a mirror of links, git-annex or DataLad, a link that names another file later is a changed
    input, and the file keeps its own name), the catalogue dataset and the year; a process with no audit hook pays
    nothing. Whoever runs the process (e.g. a notebook runner) can listen.

    Parameters
    ----------
    path : str or Path
        the file
    dataset : str, optional
        the catalogue dataset it belongs to
    year : int, optional
        its reference year

    Returns
    -------
    None
    """
    sys.audit(INPUT_EVENT, os.path.abspath(path), dataset, year)


def from_file(
    path: Path,
    dataset: str,
    year: int | None,
    division: int | None,
    sha256: str,
    levels=(),
    variant: str | None = None,
    variables=(),
    *,
    measured: dict | None = None,
    concepts: dict | None = None,
    model: dict | None = None,
    content_kind: str | None = None,
) -> Provenance:
    """The provenance of a file as it is read (the one place a record is made).

    Synthetic when the file carries the synthetic mark in its own content (``file_mark``), or its table is recognised as
    the synthetic world's by ``content_kind``, wherever it lies and with or without a manifest; else synthetic or
    unknown when the mirror it lies in says so in its manifest; real otherwise (a file of a publisher, or a copy of
    one).

    Parameters
    ----------
    path : Path
        the file
    dataset : str
        the catalogue dataset it belongs to
    year, division : int or None
        its reference year and regional division
    sha256 : str
        its content hash (shortened)
    levels : iterable of str
        the levels its table holds
    variant : str, optional
        the catalogue variant (age group, workbook, ...)
    variables : iterable of str
        the canonical variables it gives the table
    measured, concepts : dict, optional
        variable -> measurement kind, and variable -> concept (from the catalogue and variables.yaml)
    model : dict, optional
        the measurement model of its model-based variables (key, name, label, predictors)
    content_kind : str, optional
        ``"synthetic"`` when the table read from the file is recognised as the synthetic world's by its content

    Returns
    -------
    Provenance
    """
    announce_input(path, dataset, int(year) if year is not None else None)
    manifest = mirror_manifest(path) or {}
    kind = manifest.get("data_kind", "real")
    kind = kind if kind in KINDS else "unknown"
    note = manifest.get("problem", "") or (
        f"synthetic world ({manifest.get('description', '')})" if kind == "synthetic" else ""
    )
    if kind != "synthetic" and file_mark(path) == "synthetic":  # the mark inside the file wins
        kind, note = "synthetic", "synthetic world (marked in the file itself)"
    elif kind != "synthetic" and content_kind == "synthetic":  # and so does the content
        kind, note = "synthetic", "synthetic world (recognised by its content: the synthetic world's area names)"
    source = Source(
        dataset,
        int(year) if year is not None else None,
        int(division) if division is not None else None,
        Path(path).name,
        sha256,
        variant,
        tuple(variables),
        dict(measured or {}),
        dict(concepts or {}),
        dict(model or {}),
    )
    return Provenance(kind, (source,), tuple(sorted(set(levels))), note if kind != "real" else "")
