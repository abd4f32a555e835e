"""The public face: list, describe, fetch and load datasets by name; read any supported file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from . import variables as vardict
from .cache import cache_key, load_cached, remember, store
from .catalogue import get_dataset, datasets
from .download import fetch_resource
from .errors import WijkstudieError
from .paths import data_mode
from .rawfile import open_raw
from .readers import identify, read, require_format
from .readers.rotterdam import link_to_cbs
from .tidy import Identification

LEVELS = ("land", "gemeente", "wijk", "buurt", "gebied")


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
        for w in self.warnings:
            lines.append(f"  warning: {w}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return asdict(self)


def report(frame: pd.DataFrame) -> LoadReport:
    """The LoadReport of a table returned by ``load`` or ``read_file``."""
    info = frame.attrs.get("wijkstudie")
    if info is None:
        raise WijkstudieError("this table carries no wijkstudie load report")
    return LoadReport(**info)


def _make_report(frame: pd.DataFrame, meta: dict, path: Path, warnings: list[str]) -> dict:
    ident = meta["identification"]
    dataset = datasets().get(ident["dataset"])
    names = [c for c in frame.columns if c in vardict.variables()]
    levels = frame["level"].value_counts(sort=False).to_dict() if "level" in frame else {}
    order = [lv for lv in LEVELS if lv in levels]
    return asdict(LoadReport(
        source=ident["dataset"], title=dataset.title if dataset else ident["dataset"], format=ident["format"],
        year=ident["year"], variant=ident["variant"], division=ident["division"], file=str(path),
        rows=len(frame), levels={lv: int(levels[lv]) for lv in order},
        variables={n: int(frame[n].notna().sum()) for n in names},
        suppressed={n: int(meta["suppressed"].get(n, 0)) for n in names},
        columns={n: meta["mapped"].get(n, "") for n in names},
        warnings=list(warnings),
    ))


def _read(path: Path, expected_format: str | None = None, use_cache: bool = True):
    if not Path(path).is_file():
        open_raw(path)  # raises the one-line error for a missing path or a folder
    key = cache_key(path)
    cached = load_cached(key) if use_cache else None
    if cached is None:
        raw = open_raw(path)
        try:
            ident = identify(raw)
        except WijkstudieError:
            if expected_format:
                require_format(raw, expected_format)
            raise
        table = read(raw, ident)
        meta = {"identification": asdict(ident), "suppressed": table.suppressed, "warnings": table.warnings,
                "mapped": table.mapped}
        if use_cache:
            store(key, table.frame, meta)
        frame = table.frame
    else:
        frame, meta = cached
    if use_cache:
        remember(path, key)
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


def read_file(path, use_cache: bool = True) -> pd.DataFrame:
    """Load any supported file, recognising its source and year from its content.

    Returns a DataFrame (GeoDataFrame for boundaries) with canonical column names; ``report(frame)`` tells
    what was recognised, how many cells were suppressed per variable and what looked wrong.
    """
    path = Path(path)
    frame, meta = _read(path, use_cache=use_cache)
    frame.attrs["wijkstudie"] = _make_report(frame, meta, path, meta["warnings"])
    return frame


def fetch(name: str, year: int | None = None, variant: str | None = None, progress: bool = True) -> Path:
    """Make sure the raw file of a dataset is available locally (download once) and return its path."""
    return fetch_resource(get_dataset(name).resource(year, variant), progress=progress)


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
         all_columns: bool = False) -> pd.DataFrame:
    """Load a dataset by name into a tidy table with canonical column names.

    name:        a catalogue name (``wijkstudie.list_datasets()``), matched forgivingly ("RIVM gezondheid")
    year:        reference year (default: the latest available); for the BBGA the edition, which holds
                 every year up to it
    level:       keep only ``land``, ``gemeente``, ``wijk``, ``buurt`` or ``gebied`` rows
    variant:     a second key where a dataset has one (RIVM: ``"18+"`` or ``"65+"``)
    all_columns: also keep the source's columns that are not in the variable dictionary, under their
                 original names

    Boundaries come back as GeoDataFrames. ``wijkstudie.report(table)`` gives the load report.
    Raises WijkstudieError (one line naming the file and the problem) for anything that goes wrong.
    """
    dataset = get_dataset(name)
    resource = dataset.resource(year, variant)
    _check_level(dataset, level)
    if data_mode() == "synthetic":
        from .synthetic import load_like

        return load_like(dataset.name, year=resource.year, level=level, variant=resource.variant)
    path = fetch_resource(resource)
    frame, meta = _read(path, expected_format=resource.format)
    warnings = list(meta["warnings"])
    ident = Identification(**meta["identification"])
    if ident.years and "year" in frame:
        frame = frame[frame["year"] == resource.year]
    if ident.dataset != resource.dataset:
        raise WijkstudieError(f"{path.name}: expected {resource.label}, but the file is {ident.dataset}")
    meta = dict(meta, identification=dict(meta["identification"], year=resource.year,
                                          variant=resource.variant or ident.variant,
                                          division=resource.division or ident.division))
    if resource.format.startswith("rotterdam"):
        frame, notes = _link_rotterdam(frame)
        warnings += notes
    if level is not None and "level" in frame:
        frame = frame[frame["level"] == level]
    if not all_columns and "region_code" in frame:
        keep = [c for c in frame.columns if c in vardict.identifiers() or c in vardict.variables()
                or c == "geometry"]
        frame = frame[keep]
    frame = frame.reset_index(drop=True).copy()
    frame.attrs["wijkstudie"] = _make_report(frame, meta, path, warnings)
    return frame


def _check_level(dataset, level) -> None:
    if level is not None and (level not in LEVELS or (dataset.levels and level not in dataset.levels)):
        raise WijkstudieError(f"{dataset.name}: no level {level!r}; available: "
                              f"{', '.join(dataset.levels) or 'none (not a regional table)'}")


def _link_rotterdam(frame: pd.DataFrame):
    try:
        wijken = load("cbs-wijken")
    except WijkstudieError as exc:
        return frame, [f"Rotterdam areas not linked to CBS codes: {exc}"]
    return link_to_cbs(frame, wijken)
