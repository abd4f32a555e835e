"""Entries of ``save_figure``'s caches on disk: a line of JSON that names what the entry is, then its bytes.

An entry ``<folder>/<key><suffix>`` holds a header (the identity it was made for, the SHA-256 of its bytes and any
fields the cache adds, as JSON: no pickle) and the bytes. ``read_entry`` serves it only when the header names the
identity asked for and the bytes have the recorded hash; anything else (no file, not a regular file: a symlink, a
folder, a FIFO, a device; another identity, a damaged or cut file) reads as None, and the caller makes the bytes again
and ``write_entry`` replaces the file atomically. A cache that cannot be written is only slower: writing errors are
ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from contextlib import suppress
from pathlib import Path

from ..core.atomic import write_atomic
from ..core.errors import WijkstudieError
from ..data.download import sweep


def cache_folder(name: str) -> Path | None:
    """``<data_dir>/<name>``, or None when there is no usable data cache.

    Parameters
    ----------
    name : str
        the cache's folder under the data cache

    Returns
    -------
    Path or None
    """
    from ..core.paths import data_dir

    try:
        return data_dir() / name
    except (WijkstudieError, OSError):
        return None


def identity_key(identity: dict) -> str:
    """The key of an identity: the SHA-256 of its JSON (keys sorted).

    Parameters
    ----------
    identity : dict
        JSON values only

    Returns
    -------
    str
    """
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


def encode_entry(identity: dict, data: bytes, fields: dict | None = None) -> bytes:
    """An entry's content: the header line (identity, hash of ``data``, ``fields``), then ``data``.

    Parameters
    ----------
    identity : dict
        what the entry was made for
    data : bytes
    fields : dict, optional
        more JSON the cache keeps with the bytes

    Returns
    -------
    bytes
    """
    header = {"identity": identity, "sha256": hashlib.sha256(data).hexdigest(), "fields": fields or {}}
    return json.dumps(header, sort_keys=True).encode() + b"\n" + data


def decode_entry(content: bytes, identity: dict) -> tuple[bytes, dict] | None:
    """The bytes and fields of an entry, or None unless it is whole and was made for ``identity``.

    Parameters
    ----------
    content : bytes
        the file's bytes
    identity : dict
        the identity the entry must name

    Returns
    -------
    (bytes, dict) or None
    """
    line, _, data = content.partition(b"\n")
    try:
        header = json.loads(line)
        if header["identity"] != identity or hashlib.sha256(data).hexdigest() != header["sha256"]:
            return None
        fields = header["fields"]
    except (ValueError, KeyError, TypeError):
        return None
    return (data, fields) if isinstance(fields, dict) else None


def read_entry(folder: Path | None, key: str, identity: dict, suffix: str) -> tuple[bytes, dict] | None:
    """The entry ``<folder>/<key><suffix>`` when it is whole and was made for ``identity``, else None.

    Parameters
    ----------
    folder : Path or None
    key : str
    identity : dict
    suffix : str

    Returns
    -------
    (bytes, dict) or None
    """
    if folder is None:
        return None
    path = folder / f"{key}{suffix}"
    content = _regular_file_bytes(path)
    if content is None:
        return None
    entry = decode_entry(content, identity)
    if entry is not None:
        with suppress(OSError):
            os.utime(path)  # used now: the last to be pruned
    return entry


def _regular_file_bytes(path: Path) -> bytes | None:
    """The bytes of a regular file, or None for anything else (none, a symlink, a folder, a FIFO, a device).

    Opened without following a symlink and without waiting (a FIFO would block the open for ever; ``/dev/zero`` would
    be read until memory runs out), and read only when the open file is a regular one.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as fh:
            return fh.read() if stat.S_ISREG(os.fstat(fh.fileno()).st_mode) else None
    except OSError:
        return None


def write_entry(
    folder: Path | None, key: str, identity: dict, data: bytes, fields: dict | None, suffix: str, keep: int
) -> None:
    """Write an entry atomically, then prune the folder's entries to the ``keep`` most recently used.

    Parameters
    ----------
    folder : Path or None
        nothing is written without one
    key, identity, data, fields, suffix
        as for ``encode_entry`` and ``read_entry``
    keep : int
        how many entries of this suffix the folder keeps
    """
    if folder is None:
        return
    content = encode_entry(identity, data, fields)
    with suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        sweep(folder)  # temporary files a killed save left (once per session)
        write_atomic(folder / f"{key}{suffix}", lambda tmp: tmp.write_bytes(content))
        entries = []
        for path in folder.glob(f"*{suffix}"):
            with suppress(OSError):
                entries.append((path.stat().st_mtime_ns, path))
        for _, path in sorted(entries, reverse=True)[keep:]:
            with suppress(OSError):
                path.unlink()
