"""Every path wijkstudie uses, in one place (the choices behind them are settings: ``wijkstudie.settings``).

- ``data_dir()``: the cache folder (setting ``data_dir``, else the user cache folder). Raw downloads go to
  ``raw/<dataset>/``, processed tables to ``processed/``. Raw files are never edited; processed ones can always be
  rebuilt.
- ``figures_dir()``: figures, the scorecard and recorded results (setting ``figures_dir``, else ``figures/`` of the
  project's folder: the project file's folder, else the folder the program started in).
- ``project_dir()``, ``PACKAGE_DIR``.

Asking for a path never creates it and never touches the network (``folders.make_folder`` creates one).
"""

from __future__ import annotations

from pathlib import Path

from .errors import ArgumentError
from .settings import PACKAGE_DIR as PACKAGE_DIR  # the package folder, for the modules that ask paths for it
from .settings import project_dir as project_dir  # the project's folder, for the modules that ask paths for it
from .settings import settings


def data_dir() -> Path:
    """The cache folder: the setting ``data_dir``, else the user cache folder.

    Returns
    -------
    Path

    Raises
    ------
    ArgumentError
        for a cache inside the mirror, or the mirror itself: the mirror is read-only by contract.
    """
    cache, mirror = settings.data_dir, settings.mirror
    if mirror is not None and (cache == mirror or mirror in cache.parents):
        where = "is" if cache == mirror else "lies inside"
        raise ArgumentError(
            f"the cache {cache} (setting data_dir, from {settings.describe_origin('data_dir')}) {where} the mirror "
            f"{mirror} (setting mirror, from {settings.describe_origin('mirror')}), which is never written into: "
            "choose another data_dir"
        )
    return cache


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
    """Where figures, the scorecard and recorded results go.

    The setting ``figures_dir``, else ``figures/`` of the project's folder.

    Returns
    -------
    Path
    """
    return settings.figures_dir
