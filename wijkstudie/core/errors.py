"""The exceptions wijkstudie raises: one base class, and subclasses that are also the matching built-in.

Every error wijkstudie raises is a ``WijkstudieError`` whose message is one line naming the file, dataset or
argument and the problem. Each kind is also the built-in exception a Python user would try first:

==========================  ======================================  ==============================================
class                       also a                                  raised for
==========================  ======================================  ==============================================
``ArgumentError``           ``ValueError``                          a bad argument or setting: an unknown dataset,
                                                                    a year the catalogue does not list, an unknown
                                                                    level or age group, a column the table given
                                                                    lacks, too few rows for a model
``ArgumentTypeError``       ``ValueError`` and ``TypeError``        an argument of the wrong type (a dataset name
                                                                    that is not a text, a year that is not a whole
                                                                    number)
``DataNotFoundError``       ``FileNotFoundError``                   data that cannot be had here: a year the
                                                                    catalogue lists but that is neither in the
                                                                    mirror nor in the cache (nor downloadable), a
                                                                    path that does not exist
``MissingRecordError``      ``LookupError``                         a table or result that does not carry what is
                                                                    asked of it: no load report, no harmonisation
                                                                    report, no covariance, no source
``DataFormatError``         ``ValueError``                          unreadable or malformed data: a damaged or
                                                                    empty file, an HTML page saved as a workbook,
                                                                    missing key columns, conflicting repeats, a
                                                                    hash mismatch
``DownloadError``           ``ConnectionError``                     a download that failed or was refused
``MissingDependencyError``  ``ImportError``                         an optional dependency that is not installed
                                                                    (the message names the extra to install)
==========================  ======================================  ==============================================

The line between ``ArgumentError`` and ``DataNotFoundError`` for years: a year the catalogue does not list is a
bad argument (``ValueError``; the message lists the years it does list), a year it lists that cannot be had on
this machine is missing data (``FileNotFoundError``; the message names the years that can be had here).
``except WijkstudieError`` catches them all; the command line prints the one line without a traceback.
"""


class WijkstudieError(Exception):
    """A problem the user can act on, said in one line.

    The message names the file (or dataset, or argument) and the problem, e.g.
    ``kwb-2023.xlsx: not a valid Excel workbook (truncated or corrupt?)``. The command line prints it
    without a traceback and exits with status 1. Every error wijkstudie raises is one of these; the
    subclasses below are also the matching built-in exception.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> try:
    ...     ws.load("no-such-dataset")
    ... except ws.WijkstudieError as exc:
    ...     print(exc.first_clause)
    unknown dataset 'no-such-dataset'
    """

    @property
    def first_clause(self) -> str:
        """What went wrong, without what to do: the message up to its first ``;`` (a note, a table cell)."""
        return str(self).split(";")[0]


class ArgumentError(WijkstudieError, ValueError):
    """A bad argument or setting value (also a ``ValueError``): the message lists what is allowed.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> try:
    ...     ws.load("rivm-gezondheid", year=2020, age_group="12+")
    ... except ValueError as exc:
    ...     print(exc)
    rivm-gezondheid: no age_group '12+' for 2020; available: 18+, 65+, 18-64
    """


class ArgumentTypeError(ArgumentError, TypeError):
    """An argument of the wrong type (also a ``TypeError`` and a ``ValueError``).

    Examples
    --------
    >>> import wijkstudie as ws
    >>> try:
    ...     ws.load("kwb", year="twenty")
    ... except TypeError as exc:
    ...     print(exc)
    year must be a whole number such as 2022, not 'twenty'
    """


class DataNotFoundError(WijkstudieError, FileNotFoundError):
    """Data that cannot be had here (also a ``FileNotFoundError``).

    A year or file that is not in the mirror or the cache and cannot be downloaded, or a path that does not exist.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> try:
    ...     ws.read_file("no-such-file.csv")
    ... except FileNotFoundError as exc:
    ...     print(exc)
    no-such-file.csv: no such file
    """


class MissingRecordError(WijkstudieError, LookupError):
    """A table or result that does not carry what is asked of it (also a ``LookupError``).

    A load report, a harmonisation report, a covariance, a data source.

    Examples
    --------
    >>> import pandas as pd
    >>> import wijkstudie as ws
    >>> try:
    ...     ws.report(pd.DataFrame({"x": [1]}))
    ... except LookupError as exc:
    ...     print(exc)
    this table carries no wijkstudie load report
    """


class DataFormatError(WijkstudieError, ValueError):
    """Unreadable or malformed data (also a ``ValueError``).

    A damaged, empty or unrecognised file, missing key columns, areas repeated with different values, a file that is not
    the one the catalogue pins.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import wijkstudie as ws
    >>> empty = Path(tempfile.mkdtemp()) / "empty.csv"
    >>> _ = empty.write_text("")
    >>> try:
    ...     ws.read_file(empty)
    ... except ValueError as exc:
    ...     print(exc)
    empty.csv: empty file
    """


class DownloadError(WijkstudieError, ConnectionError):
    """A download that failed or was refused (also a ``ConnectionError``).

    No network, an HTTP error, an error page instead of the file, a file whose hash is not the one the catalogue pins.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> try:  # doctest: +SKIP
    ...     ws.fetch("kwb", year=2024, source_format="workbook")
    ... except ConnectionError as exc:
    ...     print("no download:", exc)
    """


class MissingDependencyError(WijkstudieError, ImportError):
    """An optional dependency that is not installed (also an ``ImportError``).

    The message names the extra that brings it.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> try:  # doctest: +SKIP
    ...     ws.models.morans_i(values, weights)  # without the spatial extra
    ... except ImportError as exc:
    ...     print(exc)
    morans_i needs esda: pip install "wijkstudie[spatial]"
    """


class WijkstudieWarning(UserWarning):
    """Something the user should know about a result that is not an error (e.g. a file with areas missing).

    Defined here, in the lowest layer, so that every layer can warn with it (``wijkstudie.WijkstudieWarning``).

    Examples
    --------
    >>> import warnings
    >>> import wijkstudie as ws
    >>> warnings.simplefilter("error", ws.WijkstudieWarning)  # make every such warning an error  # doctest: +SKIP
    """


class ModelImpliedWarning(WijkstudieWarning):
    """A fit regresses a model-based estimate on one of its own model's predictors.

    It recovers that model, not a finding. Fields: ``outcome``, ``term`` (the first such term), ``terms`` (all),
    ``model`` (the model's name), ``concepts`` (the shared predictor concepts).

    Parameters
    ----------
    message : str
        the one-line message
    outcome, term, model : str
        the outcome, the (first) model-implied term and the measurement model
    terms, concepts : tuple of str
        every model-implied term and the concepts they share with the model
    """

    def __init__(self, message: str, *, outcome: str, term: str, model: str, terms=(), concepts=()):
        super().__init__(message)
        self.outcome, self.term, self.model = outcome, term, model
        self.terms, self.concepts = tuple(terms) or (term,), tuple(concepts)


class SharedSourceUnitWarning(WijkstudieWarning):
    """A fit without clustered errors on harmonised areas that share a source unit.

    (an old area split over several new ones copies its figures into each): ``column`` names the column to cluster on.

    Parameters
    ----------
    message : str
        the one-line message
    column : str
        the source-unit column, e.g. ``"source_code_2020"``
    shared : int
        the number of rows whose source unit another row also has
    """

    def __init__(self, message: str, *, column: str, shared: int):
        super().__init__(message)
        self.column, self.shared = column, int(shared)


class PageFitWarning(WijkstudieWarning):
    """A model fitted on a notebook's page is not the declared one, so the study fits the declared one and records it.

    Fields: ``model`` (what was declared, e.g. "F3, rotterdam-wijkprofiel") and ``differences`` (what differs: another
    formula, option, rows or values).

    Parameters
    ----------
    message : str
        the one-line message
    model : str
        the declared model
    differences : tuple of str
        what differs
    """

    def __init__(self, message: str, *, model: str, differences=()):
        super().__init__(message)
        self.model, self.differences = model, tuple(differences)


def os_reason(exc: BaseException) -> str:
    """What an error on a path means, in words.

    Parameters
    ----------
    exc : BaseException
        the ``OSError`` (or, before Python 3.13, the ``RuntimeError`` of a symlink loop) a path operation raised

    Returns
    -------
    str
        e.g. "a part of the path is a file, not a folder", "a symlink loop", "permission denied", "a read-only
        file system", "no space left on the disk"
    """
    import errno

    if isinstance(exc, RuntimeError):  # Python < 3.13: pathlib's "Symlink loop"
        return "a symlink loop"
    return {
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.ELOOP: "a symlink loop",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "a read-only file system",
        errno.ENOSPC: "no space left on the disk",
        errno.EEXIST: "a file is in the way",
    }.get(getattr(exc, "errno", None), getattr(exc, "strerror", None) or type(exc).__name__)
