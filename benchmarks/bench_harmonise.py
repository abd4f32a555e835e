"""Harmonisation times: moving tables between regional divisions with the grenswijzigen matrices.

    WIJKSTUDIE_MIRROR=../shared/data python benchmarks/bench_harmonise.py [--json] [--repeat N]

Cases (issue 7): all 3,177 RIVM wijken from the division of 2020 to that of 2024, and all gemeenten from 2016
to 2024 (a table of every 2016 gemeente: the codes the 2016-2024 matrix moves plus the 2024 codes it leaves
alone, with population and a percentage). "cold" is the first call in a fresh cache folder (reading the R data
files); "warm" the median of the following calls. Target: warm under 0.5 s each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

import numpy as np
import pandas as pd

import wijkstudie as ws
from wijkstudie.data.harmonise import division_codes


def rivm_wijken() -> pd.DataFrame:
    return ws.load("rivm-gezondheid", year=2020, age_group="18+", level="wijk")


def gemeenten_2016() -> pd.DataFrame:
    moved = ws.crosswalk("gemeente", 2016, 2024)
    kept = division_codes("gemeente", 2024) - set(moved["to_code"])  # the gemeenten of 2024 that no change touched
    codes = sorted(set(moved["from_code"]) | kept)
    rng = np.random.default_rng(2016)
    return pd.DataFrame(
        {
            "region_code": pd.array(codes, dtype="string"),
            "level": "gemeente",
            "division_year": pd.array([2016] * len(codes), dtype="Int64"),
            "population": rng.integers(1_000, 900_000, len(codes)).astype(float),
            "pct_volunteering": rng.uniform(15, 40, len(codes)),
        }
    )


CASES = [("RIVM wijken 2020 -> 2024", rivm_wijken, 2024), ("gemeenten 2016 -> 2024", gemeenten_2016, 2024)]


def measure(label, make, target, repeat):
    table = make()
    t = time.perf_counter()
    out = ws.harmonise(table, to_division=target)
    cold = time.perf_counter() - t
    warm = []
    for _ in range(repeat):
        t = time.perf_counter()
        ws.harmonise(table, to_division=target)
        warm.append(time.perf_counter() - t)
    level = ws.report(out).harmonisation.levels[0]
    return {
        "case": label,
        "areas_in": len(table),
        "areas_out": len(out),
        "cold_s": round(cold, 3),
        "warm_s": round(statistics.median(warm), 3),
        "target_warm_s": 0.5,
        "merged": level.merged,
        "split": level.split,
        "unmapped": len(level.unmapped),
        "repeat": repeat,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    if not os.environ.get("WIJKSTUDIE_MIRROR"):
        print("set WIJKSTUDIE_MIRROR to the mirror (the matrices and RIVM 2020 are read from it)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as cache:
        os.environ["WIJKSTUDIE_DATA_DIR"] = cache
        rows = [measure(label, make, target, args.repeat) for label, make, target in CASES]
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        for r in rows:
            print(
                f"{r['case']:<26} {r['areas_in']:>5} -> {r['areas_out']:>5} areas   cold {r['cold_s']:.3f} s   "
                f"warm {r['warm_s']:.3f} s (target < {r['target_warm_s']} s)   merged {r['merged']}, "
                f"split {r['split']}, not mapped {r['unmapped']}"
            )
    return 0 if all(r["warm_s"] < r["target_warm_s"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
