"""The report of a table.

What a load produced (source, year, division, rows per level, filled and suppressed cells per variable, what the file
lacks, warnings), how the table was harmonised and what it was joined with, kept with the table and read with
``report(table)``.

A table keeps its report in ``attrs``: the load report and its harmonisation under ``attrs["wijkstudie"]``, the
joins under ``attrs["join_reports"]`` (a list, the one key every part of the package uses for joins), all as
plain data that survives copies and Parquet files.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum

import pandas as pd

from ..core.errors import MissingRecordError, WijkstudieWarning  # noqa: F401 (defined in core, for every layer)

LEVELS = ("land", "gemeente", "wijk", "buurt", "gebied")
ATTR = "wijkstudie"  # attrs key of the load report (with its harmonisation)
JOINS = "join_reports"  # attrs key of the joins, in the order they were made
EXAMPLES = 5  # unmatched codes shown per level in a join report
_LEVEL_OF_CODE = {"NL": "land", "GM": "gemeente", "WK": "wijk", "BU": "buurt"}


class WarningKind(StrEnum):
    """What a load warning is about, for the code that routes it (the text is for the reader only)."""

    FILE = "file"  # about the file as a whole, a column or a number format
    EMPTY_ROWS = "empty-rows"  # areas with a region code but no value of any variable
    EMPTY_EVERYWHERE = "empty-everywhere"  # variables empty at every level
    EMPTY_AT_LEVEL = "empty-at-level"  # a variable empty for every area of one level
    INCOMPLETE = "incomplete"  # fewer areas of a level than the division holds
    SURPLUS = "surplus"  # more areas of a level than the division holds
    NOT_NUMBERS = "not-numbers"  # cells of a column that are not numbers
    IMPOSSIBLE = "impossible"  # cells beyond any possible value
    FRACTIONAL = "fractional"  # counts with a fractional part
    OUT_OF_RANGE = "out-of-range"  # values a variable cannot take
    LINKED = "linked"  # areas linked to CBS codes by name
    NOT_LINKED = "not-linked"  # rows that could not be linked to a CBS code


@dataclass(frozen=True)
class FileWarning:
    """One warning of a load.

    The sentence for the reader and the facts code reads (which level's areas it counts, which region codes it names,
    which wave of a file with several it is about).

    Parameters
    ----------
    text : str
        the sentence (without the wave and the hint)
    kind : WarningKind or str
        what it is about
    level : str, optional
        the level whose areas it counts (``"buurt"``); None for a warning that counts no level's areas
    codes : tuple of str
        the region codes it names
    variables : tuple of str
        the variables it is about
    wave : int, optional
        the wave (year) of a file with several waves it is about
    hint : str
        a clause about the file as a whole added to the sentence (the first-release hint), which a load may replace

    Examples
    --------
    >>> from wijkstudie.data.reports import FileWarning
    >>> w = FileWarning("2 of the 3 wijken of division 2022 are missing", "incomplete", level="wijk")
    >>> w.about("wijk"), w.about("buurt"), str(w)
    (True, False, '2 of the 3 wijken of division 2022 are missing')
    """

    text: str
    kind: WarningKind = WarningKind.FILE
    level: str | None = None
    codes: tuple = ()
    variables: tuple = ()
    wave: int | None = None
    hint: str = ""

    def __post_init__(self):
        object.__setattr__(self, "kind", WarningKind(self.kind))
        object.__setattr__(self, "codes", tuple(self.codes))
        object.__setattr__(self, "variables", tuple(self.variables))

    def __str__(self) -> str:
        return (f"{self.wave}: " if self.wave is not None else "") + self.text + self.hint

    def about(self, level: str) -> bool:
        """Whether the warning holds for the rows of one level.

        One that counts a level's areas when it is that level; one that names region codes when one of them is of that
        level; any other (about the file as a whole, a column, a number format) always.

        Parameters
        ----------
        level : str
            the level that was loaded

        Returns
        -------
        bool
        """
        if self.level is not None:
            return self.level == level
        if self.codes:
            return any(_LEVEL_OF_CODE.get(str(c)[:2]) == level for c in self.codes)
        return True

    def in_wave(self, wave: int) -> FileWarning:
        """The warning as one about a wave of a file with several waves.

        Parameters
        ----------
        wave : int
            the wave's year

        Returns
        -------
        FileWarning
        """
        return replace(self, wave=int(wave))

    def to_dict(self) -> dict:
        """The warning as plain data (``FileWarning(**d)`` makes it again).

        Returns
        -------
        dict
        """
        return dict(asdict(self), kind=self.kind.value, codes=list(self.codes), variables=list(self.variables))


def as_warnings(items) -> list[FileWarning]:
    """Warnings from their records.

    Their plain data (a cache entry, a table's ``attrs``) or, for a report made by an older version, their text (then
    about the file as a whole).

    Parameters
    ----------
    items : iterable of FileWarning, dict or str

    Returns
    -------
    list of FileWarning
    """
    out = []
    for item in items or ():
        if isinstance(item, FileWarning):
            out.append(item)
        elif isinstance(item, dict):
            out.append(FileWarning(**{k: v for k, v in item.items() if k in _WARNING_FIELDS}))
        else:
            out.append(FileWarning(str(item)))
    return out


@dataclass
class JoinReport:
    """Matched and unmatched regions per level of a join, with examples of the unmatched codes.

    Parameters
    ----------
    left_name, right_name : str
        the two tables, by their sources (``"cbs-wijken 2024"``, ``"kwb 2022"``)
    rows : list of dict
        per level: ``level``, ``matched``, ``left_only``, ``right_only``, ``left_examples``, ``right_examples``
    notes : list of str
        what else the join did or saw: a table harmonised first, divisions or years that differ, columns left out

    Examples
    --------
    >>> import wijkstudie as ws
    >>> joined, matches = ws.join_regions(kwb, rivm)  # doctest: +SKIP
    >>> matches.to_frame()  # doctest: +SKIP
    """

    left_name: str
    right_name: str
    rows: list = field(default_factory=list)  # dicts: level, matched, left_only, right_only, examples
    notes: list = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """One row per level: matched, only left, only right and examples of each.

        Returns
        -------
        DataFrame
            indexed by level (empty when nothing was joined)
        """
        return pd.DataFrame(self.rows).set_index("level") if self.rows else pd.DataFrame()

    @property
    def matched(self) -> int:
        """Regions in both tables, all levels together."""
        return sum(r["matched"] for r in self.rows)

    @property
    def left_only(self) -> int:
        """Regions only in the left table."""
        return sum(r["left_only"] for r in self.rows)

    @property
    def right_only(self) -> int:
        """Regions only in the right table."""
        return sum(r["right_only"] for r in self.rows)

    def __str__(self) -> str:
        lines = [
            f"join {self.left_name} x {self.right_name}: {self.matched} matched, "
            f"{self.left_only} only in {self.left_name}, {self.right_only} only in {self.right_name}"
        ]
        for r in self.rows:
            lines.append(
                f"  {r['level']}: {r['matched']} matched, {r['left_only']} / {r['right_only']} unmatched"
                + (f" (e.g. {r['left_examples']} / {r['right_examples']})" if r["left_only"] or r["right_only"] else "")
            )
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """The report as plain data (what the joined table keeps in ``attrs["join_reports"]``).

        Returns
        -------
        dict
            the fields, as ``JoinReport(**d)`` takes them
        """
        return asdict(self)


@dataclass
class Report:
    """What made a table: the load report, how it was harmonised (if it was) and what it was joined with (if it was).

    ``wijkstudie.report(table)`` returns it for a loaded, a harmonised and a joined table alike.

    The load part says which file gave the table (source, title, reader format, year, the variant chosen with
    ``age_group=`` and the like, division, file), its rows per level, per variable the cells filled, suppressed
    and unreadable, the variables the file lacks, notes and warnings. A table not loaded by wijkstudie but
    harmonised or joined by it has no load part (``source`` is empty).

    Attributes
    ----------
    harmonisation : HarmonisationReport or None
        what ``harmonise`` (or ``load(..., division=...)``) did
    joins : list of JoinReport
        the joins that made the table, in order (a join recorded by an older version as text stays text)
    warnings : list of FileWarning
        what looked wrong in the file (each with its kind, level, codes and wave; ``str(w)`` is its sentence)
    details : dict
        a reader's structured records about the file, by kind (the Rotterdam Wijkprofiel: ``text_cells``, one record
        per column and wave with the count and an example; ``duplicates`` and ``copies``, which of a repeated column
        was kept; ``survey_method``; ``blocks``, the sheet each code came from; ``edition``), limited to the year
        loaded where a file holds several

    Examples
    --------
    >>> import wijkstudie as ws
    >>> rivm = ws.load("rivm-gezondheid", year=2020, age_group="18+", division=2022)  # doctest: +SKIP
    >>> print(ws.report(rivm))  # doctest: +SKIP
    >>> ws.report(rivm).harmonisation.to_frame()  # doctest: +SKIP
    """

    source: str = ""
    title: str = ""
    format: str = ""
    year: int | None = None
    variant: str | None = None
    division: int | None = None
    file: str = ""
    rows: int = 0
    levels: dict = field(default_factory=dict)
    variables: dict = field(default_factory=dict)
    suppressed: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)  # FileWarning
    notes: list = field(default_factory=list)
    absent: dict = field(default_factory=dict)  # variables the dictionary knows for this source, not in this file
    harmonisation: HarmonisationReport | None = None  # what wijkstudie.harmonise did
    data_kind: str = "unknown"  # real, synthetic or unknown (the table's provenance record)
    unreadable: dict = field(default_factory=dict)  # variable -> cells that are neither numbers nor codes
    joins: list = field(default_factory=list)  # JoinReport (or text), in the order the joins were made
    details: dict = field(default_factory=dict)  # a reader's structured records: {kind: list of dicts, or a dict}

    def __post_init__(self):
        self.warnings = as_warnings(self.warnings)
        if isinstance(self.harmonisation, dict):
            self.harmonisation = HarmonisationReport.from_dict(self.harmonisation)
        self.joins = [JoinReport(**j) if isinstance(j, dict) else j for j in self.joins]

    def __str__(self) -> str:
        lines = self._load_lines() if self.source else ["a table without a load report (not loaded by wijkstudie)"]
        if self.harmonisation:
            lines.append("  " + str(self.harmonisation).replace("\n", "\n  "))
        for join in self.joins:
            lines.append("  " + str(join).replace("\n", "\n  "))
        return "\n".join(lines)

    def _load_lines(self) -> list[str]:
        kind = {
            "synthetic": "SYNTHETIC data (a stand-in in the publisher's layout)",
            "real": "real data",
            "unknown": "UNKNOWN provenance",
        }[self.data_kind]
        lines = [
            f"{self.source}: {self.title}",
            f"  data:  {kind}",
            f"  file:  {self.file}",
            f"  year:  {self.year}"
            + (f"  {self.variant_parameter}: {self.variant}" if self.variant else "")
            + (f"  division: {self.division}" if self.division else ""),
            f"  rows:  {self.rows}"
            + (f" ({', '.join(f'{k} {v}' for k, v in self.levels.items())})" if self.levels else ""),
        ]
        if self.variables:
            lines.append("  variables (non-missing / suppressed / not a number):")
            width = max(map(len, self.variables))
            for name, n in self.variables.items():
                lines.append(
                    f"    {name:<{width}}  {n:>6} / {self.suppressed.get(name, 0)} / {self.unreadable.get(name, 0)}"
                )
        if self.absent:
            lines.append("  not in this file: " + ", ".join(self.absent))
        lines += [f"  note: {n}" for n in self.notes]
        lines += [f"  warning: {w}" for w in self.warnings]
        return lines

    @property
    def variant_parameter(self) -> str:
        """The name of the argument of ``load`` that chose the file among the year's files.

        (``age_group``, ``source_format``, ``sheet``, ``part``, ``level`` or ``table``; ``choice`` where the catalogue
        names none).
        """
        from .catalogue import datasets

        dataset = datasets().get(self.source)
        return (dataset.parameter if dataset is not None else None) or "choice"

    def to_dict(self) -> dict:
        """The report as plain data (nested reports as dicts too), e.g. for JSON.

        Returns
        -------
        dict
            the fields; ``Report(**d)`` makes the report again
        """
        return dict(asdict(self), warnings=[w.to_dict() for w in self.warnings])


_WARNING_FIELDS = {f.name for f in fields(FileWarning)}


def report(frame: pd.DataFrame) -> Report:
    """The report of a table made by wijkstudie: how it was loaded, harmonised and joined.

    Parameters
    ----------
    frame : DataFrame
        a table returned by ``load``, ``read_file``, ``harmonise`` or ``join_regions`` (or any pandas operation
        on one that keeps ``attrs``: copies, selections, filters)

    Returns
    -------
    Report
        its text shows the load report, the harmonisation (if any) and the joins (if any); ``.harmonisation``
        and ``.joins`` hold them as objects

    Raises
    ------
    MissingRecordError
        (a ``LookupError`` and a ``WijkstudieError``) when the table carries no report (it was not made by
        wijkstudie, or an operation dropped its ``attrs``).

    Examples
    --------
    >>> import wijkstudie as ws
    >>> kwb = ws.load("kwb", year=2022, level="wijk")  # doctest: +SKIP
    >>> print(ws.report(kwb))  # doctest: +SKIP
    >>> joined, _ = ws.join_regions(ws.load("cbs-wijken", year=2024), kwb)  # doctest: +SKIP
    >>> ws.report(joined).joins[-1].matched  # doctest: +SKIP
    """
    attrs = getattr(frame, "attrs", None) or {}
    info, joins = attrs.get(ATTR), attrs.get(JOINS)
    if info is None and not joins:
        raise MissingRecordError("this table carries no wijkstudie load report")
    known = {f.name for f in fields(Report)}
    return Report(**{k: v for k, v in dict(info or {}).items() if k in known - {"joins"}}, joins=list(joins or []))


def counts_by_level(frame: pd.DataFrame) -> dict:
    """The rows per level of a table, in the order of ``LEVELS``.

    Parameters
    ----------
    frame : DataFrame
        a table with a ``level`` column (none: an empty result)

    Returns
    -------
    dict
        level -> rows
    """
    levels = frame["level"].value_counts(sort=False).to_dict() if "level" in frame else {}
    return {lv: int(levels[lv]) for lv in LEVELS if lv in levels}


@dataclass
class LevelReport:
    """What harmonising one level did.

    Areas before and after, how many were unchanged, recoded, merged, split or interpolated, which could not be mapped,
    how much of the population moved, and how each variable moved.
    """

    level: str
    from_division: int
    to_division: int
    method: str
    source_areas: int
    target_areas: int
    unchanged: int = 0
    recoded: int = 0  # moved whole into an area with another code
    merged: int = 0  # new areas made of two or more old ones
    split: int = 0  # old areas shared out over two or more new ones
    interpolated: int = 0  # buurten moved by areal interpolation
    shared_source: int = 0  # new areas whose main source area (source_code_<from>) is another new area's too
    unmapped: list = field(default_factory=list)  # old codes that could not be placed in the new division
    moved_share: float = 0.0  # share of the weight (population, else addresses) now counted under another code
    moved_basis: str = "population"
    weights: dict = field(default_factory=dict)  # variable -> how it was moved
    dropped: list = field(default_factory=list)  # columns left out: not in the variable dictionary
    notes: list = field(default_factory=list)

    @property
    def summary(self) -> str:
        """What moved, in one line without the level (the head of the report's text, and a join's note)."""
        return (
            f"{self.source_areas} areas of {self.from_division} -> {self.target_areas} of "
            f"{self.to_division} ({self.method}): {self.unchanged} unchanged, {self.recoded} recoded, "
            f"{self.merged} merged, {self.split} split"
            + (f", {self.interpolated} interpolated" if self.interpolated else "")
            + f"; {100 * self.moved_share:.2f} % of the {self.moved_basis} now under another code"
        )

    def __str__(self) -> str:
        lines = [f"{self.level}: {self.summary}"]
        if self.shared_source:
            lines.append(
                f"  {self.shared_source} new areas share their source area with another (split areas copy its "
                f"values: analyse with errors clustered by source_code_{self.from_division})"
            )
        if self.unmapped:
            lines.append(
                f"  not mapped ({len(self.unmapped)}): {', '.join(self.unmapped[:10])}"
                + (" ..." if len(self.unmapped) > 10 else "")
            )
        by_rule: dict[str, list] = {}
        for name, rule in self.weights.items():
            by_rule.setdefault(rule, []).append(name)
        for rule, names in by_rule.items():
            lines.append(f"  {rule}: {', '.join(names)}")
        if self.dropped:
            lines.append(
                f"  left out (not in the variable dictionary, so unknown whether counts or shares): "
                f"{', '.join(self.dropped[:8])}" + (" ..." if len(self.dropped) > 8 else "")
            )
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass
class HarmonisationReport:
    """Per level, what moved between two divisions.

    Part of the harmonised table's report (``wijkstudie.report(table).harmonisation``).

    Parameters
    ----------
    from_division, to_division : int
        the two division years
    levels : list of LevelReport
        one per level that was moved
    crosswalk : str
        the crosswalk used (for its licence)

    Examples
    --------
    >>> import wijkstudie as ws
    >>> rivm22 = ws.load("rivm-gezondheid", year=2020, age_group="18+", division=2022)  # doctest: +SKIP
    >>> moves = ws.report(rivm22).harmonisation  # doctest: +SKIP
    >>> moves.level("gemeente").merged, moves.to_frame()  # doctest: +SKIP
    """

    from_division: int
    to_division: int
    levels: list = field(default_factory=list)  # LevelReport
    crosswalk: str = ""

    def __str__(self) -> str:
        lines = [
            f"harmonised from the division of {self.from_division} to that of {self.to_division}"
            + (f" with {self.crosswalk}" if self.crosswalk else "")
            + ":"
        ]
        lines += ["  " + str(r).replace("\n", "\n  ") for r in self.levels]
        return "\n".join(lines)

    def level(self, level: str) -> LevelReport:
        """The report of one level.

        Parameters
        ----------
        level : str
            ``"gemeente"``, ``"wijk"`` or ``"buurt"``

        Returns
        -------
        LevelReport

        Raises
        ------
        MissingRecordError
            (a ``LookupError``) for a level that was not harmonised.
        """
        for r in self.levels:
            if r.level == level:
                return r
        raise MissingRecordError(f"harmonisation report: no level {level!r}")

    def to_dict(self) -> dict:
        """The report as plain data (what the table keeps in its ``attrs``).

        Returns
        -------
        dict
        """
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> HarmonisationReport:
        """The report from its plain data (``to_dict``).

        Parameters
        ----------
        data : dict
            as ``to_dict`` makes it

        Returns
        -------
        HarmonisationReport
        """
        return cls(
            data["from_division"],
            data["to_division"],
            [LevelReport(**r) for r in data["levels"]],
            data.get("crosswalk", ""),
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per level.

        Areas before and after, unchanged, recoded, merged, split, interpolated, not mapped (a count), the share moved.

        Returns
        -------
        DataFrame
            indexed by level
        """
        rows = [{k: v for k, v in asdict(r).items() if k not in ("weights", "notes", "dropped")} for r in self.levels]
        for row in rows:
            row["unmapped"] = len(row["unmapped"])
        return pd.DataFrame(rows).set_index("level")


# --- a load of one level ------------------------------------------------------------------------------------------

PLURAL_OF_LEVEL = {
    "land": "rows (land)",
    "gemeente": "gemeenten",
    "wijk": "wijken",
    "buurt": "buurten",
    "gebied": "gebieden",
}


def for_level(full: pd.DataFrame, meta: dict, warnings: list, level: str) -> tuple[dict, list, list]:
    """What a file's reader counted over every level, made true for the rows of one level.

    The suppressed and unreadable cells per variable, and the warnings (only those about that level's areas; the rows
    without any value counted again among that level's rows).

    A reader counts a cell as suppressed when the publisher wrote a code (``.``, ``x``) instead of a number; in the
    table both are missing, like empty cells. The count of one level is therefore exact when every missing cell of a
    variable in the file is a code (then it is the missing cells of the level), or none is; for a variable whose
    file mixes codes with empty or unreadable cells the whole file's count is kept, and a note says so.

    Parameters
    ----------
    full : DataFrame
        the table of every level, as read
    meta : dict
        what the reader found (``suppressed``, ``unreadable``: variable -> cells, over the whole file)
    warnings : list of FileWarning
        the warnings of the read (about the whole file)
    level : str
        the level that was loaded

    Returns
    -------
    tuple
        ``(meta, warnings, notes)``: meta with the counts of the level (and only the alerts, the warnings shown at
        every load, that hold for it), the warnings that hold for it, and notes
    """
    rows = full["level"] == level
    suppressed, unreadable = dict(meta.get("suppressed", {})), dict(meta.get("unreadable", {}))
    whole_file = []
    for name in set(suppressed) | set(unreadable):
        if name not in full:
            continue
        codes, bad = int(suppressed.get(name, 0)), int(unreadable.get(name, 0))
        missing_here = int(full.loc[rows, name].isna().sum())
        every_missing_is = int(full[name].isna().sum()) == codes + bad
        if codes and bad:
            whole_file.append(name)  # codes and unreadable cells are both missing: which is which is not known
        elif codes:
            suppressed[name] = missing_here if every_missing_is else codes
            whole_file += [] if every_missing_is else [name]
        elif bad:
            unreadable[name] = missing_here if every_missing_is else bad
            whole_file += [] if every_missing_is else [name]
    notes = []
    if whole_file:
        notes.append(
            f"suppressed and unreadable cells of {', '.join(sorted(whole_file))} are counted over the whole file "
            f"(every level): its missing cells there are not all codes, so the {PLURAL_OF_LEVEL.get(level, level)} "
            "alone cannot be counted"
        )
    warnings = as_warnings(warnings)
    kept = [w for w in warnings if w.kind is not WarningKind.EMPTY_ROWS and w.about(level)]
    if len(kept) < len(warnings) and any(w.kind is WarningKind.EMPTY_ROWS for w in warnings):
        kept += empty_rows_warning(full[rows], list(suppressed), level)
    alerts = [a for a in as_warnings(meta.get("alerts")) if a.kind is not WarningKind.EMPTY_ROWS and a.about(level)]
    return dict(meta, suppressed=suppressed, unreadable=unreadable, alerts=alerts), kept, notes


def empty_rows_warning(frame: pd.DataFrame, names: list, level: str) -> list[FileWarning]:
    """The warning about areas of one level whose row has a region code but no value of any variable.

    Parameters
    ----------
    frame : DataFrame
        the rows of that level
    names : list of str
        the variables
    level : str
        the level

    Returns
    -------
    list of FileWarning
        one warning, or none when every area has a value
    """
    names = [n for n in names if n in frame]
    if not names or frame.empty:
        return []
    empty = frame[names].isna().all(axis=1)
    if not empty.any():
        return []
    codes = sorted(frame.loc[empty, "region_code"].dropna().astype(str))
    text = (
        f"{int(empty.sum())} {PLURAL_OF_LEVEL.get(level, level)} have a region code but no values at all "
        f"({', '.join(codes[:5])}{' ...' if len(codes) > 5 else ''}): suppressed or not published for these areas"
    )
    return [FileWarning(text, WarningKind.EMPTY_ROWS, level=level, codes=codes[:5])]
