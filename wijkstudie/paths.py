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


def data_mode() -> str:
    """``real`` (the default: data from the publishers or the mirror) or ``synthetic`` (every ``load`` returns
    the synthetic world's stand-in), from ``$WIJKSTUDIE_DATA``. The main command sets it to ``synthetic`` when
    neither the network nor a mirror provides the real data."""
    mode = os.environ.get("WIJKSTUDIE_DATA", "real").strip().lower() or "real"
    if mode not in ("real", "synthetic"):
        from .errors import WijkstudieError

        raise WijkstudieError(f"WIJKSTUDIE_DATA={mode!r}: use 'real' or 'synthetic'")
    return mode


def real_data_reachable(timeout: float = 3.0) -> bool:
    """True when a mirror is set or the CBS open-data server answers (a TCP connection, nothing sent)."""
    import socket

    if mirror_dir() is not None:
        return True
    try:
        with socket.create_connection(("opendata.cbs.nl", 443), timeout=timeout):
            return True
    except OSError:
        return False


def choose_data_mode() -> str:
    """For the main command and the notebook tests: keep an explicit WIJKSTUDIE_DATA, otherwise ``real`` when
    real data can be reached and ``synthetic`` when not. Sets WIJKSTUDIE_DATA so notebook kernels inherit it."""
    mode = os.environ.get("WIJKSTUDIE_DATA", "").strip().lower()
    if mode not in ("real", "synthetic"):
        mode = "real" if real_data_reachable() else "synthetic"
    os.environ["WIJKSTUDIE_DATA"] = mode
    return mode


def language() -> str:
    """Default language of labels and captions, ``en`` or ``nl``, from ``$WIJKSTUDIE_LANGUAGE``."""
    value = os.environ.get("WIJKSTUDIE_LANGUAGE", "en").strip().lower() or "en"
    if value not in ("en", "nl"):
        from .errors import WijkstudieError

        raise WijkstudieError(f"WIJKSTUDIE_LANGUAGE={value!r}: use 'en' or 'nl'")
    return value
