"""Two editions of one source compared: where a publisher's re-issue of earlier years changed the figures.

Rotterdam published the 2014 and 2016 Wijkprofiel waves twice: in the 2016 file and again in the 2014-2024
"Dataset voor derden". Most items are the same to the last digit, some were recomputed (the social index and
several of its parts, ``ActieveInzet_p``, ``langewoonduur_p``, ...). ``compare_editions`` says which, per item and
wave, from the two files as ``load`` reads them.

An item is matched across the editions by its canonical name where the variable dictionary maps it (so the 2016
file's ``ThuisVoelen_p`` meets the 2024 file's ``ZichThuisVoelen_p``), otherwise by its sheet and code (so the 2016
file's ``Ms`` of the social index is not taken for the 2024 file's ``Ms`` of the physical index).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..core.errors import ArgumentError, ArgumentTypeError
from . import variables as vardict
from .arguments import whole
from .catalogue import get_dataset
from .reports import report

AREA = "area_number"  # the key that is the same in both editions (Rotterdam's own area number)
CITY = 5000  # Rotterdam's number for the city as a whole
QUALIFIED = re.compile(r"^(?P<code>.+) \((?P<block>[^()]+)\)$")  # "Ms (FI-subj)": a code of a later sheet


def compare_editions(dataset: str, year: int | None = None, editions=None, *, tolerance: float = 1e-9) -> pd.DataFrame:
    """Where two editions of a source disagree: every item of a year in both editions, compared area by area.

    Parameters
    ----------
    dataset : str
        a catalogue name whose years come in several editions (``rotterdam-wijkprofiel``)
    year : int, optional
        one year (default: every year both editions hold)
    editions : pair of int, optional
        the two editions, older first (default: the dataset's two newest)
    tolerance : float
        the largest absolute difference that counts as the same figure

    Returns
    -------
    DataFrame
        one row per item and year: ``variable`` (canonical name, else the publisher's code), ``block`` (the sheet
        the item comes from, e.g. SI or FI-subj), ``code_<edition>`` (the publisher's column in each edition),
        ``year``, ``n_compared`` (areas with a figure in both), ``n_differing`` (of those, differing by more than
        ``tolerance``), ``n_one_edition`` (areas with a figure in one edition only), ``max_abs_diff``,
        ``differing_areas`` (the area numbers of the differing figures),
        ``city_<edition>`` (the city's figure in each; for Rotterdam the area 5000) and ``status``: ``identical``,
        ``differs`` or ``only in edition <e>`` (a column without a single figure counts as absent). Figures are
        compared as loaded: percentages for the dictionary's variables, the file's own numbers (fractions) for the
        other columns.

    Raises
    ------
    ArgumentError
        for a dataset without two editions, an edition or year it does not have.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> diff = ws.compare_editions("rotterdam-wijkprofiel", 2014)  # doctest: +SKIP
    >>> diff[diff["status"] == "differs"]  # doctest: +SKIP
    """
    from .loading import load

    ds = get_dataset(dataset)
    old, new = _editions(ds, editions)
    tolerance = _tolerance(tolerance)
    years = {e: {r.year for r in ds.resources if r.edition == e} for e in (old, new)}
    both = sorted(years[old] & years[new])
    year = whole(year, "year")
    if year is not None and year not in both:
        raise ArgumentError(
            f"{ds.name}: no year {year} in both edition {old} and {new}; years in both: {', '.join(map(str, both))}"
        )
    rows = []
    for y in [year] if year is not None else both:
        a = _items(load(ds.name, year=y, edition=old, all_columns=True))
        b = _items(load(ds.name, year=y, edition=new, all_columns=True))
        rows += _compare(a, b, old, new, y, tolerance)
    return pd.DataFrame(rows)


def _editions(dataset, editions) -> tuple[int, int]:
    held = dataset.editions
    if len(held) < 2:
        raise ArgumentError(f"{dataset.name}: has no two editions to compare (editions: {held or 'one per year'})")
    if editions is None:
        return held[1], held[0]
    try:
        old, new = (whole(e, "edition") for e in editions)
    except (TypeError, ValueError):
        raise ArgumentTypeError(f"editions must be a pair of years such as (2016, 2024), not {editions!r}") from None
    for e in (old, new):
        if e not in held:
            raise ArgumentError(f"{dataset.name}: no edition {e}; available: {', '.join(map(str, held))}")
    return old, new


def _tolerance(value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ArgumentTypeError(f"tolerance must be a number of 0 or more, not {value!r}")
    return float(value)


def _items(frame: pd.DataFrame) -> dict:
    """The table's items by their identity (the canonical name, else the sheet and code).

    Each with its code, its sheet and its figures by area number.
    """
    rep = report(frame)
    blocks = rep.details.get("blocks", {})
    by_area = frame.set_index(AREA)
    items = {}
    for column in frame.columns:
        if column in vardict.identifiers():
            continue
        values = by_area[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values) or values.isna().all():
            continue  # a text or yes/no column, or one without figures (as if the edition did not have it)
        values = pd.Series(values.to_numpy(dtype="float64", na_value=np.nan), index=values.index)
        if column in rep.columns:  # a variable of the dictionary
            code = rep.columns[column].split(" (x ")[0]
            key, block = column, blocks.get(code, "")
        else:
            found = QUALIFIED.match(column)
            code, block = (found["code"], found["block"]) if found else (column, blocks.get(column, ""))
            key = (block, code)
        items[key] = (code, block, values)
    return items


def _compare(a: dict, b: dict, old: int, new: int, year: int, tolerance: float) -> list[dict]:
    rows = []
    for key in list(a) + [k for k in b if k not in a]:
        code_a, block_a, x = a.get(key, (None, None, None))
        code_b, block_b, y = b.get(key, (None, None, None))
        row = {
            "variable": key if isinstance(key, str) else key[1],
            "block": block_b or block_a,
            f"code_{old}": code_a,
            f"code_{new}": code_b,
            "year": year,
        }
        if x is None or y is None:
            row.update(
                n_compared=0,
                n_differing=0,
                n_one_edition=int((x if y is None else y).notna().sum()),
                max_abs_diff=np.nan,
                differing_areas=(),
                **{f"city_{old}": _city(x), f"city_{new}": _city(y)},
                status=f"only in edition {old if y is None else new}",
            )
            rows.append(row)
            continue
        x, y = x.align(y)
        both = x.notna() & y.notna()
        diff = (x - y).abs()[both]
        differing = int((diff > tolerance).sum())
        areas = tuple(int(a) for a in diff.index[diff > tolerance])
        row.update(
            n_compared=int(both.sum()),
            n_differing=differing,
            n_one_edition=int((x.notna() ^ y.notna()).sum()),
            max_abs_diff=float(diff.max()) if len(diff) else np.nan,
            differing_areas=areas,
            **{f"city_{old}": _city(x), f"city_{new}": _city(y)},
            status="differs" if differing else "identical",
        )
        rows.append(row)
    return rows


def _city(values: pd.Series | None) -> float:
    if values is None or CITY not in values.index:
        return np.nan
    return float(values.loc[CITY])
