"""Which data a run of the notebooks uses: the main command and the notebook tests choose, the library reads."""

from __future__ import annotations

import os

from ..core.settings import DEFAULT, settings
from ..data.origin import real_data_reachable


def choose_data() -> str:
    """The data kind of a run of the notebooks, exported for its kernels.

    Keep the ``data`` setting where one was given (``ws.settings``, ``WIJKSTUDIE_DATA`` or the project file), otherwise
    ``real`` when real data can be reached and ``synthetic`` when not. Sets ``WIJKSTUDIE_DATA`` so notebook kernels
    inherit it.

    Returns
    -------
    str
        ``"real"`` or ``"synthetic"``
    """
    asked = settings.origin("data").source != DEFAULT  # in ws.settings, the environment or the project file
    data_kind = settings.data if asked else ("real" if real_data_reachable() else "synthetic")
    os.environ["WIJKSTUDIE_DATA"] = data_kind
    return data_kind
