"""The load report: what a load produced (source, year, division, rows per level, filled and suppressed cells
per variable, what the file lacks, warnings, and how a table was harmonised), kept with the table."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

from ..core.errors import MissingRecordError, WijkstudieError

LEVELS = ("land", "gemeente", "wijk", "buurt", "gebied")
ATTR = "wijkstudie"


class WijkstudieWarning(UserWarning):
    """Something the user should know about a result that is not an error (e.g. which year "latest" was)."""


@dataclass
class LoadReport:
    """What a load produced: source, year, rows per level, filled cells and suppressed cells per variable."""

    source: str
    title: str
    format: str
    year: int | None
    variant: str | None
    division: int | None
    file: str
    rows: int
    levels: dict = field(default_factory=dict)
    variables: dict = field(default_factory=dict)
    suppressed: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    absent: dict = field(default_factory=dict)  # variables the dictionary knows for this source, not in this file
    harmonisation: dict | None = None  # what wijkstudie.harmonise did, when it moved the table to another division
    data_kind: str = "unknown"  # real, synthetic or unknown (the table's provenance record)
    unreadable: dict = field(default_factory=dict)  # variable -> cells that are neither numbers nor codes

    def __str__(self) -> str:
        kind = {"synthetic": "SYNTHETIC data (a stand-in in the publisher's layout)", "real": "real data",
                "unknown": "UNKNOWN provenance"}[self.data_kind]
        lines = [f"{self.source}: {self.title}", f"  data:  {kind}", f"  file:  {self.file}",
                 f"  year:  {self.year}" + (f"  {self.variant_parameter}: {self.variant}" if self.variant else "")
                 + (f"  division: {self.division}" if self.division else ""),
                 f"  rows:  {self.rows}" + (f" ({', '.join(f'{k} {v}' for k, v in self.levels.items())})"
                                             if self.levels else "")]
        if self.variables:
            lines.append("  variables (non-missing / suppressed / not a number):")
            width = max(map(len, self.variables))
            for name, n in self.variables.items():
                lines.append(f"    {name:<{width}}  {n:>6} / {self.suppressed.get(name, 0)} / "
                             f"{self.unreadable.get(name, 0)}")
        if self.absent:
            lines.append("  not in this file: " + ", ".join(self.absent))
        for n in self.notes:
            lines.append(f"  note: {n}")
        for w in self.warnings:
            lines.append(f"  warning: {w}")
        if self.harmonisation:
            lines.append("  " + str(HarmonisationReport.from_dict(self.harmonisation)).replace("\n", "\n  "))
        return "\n".join(lines)

    @property
    def variant_parameter(self) -> str:
        """The name of the argument of ``load`` that chose the file among the year's files (``age_group``,
        ``source_format``, ``sheet``, ``part`` or ``level``; ``variant`` where the catalogue names none)."""
        from .catalogue import datasets

        dataset = datasets().get(self.source)
        return (dataset.variant_parameter if dataset is not None else None) or "variant"

    def to_dict(self) -> dict:
        return asdict(self)


def report(frame: pd.DataFrame) -> LoadReport:
    """The LoadReport of a table returned by ``load``, ``read_file`` or ``harmonise``.

    Raises
    ------
    WijkstudieError
        when the table carries no report (it was not made by wijkstudie, or an operation dropped it).
    """
    info = frame.attrs.get(ATTR) if hasattr(frame, "attrs") else None
    if info is None:
        raise MissingRecordError("this table carries no wijkstudie load report")
    return LoadReport(**info)


def counts_by_level(frame: pd.DataFrame) -> dict:
    levels = frame["level"].value_counts(sort=False).to_dict() if "level" in frame else {}
    return {lv: int(levels[lv]) for lv in LEVELS if lv in levels}


@dataclass
class LevelReport:
    """What harmonising one level did."""

    level: str
    from_division: int
    to_division: int
    method: str
    source_areas: int
    target_areas: int
    unchanged: int = 0
    recoded: int = 0        # moved whole into an area with another code
    merged: int = 0         # new areas made of two or more old ones
    split: int = 0          # old areas shared out over two or more new ones
    interpolated: int = 0   # buurten moved by areal interpolation
    shared_source: int = 0  # new areas whose main source area (source_code_<from>) is another new area's too
    unmapped: list = field(default_factory=list)  # old codes that could not be placed in the new division
    moved_share: float = 0.0  # share of the weight (population, else addresses) now counted under another code
    moved_basis: str = "population"
    weights: dict = field(default_factory=dict)  # variable -> how it was moved
    dropped: list = field(default_factory=list)  # columns left out: not in the variable dictionary
    notes: list = field(default_factory=list)

    def __str__(self) -> str:
        head = (f"{self.level}: {self.source_areas} areas of {self.from_division} -> {self.target_areas} of "
                f"{self.to_division} ({self.method}): {self.unchanged} unchanged, {self.recoded} recoded, "
                f"{self.merged} merged, {self.split} split"
                + (f", {self.interpolated} interpolated" if self.interpolated else "")
                + f"; {100 * self.moved_share:.2f} % of the {self.moved_basis} now under another code")
        lines = [head]
        if self.shared_source:
            lines.append(f"  {self.shared_source} new areas share their source area with another (split areas copy its "
                         f"values: analyse with errors clustered by source_code_{self.from_division})")
        if self.unmapped:
            lines.append(f"  not mapped ({len(self.unmapped)}): {', '.join(self.unmapped[:10])}"
                         + (" ..." if len(self.unmapped) > 10 else ""))
        by_rule: dict[str, list] = {}
        for name, rule in self.weights.items():
            by_rule.setdefault(rule, []).append(name)
        for rule, names in by_rule.items():
            lines.append(f"  {rule}: {', '.join(names)}")
        if self.dropped:
            lines.append(f"  left out (not in the variable dictionary, so unknown whether counts or shares): "
                         f"{', '.join(self.dropped[:8])}" + (" ..." if len(self.dropped) > 8 else ""))
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass
class HarmonisationReport:
    """Per level, what moved between divisions; attached to the harmonised table's load report."""

    from_division: int
    to_division: int
    levels: list = field(default_factory=list)  # LevelReport
    crosswalk: str = ""

    def __str__(self) -> str:
        lines = [f"harmonised from the division of {self.from_division} to that of {self.to_division}"
                 + (f" with {self.crosswalk}" if self.crosswalk else "") + ":"]
        lines += ["  " + str(r).replace("\n", "\n  ") for r in self.levels]
        return "\n".join(lines)

    def level(self, level: str) -> LevelReport:
        for r in self.levels:
            if r.level == level:
                return r
        raise MissingRecordError(f"harmonisation report: no level {level!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "HarmonisationReport":
        return cls(data["from_division"], data["to_division"], [LevelReport(**r) for r in data["levels"]],
                   data.get("crosswalk", ""))

    def to_frame(self) -> pd.DataFrame:
        rows = [{k: v for k, v in asdict(r).items() if k not in ("weights", "notes", "dropped")} for r in self.levels]
        for row in rows:
            row["unmapped"] = len(row["unmapped"])
        return pd.DataFrame(rows).set_index("level")
