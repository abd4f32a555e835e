"""Every path wijkstudie uses, in one place (the choices behind them are settings: ``wijkstudie.settings``).

- ``data_dir()``: the cache folder (setting ``data_dir``, else ``data/`` of the checkout, else the user cache
  folder for an installed package). Raw downloads go to ``raw/<dataset>/``, processed tables to
  ``processed/``. Raw files are never edited; processed ones can always be rebuilt.
- ``figures_dir()``: figures, the scorecard and recorded results (setting ``figures_dir``, else ``figures/`` of
  the checkout).
- ``notebooks_dir()``, ``checkout_dir()``, ``PACKAGE_DIR``.

Asking for a path never creates it and never touches the network (``folders.make_folder`` creates one).
"""

from __future__ import annotations

from pathlib import Path

from .settings import settings

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the wijkstudie package


def checkout_dir() -> Path | None:
    """The repository checkout the package runs from.

    Returns
    -------
    Path or None
        the checkout, or None for an installed copy
    """
    root = PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() else None


def data_dir() -> Path:
    """The cache folder: the setting ``data_dir``, else ``data/`` of the checkout, else the user cache folder.

    Returns
    -------
    Path
    """
    if settings.data_dir is not None:
        return settings.data_dir
    root = checkout_dir()
    if root:
        return root / "data"
    import pooch

    return Path(pooch.os_cache("wijkstudie"))


def raw_dir(dataset: str) -> Path:
    """Where a dataset's downloads are kept.

    Parameters
    ----------
    dataset : str
        a catalogue name

    Returns
    -------
    Path
        ``<data_dir>/raw/<dataset>``
    """
    return data_dir() / "raw" / dataset


def processed_dir() -> Path:
    """Where processed tables (Parquet) are kept: ``<data_dir>/processed``.

    Returns
    -------
    Path
    """
    return data_dir() / "processed"


def synthetic_dir() -> Path:
    """Where the synthetic world's mirror is written (one folder per seed and scenario).

    Returns
    -------
    Path
        ``<data_dir>/synthetic``
    """
    return data_dir() / "synthetic"


def figures_dir() -> Path:
    """Where figures, the scorecard and recorded results go: the setting ``figures_dir``, else ``figures/`` of the
    checkout (or of the working folder).

    Returns
    -------
    Path
    """
    if settings.figures_dir is not None:
        return settings.figures_dir
    root = checkout_dir()
    return (root / "figures") if root else Path.cwd() / "figures"


def build_dir() -> Path:
    """Executed notebooks, their cache, logs and the report site (setting ``build_dir``, else ``build/`` of the
    checkout, else ``build/`` of the working folder)."""
    if settings.build_dir is not None:
        return settings.build_dir
    root = checkout_dir()
    return (root / "build") if root else Path.cwd() / "build"


def notebooks_dir() -> Path:
    """The notebooks of the checkout (or ``notebooks/`` of the working folder).

    Returns
    -------
    Path
    """
    root = checkout_dir()
    return (root / "notebooks") if root else Path.cwd() / "notebooks"
