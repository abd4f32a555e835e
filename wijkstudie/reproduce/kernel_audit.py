"""What a notebook kernel read.

Wrote and imported, observed by an audit hook (PEP 578) that the main command installs in every kernel it starts, before
the notebook's first cell (``hook_arguments``: the kernel's start-up arguments, so no cell is added to the notebook).

The hook is this file run as a script (``runpy.run_path``), importing nothing of wijkstudie, so that the package's
own imports are seen too. It writes one JSON line ``[kind, path]`` per file or module, the first time it is seen,
into the log the runner names:

- ``read``: a file opened for reading (``open`` events, e.g. a recorded result another notebook wrote);
- ``wrote``: a file opened for writing, or the target of a rename (a figure written through a temporary file);
- ``module``: a module of the package, by name, when it is first imported (``import`` events, raised by the import
  statement), and, by its file, when its code is executed (``exec`` events: also the modules ``importlib.import_module``
  imports, such as the study's lazy namespace does, which raise no ``import`` event);
- ``input``: a file the package announces as an input without necessarily opening it (event ``wijkstudie.input``,
  raised where a data file becomes a table's provenance, or a derived table is served from its cache): what a
  notebook depends on when the bytes are read by C code (GDAL, Arrow) or a cached table stands in for them. The
  event carries the catalogue dataset and year, for the report site's citations;
- ``code``: the package's functions that built a derived table the notebook read, built or served (event
  ``wijkstudie.code``, ``core.code_trace.announce``): per file, its SHA-256 and a hash of each function's code. A
  notebook depends on those functions, not on their whole files.

A kernel the runner did not start has no hook: nothing is observed or written.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = "wijkstudie"
EVENT = "wijkstudie.input"  # the package's own audit event (see wijkstudie.core.provenance.announce_input)
CODE_EVENT = "wijkstudie.code"  # see wijkstudie.core.code_trace.announce
SOURCES = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # the package's folder
WATCHED = frozenset({"open", "os.rename", "import", "exec", EVENT, CODE_EVENT})  # the events the hook notes
_WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def hook_arguments(log) -> list[str]:
    """The kernel start-up arguments that install the hook.

    Writing to ``log`` (IPython's ``exec_lines``: run before the first cell, with no execution count and no output in
    the notebook).

    Parameters
    ----------
    log : str or Path
        the log file (created or appended to)

    Returns
    -------
    list of str
    """
    line = f"__import__('runpy').run_path({__file__!r}, init_globals={{'LOG': {str(log)!r}}}, run_name='__audit__');"
    return [f"--IPKernelApp.exec_lines={json.dumps([line])}"]


def _writes(mode, flags) -> bool:
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    return isinstance(flags, int) and bool(flags & _WRITING)


def install(log: str) -> None:
    """Install the hook in this process, writing to ``log``.

    Parameters
    ----------
    log : str
        the log file

    Returns
    -------
    None
    """
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)  # opened before the hook: not noted itself
    seen: set = set()

    def note(kind: str, path, *about) -> None:
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str):
            return  # a file descriptor
        item = (kind, os.path.abspath(path), *about)
        if item not in seen:
            seen.add(item)
            os.write(fd, (json.dumps(item) + "\n").encode())  # one short write per line: appends do not interleave

    def hook(event: str, args: tuple) -> None:
        if event not in WATCHED:  # most events are others (``builtins.id`` alone: hundreds of thousands a notebook)
            return
        if event == "open":
            path, mode, flags = args
            if isinstance(path, (str, bytes, os.PathLike)) and not str(path).endswith(".pyc"):
                note("wrote" if _writes(mode, flags) else "read", os.fspath(path))
        elif event == "os.rename":  # os.rename and os.replace: the target is written
            note("wrote", os.fspath(args[1]))
        elif event == "import":
            if args[0] == PACKAGE or str(args[0]).startswith(PACKAGE + "."):
                os.write(fd, (json.dumps(["module", args[0]]) + "\n").encode())
        elif event == "exec":  # a module's code (or a cell's, or a string's: only the package's files are noted)
            filename = getattr(args[0], "co_filename", "")
            if isinstance(filename, str) and filename.startswith(SOURCES) and filename.endswith(".py"):
                note("module", filename)
        elif event == EVENT:
            note("input", os.fspath(args[0]), *args[1:])
        elif event == CODE_EVENT:
            note("code", os.fspath(args[0]), args[1])

    sys.addaudithook(hook)


@dataclass
class Observed:
    """What one kernel was seen to read, write and import (``observed``)."""

    read: list = field(default_factory=list)  # files opened for reading
    wrote: list = field(default_factory=list)  # files opened for writing, or renamed into place
    modules: list = field(default_factory=list)  # the package's module files it imported
    inputs: list = field(default_factory=list)  # [path, dataset, year] of the files the package announced
    code: dict = field(default_factory=dict)  # path -> {"sha256", "functions"}: the derived tables' code records


def module_file(name: str, package_dir: Path) -> Path | None:
    """The source file of one of the package's modules, by name (None when there is none: a failed import).

    Parameters
    ----------
    name : str
        e.g. ``wijkstudie.data.loading``
    package_dir : Path
        the package's folder

    Returns
    -------
    Path or None
    """
    parts = name.split(".")[1:]
    where = package_dir.joinpath(*parts)
    candidates = ([where.with_suffix(".py")] if parts else []) + [where / "__init__.py"]
    return next((p for p in candidates if p.is_file()), None)


def observed(log: Path, package_dir: Path) -> Observed:
    """Read the log a kernel's hook wrote.

    Each path once, in the order seen (lines that are not the hook's are skipped).

    Parameters
    ----------
    log : Path
        the log (missing: nothing was observed)
    package_dir : Path
        the package's folder, to find its modules' files

    Returns
    -------
    Observed
    """
    found = Observed()
    seen: set = set()
    lines = Path(log).read_text(encoding="utf-8").splitlines() if Path(log).is_file() else []
    for line in lines:
        try:
            kind, path, *about = json.loads(line)
        except (ValueError, TypeError):
            continue
        if kind == "code":
            _add_code(found.code, str(path), about)
            continue
        if kind == "module":
            path = module_file(str(path), package_dir) if not os.path.isabs(str(path)) else Path(path)
            if path is None or not path.is_file():
                continue
            path = str(path)
        if (kind, path) in seen or kind not in ("read", "wrote", "module", "input"):
            continue
        seen.add((kind, path))
        {"read": found.read, "wrote": found.wrote, "module": found.modules}.get(kind, found.inputs).append(
            [path, *(about + [None, None])[:2]] if kind == "input" else path
        )
    return found


def _add_code(code: dict, path: str, about: list) -> None:
    """Join one ``code`` line's record (JSON: sha256 and functions) into ``code`` (another shape: skipped)."""
    from wijkstudie.core.code_trace import merge  # in the runner (the hook itself imports nothing of the package)

    try:
        record = json.loads(about[0])
        sha256, functions = str(record["sha256"]), dict(record["functions"])
    except (ValueError, TypeError, KeyError, IndexError):
        return
    merge(code, {path: {"sha256": sha256, "functions": {str(k): str(v) for k, v in functions.items()}}})


if __name__ == "__audit__":
    install(LOG)  # noqa: F821 (given by the runner through init_globals)
