"""The package as a user installs it: a fresh virtual environment, ``pip install wijkstudie`` without extras (the
core dependencies from the package index), then, offline, a synthetic load, a harmonisation and a map saved.

Slow (about a minute with pip's cache, several without), so left out of ``make test-fast``; skipped, saying why,
when pip cannot reach a package index."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import REPO

pytestmark = pytest.mark.slow

PIP_TIMEOUT = 1800  # seconds for the whole core install: generous, for a slow index and an empty pip cache

# What the installed package does, offline (every socket connection refused) and on the synthetic world.
SCRIPT = textwrap.dedent(
    """
    import json, socket, sys
    from pathlib import Path


    def offline(*args, **kwargs):
        raise OSError("offline: this check may not use the network")


    socket.socket.connect = offline
    socket.create_connection = offline

    import wijkstudie as ws
    from wijkstudie import models
    from wijkstudie.plotting import choropleth, save_figure

    out = Path(sys.argv[1])
    ws.use_synthetic()  # the switch writes the synthetic world's mirror (WIJKSTUDIE_DATA alone names no mirror)
    kwb = ws.load("kwb", year=2022, level="wijk")
    moved = ws.harmonise(kwb, to_division=2024)
    wijken = ws.load("cbs-wijken", year=2024)
    mapped, _ = ws.join_regions(wijken, moved)
    ax = choropleth(mapped, "pct_owner_occupied")
    written = save_figure(ax.figure, "owners", source=ws.source_caption(mapped), folder=out, formats=("png", "svg"))
    try:
        models.spatial_weights(wijken)
        spatial = "no error"
    except ws.WijkstudieError as exc:
        spatial = str(exc)
    report = ws.report(moved).harmonisation.level("wijk")
    print(json.dumps({
        "package": ws.__file__,
        "rows": len(kwb),
        "levels": sorted(set(kwb["level"])),
        "division": sorted(int(d) for d in set(moved["division_year"])),
        "unchanged": int(report.unchanged),
        "kinds": [ws.provenance_of(t).kind for t in (kwb, moved, wijken, mapped)],
        "provenance": ws.provenance_of(mapped).describe(),
        "written": [str(p) for p in written],
        "spatial": spatial,
    }))
    """
)


def _source_copy(target: Path) -> Path:
    """What a build needs (pyproject.toml, README, LICENSE, the package), so pip builds outside the checkout."""
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, target / name)
    shutil.copytree(REPO / "wijkstudie", target / "wijkstudie", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def _clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIJKSTUDIE_", "PYTHON", "VIRTUAL_ENV"))}
    return dict(env, **extra)


@pytest.fixture(scope="module")
def core_venv(tmp_path_factory) -> Path:
    """A virtual environment with wijkstudie and its core dependencies only; its python."""
    root = tmp_path_factory.mktemp("core-install")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    env = _clean_env()
    # --no-cache-dir: an index page pip cached earlier must not pass for a reachable index
    download = ["pip", "download", "--no-deps", "--no-cache-dir", "--timeout", "20", "--retries", "1"]
    probe = subprocess.run(
        [str(python), "-m", *download, "-d", str(root / "probe"), "packaging"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"pip cannot reach a package index, so the core install cannot be tried: {last}")
    (root / "source").mkdir()
    source = _source_copy(root / "source")
    result = subprocess.run(
        [str(python), "-m", "pip", "install", "--verbose", "--timeout", "60", str(source)],
        capture_output=True,
        text=True,
        env=env,
        timeout=PIP_TIMEOUT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # setuptools warns about a licence given as a TOML table, or licence classifiers beside an SPDX expression
    assert "BuildBackendWarning" not in result.stdout + result.stderr
    assert "SetuptoolsDeprecationWarning" not in result.stdout + result.stderr
    return python


def test_the_core_install_loads_harmonises_and_draws_offline_on_synthetic_data(core_venv, tmp_path):
    python = core_venv
    extras = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.util as u; print([m for m in ('libpysal', 'esda', 'spreg', 'tobler', "
            "'nbclient', 'nbconvert', 'nbformat', 'IPython', 'seaborn', 'pytest') if u.find_spec(m)])",
        ],
        capture_output=True,
        text=True,
        env=_clean_env(),
        timeout=120,
    )
    assert extras.stdout.strip() == "[]", "the core install brought an extra's package"

    script, out, data = tmp_path / "check.py", tmp_path / "figures", tmp_path / "data"
    script.write_text(SCRIPT, encoding="utf-8")
    env = _clean_env(
        WIJKSTUDIE_DATA="synthetic",
        WIJKSTUDIE_DATA_DIR=str(data),
        WIJKSTUDIE_FIGURES_DIR=str(tmp_path / "default-figures"),
        MPLBACKEND="Agg",
        MPLCONFIGDIR=str(tmp_path / "matplotlib"),
    )
    result = subprocess.run(
        [str(python), str(script), str(out)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    assert Path(seen["package"]).is_relative_to(python.parent.parent)  # the installed copy, not the checkout
    assert seen["rows"] > 0 and seen["levels"] == ["wijk"]
    assert seen["division"] == [2024] and seen["unchanged"] == seen["rows"]  # the synthetic world has one division
    assert seen["kinds"] == ["synthetic"] * 4 and seen["provenance"].startswith("SYNTHETIC data")
    assert sorted(Path(p).name for p in seen["written"]) == ["owners.png", "owners.svg"]
    assert all(Path(p).is_file() and Path(p).stat().st_size > 1000 for p in seen["written"])
    assert (data / "synthetic").is_dir() and (data / "processed" / "fingerprints.json").is_file()  # the given folder
    assert seen["spatial"] == 'spatial_weights needs libpysal: pip install "wijkstudie[spatial]"'


def test_the_command_is_installed(core_venv, tmp_path):
    command = core_venv.parent / "wijkstudie"
    env = _clean_env(WIJKSTUDIE_DATA_DIR=str(tmp_path / "data"))
    result = subprocess.run([str(command), "data", "list"], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0 and "rivm-gezondheid" in result.stdout, result.stderr
