"""The cache of executed notebooks behind ``python -m wijkstudie.reproduce``.

A run of a notebook is kept under a key made of what decides its result: the notebook's cells, the package's
version and data descriptions (its YAML files: the catalogue, the variable dictionary; not findings.yaml, whose
sections a run depends on as it reads them: ``core.spec_sections``), and the session's data settings (real or
synthetic, the mirror, the microdata). With the run the cache keeps the
fingerprints (size, modification time and content hash) of every file the notebook's result depends on: the data
files the package announced, every module of the package its kernel imported, the files it read beside the
notebook, in the mirror or among the recorded results, all observed by the audit hook the runner installs in its
kernel (``kernel_audit``, ``run.input_files``); the code records of the derived tables it read (the package's
functions their builds ran, each with a hash of its code: ``core.code_trace``); and copies of what it wrote
(figures, recorded results) and of the executed notebook. A later run with the same key whose inputs are
unchanged is served from the cache: the executed notebook and its figures and results are put back in place,
and nothing is executed. So an edit to a module no notebook imports (the site builder, a reader of a format no
notebook reads) re-runs nothing, an edit to a module a notebook imported re-runs that notebook, and an edit to a
function that built a derived table re-runs the notebooks that read the table and no other (a kernel served the
table from its cache does not import the modules of its build; one that built it did, and re-runs for them too).

A notebook's own imports count as whole files, by choice: knowing which of their functions the notebook ran would
mean a profiler in every kernel for the whole notebook, and in Python 3.11 a profiler slows every Python call (a
traced build took about 1.5 times as long); a notebook's cells call into most of what they import, so little would be
saved. A derived table's build is traced because it is built once and served to many kernels that import nothing of
it: what a served table announces must be exact.

An entry is verified before it is served, the way pooch verifies a download and pip an archive: the entry
records the SHA-256 of every file it restores (the executed notebook, each figure and recorded result), and it
is served only when every artifact is a plain relative name that stays inside the figures folder (no absolute
path, no ``..``, no symlink) and every hash matches. Anything else is not served: the notebook runs again and
``NotebookCache.problems`` says why. The key includes the notebook's path relative to the project's folder, so another
folder's ``02_x.ipynb`` is never served for ``notebooks/02_x.ipynb``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from ..core import code_trace
from ..core.atomic import copy_atomic, write_text_atomic
from ..core.hashing import file_sha256
from ..core.paths import PACKAGE_DIR
from ..core.spec_sections import description_files
from ..core.version import __version__


@dataclass
class Run:
    """One executed notebook: where its copy lies, what it read and wrote, how long it took, and when."""

    name: str
    key: str
    executed: Path
    seconds: float
    when: str
    inputs: list = field(default_factory=list)  # [path, size, mtime_ns, sha256]
    artifacts: list = field(default_factory=list)  # paths relative to the figures folder
    datasets: list = field(default_factory=list)  # [dataset, year] of the data files it read
    files: list = field(default_factory=list)  # [dataset, year, file name] of the data files it read
    data: str = ""  # which data produced it, in words
    cached: bool = False  # served from the cache in this run
    hashes: dict = field(default_factory=dict)  # artifact -> SHA-256 of the copy the cache keeps
    executed_sha256: str = ""  # of the executed notebook the cache keeps
    code: dict = field(default_factory=dict)  # path -> code record of the derived tables' code it read (code_trace)

    def to_json(self) -> dict:
        """The run as plain data.

        Returns
        -------
        dict
        """
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(self).items()}


def package_fingerprint() -> str:
    """The version of the package and the content of its data descriptions.

    (not of its modules: a run records the modules it imported among its inputs).

    Returns
    -------
    str
    """
    digest = hashlib.sha256(__version__.encode())
    for path in description_files():
        digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def notebook_fingerprint(nb) -> str:
    """A notebook's cells (type and source; outputs and execution counts do not count) and its ``wijkstudie`` metadata.

    Hashed.

    Parameters
    ----------
    nb : NotebookNode
        as ``nbformat.read`` gives it

    Returns
    -------
    str
    """
    cells = [[c.cell_type, c.source] for c in nb.cells]
    return hashlib.sha256(json.dumps([cells, nb.metadata.get("wijkstudie", {})]).encode()).hexdigest()[:16]


def run_key(nb, package: str, settings: dict, where: str = "") -> str:
    """The cache key of a notebook run.

    Its cells, the package, the settings that decide what it reads, and where the notebook lies.

    Parameters
    ----------
    nb : NotebookNode
        the notebook
    package : str
        ``package_fingerprint()``
    settings : dict
        the session's settings
    where : str
        the notebook's path relative to the project's folder (or its absolute path outside it)

    Returns
    -------
    str
    """
    text = json.dumps([notebook_fingerprint(nb), package, settings, where], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def fingerprint(path: str) -> list:
    """A file's path, size, modification time and content hash.

    Parameters
    ----------
    path : str
        the file

    Returns
    -------
    list
    """
    p = Path(path)
    stat = p.stat()
    return [str(p), stat.st_size, stat.st_mtime_ns, file_sha256(p)]


def unchanged(inputs: list) -> bool:
    """Whether every input file is still there with the same content (size and time first; the hash when they moved).

    Parameters
    ----------
    inputs : list
        ``fingerprint`` lists

    Returns
    -------
    bool
    """
    for path, size, mtime, digest in inputs:
        p = Path(path)
        try:
            stat = p.stat()
        except OSError:
            return False
        if (stat.st_size, stat.st_mtime_ns) == (size, mtime):
            continue
        if stat.st_size != size or file_sha256(p) != digest:
            return False
    return True


def safe_name(name) -> bool:
    """Whether a name can name a file in one folder.

    A non-empty text without path separators, NUL, ``..`` or a leading dot (a notebook's name, a page's name).

    Parameters
    ----------
    name : object
        the name

    Returns
    -------
    bool
    """
    return (
        isinstance(name, str)
        and name.strip() != ""
        and not name.startswith(".")
        and not any(c in name for c in ("/", "\\", "\x00"))
        and len(name) < 200
    )


def safe_relative(path) -> bool:
    """Whether an artifact's path is a plain relative path: no absolute path, drive, backslash, NUL, ``.`` or ``..``.

    Parameters
    ----------
    path : object
        the path as a run records it (relative to the figures folder)

    Returns
    -------
    bool
    """
    if not isinstance(path, str) or not path or "\\" in path or "\x00" in path:
        return False
    parts = PurePosixPath(path).parts
    return not PurePosixPath(path).is_absolute() and all(safe_name(p) for p in parts) and ":" not in parts[0]


def inside(path: Path, folder: Path) -> bool:
    """Whether a path, resolved (symlinks followed), lies inside a folder, resolved.

    Parameters
    ----------
    path, folder : Path

    Returns
    -------
    bool
    """
    try:
        return Path(path).resolve().is_relative_to(Path(folder).resolve())
    except (OSError, RuntimeError):
        return False


class NotebookCache:
    """Executed notebooks, one entry (the latest) per notebook, in ``folder``.

    ``problems`` holds, per notebook, why an entry failed verification (it is then not served).
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.problems: dict[str, str] = {}

    def clean_staging(self) -> list[str]:
        """Remove the staging folders (``.NAME.xxxx``) an interrupted ``store`` left behind.

        Returns
        -------
        list of str
            the folders removed
        """
        if not self.folder.is_dir():
            return []
        left = [p for p in self.folder.iterdir() if p.name.startswith(".") and p.is_dir() and not p.is_symlink()]
        for path in left:
            shutil.rmtree(path, ignore_errors=True)
        return [p.name for p in left]

    def _entry(self, name: str) -> Path:
        if not safe_name(name):
            raise ValueError(f"not a notebook name: {name!r}")
        return self.folder / name

    def lookup(self, name: str, key: str) -> Run | None:
        """The cached run of a notebook under a key.

        When its inputs are unchanged and the entry passes verification (otherwise None; ``problems[name]`` says why an
        entry failed verification).

        Parameters
        ----------
        name : str
            the notebook's name
        key : str
            its run key (``run_key``)

        Returns
        -------
        Run or None
        """
        self.problems.pop(name, None)
        entry = self._entry(name)
        meta = entry / "run.json"
        if not meta.exists():
            return None
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return self._reject(name, "run.json is not readable JSON")
        if not isinstance(data, dict):
            return self._reject(name, "run.json is not a JSON object")
        if data.get("key") != key or "code" not in data:
            return None  # the notebook, the package or the settings changed (or an older entry): an ordinary miss
        try:
            if not unchanged(data["inputs"]) or not code_trace.unchanged(data["code"]):
                return None  # a file it read, or a function that built a table it read, changed: an ordinary miss
            run = Run(**{k: data[k] for k in Run.__dataclass_fields__})
        except (OSError, KeyError, TypeError, ValueError):
            return self._reject(name, "run.json lacks what an entry records (written by an older version?)")
        problem = self._verify(name, entry, run)
        if problem:
            return self._reject(name, problem)
        run.executed = entry / "executed.ipynb"
        run.cached = True
        return run

    def _reject(self, name: str, problem: str) -> None:
        self.problems[name] = problem
        return None

    def _verify(self, name: str, entry: Path, run: Run) -> str:
        """Why an entry cannot be served, or "" when it can."""
        if run.name != name:
            return f"it names another notebook ({str(run.name)[:60]!r})"
        if not isinstance(run.artifacts, list) or not isinstance(run.hashes, dict):
            return "its artifacts are not a list with a hash each"
        if set(run.hashes) != set(run.artifacts):
            return "its artifacts and their recorded hashes differ"
        files = [("executed.ipynb", entry / "executed.ipynb", run.executed_sha256)]
        for relative in run.artifacts:
            if not safe_relative(relative):
                return f"the artifact path {str(relative)[:60]!r} would lie outside the figures folder"
            files.append((relative, entry / "artifacts" / relative, run.hashes[relative]))
        for label, path, digest in files:
            if path.is_symlink() or not path.is_file() or not inside(path, entry):
                return f"{label} is missing or not a plain file in the entry"
            if not isinstance(digest, str) or file_sha256(path) != digest:
                return f"{label} does not match its recorded SHA-256"
        return ""

    def store(self, run: Run, executed: Path, figures: Path, wrote: list) -> Run:
        """Keep a run: the executed notebook and copies of the files it wrote under the figures folder.

        Each with its SHA-256. The entry is written whole in a staging folder (``.NAME.xxxx``) and then swapped in: the
        old entry stays until the new one is complete. A cache that cannot be written is a warning (``problems`` says
        why), never a failed notebook: the run keeps its artifacts and is not cached.

        Parameters
        ----------
        run : Run
            the run
        executed : Path
            the executed notebook
        figures : Path
            the figures folder
        wrote : list
            the files the run wrote

        Returns
        -------
        Run
            the run, with its artifacts (as kept, when the cache could be written)
        """
        run.artifacts = []
        for path in map(Path, wrote):
            try:
                relative = path.resolve().relative_to(Path(figures).resolve())
            except ValueError:
                continue  # written elsewhere (e.g. a cache): not an output of the notebook
            if path.is_file() and safe_relative(relative.as_posix()) and relative.as_posix() not in run.artifacts:
                run.artifacts.append(relative.as_posix())
        try:
            self._store(run, executed, Path(figures))
        except OSError as exc:
            from ..core.errors import os_reason

            where = exc.filename or self.folder
            self.problems[run.name] = f"not cached: cannot write {where} (setting build_dir): {os_reason(exc)}"
            run.hashes, run.executed_sha256 = {}, ""
        return run

    def _store(self, run: Run, executed: Path, figures: Path) -> None:
        entry = self._entry(run.name)
        self.folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{run.name}.", dir=self.folder))
        try:
            (staging / "artifacts").mkdir()
            shutil.copy2(executed, staging / "executed.ipynb")
            run.executed_sha256 = file_sha256(staging / "executed.ipynb")
            run.hashes = {}
            for relative in run.artifacts:
                (staging / "artifacts" / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(figures / relative, staging / "artifacts" / relative)
                run.hashes[relative] = file_sha256(staging / "artifacts" / relative)
            write_text_atomic(staging / "run.json", json.dumps(run.to_json(), indent=1))
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        old = None
        if entry.exists():  # the old entry moves aside, whole, and goes only once the new one is in place
            old = Path(tempfile.mkdtemp(prefix=f".{run.name}.old.", dir=self.folder))
            entry.rename(old / "entry")
        try:
            staging.rename(entry)
        except BaseException:
            if old is not None:
                (old / "entry").rename(entry)  # the old entry back, as it was
            shutil.rmtree(staging, ignore_errors=True)
            raise
        finally:
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)

    def restore(self, run: Run, executed_to: Path, figures: Path) -> None:
        """Put a verified run's executed notebook and outputs back where a fresh run would have written them.

        (each file whole, through a temporary file; a file that already holds the same content is left as it is).

        Parameters
        ----------
        run : Run
            a kept run (from ``lookup``)
        executed_to : Path
            where the executed notebook goes
        figures : Path
            the figures folder

        Returns
        -------
        None

        Raises
        ------
        ValueError
            for an artifact that would land outside the figures folder (``lookup`` never serves one).
        """
        executed_to.parent.mkdir(parents=True, exist_ok=True)
        copy_atomic(run.executed, executed_to)
        figures = Path(figures)
        for relative in run.artifacts:
            target = figures / relative
            if not safe_relative(relative) or not inside(target.parent, figures):
                raise ValueError(f"{run.name}: the artifact {relative!r} would lie outside the figures folder")
            if target.is_file() and not target.is_symlink() and file_sha256(target) == run.hashes.get(relative):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            copy_atomic(self._entry(run.name) / "artifacts" / relative, target)
