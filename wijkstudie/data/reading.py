"""Reading files.

Any supported file becomes a tidy table that carries its load report and its provenance record, both made here, when the
file is read (the one place provenance is made).

A reader says what it did with a file that is not what it claims to be: a file that yields no rows of data, text
that is not valid UTF-8 and was read as Windows-1252, a file of wijkstudie's synthetic world outside its
mirror; each is in the load report's warnings and warned about at every load, from the file or from the cache.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from pathlib import Path
from warnings import warn

import pandas as pd

from ..core.errors import ArgumentTypeError, DataFormatError, WijkstudieError
from ..core.provenance import attach, file_mark, from_file, mirror_manifest
from . import integrity
from . import variables as vardict
from .arguments import flag, whole
from .cache import cache_key, distrust, entry_path, load_cached, remember, store
from .catalogue import datasets
from .derived import note_input
from .evidence import measurement_note, measurement_record
from .origin import named_synthetic
from .readers import crosswalk, identify, read, require_format
from .readers.common import NO_HINTS, Hints
from .readers.rawfile import check_file, open_raw
from .reports import ATTR, FileWarning, Report, WijkstudieWarning, as_warnings, counts_by_level


def finish_table(
    frame: pd.DataFrame,
    meta: dict,
    path: Path,
    warnings: list[str],
    notes=(),
    *,
    dataset=None,
    all_columns: bool = True,
) -> pd.DataFrame:
    """Attach the load report and the provenance record to a table read from a file.

    (the one place where provenance is made), and warn about what changes its numbers.

    Parameters
    ----------
    frame : DataFrame
        the canonical table
    meta : dict
        what the reader found (identification, suppressed and unreadable cells, absent variables, notes, alerts)
    path : Path
        the file
    warnings : list of FileWarning
        the load's warnings
    notes : iterable of str
        the load's notes
    dataset : Dataset, optional
        the catalogue entry the caller has in hand (``load``'s); looked up by the file's dataset otherwise
    all_columns : bool
        keep every column; False keeps only the variable dictionary's identifiers and variables (and the geometry)
        of a table by region (a long table keeps its columns)

    Returns
    -------
    DataFrame
        the table, with its report and provenance in ``attrs``
    """
    ident = meta["identification"]
    alerts, warnings = list(meta.get("alerts") or ()), list(warnings)  # records: read_table made them so
    in_mirror, marked = meta["marks"]["in_mirror"], meta["marks"]["marked"]
    identifiers, known = vardict.identifiers(), vardict.variables()  # the dictionary, asked once per table
    if not all_columns and "region_code" in frame and "measure" not in frame:
        frame = frame[[c for c in frame.columns if c in known or c in identifiers or c == "geometry"]]
    frame = frame.reset_index(drop=True).copy()
    named = not marked and meta["marks"]["named"]
    if (marked or named) and not in_mirror:
        how = (
            "carries the mark of wijkstudie's synthetic world in its content"
            if marked
            else "carries no synthetic mark, but its areas bear the synthetic world's names ('Synthetisch ...')"
        )
        text = (
            f"SYNTHETIC data: the file {how}, though it lies outside the synthetic mirror; every number read from "
            "it is synthetic, not a publisher's"
        )
        alerts.append(FileWarning(text))
        warnings = warnings + alerts[-1:]
    for alert in alerts:  # at every load, also from the cache: these change the numbers
        warn(f"{Path(path).name}: {alert}", WijkstudieWarning, stacklevel=4)
    if dataset is None or dataset.name != ident["dataset"]:
        dataset = datasets().get(ident["dataset"])
    names = [c for c in frame.columns if c in known]
    # a long table (CBS StatLine) holds its variables as rows: the estimates of each
    long = frame["variable"].value_counts().to_dict() if {"measure", "variable"} <= set(frame.columns) else {}
    names += [n for n in long if n not in names]
    unreadable = meta.get("unreadable", {})
    counts = {
        "variables": {n: int(long[n]) if n in long else int(frame[n].notna().sum()) for n in names},
        "suppressed": {n: int(meta["suppressed"].get(n, 0)) for n in names},
        "unreadable": {n: int(unreadable.get(n, 0)) for n in names if unreadable.get(n, 0)},
        "columns": {n: meta["mapped"].get(n, "") for n in names},
    }
    year_note = [f"year {ident['year']} {ident['year_from']}"] if ident.get("year_from") else []
    measured = measurement_record(dataset, ident["variant"], names, known)
    model_note = measurement_note(measured)
    levels = counts_by_level(frame)
    report = Report(
        source=ident["dataset"],
        title=dataset.title if dataset else ident["dataset"],
        format=ident["format"],
        year=ident["year"],
        variant=ident["variant"],
        division=ident["division"],
        file=str(path),
        rows=len(frame),
        levels=levels,
        **counts,
        warnings=list(warnings),
        notes=year_note + list(meta.get("notes", [])) + list(notes) + [model_note] * bool(model_note),
        absent=dict(meta.get("absent", {})),
        details=dict(meta.get("details") or {}),
    )
    provenance = from_file(
        path,
        ident["dataset"],
        ident["year"],
        ident["division"],
        meta.get("sha256", ""),
        levels,
        ident["variant"],
        names,
        **measured,
        content_kind="synthetic" if named else None,
    )
    report.data_kind = provenance.kind  # the provenance record's kind
    info = report.to_dict()
    info.pop("joins")  # a table read from a file was not joined; joins live under attrs["join_reports"]
    frame.attrs[ATTR] = info
    return attach(frame, provenance)


def read_table(
    path: Path,
    expected_format: str | None = None,
    *,
    use_cache: bool = True,
    hints: Hints = NO_HINTS,
    refresh: bool = False,
    division: int | None = None,
    cache_dir: Path | None = None,
):
    """Read a file into its canonical table (from the cache when the file is unchanged).

    Checked for repeated areas and, for a table of the whole country, for completeness against its division.

    Parameters
    ----------
    path : Path
        the file
    expected_format : str, optional
        the reader format the catalogue expects (a file of another format is an error)
    use_cache : bool
        keep and reuse the processed table
    hints : Hints
        the year (and dataset) the caller or the catalogue gives
    refresh : bool
        hash the file again and read it again, whatever the cache holds
    division : int, optional
        the division to check completeness against (default: the one the reader found)
    cache_dir : Path, optional
        the cache folder the load resolved (``Folders.processed``; default: the session's)

    Returns
    -------
    tuple
        ``(frame, meta)``; ``meta["marks"]`` says whether the file lies in the synthetic world's mirror
        (``in_mirror``), carries its mark (``marked``) and whether its areas bear its names (``named``)

    Raises
    ------
    DataNotFoundError
        for a missing path, a folder or a symlink loop.
    DataFormatError
        for a file that cannot be read, is not recognised or is not of the expected format.
    """
    if not Path(path).is_file():
        open_raw(path)  # raises the one-line error for a missing path, a folder, a symlink loop, a FIFO or device
    check_file(path)  # a text file over the size limit: refused before it is hashed
    # the file name and a year hint can decide what a file is (a year in the name), so they are part of the key
    content_key = cache_key(path, rehash=refresh, folder=cache_dir)
    key = f"{content_key}-{hashlib.sha1(Path(path).name.encode()).hexdigest()[:8]}" + (
        f"-y{hints.year}" if hints.year is not None else ""
    )
    cached = load_cached(key, hints.dataset, cache_dir) if use_cache and not refresh else None
    marks = {
        "in_mirror": (mirror_manifest(path) or {}).get("data_kind") == "synthetic",
        "marked": file_mark(path) == "synthetic",
    }
    if cached is not None:
        marks["named"] = named_synthetic(cached[0])  # the areas bear the synthetic world's names
        if not _passes_checks(cached, division, path, key, marks, cache_dir):
            cached = None
    if cached is None:
        raw = open_raw(path)
        try:
            ident = identify(raw, hints)
        except WijkstudieError:
            if expected_format:
                require_format(raw, expected_format)
            raise
        table = read(raw, ident)
        table.frame, repeated = integrity.duplicates(table.frame, Path(path).name)
        marks["named"] = named_synthetic(table.frame)
        synthetic = marks["in_mirror"] or marks["marked"] or marks["named"]
        checked = [] if synthetic else integrity.check(table.frame, division or ident.division, Path(path).name)
        said = as_warnings(raw.notes)  # fallbacks the reading needed
        if len(table.frame) == 0 and ident.format not in crosswalk.FORMATS:  # an empty matrix: nothing changed
            said.append(FileWarning("no rows of data: the file holds a header (or titles) only"))
        meta = {
            "identification": asdict(ident),
            "suppressed": table.suppressed,
            "warnings": said + table.warnings + repeated + checked,
            "unreadable": table.unreadable,
            "alerts": said + table.alerts + repeated + checked,
            "mapped": table.mapped,
            "absent": table.absent,
            "notes": table.notes,
            "details": table.details,
        }
        if use_cache:
            store(key, table.frame, meta, cache_dir)
        frame = table.frame
    else:
        frame, meta = cached
    meta = dict(meta, warnings=as_warnings(meta["warnings"]), alerts=as_warnings(meta.get("alerts")))
    meta = dict(meta, sha256=content_key.split("-v")[0], marks=marks)
    if use_cache:
        remember(path, content_key, cache_dir)
    found = meta["identification"]
    note_input(path, content_key, found.get("dataset"), found.get("year"))  # an input of derived tables being built
    if expected_format and meta["identification"]["format"] != expected_format:
        found = meta["identification"]
        raise DataFormatError(
            f"{path.name}: expected a {expected_format} file, but it looks like "
            f"{found['dataset']} ({found['format']}, {found['year']})"
        )
    return frame, meta


def _passes_checks(cached: tuple, division, path: Path, key: str, marks: dict, cache_dir: Path | None) -> bool:
    """Whether a cached table passes the checks a fresh read of the file must pass.

    (every area once, a national table complete for its division) with the warnings its report holds; one that does not
    is rebuilt (a warning names the entry).
    """
    frame, meta = cached
    name = Path(path).name
    if marks["in_mirror"] or marks["marked"] or marks["named"]:
        return True
    try:
        _, repeated = integrity.duplicates(frame, name)
        checked = integrity.check(frame, division or meta["identification"].get("division"), name)
    except WijkstudieError as exc:
        distrust(entry_path(key, cache_dir), f"it fails a check the raw file's table must pass ({exc})")
        return False
    missing = [w for w in repeated + checked if w not in as_warnings(meta["warnings"])]
    if missing:
        distrust(entry_path(key, cache_dir), f"a check gives a warning its report lacks ({missing[0]})")
        return False
    return True


def read_file(path, year: int | None = None, *, use_cache: bool = True, refresh: bool = False) -> pd.DataFrame:
    """Load any supported file, recognising its source and year from its content.

    Parameters
    ----------
    path : str or Path
        a KWB workbook (any sheet name) or a CSV saved from it, a CBS or RIVM open-data table (CSV or Excel
        export), boundaries (GeoJSON, GeoPackage, zipped shapefile), a grenswijzigen matrix, a Rotterdam or
        Amsterdam file
    year : int, optional
        the reference year, for a file that does not say it (its content and name are asked first; a year
        that contradicts the content is an error)
    use_cache : bool
        reuse the processed table of an unchanged file (Parquet in the cache folder)
    refresh : bool
        read the file again and replace its cached table, whatever the cache holds (a file that changed
        without a change of size or modification time is otherwise recognised only by its content hash when
        it is hashed again)

    Returns
    -------
    DataFrame or GeoDataFrame
        canonical column names; ``wijkstudie.report(frame)`` tells what was recognised, how many cells were
        suppressed per variable and what looked wrong; ``wijkstudie.provenance_of(frame)`` where it came from.

    Raises
    ------
    DataNotFoundError
        (a ``FileNotFoundError``) for a path that does not exist, a folder or a symlink loop.
    DataFormatError
        (a ``ValueError``) for a file that is empty, an HTML page, damaged, not recognised, or whose year cannot be
        found; one line naming the file and the problem, like every ``WijkstudieError``.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> table = ws.read_file("my-own-extract.xlsx", year=2021)  # doctest: +SKIP
    >>> print(ws.report(table))  # what was recognised, suppressed cells, warnings  # doctest: +SKIP
    """
    path = _path(path)
    use_cache, refresh = flag(use_cache, "use_cache"), flag(refresh, "refresh")
    frame, meta = read_table(path, use_cache=use_cache, hints=Hints(year=whole(year, "year")), refresh=refresh)
    return finish_table(frame, meta, path, meta["warnings"])


def _path(value) -> Path:
    if not isinstance(value, (str, Path)) or not str(value).strip():
        raise ArgumentTypeError(f"read_file: give the path of a file, not {value!r}")
    return Path(value)
