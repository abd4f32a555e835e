"""Load times: first load from the raw file, second load from the Parquet cache, and their ratio.

    WIJKSTUDIE_MIRROR=../shared/data python benchmarks/bench_load.py [--json] [--repeat N]

Each measurement uses a fresh, empty cache folder. Targets (issue 2): cached load under 0.1 s and at least
20 times faster than the first load; first load of the RIVM workbook under 1.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

import wijkstudie as ws

CASES = [("rivm-gezondheid", 2020, {"age_group": "18+"}), ("kwb", 2017, {})]


def measure(name, year, choice, repeat):
    path = ws.fetch(name, year=year, **choice)
    firsts, cached = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as cache:
            os.environ["WIJKSTUDIE_DATA_DIR"] = cache
            t = time.perf_counter()
            ws.read_file(path)
            firsts.append(time.perf_counter() - t)
            t = time.perf_counter()
            ws.read_file(path)
            cached.append(time.perf_counter() - t)
    first, second = statistics.median(firsts), statistics.median(cached)
    return {
        "dataset": name,
        "year": year,
        "variant": ", ".join(f"{k}={v}" for k, v in choice.items()) or None,
        "file": path.name,
        "first_load_s": round(first, 4),
        "cached_load_s": round(second, 4),
        "speedup": round(first / second, 1),
        "repeat": repeat,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    results = [measure(*case, args.repeat) for case in CASES]
    targets = {"cached_load_s": 0.1, "speedup": 20, "rivm_first_load_s": 1.5}
    met = (
        all(r["cached_load_s"] < targets["cached_load_s"] and r["speedup"] >= targets["speedup"] for r in results)
        and results[0]["first_load_s"] < targets["rivm_first_load_s"]
    )
    if args.json:
        print(json.dumps({"results": results, "targets": targets, "targets_met": met}, indent=1))
    else:
        for r in results:
            print(
                f"{r['dataset']} {r['year']} {r['variant'] or ''} ({r['file']}): first {r['first_load_s']:.3f} s, "
                f"cached {r['cached_load_s']:.4f} s, {r['speedup']:.0f}x (median of {r['repeat']})"
            )
        print(f"targets (cached < 0.1 s, >= 20x, RIVM first < 1.5 s): {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
