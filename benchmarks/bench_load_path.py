"""The path of ``load(name)``, followed call by call: how often control comes back to a module it had left.

    WIJKSTUDIE_MIRROR=../shared/data python benchmarks/bench_load_path.py [--json] [-v]

Every call of a wijkstudie function is recorded by its module (a profile hook); consecutive calls in one module are
one entry. A *return* is an entry into a module the load had already left; a *back-edge* is a distinct pair
``a -> b`` where ``b`` had been left before. Each case is loaded once first, so the followed load reads the cache
(a warm load). Target (issue 25): at most 20 returns per load. Main at 5e81fb2 had 92 returns and 46 back-edges
(kwb 2017), 64 returns and 35 back-edges (rivm-gezondheid 2020, 18+).
"""

from __future__ import annotations

import argparse
import json
import sys

import wijkstudie as ws

CASES = [("kwb", 2017, {}), ("rivm-gezondheid", 2020, {"age_group": "18+"})]
TARGET = 20


def follow(name: str, year: int, choice: dict) -> list[str]:
    """The modules a warm ``load(name, year, **choice)`` enters, in order, consecutive entries merged."""
    seq: list[str] = []

    def profile(frame, event, arg):
        if event != "call":
            return
        module = frame.f_globals.get("__name__", "")
        if module.startswith("wijkstudie") and (not seq or seq[-1] != module):
            seq.append(module)

    ws.load(name, year=year, **choice)  # warm the cache
    sys.setprofile(profile)
    try:
        ws.load(name, year=year, **choice)
    finally:
        sys.setprofile(None)
    return seq


def counts(seq: list[str]) -> dict:
    """Modules, transitions, returns to a module left before, and the distinct back-edges among them."""
    left, returns, back_edges = set(), 0, set()
    for a, b in zip(seq, seq[1:]):
        left.add(a)
        if b in left:
            returns += 1
            back_edges.add((a, b))
    return {"modules": len(set(seq)), "transitions": len(seq), "returns": returns, "back_edges": len(back_edges)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the module sequence of each load")
    args = parser.parse_args(argv)
    results = []
    for name, year, choice in CASES:
        seq = follow(name, year, choice)
        results.append({"dataset": name, "year": year, **choice, **counts(seq), "sequence": seq})
    if args.json:
        print(json.dumps(results, indent=1))
    for r in results if not args.json else []:
        print(
            f"{r['dataset']} {r['year']}: {r['modules']} modules, {r['transitions']} transitions, {r['returns']} "
            f"returns to a module left before ({r['back_edges']} distinct back-edges); target at most {TARGET}"
        )
        if args.verbose:
            print("  " + " -> ".join(m.replace("wijkstudie.", "") for m in r["sequence"]))
    return 0 if all(r["returns"] <= TARGET for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
