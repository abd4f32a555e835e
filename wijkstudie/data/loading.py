"""Loading datasets by name.

Find the file of a catalogue resource (mirror, cache or publisher), read it, keep the level and columns asked for, and
move it onto another regional division when asked.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from warnings import catch_warnings, simplefilter, warn

import pandas as pd

from ..core.errors import DataFormatError, DataNotFoundError, WijkstudieError
from ..core.provenance import provenance_of
from .arguments import flag, whole, year_argument
from .catalogue import LATEST_AVAILABLE, Request, datasets, get_dataset, request
from .derived import note_absent
from .download import fetch_resource, local_path, locate
from .integrity import NATIONAL_MIN_GEMEENTEN
from .readers.common import Hints
from .readers.kwb_workbook import FIRST_RELEASE
from .readers.rotterdam import link_to_cbs
from .readers.statline import link_gemeenten
from .reading import finish_table, read_table
from .reports import (
    PLURAL_OF_LEVEL,
    FileWarning,
    WarningKind,
    WijkstudieWarning,
    counts_by_level,
    for_level,
)

ROTTERDAM_LINK_YEAR = 2024  # the CBS wijken whose names Rotterdam's gebieden are matched to


def fetch(
    name: str,
    year: int | None = None,
    *,
    age_group: str | None = None,
    source_format: str | None = None,
    sheet: str | None = None,
    part: str | None = None,
    level: str | None = None,
    table: str | None = None,
    edition: int | None = None,
    progress: bool = True,
) -> Path:
    """Make sure the raw file of a dataset is available locally (download once) and return its path.

    Parameters
    ----------
    name : str
        a catalogue name (``wijkstudie.list_datasets()``)
    year : int or "latest-available", optional
        the reference year; without it the latest year the catalogue lists (on every machine the same),
        ``"latest-available"`` for the latest that can be had here (see ``load``)
    age_group, source_format, sheet, part, level, table : str, optional
        which of the year's files, for a dataset whose files differ by one of these (``wijkstudie.describe(name)``
        says which): RIVM ``age_group="18+"``, ``"65+"`` or ``"18-64"``; KWB ``source_format="workbook"`` or
        ``"open-data"``; Rotterdam ``sheet="wijkprofiel"`` or ``"context"``; BBGA ``part="data"`` or ``"metadata"``
        (KWB codebook ``"properties"`` or ``"tableinfo"``); Leefbaarometer ``level="wijk"`` or ``"buurt"``; CBS
        StatLine ``table="85541NED"``. Without it the files are tried in catalogue order
    edition : int, optional
        for a dataset the publisher re-issued with earlier years in it (Rotterdam ``rotterdam-wijkprofiel``: 2024,
        the default, or 2016): the edition's year
    progress : bool
        show a progress bar while downloading

    Returns
    -------
    Path
        the file in the mirror (read in place) or in the cache folder

    Raises
    ------
    ArgumentError
        an unknown name, year or value of the named parameter, or a parameter the dataset does not take.
    DataNotFoundError
        a file that is not in the mirror and cannot be downloaded here (without ``year``: naming the years that
        can be had here).
    DownloadError
        a failed or refused download.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> path = ws.fetch("rivm-gezondheid", year=2020, age_group="18+")  # doctest: +SKIP
    """
    year, edition = year_argument(year), whole(edition, "edition")
    named = dict(age_group=age_group, source_format=source_format, sheet=sheet, part=part, level=level, table=table)
    return locate(request(name, year, named, edition, caller="fetch"), progress=progress).path


def fetch_all(names=None, progress: bool = True) -> dict:
    """Pre-download every resource of the named datasets.

    Parameters
    ----------
    names : list of str, optional
        catalogue names (default: every dataset)
    progress : bool
        show a progress bar while downloading

    Returns
    -------
    dict
        ``{resource label: path}`` for the files that could be had, ``{label: the error}`` for the others
        (nothing is raised for a single file)

    Examples
    --------
    >>> import wijkstudie as ws
    >>> results = ws.fetch_all(["rivm-gezondheid"])  # doctest: +SKIP
    """
    results = {}
    for name in names or list(datasets()):
        for resource in get_dataset(name).resources:
            try:
                results[resource.label] = fetch_resource(resource, progress=progress)
            except WijkstudieError as exc:
                results[resource.label] = exc
    return results


def load(
    name: str,
    year: int | None = None,
    level: str | None = None,
    *,
    age_group: str | None = None,
    source_format: str | None = None,
    sheet: str | None = None,
    part: str | None = None,
    table: str | None = None,
    edition: int | None = None,
    all_columns: bool = False,
    division: int | None = None,
    refresh: bool = False,
) -> pd.DataFrame:
    """Load a dataset by name into a tidy table with canonical column names.

    Parameters
    ----------
    name : str
        a catalogue name (``wijkstudie.list_datasets()``), matched forgivingly ("RIVM gezondheid")
    year : int or "latest-available", optional
        the reference year (for the BBGA the edition, which holds every year up to it). Without it the latest
        year the catalogue lists for the dataset (and the named parameter, if given): the same year on every
        machine; when that year cannot be had here the error names the years that can. ``"latest-available"``
        takes the latest year that can be had here (the mirror, the cache or a download) instead, and the load
        report says which year it took
    level : str, optional
        keep only ``land``, ``gemeente``, ``wijk``, ``buurt`` or ``gebied`` rows; for the Leefbaarometer, whose
        files hold one level each, also the file to read
    age_group : str, optional
        RIVM (``rivm-gezondheid``): ``"18+"``, ``"65+"`` or ``"18-64"``
    source_format : str, optional
        KWB (``kwb``): ``"workbook"`` (the yearly workbook, short column names) or ``"open-data"`` (the CBS
        open-data table)
    sheet : str, optional
        Rotterdam (``rotterdam-wijkprofiel``): ``"wijkprofiel"`` (the indices) or ``"context"`` (the register
        context figures)
    part : str, optional
        Amsterdam (``amsterdam-bbga``): ``"data"`` or ``"metadata"``; the KWB codebook (``kwb-codebook``):
        ``"properties"`` or ``"tableinfo"``
    table : str, optional
        CBS StatLine (``cbs-statline``): the table id, e.g. ``"85541NED"`` (volunteering and contacts by personal
        characteristics) or ``"85146NED"`` (Veiligheidsmonitor by region); read into one long table
    edition : int, optional
        for a dataset the publisher re-issued with earlier years in it: the edition's year. Rotterdam
        (``rotterdam-wijkprofiel``): without it every year 2014-2024 comes from the 2024 edition (one definition for
        all waves); ``edition=2016`` reads 2014 or 2016 as the 2016 file published them (``compare_editions`` shows
        where they differ). The load report says which edition was read
    all_columns : bool
        also keep the source's columns that are not in the variable dictionary, under their original names
    division : int, optional
        move the table onto the regional division of this year (``wijkstudie.harmonise``), e.g. RIVM 2020
        figures onto the gemeenten of 2022; the load report gets the harmonisation report
    refresh : bool
        hash and read the file again and replace its cached table (for a file changed in place)

    Without ``age_group``, ``sheet``, ``part`` (or ``level`` for the Leefbaarometer) the dataset's first value in
    catalogue order is used, on every machine (RIVM: ``"18+"``); without ``source_format`` a year's formats of the
    same figures are tried in catalogue order and the first that can be had is used (the load report says which);
    ``describe(name)`` says which parameter a dataset takes. A value or parameter the dataset does not have is an
    error that lists the ones it has. The grenswijzigen matrices are read with ``wijkstudie.crosswalk``.

    Returns
    -------
    DataFrame or GeoDataFrame
        boundaries as GeoDataFrames in EPSG:4326; ``wijkstudie.report(table)`` gives the load report and
        ``wijkstudie.provenance_of(table)`` the provenance record.

    Raises
    ------
    ArgumentError
        (a ``ValueError``) an unknown name, year, level or value of the named parameter, or a parameter the
        dataset does not take; ``ArgumentTypeError`` for a name that is not a text or a year that is not a whole
        number.
    DataNotFoundError
        (a ``FileNotFoundError``) a file that is not in the mirror and cannot be downloaded here; without
        ``year``, the message names the years of the dataset that can be had here.
    DataFormatError
        (a ``ValueError``) a damaged file, or a file that is not the one the catalogue describes.
    DownloadError
        (a ``ConnectionError``) a failed or refused download.

    All are ``WijkstudieError`` with a one-line message naming the dataset or file and the problem.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> rivm = ws.load("rivm-gezondheid", year=2020, level="gemeente", age_group="18+")  # doctest: +SKIP
    >>> kwb = ws.load("kwb", year=2022, level="wijk")  # doctest: +SKIP
    >>> volunteering = ws.load("cbs-statline", table="85541NED")  # doctest: +SKIP
    >>> print(ws.report(kwb))  # doctest: +SKIP
    """
    year, edition, division = year_argument(year), whole(edition, "edition"), whole(division, "division")
    all_columns, refresh = flag(all_columns, "all_columns"), flag(refresh, "refresh")
    named = dict(age_group=age_group, source_format=source_format, sheet=sheet, part=part, level=level, table=table)
    return _load(request(name, year, named, edition, level=level), level, all_columns, division, refresh)


def load_resource(dataset, resource, level: str | None = None) -> pd.DataFrame:
    """The table of one resource of a dataset, read as ``load`` reads it (no columns beyond the dictionary's).

    Parameters
    ----------
    dataset : Dataset
        its catalogue entry
    resource : Resource
        the resource
    level : str, optional
        keep only the rows of this level

    Returns
    -------
    DataFrame or GeoDataFrame
    """
    return _load(Request(dataset, resource.year, None, None, (resource,)), level, False, None, False)


def _load(asked: Request, level, all_columns, division, refresh) -> pd.DataFrame:
    """The table of the first of the request's candidate resources that can be had (see ``load``)."""
    try:
        found = locate(asked)
    except WijkstudieError as exc:
        for absent in getattr(exc, "absent", ()):
            note_absent(absent)  # should it appear, a derived table built from this load is stale
        raise
    dataset, resource, path, mirror = asked.dataset, found.resource, found.path, found.folders.mirror
    try:
        frame, meta = read_table(
            path,
            expected_format=resource.format,
            refresh=refresh,
            hints=Hints(resource.year, "catalogue", resource.dataset),
            division=resource.division,
            cache_dir=found.folders.processed,
        )
    finally:
        for absent in found.absent:
            note_absent(absent)
    warnings = list(meta["warnings"])  # records (read_table made them so)
    notes = [f"used {resource.label}: {r.label} could not be had ({why})" for r, why in found.passed]
    ident = meta["identification"]  # the reader's Identification, as a dict
    if ident.get("years") and "year" in frame:
        if resource.year not in ident["years"]:
            raise DataFormatError(
                f"{Path(path).name}: expected {resource.label}, but the file holds the years "
                f"{', '.join(map(str, ident['years']))} only"
            )
        frame = frame[frame["year"] == resource.year]
        meta = dict(meta, details=_details_of_year(meta.get("details") or {}, resource.year))
        warnings = [w for w in warnings if w.wave is None or w.wave not in ident["years"] or w.wave == resource.year]
    if resource.edition:
        others = [e for e in dataset.editions if e != resource.edition]
        meta = dict(meta, details=dict(meta.get("details") or {}, edition=resource.edition))
        notes.append(
            f"edition {resource.edition} of {dataset.name}"
            + (f" (also published: edition {', '.join(map(str, others))}; choose with edition=)" if others else "")
        )
    _check_identity(path, resource, ident)
    if asked.year is None and len(dataset.years) > 1:
        notes.insert(0, f"no year given: {resource.year}, the latest year of {asked.asked} in the catalogue")
    if asked.year == LATEST_AVAILABLE:
        latest = max(r.year for r in asked.candidates)
        notes.insert(
            0,
            f"year='latest-available': {resource.year}, the latest year of {asked.asked} that can be had "
            f"here" + ("" if resource.year == latest else f" (the catalogue's latest, {latest}, cannot)"),
        )
        if resource.year != latest:
            copy = f" (the mirror's file is {resource.mirror_note})" if resource.mirror_note and mirror else ""
            warn(
                f"{dataset.name}: year='latest-available' took {resource.year}{copy}; the catalogue's latest year, "
                f"{latest}, cannot be had here",
                WijkstudieWarning,
                stacklevel=3,
            )
    if resource.mirror_note and mirror is not None:
        notes.append(f"offline mirror: {resource.mirror_note}")
    if resource.mirror_is and mirror is not None:  # no guess about the publisher's release: what it is
        said = f"; the mirror's file is {resource.mirror_is}"
        warnings = [replace(w, hint=said) if w.hint == FIRST_RELEASE else w for w in warnings]
    meta = dict(
        meta,
        identification=dict(
            meta["identification"],
            year=resource.year,
            variant=resource.choice or ident["variant"],
            division=resource.division or ident["division"],
            year_from="",
        ),
    )
    if resource.format.startswith("rotterdam"):
        frame, linked = _link_rotterdam(frame)
        warnings += linked
    if resource.format == "cbs-statline" and "region_kind" in frame:
        frame, linked, unlinked = link_gemeenten(frame, _gemeente_names())
        notes += linked
        if unlinked:
            rows = f"{len(unlinked)} gemeente row{'s' if len(unlinked) != 1 else ''}"
            text = f"{rows} not linked to a CBS code by name: {', '.join(unlinked)}"
            warnings.append(FileWarning(text, WarningKind.NOT_LINKED))
            warn(
                f"{resource.label}: {rows} not linked to a CBS code (e.g. {', '.join(unlinked[:4])}): merged or "
                "renamed gemeenten, or names no name list here has",
                WijkstudieWarning,
                stacklevel=3,
            )
    if level is not None and "level" in frame:
        full, frame = frame, frame[frame["level"] == level]
        if frame.empty:
            raise _level_not_here(dataset, resource, path, full, level, mirror)
        meta, warnings, level_notes = for_level(full, meta, warnings, level)
        notes += level_notes
    frame = finish_table(frame, meta, path, warnings, notes, dataset=dataset, all_columns=all_columns)
    if division is not None and division != meta["identification"]["division"]:
        from .harmonise import harmonise

        frame = harmonise(frame, to_division=division)
    return frame


def _details_of_year(details: dict, year: int) -> dict:
    """A reader's structured records limited to one year.

    Records of other years left out, ``blocks`` (by year) reduced to that year's.
    """
    out = {}
    for kind, records in details.items():
        if isinstance(records, list):
            out[kind] = [r for r in records if not isinstance(r, dict) or r.get("year") in (None, year)]
        elif kind == "blocks" and isinstance(records, dict):
            out[kind] = records.get(str(year), {})
        else:
            out[kind] = records
    return out


def _level_not_here(dataset, resource, path: Path, full: pd.DataFrame, level: str, mirror) -> DataNotFoundError:
    """The error for a level the file of a year does not hold: which levels it does hold, and where the file is."""
    held = ", ".join(
        "the land row" if lv == "land" else f"{n:,} {PLURAL_OF_LEVEL.get(lv, lv)}"
        for lv, n in counts_by_level(full).items()
    )
    where = f"the mirror's file {path.name}" if mirror is not None and mirror in Path(path).parents else path.name
    return DataNotFoundError(
        f"{resource.label}: {where} holds no {PLURAL_OF_LEVEL.get(level, level)} (it holds {held or 'no areas'}); "
        f"{dataset.name} levels in the catalogue: {', '.join(dataset.levels)}"
    )


def _check_identity(path: Path, resource, ident: dict) -> None:
    if resource.format == "boundaries":  # one reader for every boundary layout; the levels must be there
        return
    if ident["dataset"] != resource.dataset:
        raise DataFormatError(f"{path.name}: expected {resource.label}, but the file is {ident['dataset']}")


def _gemeente_names() -> dict:
    """Gemeente names and codes by division year.

    From what can be had here without a download (the boundaries of ``cbs-gemeenten``, the gemeente rows of KWB) for
    every year the catalogue lists; years whose list is an extract (fewer than ``NATIONAL_MIN_GEMEENTEN`` gemeenten,
    unless it is the synthetic world's) are left out.
    """
    names = {}
    for dataset in ("cbs-gemeenten", "kwb"):
        for resource in get_dataset(dataset).resources:
            if resource.year in names or local_path(resource) is None:
                continue
            try:
                with catch_warnings():  # what is worth saying about a name list is not about the table linked
                    simplefilter("ignore")
                    frame = load_resource(get_dataset(dataset), resource, "gemeente")
            except WijkstudieError:
                continue
            synthetic = provenance_of(frame).kind == "synthetic"  # the synthetic world's country is small but whole
            frame = frame[frame["region_name"].notna()]
            if len(frame) >= NATIONAL_MIN_GEMEENTEN or synthetic:
                names[resource.year] = frame[["region_code", "region_name"]]
    return names


def _link_rotterdam(frame: pd.DataFrame):
    try:
        wijken = load("cbs-wijken", year=ROTTERDAM_LINK_YEAR)
    except WijkstudieError as exc:
        return frame, [FileWarning(f"Rotterdam areas not linked to CBS codes: {exc}", WarningKind.NOT_LINKED)]
    return link_to_cbs(frame, wijken)
