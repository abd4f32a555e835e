"""``python -m wijkstudie``: the ``wijkstudie`` command (``wijkstudie --help``)."""

import sys

from .cli import main

sys.exit(main())
