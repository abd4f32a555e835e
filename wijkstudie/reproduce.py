"""Run every notebook top to bottom and write every figure: ``python -m wijkstudie.reproduce``.

Executed copies go to ``build/notebooks/`` (not committed); figures to the figures folder. Ends with a
summary: the figures written and the time each notebook took. Exits non-zero when a notebook fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .paths import checkout_dir, figures_dir, mirror_dir, notebooks_dir


def run_notebook(path: Path, out_dir: Path, timeout: int = 1200) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    finally:
        out_dir.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out_dir / path.name)
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to run (default: all in notebooks/)")
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    paths = [Path(p) for p in args.notebooks] or sorted(notebooks_dir().glob("[0-9][0-9]_*.ipynb"))
    out_dir = (checkout_dir() or Path.cwd()) / "build" / "notebooks"
    figures = figures_dir()
    before = {p: p.stat().st_mtime_ns for p in figures.glob("*")} if figures.exists() else {}
    mirror = mirror_dir()
    print(f"data: {'mirror ' + str(mirror) if mirror else 'publishers (network) and the local cache'}")
    timings, failed = {}, []
    for path in paths:
        print(f"running {path.name} ...", flush=True)
        try:
            timings[path.name] = run_notebook(path, out_dir)
        except Exception as exc:  # report and go on with the other notebooks
            failed.append(path.name)
            first = str(exc).strip().splitlines()
            print(f"  FAILED: {type(exc).__name__}: {first[-1] if first else ''}")
    written = sorted(p for p in figures.glob("*") if before.get(p) != p.stat().st_mtime_ns) if figures.exists() else []
    print("\n=== summary ===")
    for name, seconds in timings.items():
        print(f"  {name:<40} {seconds:6.1f} s")
    for name in failed:
        print(f"  {name:<40} FAILED (see build/notebooks/{name})")
    print(f"figures written to {figures} ({len(written)} files):")
    for p in written:
        print(f"  {p.name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
