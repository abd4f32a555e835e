"""Run every notebook top to bottom and write every figure: ``python -m wijkstudie.reproduce``.

Executed copies go to ``build/notebooks/`` (not committed); figures to the figures folder. Ends with a
summary: the figures written and the time each notebook took. Exits non-zero when a notebook fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from .findings import files_used, results_dir, scorecard_markdown, write_scorecard
from .download import mirror_dir
from .paths import checkout_dir, figures_dir, notebooks_dir
from .session import choose_data

README_START, README_END = "<!-- scorecard:start -->", "<!-- scorecard:end -->"
SYNTHETIC_BANNER = (
    "DATA: SYNTHETIC. Neither the network nor a mirror (WIJKSTUDIE_MIRROR) gave the real data, so every notebook "
    "ran on the synthetic world (wijkstudie/scenarios/default.yaml) and every result below is synthetic, not "
    "evidence about Dutch neighbourhoods. For the real analysis: connect to the network, or point "
    "WIJKSTUDIE_MIRROR at a local copy of the publishers' files (README, 'Two commands'); for survey microdata "
    "set WIJKSTUDIE_MICRODATA and WIJKSTUDIE_MICRODATA_MAPPING.")


def run_notebook(path: Path, out_dir: Path, timeout: int = 1200) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}},
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])  # no start-up chatter
    try:
        client.execute()
    finally:
        out_dir.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out_dir / path.name)
    return time.perf_counter() - start


def _shown(path: Path) -> str:
    """A path as the README shows it: relative to the checkout when it lies beside or inside it."""
    root = checkout_dir()
    if root:
        relative = os.path.relpath(Path(path).resolve(), root.resolve())
        if relative.count("..") <= 1:
            return relative
    return str(path)


def data_statement(mode: str, mirror: Path | None, when: str | None = None) -> str:
    """Which data produced the scorecard, and when: the synthetic world, a local mirror of the publishers' files
    (with the files the real tests read) or the publishers over the network."""
    when = when or time.strftime("%Y-%m-%d")
    if mode == "synthetic":
        return f"Produced on {when} from the SYNTHETIC world: no result below is evidence about real neighbourhoods."
    files = files_used()
    where = (f"a local mirror of the publishers' files ({_shown(mirror)})" if mirror
             else "the publishers' servers over the network (and the local cache)")
    listed = f" The real-data tests read {len(files)} files: {', '.join(files)}." if files else ""
    return f"Produced on {when} by `make reproduce` from {where}.{listed}"


def update_readme(table, statement: str = "") -> bool:
    """Put the latest scorecard between the scorecard markers of the checkout's README."""
    root = checkout_dir()
    readme = root / "README.md" if root else None
    if not readme or not readme.is_file():
        return False
    text = readme.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        return False
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    readme.write_text(f"{head}{README_START}\n{scorecard_markdown(table, statement)}\n{README_END}{tail}", encoding="utf-8")
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to run (default: all in notebooks/)")
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    paths = [Path(p) for p in args.notebooks] or sorted(notebooks_dir().glob("[0-9][0-9]_*.ipynb"))
    out_dir = (checkout_dir() or Path.cwd()) / "build" / "notebooks"
    figures = figures_dir()
    before = {p: p.stat().st_mtime_ns for p in figures.glob("*")} if figures.exists() else {}
    mode = choose_data()
    mirror = mirror_dir()
    banner = SYNTHETIC_BANNER if mode == "synthetic" else (
        f"data: real, {'from the mirror ' + str(mirror) if mirror else 'from the publishers (network) and the cache'}")
    print(banner)
    if not args.notebooks:  # a full run starts from an empty results folder, so no stale test survives
        shutil.rmtree(results_dir(), ignore_errors=True)
    timings, failed = {}, []
    for path in paths:
        print(f"running {path.name} ...", flush=True)
        try:
            timings[path.name] = run_notebook(path, out_dir)
        except Exception as exc:  # report and go on with the other notebooks
            failed.append(path.name)
            first = str(exc).strip().splitlines()
            print(f"  FAILED: {type(exc).__name__}: {first[-1] if first else ''}")
    written = sorted(p for p in figures.glob("*") if p.is_file() and before.get(p) != p.stat().st_mtime_ns) \
        if figures.exists() else []
    statement = data_statement(mode, mirror)
    table = write_scorecard(statement=statement)
    if mode == "synthetic":
        readme_note = "README.md keeps its real-data scorecard (this run was synthetic)"
    elif args.notebooks or failed:  # a partial or failed run would put an incomplete scorecard in the README
        readme_note = "README.md keeps its scorecard (only a complete, successful run updates it)"
    else:
        readme_note = "README.md shows this scorecard" if update_readme(table, statement) else ""
    print("\n=== summary ===")
    print(banner)
    print(f"scorecard (figures/scorecard.md; verdicts by the rule in wijkstudie/findings.yaml){'; ' + readme_note if readme_note else ''}:")
    for key, group in table.groupby("finding", sort=False):
        tested = group[group["outcome"] != "—"]
        print(f"  {key:<9} {group['verdict'].iloc[0]:<34} {len(tested)} test(s)")
    stems: dict[str, list] = {}
    for p in written:
        stems.setdefault(p.stem, []).append(p.suffix.lstrip("."))
    print(f"figures written to {figures}:")
    for stem, kinds in stems.items():
        print(f"  {stem} ({', '.join(kinds)})")
    print("time per notebook:")
    for name, seconds in timings.items():
        print(f"  {name:<40} {seconds:6.1f} s")
    for name in failed:
        print(f"  {name:<40} FAILED (see build/notebooks/{name})")
    return 1 if failed else 0


def run(argv=None) -> int:
    """``main`` for the command line: Ctrl-C ends the run with one line and status 130, no traceback."""
    try:
        return main(argv)
    except KeyboardInterrupt:
        print("\nreproduce: interrupted (the notebooks run so far are in build/notebooks/)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(run())
