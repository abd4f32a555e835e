"""What a notebook run read and wrote, for the main command's cache of executed notebooks.

``python -m wijkstudie.reproduce`` gives every notebook kernel its own log file in the environment variable
``WIJKSTUDIE_RUN_LOG``; the package notes in it every data file it reads (where provenance is made, and the
values one notebook records for another), every figure and result it writes, and, at the end of the run, every
module of the package the kernel imported (``note_modules``). Without the variable nothing is noted. A notebook
whose inputs (data files and modules) have not changed since the run that logged them is served from the cache.
"""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

ENV = "WIJKSTUDIE_RUN_LOG"
_LISTENING: list[list] = []  # the blocks collecting notes (``listening``)


def note(kind: str, path, **about) -> None:
    """Note that a file was read or written, while a run log is set (``WIJKSTUDIE_RUN_LOG``).

    Parameters
    ----------
    kind : str
        ``"read"`` or ``"wrote"``
    path : str or Path
        the file
    **about
        what else to note, e.g. the dataset and year a data file belongs to

    Returns
    -------
    None
    """
    for notes in _LISTENING:
        notes.append({"kind": kind, "path": str(Path(path).resolve()), "about": dict(about)})
    log = os.environ.get(ENV)
    if not log:
        return
    line = json.dumps({"kind": kind, "path": str(Path(path).resolve()), **about}) + "\n"
    try:
        with open(log, "a", encoding="utf-8") as fh:  # one short line per write: appends do not interleave
            fh.write(line)
    except OSError:
        pass  # a log that cannot be written only costs the cache


@contextmanager
def listening():
    """Collect every note made inside the block, run log or not (a derived table's build keeps the files it read, to
    note them again whenever the table is served from the cache instead of built).

    Returns
    -------
    contextmanager
        yields the list the notes are appended to: ``{"kind", "path", "about"}`` each
    """
    notes: list[dict] = []
    _LISTENING.append(notes)
    try:
        yield notes
    finally:
        _LISTENING.pop()  # this block's (a stack: a block inside it has ended before)


def note_modules() -> None:
    """Note every module of the package this process has imported (its source file), while a run log is set: what a
    notebook's result can depend on among the package's code.

    Returns
    -------
    None
    """
    package = Path(__file__).resolve().parents[1]
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and Path(path).resolve().is_relative_to(package):
            note("module", path)


def _items(log: Path) -> list[dict]:
    items = []
    if Path(log).is_file():
        for line in Path(log).read_text(encoding="utf-8").splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict) and "path" in item:
                items.append(item)
    return items


def entries(log: Path) -> dict[str, list[str]]:
    """The paths noted in a run log, each once, in order.

    Parameters
    ----------
    log : Path
        the run log

    Returns
    -------
    dict
        ``{"read": [...], "wrote": [...], "module": [...]}``
    """
    found: dict[str, dict] = {"read": {}, "wrote": {}, "module": {}}
    for item in _items(log):
        if item.get("kind") in found:
            found[item["kind"]][item["path"]] = None
    return {kind: list(paths) for kind, paths in found.items()}


def datasets(log: Path) -> list[list]:
    """The catalogue datasets (and years) whose files a run read, each once.

    Parameters
    ----------
    log : Path
        the run log

    Returns
    -------
    list of list
        ``[[dataset, year], ...]``
    """
    seen = {}
    for item in _items(log):
        if item.get("kind") == "read" and item.get("dataset"):
            seen[(item["dataset"], item.get("year"))] = None
    return [list(k) for k in seen]


def files_read(log: Path) -> list[list]:
    """The data files a run read, with their catalogue dataset and year, each once.

    Parameters
    ----------
    log : Path
        the run log

    Returns
    -------
    list of list
        ``[[dataset, year, file name], ...]``
    """
    seen = {}
    for item in _items(log):
        if item.get("kind") == "read" and item.get("dataset") and item.get("path"):
            seen[(item["dataset"], item.get("year"), Path(str(item["path"])).name)] = None
    return [list(k) for k in seen]
