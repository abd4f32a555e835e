"""Get a resource's raw file: from the mirror, the cache, or the publisher.

- ``WIJKSTUDIE_MIRROR`` set: the file is read in place from the mirror (nothing is written there).
- Otherwise the file lives in ``<data_dir>/raw/<dataset>/<file>``; a missing file is downloaded.
- Downloads go to a temporary file in the same folder, with a progress bar; the hash is checked and the
  content is sniffed (an HTML error page is refused) before ``os.replace`` moves it into place. An
  interrupted or refused download never leaves a file that looks complete and never replaces a good one.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

from ..core.errors import ArgumentError, DataFormatError, DataNotFoundError, DownloadError, WijkstudieError, os_reason
from ..core.paths import raw_dir
from ..core.provenance import mirror_manifest
from .catalogue import Resource
from .origin import mirror_dir
from .readers.rawfile import is_symlink_loop, open_raw


def file_sha256(path: Path) -> str:
    """The SHA-256 hash of a file.

    Parameters
    ----------
    path : Path
        the file

    Returns
    -------
    str
        hexadecimal
    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


STALE_TEMP_SECONDS = 3600  # temporary files older than this were left by a killed load or download
_SWEPT: set = set()  # folders already swept in this session


def sweep(folder: Path, older_than: float = STALE_TEMP_SECONDS) -> int:
    """Remove temporary files that killed loads and downloads left in a folder (once per session). Files younger than
    ``older_than`` seconds may belong to a load still running and are kept.

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
    """Check a publisher's file against the hash the catalogue pins (a synthetic stand-in is not the publisher's file
    and is not checked).

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


def local_path(resource: Resource) -> Path | None:
    """Where a resource's file already lies here (the mirror, or the cache folder); nothing is downloaded.

    Parameters
    ----------
    resource : Resource
        a catalogue resource

    Returns
    -------
    Path or None
    """
    mirror = mirror_dir()
    if mirror is not None:
        path = mirror / resource.mirror if resource.mirror else None
        return path if path is not None and path.is_file() else None
    target = raw_dir(resource.dataset) / resource.file
    return target if target.is_file() else None


def fetch_resource(resource: Resource, progress: bool = True) -> Path:
    """A resource's raw file: read in place from the mirror, or from the cache folder, downloaded there first when
    missing (to a temporary file, checked, then moved into place).

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
    mirror = mirror_dir(ensure=True)
    if mirror is not None:
        if not mirror.is_dir():
            raise DataNotFoundError(f"WIJKSTUDIE_MIRROR={mirror}: {_not_a_folder(mirror)}")
        path = mirror / resource.mirror if resource.mirror else None
        if path is not None and (path.is_dir() or is_symlink_loop(path)):
            open_raw(path)  # names the folder or the loop
        if path is None or not path.is_file():
            raise DataNotFoundError(
                f"{resource.label} is not in the mirror {mirror} "
                f"(looked for {resource.mirror or 'a mirror path'}); unset WIJKSTUDIE_MIRROR "
                "to download it from the publisher"
            )
        verify(path, resource)
        return path
    target = raw_dir(resource.dataset) / resource.file
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
                resource.source["odata"], resource.source.get("filter"), tmp, resource.source.get("catalog")
            )
        open_raw(tmp)  # refuses empty files and HTML error pages
        verify(tmp, resource)
        os.replace(tmp, target)
    except WijkstudieError as exc:
        raise DownloadError(str(exc).replace(tmp.name, f"download of {resource.file}")) from None
    except Exception as exc:
        raise DownloadError(
            f"{resource.file}: download failed ({type(exc).__name__}: {' '.join(str(exc).split())[:160]})"
        ) from None
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _download_url(url: str, dest: Path, progress: bool) -> None:
    import pooch

    downloader = pooch.HTTPDownloader(progressbar=progress, timeout=60)
    downloader(url, str(dest), None)


WFS_PAGE = 1000


def _wfs_page(url: str, params: dict) -> dict:
    import requests

    response = requests.get(url, params=params, timeout=120)
    response.raise_for_status()
    return response.json()


def _download_wfs(url: str, type_name: str, dest: Path, progress: bool) -> None:
    """All features of a WFS layer as one GeoJSON FeatureCollection (EPSG:4326), fetched ``WFS_PAGE`` at a
    time: PDOK caps a single response, so one request would silently return only the first page."""
    from tqdm import tqdm

    features, start = [], 0
    with tqdm(desc=type_name, unit=" features", disable=not progress) as bar:
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


def _download_odata(table_id: str, filters: str | None, dest: Path, catalog: str | None = None) -> None:
    """Download a CBS open-data table with cbsodata and store it as CSV with the OData keys as columns.
    ``catalog``: the OData host for tables CBS publishes for others (RIVM: dataderden.cbs.nl)."""
    import cbsodata
    import pandas as pd

    with tempfile.TemporaryDirectory(dir=dest.parent) as folder:
        cbsodata.download_data(table_id, dir=folder, filters=filters, **({"catalog_url": catalog} if catalog else {}))
        with open(Path(folder) / "TypedDataSet.json", encoding="utf-8") as fh:
            rows = json.load(fh)
    pd.DataFrame(rows).to_csv(dest, index=False)
