"""Every path wijkstudie uses, in one place.

- ``data_dir()``: the cache folder, ``$WIJKSTUDIE_DATA_DIR`` or ``data/`` of the checkout (for an installed
  package outside a checkout: the user cache folder). Raw downloads go to ``raw/<dataset>/``, processed
  tables to ``processed/``. Raw files are never edited; processed ones can always be rebuilt.
- ``mirror_dir()``: ``$WIJKSTUDIE_MIRROR``, a local folder laid out like the publishers' mirror
  (``cbs-kwb/``, ``rivm-gezondheid/``, ...). When set, every fetch reads from there and nothing is written
  into it.
- ``figures_dir()``: ``$WIJKSTUDIE_FIGURES_DIR`` or ``figures/`` of the checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def checkout_dir() -> Path | None:
    """The repository checkout the package runs from, or None for an installed copy."""
    root = PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() else None


def _from_env(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else None


def data_dir() -> Path:
    explicit = _from_env("WIJKSTUDIE_DATA_DIR")
    if explicit:
        return explicit
    root = checkout_dir()
    if root:
        return root / "data"
    import pooch

    return Path(pooch.os_cache("wijkstudie"))


def raw_dir(dataset: str) -> Path:
    return data_dir() / "raw" / dataset


def processed_dir() -> Path:
    return data_dir() / "processed"


def mirror_dir() -> Path | None:
    return _from_env("WIJKSTUDIE_MIRROR")


def figures_dir() -> Path:
    explicit = _from_env("WIJKSTUDIE_FIGURES_DIR")
    if explicit:
        return explicit
    root = checkout_dir()
    return (root / "figures") if root else Path.cwd() / "figures"


def notebooks_dir() -> Path:
    root = checkout_dir()
    return (root / "notebooks") if root else Path.cwd() / "notebooks"
