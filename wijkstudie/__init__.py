"""wijkstudie: Dutch neighbourhood data (CBS, RIVM, PDOK, Rotterdam, Amsterdam) by name, in tidy tables.

    import wijkstudie as ws
    ws.list_datasets()                                   # the catalogue
    print(ws.describe("rivm-gezondheid"))                 # one dataset: publisher, licence, years, source
    rivm = ws.load("rivm-gezondheid", year=2020, level="buurt", variant="18+")
    kwb = ws.load("kwb", year=2017, level="buurt")
    joined, matches = ws.join_regions(kwb, rivm)         # says what did not match (and harmonises divisions)
    rivm22 = ws.load("rivm-gezondheid", year=2020, variant="18+", level="gemeente", division=2022)
    print(ws.report(rivm))                               # suppressed cells, warnings

Set ``WIJKSTUDIE_MIRROR`` to a local mirror folder to work offline; ``WIJKSTUDIE_DATA_DIR`` for the cache.
Every data problem raises ``WijkstudieError`` with a one-line message.
"""

from .api import (LoadReport, WijkstudieWarning, data_origin, fetch, fetch_all, load, read_file, report,
                  source_caption, start_notebook)
from .catalogue import describe, list_datasets
from .codes import gemeente_of, level_of, normalise_code
from .errors import WijkstudieError
from .harmonise import HarmonisationReport, crosswalk, harmonisation_report, harmonise
from .join import JoinReport, join_regions, weighted_mean_by
from .overview import coverage, match_table
from .variables import label, variable_table

__all__ = [
    "HarmonisationReport", "LoadReport", "JoinReport", "WijkstudieError", "WijkstudieWarning", "crosswalk",
    "harmonisation_report", "harmonise", "coverage", "data_origin", "describe", "match_table",
    "source_caption", "start_notebook", "fetch", "fetch_all", "gemeente_of", "join_regions",
    "label", "level_of", "list_datasets", "load", "normalise_code", "read_file", "report", "variable_table",
    "weighted_mean_by",
]
__version__ = "0.1.0"
