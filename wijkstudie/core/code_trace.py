"""Which of the package's functions a block of code ran, as code records that tell when that code changed.

A derived table's build runs under ``traced()``: a profile function (``sys.setprofile``, and ``threading.setprofile``
for threads started inside the block) notes the code object of every Python function called. A cached function
(``functools.lru_cache``) that answers from its cache runs nothing the profiler sees, yet its answer depends on the
code that computed it: the block reads its hits from ``cache_info()`` and counts the function with everything its
computations ran inside traced blocks (followed as they happen), or, when it was computed before any traced block,
its whole file. Only the block pays the profiler; a table served from its cache is not traced. ``records`` turns
the code objects of the package's files into code records:

``{file relative to the package: {"sha256": the file's SHA-256, "functions": {unit: hash}}}``

where a unit is a module-level function or a method of a module-level class (a nested function, lambda or
comprehension counts as the unit it lies in) and its hash is that of its syntax tree (decorators, signature and body;
not its comments, layout or line numbers), and ``<module>`` is the module's other statements (constants, imports,
classes without their methods), which every function of the module may read: it is recorded whenever one of the
file's functions ran.

A specification read section by section (``core.spec_sections``: findings.yaml) is recorded the same way: its
units are the sections read (``["findings", "F6"]``; ``["findings", null]`` for the names of its entries), each with
the hash of its content, noted by ``note_unit`` as it is read (into the block under way, and announced).

A kernel that imports a module depends on the whole file (``notebook_cache``), except, in a module that defines
derived tables, the functions decorated with ``derived_table``: they run only inside a traced build, which records
them, so ``import_record`` gives such a module's record as one unit, ``<imported>``: the file's text without those
functions (an edit to one builder runs again only the notebooks whose tables its build made). That unit is text,
comments included, as a whole imported file is: a notebook's outputs (a warning's line) can name its lines.

``unchanged(records)`` says whether the recorded code is still the package's: a file with its recorded SHA-256 is
unchanged without being parsed; a file that changed is parsed and compared unit by unit, so an edit to a function no
recorded block ran, or a comment in a function or among the module's statements, leaves the records valid.
``announce`` says, through the audit event ``wijkstudie.code``, that what this process computes depends on that code
(the notebook runner listens).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import os
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

from yaml import YAMLError

from .hashing import cached_file_sha256
from .settings import PACKAGE_DIR

MODULE = "<module>"  # the unit of a module's statements outside its functions
MIXED = "mixed"  # the SHA-256 or hash of a file or unit recorded in two versions (``merge``): no file or unit has it
IMPORTED = "<imported>"  # the unit of a module's text outside its derived tables' builders (``import_record``)
BUILDER = "derived_table"  # the decorator of the functions that run only inside a traced build
CODE_EVENT = "wijkstudie.code"  # the audit event of ``announce``
_LRU = type(functools.lru_cache(maxsize=1)(lambda: None))  # an lru_cache wrapper (a C object: no Python call)
_STATE: dict = {"seen": None, "units": None, "whole": None}  # what the innermost ``traced`` block saw (its Trace's)
_ANNOUNCED: set = set()  # the units this process has announced (each once)
# A cached function's answer depends on the code its computation ran, which a hit does not run (and the profiler does
# not see a hit: an lru_cache wrapper is a C object). So the computations of the package's cached functions inside
# traced blocks are followed (what each ran, ``_CALLEES``), and a block's hits are read from ``cache_info()``.
_CACHED: dict = {"modules": -1, "wrappers": {}}  # code of a cached function of the package -> its wrapper
_CALLEES: dict = {}  # wrapper -> the code objects its computations ran inside traced blocks
_COMPUTING: list = []  # the computations of cached functions under way: (frame, the code objects run since, wrapper)


def _profile(frame, event, arg) -> None:
    seen = _STATE["seen"]
    if seen is None:  # a thread started inside a block that has ended: it stops profiling itself
        sys.setprofile(None)
    elif event == "call":
        code = frame.f_code
        seen.add(code)
        for computing in _COMPUTING:
            computing[1].add(code)
        wrapper = _CACHED["wrappers"].get(code)
        if wrapper is not None:  # a cached function computing its answer
            _COMPUTING.append((frame, {code}, wrapper))
    elif event == "return" and _COMPUTING and _COMPUTING[-1][0] is frame:
        _, ran, wrapper = _COMPUTING.pop()
        _CALLEES[wrapper] = _CALLEES.get(wrapper, set()) | ran


def _cached_functions() -> dict:
    """The lru-cached functions of the package and of modules outside the installation (a user's, a test's).

    Of the modules imported so far: their code -> their wrapper.
    """
    imported = hash(tuple(map(id, list(sys.modules.values()))))  # which modules (a module replaced counts too)
    if _CACHED["modules"] != imported:
        wrappers = {}
        installed = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
        for name, module in list(sys.modules.items()):
            where = getattr(module, "__file__", None) or ""
            if name.startswith(__package__.split(".")[0] + ".") or (where and not where.startswith(installed)):
                for value in list(vars(module).values()):
                    code = getattr(getattr(value, "__wrapped__", None), "__code__", None)
                    if type(value) is _LRU and code is not None:
                        wrappers[code] = value
        _CACHED.update(modules=imported, wrappers=wrappers)
    return _CACHED["wrappers"]


def _hits() -> dict:
    return {wrapper: wrapper.cache_info().hits for wrapper in _cached_functions().values()}


def _add_hits(trace: Trace, before: dict) -> None:
    """Count the cached answers a block was given: the function, and what its computations ran (else its file)."""
    for wrapper, hits in _hits().items():
        if hits > before.get(wrapper, 0):
            code = wrapper.__wrapped__.__code__
            trace.codes.add(code)
            known = _CALLEES.get(wrapper)
            if known:
                trace.codes.update(known)
            else:  # computed before any traced block: what it ran is unknown, so its whole file stands for it
                trace.whole.add(code.co_filename)


class Trace:
    """What a ``traced`` block ran: ``codes`` (code objects) and ``units`` (code records noted by ``note_unit``)."""

    def __init__(self):
        self.codes: set = set()
        self.units: dict = {}
        self.whole: set = set()  # files recorded whole: a cached function's, whose computation no block followed

    def records(self, also=(), package_dir: Path | None = None) -> dict:
        """The block's code records: those of its code objects (``records``) and the units noted.

        Parameters
        ----------
        also : iterable of str
            other source files whose code is recorded too (see ``records``)
        package_dir : Path, optional
            the package's folder

        Returns
        -------
        dict
        """
        return merge(records(self.codes, also, package_dir or PACKAGE_DIR, whole=self.whole), self.units)


@contextmanager
def traced():
    """Note the code objects of the Python functions called inside the block (in this thread and threads it starts).

    A block inside another reports its own functions and adds them to the outer one's. When another profiler is
    already active (``sys.getprofile()``), nothing is traced and None is yielded: the caller cannot know the code
    that ran.

    Returns
    -------
    contextmanager
        yields a ``Trace`` (filled when the block ends), or None
    """
    outer = (_STATE["seen"], _STATE["units"], _STATE["whole"])
    if outer[0] is None and sys.getprofile() is not None:
        yield None
        return
    trace = Trace()
    hits = _hits()
    _STATE["seen"], _STATE["units"], _STATE["whole"] = trace.codes, trace.units, trace.whole
    if outer[0] is None:
        before = threading.getprofile()
        threading.setprofile(_profile)
        sys.setprofile(_profile)
    try:
        yield trace
    finally:
        if outer[0] is None:
            sys.setprofile(None)
            threading.setprofile(before)
            _COMPUTING.clear()
        _add_hits(trace, hits)
        if outer[0] is not None:
            outer[0].update(trace.codes)
            merge(outer[1], trace.units)
            outer[2].update(trace.whole)
        _STATE["seen"], _STATE["units"], _STATE["whole"] = outer


def note_unit(path: str, sha256: str, name: str, digest: str) -> None:
    """Note that a unit of a file was read: into the ``traced`` block under way, and announced (once per process).

    Parameters
    ----------
    path : str
        the file, relative to the package (or absolute)
    sha256 : str
        the file's SHA-256
    name : str
        the unit
    digest : str
        the hash of its content (``digest``)

    Returns
    -------
    None
    """
    record = {"sha256": sha256, "functions": {name: digest}}
    if _STATE["units"] is not None:
        merge(_STATE["units"], {path: record})
    if (path, name, digest) not in _ANNOUNCED:
        _ANNOUNCED.add((path, name, digest))
        announce({path: record})


class _Sections:
    """The units of a specification read section by section (a YAML file): the hash of a section's content."""

    def __init__(self, path: Path):
        from .yamlfile import load_yaml

        content = Path(path).read_bytes()
        self.sha256 = hashlib.sha256(content).hexdigest()
        self.data = load_yaml(content)

    def hash_of(self, name: str) -> str | None:
        """The hash of the unit ``name`` (a JSON list of keys; a last key null: the names of the entries)."""
        value = self.data
        keys = json.loads(name)
        for key in keys[:-1] if keys and keys[-1] is None else keys:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        if keys and keys[-1] is None:
            return digest(list(value)) if isinstance(value, dict) else None
        return digest(value)


def digest(value) -> str:
    """The hash of a specification's section (its content as JSON, keys sorted).

    Parameters
    ----------
    value : object
        plain data (dicts, lists, texts, numbers)

    Returns
    -------
    str
    """
    return _digest(json.dumps(value, sort_keys=True, default=str))


class _Units:
    """The units of one source file: each one's hash, and the lines each function unit spans."""

    def __init__(self, path: Path):
        content = Path(path).read_bytes()
        self.sha256 = hashlib.sha256(content).hexdigest()
        tree = ast.parse(content)
        self.spans: list[tuple[int, int, str]] = []  # (first line, last line, unit), in the file's order
        self.hashes: dict[str, str] = {}
        skeleton: list[str] = []
        self.builders: list[tuple[int, int]] = []  # the lines of the functions decorated with ``derived_table``
        self._walk(tree.body, "", skeleton)
        self.hashes[MODULE] = _digest("\n".join(skeleton))
        lines = content.decode("utf-8", "surrogateescape").splitlines(keepends=True)
        kept = [t for i, t in enumerate(lines, 1) if not any(a <= i <= b for a, b in self.builders)]
        self.hashes[IMPORTED] = _digest("".join(kept))

    def _walk(self, body: list, prefix: str, skeleton: list) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = prefix + node.name
                while name in self.hashes:  # a name defined twice (a property's setter): each its own unit
                    name += "'"
                first = min([d.lineno for d in node.decorator_list] + [node.lineno])
                self.spans.append((first, node.end_lineno, name))
                self.hashes[name] = _digest(ast.dump(node))
                if any(_named(d.func if isinstance(d, ast.Call) else d) == BUILDER for d in node.decorator_list):
                    self.builders.append((first, node.end_lineno))
            elif isinstance(node, ast.ClassDef):
                heading = [*node.bases, *node.keywords, *node.decorator_list]
                skeleton.append(f"class {node.name} " + " ".join(ast.dump(part) for part in heading))
                self._walk(node.body, f"{prefix}{node.name}.", skeleton)
                skeleton.append("end class")
            else:
                skeleton.append(ast.dump(node))

    def hash_of(self, name: str) -> str | None:
        """The hash of the unit ``name`` (None when the file has none of that name)."""
        return self.hashes.get(name)

    def unit(self, line: int) -> str:
        """The unit a code object starting at ``line`` belongs to."""
        return next((name for first, last, name in self.spans if first <= line <= last), MODULE)


def _named(node) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=512)
def _units_of(path: str, size: int, mtime_ns: int) -> _Units | _Sections:
    return _Units(Path(path)) if path.endswith(".py") else _Sections(Path(path))


def units(path) -> _Units:
    """The units of a source file (parsed once per version of the file).

    Parameters
    ----------
    path : str or Path
        the file

    Returns
    -------
    _Units
        ``sha256`` and ``hash_of(unit)`` (a Python file: also ``hashes`` and ``unit(line)``)

    Raises
    ------
    OSError
        when the file cannot be read
    SyntaxError
        when it is not Python
    """
    stat = os.stat(path)
    return _units_of(str(path), stat.st_size, stat.st_mtime_ns)


def import_record(path) -> dict | None:
    """What a kernel that imported a module depends on, as a code record, when the module defines derived tables.

    Its text without the functions decorated with ``derived_table`` (unit ``<imported>``); None for a module that
    defines none (or cannot be read): the whole file counts.

    Parameters
    ----------
    path : str or Path
        the module's file

    Returns
    -------
    dict or None
        {"sha256": ..., "functions": {"<imported>": hash}}
    """
    try:
        if f"@{BUILDER}".encode() not in Path(path).read_bytes():
            return None
        found = units(path)
    except (OSError, SyntaxError, ValueError):
        return None
    if not found.builders:
        return None
    return {"sha256": found.sha256, "functions": {IMPORTED: found.hashes[IMPORTED]}}


def records(codes, also=(), package_dir: Path = PACKAGE_DIR, *, whole=()) -> dict:
    """The code records of the package's code objects among ``codes`` (see the module docstring).

    Parameters
    ----------
    codes : iterable of code objects
        as ``traced`` gives them
    also : iterable of str
        other source files whose code is recorded too (e.g. a builder's own file outside the package), by absolute path
    package_dir : Path
        the package's folder (other files are recorded only when named in ``also``)
    whole : iterable of str
        files recorded with every unit (a cached function's, whose computation no traced block followed)

    Returns
    -------
    dict
        file (relative to the package, or absolute) -> {"sha256": ..., "functions": {unit: hash}}
    """
    root, also = str(Path(package_dir).resolve()) + os.sep, set(also)
    lines: dict[str, set] = {}
    for code in codes:
        name = code.co_filename
        if ((name.startswith(root) and name.endswith(".py")) or name in also) and name != __file__:  # not the tracer
            lines.setdefault(name, set()).add(code.co_firstlineno)
    out = {}
    for path in sorted(lines):
        try:
            found = units(path)
        except (OSError, SyntaxError, ValueError):
            continue  # a file gone since it ran: the caller's next check finds it changed
        names = (
            sorted(n for n in found.hashes if n != IMPORTED)
            if path in whole
            else sorted({MODULE} | {found.unit(line) for line in lines[path]})
        )
        key = path[len(root) :] if path.startswith(root) else path
        out[key] = {"sha256": found.sha256, "functions": {n: found.hashes[n] for n in names}}
    return out


def merge(into: dict, more: dict) -> dict:
    """Add code records to others (the units of a file in both are joined).

    Parameters
    ----------
    into : dict
        records, changed in place
    more : dict
        records to add

    Returns
    -------
    dict
        ``into``; a file recorded with two SHA-256s gets ``MIXED`` as its own (it is then checked unit by unit), and a
        unit recorded with two hashes ``MIXED`` as its hash (it never matches: one of its versions is gone)
    """
    for path, record in more.items():
        have = into.setdefault(path, {"sha256": record["sha256"], "functions": {}})
        if have["sha256"] != record["sha256"]:  # two versions of the file: neither SHA-256 vouches for every unit
            have["sha256"] = MIXED
        functions = have["functions"]
        for name, hashed in record["functions"].items():
            functions[name] = hashed if functions.get(name, hashed) == hashed else MIXED  # two versions of a unit ran
    return into


def unchanged(recorded, package_dir: Path = PACKAGE_DIR) -> bool:
    """Whether every recorded unit still has its recorded hash (records of another shape: False).

    Parameters
    ----------
    recorded : dict
        code records (paths relative to ``package_dir``, or absolute)
    package_dir : Path
        the package's folder

    Returns
    -------
    bool
    """
    if not isinstance(recorded, dict):
        return False
    for path, record in recorded.items():
        try:
            if cached_file_sha256(Path(package_dir) / path) == record["sha256"]:
                continue  # the file as it was: not parsed
            found = units(Path(package_dir) / path)
            if any(found.hash_of(name) != hashed for name, hashed in record["functions"].items()):
                return False
        except (OSError, SyntaxError, ValueError, TypeError, KeyError, AttributeError, YAMLError):
            return False
    return True


def announce(recorded: dict, package_dir: Path = PACKAGE_DIR) -> None:
    """Say, through the audit event ``wijkstudie.code``, that what this process computes depends on recorded code.

    One event per file: its absolute path and its record as JSON (a process with no audit hook pays nothing).

    Parameters
    ----------
    recorded : dict
        code records
    package_dir : Path
        the package's folder, that relative paths are in

    Returns
    -------
    None
    """
    for path, record in recorded.items():
        sys.audit(CODE_EVENT, str(Path(package_dir) / path), json.dumps(record, sort_keys=True))
