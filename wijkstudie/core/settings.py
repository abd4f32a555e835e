"""Settings: where the data come from, which language figures speak, where files go.

One object, ``wijkstudie.settings``, holds them all, for every way of using the package (plain Python, JupyterLab,
the ``wijkstudie`` command, ``make``). Each setting is taken from the first of:

1. an argument of the call, where a function takes one (``save_figure(..., folder=...)``, ``language=``);
2. ``ws.settings``: a block (``with ws.settings.using(...)``), then an assignment (``ws.settings.mirror = ...``);
3. its environment variable (``WIJKSTUDIE_MIRROR``, ...);
4. the project file: ``wijkstudie.toml`` (settings as top-level keys), or the ``[tool.wijkstudie]`` table of a
   ``pyproject.toml``, the first of them found from the folder the program started in upwards, up to the
   repository root (the folder with ``.git``); ``WIJKSTUDIE_CONFIG`` names a file instead, or ``none``;
5. its default.

A project file, written once::

    # wijkstudie.toml, beside your notebooks or at the root of your project
    mirror = "../shared/data"      # relative paths are relative to this file's folder
    figures_dir = "figures"
    language = "nl"

None, or an empty text, means unset wherever it is written: ``ws.settings.data_dir = None`` is ``del
ws.settings.data_dir``, ``using(mirror=None)`` overrides nothing, and ``figures_dir = ""`` in the project file or an
empty ``WIJKSTUDIE_FIGURES_DIR`` count as not written (the next source decides). Limits (``max_sheet_cells``, ...)
are positive whole numbers (``5000000`` or ``5_000_000``; ``1,5`` is refused, naming where it was written).

Relative paths in the project file are taken from the file's folder; in an environment variable or in
``ws.settings`` from the folder the program started in (``START_DIR``). ``export_to_environment()`` writes the
effective settings, paths made absolute, into the environment before other programs are started (notebook
kernels, JupyterLab), so that they see the same folders whatever their own working folder is::

    import wijkstudie as ws
    print(ws.settings)                       # every setting, its value and where the value came from
    ws.settings.language = "nl"              # for the rest of the session
    with ws.settings.using(data="synthetic"):  # for a block of code only
        ws.load("kwb", year=2022)
    del ws.settings.language                 # back to the environment variable, the project file or the default

Reading a setting never touches the network; it reads the project file (kept while the file is unchanged).
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import json
import os
import re
import stat as stat_module
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import ArgumentError, os_reason


@dataclass(frozen=True)
class Setting:
    """One setting: its environment variable.

    Default (a value, or a function that gives it), meaning, allowed values and kind (text, path or count).
    """

    env: str
    default: object
    doc: str
    choices: tuple = ()
    kind: str = "text"  # text, path or count (a positive whole number: a limit)


PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the wijkstudie package

BLOCK, SESSION, ENVIRONMENT, PROJECT, DEFAULT = "block", "session", "environment", "project file", "default"


@dataclass(frozen=True)
class Origin:
    """Where a setting's value comes from, as fields.

    Which source (``BLOCK`` ``ws.settings.using``, ``SESSION`` ``ws.settings.<name> = ...``, ``ENVIRONMENT``,
    ``PROJECT`` file or ``DEFAULT``), the environment variable and the project file. A project file's value that a
    command passed on to this program through the environment has the source ``PROJECT``, its file and the variable it
    was passed on as. Sentences are made from the fields (``describe``, ``how_to_unset``), never read back.
    """

    setting: str
    source: str
    variable: str = ""  # the environment variable (source ENVIRONMENT, or a PROJECT value passed on as it)
    file: str = ""  # the project file's label (source PROJECT)

    def describe(self) -> str:
        """Where the value comes from, in words a user can act on.

        Returns
        -------
        str
            ``ws.settings.mirror``, ``the environment variable WIJKSTUDIE_MIRROR``, ``mirror in /x/wijkstudie.toml``
            (``... (passed on as WIJKSTUDIE_MIRROR)`` when a command passed it on), ``the default``
        """
        if self.source == BLOCK:
            return f"ws.settings.using({self.setting}=...)"
        if self.source == SESSION:
            return f"ws.settings.{self.setting}"
        if self.source == ENVIRONMENT:
            return f"the environment variable {self.variable}"
        if self.source == PROJECT:
            return f"{self.setting} in {self.file}" + (f" (passed on as {self.variable})" if self.variable else "")
        return "the default"

    def how_to_unset(self) -> str:
        """How to take the setting back to its default, in words that fit where it was set.

        Returns
        -------
        str
            ``del ws.settings.mirror``, ``unset WIJKSTUDIE_MIRROR``, ``remove mirror from /x/wijkstudie.toml``, ...
        """
        if self.source == BLOCK:
            return f"leave the block with ws.settings.using({self.setting}=...)"
        if self.source == SESSION:
            return f"del ws.settings.{self.setting}"
        if self.source == ENVIRONMENT:
            return f"unset {self.variable}"
        if self.source == PROJECT:
            return f"remove {self.setting} from {self.file}"
        return "nothing to unset"


def project_dir() -> Path:
    """The project's folder.

    The folder of the project file (``find_project_file``), else the folder the program started in (``START_DIR``). The
    figures and build folders left at their default lie in it.

    Returns
    -------
    Path
    """
    project = find_project_file()
    return project.path.parent if project is not None else START_DIR


def _in_project(folder: str):
    """The default of a folder setting: that folder of the project's folder (``project_dir``)."""
    return lambda: project_dir() / folder


def _default_cache() -> Path:
    """The default cache.

    The user cache folder of the operating system (a project sets its own: the repository's ``pyproject.toml`` says
    ``data_dir = "data"``).
    """
    import warnings

    with warnings.catch_warnings():  # pooch imports tqdm.auto, which warns in a kernel without ipywidgets
        warnings.filterwarnings("ignore", message="IProgress not found")
        import pooch

    return Path(pooch.os_cache("wijkstudie"))


SPEC = {
    "data": Setting(
        "WIJKSTUDIE_DATA",
        "real",
        "which data a session loads: 'real' (the publishers, or the "
        "mirror) or 'synthetic' (the synthetic mirror, setting synthetic_mirror)",
        ("real", "synthetic"),
    ),
    "mirror": Setting(
        "WIJKSTUDIE_MIRROR",
        None,
        "a local folder laid out like the publishers' mirror; every "
        "fetch reads from there and nothing is written into it",
        kind="path",
    ),
    "synthetic_mirror": Setting(
        "WIJKSTUDIE_SYNTHETIC_MIRROR",
        None,
        "the synthetic mirror: the folder read when data is 'synthetic'; written and set by whoever switches to the "
        "synthetic world (ws.use_synthetic(), the main command, the notebook tests)",
        kind="path",
    ),
    "data_dir": Setting(
        "WIJKSTUDIE_DATA_DIR",
        _default_cache,
        "the cache: raw/ downloads and processed/ tables (default: the user cache folder)",
        kind="path",
    ),
    "build_dir": Setting(
        "WIJKSTUDIE_BUILD_DIR",
        _in_project("build"),
        "where the main command keeps executed notebooks, its cache of them, logs and the report site "
        "(default: build/ of the project's folder: the project file's, else the folder the program started in)",
        kind="path",
    ),
    "figures_dir": Setting(
        "WIJKSTUDIE_FIGURES_DIR",
        _in_project("figures"),
        "where figures, the scorecard and recorded results go (default: figures/ of the project's folder)",
        kind="path",
    ),
    "language": Setting("WIJKSTUDIE_LANGUAGE", "en", "labels, legends and captions of figures", ("en", "nl")),
    "errors": Setting(
        "WIJKSTUDIE_ERRORS",
        "short",
        "how a wijkstudie error shows in a notebook cell: 'short' (its one-line message) or 'traceback' (IPython's "
        "full traceback)",
        ("short", "traceback"),
    ),
    "microdata": Setting(
        "WIJKSTUDIE_MICRODATA", None, "a survey file (.sav, .dta, .csv) for the resident-level notebooks", kind="path"
    ),
    "microdata_mapping": Setting(
        "WIJKSTUDIE_MICRODATA_MAPPING", None, "the mapping of that survey file onto the resident schema", kind="path"
    ),
    "max_sheet_cells": Setting(
        "WIJKSTUDIE_MAX_SHEET_CELLS",
        5_000_000,
        "the largest workbook sheet read (rows x columns, from its own XML, checked before it is parsed)",
        kind="count",
    ),
    "max_columns": Setting(
        "WIJKSTUDIE_MAX_COLUMNS",
        20_000,
        "the most columns a sheet or a CSV header may have (checked before parsing)",
        kind="count",
    ),
    "max_unpacked_bytes": Setting(
        "WIJKSTUDIE_MAX_UNPACKED_BYTES",
        200_000_000,
        "the most bytes a compressed file may unpack to: the members of a workbook or zip archive together, or an "
        "R data file (checked before it is parsed; the mirror's files unpack to at most 26 MB, a workbook, and "
        "55 MB, an R data file; the national KWB workbook with buurten to some 100 MB)",
        kind="count",
    ),
    "max_text_bytes": Setting(
        "WIJKSTUDIE_MAX_TEXT_BYTES",
        500_000_000,
        "the largest text file (CSV, JSON, GeoJSON) read, checked from its size before it is hashed or read (the "
        "mirror's largest is 3.8 MB, a GeoJSON of wijken; a text file is held in memory several times while read)",
        kind="count",
    ),
    "max_repair_crossings": Setting(
        "WIJKSTUDIE_MAX_REPAIR_CROSSINGS",
        50_000,
        "the most self-crossings of a boundary file's invalid polygons, together, that are repaired (make_valid "
        "takes about a second at 50,000; checked before the repair)",
        kind="count",
    ),
    "max_repair_points": Setting(
        "WIJKSTUDIE_MAX_REPAIR_POINTS",
        250_000,
        "the most points of one invalid polygon that is checked and repaired (valid polygons of any size load)",
        kind="count",
    ),
}

CONFIG_ENV = "WIJKSTUDIE_CONFIG"  # a project file to read instead of searching for one, or "none"
PROJECT_FILE = "wijkstudie.toml"
EXPORTED_ENV = "WIJKSTUDIE_SETTINGS_FROM"  # where exported settings came from, for the programs started with them


def _start_dir() -> Path:
    try:
        return Path.cwd()
    except OSError:  # the working folder was deleted
        return Path(os.environ.get("PWD") or "/")


START_DIR = _start_dir()  # the folder the program started in: relative paths of variables and ws.settings start here


@dataclass(frozen=True)
class ProjectFile:
    """A project file that was read: where it is and the settings it holds (raw, as written)."""

    path: Path
    values: dict

    @property
    def label(self) -> str:
        """The file in words: ``/x/wijkstudie.toml`` or ``/x/pyproject.toml [tool.wijkstudie]``."""
        return str(self.path) + (" [tool.wijkstudie]" if self.path.name == "pyproject.toml" else "")


_read_cache: dict = {}  # path -> ((mtime_ns, size), ProjectFile or None)


def _read_project_file(path: Path, *, required: bool) -> ProjectFile | None:
    """The settings of one project file (None for a pyproject.toml without ``[tool.wijkstudie]``).

    Kept while the file's size and modification time are unchanged.
    """
    try:
        stat = path.stat()
    except OSError as exc:
        if required:
            raise ArgumentError(f"{CONFIG_ENV}={path}: {os_reason(exc)}") from None
        return None
    named = f"{CONFIG_ENV}={path}" if required else str(path)
    if not stat_module.S_ISREG(stat.st_mode):  # a folder, /dev/zero, a FIFO (which would hang an open): never read
        raise ArgumentError(f"{named}: {_not_a_file(stat.st_mode)}, not a project file (a TOML file)")
    if stat.st_size > MAX_PROJECT_FILE_BYTES:
        raise ArgumentError(f"{named}: {stat.st_size:,} bytes, larger than a project file may be (1 MB)")
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _read_cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_PROJECT_FILE_BYTES + 1)  # capped: the file may grow after the stat
    except OSError as exc:
        raise ArgumentError(f"{path}: {os_reason(exc)}") from None
    if len(data) > MAX_PROJECT_FILE_BYTES:
        raise ArgumentError(f"{named}: larger than a project file may be (1 MB)")
    content = _parse_toml(data, path)
    if path.name == "pyproject.toml":
        tool = content.get("tool", {})
        table = tool.get("wijkstudie") if isinstance(tool, dict) else None
        if table is not None and not isinstance(table, dict):
            raise ArgumentError(f"{path}: tool.wijkstudie must be a table ([tool.wijkstudie]), not {table!r}")
        found = None if table is None and not required else ProjectFile(path, dict(table or {}))
    else:
        found = ProjectFile(path, content)
    if found is not None:
        unknown = [k for k in found.values if k not in SPEC]
        if unknown:
            raise ArgumentError(f"{found.label}: unknown setting {unknown[0]!r}; settings: {', '.join(SPEC)}")
    _read_cache[path] = (stamp, found)
    return found


MAX_PROJECT_FILE_BYTES = 1 << 20  # a project file is a few lines; a larger file is something else


def _not_a_file(mode: int) -> str:
    """What a path that is not a regular file is, in words."""
    if stat_module.S_ISDIR(mode):
        return "a folder"
    if stat_module.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat_module.S_ISCHR(mode) or stat_module.S_ISBLK(mode):
        return "a device"
    if stat_module.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _parse_toml(data: bytes, path: Path) -> dict:
    """A project file's bytes read as TOML (UTF-8, as TOML requires), every failure one line naming the file."""
    if data.startswith(codecs.BOM_UTF8):
        raise ArgumentError(f"{path}: starts with a UTF-8 byte-order mark (BOM); save it as UTF-8 without one")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ArgumentError(f"{path}: UTF-16 text; a project file is UTF-8 (save it as UTF-8)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArgumentError(
            f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}; Latin-1 or another "
            "encoding?); a project file is UTF-8"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ArgumentError(f"{path}: not a valid TOML file ({exc})") from None
    except RecursionError:
        raise ArgumentError(f"{path}: nests tables or arrays too deeply to be read") from None


def find_project_file(start: Path | None = None) -> ProjectFile | None:
    """The project file of a folder.

    ``WIJKSTUDIE_CONFIG`` when set (``none``: no project file), else the first ``wijkstudie.toml``, or
    ``pyproject.toml`` with a ``[tool.wijkstudie]`` table, from ``start`` upwards, up to and including the repository
    root (a folder with ``.git``).

    Parameters
    ----------
    start : Path, optional
        where to start looking (default: the folder the program started in)

    Returns
    -------
    ProjectFile or None

    Raises
    ------
    ArgumentError
        for a file that is not valid TOML, holds an unknown setting, or (``WIJKSTUDIE_CONFIG``) cannot be read.
    """
    named = os.environ.get(CONFIG_ENV, "").strip()
    if named:
        if named.lower() == "none":
            return None
        path = Path(named).expanduser()
        return _read_project_file(path if path.is_absolute() else START_DIR / path, required=True)
    key, now = str(start or START_DIR), time.monotonic()
    seen = _located.get(key)
    if seen is not None and now - seen[0] < RECHECK_SECONDS:  # settings are read often; folders change rarely
        return _read_project_file(seen[1], required=False) if seen[1] is not None else None
    found = _locate(Path(key))
    _located[key] = (now, found.path if found is not None else None)
    return found


RECHECK_SECONDS = 1.0  # a project file written or removed while the program runs counts from a second later
_located: dict = {}  # start folder -> (when it was looked for, the project file found or None)


def _locate(folder: Path) -> ProjectFile | None:
    for candidate in (folder, *folder.parents):
        for name in (PROJECT_FILE, "pyproject.toml"):
            if (candidate / name).is_file():
                found = _read_project_file(candidate / name, required=False)
                if found is not None:
                    return found
        if (candidate / ".git").exists():  # the repository root: a project file above it belongs to another project
            return None
    return None


@functools.lru_cache(maxsize=256)
def _absolute(value: str, base: str) -> Path:
    """A path setting made absolute once: relative to ``base``, ``~`` expanded, symlinks resolved."""
    path = Path(value).expanduser()
    return (path if path.is_absolute() else Path(base) / path).resolve()


class Settings:
    """The session's settings (see the module docstring).

    Each has a value and the place the value comes from (a block, the session, its environment variable, the project
    file or the default).

    None, or an empty text, means unset wherever it is written: assigning it is ``del ws.settings.<name>``, a
    block given it overrides nothing, and an empty value in the environment or the project file counts as not
    written, so the next source (in the end the default) decides. Limits are positive whole numbers.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> ws.settings.language
    'en'
    >>> with ws.settings.using(language="nl"):
    ...     ws.label("pct_volunteering")
    'Doet vrijwilligerswerk'
    >>> print(ws.settings)  # doctest: +SKIP
    """

    def __init__(self):
        object.__setattr__(self, "_session", {})
        object.__setattr__(self, "_blocks", [])

    def _check(self, name: str, value, where: str | None = None, base: Path | None = None):
        """A setting's value checked and normalised.

        Paths absolute (relative ones taken from ``base``, else from the folder the program started in), texts lower
        case and among the choices. ``where`` names where the value was written, for the message.
        """
        if name not in SPEC:
            raise ArgumentError(f"unknown setting {name!r}; settings: {', '.join(SPEC)}")
        spec = SPEC[name]
        where = where or spec.env
        if _unset(value):
            return None
        if spec.kind == "count":
            return _count(value, where)
        if spec.kind == "path":
            if not isinstance(value, str | os.PathLike):
                raise ArgumentError(f"{where}={value!r}: a path is a text, such as '../shared/data'")
            try:
                return _absolute(os.fspath(value), str(base or START_DIR))
            except (RuntimeError, OSError) as exc:  # a symlink loop
                raise ArgumentError(f"{where}={value}: {os_reason(exc)}") from None
        text = str(value).strip().lower()
        if spec.choices and text not in spec.choices:
            raise ArgumentError(f"{where}={value!r}: use {' or '.join(repr(c) for c in spec.choices)}")
        return text

    @property
    def project_file(self) -> ProjectFile | None:
        """The project file the settings are read from (``find_project_file``), or None."""
        return find_project_file()

    def _resolve(self, name: str) -> tuple[object, Origin]:
        """A setting's value and where it comes from."""
        if name not in SPEC:
            raise ArgumentError(f"unknown setting {name!r}; settings: {', '.join(SPEC)}")
        for block in reversed(self._blocks):
            if name in block:
                return block[name], Origin(name, BLOCK)
        if name in self._session:
            return self._session[name], Origin(name, SESSION)
        spec = SPEC[name]
        raw = os.environ.get(spec.env, "").strip()
        if raw:
            value = self._check(name, raw)
            passed = _exported().get(name)  # a project file's value a command passed on
            if isinstance(passed, list) and len(passed) == 2 and passed[0] == str(value) and passed[1]:
                return value, Origin(name, PROJECT, spec.env, str(passed[1]))
            return value, Origin(name, ENVIRONMENT, spec.env)
        project = find_project_file()
        if project is not None and name in project.values and not _unset(project.values[name]):
            value = project.values[name]
            checked = self._check(name, value, f"{project.label}: {name}", project.path.parent)
            return checked, Origin(name, PROJECT, file=project.label)
        default = spec.default() if callable(spec.default) else spec.default
        return self._check(name, default), Origin(name, DEFAULT)

    def origin(self, name: str) -> Origin:
        """Where the value of a setting comes from, as a record.

        Parameters
        ----------
        name : str
            a setting's name

        Returns
        -------
        Origin
            its ``source`` (``BLOCK``, ``SESSION``, ``ENVIRONMENT``, ``PROJECT``, ``DEFAULT``), ``variable`` and
            ``file`` (the project file's label: its path; a ``pyproject.toml`` followed by `` [tool.wijkstudie]``)

        Raises
        ------
        ArgumentError
            for an unknown setting.
        """
        return self._resolve(name)[1]

    def describe_origin(self, name: str) -> str:
        """Where the value of a setting comes from, in words a user can act on.

        ``ws.settings.mirror``, ``the environment variable WIJKSTUDIE_MIRROR``, ``mirror in /x/wijkstudie.toml`` (also
        when a command passed it on to this program through the environment), ``the default``.

        Parameters
        ----------
        name : str
            a setting's name

        Returns
        -------
        str

        Raises
        ------
        ArgumentError
            for an unknown setting.
        """
        return self.origin(name).describe()

    def how_to_unset(self, name: str) -> str:
        """How to take a setting back to its default, in words that fit where it was set.

        ``del ws.settings.mirror``, ``unset WIJKSTUDIE_MIRROR``, ``remove mirror from /x/wijkstudie.toml``.

        Parameters
        ----------
        name : str
            a setting's name

        Returns
        -------
        str

        Raises
        ------
        ArgumentError
            for an unknown setting.
        """
        return self.origin(name).how_to_unset()

    def __getattr__(self, name: str):
        if name.startswith("_") or name not in SPEC:
            raise AttributeError(name)
        return self._resolve(name)[0]

    def __setattr__(self, name: str, value) -> None:
        checked = self._check(name, value, f"ws.settings.{name}")
        if checked is None:  # None or "": unset, as ``del ws.settings.name``
            self._session.pop(name, None)
        else:
            self._session[name] = checked

    def __delattr__(self, name: str) -> None:
        self._check(name, None)
        self._session.pop(name, None)

    @contextlib.contextmanager
    def using(self, **values):
        """Override settings for a block of code: ``with settings.using(language="nl"): ...``.

        Parameters
        ----------
        **values
            setting name -> value for the block

        Returns
        -------
        context manager
            yields the settings object

        Raises
        ------
        ArgumentError
            for an unknown setting or a value it does not allow.
        """
        checked = {name: self._check(name, value, f"ws.settings.{name}") for name, value in values.items()}
        block = {name: value for name, value in checked.items() if value is not None}  # None: not overridden
        self._blocks.append(block)
        try:
            yield self
        finally:
            self._blocks.remove(block)

    def as_dict(self) -> dict:
        """Every setting's current value.

        Returns
        -------
        dict
            name -> value
        """
        return {name: getattr(self, name) for name in SPEC}

    def export_to_environment(self, environ=None) -> dict:
        """Write every setting that is not at its default into the environment.

        Paths absolute, so that the programs started from here (notebook kernels, JupyterLab) see the same values
        whatever their working folder: the main command calls it before any kernel starts. Where each value came from is
        passed on too, so that ``print(ws.settings)`` in a kernel still names the project file or the variable.

        Parameters
        ----------
        environ : dict, optional
            the environment to write into (default: ``os.environ``)

        Returns
        -------
        dict
            the variables written: name -> value

        Raises
        ------
        ArgumentError
            for a setting whose value is not allowed (wherever it was written).
        """
        environ = os.environ if environ is None else environ
        written, origins = {}, dict(_exported(environ))
        for name, spec in SPEC.items():
            value, origin = self._resolve(name)
            if origin.source == DEFAULT or value is None:
                continue
            written[spec.env] = environ[spec.env] = str(value)
            if origin.source == PROJECT:  # the child sees a variable: it is told which file the value came from
                origins[name] = [str(value), origin.file]
            else:
                origins.pop(name, None)
        if origins:
            environ[EXPORTED_ENV] = json.dumps(origins, sort_keys=True)
        else:
            environ.pop(EXPORTED_ENV, None)
        return written

    def rows(self) -> list[dict]:
        """One row per setting.

        Name, value (a folder left at its default as the path it is), where the value comes from, the environment
        variable and what the setting means.

        Returns
        -------
        list of dict
        """
        rows = []
        for name, spec in SPEC.items():
            value, origin = self._resolve(name)
            shown = "-" if value is None else str(value)
            if origin.source == DEFAULT and name == "mirror":
                shown = "- (none: files come from the cache or the publishers)"
            rows.append(
                {
                    "name": name,
                    "value": shown,
                    "from": origin.describe(),
                    "env": spec.env,
                    "doc": spec.doc,
                }
            )
        return rows

    def __repr__(self) -> str:
        try:
            project = self.project_file
        except ArgumentError as exc:
            return f"wijkstudie settings: {exc}"
        where = (
            project.label
            if project
            else f"none found from {START_DIR} upwards (write settings once in a {PROJECT_FILE}: README, Settings)"
        )
        rows = self.rows()
        width = max(len(r["value"]) for r in rows)
        lines = [
            "wijkstudie settings (value, and where it comes from: ws.settings, an environment variable, "
            "the project file or the default):",
            f"  project file: {where}",
        ]
        for r in rows:
            lines.append(f"  {r['name']:<18} {r['value']:<{min(width, 48)}}  {r['from']}")
        return "\n".join(lines)

    __str__ = __repr__


def _unset(value) -> bool:
    """Whether a value written for a setting means "unset".

    None, or an empty (or blank) text, wherever it is written (``ws.settings``, a block, an environment variable, the
    project file).
    """
    return value is None or (isinstance(value, str) and not value.strip())


_COUNT = re.compile(r"[0-9]+(?:_[0-9]{3})*")  # 5000000 or 5_000_000; never 1,5 (a decimal comma) or 5,000,000


def _count(value, where: str) -> int:
    """A limit's value as a positive whole number; ``where`` names where it was written, for the message."""
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():  # 5e6 in a TOML file
        number = int(value)
    elif isinstance(value, str) and _COUNT.fullmatch(value.strip()):
        number = int(value.strip())
    if number is None or number <= 0:
        raise ArgumentError(f"{where}={value!r}: use a positive whole number such as 5000000 or 5_000_000")
    return number


def _exported(environ=None) -> dict:
    """What the program that started this one said about the settings it passed on: name -> [value, project file]."""
    try:
        found = json.loads((os.environ if environ is None else environ).get(EXPORTED_ENV) or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


settings = Settings()
