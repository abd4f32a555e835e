"""Root pytest set-up: notebook tests (nbval) write their figures to a temporary folder, not into figures/, and
run on real data when it can be reached, on the synthetic world otherwise (WIJKSTUDIE_DATA)."""

import os
import tempfile


def pytest_configure(config):
    os.environ.setdefault("WIJKSTUDIE_FIGURES_DIR", tempfile.mkdtemp(prefix="wijkstudie-test-figures-"))
    # notebooks run on real data when a mirror or the network gives it, on the synthetic world otherwise
    from wijkstudie.data.origin import choose_data

    choose_data()
