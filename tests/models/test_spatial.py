"""Spatial weights and their cache (models/spatial.py): the cache holds data, never code; a weights file that is not
what it should be is rebuilt with one warning; no planted symlink is followed."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

import wijkstudie as ws

from helpers import grid_of_squares


class _Planted:
    """A pickle that creates a file when it is loaded: code from a cache."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


@pytest.fixture
def weights_cache(fresh_cache):
    from wijkstudie.models import spatial

    spatial._WEIGHTS.clear()
    folder = fresh_cache / "processed"
    folder.mkdir(parents=True)
    yield folder, spatial, spatial._geometry_key(grid_of_squares(), "queen")
    spatial._WEIGHTS.clear()


def test_a_planted_pickle_in_the_weights_cache_runs_no_code(weights_cache, tmp_path):
    folder, spatial, key = weights_cache
    marker = tmp_path / "pwned"
    for name in (f"weights-{key}.pickle", f"weights-{key}.npz"):
        (folder / name).write_bytes(pickle.dumps(_Planted(marker)))
    with pytest.warns(ws.WijkstudieWarning, match="rebuilt"):
        w = spatial.spatial_weights(grid_of_squares())
    from libpysal.weights import W

    assert not marker.exists()
    assert isinstance(w, W) and w.n == 9 and w.transform.lower() == "r"


@pytest.mark.parametrize("case", ["an int", "wrong shape", "ids of other areas", "object array", "not a zip"])
def test_a_weights_file_that_is_not_what_it_should_be_is_rebuilt_with_one_warning(weights_cache, case):
    import numpy as np

    folder, spatial, key = weights_cache
    target = folder / f"weights-{key}.npz"
    good = spatial._contiguity(grid_of_squares(), "queen")
    sparse = good.sparse.tocsr()
    arrays = {
        "indptr": sparse.indptr,
        "indices": sparse.indices,
        "weights": np.ones(len(sparse.indices)),
        "ids": np.arange(9),
        "kind": np.array("queen"),
    }
    if case == "an int":
        np.savez(target, value=np.array(5))
    elif case == "wrong shape":
        np.savez(target, **dict(arrays, indptr=arrays["indptr"][:-2]))
    elif case == "ids of other areas":
        np.savez(target, **dict(arrays, ids=np.arange(100, 109)))
    elif case == "object array":
        np.savez(target, **dict(arrays, weights=np.array([{"x": 1}] * len(sparse.indices), dtype=object)))
    else:
        target.write_bytes(b"PK\x03\x04 damaged")
    with pytest.warns(ws.WijkstudieWarning) as caught:
        w = spatial.spatial_weights(grid_of_squares())
    assert len([c for c in caught if "weights" in str(c.message)]) == 1
    assert w.n == 9 and dict(w.neighbors) == dict(good.neighbors)
    with np.load(target, allow_pickle=False) as data:  # written again, as data
        assert data["indptr"].shape == (10,)


def test_the_weights_cache_follows_no_planted_symlink_and_holds_no_pickle(weights_cache, tmp_path):
    folder, spatial, key = weights_cache
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    for name in (f"weights-{key}.{os.getpid()}.tmp", f"weights-{key}.npz.{os.getpid()}.tmp"):
        (folder / name).symlink_to(victim)
    w = spatial.spatial_weights(grid_of_squares())
    assert victim.read_text() == "precious"
    spatial._WEIGHTS.clear()
    again = spatial.spatial_weights(grid_of_squares())  # from the file
    assert dict(again.neighbors) == dict(w.neighbors) and again.weights == w.weights
    files = [p.name for p in folder.iterdir() if not p.is_symlink()]
    assert files == [f"weights-{key}.npz"], files


def test_weights_built_by_other_code_are_other_weights(weights_cache, monkeypatch):
    """The cache key holds the code that builds weights: an edit to ``_contiguity`` (not a comment) is a new key, so
    weights built by the old code are never served for the new."""
    from wijkstudie.core import code_trace

    folder, spatial, key = weights_cache
    spatial.spatial_weights(grid_of_squares())
    assert (folder / f"weights-{key}.npz").exists()
    real = code_trace.units(spatial.__file__)

    class Edited:
        def hash_of(self, name):
            return "edited" if name == "_contiguity" else real.hash_of(name)

    monkeypatch.setattr(code_trace, "units", lambda path: Edited())
    assert spatial._geometry_key(grid_of_squares(), "queen") != key
