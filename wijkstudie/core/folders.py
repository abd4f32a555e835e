"""Creating the folders wijkstudie writes into (figures, results).

With one-line errors that name the setting and its environment variable when a path cannot be used.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ArgumentError, os_reason

SETTING_OF = {"figures_dir": "WIJKSTUDIE_FIGURES_DIR", "data_dir": "WIJKSTUDIE_DATA_DIR"}


def make_folder(path: Path, setting: str) -> Path:
    """Create a folder (and its parents) for writing.

    Parameters
    ----------
    path : Path
        the folder
    setting : str
        the setting the path comes from (``figures_dir`` or ``data_dir``), for the message

    Returns
    -------
    Path
        the folder

    Raises
    ------
    ArgumentError
        one line naming the setting, its environment variable and the path, for a path under a regular file, a
        symlink loop or a folder without permission.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
        if not path.is_dir():
            raise NotADirectoryError(20, "not a folder")
    except (OSError, RuntimeError) as exc:
        reason = os_reason(exc)
        raise ArgumentError(
            f"cannot write into {path} (setting {setting}, {SETTING_OF.get(setting, setting)}): {reason}"
        ) from None
    return path
