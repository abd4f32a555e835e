"""Summaries across the catalogue: what each source holds (coverage) and how regions match across sources."""

from __future__ import annotations

import pandas as pd

from ..core.errors import WijkstudieError
from .catalogue import datasets
from .download import local_path
from .join import join_regions
from .loading import _load
from .reports import report


def coverage(names=None) -> pd.DataFrame:
    """What each dataset holds here, without downloading anything.

    Parameters
    ----------
    names : list of str, optional
        the datasets to cover (default: every regional dataset; the crosswalk matrices of ``grenswijzigen``
        are left out unless named)

    Returns
    -------
    DataFrame
        one row per resource of the catalogue: dataset, year, variant (the value of the dataset's named
        parameter, e.g. ``age_group`` ``18+``: ``describe(name)`` says which), whether its file is here (the mirror
        or the cache), and for the files that are: rows per level and the number of variables filled.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> table = ws.coverage(["rivm-gezondheid"])  # doctest: +SKIP
    >>> table[table["available"]]  # doctest: +SKIP
    """
    rows = []
    for name in names or [n for n in datasets() if n != "grenswijzigen"]:
        for r in datasets()[name].resources:
            row = {"dataset": name, "year": r.year, "variant": r.variant or ""}
            if local_path(r) is None:
                rows.append(
                    {**row, "available": False, "note": "not here: needs the network (or a mirror that holds it)"}
                )
                continue
            try:
                rep = report(_load(datasets()[name], [r], r.year, None, False, None, False))
            except WijkstudieError as exc:
                rows.append({**row, "available": False, "note": str(exc).split(";")[0][:90]})
                continue
            rows.append(
                {
                    **row,
                    "available": True,
                    **{lv: n for lv, n in rep.levels.items()},
                    "variables": sum(1 for n in rep.variables.values() if n),
                    "note": "",
                }
            )
    table = pd.DataFrame(rows)
    counts = [c for c in ("land", "gemeente", "wijk", "buurt", "gebied", "variables") if c in table]
    for column in counts:
        table[column] = table[column].astype("Int64")
    return table[["dataset", "year", "variant", "available"] + counts + ["note"]]


def match_table(pairs) -> pd.DataFrame:
    """How many regions match between pairs of tables, per level.

    Parameters
    ----------
    pairs : list of tuple
        ``(label, left, right)`` per comparison; the tables need ``region_code`` (and the left one ``level``)

    Returns
    -------
    DataFrame
        one row per pair and level: matched, only left, only right, the share of the left matched and examples
        of the unmatched codes

    Examples
    --------
    >>> import wijkstudie as ws
    >>> kwb, rivm = ws.load("kwb", year=2017), ws.load("rivm-gezondheid", year=2020)  # doctest: +SKIP
    >>> ws.match_table([("KWB 2017 x RIVM 2020", kwb, rivm)])  # doctest: +SKIP
    """
    rows = []
    for label, left, right in pairs:
        _, rep = join_regions(left[["region_code", "level"]], right[["region_code"]])
        for r in rep.rows:
            total_left = r["matched"] + r["left_only"]
            rows.append(
                {
                    "comparison": label,
                    "level": r["level"],
                    "matched": r["matched"],
                    "only_left": r["left_only"],
                    "only_right": r["right_only"],
                    "share_of_left_matched": round(r["matched"] / total_left, 3) if total_left else None,
                    "examples_only_left": r["left_examples"],
                    "examples_only_right": r["right_examples"],
                }
            )
    return pd.DataFrame(rows)
