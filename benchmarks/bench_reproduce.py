"""The main command, timed side by side in one run: every notebook one at a time, every notebook in parallel,
and again with nothing changed (everything from the cache of executed notebooks).

    WIJKSTUDIE_MIRROR=../shared/data python benchmarks/bench_reproduce.py [--json]

Each run is ``python -m wijkstudie.reproduce`` as ``make reproduce`` starts it (imports included), into a
temporary build folder and figures folder, leaving README.md alone. Targets (issue 10): the parallel full run
at most 0.6 times the sequential one on a 2-core machine; the run with nothing changed under 10 s.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, WIJKSTUDIE_FIGURES_DIR=os.path.join(folder, "figures"), MPLBACKEND="Agg")
        build = os.path.join(folder, "build")
        sequential = timed(["--force", "--jobs", "1", "--build", build], env)
        parallel = timed(["--force", "--build", build], env)
        unchanged = timed(["--build", build], env)
    result = {
        "cores": os.cpu_count(),
        "sequential_s": round(sequential, 1),
        "parallel_s": round(parallel, 1),
        "parallel_ratio": round(parallel / sequential, 2),
        "nothing_changed_s": round(unchanged, 1),
        "data": "mirror" if os.environ.get("WIJKSTUDIE_MIRROR") else "network or synthetic",
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"every notebook, one at a time:      {sequential:6.1f} s")
    print(f"every notebook, {os.cpu_count()} at a time:        {parallel:6.1f} s  ({parallel / sequential:.2f} x)")
    print(f"again, nothing changed (the cache): {unchanged:6.1f} s")
    met = parallel <= 0.6 * sequential and unchanged < 10
    print(f"targets (parallel <= 0.6 x sequential, nothing changed < 10 s): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
