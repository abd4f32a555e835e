"""Load times: first load from the raw file, second load from the Parquet cache, and their ratio.

    WIJKSTUDIE_MIRROR=../shared/data python benchmarks/bench_load.py [--json] [--repeat N]

Each measurement uses a fresh, empty cache folder. Targets (issue 2): cached load under 0.1 s and at least
20 times faster than the first load; first load of the RIVM workbook under 1.5 s. A cached table proves itself
before it is served (issue 27: the SHA-256 of its Parquet file, the seal of its report, the checks of a fresh read);
``proof_s`` is that proof alone (hash, seal and checks), which must stay well under the read it saves.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import wijkstudie as ws
from wijkstudie.data import cache, integrity

CASES = [("rivm-gezondheid", 2020, {"age_group": "18+"}), ("kwb", 2017, {})]


def measure(name, year, choice, repeat):
    path = ws.fetch(name, year=year, **choice)
    firsts, cached, proofs = [], [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as cache:
            os.environ["WIJKSTUDIE_DATA_DIR"] = cache
            t = time.perf_counter()
            ws.read_file(path)
            firsts.append(time.perf_counter() - t)
            t = time.perf_counter()
            ws.read_file(path)
            cached.append(time.perf_counter() - t)
            proofs.append(_proof(Path(cache) / "processed"))
    first, second, proof = statistics.median(firsts), statistics.median(cached), statistics.median(proofs)
    return {
        "dataset": name,
        "year": year,
        "variant": ", ".join(f"{k}={v}" for k, v in choice.items()) or None,
        "file": path.name,
        "first_load_s": round(first, 4),
        "cached_load_s": round(second, 4),
        "speedup": round(first / second, 1),
        "proof_s": round(proof, 4),
        "proof_share_of_first_load": round(proof / first, 4),
        "repeat": repeat,
    }


def _proof(folder: Path) -> float:
    """The time the proof of a cached entry takes: the SHA-256 of its table, its report's seal, the checks."""
    import json

    import pandas as pd

    table = max(folder.glob("*.parquet"), key=lambda p: p.stat().st_size)
    meta = json.loads(table.with_suffix(".json").read_text(encoding="utf-8"))
    frame = pd.read_parquet(table)
    times = []
    for _ in range(3):
        t = time.perf_counter()
        hashlib.sha256(table.read_bytes()).hexdigest()
        cache.seal(meta)
        integrity.duplicates(frame, table.name)
        integrity.check(frame, meta["identification"].get("division"), table.name)
        times.append(time.perf_counter() - t)
    return min(times)


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
                f"cached {r['cached_load_s']:.4f} s, {r['speedup']:.0f}x, proof of the cached table "
                f"{r['proof_s']:.4f} s (median of {r['repeat']})"
            )
        print(f"targets (cached < 0.1 s, >= 20x, RIVM first < 1.5 s): {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
