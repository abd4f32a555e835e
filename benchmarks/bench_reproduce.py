"""The main command, timed side by side in one run: the floor notebook (one cell that imports wijkstudie, pandas,
geopandas and matplotlib.pyplot: the kernel and stack every notebook pays), every notebook one at a time (with its
seconds and its ratio to the floor), every notebook in parallel, and again with nothing changed (everything from
the cache of executed notebooks); and the time ``import wijkstudie`` takes. It prints the machine's core count:
the figures hold for that machine and its load at the time, nothing else.

    WIJKSTUDIE_MIRROR=../shared/data python benchmarks/bench_reproduce.py [--repeat N] [--json]

Each run is ``python -m wijkstudie.reproduce`` as ``make reproduce`` starts it (imports included), into a
temporary build folder and figures folder, leaving README.md alone; the data cache is whatever the settings
point at (warm after one run). The floor notebook runs through the same function as every notebook
(``wijkstudie.reproduce.run.run_notebook``, with the environment the main command gives its kernels), three times
(the median counts); with ``--repeat N`` the forced sequential run is repeated N times and each notebook's median
counts (one run of a notebook varies by a second or more on a shared machine). Targets (issue 28): every notebook
at most 5 x the floor one at a time, the parallel run at most 0.6 x the sequential one on two cores; (issue 19)
the run with nothing changed under 10 s, ``import wijkstudie`` at most 0.4 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from statistics import median


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


FLOOR_RATIO, PARALLEL_RATIO, UNCHANGED_TARGET_S, IMPORT_TARGET_S = 5.0, 0.6, 10.0, 0.4
FLOOR_CELL = "import wijkstudie\nimport pandas\nimport geopandas\nimport matplotlib.pyplot"


def floor_seconds(folder: str, env: dict, repeats: int = 3) -> float:
    """The median time of the floor notebook, run as the main command runs a notebook."""
    from pathlib import Path

    import nbformat

    from wijkstudie.reproduce.run import ONE_THREAD, run_notebook

    path = Path(folder) / "floor" / "00_floor.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(FLOOR_CELL))
    nbformat.write(nb, str(path))
    kernel_env = dict(env, **ONE_THREAD)
    times = sorted(run_notebook(path, path.parent / "executed", env=kernel_env) for _ in range(repeats))
    return times[repeats // 2]


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
    parser.add_argument("--repeat", type=int, default=1, help="forced sequential runs (each notebook's median counts)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    load_before = os.getloadavg()  # other work on the machine: the times hold for this load only
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, WIJKSTUDIE_FIGURES_DIR=os.path.join(folder, "figures"), MPLBACKEND="Agg")
        build = os.path.join(folder, "build")
        floor = floor_seconds(folder, env)
        runs, totals = [], []
        for _ in range(args.repeat):
            totals.append(timed(["--force", "--jobs", "1", "--build", build], env))
            runs.append(per_notebook(build))
        sequential = median(totals)
        notebooks = {name: median([run[name] for run in runs]) for name in runs[0]}
        parallel = timed(["--force", "--build", build], env)
        unchanged = timed(["--build", build], env)
    imported = import_seconds()
    result = {
        "cores": os.cpu_count(),
        "load_average_before": [round(x, 1) for x in load_before],
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "floor_s": round(floor, 1),
        "repeat": args.repeat,
        "notebooks_s": notebooks,
        "notebooks_runs_s": {name: [run[name] for run in runs] for name in notebooks},
        "notebooks_floor_ratio": {name: round(seconds / floor, 1) for name, seconds in notebooks.items()},
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
    print(
        f"{os.cpu_count()} cores, load average {', '.join(f'{x:.1f}' for x in load_before)} before, "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} at the end (above the cores: other work shared them)"
    )
    each = f"median of {args.repeat} runs" if args.repeat > 1 else "one run"
    print(f"{'notebook, run one at a time (' + each + ')':40} {'seconds':>8} {'x floor':>8}")
    print(f"{'floor (kernel + imports, median of 3)':40} {floor:8.1f} {1:8.1f}")
    for name, seconds in notebooks.items():
        ratio = seconds / floor
        spread = f"  ({', '.join(f'{r[name]:.1f}' for r in runs)})" if args.repeat > 1 else ""
        over = "" if ratio <= FLOOR_RATIO else "  (over the target)"
        print(f"{name:40} {seconds:8.1f} {ratio:8.1f}{over}{spread}")
    print(f"every notebook, one at a time:      {sequential:6.1f} s")
    print(f"every notebook, {os.cpu_count()} at a time:        {parallel:6.1f} s  ({parallel / sequential:.2f} x)")
    print(f"again, nothing changed (the cache): {unchanged:6.1f} s")
    print(f"import wijkstudie:                  {imported:6.2f} s")
    met = (
        max(notebooks.values()) <= FLOOR_RATIO * floor
        and parallel <= PARALLEL_RATIO * sequential
        and unchanged < UNCHANGED_TARGET_S
        and imported <= IMPORT_TARGET_S
    )
    print(
        f"targets (each notebook <= {FLOOR_RATIO:g} x the floor, parallel <= {PARALLEL_RATIO:g} x sequential, "
        f"nothing changed < {UNCHANGED_TARGET_S:g} s, import <= {IMPORT_TARGET_S:g} s): {'met' if met else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
