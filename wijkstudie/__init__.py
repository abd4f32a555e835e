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
    print(ws.settings)                                   # mirror, cache, language, ... and where each was set
    ws.available()                                       # what can be loaded here now: mirror, cache, network

    fig = ws.map_figure(joined, "pct_volunteering")         # figures in the house style (matplotlib on first use)
    ws.save_figure(fig, "volunteering", source=ws.source_caption(joined))
    ws.models.area_regression("pct_volunteering ~ pct_owner_occupied", joined)  # ws.models, ws.study, ws.synthetic

Every problem raises a ``WijkstudieError`` with a one-line message; its subclasses are also the matching built-in
(``ArgumentError`` a ``ValueError``, ``DataNotFoundError`` a ``FileNotFoundError``, ...; see
``wijkstudie.core.errors``).

``import wijkstudie`` loads only the settings and the errors; the data layer (pandas), the figures (matplotlib), the
models (statsmodels), the study and the synthetic world are imported the first time one of their names is used on
``ws`` (PEP 562). ``from wijkstudie import *`` brings the errors, the settings and the data layer's names, not the
figures, models, study or synthetic world (reach those as ``ws.map_figure``, ``ws.models``, ...).
"""

from .core.errors import (
    ArgumentError,
    ArgumentTypeError,
    DataFormatError,
    DataNotFoundError,
    DownloadError,
    MissingDependencyError,
    MissingRecordError,
    WijkstudieError,
    WijkstudieWarning,
)
from .core.settings import settings
from .core.version import __version__

if "IPython" in __import__("sys").modules:  # in a notebook: a wijkstudie error shows its one line (setting errors)
    from .core.shell import show_errors_briefly as _show_errors_briefly

    _show_errors_briefly()


def start_notebook(residents=None) -> None:
    """Start a notebook: the house style for its figures, and one sentence on where its data come from.

    Parameters
    ----------
    residents : DataFrame, optional
        for a resident-level notebook, the survey microdata it uses (``load_residents()``): the sentence then says
        which survey data these are, real or synthetic

    Returns
    -------
    None
        the sentence is printed

    Examples
    --------
    >>> import wijkstudie as ws
    >>> ws.start_notebook()  # doctest: +SKIP
    Real open data from the publishers (CBS, RIVM, PDOK, Rotterdam, Amsterdam), read from the local mirror ...
    """
    from .study.notebook import start_notebook as start  # the figures and the study, imported on first use

    start(residents)


# names reached on first use, so that ``import wijkstudie`` does not import matplotlib, statsmodels or the study:
# name -> (module, attribute; None for the module itself)
_DATA = {  # the data layer's names on ws -> their module (imported with pandas on first use)
    ".core.provenance": ("Provenance", "provenance_of"),
    ".data.catalogue": ("describe", "list_datasets"),
    ".data.codes": ("gemeente_of", "level_of", "normalise_code"),
    ".data.editions": ("compare_editions",),
    ".data.harmonise": ("HarmonisationReport", "crosswalk", "harmonise"),
    ".data.join": ("JoinReport", "join_regions", "weighted_mean_by"),
    ".data.loading": ("fetch", "fetch_all", "load"),
    ".data.origin": ("data_origin",),
    ".data.overview": ("available", "coverage", "match_table"),
    ".data.reading": ("read_file",),
    ".data.reports": ("Report", "report"),
    ".data.variables": ("label", "variable_table"),
    ".microdata.survey": ("load_residents", "read_microdata"),
}
_LAZY = {
    **{name: (module, name) for module, names in _DATA.items() for name in names},
    "models": (".models", None),
    "plotting": (".plotting", None),
    "study": (".study", None),
    "synthetic": (".synthetic", None),
    "use_synthetic": (".synthetic", "use_synthetic"),
    **{
        name: (".plotting", name)
        for name in (
            "breakpoint_figure",
            "choropleth",
            "cluster_map",
            "correlation_heatmap",
            "dense_scatter",
            "estimate_figure",
            "group_bars",
            "interval_figure",
            "interval_series",
            "map_figure",
            "percentile_figure",
            "save_figure",
            "scatter_fit",
            "scatter_panels",
            "source_caption",
        )
    },
}


def __getattr__(name: str):
    """Names reached on first use (PEP 562).

    The data layer, figures, models, study and synthetic world (imported then, and kept).
    """
    if name in _LAZY:
        from importlib import import_module

        module, attribute = _LAZY[name]
        value = import_module(module, __name__)
        value = value if attribute is None else getattr(value, attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'wijkstudie' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


# what ``from wijkstudie import *`` brings: the errors, the settings and the data layer (which imports pandas), but
# neither the figures (matplotlib), the models (statsmodels), the study nor the synthetic world, which stay on ``ws``
# (``ws.map_figure``, ``ws.models``, ...) and are imported when first used
__all__ = [
    "ArgumentError",
    "ArgumentTypeError",
    "DataFormatError",
    "DataNotFoundError",
    "DownloadError",
    "MissingDependencyError",
    "MissingRecordError",
    "WijkstudieError",
    "WijkstudieWarning",
    "__version__",
    "settings",
    "start_notebook",
    *(name for names in _DATA.values() for name in names),
]
