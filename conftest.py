"""Root pytest set-up: notebook tests (nbval) write their figures to a temporary folder, not into figures/, and
run on real data when it can be reached, on the synthetic world otherwise (WIJKSTUDIE_DATA).

The real mirror is found once, as the real-data tests find it (``tests/helpers.py``: ``WIJKSTUDIE_MIRROR``, else
the ``mirror`` of the checkout's project file, else ``../shared/data`` beside the checkout), and passed on as
``WIJKSTUDIE_MIRROR`` to the notebook kernels and the browser tests' programs; the library tests remove it again
(``tests/conftest.py``: they are isolated from the user's settings)."""

import os
import sys
import tempfile
from pathlib import Path


def pytest_configure(config):
    os.environ.setdefault("WIJKSTUDIE_FIGURES_DIR", tempfile.mkdtemp(prefix="wijkstudie-test-figures-"))
    sys.path.insert(0, str(Path(__file__).resolve().parent / "tests"))
    from helpers import REAL_MIRROR

    if REAL_MIRROR is not None:
        os.environ["WIJKSTUDIE_MIRROR"] = str(REAL_MIRROR)
    # notebooks run on real data when a mirror or the network gives it, on the synthetic world otherwise
    from wijkstudie.reproduce.data_choice import choose_data

    if choose_data() == "synthetic" and not os.environ.get("WIJKSTUDIE_SYNTHETIC_MIRROR"):
        from wijkstudie.synthetic import mirror  # the notebook tests switch to the synthetic world: they write it

        os.environ["WIJKSTUDIE_SYNTHETIC_MIRROR"] = str(mirror())
