"""``python -m wijkstudie.reproduce``: run every notebook that changed, write every figure and the report site."""

import sys

from .run import run

sys.exit(run())
