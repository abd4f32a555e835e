"""What a run says about itself: which data produced it (for the scorecard, the site's pages and every notebook
page), and the README's scorecard, rewritten only by a complete real run."""

from __future__ import annotations

import os
import time
from pathlib import Path

from ..core.paths import checkout_dir
from ..study.results import files_used
from ..study.scorecard import summary_markdown

README_START, README_END = "<!-- scorecard:start -->", "<!-- scorecard:end -->"


def _shown(path: Path) -> str:
    """A path as the README shows it: relative to the checkout when it lies beside or inside it."""
    root = checkout_dir()
    if root:
        relative = os.path.relpath(Path(path).resolve(), root.resolve())
        if relative.count("..") <= 1:
            return relative
    return str(path)


def data_statement(mode: str, mirror: Path | None, *, when: str | None = None, files: bool = True) -> str:
    """Which data produced the scorecard, and when: the synthetic world, a local mirror of the publishers' files
    (with the files the real tests read, unless ``files`` is false) or the publishers over the network."""
    when = when or time.strftime("%Y-%m-%d")
    if mode == "synthetic":
        return f"Produced on {when} from the SYNTHETIC world: no result below is evidence about real neighbourhoods."
    files = files_used() if files else []
    where = (
        f"a local mirror of the publishers' files ({_shown(mirror)})"
        if mirror
        else "the publishers' servers over the network (and the local cache)"
    )
    listed = f" The real-data tests read {len(files)} files: {', '.join(files)}." if files else ""
    return f"Produced on {when} by `make reproduce` from {where}.{listed}"


def run_data(mode: str, mirror: Path | None, when: str) -> str:
    """One line for a notebook page: which data this run used."""
    if mode == "synthetic":
        return "SYNTHETIC data (the synthetic world's mirror)"
    return f"real data, from the local mirror {_shown(mirror)}" if mirror else f"real data, downloaded ({when})"


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
    readme.write_text(
        f"{head}{README_START}\n{summary_markdown(table, statement)}\n{README_END}{tail}", encoding="utf-8"
    )
    return True
