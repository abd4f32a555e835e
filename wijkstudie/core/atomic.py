"""Writing a file whole or not at all, the same way for every cache and output.

A temporary file created exclusively in the target's own folder (``tempfile.mkstemp``: an unpredictable name,
``O_EXCL``, so a planted file or symlink is never followed), written, given the permissions the umask gives any new file
(``mkstemp`` makes 0600), then renamed over the target (``os.replace``). A failure leaves the target as it was and
removes the temporary file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def umask() -> int:
    """The process's umask (read from ``/proc`` where it can be, so that no other thread ever sees it changed).

    Returns
    -------
    int
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The permissions of a new file under the current umask (``0o666 & ~umask``).

    Returns
    -------
    int
    """
    return 0o666 & ~umask()


def write_atomic(target: Path, write: Callable[[Path], object]) -> Path:
    """Write ``target`` through a temporary file in its folder, then move it into place.

    Parameters
    ----------
    target : Path
        the file to write
    write : callable
        ``write(temporary_path)`` writes the content

    Returns
    -------
    Path
        the target

    Raises
    ------
    OSError
        when the folder cannot be written or the file not moved into place (the target is then unchanged).
    """
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, file_mode())
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return target


def write_text_atomic(target: Path, text: str) -> Path:
    """``write_atomic`` for a text (UTF-8).

    Parameters
    ----------
    target : Path
        the file
    text : str
        its content

    Returns
    -------
    Path
        the target
    """
    return write_atomic(target, lambda p: p.write_text(text, encoding="utf-8"))


def copy_atomic(source: Path, target: Path) -> Path:
    """Copy a file's bytes (and modification time) into place with ``write_atomic``.

    Parameters
    ----------
    source, target : Path
        the file and where it goes

    Returns
    -------
    Path
        the target
    """
    import shutil

    def copy(tmp: Path) -> None:
        shutil.copyfile(source, tmp)
        shutil.copystat(source, tmp)

    return write_atomic(target, copy)
