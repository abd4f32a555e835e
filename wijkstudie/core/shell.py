"""A wijkstudie error in a notebook cell shows as its one line, not a traceback of twenty.

Every ``WijkstudieError`` carries a one-line message that names what went wrong and what to do; in IPython (a
notebook kernel, the IPython shell) the traceback above it hides that line. ``show_errors_briefly()`` registers a
custom exception handler for ``WijkstudieError`` with the running IPython shell: the cell still fails (Run All stops
there, nbclient reports the error), and its output is the error's class and message. ``import wijkstudie`` calls it
when it runs inside IPython. The setting ``errors`` (``WIJKSTUDIE_ERRORS``) is read each time an error is shown:
``traceback`` shows IPython's full traceback instead.
"""

from __future__ import annotations

import sys

from .errors import WijkstudieError
from .settings import settings


def _one_line(shell, etype, value, tb, tb_offset=None):
    """IPython's handler for a ``WijkstudieError``: its class and message as the cell's error output."""
    if settings.errors == "traceback":
        return shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    shell._showtraceback(etype, value, [f"{etype.__name__}: {value}"])  # an error output: the cell failed
    return None


def show_errors_briefly(shell=None) -> bool:
    """Show a ``WijkstudieError`` raised in an IPython cell as its one line.

    (unless the setting ``errors`` is ``traceback``).

    Parameters
    ----------
    shell : InteractiveShell, optional
        the shell (default: the running one, when IPython runs this process)

    Returns
    -------
    bool
        whether a shell was found and the handler registered
    """
    if shell is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    shell.set_custom_exc((WijkstudieError,), _one_line)
    return True
