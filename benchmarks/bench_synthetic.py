"""Synthetic world at scale: generating 1,000,000 residents in 10,000 neighbourhoods, fitting the multilevel
logistic model on 100,000 residents, and writing the default world's mirror, with time and peak memory.

    python benchmarks/bench_synthetic.py [--json]

Each measurement runs in a fresh child process, so the peak resident memory (ru_maxrss) is its own.
Targets: generation under 10 s and 2 GB and the fit under 30 s (issue 4); the mirror written under 10 s
(issue 9).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import time


def _generate(queue):
    import wijkstudie.synthetic as sy

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    world = sy.generate(seed=1, n_neighbourhoods=10_000, residents_per_neighbourhood=100)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put(
        {
            "task": "generate 1,000,000 residents in 10,000 neighbourhoods (with geometry)",
            "residents": len(world.residents),
            "seconds": round(seconds, 2),
            "peak_memory_mb": round(peak / 1024, 1),
            "memory_added_mb": round((peak - base) / 1024, 1),
        }
    )


def _fit(queue):
    import wijkstudie.synthetic as sy
    from wijkstudie.models import multilevel_logit
    from wijkstudie.study import with_indicators

    world = sy.generate(seed=2, n_neighbourhoods=1_000, residents_per_neighbourhood=100, geometry=False)
    residents = with_indicators(world.residents)
    start = time.perf_counter()
    fit = multilevel_logit(
        "participates ~ C(tenure) + C(household_type) + C(age_group) + C(origin) + trust_neighbours"
        " + np.minimum(years_at_address, 4)",
        residents,
        group="buurt_code",
    )
    seconds = time.perf_counter() - start
    queue.put(
        {
            "task": "multilevel logistic fit, 100,000 residents in 1,000 buurten (adaptive quadrature)",
            "residents": fit.n,
            "seconds": round(seconds, 2),
            "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "converged": fit.extra["converged"],
            "icc": round(fit.extra["icc"], 4),
        }
    )


def _mirror(queue):
    import tempfile

    import wijkstudie.synthetic as sy

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        sy.write_mirror(folder)
        seconds = time.perf_counter() - start
        files = sum(1 for _ in __import__("pathlib").Path(folder).rglob("*") if _.is_file())
    queue.put(
        {
            "task": "write the default world's mirror (every file the notebooks read)",
            "files": files,
            "seconds": round(seconds, 2),
            "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    )


def run(target) -> dict:
    queue = mp.get_context("spawn").Queue()
    process = mp.get_context("spawn").Process(target=target, args=(queue,))
    process.start()
    result = queue.get()
    process.join()
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    generation, fit, mirror = run(_generate), run(_fit), run(_mirror)
    met = (
        generation["seconds"] < 10
        and generation["peak_memory_mb"] < 2048
        and fit["seconds"] < 30
        and mirror["seconds"] < 10
    )
    if args.json:
        print(
            json.dumps(
                {"generation": generation, "multilevel_fit": fit, "mirror": mirror, "targets_met": met}, indent=1
            )
        )
    else:
        for row in (generation, fit, mirror):
            print(f"{row['task']}: {row['seconds']:.2f} s, peak memory {row['peak_memory_mb']:.0f} MB")
        print(f"targets (generation < 10 s and < 2 GB, fit < 30 s, mirror < 10 s): {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
