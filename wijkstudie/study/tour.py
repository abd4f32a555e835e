"""The tour of the data (notebook 00): what is here, and what the tour found, as computed sentences."""

from __future__ import annotations

import pandas as pd

from ..core.optional import optional
from ..data.reports import WarningKind, report

KWB_X_RIVM = "KWB 2017 x RIVM 2020"


def files_not_here(coverage: pd.DataFrame) -> str:
    """One line on the catalogue's files that are neither in the mirror nor in the cache.

    Parameters
    ----------
    coverage : DataFrame
        ``wijkstudie.coverage()``

    Returns
    -------
    str
        e.g. ``"3 more files in the catalogue are not here: 2 kwb, 1 cbs-wijken"``
    """
    absent = coverage.loc[~coverage["available"], "dataset"].value_counts(sort=False)
    if absent.empty:
        return "Every file of the catalogue is here."
    counts = ", ".join(f"{n} {name}" for name, n in absent.items())
    return f"{absent.sum()} more files in the catalogue are not here: {counts}"


def tour_sentences(*, rivm, on_map, matches: pd.DataFrame, moves: pd.DataFrame, rotterdam) -> list[str]:
    """What the tour of the data found, each sentence computed from the tables the tour made.

    Parameters
    ----------
    rivm : DataFrame
        RIVM's 2020 table (every level)
    on_map : GeoDataFrame
        the gemeenten of 2022 joined with RIVM's gemeente figures
    matches : DataFrame
        ``wijkstudie.match_table`` of the comparisons, with the ``KWB 2017 x RIVM 2020`` one
    moves : DataFrame
        the harmonisation reports (``to_frame()``) of the gemeente and wijk tables, indexed by level
    rotterdam : DataFrame
        the Rotterdam Wijkprofiel, whose load report notes the linked buurt codes

    Returns
    -------
    list of str
    """
    national = rivm.loc[rivm["level"] == "land", "pct_volunteering"].item()
    grey = on_map["pct_volunteering"].isna()
    without = f"; {grey.sum()} have none: {', '.join(on_map.loc[grey, 'region_name'])}." if grey.any() else "."
    counts = moves.select_dtypes("number").drop(columns="moved_share").astype(int)
    gm, wk = counts.loc["gemeente"], counts.loc["wijk"]
    moved = 100 * moves.loc["gemeente", "moved_share"]
    buurten = matches.query("comparison == @KWB_X_RIVM and level == 'buurt'").iloc[0]
    linked = [str(w) for w in report(rotterdam).warnings if w.kind is WarningKind.LINKED]
    sentences = [
        f"RIVM estimates that {national:.1f} % of adults in the Netherlands did volunteer work in 2020.",
        f"{len(on_map) - grey.sum()} of {len(on_map)} gemeenten of 2022 have a 2020 figure{without} Between the "
        f"divisions of 2020 and 2022, {gm['merged']} gemeenten were formed by mergers and {gm['split']} was split "
        f"up; {moved:.1f} % of the addresses lie in a gemeente with another code.",
        f"Wijken: {wk['unchanged']} of {wk['source_areas']} wijken of 2020 are unchanged in 2022, {wk['recoded']} "
        f"took a new code, {wk['merged']} new wijken are mergers and {wk['split']} old ones were split; "
        f"{wk['unmapped']} without addresses have no place in 2022.",
        f"{buurten['matched']} KWB 2017 buurten match a RIVM 2020 buurt by code "
        f"({buurten['share_of_left_matched']:.0%}); {buurten['only_left']} do not, because buurten were redrawn "
        "between the two divisions.",
    ]
    if linked:
        sentences.append("Rotterdam: " + "; ".join(linked) + ".")
    return sentences


def what_the_tour_found(**tables):
    """``tour_sentences`` as a Markdown list, for the end of notebook 00.

    Parameters
    ----------
    **tables
        the keyword arguments of ``tour_sentences``

    Returns
    -------
    IPython.display.Markdown
    """
    Markdown = optional("IPython.display", "what_the_tour_found").Markdown

    return Markdown("\n".join(f"- {line}" for line in tour_sentences(**tables)))
