"""The main command's start: nbformat imported without the IRI grammar nothing here uses.

nbformat validates notebooks with jsonschema. When the package ``rfc3987-syntax`` is installed (jsonschema's
``format-nongpl`` extra, which JupyterLab's ``jupyter-events`` asks for), importing jsonschema builds an Earley parser
for the ``iri`` and ``iri-reference`` formats: about 1.5 s of every run of ``python -m wijkstudie.reproduce``, the run
with nothing changed included, for two formats that no notebook schema uses (nbformat does not check formats at all).
"""

from __future__ import annotations

import sys

from ..core.errors import MissingDependencyError
from ..core.optional import optional

GRAMMAR_MODULE = "rfc3987_syntax"


def import_nbformat_without_iri_grammar() -> bool:
    """Import nbformat, and with it jsonschema, with ``rfc3987_syntax`` hidden, unless jsonschema is imported already.

    Afterwards ``rfc3987_syntax`` is importable as before; only jsonschema's ``FormatChecker`` in this process does not
    check the ``iri`` and ``iri-reference`` formats (it never checks a format it has no checker for). Called by the main
    command only (``run``): a program that imports wijkstudie keeps jsonschema as it is.

    Returns
    -------
    bool
        whether nbformat was imported here (False: jsonschema was imported before, or nbformat is not installed: the
        main command says so where it needs it)
    """
    if "jsonschema" in sys.modules or GRAMMAR_MODULE in sys.modules:
        return False
    sys.modules[GRAMMAR_MODULE] = None  # an import of it raises ImportError, which jsonschema expects and skips
    try:
        optional("nbformat", "python -m wijkstudie.reproduce")
    except MissingDependencyError:
        return False
    finally:
        if sys.modules.get(GRAMMAR_MODULE, False) is None:
            del sys.modules[GRAMMAR_MODULE]
    return True
