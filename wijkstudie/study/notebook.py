"""The start of every notebook.

The house style for figures, one sentence on where its data come from, and where its figures and results go.

Only ``wijkstudie reproduce`` publishes: a notebook kernel it did not start (JupyterLab, ``make lab``, a test) writes
its figures and recorded results into a scratch folder, ``scratch/`` of the build folder, never into the figures
folder the scorecard, the README and the report site are made from. It still reads the published results (a value
one notebook passes to another) where the scratch folder has none. Said once, at the top of the notebook.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..core.paths import figures_dir
from ..core.process_exit import leave_objects_at_exit
from ..core.settings import settings
from ..core.shell import show_errors_briefly
from ..data.origin import data_origin
from ..microdata.survey import describe_residents
from ..plotting.style import use_house_style
from . import results

PUBLISHING = "WIJKSTUDIE_PUBLISHING"  # set to 1 by ``wijkstudie reproduce`` in the environment of its kernels


def in_unpublished_kernel() -> bool:
    """Whether this process is a notebook kernel that ``wijkstudie reproduce`` did not start.

    (it sets ``WIJKSTUDIE_PUBLISHING=1`` for its kernels).

    Returns
    -------
    bool
    """
    return "ipykernel" in sys.modules and os.environ.get(PUBLISHING) != "1"


def use_scratch() -> Path | None:
    """In a kernel ``wijkstudie reproduce`` did not start.

    Send this session's figures and recorded results to ``scratch/`` of the build folder (the setting ``figures_dir``
    for the session) and keep reading the published results where the scratch folder has none; elsewhere nothing
    changes.

    Returns
    -------
    Path or None
        the scratch folder, or None when this session publishes (a run of the main command) or is no kernel
    """
    if not in_unpublished_kernel():
        return None
    scratch = settings.build_dir / "scratch"
    published = figures_dir()
    if published.resolve() != scratch.resolve():
        results.read_also(published / "results")
        settings.figures_dir = scratch
    return scratch


def start_notebook(residents=None) -> None:
    """Apply the house style to figures.

    Say where this session's data come from (for resident-level notebooks: which survey data, real or synthetic) and, in
    a kernel the main command did not start, that its figures and results go to a scratch folder.

    Parameters
    ----------
    residents : DataFrame, optional
        a resident-level notebook's residents: prints ``describe_residents`` of them; by default (None) prints
        ``data_origin()``
    """
    import warnings

    use_house_style()
    show_errors_briefly()  # a wijkstudie error in a cell shows its one line (setting errors: traceback for more)
    # tqdm (imported by the spatial libraries) warns that Jupyter widgets are missing; the text bars work
    warnings.filterwarnings("ignore", message="IProgress not found")
    if residents is None:
        print(data_origin())
    else:
        print(describe_residents(residents))
    scratch = use_scratch()
    if scratch is not None:
        print(
            f"Not a run of `wijkstudie reproduce`: this session's figures and results go to {scratch}, never into "
            "the published figures or the report site (`make reproduce` publishes)."
        )
    elif os.environ.get(PUBLISHING) == "1":
        settle_imports()


def settle_imports() -> None:
    """In a kernel of the main command: keep what the notebook's imports made out of Python's cyclic garbage collector.

    ``gc.freeze``: the libraries' modules, functions and classes live until the kernel exits, yet every full collection
    walked them again (about 0.2 s a notebook). Such a kernel runs its notebook once, top to bottom, and exits; a
    session in JupyterLab is left alone (there, objects made before this call could become garbage later and would
    stay). Once per process: what a later call would freeze is the notebook's own data.

    At the kernel's exit the notebook's own tables, models and figures are left to the operating system too
    (``leave_objects_at_exit``): the last collection walked them, 0.4-0.7 s of a model notebook's run after its last
    cell, while the kernel's exit waited for it. What that costs a cell: a file it leaves open inside a reference
    cycle is not flushed at the exit, a ``NamedTemporaryFile`` inside one is not removed; the notebooks write their
    files with closed handles (``write_atomic``, ``savefig``) and leave neither.

    Returns
    -------
    None
    """
    import gc

    if gc.get_freeze_count() == 0:
        gc.freeze()
        leave_objects_at_exit()
