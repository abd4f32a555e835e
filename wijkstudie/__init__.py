"""wijkstudie: Dutch neighbourhood data (CBS, RIVM, PDOK, Rotterdam, Amsterdam) by name, in tidy tables.

    import wijkstudie as ws
    ws.list_datasets()                                   # the catalogue
    print(ws.describe("rivm-gezondheid"))                 # one dataset: publisher, licence, years, source
    rivm = ws.load("rivm-gezondheid", year=2020, level="buurt", variant="18+")
    kwb = ws.load("kwb", year=2022, level="wijk")
    joined, matches = ws.join_regions(kwb, rivm)         # says what did not match (and harmonises divisions)
    rivm22 = ws.load("rivm-gezondheid", year=2020, variant="18+", level="gemeente", division=2022)
    print(ws.report(rivm))                               # suppressed cells, warnings
    print(ws.provenance_of(joined).describe())           # real, synthetic or unknown, and from which files
    print(ws.settings)                                   # mirror, cache, language, real or synthetic data

Every data problem raises ``WijkstudieError`` with a one-line message.
"""

from .catalogue import describe, list_datasets
from .codes import gemeente_of, level_of, normalise_code
from .errors import WijkstudieError
from .files import read_file
from .harmonise import HarmonisationReport, crosswalk, harmonisation_report, harmonise
from .join import JoinReport, join_regions, weighted_mean_by
from .loading import fetch, fetch_all, load
from .microdata import load_residents, read_microdata
from .overview import coverage, match_table
from .provenance import Provenance, provenance_of, source_caption
from .reports import LoadReport, WijkstudieWarning, report
from .session import data_origin, start_notebook
from .settings import settings
from .variables import label, variable_table
from .version import __version__

__all__ = [
    "HarmonisationReport", "JoinReport", "LoadReport", "Provenance", "WijkstudieError", "WijkstudieWarning",
    "coverage", "crosswalk", "data_origin", "describe", "fetch", "fetch_all", "gemeente_of", "harmonisation_report",
    "harmonise", "join_regions", "label", "level_of", "list_datasets", "load", "load_residents", "match_table",
    "normalise_code", "provenance_of", "read_file", "read_microdata", "report", "settings", "source_caption",
    "start_notebook", "variable_table", "weighted_mean_by", "__version__",
]
