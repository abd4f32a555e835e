"""The start of every notebook: the house style for figures, and one sentence on where its data come from."""

from __future__ import annotations

from ..core.shell import show_errors_briefly
from ..data.origin import data_origin
from ..microdata.survey import describe_residents
from ..plotting.style import use_house_style


def start_notebook(residents=None) -> None:
    """Apply the house style to figures and say where this session's data come from (for resident-level
    notebooks: which survey data, real or synthetic).

    Parameters
    ----------
    residents : DataFrame, optional
        a resident-level notebook's residents: prints ``describe_residents`` of them; by default (None) prints
        ``data_origin()``
    """
    import warnings

    use_house_style()
    show_errors_briefly()  # a wijkstudie error in a cell shows its one line (setting errors: traceback for more)
    # tqdm (imported by the spatial libraries) warns that Jupyter widgets are missing; the text bars work
    warnings.filterwarnings("ignore", message="IProgress not found")
    if residents is None:
        print(data_origin())
    else:
        print(describe_residents(residents))
