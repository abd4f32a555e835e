"""The scope of a table's evidence: the Netherlands, one gemeente (named), a few, or the synthetic world."""

from __future__ import annotations

import pandas as pd

from ..core.provenance import provenance_of
from .findings import NATIONAL, SYNTHETIC_SCOPE

CITIES = {"Utrecht": "GM0344", "Rotterdam": "GM0599", "Amsterdam": "GM0363"}


CASE = "Vreewijk"  # the case of notebook 05 (a finding of its own), named in the Rotterdam figures


NATIONAL_GEMEENTEN = 300  # a table with areas in this many gemeenten covers the country (342-403 since 2016)


def scope_of(table: pd.DataFrame) -> str:
    """The scope of a table's evidence.

    ``NATIONAL`` when its areas lie in at least ``NATIONAL_GEMEENTEN`` gemeenten, the gemeente's name and code for one
    gemeente, the codes for a few; "the synthetic world" for synthetic data (which describe no real place); "" (not
    stated) when the table names no gemeente.

    Parameters
    ----------
    table : DataFrame
        a table of areas (or residents) with ``gemeente_code`` and, for a name, ``gemeente_name``

    Returns
    -------
    str
        e.g. "the Netherlands", "Utrecht (GM0344)", "2 gemeenten (GM0344, GM0599)" or ""
    """
    if provenance_of(table).kind == "synthetic":
        return SYNTHETIC_SCOPE
    codes = sorted(set(table["gemeente_code"].dropna().astype(str))) if "gemeente_code" in table else []
    if len(codes) >= NATIONAL_GEMEENTEN:
        return NATIONAL
    if len(codes) != 1:
        return f"{len(codes)} gemeenten ({', '.join(codes)})" if codes else ""
    names = (
        table.loc[table["gemeente_code"] == codes[0], "gemeente_name"].dropna()
        if "gemeente_name" in table
        else pd.Series(dtype=str)
    )
    return f"{names.iloc[0] if len(names) else codes[0]} ({codes[0]})"
