"""Fixtures the tests of tests/reproduce/ share."""

from __future__ import annotations

import pytest

from wijkstudie.reproduce.notebook_cache import NotebookCache

from helpers import executed_notebook, run_of


@pytest.fixture
def kept(tmp_path):
    """A cache entry of notebook 02_x: its executed copy, a figure and a recorded result."""
    figures = tmp_path / "figures"
    (figures / "results").mkdir(parents=True)
    (figures / "02_fig.png").write_bytes(b"png")
    (figures / "results" / "F3__02_x.json").write_text("[]")
    executed = executed_notebook(tmp_path / "build" / "notebooks" / "02_x.ipynb", [])
    cache = NotebookCache(tmp_path / "build" / "cache" / "notebooks")
    wrote = [str(figures / "02_fig.png"), str(figures / "results" / "F3__02_x.json")]
    cache.store(run_of("02_x", executed), executed, figures, wrote)
    assert cache.lookup("02_x", "key") is not None
    return cache, cache.folder / "02_x", figures
