"""Optional dependencies: imported where they are used, and a one-line error naming the extra when one is missing.

A plain ``pip install wijkstudie`` gives the loaders, harmonisation, models, figures and the synthetic world.
Spatial models and areal interpolation need the ``spatial`` extra, running and rendering notebooks the
``notebooks`` extra (pyproject.toml lists both):

    Moran = optional("esda.moran", "morans_i").Moran
"""

from __future__ import annotations

import importlib
import warnings
from types import ModuleType

from .errors import MissingDependencyError

# top-level module -> (distribution to install, extra of wijkstudie that brings it)
EXTRAS = {
    "libpysal": ("libpysal", "spatial"),
    "esda": ("esda", "spatial"),
    "spreg": ("spreg", "spatial"),
    "tobler": ("tobler", "spatial"),
    "nbformat": ("nbformat", "notebooks"),
    "nbclient": ("nbclient", "notebooks"),
    "nbconvert": ("nbconvert", "notebooks"),
    "nh3": ("nh3", "notebooks"),
    "IPython": ("ipython", "notebooks"),
}


def optional(module: str, feature: str) -> ModuleType:
    """Import ``module`` (a dotted name such as ``"esda.moran"``) for ``feature`` (what the user called) and return it.

    When it, or something it needs, is not installed, raise ``MissingDependencyError``: ``morans_i needs esda: pip
    install "wijkstudie[spatial]"``.

    Parameters
    ----------
    module : str
        the module to import
    feature : str
        what needs it, named in the error

    Returns
    -------
    module
    """
    top = module.partition(".")[0]
    try:
        with warnings.catch_warnings():  # esda and tobler import tqdm.auto, which warns in a kernel without ipywidgets
            warnings.filterwarnings("ignore", message="IProgress not found")
            return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        distribution, extra = EXTRAS[top]
        missing = (exc.name or "").partition(".")[0]
        needs = distribution if missing in ("", top) else f"{distribution} (which needs {missing})"
        raise MissingDependencyError(f'{feature} needs {needs}: pip install "wijkstudie[{extra}]"') from None
