"""The cache of executed notebooks behind ``python -m wijkstudie.reproduce``.

A run of a notebook is kept under a key made of what decides its result: the notebook's cells, the package
(its version and the content of its code and data descriptions), and the session's data settings (real or
synthetic, the mirror, the microdata). With the run the cache keeps the fingerprints of every file the
notebook read (size, modification time and content hash, from its run log: ``wijkstudie.runlog``) and copies
of what it wrote (figures, recorded results) and of the executed notebook. A later run with the same key
whose inputs are unchanged is served from the cache: the executed notebook and its figures and results are
put back in place, and nothing is executed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..core.folders import copy_if_changed
from ..core.paths import PACKAGE_DIR
from ..core.version import __version__
from ..data.download import file_sha256

PACKAGE_FILES = ("*.py", "*.yaml")


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
    data: str = ""  # which data produced it, in words
    cached: bool = False  # served from the cache in this run

    def to_json(self) -> dict:
        """The run as plain data.

        Returns
        -------
        dict
        """
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(self).items()}


def package_fingerprint() -> str:
    """The version and the content of the package's code and data descriptions."""
    digest = hashlib.sha256(__version__.encode())
    for pattern in PACKAGE_FILES:
        for path in sorted(PACKAGE_DIR.rglob(pattern)):
            if "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def notebook_fingerprint(nb) -> str:
    """A notebook's cells (type and source; outputs and execution counts do not count) and its ``wijkstudie``
    metadata, hashed.

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


def run_key(nb, package: str, settings: dict) -> str:
    """The cache key of a notebook run: its cells, the package and the settings that decide what it reads.

    Parameters
    ----------
    nb : NotebookNode
        the notebook
    package : str
        ``package_fingerprint()``
    settings : dict
        the session's settings

    Returns
    -------
    str
    """
    text = json.dumps([notebook_fingerprint(nb), package, settings], sort_keys=True)
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


class NotebookCache:
    """Executed notebooks, one entry (the latest) per notebook, in ``folder``."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _entry(self, name: str) -> Path:
        return self.folder / name

    def lookup(self, name: str, key: str) -> Run | None:
        """The cached run of a notebook under a key, when its inputs are unchanged.

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
        meta = self._entry(name) / "run.json"
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
            if data["key"] != key or not unchanged(data["inputs"]):
                return None
            run = Run(**{k: data[k] for k in Run.__dataclass_fields__})
        except (OSError, ValueError, KeyError, TypeError):
            return None
        run.executed = self._entry(name) / "executed.ipynb"
        if not run.executed.is_file() or not all(
            (self._entry(name) / "artifacts" / a).is_file() for a in run.artifacts
        ):
            return None
        run.cached = True
        return run

    def store(self, run: Run, executed: Path, figures: Path, wrote: list) -> Run:
        """Keep a run: the executed notebook and copies of the files it wrote under the figures folder.

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
            the run as kept
        """
        entry = self._entry(run.name)
        staging = entry.with_name(f".{run.name}.{time.time_ns()}")
        (staging / "artifacts").mkdir(parents=True)
        shutil.copy2(executed, staging / "executed.ipynb")
        run.artifacts = []
        for path in map(Path, wrote):
            try:
                relative = path.resolve().relative_to(Path(figures).resolve())
            except ValueError:
                continue  # written elsewhere (e.g. a cache): not an output of the notebook
            if path.is_file():
                (staging / "artifacts" / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, staging / "artifacts" / relative)
                run.artifacts.append(str(relative))
        (staging / "run.json").write_text(json.dumps(run.to_json(), indent=1), encoding="utf-8")
        shutil.rmtree(entry, ignore_errors=True)
        staging.rename(entry)
        return run

    def restore(self, run: Run, executed_to: Path, figures: Path) -> None:
        """Put a cached run's executed notebook and outputs back where a fresh run would have written them.

        Parameters
        ----------
        run : Run
            a kept run
        executed_to : Path
            where the executed notebook goes
        figures : Path
            the figures folder

        Returns
        -------
        None
        """
        executed_to.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(run.executed, executed_to)
        for relative in run.artifacts:
            copy_if_changed(self._entry(run.name) / "artifacts" / relative, Path(figures) / relative)
