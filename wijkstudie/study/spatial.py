"""Spatial structure of the national tables (notebook 06).

Moran's I, and the national F2 and F3 models beside spatial error and spatial lag models.
"""

from __future__ import annotations

import pandas as pd

from ..core.optional import optional
from ..data.variables import label
from . import findings as fd
from .designs import model_spec
from .national import complete
from .scope import scope_of


def moran_table(areas: dict, weights: dict, variables) -> pd.DataFrame:
    """Global Moran's I of each variable over each set of areas ({name: table}, with its ``weights``).

    Parameters
    ----------
    areas : dict
        {name: table of areas}
    weights : dict
        {name: spatial weights of that table's areas, in its row order} (``models.spatial_weights``)
    variables : list of str
        the columns

    Returns
    -------
    DataFrame
        indexed by ``areas`` and ``variable`` (its label): ``n`` (the table's rows) and ``morans_i``'s ``I``,
        ``expected``, ``z`` and ``p_value``
    """
    from ..models import morans_i

    rows = []
    for name, table in areas.items():
        for variable in variables:
            rows.append(
                {
                    "areas": name,
                    "variable": label(variable),
                    "n": len(table),
                    **morans_i(table[variable], weights[name]),
                }
            )
    return pd.DataFrame(rows).set_index(["areas", "variable"])


def spatial_terms(young: list[str]) -> dict:
    """The tested terms of F3's and F2's national models.

    (findings.yaml ``models: national``) with the direction each claim names.

    Parameters
    ----------
    young : list of str
        the F2 predictors the table holds (``young_terms``)

    Returns
    -------
    dict
        {"F3": [(term, sign)], "F2": [(term, sign), ...]}
    """
    return {
        "F3": [(term, fd.expected_sign("F3")) for term in model_spec("F3", "national").terms],
        "F2": [(term, fd.expected_sign("F2")) for term in young],
    }


def spatial_results(tables: dict, young: list[str], *, fitted: dict | None = None) -> dict:
    """OLS, spatial error and spatial lag models of the national F3 and F2 models.

    (findings.yaml ``models: national``) on each table ({RIVM year: wijken}), keyed (finding, year).

    Parameters
    ----------
    tables : dict
        {RIVM year: ``national_wijken`` (a GeoDataFrame)}
    young : list of str
        the F2 predictors (``young_terms``)
    fitted : dict, optional
        {(finding, year): ``spatial_models`` result} already fitted on the page: kept when it is the declared call
        (formula, rows and values), not fitted again; else fitted again with a ``PageFitWarning``

    Returns
    -------
    dict
        {(finding, year): ``models.spatial_models`` of the formula on the table's complete rows: {model name:
        ModelResult}}
    """
    from ..models import spatial_models
    from .page_fits import declared_fit

    formulas = {"F3": model_spec("F3", "national").formula(), "F2": model_spec("F2", "national").formula(young)}
    out = {}
    for key, formula in formulas.items():
        for year, table in tables.items():
            given = (fitted or {}).get((key, year))
            rows = complete(table, formula)
            out[(key, year)] = declared_fit(given, spatial_models, formula, rows, name=f"{key} national {year}")
    return out


def spatial_table(spatial: dict, terms: dict) -> pd.DataFrame:
    """Each term of each spatial result side by side: estimate, interval, standardised estimate, n.

    Parameters
    ----------
    spatial : dict
        ``spatial_results``
    terms : dict
        ``spatial_terms``

    Returns
    -------
    DataFrame
        indexed by ``finding``, ``term``, ``RIVM`` (the year) and ``model``: ``n``, ``estimate``, ``ci_low``,
        ``ci_high`` and ``std_estimate``
    """
    rows = []
    for (key, year), models in spatial.items():
        for name, result in models.items():
            for term, _ in terms[key]:
                row = result.term(term)
                rows.append(
                    {
                        "finding": key,
                        "term": term,
                        "RIVM": year,
                        "model": name,
                        "n": result.n,
                        "estimate": row["estimate"],
                        "ci_low": row["ci_low"],
                        "ci_high": row["ci_high"],
                        "std_estimate": row["std_estimate"],
                    }
                )
    return pd.DataFrame(rows).set_index(["finding", "term", "RIVM", "model"])


def spatial_tests(spatial: dict, terms: dict, tables: dict, *, notebook: str) -> dict:
    """The spatial error model's finding tests of F3 and F2 ({finding: tests}); of RIVM's model-based figures.

    Parameters
    ----------
    spatial : dict
        ``spatial_results``
    terms : dict
        ``spatial_terms``
    tables : dict
        {RIVM year: table} the models were fitted on (for the scope)
    notebook : str
        the notebook that makes the tests

    Returns
    -------
    dict
        {finding: list of FindingTest}, one per term and year
    """
    out: dict[str, list] = {}
    for (key, year), models in spatial.items():
        for term, sign in terms[key]:
            out.setdefault(key, []).append(
                fd.from_model(
                    key,
                    models["spatial error"],
                    term,
                    sign=sign,
                    notebook=notebook,
                    scope=scope_of(tables[year]),
                    spec="spatial error model",
                    label=f"All wijken, RIVM {year}: {label(term).lower()} -> volunteering (spatial error model)",
                )
            )
    return out


def spatial_summary(moran: pd.DataFrame, spatial: dict, table: pd.DataFrame):
    """What the spatial results say, computed (Markdown for the notebook).

    Parameters
    ----------
    moran : DataFrame
        ``moran_table``, with ``pct_volunteering`` among its variables
    spatial : dict
        ``spatial_results``; the F3 models of its latest year are described
    table : DataFrame
        the wijken, whose missing ``pct_volunteering`` values are counted

    Returns
    -------
    IPython.display.Markdown
        a bulleted list of three lines
    """
    Markdown = optional("IPython.display", "spatial_summary").Markdown

    volunteering = moran.xs(label("pct_volunteering"), level="variable")
    year = max(y for _, y in spatial)
    ols, error = spatial[("F3", year)]["OLS"], spatial[("F3", year)]["spatial error"]
    missing = int(table["pct_volunteering"].isna().sum())
    lines = [
        "Volunteering clusters in space: Moran's I "
        + " and ".join(f"{row.I:.2f} over {int(row.n):,} {name}" for name, row in volunteering.iterrows())
        + "; RIVM's model smooths over neighbouring areas, so part of this is the model's own.",
        f"The residuals of the national F3 model remain clustered (Moran's I {ols.extra['moran_residuals']['I']:.2f}); "
        f"the spatial error model (lambda {error.extra['lambda'][0]:.2f}) gives the owner-occupied share a "
        f"standardised coefficient of {error.term('pct_owner_occupied')['std_estimate']:+.2f} against "
        f"{ols.term('pct_owner_occupied')['std_estimate']:+.2f} in OLS (RIVM {year}; model-implied, not counted).",
        f"{missing} of {len(table):,} wijken have no RIVM estimate (suppressed, or without residents).",
    ]
    return Markdown("\n".join(f"- {line}" for line in lines))
