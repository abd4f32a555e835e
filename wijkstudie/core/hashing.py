"""A file's SHA-256: read in blocks, or once per version of the file.

``file_sha256`` reads the file each time (downloads, raw files, the notebook cache: any size); ``cached_file_sha256``
computes it once per version of a file (its path, size, modification time and inode), for the package's own source
files and data descriptions, which the derived tables and the notebook runner check again and again in one session,
and for the font files of ``save_figure``'s PDF font subsets.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

BLOCK = 1 << 20  # bytes read at a time


def file_sha256(path) -> str:
    """The SHA-256 of a file, read in blocks of ``BLOCK`` bytes.

    Parameters
    ----------
    path : str or Path
        the file

    Returns
    -------
    str
        hexadecimal

    Raises
    ------
    OSError
        when the file cannot be read
    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=512)
def _of_version(path: str, size: int, mtime_ns: int, inode: int) -> str:
    return file_sha256(path)


def cached_file_sha256(path) -> str:
    """A file's SHA-256, computed once per version of the file (its size, modification time and inode).

    Parameters
    ----------
    path : str or Path
        the file

    Returns
    -------
    str
        hexadecimal

    Raises
    ------
    OSError
        when the file cannot be read
    """
    stat = os.stat(path)
    return _of_version(str(Path(path)), stat.st_size, stat.st_mtime_ns, stat.st_ino)


def forget_file_hashes() -> None:
    """Drop the hashes ``cached_file_sha256`` keeps (as a new process starts without them)."""
    _of_version.cache_clear()
