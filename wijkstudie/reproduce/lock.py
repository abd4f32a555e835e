"""One run at a time.

The main command and ``make site`` hold an exclusive lock on ``build/reproduce.lock`` (``fcntl.flock``, released by the
system when the process ends, however it ends) for as long as they write into the build and figures folders. A second
run does not wait: it refuses at once, in one line that names the running process, so two runs never interleave their
notebooks, results, scorecard or README.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from ..core.atomic import file_mode

LOCK_FILE = "reproduce.lock"


class Busy(Exception):
    """Another process holds the build folder's lock; ``pid`` is the process the lock file names ("" if none)."""

    def __init__(self, pid: str, path: Path):
        super().__init__(pid)
        self.pid, self.path = pid, path

    def line(self, command: str) -> str:
        """The one line to print.

        Parameters
        ----------
        command : str
            the command that refuses (``reproduce``, ``site``)

        Returns
        -------
        str
        """
        who = f"another run (pid {self.pid})" if self.pid else "another run"
        return (
            f"{command}: {who} is using {self.path.parent} (lock {self.path.name}); wait for it to finish or stop it, "
            "then start again"
        )


@contextlib.contextmanager
def build_lock(build: Path):
    """Hold the build folder's lock for a block of code.

    Parameters
    ----------
    build : Path
        the build folder (created when missing)

    Returns
    -------
    context manager

    Raises
    ------
    Busy
        when another process holds it.
    """
    try:
        import fcntl
    except ImportError:  # no flock (Windows): one run at a time is then up to the user
        yield
        return
    build = Path(build)
    build.mkdir(parents=True, exist_ok=True)
    path = build / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), file_mode())
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = "".join(c for c in os.pread(fd, 32, 0).decode("ascii", "replace") if c.isdigit())
            raise Busy(pid, path) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)
