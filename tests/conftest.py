"""Shared test set-up: the fixtures (plain helpers and constants are in helpers.py).

Every test runs with its own empty cache folder (WIJKSTUDIE_DATA_DIR) and without a mirror, unless it asks
for ``mirror`` (the real snapshot: $WIJKSTUDIE_MIRROR, the project file's mirror or ../shared/data; tests that
need it are skipped with a reason when it is absent) or builds a ``fake_mirror`` of its own. A test that uses the
real snapshot, through ``real_mirror`` directly or through a fixture that asks for it, is marked ``realdata`` here:
the marker follows the fixture, never set by hand.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from helpers import REAL_MIRROR, REAL_MIRROR_LOOKED_AT


def _session_folder(tmp_path_factory) -> Path:
    """This session's temporary folder: with pytest-xdist the one its workers' folders are in, so that the workers
    share what they cache (the cache and the synthetic mirror are written atomically, for concurrent writers)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path_factory):
    """A per-session cache folder shared by the real-data tests, no mirror, and no project file (a wijkstudie.toml of
    the checkout is the developer's, not the tests')."""
    monkeypatch.setenv("WIJKSTUDIE_CONFIG", "none")
    monkeypatch.setenv("WIJKSTUDIE_DATA_DIR", str(_session_folder(tmp_path_factory) / "shared-cache"))
    monkeypatch.delenv("WIJKSTUDIE_MIRROR", raising=False)
    monkeypatch.delenv("WIJKSTUDIE_SYNTHETIC_MIRROR", raising=False)
    monkeypatch.setenv("WIJKSTUDIE_DATA", "real")  # library tests choose their data explicitly
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(tmp_path_factory.getbasetemp() / "figures"))


@pytest.fixture
def fresh_cache(monkeypatch, tmp_path) -> Path:
    """An empty cache folder of this test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("WIJKSTUDIE_DATA_DIR", str(folder))
    return folder


def pytest_collection_modifyitems(items):
    """Mark ``realdata`` every test that uses the real snapshot (its fixtures, followed to the end, include
    ``real_mirror``)."""
    for item in items:
        if "real_mirror" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.realdata)


@pytest.fixture(scope="session")
def real_mirror() -> Path:
    """The real snapshot's folder (the environment is left as it is); skipped, saying where it looked, without it."""
    if REAL_MIRROR is None:
        pytest.skip(
            f"real-data mirror not found ({REAL_MIRROR_LOOKED_AT}): set mirror in wijkstudie.toml or WIJKSTUDIE_MIRROR"
        )
    return REAL_MIRROR


@pytest.fixture
def mirror(monkeypatch, real_mirror) -> Path:
    """The real snapshot, as WIJKSTUDIE_MIRROR."""
    monkeypatch.setenv("WIJKSTUDIE_MIRROR", str(real_mirror))
    return real_mirror


@pytest.fixture
def fake_mirror(monkeypatch, tmp_path):
    """Build a mirror folder from {relative path: source file or bytes} and point WIJKSTUDIE_MIRROR at it."""
    root = tmp_path / "mirror"

    def build(files: dict) -> Path:
        for rel, content in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, (bytes, bytearray)):
                target.write_bytes(content)
            else:
                shutil.copyfile(content, target)
        monkeypatch.setenv("WIJKSTUDIE_MIRROR", str(root))
        return root

    return build
