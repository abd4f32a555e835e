"""The public face: list, describe, fetch and load datasets by name; read any supported file."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from warnings import warn

import pandas as pd

from . import variables as vardict
from .cache import cache_key, load_cached, remember, store
from .catalogue import get_dataset, datasets
from .download import fetch_resource
from .errors import WijkstudieError
from .paths import data_mode, mirror_dir
from .rawfile import open_raw
from .readers import identify, read, require_format
from .readers.common import NO_HINTS, Hints
from .readers.rotterdam import link_to_cbs
from .tidy import Identification

LEVELS = ("land", "gemeente", "wijk", "buurt", "gebied")
ROTTERDAM_LINK_YEAR = 2024  # the CBS wijken whose names Rotterdam's gebieden are matched to


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

    def __str__(self) -> str:
        lines = [f"{self.source}: {self.title}", f"  file:  {self.file}",
                 f"  year:  {self.year}" + (f"  variant: {self.variant}" if self.variant else "")
                 + (f"  division: {self.division}" if self.division else ""),
                 f"  rows:  {self.rows}" + (f" ({', '.join(f'{k} {v}' for k, v in self.levels.items())})"
                                             if self.levels else "")]
        if self.variables:
            lines.append("  variables (non-missing / suppressed):")
            width = max(map(len, self.variables))
            for name, n in self.variables.items():
                lines.append(f"    {name:<{width}}  {n:>6} / {self.suppressed.get(name, 0)}")
        if self.absent:
            lines.append("  not in this file: " + ", ".join(self.absent))
        for n in self.notes:
            lines.append(f"  note: {n}")
        for w in self.warnings:
            lines.append(f"  warning: {w}")
        if self.harmonisation:
            from .harmonise import HarmonisationReport

            lines.append("  " + str(HarmonisationReport.from_dict(self.harmonisation)).replace("\n", "\n  "))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return asdict(self)


def report(frame: pd.DataFrame) -> LoadReport:
    """The LoadReport of a table returned by ``load`` or ``read_file``."""
    info = frame.attrs.get("wijkstudie")
    if info is None:
        raise WijkstudieError("this table carries no wijkstudie load report")
    return LoadReport(**info)


def _make_report(frame: pd.DataFrame, meta: dict, path: Path, warnings: list[str], notes=()) -> dict:
    ident = meta["identification"]
    dataset = datasets().get(ident["dataset"])
    names = [c for c in frame.columns if c in vardict.variables()]
    levels = frame["level"].value_counts(sort=False).to_dict() if "level" in frame else {}
    order = [lv for lv in LEVELS if lv in levels]
    year_note = [f"year {ident['year']} {ident['year_from']}"] if ident.get("year_from") else []
    return asdict(LoadReport(
        source=ident["dataset"], title=dataset.title if dataset else ident["dataset"], format=ident["format"],
        year=ident["year"], variant=ident["variant"], division=ident["division"], file=str(path),
        rows=len(frame), levels={lv: int(levels[lv]) for lv in order},
        variables={n: int(frame[n].notna().sum()) for n in names},
        suppressed={n: int(meta["suppressed"].get(n, 0)) for n in names},
        columns={n: meta["mapped"].get(n, "") for n in names},
        warnings=list(warnings), notes=year_note + list(meta.get("notes", [])) + list(notes),
        absent=dict(meta.get("absent", {})),
    ))


def _read(path: Path, expected_format: str | None = None, use_cache: bool = True, hints: Hints = NO_HINTS):
    if not Path(path).is_file():
        open_raw(path)  # raises the one-line error for a missing path or a folder
    # the file name and a year hint can decide what a file is (a year in the name), so they are part of the key
    content_key = cache_key(path)
    key = f"{content_key}-{hashlib.sha1(Path(path).name.encode()).hexdigest()[:8]}" + (
        f"-y{hints.year}" if hints.year is not None else "")
    cached = load_cached(key) if use_cache else None
    if cached is None:
        raw = open_raw(path)
        try:
            ident = identify(raw, hints)
        except WijkstudieError:
            if expected_format:
                require_format(raw, expected_format)
            raise
        table = read(raw, ident)
        meta = {"identification": asdict(ident), "suppressed": table.suppressed, "warnings": table.warnings,
                "mapped": table.mapped, "absent": table.absent, "notes": table.notes}
        if use_cache:
            store(key, table.frame, meta)
        frame = table.frame
    else:
        frame, meta = cached
    if use_cache:
        remember(path, content_key)
    if expected_format and meta["identification"]["format"] != expected_format:
        found = meta["identification"]
        raise WijkstudieError(f"{path.name}: expected a {expected_format} file, but it looks like "
                              f"{found['dataset']} ({found['format']}, {found['year']})")
    return frame, meta


def source_caption(*tables, language: str | None = None) -> str:
    """The data-source caption for a figure made from these loaded tables, from the catalogue's attribution.

    e.g. ``Source: RIVM/CBS, Gezondheid per wijk en buurt 2020; CBS/PDOK, Gebiedsindelingen 2022``.
    """
    from .join import sources_of

    years: dict[str, list] = {}
    for table in tables:
        for source, year in sources_of(table):
            dataset = datasets().get(source)
            text = dataset.attribution.split(":", 1)[1].strip() if dataset else source
            known = years.setdefault(text, [])
            if year and year not in known:
                known.append(year)
    parts = [f"{text} {', '.join(map(str, sorted(ys)))}".strip() for text, ys in years.items()]
    if not parts:
        raise WijkstudieError("source_caption: these tables carry no source information")
    from .paths import language as default_language

    return ("Bron: " if (language or default_language()) == "nl" else "Source: ") + "; ".join(parts)


def data_origin() -> str:
    """One sentence saying where this session's real data come from (for the top of every notebook)."""
    from .paths import data_dir, mirror_dir

    if data_mode() == "synthetic":
        return ("SYNTHETIC DATA: no real data could be reached (no network, no WIJKSTUDIE_MIRROR), so every table "
                "below comes from the synthetic world (wijkstudie/scenarios/default.yaml). The numbers describe that "
                "world, not Dutch neighbourhoods; the text between them was written for the real data. "
                "Set WIJKSTUDIE_MIRROR or connect to the network for the real analysis.")
    mirror = mirror_dir()
    if mirror:
        return (f"Real open data from the publishers (CBS, RIVM, PDOK, Rotterdam, Amsterdam), read from the local "
                f"mirror {mirror} (WIJKSTUDIE_MIRROR).")
    return f"Real open data, downloaded from the publishers (CBS, RIVM, PDOK) into the cache {data_dir()}."


def start_notebook(residents: pd.DataFrame | None = None) -> None:
    """Apply the house style to figures and say where this session's data come from (for resident-level
    notebooks: which survey data, real or synthetic)."""
    from .plotting import use_house_style

    use_house_style()
    if residents is None:
        print(data_origin())
    else:
        from .microdata import describe_residents

        print(describe_residents(residents))


def read_file(path, year: int | None = None, use_cache: bool = True) -> pd.DataFrame:
    """Load any supported file, recognising its source and year from its content.

    path:  a KWB workbook (any sheet name) or a CSV saved from it, a CBS or RIVM open-data table (CSV or Excel
           export), boundaries (GeoJSON, GeoPackage, zipped shapefile), a grenswijzigen matrix, a Rotterdam or
           Amsterdam file
    year:  the reference year, for a file that does not say it (its content and name are asked first; a year
           that contradicts the content is an error)

    Returns a DataFrame (GeoDataFrame for boundaries) with canonical column names; ``report(frame)`` tells
    what was recognised, how many cells were suppressed per variable and what looked wrong.
    Raises WijkstudieError (one line naming the file and the problem).
    """
    path = Path(path)
    frame, meta = _read(path, use_cache=use_cache, hints=Hints(year=_whole(year, "year")))
    frame.attrs["wijkstudie"] = _make_report(frame, meta, path, meta["warnings"])
    return frame


def _whole(value, what: str) -> int | None:
    if value is None:
        return None
    try:
        if isinstance(value, bool) or int(value) != float(value):
            raise ValueError
        return int(value)
    except (TypeError, ValueError):
        raise WijkstudieError(f"{what} must be a whole number such as 2022, not {value!r}") from None


def fetch(name: str, year: int | None = None, variant: str | None = None, progress: bool = True) -> Path:
    """Make sure the raw file of a dataset is available locally (download once) and return its path.

    Without ``year`` (or ``variant``) the candidates are tried as ``load`` tries them: the latest year first,
    the variants in catalogue order. Raises WijkstudieError naming what could not be had."""
    dataset = get_dataset(name)
    candidates = dataset.candidates(_whole(year, "year"), variant)
    if len(candidates) == 1:
        return fetch_resource(candidates[0], progress=progress)
    return _first_available(dataset, candidates)[1]


def fetch_all(names=None, progress: bool = True) -> dict:
    """Pre-download every resource of the named datasets (default: all). Returns {label: path or error}."""
    results = {}
    for name in names or list(datasets()):
        for resource in get_dataset(name).resources:
            try:
                results[resource.label] = fetch_resource(resource, progress=progress)
            except WijkstudieError as exc:
                results[resource.label] = exc
    return results


def load(name: str, year: int | None = None, level: str | None = None, variant: str | None = None,
         all_columns: bool = False, division: int | None = None) -> pd.DataFrame:
    """Load a dataset by name into a tidy table with canonical column names.

    name:        a catalogue name (``wijkstudie.list_datasets()``), matched forgivingly ("RIVM gezondheid")
    year:        reference year. Give it for datasets with several years: without it the latest year that can be
                 had here is used, and a warning and the load report say which. For the BBGA the edition,
                 which holds every year up to it
    level:       keep only ``land``, ``gemeente``, ``wijk``, ``buurt`` or ``gebied`` rows
    variant:     a second key where a dataset has one (RIVM: ``"18+"``, ``"18-64"`` or ``"65+"``; KWB:
                 ``"workbook"`` or ``"open-data"``). Without it the variants are tried in catalogue order and
                 the first that can be had is used (the load report says which)
    all_columns: also keep the source's columns that are not in the variable dictionary, under their
                 original names
    division:    move the table onto the regional division of this year (``wijkstudie.harmonise``), e.g. RIVM
                 2020 figures onto the gemeenten of 2022; the load report gets the harmonisation report

    Boundaries come back as GeoDataFrames in EPSG:4326. ``wijkstudie.report(table)`` gives the load report.

    Raises
    ------
    WijkstudieError
        one line naming the dataset or file and the problem: unknown name, year, variant or level; a file that
        is not in the mirror or cannot be downloaded; a damaged file.
    """
    dataset = get_dataset(name)
    year = _whole(year, "year")
    division = _whole(division, "division")
    _check_level(dataset, level)
    candidates = dataset.candidates(year, variant)
    if data_mode() == "synthetic":
        from .synthetic import load_like

        resource = candidates[0]
        frame = load_like(dataset.name, year=resource.year, level=level, variant=resource.variant)
        if division is not None and "division_year" in frame:
            from .harmonise import harmonise

            frame = harmonise(frame, to_division=division)
        return frame
    resource, path, tried = _first_available(dataset, candidates)
    frame, meta = _read(path, expected_format=resource.format, hints=Hints(resource.year, "catalogue",
                                                                                     resource.dataset))
    warnings, notes = list(meta["warnings"]), list(tried)
    ident = Identification(**meta["identification"])
    if ident.years and "year" in frame:
        frame = frame[frame["year"] == resource.year]
    _check_identity(path, resource, ident)
    if year is None and len(dataset.years) > 1:
        text = (f"{dataset.name}: no year given, so {resource.year} was used, the latest that can be had here "
                f"(available in the catalogue: {', '.join(map(str, dataset.years))}); pass year= to choose")
        notes.insert(0, text)
        warn(text, WijkstudieWarning, stacklevel=2)
    if resource.mirror_note and mirror_dir() is not None:
        notes.append(f"offline mirror: {resource.mirror_note}")
    meta = dict(meta, identification=dict(meta["identification"], year=resource.year,
                                          variant=resource.variant or ident.variant,
                                          division=resource.division or ident.division, year_from=""))
    if resource.format.startswith("rotterdam"):
        frame, linked = _link_rotterdam(frame)
        warnings += linked
    if level is not None and "level" in frame:
        frame = frame[frame["level"] == level]
    if not all_columns and "region_code" in frame:
        keep = [c for c in frame.columns if c in vardict.identifiers() or c in vardict.variables()
                or c == "geometry"]
        frame = frame[keep]
    frame = frame.reset_index(drop=True).copy()
    frame.attrs["wijkstudie"] = _make_report(frame, meta, path, warnings, notes)
    if division is not None and division != meta["identification"]["division"]:
        from .harmonise import harmonise

        frame = harmonise(frame, to_division=division)
    return frame


def _first_available(dataset, candidates) -> tuple:
    """The first candidate resource whose file can be had (mirror, cache or download), with notes on the ones
    passed over; raises the first candidate's error, naming the others tried, when none can be had."""
    errors = []
    for resource in candidates:
        try:
            path = fetch_resource(resource)
        except WijkstudieError as exc:
            errors.append((resource, exc))
            continue
        tried = [f"used {resource.label}: {r.label} could not be had ({str(e).split(';')[0]})"
                 for r, e in errors if r.year == resource.year]
        return resource, path, tried
    first = str(errors[0][1])
    others = [r.label for r, _ in errors[1:]]
    if others:
        first += f" (also tried: {', '.join(others[:4])}{' ...' if len(others) > 4 else ''})"
    raise WijkstudieError(first)


def _check_identity(path: Path, resource, ident: Identification) -> None:
    if resource.format == "boundaries":  # one reader for every boundary layout; the levels must be there
        return
    if ident.dataset != resource.dataset:
        raise WijkstudieError(f"{path.name}: expected {resource.label}, but the file is {ident.dataset}")


def _check_level(dataset, level) -> None:
    if level is not None and (level not in LEVELS or (dataset.levels and level not in dataset.levels)):
        raise WijkstudieError(f"{dataset.name}: no level {level!r}; available: "
                              f"{', '.join(dataset.levels) or 'none (not a regional table)'}")


def _link_rotterdam(frame: pd.DataFrame):
    try:
        wijken = load("cbs-wijken", year=ROTTERDAM_LINK_YEAR)
    except WijkstudieError as exc:
        return frame, [f"Rotterdam areas not linked to CBS codes: {exc}"]
    return link_to_cbs(frame, wijken)
