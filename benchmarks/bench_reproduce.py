"""The main command, timed side by side in one run: every notebook one at a time (with a table per notebook),
every notebook in parallel, and again with nothing changed (everything from the cache of executed notebooks);
and the time ``import wijkstudie`` takes.

    WIJKSTUDIE_MIRROR=../shared/data python benchmarks/bench_reproduce.py [--json]

Each run is ``python -m wijkstudie.reproduce`` as ``make reproduce`` starts it (imports included), into a
temporary build folder and figures folder, leaving README.md alone; the data cache is whatever the settings
point at (warm after one run). Targets (issue 19), on a 2-core machine: every notebook at most 12 s one at a
time, the parallel full run at most 55 s, the run with nothing changed under 10 s, ``import wijkstudie`` at most
0.4 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def timed(arguments: list[str], env: dict) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "wijkstudie.reproduce", "--no-readme", *arguments],
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"reproduce {' '.join(arguments)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}")
    return seconds


NOTEBOOK_TARGET_S, PARALLEL_TARGET_S, UNCHANGED_TARGET_S, IMPORT_TARGET_S = 12.0, 55.0, 10.0, 0.4


def per_notebook(build: str) -> dict[str, float]:
    """Seconds per notebook of the last run in a build folder (its ``runs.json``)."""
    with open(os.path.join(build, "runs.json"), encoding="utf-8") as fh:
        return {run["name"]: float(run["seconds"]) for run in json.load(fh)["runs"]}


def import_seconds(repeats: int = 7) -> float:
    """The median time of ``import wijkstudie`` in a fresh interpreter, less that of an empty one."""

    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    empty = sorted(run("pass") for _ in range(repeats))[repeats // 2]
    return sorted(run("import wijkstudie") for _ in range(repeats))[repeats // 2] - empty


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, WIJKSTUDIE_FIGURES_DIR=os.path.join(folder, "figures"), MPLBACKEND="Agg")
        build = os.path.join(folder, "build")
        sequential = timed(["--force", "--jobs", "1", "--build", build], env)
        notebooks = per_notebook(build)
        parallel = timed(["--force", "--build", build], env)
        unchanged = timed(["--build", build], env)
    imported = import_seconds()
    result = {
        "cores": os.cpu_count(),
        "notebooks_s": notebooks,
        "import_s": round(imported, 2),
        "sequential_s": round(sequential, 1),
        "parallel_s": round(parallel, 1),
        "parallel_ratio": round(parallel / sequential, 2),
        "nothing_changed_s": round(unchanged, 1),
        "data": "mirror" if os.environ.get("WIJKSTUDIE_MIRROR") else "network or synthetic",
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{'notebook, run one at a time':40} {'seconds':>8}")
    for name, seconds in notebooks.items():
        print(f"{name:40} {seconds:8.1f}{'' if seconds <= NOTEBOOK_TARGET_S else '  (over the target)'}")
    print(f"every notebook, one at a time:      {sequential:6.1f} s")
    print(f"every notebook, {os.cpu_count()} at a time:        {parallel:6.1f} s  ({parallel / sequential:.2f} x)")
    print(f"again, nothing changed (the cache): {unchanged:6.1f} s")
    print(f"import wijkstudie:                  {imported:6.2f} s")
    met = (
        max(notebooks.values()) <= NOTEBOOK_TARGET_S
        and parallel <= PARALLEL_TARGET_S
        and unchanged < UNCHANGED_TARGET_S
        and imported <= IMPORT_TARGET_S
    )
    print(
        f"targets (each notebook <= {NOTEBOOK_TARGET_S:g} s, parallel <= {PARALLEL_TARGET_S:g} s, nothing changed "
        f"< {UNCHANGED_TARGET_S:g} s, import <= {IMPORT_TARGET_S:g} s): {'met' if met else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
