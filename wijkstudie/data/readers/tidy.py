"""Turn a source table into the canonical layout: identifiers, then dictionary variables, then the rest.

Readers hand over a frame whose identifier columns are already canonical (``region_code``, ``level``, ...)
and whose other columns carry the publisher's names. ``canonicalise`` maps those through the variable
dictionary, turns missing-value codes into NaN, counts suppressed cells per variable and derives the
variables the dictionary defines from others. Variables the dictionary expects from this source but the file
lacks are listed in ``Table.absent`` (and in the load report), not an error: a year's table may not have them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ...core.printable import excerpt
from .. import variables as vardict
from ..reports import FileWarning, WarningKind, as_warnings
from .numbers import numeric_or_text, parse


@dataclass
class Identification:
    """What a file is, read from its content (and, where the content does not say, from hints)."""

    format: str
    dataset: str
    source_key: str | None  # key in the variable dictionary
    year: int | None
    variant: str | None = None
    division: int | None = None
    years: tuple = ()  # for files that hold several years (Rotterdam Wijkprofiel, BBGA)
    year_from: str = ""  # how the year was found when the content does not state it (file name, caller, keys)


@dataclass
class Table:
    """A reader's result.

    The frame, and per variable the suppressed and unreadable cells, the source columns mapped and the ones absent, with
    the warnings, notes and alerts of the read (warnings and alerts as ``FileWarning`` records; a text given for one is
    a warning about the file as a whole).
    """

    frame: pd.DataFrame
    suppressed: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    mapped: dict = field(default_factory=dict)  # canonical name -> source column(s)
    absent: dict = field(default_factory=dict)  # canonical name -> what the dictionary looked for
    notes: list = field(default_factory=list)  # what the reader did that is worth knowing but not a problem
    unreadable: dict = field(default_factory=dict)  # canonical name -> cells that are not numbers nor codes
    alerts: list = field(default_factory=list)  # problems shown as a warning at every load (also in warnings)
    details: dict = field(default_factory=dict)  # a reader's structured records: {kind: records} (see Report.details)

    def __post_init__(self):
        self.warnings = as_warnings(self.warnings)
        self.alerts = as_warnings(self.alerts)


def canonicalise(frame: pd.DataFrame, id_columns: list[str], source_key: str, year: int | None) -> Table:
    """Map a frame's source columns to canonical variables (the mapping of ``source_key`` in ``year``).

    Missing-value codes become NaN and are counted per variable, derived variables are added, and the variables the
    dictionary expects from this source but the file lacks are listed.

    Parameters
    ----------
    frame : DataFrame
        identifier columns already canonical, the publisher's columns as named in the file
    id_columns : list of str
        the identifier columns to keep
    source_key : str
        the source's key in the variable dictionary
    year : int or None
        the year of the mapping

    Returns
    -------
    Table
    """
    mapping = vardict.source_columns(source_key, year)
    out = frame[id_columns].copy()
    suppressed: dict[str, int] = {}
    mapped: dict[str, str] = {}
    absent: dict[str, str] = {}
    notes: list[str] = []
    warnings: list[FileWarning] = []
    alerts: list[FileWarning] = []
    unreadable: dict[str, int] = {}
    used: set[str] = set()
    new = {}
    for name, spec in mapping.items():
        present, ambiguous = vardict.resolve(spec, frame.columns)
        if present is None:
            absent[name] = spec.describe()
            continue
        notes += [f"{name}: {n}" for n in ambiguous]
        parts, count, bad = [], 0, 0
        for col in present:
            parsed = parse(frame[col], vardict.number_kind(name))
            parts.append(parsed.values)
            count += parsed.suppressed
            bad += parsed.unreadable
            used.add(col)
            found = _number_warnings(name, col, parsed)
            warnings += found
            alerts += [w for w in found if w.kind is WarningKind.FRACTIONAL]
            bad += parsed.impossible
        total = parts[0] if len(parts) == 1 else pd.concat(parts, axis=1).sum(axis=1, min_count=len(parts))
        new[name] = (total * spec.scale).astype("float64")
        suppressed[name] = count
        unreadable[name] = bad
        mapped[name] = " + ".join(present) + (f" (x {spec.scale:g})" if spec.scale != 1 else "")
    if new:
        out = pd.concat([out, pd.DataFrame(new, index=frame.index)], axis=1)
    derived = vardict.derive(out)
    for name in derived:
        mapped[name] = vardict.derivation_text(name, out.columns)
        suppressed[name] = 0
        absent.pop(name, None)
    extras = {}
    for col in frame.columns:
        if col in used or col in id_columns or col in out.columns:
            continue
        extras[col] = numeric_or_text(frame[col])
    if extras:
        out = pd.concat([out, pd.DataFrame(extras, index=frame.index)], axis=1)
    out = out[vardict.canonical_order(list(out.columns))]
    ranged = _range_warnings(out)
    warnings += ranged
    # one warning at every load sums up the impossible values read from the file (each is in the report); a share
    # derived from counts CBS rounds to fives (150% of a buurt of 10 residents) is in the report only
    impossible = [w for w in warnings if w.kind is WarningKind.IMPOSSIBLE] + [
        w for w in ranged if not set(w.variables) & set(derived)
    ]
    if impossible:
        text = f"impossible values (misread or damaged cells?): {'; '.join(map(str, impossible))}"
        alerts.append(FileWarning(text, WarningKind.IMPOSSIBLE, variables=[v for w in impossible for v in w.variables]))
    return Table(out.reset_index(drop=True), suppressed, warnings, mapped, absent, notes, unreadable, alerts)


def _number_warnings(name: str, column: str, parsed) -> list[FileWarning]:
    out = []
    if parsed.unreadable:
        text = (
            f"{name}: {parsed.unreadable} cell(s) of {excerpt(column, 40)!r} are not numbers (e.g. "
            f"{', '.join(repr(excerpt(e, 30)) for e in parsed.examples)}); read as missing"
        )
        out.append(FileWarning(text, WarningKind.NOT_NUMBERS, variables=[name]))
    if parsed.impossible:
        text = (
            f"{name}: {parsed.impossible} cell(s) of {excerpt(column, 40)!r} are infinite or beyond any possible value "
            f"(e.g. {', '.join(parsed.impossible_examples)}); read as missing"
        )
        out.append(FileWarning(text, WarningKind.IMPOSSIBLE, variables=[name]))
    if parsed.fractional:
        text = (
            f"{name}: {parsed.fractional} count(s) in {column!r} have a fractional part (counts are whole "
            "numbers: a misread decimal or thousands separator?)"
        )
        out.append(FileWarning(text, WarningKind.FRACTIONAL, variables=[name]))
    return out


def _range_warnings(frame: pd.DataFrame) -> list[FileWarning]:
    """Values a variable cannot take (a percentage above 100, a negative count): misread or damaged cells."""
    out = []
    for name in frame.columns:
        bounds = vardict.range_of(name) if name in vardict.variables() else None
        if bounds is None or not pd.api.types.is_numeric_dtype(frame[name]):
            continue
        outside = frame[name][(frame[name] < bounds[0]) | (frame[name] > bounds[1])]
        if len(outside):
            text = (
                f"{name}: {len(outside)} value(s) outside {bounds[0]:g}-{bounds[1]:g} (e.g. "
                f"{outside.iloc[0]:g}); check the file"
            )
            out.append(FileWarning(text, WarningKind.OUT_OF_RANGE, variables=[name]))
    return out


def finish(table: Table, ident: Identification) -> Table:
    """Add ``year`` and ``division_year`` where the reader did not, and sort the rows by level and code.

    Parameters
    ----------
    table : Table
        a reader's result
    ident : Identification
        what the file is

    Returns
    -------
    Table
    """
    frame = table.frame
    if "year" not in frame and ident.year is not None:
        frame.insert(0, "year", ident.year)
    if "division_year" not in frame and ident.division is not None and "region_code" in frame:
        frame.insert(0, "division_year", ident.division)
    if "year" in frame:
        frame["year"] = frame["year"].astype("Int64")
    if "division_year" in frame:
        frame["division_year"] = frame["division_year"].astype("Int64")
    for col in ("region_code", "region_name", "level", "gemeente_code", "gemeente_name", "age_group"):
        if col in frame:
            frame[col] = frame[col].astype("string")
    table.frame = frame[vardict.canonical_order(list(frame.columns))]
    return table
