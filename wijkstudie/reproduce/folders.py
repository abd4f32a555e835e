"""The folders of the main command.

The build folder (executed notebooks, their cache, the report site) and the notebooks it runs. Only ``reproduce`` uses
them; the package below it chooses no folder of a build.

- ``build_dir()``: the setting ``build_dir``, else ``build/`` of the project's folder;
- ``notebooks_dir()``: ``notebooks/`` of the project's folder (the project file's folder, else the folder the
  program started in: ``core.paths.project_dir``).
"""

from __future__ import annotations

from pathlib import Path

from ..core.paths import project_dir
from ..core.settings import settings


def build_dir() -> Path:
    """Executed notebooks, their cache, logs and the report site: the setting ``build_dir``.

    Returns
    -------
    Path
        the folder (not created here)
    """
    return settings.build_dir


def notebooks_dir() -> Path:
    """The notebooks the main command runs: ``notebooks/`` of the project's folder.

    Returns
    -------
    Path
    """
    return project_dir() / "notebooks"
