"""The cache of executed notebooks (reproduce/notebook_cache.py): a tampered entry is not served and says why, a
verified entry restores only into the figures folder, and the key includes where the notebook lies."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from wijkstudie.reproduce import run as reproduce


def _tamper(entry: Path, **changes):
    meta = json.loads((entry / "run.json").read_text())
    meta.update(changes)
    (entry / "run.json").write_text(json.dumps(meta))


TAMPERING = {
    "an artifact path that climbs out": lambda e: (
        _tamper(e, artifacts=["02_fig.png", "../../outside.txt"]),
        (e / "outside.txt").write_text("x"),
        (e.parent / "outside.txt").write_text("x"),
    ),
    "an absolute artifact path": lambda e: _tamper(e, artifacts=[str(e / "run.json")]),
    "an edited executed notebook": lambda e: (e / "executed.ipynb").write_text(
        (e / "executed.ipynb").read_text().replace("A notebook", "<script>alert(1)</script>")
    ),
    "an edited recorded result": lambda e: (e / "artifacts" / "results" / "F3__02_x.json").write_text(
        '[{"finding": "F1", "label": "TAMPERED national result"}]'
    ),
    "an edited figure": lambda e: (e / "artifacts" / "02_fig.png").write_bytes(b"not the png"),
    "another notebook's name": lambda e: _tamper(e, name="../../page"),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_a_tampered_cache_entry_is_not_served_and_says_why(kept, tmp_path, case):
    cache, entry, figures = kept
    TAMPERING[case](entry)
    assert cache.lookup("02_x", "key") is None
    assert "02_x" in cache.problems and cache.problems["02_x"], cache.problems
    assert not (tmp_path / "outside.txt").exists() and not (figures.parent / "outside.txt").exists()


def test_a_verified_entry_restores_only_into_the_figures_folder(kept, tmp_path):
    cache, entry, figures = kept
    (figures / "02_fig.png").unlink()
    hit = cache.lookup("02_x", "key")
    cache.restore(hit, tmp_path / "build" / "notebooks" / "02_x.ipynb", figures)
    assert (figures / "02_fig.png").read_bytes() == b"png"


def test_the_cache_key_includes_where_the_notebook_lies(tmp_path, monkeypatch):
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(tmp_path / "figures"))
    paths = []
    for folder in ("notebooks", "elsewhere"):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("print(1)")]
        (tmp_path / folder).mkdir()
        nbformat.write(nb, tmp_path / folder / "02_x.ipynb")
        paths.append(tmp_path / folder / "02_x.ipynb")
    keys = [reproduce.Reproduction([p], tmp_path / "build", False, 1, "real").keys["02_x"] for p in paths]
    assert keys[0] != keys[1]
