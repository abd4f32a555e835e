"""Escaping for the report site's pages.

For every string that may come from a data file (a gemeente name, a sample, a test label, a notebook's file name): what
it says is shown as text, never run as markup.

- ``html_text``: text inside an HTML element or attribute (``&``, ``<``, ``>``, ``"`` and ``'`` escaped);
- ``url_part``: one path segment of a relative link (percent-encoded, so ``"`` or ``/`` in a name stays a name).
"""

from __future__ import annotations

import html
import urllib.parse


def html_text(value) -> str:
    """Text for HTML: an element's content or an attribute's value (quotes escaped too).

    Parameters
    ----------
    value : object
        anything; shown as ``str(value)``

    Returns
    -------
    str
    """
    return html.escape(str(value), quote=True)


def url_part(name) -> str:
    """One path segment of a relative link, percent-encoded (``/``, ``"``, ``?``, ``#`` and spaces included).

    Parameters
    ----------
    name : object
        a file name without folders

    Returns
    -------
    str
        safe inside an HTML attribute as it is
    """
    return urllib.parse.quote(str(name), safe="")
