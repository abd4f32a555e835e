"""Processed tables cached as (Geo)Parquet.

Keyed by the raw file's content hash, the reader version and the variable dictionary.

A changed raw file (or a new reader version, or an edited ``variables.yaml``, which decides the columns) gets a
new key, so stale tables are never served. The content
hash of a raw file is remembered with its size and modification time (``fingerprints.json``) and reused while
both match; ``rehash`` (``load(..., refresh=True)``) hashes it again regardless. The load report (suppressed
cells, warnings, identification) is kept in a JSON file beside the table. Both are written to a temporary file
created exclusively in the cache folder (an unpredictable name; a planted file or symlink is never followed), given
the permissions the umask gives any new file, and moved into place.

A cached table proves what it is before it is served: the report beside it holds the table file's SHA-256, the key
it was stored under and the dataset it holds, sealed by a hash over all of it (``seal``). A table whose bytes do
not match (one number edited, another table copied over it), a report stored under another key or for another
dataset, or a report edited afterwards is not served: the table is rebuilt from the raw file, with one warning
naming the cache entry. (The seal catches edits and copies, not a forger who recomputes it: the cache folder is
the user's own.)

The cache heals itself: a bookkeeping file that is not what it should be is treated as missing and written
again, a damaged entry is rebuilt from the raw file, temporary files left by killed loads are removed on the
next run, and a cache folder that cannot be written does not stop a load: it loads without caching and warns
once.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from warnings import warn

import pandas as pd

from ..core.atomic import file_mode
from ..core.errors import os_reason
from ..core.hashing import file_sha256
from ..core.paths import processed_dir
from .download import sweep
from .geoparquet import read_cached_table

# 5: entries carry their table's hash and a seal; 6: long tables name their variables; 7: both; 8: warnings as records
READER_VERSION = 8
INDEX = "fingerprints.json"
_WARNED: set = set()  # cache folders already warned about in this session


def _index(folder: Path) -> dict:
    """The fingerprints: {path: [size, mtime_ns, hash]}; anything else in the file is ignored (and rewritten)."""
    try:
        data = json.loads((folder / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, list) and len(v) == 3 and isinstance(v[2], str)}


def cache_key(path: Path, rehash: bool = False, folder: Path | None = None) -> str:
    """The cache key of a raw file: its content hash, the reader version and the variable dictionary's fingerprint.

    The hash is remembered per path, size and modification time (``remember``), so an unchanged file is not hashed
    again; a change of size or modification time means a new hash, and so does ``rehash``.

    Parameters
    ----------
    path : Path
        the raw file
    rehash : bool
        hash the file again whatever the index remembers
    folder : Path, optional
        the cache folder (``Folders.processed``, resolved once per load; default: the session's)

    Returns
    -------
    str
    """
    path = Path(path).resolve()
    stat = path.stat()
    if folder is None:
        folder = processed_dir()
        sweep(folder)
    entry = None if rehash else _index(folder).get(str(path))
    digest = entry[2] if entry and entry[:2] == [stat.st_size, stat.st_mtime_ns] else file_sha256(path)[:24]
    return f"{digest}-v{READER_VERSION}-{_dictionary_fingerprint()}"


@lru_cache(maxsize=1)
def _dictionary_fingerprint() -> str:
    """The variable dictionary's content: which source columns become which variables."""
    import hashlib

    from .variables import VARIABLES_FILE

    return hashlib.sha256(VARIABLES_FILE.read_bytes()).hexdigest()[:8]


def remember(path: Path, key: str, folder: Path | None = None) -> None:
    """Record the fingerprint of a raw file after it loaded successfully (a failed load writes nothing).

    Parameters
    ----------
    path : Path
        the raw file
    key : str
        its cache key (``cache_key``)
    folder : Path, optional
        the cache folder (default: the session's)

    Returns
    -------
    None
    """
    folder = folder or processed_dir()
    path = Path(path).resolve()
    stat = path.stat()
    index = _index(folder)
    entry = [stat.st_size, stat.st_mtime_ns, key.split("-v")[0]]
    if index.get(str(path)) != entry:
        index[str(path)] = entry
        _write_atomic(folder / INDEX, lambda p: Path(p).write_text(json.dumps(index), encoding="utf-8"))


def _write_atomic(target: Path, write) -> None:
    """Write through a temporary file.

    A cache folder that cannot be written only costs the caching (one warning per folder and session).
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        sweep(target.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        _unwritable(target.parent, exc)
        return
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, file_mode())  # mkstemp makes 0600; a cache file follows the umask like every other output
        os.replace(tmp, target)
    except OSError as exc:
        _unwritable(target.parent, exc)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _unwritable(folder: Path, exc: OSError) -> None:
    from .reports import WijkstudieWarning

    if str(folder) in _WARNED:
        return
    _WARNED.add(str(folder))
    reason = os_reason(exc)
    warn(
        f"the cache folder {folder} (setting data_dir, WIJKSTUDIE_DATA_DIR) cannot be written ({reason}): "
        "loading without a cache",
        WijkstudieWarning,
        stacklevel=4,
    )


def entry_path(key: str, folder: Path | None = None) -> Path:
    """The table file of a cache entry.

    Parameters
    ----------
    key : str
        the entry's key
    folder : Path, optional
        the cache folder (default: the session's)

    Returns
    -------
    Path
    """
    return _paths(key, folder)[0]


def _paths(key: str, folder: Path | None) -> tuple[Path, Path]:
    folder = folder or processed_dir()
    return folder / f"{key}.parquet", folder / f"{key}.json"


def load_cached(key: str, dataset: str | None = None, folder: Path | None = None):
    """A processed table from the cache, served only when it proves to be the one stored under ``key``.

    Parameters
    ----------
    key : str
        the key (``cache_key`` and what else decides the table)
    dataset : str, optional
        the dataset the caller expects (the catalogue's, for ``load``); an entry of another dataset is not served
    folder : Path, optional
        the cache folder (default: the session's)

    Returns
    -------
    tuple or None
        ``(frame, meta)``, or None when there is no entry, a damaged one, or one whose table or report is not what
        was stored under this key (it is then rebuilt from the raw file; a warning names the entry)
    """
    table_path, meta_path = _paths(key, folder)
    if not (table_path.is_file() and meta_path.is_file()):
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        data = table_path.read_bytes()
    except (OSError, ValueError):
        return _distrust(table_path, "cannot be read")
    if (
        not isinstance(meta, dict)
        or not isinstance(meta.get("identification"), dict)
        or not all(isinstance(meta.get(k), t) for k, t in (("suppressed", dict), ("warnings", list)))
        or not isinstance(meta.get("cache"), dict)
    ):
        return _distrust(table_path, "its report is not one the cache wrote")
    stored = meta["cache"]
    digest = hashlib.sha256(data).hexdigest()
    if stored.get("table_sha256") != digest:
        return _distrust(table_path, "its content does not match the SHA-256 stored with it (edited or replaced?)")
    if stored.get("seal") != seal(meta):
        return _distrust(table_path, "its report was changed after it was stored")
    if stored.get("key") != key:
        return _distrust(table_path, f"it was stored for another file or request ({str(stored.get('key'))[:40]})")
    held = meta["identification"].get("dataset")
    if dataset is not None and held != dataset and meta["identification"].get("format") != "boundaries":
        return _distrust(table_path, f"it holds {held}, not {dataset}")
    try:
        frame = read_cached_table(data, geometry=bool(meta.get("geometry")))
    except Exception:  # a damaged cache entry is rebuilt from the raw file
        return _distrust(table_path, "it cannot be parsed")
    return frame, meta


def seal(meta: dict) -> str:
    """The hash that binds a cache entry's report to its table.

    Over the report (without the seal itself), which holds the table's SHA-256 and the key.

    Parameters
    ----------
    meta : dict
        the report as stored

    Returns
    -------
    str
    """
    plain = dict(meta, cache={k: v for k, v in meta.get("cache", {}).items() if k != "seal"})
    return hashlib.sha256(json.dumps(plain, sort_keys=True, default=_plain).encode()).hexdigest()


def distrust(table_path: Path, why: str) -> None:
    """Warn once that a cache entry is not served, and why (it is rebuilt from the raw file).

    Parameters
    ----------
    table_path : Path
        the entry's table
    why : str
        the reason

    Returns
    -------
    None
    """
    from ..core.printable import excerpt
    from .reports import WijkstudieWarning

    warn(
        f"cache entry {excerpt(table_path, 200)}: not served, {why}: rebuilt from the raw file",
        WijkstudieWarning,
        stacklevel=5,
    )


def _distrust(table_path: Path, why: str) -> None:
    distrust(table_path, why)
    return None


def store(key: str, frame: pd.DataFrame, meta: dict, folder: Path | None = None) -> None:
    """Keep a processed table and its metadata in the cache.

    (Parquet and JSON, written atomically; a cache folder that cannot be written costs only the caching, with one
    warning).

    Parameters
    ----------
    key : str
        the key
    frame : DataFrame or GeoDataFrame
        the canonical table
    meta : dict
        what the reader found (identification, suppressed cells, warnings, ...)
    folder : Path, optional
        the cache folder (default: the session's)

    Returns
    -------
    None
    """
    table_path, meta_path = _paths(key, folder)
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    data = buffer.getvalue()
    meta = dict(meta, geometry="geometry" in frame.columns and hasattr(frame, "crs"))
    meta = json.loads(json.dumps(meta, default=_plain))  # as it will read back
    meta["cache"] = {"key": key, "table_sha256": hashlib.sha256(data).hexdigest()}
    meta["cache"]["seal"] = seal(meta)
    _write_atomic(table_path, lambda p: Path(p).write_bytes(data))
    _write_atomic(meta_path, lambda p: Path(p).write_text(json.dumps(meta, indent=1), encoding="utf-8"))


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    return str(value)
