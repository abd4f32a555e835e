"""Get a resource's raw file: from the mirror, the cache, or the publisher.

- The setting ``mirror`` set (``ws.settings.mirror``, ``WIJKSTUDIE_MIRROR`` or the project file): the file is read
  in place from the mirror (nothing is written there); a file the mirror lacks is an error that says what the mirror
  holds of that dataset and where the setting was made.
- Otherwise the file lives in ``<data_dir>/raw/<dataset>/<file>``; a missing file is downloaded.
- Downloads go to a temporary file in the same folder, with a progress bar (Jupyter's when ipywidgets is there, text
  otherwise); the hash is checked and the content is sniffed (an HTML error page is refused) before ``os.replace``
  moves it into place. An interrupted or refused download never leaves a file that looks complete and never
  replaces a good one. A publisher that cannot be reached (no network) is one line that says how to work offline.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ArgumentError, DataFormatError, DataNotFoundError, DownloadError, WijkstudieError, os_reason
from ..core.hashing import file_sha256
from ..core.paths import data_dir
from ..core.provenance import mirror_manifest
from .catalogue import LATEST_AVAILABLE, Request, Resource
from .origin import mirror_dir
from .readers.rawfile import is_symlink_loop, open_raw


@dataclass(frozen=True)
class Folders:
    """Where a load finds and keeps files, resolved once per load (``folders``) and passed down.

    The mirror read in place (None: the publishers, over the network), the folder of raw downloads (``<data_dir>/raw``)
    and the folder of processed tables (``<data_dir>/processed``).
    """

    mirror: Path | None
    raw: Path
    processed: Path

    def would_lie(self, resource: Resource) -> Path | None:
        """Where a resource's file lies, or would lie, here: the mirror's path, else the cache folder's.

        Parameters
        ----------
        resource : Resource
            a catalogue resource

        Returns
        -------
        Path or None
            None for a resource the mirror has no path for
        """
        if self.mirror is not None:
            return self.mirror / resource.mirror if resource.mirror else None
        return self.raw / resource.dataset / resource.file


def folders() -> Folders:
    """The folders of this session's settings.

    Resolved once (and the cache folder swept of what killed loads left, once per session).

    Returns
    -------
    Folders

    Raises
    ------
    ArgumentError
        for a cache folder inside the mirror.
    """
    mirror, data = mirror_dir(), data_dir()
    sweep(data / "processed")
    return Folders(mirror, data / "raw", data / "processed")


@dataclass(frozen=True)
class Found:
    """The file a load reads.

    The first of the request's candidates that can be had here, the candidates of the same year passed over before it
    with why (the first clause of what their error would say), where the others would lie (for the derived tables'
    record), and the folders resolved for the load.
    """

    resource: Resource
    path: Path
    passed: tuple  # (resource, why) of the candidates of its year that could not be had
    absent: tuple  # where the candidates that could not be had would lie
    folders: Folders


STALE_TEMP_SECONDS = 3600  # temporary files older than this were left by a killed load or download
_SWEPT: set = set()  # folders already swept in this session


def sweep(folder: Path, older_than: float = STALE_TEMP_SECONDS) -> int:
    """Remove temporary files that killed loads and downloads left in a folder (once per session).

    Files younger than ``older_than`` seconds may belong to a load still running and are kept.

    Parameters
    ----------
    folder : Path
        the folder
    older_than : float
        seconds

    Returns
    -------
    int
        how many were removed
    """
    if str(folder) in _SWEPT:
        return 0
    _SWEPT.add(str(folder))
    removed, now = 0, time.time()
    for path in folder.glob(".*"):
        if path.suffix in (".tmp", ".part") and path.is_file():
            try:
                if now - path.stat().st_mtime > older_than:
                    path.unlink()
                    removed += 1
            except OSError:
                pass
    return removed


def _not_a_folder(path: Path) -> str:
    """Why a path that should be a folder is not one."""
    if is_symlink_loop(path):
        return "a symlink loop"
    if path.is_file():
        return "a file, not a folder"
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is not None and parent.is_file():
        return f"lies under the file {parent}, not in a folder"
    return "no such folder"


def verify(path: Path, resource: Resource) -> None:
    """Check a publisher's file against the hash the catalogue pins.

    (a synthetic stand-in is not the publisher's file and is not checked).

    Parameters
    ----------
    path : Path
        the file
    resource : Resource
        its catalogue entry

    Returns
    -------
    None

    Raises
    ------
    DataFormatError
        for a hash mismatch: the file changed or is damaged.
    """
    if resource.sha256 and (mirror_manifest(path) or {}).get("data_kind") == "synthetic":
        return
    if resource.sha256 and (actual := file_sha256(path)) != resource.sha256:
        raise DataFormatError(
            f"{path.name}: hash mismatch for {resource.label} (expected "
            f"{resource.sha256[:12]}..., got {actual[:12]}...); the file changed or is damaged"
        )


def local_path(resource: Resource, where: Folders | None = None) -> Path | None:
    """Where a resource's file already lies here (the mirror, or the cache folder); nothing is downloaded.

    Parameters
    ----------
    resource : Resource
        a catalogue resource
    where : Folders, optional
        the folders resolved for the load (default: the session's, the synthetic world's mirror not written)

    Returns
    -------
    Path or None
    """
    path = (where or folders()).would_lie(resource)
    return path if path is not None and path.is_file() else None


def locate(request: Request, *, progress: bool = True) -> Found:
    """The first of a request's candidates whose file can be had (mirror, cache or download).

    The folders resolved once for the whole load. A candidate the mirror does not hold is passed over without building
    its error, which is made only when no candidate can be had (its ``absent`` attribute then says where the candidates
    would lie).

    Parameters
    ----------
    request : Request
        the catalogue's answer to the call
    progress : bool
        show a progress bar while downloading

    Returns
    -------
    Found

    Raises
    ------
    DataNotFoundError, DownloadError, DataFormatError
        the first candidate's error, naming the others tried (and, when no year was asked for, the years that can
        be had here).
    """
    where = folders()
    missed = []
    for resource in request.candidates:
        path = where.would_lie(resource)
        if where.mirror is not None and where.mirror.is_dir() and not (path and (path.exists() or path.is_symlink())):
            missed.append((resource, None))  # not in the mirror: the long message only if nothing can be had
            continue
        try:
            path = fetch_resource(resource, progress, where=where)
        except WijkstudieError as exc:
            missed.append((resource, exc))
            continue
        passed = tuple((r, _why(r, e, where)) for r, e in missed if r.year == resource.year)
        return Found(resource, path, passed, _absent(missed, where), where)
    errors = [(r, e or DataNotFoundError(_not_in_mirror(r, where.mirror, request))) for r, e in missed]
    error = _not_here(request, errors, where)
    error.absent = _absent(missed, where)  # for the record of the derived tables (``Found.absent``)
    raise error


def _absent(missed: list, where: Folders) -> tuple:
    """Where the candidates that could not be had would lie."""
    return tuple(filter(None, (where.would_lie(r) for r, _ in missed)))


def _why(resource: Resource, error: WijkstudieError | None, where: Folders) -> str:
    """Why a candidate could not be had, in the words of the first clause of its error."""
    if error is None:
        return _mirror_miss(resource, where.mirror)
    return error.first_clause


def _not_here(request: Request, errors: list, where: Folders) -> WijkstudieError:
    """The error for a request none of whose files can be had.

    The first file's error, the others tried, and when no year was given, the years of the dataset (and of the file
    chosen) that can be had here.
    """
    dataset, year = request.dataset, request.year
    unreachable = [getattr(e, "unreachable", "") for _, e in errors]
    advice = f"; {offline_advice()}" if any(unreachable) else ""
    if all(unreachable):  # no network: one sentence for every file tried
        labels = [r.label for r, _ in errors]
        hosts = ", ".join(dict.fromkeys(unreachable))
        years = sorted({r.year for r, _ in errors})
        asked = labels[0] if len(labels) == 1 else f"{dataset.name} {years[0]}" if len(years) == 1 else dataset.name
        first = f"{asked}: the publisher{'s' if ',' in hosts else ''} ({hosts}) could not be reached (no network?)" + (
            f" for {', '.join(labels[:4])}{' ...' if len(labels) > 4 else ''}" if len(labels) > 1 else ""
        )
    else:
        first = getattr(errors[0][1], "short", str(errors[0][1]))
        others = [r.label for r, _ in errors[1:]]
        if others:
            first += f" (also tried: {', '.join(others[:4])}{' ...' if len(others) > 4 else ''})"
    if year is None:
        latest = errors[0][0].year
        here = sorted({r.year for r in dataset.candidates(None, request.choice) if local_path(r, where) is not None})
        first = (
            f"{dataset.name}: no year given, so the catalogue's latest, {latest}, was asked for, and it cannot "
            f"be had here: {first}; years that can be had here: {', '.join(map(str, here)) or 'none'}"
            + ("; pass one of them as year=, or year='latest-available'" if here else "")
        )
    elif year == LATEST_AVAILABLE:
        first = f"{dataset.name}: year='latest-available', but no year of it can be had here: {first}"
    first += advice
    return type(errors[0][1])(first)  # the first candidate's kind of error: not here, a failed download, ...


def fetch_resource(resource: Resource, progress: bool = True, *, where: Folders | None = None) -> Path:
    """A resource's raw file.

    Read in place from the mirror, or from the cache folder, downloaded there first when missing (to a temporary file,
    checked, then moved into place).

    Parameters
    ----------
    resource : Resource
        a catalogue resource
    progress : bool
        show a progress bar while downloading

    Returns
    -------
    Path

    Raises
    ------
    DataNotFoundError
        for a file that is not in the mirror, a mirror setting that is no folder, or a file that can only be
        downloaded by hand.
    DownloadError
        for a failed or refused download (an error page, a hash mismatch, no network).
    ArgumentError
        for a cache folder that cannot be written.
    """
    where = where or folders()
    mirror = where.mirror
    if mirror is not None:
        if not mirror.is_dir():
            raise DataNotFoundError(f"{_mirror_as_written(mirror)}: {_not_a_folder(mirror)}")
        path = mirror / resource.mirror if resource.mirror else None
        if path is not None and not path.is_file() and (path.is_dir() or is_symlink_loop(path)):
            open_raw(path)  # names the folder or the loop
        if path is None or not path.is_file():
            raise DataNotFoundError(_not_in_mirror(resource, mirror))
        verify(path, resource)
        return path
    target = where.raw / resource.dataset / resource.file
    if target.is_file():
        verify(target, resource)
        return target
    if resource.access == "manual":
        raise DataNotFoundError(
            f"{resource.label} cannot be downloaded automatically. {resource.source['manual']}; save it as {target}"
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        sweep(target.parent)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{resource.file}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise ArgumentError(
            f"cannot download {resource.label} into {target.parent} (setting data_dir, "
            f"WIJKSTUDIE_DATA_DIR): {os_reason(exc)}"
        ) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if resource.access == "url":
            _download_url(resource.source["url"], tmp, progress)
        elif resource.access == "wfs":
            _download_wfs(resource.source["wfs"], resource.source["typeName"], tmp, progress)
        else:
            _download_odata(
                resource.source["odata"],
                resource.source.get("filter"),
                tmp,
                resource.source.get("catalog"),
                with_metadata=resource.format == "cbs-statline",
            )
        open_raw(tmp)  # refuses empty files and HTML error pages
        verify(tmp, resource)
        os.replace(tmp, target)
    except WijkstudieError as exc:
        raise DownloadError(str(exc).replace(tmp.name, f"download of {resource.file}")) from None
    except Exception as exc:
        raise download_error(resource, exc) from None
    finally:
        tmp.unlink(missing_ok=True)
    return target


# --- when a download fails ----------------------------------------------------------------------------------------


def publisher_host(resource: Resource) -> str:
    """The server a resource is downloaded from (``www.cbs.nl``, ``opendata.cbs.nl``, ``service.pdok.nl``).

    Or ``""`` for a file that is downloaded by hand.

    Parameters
    ----------
    resource : Resource
        a catalogue resource

    Returns
    -------
    str
    """
    from urllib.parse import urlparse

    source = resource.source
    if resource.access == "odata":
        return str(source.get("catalog") or "opendata.cbs.nl")
    url = source.get("url") or source.get("wfs") or ""
    return urlparse(url).hostname or ""


NO_NETWORK = (  # what the network stack says when a server cannot be reached at all
    "name resolution",
    "name or service not known",
    "nodename nor servname",
    "failed to establish a new connection",
    "network is unreachable",
    "no route to host",
    "connection refused",
    "timed out",
)


def _unreachable(exc: BaseException) -> bool:
    """Whether a download's exception means the server could not be reached at all.

    (no network, a name that does not resolve, a refused connection, a connection that timed out), as opposed to an
    answer that was an error or a transfer cut off half-way: the exception and its causes are looked through.
    """
    import socket

    seen, todo = set(), [exc]
    while todo:
        error = todo.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, socket.gaierror | ConnectionRefusedError | TimeoutError | socket.timeout):
            return True
        if type(error).__name__ in (
            "NameResolutionError",
            "NewConnectionError",
            "ConnectTimeoutError",
            "ConnectTimeout",
        ):
            return True
        if isinstance(error, OSError) and any(words in str(error).lower() for words in NO_NETWORK):
            return not isinstance(error, ConnectionResetError)
        todo += [error.__cause__, error.__context__, getattr(error, "reason", None)]
        todo += [a for a in getattr(error, "args", ()) if isinstance(a, BaseException)]
    return False


def offline_advice() -> str:
    """What to do when the publishers cannot be reached.

    Point the setting ``mirror`` at a local copy of their files (in the project file the session reads, if it has one),
    or work on the synthetic world.

    Returns
    -------
    str
        one sentence
    """
    from ..core.settings import settings

    try:
        project = settings.project_file
    except WijkstudieError:
        project = None
    where = (
        f'mirror = "/path/to/mirror" in {project.label}'
        if project
        else 'mirror = "/path/to/mirror" in a wijkstudie.toml of your project'
    )
    return (
        f'to work offline, set the mirror once ({where}, ws.settings.mirror = "/path/to/mirror" or '
        "WIJKSTUDIE_MIRROR=/path/to/mirror) to a local copy of the publishers' files, or work on the synthetic "
        "world (ws.use_synthetic())"
    )


def download_error(resource: Resource, exc: BaseException) -> DownloadError:
    """The one-line error for a download that failed.

    The publisher could not be reached (and how to work offline), the publisher answered with an error (the status and
    the address), or the reason in a few words. The error's ``unreachable`` attribute names the server that could not be
    reached (``""`` otherwise) and its ``short`` attribute is the message without the advice (for a list of failed
    files).

    Parameters
    ----------
    resource : Resource
        the resource being downloaded
    exc : BaseException
        what the download raised

    Returns
    -------
    DownloadError
    """
    import requests

    host = publisher_host(resource)
    if _unreachable(exc):
        short = f"{resource.label}: the publisher ({host or 'its server'}) could not be reached (no network?)"
        error = DownloadError(f"{short}; {offline_advice()}")
        error.unreachable = host or "its server"
    elif isinstance(exc, requests.exceptions.HTTPError) and exc.response is not None:
        response = exc.response
        short = (
            f"{resource.label}: the publisher answered HTTP {response.status_code} {response.reason or ''}".rstrip()
            + f" for {response.url or resource.where()} (the file may have moved: wijkstudie data describe "
            f"{resource.dataset} says where it was published)"
        )
        error, error.unreachable = DownloadError(short), ""
    else:
        short = f"{resource.label} ({resource.file}): download failed ({type(exc).__name__}: {shorten(str(exc), 160)})"
        error, error.unreachable = DownloadError(short), ""
    error.short = short
    return error


def shorten(text: str, limit: int) -> str:
    """A text on one line and at most ``limit`` characters, cut at a word (with ``...``), never inside one.

    Parameters
    ----------
    text : str
        the text
    limit : int
        the most characters

    Returns
    -------
    str
    """
    words = " ".join(str(text).split())
    if len(words) <= limit:
        return words
    cut = words[: limit - 3].rsplit(" ", 1)[0].rstrip(" ,;:(")
    return f"{cut}..."


def _mirror_as_written(mirror: Path) -> str:
    """The mirror setting as the user wrote it.

    ``WIJKSTUDIE_MIRROR=/x``, ``ws.settings.mirror = '/x'``, ``mirror = '/x' in /p/wijkstudie.toml``, or the synthetic
    world's mirror.
    """
    from ..core.settings import BLOCK, ENVIRONMENT, SESSION, settings

    if settings.data == "synthetic":
        return f"the synthetic world's mirror {mirror}"
    origin = settings.origin("mirror")
    if origin.source == ENVIRONMENT:
        return f"{origin.variable}={mirror}"
    if origin.source in (SESSION, BLOCK):
        return f"ws.settings.mirror = {str(mirror)!r}"
    return f"mirror = {str(mirror)!r} in {origin.file}"


def _mirror_origin() -> str:
    """Where the mirror setting was made, in words (the synthetic world's mirror: the setting ``data``)."""
    from ..core.settings import settings

    if settings.data == "synthetic":
        return f"the synthetic world's mirror, {settings.describe_origin('data')} = synthetic"
    return settings.describe_origin("mirror")


def held_in_mirror(dataset, mirror: Path) -> dict:
    """The years of a dataset that a mirror holds, with the values of its named parameter (e.g. ``age_group``).

    Parameters
    ----------
    dataset : Dataset
        its catalogue entry
    mirror : Path
        the mirror folder

    Returns
    -------
    dict
        year -> list of the values of its parameter (empty for a dataset with one file per year), latest year first
    """
    held: dict = {}
    for r in dataset.resources:
        if r.mirror and (mirror / r.mirror).is_file():
            held.setdefault(r.year, [])
            if r.choice:
                held[r.year].append(r.choice)
    return dict(sorted(held.items(), reverse=True))


def _mirror_miss(resource: Resource, mirror: Path) -> str:
    """The first clause of the message for a file the mirror lacks (what a load that read another file notes)."""
    return f"{resource.label} is not in the mirror {mirror} (set as {_mirror_origin()}"


def _not_in_mirror(resource: Resource, mirror: Path, request: Request | None = None) -> str:
    """A file the mirror lacks: what the mirror holds of that dataset, where the mirror was set, how to download."""
    from ..core.settings import settings
    from .catalogue import get_dataset

    dataset = request.dataset if request is not None else get_dataset(resource.dataset)
    held = held_in_mirror(dataset, mirror)
    param = dataset.parameter
    if held:
        parts = [
            f"{year}" + (f" ({param or 'files'} {', '.join(choices)})" if choices and len(dataset.choices) > 1 else "")
            for year, choices in list(held.items())[:8]
        ]
        holds = f"it holds {resource.dataset} for {', '.join(parts)}" + (" ..." if len(held) > 8 else "")
        holds += ": ask for one of those, or"
    else:  # nothing of this dataset there: no year of it can be asked for from the mirror
        holds = f"it holds no year of {resource.dataset}, so none can be read from it:"
    if settings.data == "synthetic":
        instead = 'ws.settings.data = "real" (with the network or a mirror of the real files) for the real data'
    else:
        host = publisher_host(resource)
        instead = f"{settings.how_to_unset('mirror')} to download it from the publisher" + (
            f" ({host})" if host else ""
        )
    return f"{_mirror_miss(resource, mirror)}; looked for {resource.mirror or 'a mirror path'}); {holds} {instead}"


# --- downloading --------------------------------------------------------------------------------------------------


BAR_DELAY = 1.0  # seconds before a progress bar shows: none for a download that fails at once


def progress_bar():
    """The progress bar class for downloads.

    Jupyter's widget bar in a notebook when ipywidgets is installed, the text bar otherwise (never tqdm's warning that
    ipywidgets is missing).

    Returns
    -------
    type
        a ``tqdm`` class
    """
    import importlib.util
    import sys

    shell = sys.modules.get("IPython")
    in_kernel = False
    if shell is not None:
        try:
            ip = shell.get_ipython()
            in_kernel = ip is not None and "IPKernelApp" in ip.config
        except Exception:  # an IPython without a shell, or one too old to say
            in_kernel = False
    if in_kernel and importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.notebook import tqdm
    else:
        from tqdm.std import tqdm
    return tqdm


def _download_url(url: str, dest: Path, progress: bool) -> None:
    import warnings

    with warnings.catch_warnings():  # pooch imports tqdm.auto, which warns in a kernel without ipywidgets
        warnings.filterwarnings("ignore", message="IProgress not found")
        import pooch

    name = dest.name.split(".part")[0].lstrip(".").rsplit(".", 1)[0]
    with progress_bar()(unit="B", unit_scale=True, desc=name, disable=not progress, delay=BAR_DELAY) as bar:
        pooch.HTTPDownloader(progressbar=bar if progress else False, timeout=60)(url, str(dest), None)


WFS_PAGE = 1000


def _wfs_page(url: str, params: dict) -> dict:
    import requests

    response = requests.get(url, params=params, timeout=120)
    response.raise_for_status()
    return response.json()


def _download_wfs(url: str, type_name: str, dest: Path, progress: bool) -> None:
    """All features of a WFS layer as one GeoJSON FeatureCollection (EPSG:4326), fetched ``WFS_PAGE`` at a time.

    PDOK caps a single response, so one request would silently return only the first page.
    """
    features, start = [], 0
    with progress_bar()(desc=type_name, unit=" features", disable=not progress, delay=BAR_DELAY) as bar:
        while True:
            page = _wfs_page(
                url,
                {
                    "service": "WFS",
                    "version": "2.0.0",
                    "request": "GetFeature",
                    "typeName": type_name,
                    "outputFormat": "json",
                    "srsName": "EPSG:4326",
                    "count": WFS_PAGE,
                    "startIndex": start,
                },
            )
            batch = page.get("features", [])
            features += batch
            bar.update(len(batch))
            if len(batch) < WFS_PAGE:
                break
            start += WFS_PAGE
    if not features:
        raise DownloadError(f"{dest.name}: the WFS layer {type_name} returned no features")
    collection = {"type": "FeatureCollection", "features": features}
    dest.write_text(json.dumps(collection), encoding="utf-8")


def _download_odata(
    table_id: str, filters: str | None, dest: Path, catalog: str | None = None, *, with_metadata: bool = False
) -> None:
    """Download a CBS open-data table with cbsodata and store it as CSV with the OData keys as columns.

    Or, with ``with_metadata`` (StatLine tables, whose dimensions are keys that only the metadata turns into titles), as
    one JSON object holding every part cbsodata gives (``TypedDataSet``, ``DataProperties``, ``TableInfos`` and one list
    of keys and titles per dimension). ``catalog``: the OData host for tables CBS publishes for others (RIVM:
    dataderden.cbs.nl).
    """
    import cbsodata
    import pandas as pd

    with tempfile.TemporaryDirectory(dir=dest.parent) as folder:
        parts = cbsodata.download_data(
            table_id, dir=folder, filters=filters, **({"catalog_url": catalog} if catalog else {})
        )
        with open(Path(folder) / "TypedDataSet.json", encoding="utf-8") as fh:
            rows = json.load(fh)
    if with_metadata:
        dest.write_text(json.dumps(dict(parts, TypedDataSet=rows), ensure_ascii=False), encoding="utf-8")
        return
    pd.DataFrame(rows).to_csv(dest, index=False)
