"""A session's data: which data it uses (real or synthetic, from where), said at the top of every notebook,
and the choice the main command and the notebook tests make when no real data can be reached."""

from __future__ import annotations

import os

from .settings import settings


def real_data_reachable(timeout: float = 3.0) -> bool:
    """True when a mirror is set or the CBS open-data server answers (a TCP connection, nothing sent).
    The only place wijkstudie opens a connection without being asked to load something."""
    import socket

    if settings.mirror is not None:
        return True
    try:
        with socket.create_connection(("opendata.cbs.nl", 443), timeout=timeout):
            return True
    except OSError:
        return False


def choose_data() -> str:
    """For the main command and the notebook tests: keep an explicit WIJKSTUDIE_DATA, otherwise ``real`` when
    real data can be reached and ``synthetic`` when not. Sets WIJKSTUDIE_DATA so notebook kernels inherit it."""
    mode = os.environ.get("WIJKSTUDIE_DATA", "").strip().lower()
    if mode not in ("real", "synthetic"):
        mode = "real" if real_data_reachable() else "synthetic"
    os.environ["WIJKSTUDIE_DATA"] = mode
    return mode


def data_origin() -> str:
    """One sentence saying where this session's data come from (for the top of every notebook)."""
    from .download import mirror_dir
    from .paths import data_dir

    if settings.data == "synthetic":
        return ("SYNTHETIC DATA: this session reads the synthetic world's mirror "
                f"({mirror_dir()}), files in the publishers' layouts generated from "
                "wijkstudie/scenarios/default.yaml, because no real data could be reached (no network, no "
                "WIJKSTUDIE_MIRROR) or WIJKSTUDIE_DATA=synthetic was asked for. Every number below describes that "
                "world, not Dutch neighbourhoods; the text between them was written for the real data. Set "
                "WIJKSTUDIE_MIRROR or connect to the network for the real analysis.")
    mirror = settings.mirror
    if mirror:
        return (f"Real open data from the publishers (CBS, RIVM, PDOK, Rotterdam, Amsterdam), read from the local "
                f"mirror {mirror} (WIJKSTUDIE_MIRROR).")
    return f"Real open data, downloaded from the publishers (CBS, RIVM, PDOK) into the cache {data_dir()}."


def start_notebook(residents=None) -> None:
    """Apply the house style to figures and say where this session's data come from (for resident-level
    notebooks: which survey data, real or synthetic)."""
    import warnings

    from .plotting import use_house_style

    use_house_style()
    # tqdm (imported by the spatial libraries) warns that Jupyter widgets are missing; the text bars work
    warnings.filterwarnings("ignore", message="IProgress not found")
    if residents is None:
        print(data_origin())
    else:
        from .microdata import describe_residents

        print(describe_residents(residents))
