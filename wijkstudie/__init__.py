"""wijkstudie: Dutch neighbourhood data (CBS, RIVM, PDOK, Rotterdam, Amsterdam) by name, in tidy tables.

    import wijkstudie as ws
    ws.list_datasets()                                   # the catalogue
    print(ws.describe("rivm-gezondheid"))                 # one dataset: publisher, licence, years, source
    rivm = ws.load("rivm-gezondheid", year=2020, level="buurt", age_group="18+")
    kwb = ws.load("kwb", year=2022, level="wijk")
    joined, matches = ws.join_regions(kwb, rivm)         # says what did not match (and harmonises divisions)
    rivm22 = ws.load("rivm-gezondheid", year=2020, level="gemeente", age_group="18+", division=2022)
    print(ws.report(rivm))                               # suppressed cells, warnings
    print(ws.provenance_of(joined).describe())           # real, synthetic or unknown, and from which files
    print(ws.settings)                                   # mirror, cache, language, real or synthetic data

Every data problem raises ``WijkstudieError`` with a one-line message.
"""

from .core.errors import (
    ArgumentError,
    ArgumentTypeError,
    DataFormatError,
    DataNotFoundError,
    DownloadError,
    MissingRecordError,
    WijkstudieError,
)
from .core.provenance import Provenance, provenance_of
from .core.settings import settings
from .core.version import __version__
from .data.catalogue import describe, list_datasets
from .data.codes import gemeente_of, level_of, normalise_code
from .data.harmonise import HarmonisationReport, crosswalk, harmonisation_report, harmonise
from .data.join import JoinReport, join_regions, weighted_mean_by
from .data.loading import fetch, fetch_all, load
from .data.origin import data_origin, provide_synthetic
from .data.overview import coverage, match_table
from .data.reading import read_file
from .data.reports import Report, WijkstudieWarning, report
from .data.variables import label, variable_table
from .microdata.survey import load_residents, read_microdata
from .plotting import source_caption
from .study.notebook import start_notebook


def _synthetic_mirror(ensure: bool):
    """The synthetic world's mirror for the data layer: its folder, written first when ``ensure``."""
    from . import synthetic

    return synthetic.mirror() if ensure else synthetic.mirror_folder()


provide_synthetic(_synthetic_mirror)  # the data layer finds the synthetic world through this, never by import

_DEPRECATED = {"LoadReport": ("Report", "wijkstudie.Report")}  # old name -> (new name, what to use instead)


def __getattr__(name: str):
    """Names reached on first use (PEP 562): deprecated aliases, with a ``DeprecationWarning``."""
    if name in _DEPRECATED:
        from warnings import warn

        new, instead = _DEPRECATED[name]
        warn(
            f"wijkstudie.{name} is deprecated and will be removed in the next release; use {instead}",
            DeprecationWarning,
            stacklevel=2,
        )
        return globals()[new]
    raise AttributeError(f"module 'wijkstudie' has no attribute {name!r}")


__all__ = [
    "ArgumentError",
    "ArgumentTypeError",
    "DataFormatError",
    "DataNotFoundError",
    "DownloadError",
    "MissingRecordError",
    "HarmonisationReport",
    "JoinReport",
    "Report",
    "Provenance",
    "WijkstudieError",
    "WijkstudieWarning",
    "coverage",
    "crosswalk",
    "data_origin",
    "describe",
    "fetch",
    "fetch_all",
    "gemeente_of",
    "harmonisation_report",
    "harmonise",
    "join_regions",
    "label",
    "level_of",
    "list_datasets",
    "load",
    "load_residents",
    "match_table",
    "normalise_code",
    "provenance_of",
    "read_file",
    "read_microdata",
    "report",
    "settings",
    "source_caption",
    "start_notebook",
    "variable_table",
    "weighted_mean_by",
    "__version__",
]
