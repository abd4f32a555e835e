"""Livability: the areas a claim speaks of.

A class per wijk or buurt (1 = livability problems): the Leefbaarometer's where its scores can be had, else a proxy from
open figures (the worst share of the country's areas on money problems and incomes), with what it is built from (which
decides whether a test on it is model-implied).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.errors import DataNotFoundError, DownloadError
from ..core.provenance import carry
from ..data.join import join_regions
from ..data.loading import load

PROBLEM_CLASS = 4  # Leefbaarometer classes 1-4 (zwak and worse) count as livability problems


PROBLEM_SHARE = 0.2  # the proxy: the fifth of the areas that score worst


LEEFBAAROMETER_NAME = f"Leefbaarometer classes 1-{PROBLEM_CLASS}"


PROXY_FIGURES = {
    "wijk": ("pct_difficulty_making_ends_meet", "pct_low_income", +1),
    "buurt": ("pct_difficulty_making_ends_meet", "mean_income_per_resident", -1),
}


PROXY_TEXT = (
    "the {share} of the Dutch {level}en that score worst on the sum of two standardised open figures: "
    "RIVM's share of adults with difficulty making ends meet and the KWB's {income}. The proxy measures "
    "economic deprivation, which often goes with livability problems; it is not the Leefbaarometer's "
    "judgement of livability"
)


def _share_text(share: float) -> str:
    return {0.2: "fifth", 0.1: "tenth"}.get(round(share, 2), f"{100 * share:.0f} %")


def proxy_name(share: float = PROBLEM_SHARE) -> str:
    """The proxy livability class's name in test labels, with its cut-off.

    Parameters
    ----------
    share : float
        the cut-off: the worst share of the areas (``PROBLEM_SHARE`` by default)

    Returns
    -------
    str
        e.g. "proxy: worst 20 % on money problems and incomes"
    """
    return f"proxy: worst {100 * share:.0f} % on money problems and incomes"


def _proxy(rivm_money: pd.Series, income: pd.Series, sign: int, share: float) -> pd.Series:
    z = lambda s: (s - s.mean()) / s.std()  # noqa: E731
    score = z(rivm_money) + sign * z(income)
    threshold = score.quantile(1 - share)
    return (score >= threshold).astype(float).where(score.notna())


def livability_class(table: pd.DataFrame, year: int, share: float = PROBLEM_SHARE) -> tuple[pd.Series, dict]:
    """The livability class of every wijk of a national wijk table (1 = problems, 0 = elsewhere, NaN = unknown).

    The Leefbaarometer's where its scores of ``year`` can be had, else the proxy (the worst ``share`` of the wijken).

    Parameters
    ----------
    table : DataFrame
        a national wijk table with ``region_code``, ``level`` and ``division_year`` (for the Leefbaarometer) and the
        proxy's figures, ``pct_difficulty_making_ends_meet`` and ``pct_low_income``
    year : int
        the year of the Leefbaarometer scores
    share : float
        the proxy's cut-off (``PROBLEM_SHARE`` by default); the Leefbaarometer's class has none

    Returns
    -------
    tuple
        (class, {"name", "text", "built_from": the variables it is made of}); the class is a Series indexed like
        ``table``
    """
    try:
        scores = load("leefbaarometer", year=year, level="wijk")
        joined, _ = join_regions(
            table[["region_code", "level", "division_year"]],
            scores[["region_code", "level", "division_year", "livability_class"]],
            how="left",
        )
        classes = joined.set_index("region_code")["livability_class"].reindex(table["region_code"]).to_numpy(float)
        problem = pd.Series(
            np.where(np.isnan(classes), np.nan, (classes <= PROBLEM_CLASS).astype(float)), index=table.index
        )
        return problem, {
            "name": f"{LEEFBAAROMETER_NAME} ({year})",
            "built_from": ["livability_class"],
            "text": f"Leefbaarometer 3 scores of {year}: classes 1-{PROBLEM_CLASS} (zwak, weak, and "
            "worse) count as livability problems",
        }
    except (DataNotFoundError, DownloadError) as exc:  # not here: the proxy (a damaged file is an error)
        note = exc.first_clause
    money, income, sign = PROXY_FIGURES["wijk"]
    problem = _proxy(table[money], table[income], sign, share)
    text = PROXY_TEXT.format(
        share=_share_text(share), level="wijk", income="share of residents in the lowest 40 % of incomes"
    )
    return problem, {
        "name": proxy_name(share),
        "built_from": [money, income],
        "text": f"{text}. The Leefbaarometer, the first choice, cannot be had here ({note}).",
    }


def buurt_livability(rivm_year: int, share: float = PROBLEM_SHARE, kwb_year: int = 2017) -> tuple[pd.Series, dict]:
    """The proxy livability class of every Dutch buurt (indexed by buurt code, division of RIVM's table).

    The worst ``share`` of the buurten on RIVM's money problems (``rivm_year``) and the KWB's mean income per resident
    (``kwb_year``, buurten whose code is the same in both divisions).

    Parameters
    ----------
    rivm_year : int
        the year of RIVM's buurt estimates (18+)
    share : float
        the cut-off (``PROBLEM_SHARE`` by default)
    kwb_year : int
        the KWB year of the incomes (2017 by default)

    Returns
    -------
    tuple
        (class: a Series of 1, 0 or NaN indexed by buurt code, {"name", "text", "built_from"})
    """
    money, income, sign = PROXY_FIGURES["buurt"]
    rivm = load("rivm-gezondheid", year=rivm_year, age_group="18+", level="buurt")
    kwb = load("kwb", year=kwb_year, level="buurt")
    both = rivm[["region_code", money]].merge(kwb[["region_code", income]], on="region_code", how="inner")
    problem = _proxy(both[money], both[income], sign, share)
    problem.index = both["region_code"].astype(str)
    text = PROXY_TEXT.format(
        share=_share_text(share), level="buurt", income=f"mean income per resident ({kwb_year}; RIVM {rivm_year})"
    )
    return problem, {"name": proxy_name(share), "built_from": [money, income], "text": text}


def with_livability(table: pd.DataFrame, problem: pd.Series) -> pd.DataFrame:
    """The table with ``problem`` (1, 0, NaN) and ``livability`` ("problem", "elsewhere", NaN) columns.

    ``problem`` is indexed like the table or by region code.

    Parameters
    ----------
    table : DataFrame
        the areas; ``region_code`` is needed when ``problem`` is indexed by code
    problem : Series
        the class (``livability_class`` or ``buurt_livability``); indexed by code, an area it lacks gets NaN

    Returns
    -------
    DataFrame
        a copy of the table with the two columns, its provenance kept
    """
    if not problem.index.equals(table.index):
        problem = table["region_code"].astype(str).map(problem)
    out = table.assign(problem=problem.to_numpy(dtype=float))
    out["livability"] = pd.Series(np.where(out["problem"] == 1, "problem", "elsewhere"), index=out.index).where(
        out["problem"].notna()
    )
    return carry(out, table)


def direct_class(
    table: pd.DataFrame,
    *,
    built_from: list[str],
    better: dict,
    share: float = PROBLEM_SHARE,
    unit: str = "region_code",
    tested=(),
) -> tuple[pd.Series, dict]:
    """A livability class from direct measurements.

    (1 = the worst ``share`` of the areas, 0 = the others, NaN = unknown): per area the mean over its rows (waves) of
    each item, standardised over the areas, averaged with the sign that makes higher better; never from a model's output
    or a tested predictor.

    Parameters
    ----------
    table : DataFrame
        the sample's rows (one per area and wave) with ``unit`` and the items
    built_from : list of str
        the items (direct survey or register measurements)
    better : dict
        {item: "high" or "low"}: which end of an item is the better livability
    share : float
        the cut-off: the worst share of the areas with a score
    unit : str
        the column naming an area (a class is per area, the same in every wave)
    tested : iterable of str
        the tested predictors of the study: an item among them is refused

    Returns
    -------
    tuple
        (the class per row of ``table``, {"name", "built_from", "share", "problem_areas", "scored_areas", "areas"}:
        how many areas are classed as problems, how many have a score, and how many the table holds)

    Raises
    ------
    ArgumentError
        for an item that is a model-based estimate, a tested predictor, or not in the table
    """
    from ..core.errors import ArgumentError
    from ..core.provenance import provenance_of
    from .evidence import measurement

    provenance = provenance_of(table)
    for item in built_from:
        if item in set(tested):
            raise ArgumentError(f"a livability class may not be built from a tested predictor ({item})")
        if item not in table:
            raise ArgumentError(f"a livability class needs {item!r}, which the table does not have")
        source = provenance.source_of(item)
        if source is not None and measurement(source, item)[0] == "model-based":
            raise ArgumentError(
                f"a livability class may not be built from a model-based estimate ({item} of {source.dataset})"
            )
    data = table[[unit, *built_from]]
    data.attrs = {}  # pandas deep-copies attrs at every step; the class needs only the numbers
    means = data.groupby(unit)[list(built_from)].mean()
    z = (means - means.mean()) / means.std()
    signs = pd.Series({item: 1.0 if better.get(item, "high") == "high" else -1.0 for item in built_from})
    score = (z * signs).mean(axis=1, skipna=False)
    scored = score.dropna()
    threshold = scored.quantile(share)
    per_area = (scored <= threshold).astype(float)
    problem = data[unit].map(per_area).astype(float)
    return pd.Series(problem.to_numpy(), index=table.index), {
        "name": f"worst {100 * share:.0f} % on {' and '.join(built_from)}",
        "built_from": list(built_from),
        "share": share,
        "problem_areas": int(per_area.sum()),
        "scored_areas": int(len(scored)),
        "areas": int(len(means)),
    }
