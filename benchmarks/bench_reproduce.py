"""The main command, timed side by side in one run: the floor notebook (one cell that imports wijkstudie, pandas,
geopandas and matplotlib.pyplot: the kernel and stack every notebook pays), every notebook one at a time (with its
seconds and its ratio to the floor), every notebook in parallel, and again with nothing changed (everything from
the cache of executed notebooks); and the time ``import wijkstudie`` takes. It prints the machine's core count:
the figures hold for that machine and its load at the time, nothing else.

    WIJKSTUDIE_MIRROR=../shared/data python benchmarks/bench_reproduce.py [--repeat N] [--json]

Each run is ``python -m wijkstudie.reproduce`` as ``make reproduce`` starts it (imports included), into a
temporary build folder and figures folder, leaving README.md alone; the data cache is whatever the settings
point at (warm after one run). The floor notebook runs through the same function as every notebook
(``wijkstudie.reproduce.run.run_notebook``, with the environment and the audit hook the main command gives its
kernels; its cell ends as ``start_notebook`` does in such a kernel, ``settle_imports``: without it the floor paid
a garbage collection at the kernel's exit that the notebooks no longer pay, about 0.35 s of 2 s), three times
(the median counts). With ``--repeat N`` the whole round (the floor, the forced sequential run, the forced parallel
run) is repeated N times, and every ratio is taken within its round, then the median of the rounds counts: a
shared machine's speed drifts by a fifth over minutes, so a floor measured once at the start and notebooks
measured minutes later compare two machines (one run of a notebook varies by a second or more too). It also
counts the rounds that met each target whole (every notebook of the round within 5 x its floor; the round's
parallel run within 0.6 x its sequential one), since a median per notebook can pass when no round did. Targets
(issue 28): every notebook at most 5 x the floor one at a time, the parallel run at most 0.6 x the sequential one
on two cores; (issue 19) the run with nothing changed under 10 s, ``import wijkstudie`` at most 0.4 s.
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
FLOOR_CELL += "\nfrom wijkstudie.study.notebook import settle_imports\nsettle_imports()"  # as start_notebook, below


def floor_seconds(folder: str, env: dict, repeats: int = 3) -> float:
    """The median time of the floor notebook, run as the main command runs a notebook."""
    from pathlib import Path

    import nbformat

    from wijkstudie.reproduce.run import kernel_environment, run_notebook

    path = Path(folder) / "floor" / "00_floor.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(FLOOR_CELL))
    nbformat.write(nb, str(path))
    kernel_env = kernel_environment(env["WIJKSTUDIE_FIGURES_DIR"], env)  # as the main command's kernels have it
    log = path.parent / "audit.jsonl"
    times = []
    for _ in range(repeats):
        log.unlink(missing_ok=True)  # a fresh log, as the main command gives every notebook
        times.append(run_notebook(path, path.parent / "executed", env=kernel_env, log=log))
    return sorted(times)[repeats // 2]


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
    from wijkstudie.reproduce.run import usable_cores

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds of floor, sequential and parallel runs (the median counts)"
    )
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    load_before = os.getloadavg()  # other work on the machine: the times hold for this load only
    rounds = []
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, WIJKSTUDIE_FIGURES_DIR=os.path.join(folder, "figures"), MPLBACKEND="Agg")
        build = os.path.join(folder, "build")
        for _ in range(args.repeat):  # each round's ratios from its own floor and its own sequential run
            floor = floor_seconds(folder, env)
            sequential = timed(["--force", "--jobs", "1", "--build", build], env)
            notebooks = per_notebook(build)
            parallel = timed(["--force", "--build", build], env)
            rounds.append({"floor": floor, "sequential": sequential, "notebooks": notebooks, "parallel": parallel})
        unchanged = timed(["--build", build], env)
    imported = import_seconds()
    names = list(rounds[0]["notebooks"])
    floor = median(r["floor"] for r in rounds)
    sequential, parallel = median(r["sequential"] for r in rounds), median(r["parallel"] for r in rounds)
    notebooks = {name: median(r["notebooks"][name] for r in rounds) for name in names}
    ratios = {name: median(r["notebooks"][name] / r["floor"] for r in rounds) for name in names}
    parallel_ratio = median(r["parallel"] / r["sequential"] for r in rounds)
    # the done-when speaks of one run: the rounds in which every notebook, and the parallel run, met its target
    floor_met = sum(max(r["notebooks"].values()) <= FLOOR_RATIO * r["floor"] for r in rounds)
    parallel_met = sum(r["parallel"] <= PARALLEL_RATIO * r["sequential"] for r in rounds)
    cores = usable_cores()  # the parallel run's default --jobs
    result = {
        "cores": cores,
        "load_average_before": [round(x, 1) for x in load_before],
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "repeat": args.repeat,
        "floor_s": round(floor, 1),
        "floor_runs_s": [round(r["floor"], 2) for r in rounds],
        "notebooks_s": notebooks,
        "notebooks_runs_s": {name: [r["notebooks"][name] for r in rounds] for name in names},
        "notebooks_floor_ratio": {name: round(ratio, 2) for name, ratio in ratios.items()},
        "import_s": round(imported, 2),
        "sequential_s": round(sequential, 1),
        "parallel_s": round(parallel, 1),
        "parallel_runs_s": [round(r["parallel"], 1) for r in rounds],
        "parallel_ratio": round(parallel_ratio, 2),
        "rounds_every_notebook_met": floor_met,
        "rounds_parallel_met": parallel_met,
        "nothing_changed_s": round(unchanged, 1),
        "data": "mirror" if os.environ.get("WIJKSTUDIE_MIRROR") else "network or synthetic",
    }
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{cores} cores, load average {', '.join(f'{x:.1f}' for x in load_before)} before, "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} at the end (above the cores: other work shared them)"
    )
    each = f"median of {args.repeat} rounds, each notebook against its round's floor" if args.repeat > 1 else "one run"
    print(f"notebook, run one at a time ({each})")
    print(f"{'':40} {'seconds':>8} {'x floor':>8}")
    floors = "  (" + ", ".join(f"{r['floor']:.1f}" for r in rounds) + ")" if args.repeat > 1 else ""
    print(f"{'floor (kernel + imports, median of 3)':40} {floor:8.1f} {1:8.1f}{floors}")
    for name in names:
        over = "" if ratios[name] <= FLOOR_RATIO else "  (over the target)"
        spread = ", ".join(f"{r['notebooks'][name]:.1f} s {r['notebooks'][name] / r['floor']:.1f}x" for r in rounds)
        print(
            f"{name:40} {notebooks[name]:8.1f} {ratios[name]:8.1f}{over}" + (f"  ({spread})" if args.repeat > 1 else "")
        )
    print(f"every notebook, one at a time:      {sequential:6.1f} s")
    spread = ", ".join(f"{r['parallel']:.1f} s {r['parallel'] / r['sequential']:.2f}x" for r in rounds)
    print(
        f"every notebook, {cores} at a time:        {parallel:6.1f} s  ({parallel_ratio:.2f} x)"
        + (f"  ({spread})" if args.repeat > 1 else "")
    )
    print(f"again, nothing changed (the cache): {unchanged:6.1f} s")
    print(f"import wijkstudie:                  {imported:6.2f} s")
    print(
        f"rounds in which every notebook was within {FLOOR_RATIO:g} x its round's floor: {floor_met} of {len(rounds)}; "
        f"in which the parallel run was within {PARALLEL_RATIO:g} x the sequential one: {parallel_met} of {len(rounds)}"
    )
    met = (
        max(ratios.values()) <= FLOOR_RATIO
        and parallel_ratio <= PARALLEL_RATIO
        and unchanged < UNCHANGED_TARGET_S
        and imported <= IMPORT_TARGET_S
    )
    print(
        f"targets (each notebook <= {FLOOR_RATIO:g} x the floor, parallel <= {PARALLEL_RATIO:g} x sequential, "
        f"nothing changed < {UNCHANGED_TARGET_S:g} s, import <= {IMPORT_TARGET_S:g} s; medians of the rounds): "
        f"{'met' if met else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
