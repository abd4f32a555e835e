"""A figure's SVG and PDF drawn in a forked process while this one draws its PNG.

``save_figure`` writes a figure three times, and each format draws the whole figure again: in Python, under one lock
(the GIL), so threads cannot share that work. A child made with ``os.fork`` holds the figure exactly as it is (its
memory, copy-on-write): it draws the vector files while this process draws the PNG, on a second core. The files are
the same bytes as when one process draws them all (below).

``start(jobs)`` forks only where that is safe and pays:

- on Linux (on macOS a forked child may not use the system's libraries; Windows has no fork);
- with more than one core this process may use (``os.sched_getaffinity``);
- unless the setting ``figure_process`` is ``off`` (``WIJKSTUDIE_FIGURE_PROCESS=off``).

The child writes nothing through what it shares with this process: its output goes to ``/dev/null`` (a Jupyter kernel's
streams are sockets to the front end; a logging handler made before the fork gets none of its records), and it
leaves with ``os._exit`` (no exit handlers, no inherited buffers flushed). It writes each file aside, to a temporary
file in the target's folder (``write_aside``), and reports, as JSON through a pipe, the ones it wrote cleanly: without
an error, a warning or a logged warning. This process moves them into place (``SideProcess.put_in_place``), in the
order of the formats, and draws every other file again (the child failed, warned, was killed, or never started), as
without the child: the errors, the warnings and the files written before an error are the same as ever.

The files are the same bytes whichever process draws them: ``save_figure`` asks for a child only when the PNG comes
first, and the child first lays the figure out as the PNG's ``savefig`` does (``style._laid_out_as_by_the_png``),
since each format's layout starts from where the last draw left the axes; this process meanwhile runs the layout
passes of the files the child draws (``style._laid_out_as_by``), so that the figure saved again, or shown, is the same
bytes too. (A file drawn again here after the child failed starts from those passes' layout, not the PNG's: with a
layout engine it may differ from the one-process file by a hair.)
(Its other writes, e.g. a PDF's font subsets kept on disk (``font_subsets``) or the lines of a kernel's audit hook,
are what this process would have written.)
"""

from __future__ import annotations

import contextlib
import gc
import glob
import json
import logging
import os
import signal
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from ..core.atomic import put_in_place, write_aside
from ..core.settings import settings


def available() -> bool:
    """Whether a child may draw files here (Linux, more than one usable core, the setting ``figure_process`` not off).

    Returns
    -------
    bool
    """
    if sys.platform != "linux" or not hasattr(os, "fork") or settings.figure_process == "off":
        return False
    return len(os.sched_getaffinity(0)) > 1


class SideProcess:
    """A forked child writing files aside.

    ``finish()`` waits for it and says which it wrote cleanly, ``put_in_place(path)`` moves one into place,
    ``abandon()`` stops the child and removes what was not moved into place.
    """

    def __init__(self, pid: int, pipe: int, paths: list[Path]):
        self.pid, self.pipe, self.paths = pid, pipe, paths
        self.started = time.time()
        self.aside: dict[Path, Path] = {}  # target -> the child's temporary file, not yet moved into place

    def finish(self) -> set[Path]:
        """Wait for the child; the files it wrote cleanly, aside (none when it failed or was killed).

        Returns
        -------
        set of Path
            the targets (``put_in_place`` moves each into place)
        """
        if self.pid is None:
            return set()
        chunks, pipe, self.pipe = [], self.pipe, None  # closed once, here (``abandon`` after an interrupt: not again)
        read = False
        try:
            while chunk := os.read(pipe, 65536):
                chunks.append(chunk)
            read = True
        finally:
            os.close(pipe)
            status = _reap(self.pid)
            self.pid = None
            if not read:  # interrupted: what the child wrote aside is nobody's
                self._remove_leftovers()
        try:
            written = json.loads(b"".join(chunks).decode())  # a report is written whole, as the child's last act
        except ValueError:
            written = None
        if isinstance(written, dict):
            self.aside = {p: Path(written[str(p)]) for p in self.paths if isinstance(written.get(str(p)), str)}
        exited = status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
        if not isinstance(written, dict) or (status is not None and not exited):
            self.discard()
            if status is None or os.WIFSIGNALED(status):  # killed (SIGKILL: the system out of memory), or unknown
                self._remove_leftovers()  # (SIGCHLD ignored, or a handler reaped the child: no status)
            return set()
        return set(self.aside)

    def put_in_place(self, path: Path) -> None:
        """Move the file the child wrote aside for ``path`` into place.

        Parameters
        ----------
        path : Path
            one of the targets ``finish`` returned

        Raises
        ------
        OSError
            when it cannot be moved into place (the target is then unchanged, the temporary file removed)
        """
        put_in_place(self.aside.pop(path), path)

    def discard(self) -> None:
        """Remove the files the child wrote aside that were not moved into place."""
        while self.aside:
            with contextlib.suppress(OSError):
                os.unlink(self.aside.popitem()[1])

    def _remove_leftovers(self) -> None:
        """Remove the temporary files a child left (``write_aside``'s, made since the child started)."""
        for path in self.paths:
            for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
                with contextlib.suppress(OSError):
                    if tmp.stat().st_mtime >= self.started - 1:
                        tmp.unlink()

    def abandon(self) -> None:
        """Stop the child if it still runs (it removes its temporary files) and wait for it; discard what it wrote."""
        self.discard()
        if self.pid is None:
            return
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        if self.pipe is not None:
            os.close(self.pipe)
            self.pipe = None
        _reap(self.pid)
        self.pid = None
        self._remove_leftovers()  # killed before it could remove them, or done before the signal, its report unread


def _reap(pid: int) -> int | None:
    """Wait for a child; its status (None where the program reaps its children itself: SIGCHLD ignored)."""
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return None


def start(
    jobs: list[tuple[Path, Callable[[Path], object]]], first: Callable[[], object] = lambda: None
) -> SideProcess | None:
    """Fork a child that calls ``first()``, then writes each ``(path, write)`` job aside (``write_aside``), in order.

    Parameters
    ----------
    jobs : list of (Path, callable)
        ``write(temporary_path)`` writes a file's content
    first : callable
        what the child does before the jobs (when it fails or warns, the child writes nothing)

    Returns
    -------
    SideProcess or None
        None where no child may be made (``available``) or the fork failed: then nothing was started
    """
    if not jobs or not available():
        return None
    read_end, write_end = os.pipe()
    try:
        # Python 3.12+ warns that fork() in a process with threads may deadlock the child: it would, were the child to
        # take a lock another thread held at the fork. This child only draws with matplotlib and writes files; a
        # kernel's other threads (its sockets, its history) and the PNG writer (idle: save_figure waited for it) hold
        # none of their locks.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: never returns
        code = 1
        try:
            os.close(read_end)
            _run_child(first, jobs, write_end)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    return SideProcess(pid, read_end, [path for path, _ in jobs])


class _Flag(logging.Handler):
    """Notes that a warning was logged (matplotlib logs some, e.g. a missing font)."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.raised = False

    def emit(self, record) -> None:
        self.raised = True


def _logging_only_to(flag: logging.Handler) -> None:
    """Send every logged record of the child to ``flag`` alone.

    A handler made before the fork holds the streams it was given: in a Jupyter kernel, after
    ``logging.basicConfig()``, the kernel's stderr, which forwards a forked child's writes to the notebook. Every
    logger loses its handlers and propagates to the root, so ``flag`` also sees what a logger that does not propagate
    would have shown.
    """
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    for logger in loggers:
        if isinstance(logger, logging.Logger):  # not a PlaceHolder
            logger.handlers = []
            logger.propagate = True
    logging.getLogger().addHandler(flag)


def _run_child(first, jobs, pipe: int) -> None:
    """In the child: write the jobs aside, then report the clean ones (their temporary files)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # unwinds: its temporary files are removed
    signal.signal(signal.SIGINT, signal.default_int_handler)  # not the kernel's own handler
    gc.disable()  # a short life: no collections
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    sys.stdout = sys.stderr = open(null, "w", closefd=False)  # noqa: SIM115 (the child exits without closing)
    flag = _Flag()
    _logging_only_to(flag)
    written = {}
    try:
        with warnings.catch_warnings(record=True) as caught:
            first()
        if caught or flag.raised:
            jobs = []
        for path, write in jobs:
            flag.raised = False
            with warnings.catch_warnings(record=True) as caught:
                try:
                    tmp = write_aside(path, write)
                except Exception:
                    continue
            written[str(path)] = str(tmp)
            if caught or flag.raised:
                os.unlink(written.pop(str(path)))
        data = json.dumps(written).encode()
        while data:
            data = data[os.write(pipe, data) :]
        os.close(pipe)
    except BaseException:  # stopped (SIGTERM, SIGINT) or failed: nothing left aside
        for tmp in written.values():
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
