"""Derived tables.

(what a study builds from loaded tables: joins, samples, survey tables) cached as (Geo)Parquet with their records
(``attrs``: load report, join reports, provenance, definitions) in a JSON file beside them, so that a second kernel
reads a table instead of building it again.

An entry is found by its identity: the builder's name and arguments, what else decides it (``extra``, e.g. a
sample's declaration) and the settings that change tables (``TABLE_SETTINGS``). Its JSON report records the inputs
of the build: every raw file read (its path as read, links not followed, and its cache key: content hash, reader
version, variable dictionary; ``cache.cache_key``), every file a load looked for first and did not find, the
package's data descriptions (its YAML files; of findings.yaml, the sections the build read) and the code the build
ran: the build runs under a profiler (``core.code_trace.traced``) that notes every function of the package called,
and the report keeps a hash of each one's code (``code_trace.records``). The entry is served only when

- every input still has the recorded key, no file looked for has appeared, the data descriptions are unchanged and
  every function the build ran has its recorded code (else the table is built again, in silence: a changed input
  is not damage; an edit to a function the build did not run, or a comment, keeps the entry);
- the Parquet file's SHA-256 is the one recorded, the report's identity is the one asked for and the table read
  has the recorded rows and columns (else it is built again, with one warning: damaged or not what it should be).

Nothing is pickled: the table is Parquet, the records JSON. Warnings raised while building are recorded and raised
again whenever the entry is served, so a kernel that reads the table sees what one that built it saw. Built or
served, a table announces its raw files (``announce_input``) and the code its build ran (``code_trace.announce``,
function by function) as inputs of whatever is computed from it: a notebook that reads it is run again when one of
those changes, and only then.
Storing an entry removes those it replaces: the same builder, arguments and settings under another declaration or
layout (``_remove_superseded``), so an edited declaration leaves no table behind.
``enabled(False)`` builds without the cache (e.g. to compare).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import io
import json
import os
import re
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from ..core import code_trace
from ..core.errors import WijkstudieWarning
from ..core.hashing import cached_file_sha256
from ..core.paths import PACKAGE_DIR, processed_dir
from ..core.provenance import announce_input
from ..core.settings import settings
from ..core.spec_sections import description_files
from .cache import _write_atomic, cache_key
from .geoparquet import read_cached_table

FOLDER = "derived"  # under processed_dir()
FORMAT = 3  # the layout of an entry; a new one gives every entry a new key
TABLE_SETTINGS = ("data", "mirror", "data_dir", "max_sheet_cells", "max_columns", "max_unpacked_bytes")
TABLE_SETTINGS += ("max_repair_crossings", "max_repair_points")
TABLE_SETTINGS += ("synthetic_mirror",)  # each synthetic world (seed, scenario) its own mirror, files kept side by side
_RECORDERS: list[dict] = []  # the builds under way (a derived table built inside another records into both)
_STATE = {"enabled": True}


def note_input(path: Path, key: str, dataset: str | None = None, year: int | None = None) -> None:
    """Record a raw file read while derived tables are built (``reading.read_table`` calls it).

    Parameters
    ----------
    path : Path
        the raw file
    key : str
        its cache key (``cache.cache_key``)
    dataset : str, optional
        its catalogue dataset, announced again with the file whenever the table is served (``announce_input``)
    year : int, optional
        its reference year

    Returns
    -------
    None
    """
    read_as = os.path.abspath(path)  # links not followed: a link that names another file later is a changed input
    for recorder in _RECORDERS:
        recorder["inputs"][read_as] = key
        recorder["reads"].setdefault(
            read_as, {"kind": "read", "path": read_as, "about": {"dataset": dataset, "year": year}}
        )


def note_absent(path: Path | None) -> None:
    """Record a file a load looked for and did not find while derived tables are built.

    (should it appear, the load would read it instead).

    Parameters
    ----------
    path : Path or None
        where the file would lie (None: nothing to record)

    Returns
    -------
    None
    """
    if path is None:
        return
    for recorder in _RECORDERS:
        recorder["absent"].setdefault(str(path), None)


def _recorder() -> dict:
    return {"inputs": {}, "absent": {}, "reads": {}, "code": {}}


@contextmanager
def enabled(on: bool = True):
    """Serve and store derived tables (True, the default) or build every one afresh (False) inside the block.

    Parameters
    ----------
    on : bool
        whether the cache is used

    Returns
    -------
    contextmanager
    """
    before = _STATE["enabled"]
    _STATE["enabled"] = bool(on)
    try:
        yield
    finally:
        _STATE["enabled"] = before


def derived_table(extra=None):
    """Cache a function that builds a table from loaded ones (see the module docstring).

    Its arguments must be plain values (numbers, texts, booleans, None). The code that builds the table need not be
    named: the build is traced, and the functions it ran are recorded with the entry.

    Parameters
    ----------
    extra : callable, optional
        takes the function's arguments (as a dict) and returns plain data that decides the table too (e.g. a
        sample's declaration)

    Returns
    -------
    callable
        a decorator
    """

    def decorate(build):
        signature = inspect.signature(build)

        @functools.wraps(build)
        def cached(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            params = dict(bound.arguments)
            identity = {
                "table": f"{build.__module__}.{build.__qualname__}",
                "arguments": params,
                "extra": extra(params) if extra is not None else None,
                "settings": {name: str(getattr(settings, name)) for name in TABLE_SETTINGS},
                "format": FORMAT,
            }
            return _serve_or_build(identity, lambda: build(*args, **kwargs), build.__code__.co_filename)

        return cached

    return decorate


def descriptions() -> dict:
    """The package's data descriptions (``spec_sections.description_files``) and the SHA-256 of each.

    Not those read section by section (``spec_sections.SECTIONED``): a build records the sections it read.

    Returns
    -------
    dict
        file relative to the package -> SHA-256
    """
    return {str(p.relative_to(PACKAGE_DIR)): cached_file_sha256(p) for p in description_files()}


def _key(identity: dict) -> str:
    return hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()[:24]


def _paths(identity: dict) -> tuple[Path, str]:
    """The entry's report (``<builder>-<key>.json``) and the stem of its table's name.

    The table is ``<stem>.<its SHA-256, 16 digits>.parquet``, named in the report, so that a report always names a whole
    table (two kernels storing one entry at once each write a complete table before the report that names it).
    """
    stem = f"{identity['table'].rsplit('.', 1)[-1].lstrip('_')}-{_key(identity)}"
    return processed_dir() / FOLDER / f"{stem}.json", stem


def _serve_or_build(identity: dict, build, where: str) -> pd.DataFrame:
    if not _STATE["enabled"]:
        announce_input(where)  # built untraced: what is computed from it depends on the builder's whole module
        return build()
    meta_path, stem = _paths(identity)
    served, problem = _serve(identity, meta_path, stem)
    if served is not None:
        return served
    if problem:
        warnings.warn(
            f"derived table {identity['table']}: the cached entry {meta_path.name} {problem}: built again",
            WijkstudieWarning,
            stacklevel=4,
        )
    recorder = _recorder()
    _RECORDERS.append(recorder)
    try:
        with warnings.catch_warnings(record=True) as caught, code_trace.traced() as ran:
            warnings.simplefilter("always")
            table = build()
    finally:
        _RECORDERS.pop()  # this build's (a stack: a build inside it has ended before)
    if ran is None:  # another profiler is active: the code it ran is unknown, so the table is not stored
        announce_input(where)
        return table
    # the code it ran, with that of the entries served inside it (already in the recorder)
    code_trace.merge(recorder["code"], ran.records(also=[where]))
    code_trace.announce(recorder["code"])  # what is computed from the table depends on the code that built it
    for outer in _RECORDERS:
        code_trace.merge(outer["code"], recorder["code"])
    for w in caught:  # raised again as they were
        warnings.warn(w.message, w.category, stacklevel=4)
    said = [{"category": w.category.__name__, "message": str(w.message), "fields": _fields(w.message)} for w in caught]
    _store(table, identity, recorder, said, meta_path, stem)
    return table


def _serve(identity: dict, meta_path: Path, stem: str) -> tuple[pd.DataFrame | None, str]:
    """The entry, or None and why it cannot be served ("" when it is missing or its inputs changed)."""
    if not meta_path.is_file():
        return None, ""
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, "has a report that is not readable JSON"
    if (
        not isinstance(meta, dict)
        or not all(
            isinstance(meta.get(k), t)
            for k, t in (
                ("identity", dict),
                ("inputs", dict),
                ("absent", list),
                ("attrs", dict),
                ("warnings", list),
                ("reads", list),
                ("code", dict),
                ("descriptions", dict),
            )
        )
        or not re.fullmatch(re.escape(stem) + r"\.[0-9a-f]{16}\.parquet", str(meta.get("file")))
        or not _well_formed(meta)
    ):
        return None, "has a report of the wrong shape"  # the table's name too: never a path out of the folder
    if json.dumps(meta["identity"], sort_keys=True, default=str) != json.dumps(identity, sort_keys=True, default=str):
        return None, "is not the table asked for (its identity differs)"
    if not _inputs_unchanged(meta) or meta["descriptions"] != descriptions() or not code_trace.unchanged(meta["code"]):
        return None, ""
    try:
        content = (meta_path.parent / meta["file"]).read_bytes()
    except OSError as exc:
        return None, f"has no readable table ({exc.strerror})"
    if hashlib.sha256(content).hexdigest() != meta.get("sha256"):
        return None, "does not have the recorded content hash"
    try:  # the bytes hashed are the bytes read
        table = read_cached_table(content, geometry=bool(meta.get("geometry")))
    except Exception:  # a file with the recorded hash that cannot be read: built again
        return None, "cannot be read as Parquet"
    if len(table) != meta.get("rows") or list(map(str, table.columns)) != meta.get("columns"):
        return None, "does not have the recorded rows and columns"
    if str(table.columns.dtype) != meta["columns_dtype"]:
        table.columns = table.columns.astype(meta["columns_dtype"])  # Parquet keeps names, not their dtype
    try:
        table.attrs = _records(meta["attrs"])
    except (TypeError, ValueError, AttributeError, KeyError):
        return None, "has records that cannot be read"
    for recorder in _RECORDERS:  # a build around this one depends on its inputs too
        recorder["inputs"].update(meta["inputs"])
        for read in meta["reads"]:
            if isinstance(read, dict) and isinstance(read.get("path"), str):
                recorder["reads"].setdefault(read["path"], read)
        for path in meta["absent"]:
            recorder["absent"].setdefault(path, None)
        code_trace.merge(recorder["code"], meta["code"])
    _replay(meta["warnings"])
    code_trace.announce(meta["code"])  # the code that built it: an input of whatever is computed from it
    for read in meta["reads"]:  # the data files it was built from: inputs of whatever is computed from it
        if isinstance(read, dict) and isinstance(read.get("path"), str) and isinstance(read.get("about"), dict):
            about = read["about"]
            year = about.get("year")
            announce_input(read["path"], about.get("dataset"), year if isinstance(year, int) else None)
    return table, ""


def _records(attrs: dict) -> dict:
    """A served table's ``attrs``.

    Its provenance as the read-only record ``attach`` gives a built table (which pandas shares instead of deep-copying
    it at every step), read once here: a record that is not a provenance raises (TypeError, ValueError, ...).
    """
    from ..core.provenance import ATTR, Provenance, Record

    if ATTR in attrs:
        attrs[ATTR] = Record(attrs[ATTR], parsed=Provenance.from_dict(attrs[ATTR]))
    return attrs


def _well_formed(meta: dict) -> bool:
    """Whether a report's records have the shapes the checks read.

    Texts for the files looked for and the inputs' keys, a code record per file, a columns dtype pandas knows.
    """
    try:
        pd.api.types.pandas_dtype(str(meta.get("columns_dtype")))
    except TypeError:
        return False
    return (
        all(isinstance(path, str) for path in meta["absent"])
        and all(isinstance(key, str) for key in meta["inputs"].values())
        and all(
            isinstance(record, dict)
            and isinstance(record.get("sha256"), str)
            and isinstance(record.get("functions"), dict)
            for record in meta["code"].values()
        )
    )


def _inputs_unchanged(meta: dict) -> bool:
    """Whether every recorded input has its recorded key and no file looked for has appeared."""
    if any(Path(path).exists() for path in meta["absent"]):
        return False
    for path, key in meta["inputs"].items():
        try:
            if cache_key(Path(path)) != key:
                return False
        except OSError:
            return False
    return True


def _replay(said: list) -> None:
    import builtins

    from ..core import errors

    for record in said:
        if not isinstance(record, dict):
            continue
        name = record.get("category", "")
        category = getattr(errors, name, None) or getattr(builtins, name, None)
        if not (isinstance(category, type) and issubclass(category, Warning)):
            category = UserWarning  # another library's category: raised under the general one
        message, fields = str(record.get("message", "")), record.get("fields") or {}
        try:  # the warning as it was raised, its fields included (ModelImpliedWarning's outcome, term, ...)
            warning = category(message, **fields) if fields else category(message)
        except TypeError:  # an entry written without the fields a category needs: its text, as the package's own
            warning = errors.WijkstudieWarning(message)
        warnings.warn(warning, stacklevel=5)


def _fields(warning: Warning) -> dict:
    """The fields a warning carries beside its text (a ``ModelImpliedWarning``'s outcome, term, ...), as JSON values."""
    plain = (str, int, float, bool, type(None))
    return {
        name: list(value) if isinstance(value, tuple) else value
        for name, value in vars(warning).items()
        if isinstance(value, plain) or (isinstance(value, (tuple, list)) and all(isinstance(v, plain) for v in value))
    }


def _is_geo(table) -> bool:
    geopandas = sys.modules.get("geopandas")  # a GeoDataFrame cannot exist without it
    return geopandas is not None and isinstance(table, geopandas.GeoDataFrame)


def _store(table, identity: dict, recorder: dict, said: list, meta_path: Path, stem: str) -> None:
    if not isinstance(table, pd.DataFrame):
        return
    try:
        attrs = json.loads(json.dumps(table.attrs))
    except (TypeError, ValueError):  # records that are not plain data cannot be kept: the table is not cached
        return
    copy = table.copy(deep=False)
    copy.attrs = {}
    buffer = io.BytesIO()
    copy.to_parquet(buffer)
    content = buffer.getvalue()
    digest = hashlib.sha256(content).hexdigest()
    table_path = meta_path.parent / f"{stem}.{digest[:16]}.parquet"
    _write_atomic(table_path, lambda p: Path(p).write_bytes(content))
    if not table_path.is_file():
        return  # the folder cannot be written (warned once)
    meta = {
        "identity": identity,
        "file": table_path.name,
        "sha256": digest,
        "rows": len(table),
        "columns": list(map(str, table.columns)),
        "columns_dtype": str(table.columns.dtype),
        "geometry": _is_geo(table),  # a GeoDataFrame: read back with geopandas
        "inputs": recorder["inputs"],
        "absent": sorted(recorder["absent"]),
        "reads": list(recorder["reads"].values()),
        "code": recorder["code"],
        "descriptions": descriptions(),
        "attrs": attrs,
        "warnings": said,
    }
    _write_atomic(meta_path, lambda p: Path(p).write_text(json.dumps(meta, indent=1), encoding="utf-8"))
    for old in meta_path.parent.glob(f"{stem}.*.parquet"):  # the tables of earlier inputs
        if old != table_path:
            old.unlink(missing_ok=True)
    _remove_superseded(identity, meta_path)


SUPERSEDING = ("table", "arguments", "settings")  # an entry that agrees on these and differs otherwise is replaced


def _remove_superseded(identity: dict, meta_path: Path) -> None:
    """Remove the entries the one just stored replaces.

    Those of the same builder, arguments and settings under another declaration (``extra``, e.g. a sample's, edited in
    findings.yaml) or another layout of entries (``FORMAT``). Nothing asks for such an entry again unless the
    declaration is changed back (it is then built again); without this, every edit of a declaration left a table
    behind for good. An entry of other arguments or settings (another year, another mirror or synthetic world) stays,
    and so does one whose report cannot be read. The report goes first, so that no kernel finds the entry afterwards.
    """

    def part(whose: dict) -> str:  # as _serve compares identities: their JSON
        return json.dumps({k: whose[k] for k in SUPERSEDING}, sort_keys=True, default=str)

    mine = part(identity)
    name = meta_path.stem.rsplit("-", 1)[0]  # the builder's part of the entry's name (``_paths``)
    for other in meta_path.parent.glob(f"{name}-*.json"):
        if other == meta_path:
            continue
        try:
            same = part(json.loads(other.read_text(encoding="utf-8"))["identity"]) == mine
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if same:
            other.unlink(missing_ok=True)
            for table in meta_path.parent.glob(f"{other.stem}.*.parquet"):
                table.unlink(missing_ok=True)
