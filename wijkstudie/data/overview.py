"""Summaries across the catalogue.

What can be loaded here (available), what each source holds (coverage) and how regions match across sources.
"""

from __future__ import annotations

import pandas as pd

from ..core.errors import WijkstudieError
from .catalogue import datasets
from .download import local_path, publisher_host
from .harmonise import CROSSWALK, crosswalk_call
from .join import join_regions
from .loading import load_resource
from .reports import report

AVAILABLE_COLUMNS = ["dataset", "year", "choice", "from", "note"]


class Availability(pd.DataFrame):
    """The table ``available`` returns.

    A DataFrame (filter it, index it, save it) that prints as a text table with every column and the notes in full, as
    ``wijkstudie data available`` shows it.
    """

    @property
    def _constructor(self):
        return Availability

    def to_text(self) -> str:
        """The table as text: one line per file, columns aligned, ``-`` for an empty cell.

        Returns
        -------
        str
        """
        if list(self.columns) != AVAILABLE_COLUMNS:  # reshaped: pandas' own text
            return pd.DataFrame(self).__repr__()
        cells = [AVAILABLE_COLUMNS] + [[str(v) if str(v) else "-" for v in row] for row in self.itertuples(False)]
        widths = [max(len(row[i]) for row in cells) for i in range(len(AVAILABLE_COLUMNS) - 1)]
        return "\n".join("  ".join([*(c.ljust(w) for c, w in zip(row, widths)), row[-1]]).rstrip() for row in cells)

    def __repr__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        if list(self.columns) != AVAILABLE_COLUMNS:
            return pd.DataFrame(self)._repr_html_()
        return pd.DataFrame(self).to_html(index=False)


def choice_text(dataset, choice: str | None, edition: int | None = None) -> str:
    """How to ask for one of a dataset's files, in the words of the call that reads it.

    Parameters
    ----------
    dataset : Dataset
        the catalogue's dataset
    choice : str or None
        the file's value of the dataset's named parameter
    edition : int, optional
        the file's edition, for a dataset re-issued with earlier years in it

    Returns
    -------
    str
        e.g. ``age_group=18+``, ``sheet=wijkprofiel, edition=2016``, ``crosswalk('wijk', 2020, 2024)`` for a
        grenswijzigen matrix, or ``""`` for a dataset with one file per year
    """
    if edition:
        return ", ".join(filter(None, [choice_text(dataset, choice), f"edition={edition}"]))
    if not choice:
        return ""
    if dataset.parameter:
        return f"{dataset.parameter}={choice}"
    if dataset.name == CROSSWALK:
        return crosswalk_call(choice)
    return choice


def available(names=None, *, network: bool = True, timeout: float = 2.0) -> pd.DataFrame:
    """What can be loaded on this machine now, per dataset, year and file.

    From the mirror, from the cache, or over the network; nothing is downloaded or read.

    With a mirror set (the setting ``mirror``), files are read from the mirror only; without one, from the cache, and
    what the cache lacks is downloaded when the publisher can be reached (each server is asked once, with a short
    connection and nothing sent).

    Parameters
    ----------
    names : list of str, optional
        the datasets (default: every dataset but the crosswalk matrices of ``grenswijzigen``, which are many; name
        it to see them)
    network : bool
        ask the publishers' servers whether they can be reached (False: say "not checked")
    timeout : float
        seconds to wait for each server

    Returns
    -------
    Availability
        a DataFrame, printed as a readable text table: one row per file, ``dataset``, ``year``, ``choice`` (how to
        ask for the file: the dataset's named parameter, e.g. ``age_group=18+``, or ``crosswalk('wijk', 2020,
        2024)`` for grenswijzigen), ``from`` (``mirror``, ``cache``, ``network`` or empty when it cannot be had
        here) and ``note`` (why not, or where: the file in the mirror, the cache or the server; for a mirror's
        file that is not the publisher's own, what it is, e.g. only the rows of one gemeente)

    Examples
    --------
    >>> import wijkstudie as ws
    >>> here = ws.available(["rivm-gezondheid"], network=False)  # doctest: +SKIP
    >>> here[here["from"] != ""]  # doctest: +SKIP
    """
    from .catalogue import get_dataset
    from .origin import mirror_dir

    mirror = mirror_dir()
    reachable: dict[str, bool] = {}
    rows = []
    for name in names or [n for n in datasets() if n != "grenswijzigen"]:
        dataset = get_dataset(name)
        for r in sorted(dataset.resources, key=lambda r: -r.year):
            row = {"dataset": dataset.name, "year": r.year, "choice": choice_text(dataset, r.choice, r.edition)}
            here = local_path(r)
            if here is not None:
                where = here.relative_to(mirror) if mirror is not None and mirror in here.parents else here
                note = str(where)
                if mirror is not None and r.mirror_note:  # not the publisher's own file: what it is instead
                    note += f" ({r.mirror_note})"
                rows.append({**row, "from": "mirror" if mirror is not None else "cache", "note": note})
            elif mirror is not None:
                rows.append({**row, "from": "", "note": "not in the mirror (with a mirror set, nothing is downloaded)"})
            elif r.access == "manual":
                rows.append({**row, "from": "", "note": "downloaded by hand (wijkstudie data describe says where)"})
            elif not network:
                rows.append({**row, "from": "", "note": "not in the cache; the network was not checked"})
            else:
                host = publisher_host(r)
                if host not in reachable:
                    reachable[host] = _reachable(host, timeout)
                rows.append(
                    {**row, "from": "network", "note": f"download from {host}"}
                    if reachable[host]
                    else {**row, "from": "", "note": f"not in the cache, and {host} cannot be reached"}
                )
    return Availability(rows, columns=AVAILABLE_COLUMNS)


def _reachable(host: str, timeout: float) -> bool:
    """Whether a server answers a connection on the HTTPS port (nothing is sent)."""
    import socket

    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


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
        one row per resource of the catalogue: dataset, year, choice (how to ask for the file, as in
        ``available``: the dataset's named parameter, e.g. ``age_group=18+``), whether its file is here (the mirror
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
            row = {"dataset": name, "year": r.year, "choice": choice_text(datasets()[name], r.choice, r.edition)}
            if local_path(r) is None:
                rows.append(
                    {**row, "available": False, "note": "not here: needs the network (or a mirror that holds it)"}
                )
                continue
            try:
                rep = report(load_resource(datasets()[name], r))
            except WijkstudieError as exc:
                rows.append({**row, "available": False, "note": exc.first_clause[:90]})
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
    return table[["dataset", "year", "choice", "available"] + counts + ["note"]]


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
