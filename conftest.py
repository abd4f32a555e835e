"""Root pytest set-up: notebook tests (nbval) write their figures to a temporary folder, not into figures/."""

import os
import tempfile


def pytest_configure(config):
    os.environ.setdefault("WIJKSTUDIE_FIGURES_DIR", tempfile.mkdtemp(prefix="wijkstudie-test-figures-"))
