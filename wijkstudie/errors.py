"""The one exception type wijkstudie raises for bad data, bad names and failed downloads."""


class WijkstudieError(Exception):
    """A data problem the user can act on.

    The message is one line that names the file (or dataset) and the problem, e.g.
    ``kwb-2023.xlsx: not a valid Excel workbook (truncated or corrupt?)``. The command line prints it
    without a traceback and exits with status 1.
    """
