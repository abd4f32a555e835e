"""Where a session's data come from.

A mirror of the publishers' files (a folder you set, or the synthetic world's), or the publishers over the network; said
in one sentence at the top of every notebook; and the choice the main command and the notebook tests make when no real
data can be reached.

Asking where the data come from never writes anything, and this layer writes no mirror: the synthetic mirror is a
folder setting (``synthetic_mirror``), written and set by whoever switches to the synthetic world
(``ws.use_synthetic()``, the main command, the notebook tests), so this layer needs to know nothing about how the
synthetic world is made.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..core.errors import DataNotFoundError
from ..core.settings import settings


def mirror_dir() -> Path | None:
    """The mirror this session reads from.

    The synthetic mirror (setting ``synthetic_mirror``) when the setting ``data`` is ``synthetic``, else the setting
    ``mirror`` (``WIJKSTUDIE_MIRROR``), else None (the publishers, over the network). Only reads settings: the synthetic
    mirror is written by whoever switches to it (``ws.use_synthetic()``).

    Returns
    -------
    Path or None

    Raises
    ------
    DataNotFoundError
        when synthetic data are asked for but no synthetic mirror is set.
    """
    if settings.data == "synthetic":
        return synthetic_mirror()
    return settings.mirror


def synthetic_mirror() -> Path:
    """The synthetic mirror (setting ``synthetic_mirror``), whatever the setting ``data`` says.

    Returns
    -------
    Path

    Raises
    ------
    DataNotFoundError
        when the setting is not set.
    """
    folder = settings.synthetic_mirror
    if folder is None:
        raise DataNotFoundError(
            f"synthetic data asked for (setting data, from {settings.describe_origin('data')}), but no synthetic "
            "mirror is set (setting synthetic_mirror): call ws.use_synthetic(), which writes the synthetic world's "
            "mirror and sets both, or set WIJKSTUDIE_SYNTHETIC_MIRROR to a written one"
        )
    return folder


def real_data_reachable(timeout: float = 3.0) -> bool:
    """Whether real data can be had.

    A mirror is set, or the CBS open-data server answers (a TCP connection, nothing sent). The only place wijkstudie
    opens a connection without being asked to load something.

    Parameters
    ----------
    timeout : float
        seconds to wait for the server

    Returns
    -------
    bool
    """
    import socket

    if settings.mirror is not None:
        return True
    try:
        with socket.create_connection(("opendata.cbs.nl", 443), timeout=timeout):
            return True
    except OSError:
        return False


def _shown(path: Path) -> str:
    """A folder as the notebooks (and so the report site) show it.

    Relative to the project's folder when it lies inside or beside it, so that no page names this machine's folders; as
    it is otherwise.
    """
    from ..core.paths import project_dir

    relative = os.path.relpath(Path(path).resolve(), project_dir().resolve())
    if relative.split(os.sep).count("..") <= 1:
        return Path(relative).as_posix()
    return str(path)


def data_origin() -> str:
    """One sentence saying where this session's data come from (for the top of every notebook).

    Returns
    -------
    str
        the synthetic world's mirror, a local mirror of the publishers' files, or the publishers over the network

    Examples
    --------
    >>> import wijkstudie as ws
    >>> print(ws.data_origin())  # doctest: +SKIP
    """
    from ..core.paths import data_dir

    if settings.data == "synthetic":
        return (
            "SYNTHETIC DATA: this session reads the synthetic world's mirror "
            f"({_shown(mirror_dir())}), files in the publishers' layouts generated from "
            "wijkstudie/synthetic/scenarios/default.yaml, because no real data could be reached (no network, no "
            "WIJKSTUDIE_MIRROR) or WIJKSTUDIE_DATA=synthetic was asked for. Every number below describes that "
            "world, not Dutch neighbourhoods; the text between them was written for the real data. Set "
            "WIJKSTUDIE_MIRROR or connect to the network for the real analysis."
        )
    mirror = settings.mirror
    if mirror:
        return (
            f"Real open data from the publishers (CBS, RIVM, PDOK, Rotterdam, Amsterdam), read from the local "
            f"mirror {_shown(mirror)} ({settings.describe_origin('mirror')})."
        )
    return f"Real open data, downloaded from the publishers (CBS, RIVM, PDOK) into the cache {data_dir()}."


SYNTHETIC_NAME_PREFIX = "Synthetisch"  # the synthetic world's areas: Synthetisch Utrecht, Synthetische buurt 0001
NAME_COLUMNS = ("region_name", "gemeente_name")


def named_synthetic(frame) -> bool:
    """Whether a table's areas bear the synthetic world's names.

    ("Synthetisch Utrecht", "Synthetische buurt ...") for at least half of the named areas: the synthetic world
    recognised by its content, so that a copy of one of its files without the mark (a CSV without its first line, a
    workbook saved again) still reads as synthetic.

    Parameters
    ----------
    frame : DataFrame
        a canonical table

    Returns
    -------
    bool
    """
    for column in NAME_COLUMNS:
        if column not in frame:
            continue
        values = frame[column]
        names = [n for n in values.iloc[:: max(1, len(values) // 500)].tolist() if isinstance(n, str)]  # spread
        if names and sum(n.startswith(SYNTHETIC_NAME_PREFIX) for n in names) >= len(names) / 2:
            return True
    return False
