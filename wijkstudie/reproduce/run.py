"""Run every notebook top to bottom, write every figure and the report site: ``python -m wijkstudie.reproduce``.

Only what changed runs again: each notebook's last run is kept (``wijkstudie.notebook_runs``) under a key of
its cells, the package and the data settings, with the fingerprints of the files it read; an unchanged
notebook is put back from that cache instead of executed. ``--force`` runs them all. Independent notebooks run
in parallel, one per core the process may use (``--jobs``; ``usable_cores``); a notebook that needs another's recorded
result (``"wijkstudie": {"needs": [...]}`` in its metadata) runs after it, and again whenever it ran again.

A run is published only whole, after it completed: its notebooks execute into ``build/.run/`` (their figures,
recorded results and executed copies), and only a complete run in which every notebook ran is then published:
its figures and results into the figures folder (the results replace the published ones whole), its executed
notebooks into ``build/notebooks/``, then the scorecard, the README's scorecard (a real run), the report site
(``build/site/``, ``wijkstudie.reproduce.site``) and ``build/runs.json`` with the SHA-256 of every published
result. A partial run (``python -m wijkstudie.reproduce notebooks/02_x.ipynb``) or a run in which a notebook failed
publishes nothing: it is kept in ``build/unpublished/`` with pages of its own, and the summary says that the last
complete run stays. A run that is interrupted or killed leaves the published run as it was; the next run says
so and removes what it left. The summary says which notebooks ran and which came from the cache, with their
times, and why a cache entry was not served when it failed verification; a cache entry that cannot be written is
a warning, never a failed notebook. Every write error is one line naming the path and the setting.

One run at a time: a run holds ``build/reproduce.lock`` and a second one refuses at once, naming the first one's
process (``wijkstudie.reproduce.lock``). Only a complete, successful real run rewrites the README's scorecard
(atomically); a complete run after which no notebook recorded a result is an error.
Exits non-zero when a notebook fails; Ctrl-C ends the run with one line and status 130.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import json
import os
import shutil
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

from ..core import code_trace
from ..core.atomic import copy_atomic, write_atomic
from ..core.errors import WijkstudieError, os_reason
from ..core.folders import make_folder
from ..core.optional import optional
from ..core.paths import PACKAGE_DIR, figures_dir, project_dir
from ..core.process_exit import leave_objects_at_exit
from ..core.settings import settings
from ..data.origin import mirror_dir
from ..study.notebook import PUBLISHING
from ..study.results import recorded, results_dir
from ..study.scorecard import judgements, scorecard, write_scorecard
from ..synthetic import use_synthetic
from . import site as site_module
from .data_choice import choose_data
from .folders import build_dir, notebooks_dir
from .kernel_audit import Observed, hook_arguments, observed
from .lean_imports import import_nbformat_without_iri_grammar
from .lock import Busy, build_lock
from .notebook_cache import (
    NotebookCache,
    Run,
    fingerprint,
    inside,
    package_fingerprint,
    run_key,
    safe_name,
    safe_relative,
)
from .site import plural
from .statements import data_statement, run_data, update_readme

SYNTHETIC_BANNER = (
    "DATA: SYNTHETIC. Neither the network nor a mirror (WIJKSTUDIE_MIRROR) gave the real data, so every notebook "
    "ran on the synthetic world (wijkstudie/synthetic/scenarios/default.yaml) and every result below is synthetic, not "
    "evidence about Dutch neighbourhoods. For the real analysis: connect to the network, or point "
    "WIJKSTUDIE_MIRROR at a local copy of the publishers' files (README, 'Two commands'); for survey microdata "
    "set WIJKSTUDIE_MICRODATA and WIJKSTUDIE_MICRODATA_MAPPING."
)
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}  # one core per kernel
MAX_CELL_OUTPUT = 5_000_000  # bytes of one cell's outputs kept in an executed notebook (the site converts them)
MAX_NOTEBOOK_OUTPUT = 25_000_000  # bytes of every output of one notebook


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the system says it; else all the machine's).

    ``os.cpu_count()`` counts the machine's: in a container or under ``taskset`` limited to fewer, one kernel per
    counted core would crowd the usable ones.

    Returns
    -------
    int
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def kernel_environment(figures: Path, base: dict | None = None) -> dict:
    """The environment of a notebook kernel the main command starts: one thread, no display, and publishing.

    Parameters
    ----------
    figures : Path
        the figures folder the kernel writes into
    base : dict, optional
        the environment it starts from (default: this process's)

    Returns
    -------
    dict
    """
    return dict(
        os.environ if base is None else base,
        **ONE_THREAD,
        MPLBACKEND="Agg",
        WIJKSTUDIE_FIGURES_DIR=str(figures),
        **{PUBLISHING: "1"},
    )


def cap_outputs(nb, name: str) -> list[str]:
    """Replace outputs past the limits.

    (``MAX_CELL_OUTPUT`` per cell, ``MAX_NOTEBOOK_OUTPUT`` per notebook) by one line saying what was left out, so one
    runaway output cannot exhaust the memory of the site's conversion.

    Parameters
    ----------
    nb : NotebookNode
        an executed notebook (changed in place)
    name : str
        its name, for the messages

    Returns
    -------
    list of str
        one message per cell whose outputs were left out (empty when everything is kept)
    """
    nbformat = optional("nbformat", "running notebooks")
    messages, total = [], 0
    for number, cell in enumerate(nb.cells, start=1):
        outputs = cell.get("outputs") or []
        size = sum(len(json.dumps(o, ensure_ascii=False)) for o in outputs)
        if size > MAX_CELL_OUTPUT or total + size > MAX_NOTEBOOK_OUTPUT:
            limit = "per cell" if size > MAX_CELL_OUTPUT else "per notebook"
            text = f"{name}, cell {number}: its output of {size / 1e6:.1f} MB was left out (over the {limit} limit)"
            cell["outputs"] = [nbformat.v4.new_output("stream", name="stderr", text=text + "\n")]
            messages.append(text)
            size = len(text)
        total += size
    return messages


# jupyter_client's KernelClient.wait_for_ready, nbclient's start-up: a kernel that never answered, or died first
KERNEL_START_FAILED = ("Kernel didn't respond in", "Kernel died before replying to kernel_info")


def run_notebook(
    path: Path, out_dir: Path, *, timeout: int = 1200, env: dict | None = None, log: Path | None = None
) -> float:
    """Execute a notebook (in its own folder) and write the executed copy into ``out_dir``.

    A kernel that never answers its start-up request (jupyter_client's "Kernel didn't respond", e.g. when another
    process took one of the ports it was given), or dies before it answers, is replaced once, with a warning: no cell
    had run.

    Parameters
    ----------
    path : Path
        the notebook
    out_dir : Path
        where the executed copy goes
    timeout : int
        seconds per cell
    env : dict, optional
        the kernel's environment
    log : Path, optional
        where the kernel's audit hook notes what it reads, writes and imports (``kernel_audit``; default: no hook)

    Returns
    -------
    float
        seconds (of the kernel that ran it)
    """
    try:
        return _run_once(path, out_dir, timeout=timeout, env=env, log=log)
    except RuntimeError as exc:
        if not str(exc).startswith(KERNEL_START_FAILED):
            raise
        print(f"  warning: {path.stem}: {exc} when it started (no cell had run); starting another", flush=True)
        if log:
            log.unlink(missing_ok=True)  # what the failed kernel's hook noted, if anything
        return _run_once(path, out_dir, timeout=timeout, env=env, log=log)


def _run_once(path: Path, out_dir: Path, *, timeout: int, env: dict | None, log: Path | None) -> float:
    """One kernel's run of ``run_notebook``."""
    nbformat = optional("nbformat", "running notebooks")
    NotebookClient = optional("nbclient", "running notebooks").NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        extra_arguments=["--IPKernelApp.log_level=ERROR", *(hook_arguments(log) if log else [])],
    )  # no start-up chatter
    try:
        client.execute(**({"env": env} if env else {}))
    finally:
        if client.km is None:  # shut down already; a kernel that failed at start-up left its cleanup for the exit,
            atexit.unregister(client._cleanup_kernel)  # where it fails with a traceback (nbclient 0.11)
        for message in cap_outputs(nb, path.stem):
            print(f"  warning: {message}", flush=True)
        out_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(out_dir / path.name, lambda tmp: nbformat.write(nb, str(tmp)))
    return time.perf_counter() - start


def needs_of(nb) -> list[str]:
    """The notebooks (by name) whose recorded results this one reads: ``metadata.wijkstudie.needs``.

    Parameters
    ----------
    nb : NotebookNode
        the notebook

    Returns
    -------
    list of str
    """
    return list(nb.metadata.get("wijkstudie", {}).get("needs", []))


def _modules(seen: Observed) -> list[str]:
    """The package's modules a kernel imported.

    Every module of the package when none was seen (the hook did not get to note them), so that no change to the code is
    missed.
    """
    return seen.modules or [str(p) for p in sorted(PACKAGE_DIR.rglob("*.py")) if "__pycache__" not in p.parts]


def input_files(seen: Observed, folders: list) -> list[str]:
    """What a notebook's result depends on, among what its kernel was seen to do.

    The files the package announced (data files, derived tables' code), the package's modules it imported, and the files
    it opened inside the folders a notebook reads from (the run's figures folder with the values other notebooks
    recorded, the notebook's own folder, the mirror, the microdata). Everything else it opened (Python's and the
    libraries' own files, the caches) is not an input; the package's data descriptions are part of the run's key
    (``package_fingerprint``).

    Parameters
    ----------
    seen : Observed
        what the kernel was seen to do
    folders : list of Path or None
        the folders whose files count when read (None entries are skipped)

    Returns
    -------
    list of str
        each file once, existing files only
    """
    roots = [Path(f).resolve() for f in folders if f]
    read = [p for p in seen.read if any(Path(p).resolve().is_relative_to(r) for r in roots)]
    modules = [m for m in _modules(seen) if code_trace.import_record(m) is None]  # the others: ``code_inputs``
    found = dict.fromkeys([i[0] for i in seen.inputs] + modules + read)
    return [p for p in found if Path(p).is_file()]


def code_inputs(seen: Observed) -> dict:
    """The code records a notebook's result depends on.

    Those the package announced (the derived tables' code) and, for each module it imported that defines derived
    tables, the module without its builders (``code_trace.import_record``; ``input_files`` leaves those modules out).

    Parameters
    ----------
    seen : Observed
        what the kernel was seen to do

    Returns
    -------
    dict
        path -> code record
    """
    found = {path: {"sha256": r["sha256"], "functions": dict(r["functions"])} for path, r in seen.code.items()}
    for module in _modules(seen):
        record = code_trace.import_record(module)
        if record is not None:
            code_trace.merge(found, {module: record})
    return found


def _session_settings(data_kind: str, mirror: Path | None) -> dict:
    """The settings that decide what a notebook reads (part of every cache key)."""
    return {
        "data": data_kind,
        "mirror": str(mirror) if mirror else "",
        "microdata": str(settings.microdata or ""),
        "mapping": str(settings.microdata_mapping or ""),
        "language": settings.language,
    }


def last_seconds(build: Path) -> dict[str, float]:
    """Each notebook's seconds in the last run of a build folder (its ``runs.json``; empty when there is none).

    Parameters
    ----------
    build : Path
        the build folder

    Returns
    -------
    dict
        notebook name -> seconds
    """
    try:
        runs = json.loads((build / site_module.RUNS_FILE).read_text(encoding="utf-8"))["runs"]
        return {str(r["name"]): float(r["seconds"]) for r in runs}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def critical_paths(needs: dict, seconds: dict, names: list[str]) -> dict[str, float]:
    """How long the work from each notebook on takes at least.

    Its own seconds and the longest chain of notebooks that need it (a notebook without a time counts the mean of those
    with one; none known: all equal, so the order given stays).

    Parameters
    ----------
    needs : dict
        notebook -> the notebooks it needs
    seconds : dict
        notebook -> its seconds last time
    names : list of str
        the notebooks to run

    Returns
    -------
    dict
        notebook -> seconds
    """
    known = [seconds[n] for n in names if n in seconds]
    default = sum(known) / len(known) if known else 1.0
    after: dict = {n: [m for m in names if n in needs.get(m, ())] for n in names}
    paths: dict = {}

    def path(name: str, seen: frozenset) -> float:
        if name not in paths:
            later = [path(m, seen | {name}) for m in after[name] if m not in seen]
            paths[name] = seconds.get(name, default) + max(later, default=0.0)
        return paths[name]

    for name in names:
        path(name, frozenset())
    return paths


END_MODULES = ("wijkstudie.models.result",)  # what judging the results imports first (scipy.stats): 0.6 s here


def prepare_the_end() -> None:
    """Import what the end of a run needs (judging the recorded results), on a core that no kernel uses.

    Started by ``Reproduction.run`` once fewer notebooks run than there are cores: at the start of a run one notebook
    at a time, when the last notebooks run in a parallel one. The end then finds them imported instead of importing
    them after the last notebook, while the other cores wait. A module that fails to import is left to the end, which
    imports it again and reports.
    """
    for name in END_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112 (the end imports it again, and says what failed)
            continue


class Reproduction:
    """One run of the main command: which notebooks to execute, which to take from the cache, and the outputs."""

    def __init__(
        self, paths: list[Path], build: Path, force: bool, jobs: int, data_kind: str, staging: Path | None = None
    ):
        self.paths, self.build, self.force, self.jobs, self.data_kind = paths, build, force, max(1, jobs), data_kind
        self.cache = NotebookCache(build / "cache" / "notebooks")
        self.staging = staging or build
        self.executed_dir = self.staging / "notebooks"  # published (build/notebooks) only with the whole run
        self.figures = self.staging / "figures" if staging else figures_dir()
        self.mirror = mirror_dir() if data_kind == "real" else None
        nbformat = optional("nbformat", "python -m wijkstudie.reproduce")

        package, session = package_fingerprint(), _session_settings(data_kind, self.mirror)
        self.failed: list[str] = []
        notebooks = {}
        for path in list(paths):  # a notebook that cannot be read is named and left out; the others run
            try:
                notebooks[path.stem] = nbformat.read(path, as_version=4)
            except Exception as exc:  # nbformat raises JSON, validation and encoding errors of many kinds
                first = str(exc).strip().splitlines()
                print(f"  {path.stem}: FAILED: not a readable notebook: {first[0] if first else type(exc).__name__}")
                self.failed.append(path.stem)
                paths.remove(path)
        where = {p.stem: _where(p) for p in paths}
        self.keys = {stem: run_key(nb, package, session, where[stem]) for stem, nb in notebooks.items()}
        self.needs = {stem: needs_of(nb) for stem, nb in notebooks.items()}
        self.runs: dict[str, Run] = {}
        self.rejected: dict[str, str] = {}  # notebook -> why its cache entry failed verification

    def plan(self) -> list[Path]:
        """Take what the cache has.

        Return the notebooks to execute (in order), including every notebook that needs one that runs again.

        Returns
        -------
        list of Path
            the notebooks to execute, in order
        """
        to_run = []
        for path in self.paths:
            needed_again = any(n in {p.stem for p in to_run} for n in self.needs[path.stem])
            hit = None if self.force or needed_again else self.cache.lookup(path.stem, self.keys[path.stem])
            if hit is None:
                if path.stem in self.cache.problems:
                    self.rejected[path.stem] = self.cache.problems[path.stem]
                    print(f"cache entry for {path.stem} failed verification: {self.rejected[path.stem]}", flush=True)
                to_run.append(path)
                continue
            self.cache.restore(hit, self.executed_dir / path.name, self.figures)
            hit.executed = self.executed_dir / path.name
            self.runs[path.stem] = hit
        return to_run

    def execute(self, path: Path) -> Run:
        """Execute one notebook, observed by an audit hook, and keep the run in the cache.

        Parameters
        ----------
        path : Path
            the notebook

        Returns
        -------
        Run
        """
        log = self.build / "logs" / f"{path.stem}.jsonl"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.unlink(missing_ok=True)
        for old in (self.figures / "results").glob(f"*__{path.stem}.json"):  # its own recorded tests anew
            old.unlink()
        env = kernel_environment(self.figures)
        seconds = run_notebook(path, self.executed_dir, env=env, log=log)
        seen = observed(log, PACKAGE_DIR)
        folders = [self.figures, path.parent, self.mirror, settings.microdata, settings.microdata_mapping]
        when = time.strftime("%Y-%m-%d %H:%M")
        run = Run(
            path.stem,
            self.keys[path.stem],
            self.executed_dir / path.name,
            round(seconds, 1),
            when,
            inputs=[fingerprint(p) for p in input_files(seen, folders)],
            datasets=list(map(list, dict.fromkeys((d, y) for _, d, y in seen.inputs if d))),
            files=list(map(list, dict.fromkeys((d, y, Path(p).name) for p, d, y in seen.inputs if d))),
            data=run_data(self.data_kind, self.mirror, when),
            code=code_inputs(seen),
        )
        stored = self.cache.store(run, self.executed_dir / path.name, self.figures, seen.wrote)
        if path.stem in self.cache.problems:  # a cache that cannot be written: a warning, never a failed notebook
            print(f"  warning: {path.stem} ran, but is {self.cache.problems[path.stem]}", flush=True)
        self.convert_page(self.executed_dir / path.name)
        return stored

    def convert_page(self, executed: Path) -> None:
        """Its page of the report site, converted while the other notebooks run (``site.convert_ahead``).

        Not at the end of the run, one notebook after another, while the other cores wait. A notebook whose page
        cannot be converted now is converted again when the site is written, which reports what failed.
        """
        try:
            site_module.convert_ahead(executed, self.build)
        except Exception:  # noqa: BLE001 (nbconvert's errors are many; the site build converts again and reports)
            return

    def run(self, to_run: list[Path]) -> None:
        """Execute notebooks, up to ``jobs`` at a time, each after the notebooks it needs.

        Of the notebooks ready, the one with the longest path of work after it first (``critical_paths``, from the last
        run's seconds), so that the cores finish together instead of one running the last long notebook alone.

        Parameters
        ----------
        to_run : list of Path
            the notebooks (``plan``)

        Returns
        -------
        None
        """
        pending = {p.stem: p for p in to_run}
        running: dict = {}
        first = critical_paths(self.needs, last_seconds(self.build), list(pending))
        cores, warming = usable_cores(), None
        with ThreadPoolExecutor(self.jobs) as pool:
            while pending or running:
                waiting_on = set(pending) | set(running.values())
                ready = sorted((s for s in pending if not set(self.needs[s]) & waiting_on), key=first.get, reverse=True)
                if not ready and not running:  # needs that go round in a circle: run them in order anyway
                    ready = list(pending)
                for stem in ready[: self.jobs - len(running)]:
                    print(f"running {stem} ...", flush=True)
                    running[pool.submit(self.execute, pending.pop(stem))] = stem
                if warming is None and len(running) < cores:  # a core no kernel uses: the end's imports on it
                    warming = threading.Thread(target=prepare_the_end, name="prepare the end", daemon=True)
                    warming.start()
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    stem = running.pop(future)
                    try:
                        self.runs[stem] = future.result()
                        print(f"  {stem}: {self.runs[stem].seconds:.1f} s", flush=True)
                    except Exception as exc:  # report and go on with the other notebooks
                        self.failed.append(stem)
                        first = str(exc).strip().splitlines()
                        print(f"  {stem}: FAILED: {type(exc).__name__}: {first[-1] if first else ''}", flush=True)

    def ordered(self) -> list[Run]:
        """The runs in the order of the notebooks.

        Returns
        -------
        list of Run
        """
        return [self.runs[p.stem] for p in self.paths if p.stem in self.runs]


def arguments(argv=None) -> argparse.Namespace:
    """The command line of ``python -m wijkstudie.reproduce``.

    Parameters
    ----------
    argv : list of str, optional
        the arguments (default: the command line's)

    Returns
    -------
    argparse.Namespace
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to run (default: all in notebooks/)")
    parser.add_argument("--force", action="store_true", help="execute every notebook, whatever the cache holds")
    parser.add_argument(
        "--jobs", type=int, default=usable_cores(), help="notebooks run at once (default: one per core it may use)"
    )
    parser.add_argument("--build", type=Path, default=None, help="the build folder (default: setting build_dir)")
    parser.add_argument("--no-readme", action="store_true", help="leave the README's scorecard as it is")
    return parser.parse_args(argv)


def prepare_data() -> tuple[str, str]:
    """Choose real or synthetic data for every kernel of this run.

    (the synthetic world's mirror is written once, here, not by two kernels at the same time).

    Returns
    -------
    tuple of str
        the data kind (``"real"`` or ``"synthetic"``) and the banner line that says which
    """
    data_kind = choose_data()
    if data_kind == "synthetic":  # this command switches to the synthetic world: it writes the mirror and says where
        if settings.synthetic_mirror is None:
            use_synthetic()
        settings.export_to_environment()  # every kernel reads the same synthetic mirror
        return data_kind, SYNTHETIC_BANNER
    where = f"from the mirror {mirror_dir()}" if mirror_dir() else "from the publishers (network) and the cache"
    return data_kind, f"data: real, {where}"


def forget_gone_notebooks(paths: list[Path], folder: Path | None = None) -> None:
    """A complete run keeps no recorded test of a notebook that no longer exists.

    Parameters
    ----------
    paths : list of Path
        the notebooks that exist
    folder : Path, optional
        the results folder (default: ``results_dir()``)

    Returns
    -------
    None
    """
    names = {p.stem for p in paths}
    for path in (folder or results_dir()).glob("*__*.json"):
        if path.stem.split("__", 1)[1] not in names:
            path.unlink()


def readme_note(data_kind: str, partial: bool, failed: bool, keep: bool, table, statement: str) -> str:
    """Rewrite the README's scorecard after a complete, successful real run (only then); say what happened.

    Parameters
    ----------
    data_kind : str
        ``"real"`` or ``"synthetic"``
    partial : bool
        whether only some notebooks were asked for
    failed : bool
        whether a notebook failed
    keep : bool
        ``--no-readme``
    table : DataFrame
        the scorecard
    statement : str
        which data produced it

    Returns
    -------
    str
        what happened to the README, for the summary ("" when it has no scorecard markers)
    """
    if data_kind == "synthetic":
        return "README.md keeps its real-data scorecard (this run was synthetic)"
    if partial or failed:  # a partial or failed run would put an incomplete scorecard there
        return "README.md keeps its scorecard (only a complete, successful run updates it)"
    if keep:
        return "README.md keeps its scorecard (--no-readme)"
    if settings.language != "en":  # the README is English whatever language the figures and notebooks use
        with settings.using(language="en"):
            table = scorecard(recorded())
    return "README.md shows this scorecard" if update_readme(table, statement) else ""


def _where(path: Path) -> str:
    """A notebook's path relative to the project's folder (its absolute path outside it): part of its cache key."""
    root = project_dir()
    resolved = Path(path).resolve()
    if resolved.is_relative_to(root.resolve()):
        return resolved.relative_to(root.resolve()).as_posix()
    return str(resolved)


def main(argv=None) -> int:
    """Run the notebooks that changed.

    Then write the scorecard, the README's scorecard and the site (holding the build folder's lock; a second run refuses
    in one line).

    Parameters
    ----------
    argv : list of str, optional
        the arguments (default: the command line's)

    Returns
    -------
    int
        the exit status: 0 when every notebook ran, 1 otherwise (or when another run holds the build folder, or a
        folder cannot be written)
    """
    args = arguments(argv)
    settings.export_to_environment()  # every kernel sees the same folders as this process, relative paths resolved
    build = args.build or build_dir()
    try:
        with build_lock(build):
            return _main(args, build)
    except Busy as busy:
        print(busy.line("reproduce"), file=sys.stderr)
        return 1
    except (OSError, WijkstudieError) as exc:
        print(f"reproduce: {write_error(exc, build)}", file=sys.stderr)
        return 1


def write_error(exc: BaseException, build: Path) -> str:
    """A write error in one line: the path, why, and the setting that names the folder.

    Parameters
    ----------
    exc : OSError or WijkstudieError
        the error (a WijkstudieError already says it in one line)
    build : Path
        the build folder of the run

    Returns
    -------
    str
    """
    if not isinstance(exc, OSError):
        return str(exc)
    path = Path(exc.filename) if exc.filename else Path(build)
    setting = "build_dir, WIJKSTUDIE_BUILD_DIR or --build"
    if inside(path, figures_dir()) or inside(path.parent, figures_dir()):
        setting = "figures_dir, WIJKSTUDIE_FIGURES_DIR"
    return f"cannot write {path}: {os_reason(exc)} (setting {setting})"


STAGING = ".run"  # a run's outputs, in the build folder until the whole run is published (then removed)
UNPUBLISHED = "unpublished"  # the last partial or failed run's outputs and pages, never published


def interrupted_runs(build: Path) -> list[str]:
    """Remove the staging folders of runs that did not finish (killed or interrupted) and say when each started.

    Parameters
    ----------
    build : Path
        the build folder

    Returns
    -------
    list of str
        when each started (its folder's time), oldest first
    """
    left = sorted(
        (p for p in Path(build).glob(STAGING + "*") if p.is_dir() and not p.is_symlink()),
        key=lambda p: p.stat().st_mtime,
    )
    when = [time.strftime("%Y-%m-%d %H:%M", time.localtime(p.stat().st_mtime)) for p in left]
    for path in left:
        shutil.rmtree(path, ignore_errors=True)
    return when


def _last_complete(build: Path) -> str:
    """When the published run ran, from ``runs.json`` ("" when none was published)."""
    try:
        return str(json.loads((build / site_module.RUNS_FILE).read_text(encoding="utf-8")).get("published", ""))
    except (OSError, ValueError, AttributeError):
        return ""


def publish(staging: Path, build: Path, runs: list[Run]) -> None:
    """Publish a complete run.

    Its figures and recorded results into the figures folder (the results replace the published ones whole) and its
    executed notebooks into ``build/notebooks``; each file whole, through a temporary file.

    Parameters
    ----------
    staging : Path
        the run's staging folder (``figures/``, ``notebooks/``)
    build : Path
        the build folder
    runs : list of Run
        the run's notebooks; their ``executed`` paths are set to the published copies

    Returns
    -------
    None
    """
    published = make_folder(figures_dir(), "figures_dir")
    results = make_folder(published / "results", "figures_dir")
    for run in runs:
        for artifact in run.artifacts:
            if safe_relative(artifact) and "/" not in artifact:  # figures; results come next, whole
                copy_atomic(staging / "figures" / artifact, published / artifact)
    staged = sorted((staging / "figures" / "results").glob("*.json"))
    for path in staged:
        copy_atomic(path, results / path.name)
    for path in results.glob("*.json"):
        if path.name not in {p.name for p in staged}:
            path.unlink()
    (build / "notebooks").mkdir(parents=True, exist_ok=True)
    for run in runs:
        target = build / "notebooks" / Path(run.executed).name
        copy_atomic(Path(run.executed), target)
        run.executed = target


def _seed(staging: Path) -> None:
    """The published results, copied into a run's staging folder.

    A notebook that reads another's recorded value finds it there when that one does not run (a partial run).
    """
    results = staging / "figures" / "results"
    results.mkdir(parents=True)
    for path in results_dir().glob("*.json") if results_dir().is_dir() else []:
        shutil.copy2(path, results / path.name)


def _main(args, build: Path) -> int:
    from ..study.scorecard import verdict_records

    os.environ.setdefault("MPLBACKEND", "Agg")
    start = time.perf_counter()
    paths = [Path(p).resolve() for p in args.notebooks] or sorted(notebooks_dir().glob("[0-9][0-9]_*.ipynb"))
    bad = [p.stem for p in paths if not safe_name(p.stem)]
    if bad:
        print(f"reproduce: not a notebook name wijkstudie can publish: {bad[0][:60]!r}", file=sys.stderr)
        return 1
    partial = bool(args.notebooks)
    for when in interrupted_runs(build):
        last = _last_complete(build)
        print(
            f"the run started {when} did not finish (interrupted or killed): nothing of it was published; figures/, "
            f"the scorecard, README.md and the site keep the last complete run"
            + (f" (of {last})" if last else "")
            + "; its unfinished outputs are removed",
            flush=True,
        )
    for name in NotebookCache(build / "cache" / "notebooks").clean_staging():
        print(f"removed {name}, a cache entry an interrupted run left half-written", flush=True)
    data_kind, banner = prepare_data()
    print(banner)
    staging = build / STAGING  # one place, the same for every run: what a notebook read there is found again
    staging.mkdir()
    _seed(staging)
    reproduction = Reproduction(paths, build, args.force, args.jobs, data_kind, staging)
    if not partial:
        forget_gone_notebooks(paths, staging / "figures" / "results")
    reproduction.run(reproduction.plan())
    runs = reproduction.ordered()
    banner_line = data_statement(data_kind, reproduction.mirror, files=False)
    synthetic = data_kind == "synthetic"
    if partial or reproduction.failed:  # never published: kept apart, with pages of its own
        kept = build / UNPUBLISHED
        shutil.rmtree(kept, ignore_errors=True)
        staging.rename(kept)
        for run in runs:
            run.executed = kept / "notebooks" / Path(run.executed).name
        names = {p.stem for p in paths}
        tests = [t for t in recorded(kept / "figures" / "results") if not partial or t.notebook in names]
        judged = judgements(tests)  # once, for the scorecard and the site's verdicts
        table = scorecard(tests, judged=judged)
        statement = data_statement(data_kind, reproduction.mirror, results=kept / "figures" / "results")  # its own
        why = "a partial run" if partial else f"{plural(len(reproduction.failed), 'notebook')} failed"
        last = _last_complete(build)
        note = (
            f"not published ({why}): figures/, the scorecard, README.md and the site keep the last complete run"
            + (f" (of {last})" if last else "")
            + f"; this run's figures, results, executed notebooks and pages are in {kept}"
        )
        index = site_module.build(
            kept / "site", runs, table, statement, banner_line, synthetic, kept / "figures",
            verdicts=verdict_records(tests, judged),
        )  # fmt: skip
        _summary(banner, table, note, runs, reproduction.failed, index, reproduction.rejected,
                 time.perf_counter() - start, False, kept)  # fmt: skip
        return 1 if reproduction.failed else 0
    if not any((staging / "figures" / "results").glob("*.json")):
        shutil.rmtree(staging, ignore_errors=True)
        _summary(banner, None, "", runs, [], None, reproduction.rejected, time.perf_counter() - start)
        print(
            f"reproduce: no recorded results in {results_dir()} after a complete run: every notebook ran, but none "
            "recorded a result where the scorecard reads them (setting figures_dir); README.md and the scorecard "
            "are left as they were",
            file=sys.stderr,
        )
        return 1
    publish(staging, build, runs)
    statement = data_statement(data_kind, reproduction.mirror)  # the files of this run's results, now published
    tests = recorded()
    judged = judgements(tests)  # once, for the scorecard and the site's verdicts
    table = write_scorecard(statement=statement, tests=tests, judged=judged)
    note = readme_note(
        data_kind, False, False, args.no_readme, table, data_statement(data_kind, reproduction.mirror, dated=False)
    )
    site_module.save_runs(build, runs, statement, banner_line, synthetic)
    index = site_module.build(
        build / "site",
        runs,
        table,
        statement,
        banner_line,
        synthetic,
        figures_dir(),
        verdicts=verdict_records(tests, judged),
    )
    shutil.rmtree(staging, ignore_errors=True)
    _summary(banner, table, note, runs, [], index, reproduction.rejected, time.perf_counter() - start, True)
    return 0


def _leftovers(runs) -> list[str]:
    """Figures in the figures folder that no notebook of a complete run wrote.

    Left by an older version of a notebook (or put there by hand). They are named, never deleted.
    """
    written = {Path(a).name for r in runs for a in r.artifacts if "/" not in a}
    folder = figures_dir()
    return sorted({p.stem for p in folder.glob("*") if p.suffix in (".png", ".svg", ".pdf") and p.name not in written})


def _summary(banner, table, readme_note, runs, failed, index, rejected, seconds, complete=False, kept=None) -> None:
    print("\n=== summary ===")
    print(banner)
    if table is not None:
        print(
            f"scorecard ({figures_dir() / 'scorecard.md'}; verdicts by the rules in wijkstudie/study/findings.yaml)"
            f"{'; ' + readme_note if readme_note else ''}:"
        )
        for key, group in table.groupby("finding", sort=False):
            tested = group[group["test"] != "—"]
            if tested.empty and not complete:  # a partial run: only the findings its notebooks tested
                continue
            counted = int((group["counted"] == "yes").sum())
            print(f"  {key:<9} {group['verdict'].iloc[0]}  [{counted} counted of {plural(len(tested), 'test')}]")
    figures = sorted({Path(a).stem for r in runs for a in r.artifacts if "/" not in a and Path(a).suffix == ".png"})
    print(f"figures in {figures_dir()}: {', '.join(figures) or 'none'}")
    if complete and (old := _leftovers(runs)):
        print(
            f"  also there, written by no notebook of this run (from older versions? delete them if so): "
            f"{', '.join(old)}"
        )
    if index:
        print(f"report site: {index}")
    ran, cached = [r for r in runs if not r.cached], [r for r in runs if r.cached]
    print(f"notebooks run ({len(ran)}), from the cache ({len(cached)}), failed ({len(failed)}):")
    for r in runs:
        how = f"from the cache (ran {r.when} in {r.seconds:.1f} s)" if r.cached else f"ran in {r.seconds:6.1f} s"
        print(f"  {r.name:<40} {how}")
    for name in failed:
        print(f"  {name:<40} FAILED (see {(kept or build_dir()) / 'notebooks' / name}.ipynb)")
    for name, why in rejected.items():
        print(f"  cache entry for {name} failed verification: {why} (ran again)")
    print(f"total {seconds:.1f} s")


def run(argv=None) -> int:
    """``main`` for the command line: Ctrl-C ends the run with one line and status 130, no traceback.

    Parameters
    ----------
    argv : list of str, optional
        the arguments

    Returns
    -------
    int
        the exit status
    """
    leave_objects_at_exit()
    try:
        import_nbformat_without_iri_grammar()  # 1.5 s of every run, for a format check no notebook needs
        return main(argv)
    except KeyboardInterrupt:
        print(
            "\nreproduce: interrupted: nothing of this run was published (figures/, the scorecard, README.md and the "
            "site keep the last complete run)",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(run())
