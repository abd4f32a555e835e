"""Recorded results.

What each notebook found, kept in the figures folder's ``results/`` for the scorecard and for the notebooks that read
another's result.

- ``record(finding, tests, notebook)`` / ``recorded()``: a notebook's finding tests (``FindingTest``), one file per
  finding and notebook, replaced when the notebook runs again;
- ``record_value(name, ...)`` / ``recorded_value(name)``: one estimate one notebook passes to another (the
  breakpoint notebook 07 estimates and notebook 08 uses), with its interval and the kind of data behind it.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..core.folders import make_folder
from ..core.paths import figures_dir
from .findings import FindingTest, finding

VALUE_PREFIX = "value__"
_ALSO: list[Path] = []  # results folders read (never written) where the session's own has no value


def read_also(folder: Path) -> None:
    """Read recorded values from ``folder`` too where the session's results folder has none.

    (a scratch session reads the published results).

    Parameters
    ----------
    folder : Path
        a results folder

    Returns
    -------
    None
    """
    if Path(folder) not in _ALSO:
        _ALSO.append(Path(folder))


def results_dir(folder: Path | None = None) -> Path:
    """Where recorded results lie: ``folder``, else ``results/`` of the figures folder.

    Parameters
    ----------
    folder : Path, optional
        a folder of one's own (e.g. in tests)

    Returns
    -------
    Path
    """
    return Path(folder) if folder else figures_dir() / "results"


def record(finding_key: str, tests, notebook: str, *, folder: Path | None = None) -> Path:
    """Save a notebook's tests of a finding (replacing what that notebook recorded before).

    Parameters
    ----------
    finding_key : str
        a finding of the registry, e.g. ``"F3"``
    tests : iterable of FindingTest
        the tests; each is saved with ``notebook`` as its notebook
    notebook : str
        the notebook's name; with the finding it names the file
    folder : Path, optional
        by default ``results/`` of the figures folder (``results_dir``)

    Returns
    -------
    Path
        the JSON file written, ``<finding>__<notebook>.json``
    """
    finding(finding_key)
    out = results_dir(folder)
    make_folder(out, "figures_dir")
    path = out / f"{finding_key}__{notebook}.json"
    payload = [dict(t.to_dict(), notebook=notebook) for t in tests]
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def recorded(folder: Path | None = None) -> list[FindingTest]:
    """Every finding test recorded in the results folder.

    Parameters
    ----------
    folder : Path, optional
        by default ``results/`` of the figures folder (``results_dir``)

    Returns
    -------
    list of FindingTest
        the tests of every file but the recorded values, in the order of the file names
    """
    tests = []
    for path in sorted(results_dir(folder).glob("*.json")):
        if path.name.startswith(VALUE_PREFIX):
            continue
        tests += [FindingTest.from_dict(t) for t in json.loads(path.read_text(encoding="utf-8"))]
    return tests


def record_value(
    name: str,
    value: float,
    interval=None,
    *,
    data_kind: str = "unknown",
    source: str = "",
    notebook: str = "",
    folder: Path | None = None,
) -> Path:
    """Save an estimate one notebook passes to another (e.g. the breakpoint of notebook 07 that notebook 08 uses).

    With its interval and the kind of data it was estimated on.

    Parameters
    ----------
    name : str
        the value's name (it names the file), e.g. ``BREAKPOINT``
    value : float
        the estimate
    interval : sequence of float, optional
        its interval (low, high)
    data_kind : str
        ``"real"``, ``"synthetic"`` or ``"unknown"`` (the default)
    source : str
        where its data come from, in words
    notebook : str
        the notebook that estimated it
    folder : Path, optional
        by default ``results/`` of the figures folder (``results_dir``)

    Returns
    -------
    Path
        the JSON file written, ``value__<name>.json``
    """
    out = results_dir(folder)
    make_folder(out, "figures_dir")
    path = out / f"{VALUE_PREFIX}{name}.json"
    payload = {
        "name": name,
        "value": float(value),
        "interval": list(interval) if interval is not None else None,
        "data_kind": data_kind,
        "source": source,
        "notebook": notebook,
    }
    path.write_text(json.dumps(payload, indent=1), encoding="utf-8")
    return path


def recorded_value(name: str, folder: Path | None = None) -> dict | None:
    """A value saved by ``record_value``, or None when no notebook recorded it (yet).

    Parameters
    ----------
    name : str
        the value's name
    folder : Path, optional
        by default ``results/`` of the figures folder (``results_dir``)

    Returns
    -------
    dict or None
        ``name``, ``value``, ``interval``, ``data_kind``, ``source`` and ``notebook``
    """
    candidates = [results_dir(folder)] + ([] if folder else _ALSO)
    path = next(
        (c / f"{VALUE_PREFIX}{name}.json" for c in candidates if (c / f"{VALUE_PREFIX}{name}.json").is_file()), None
    )
    if path is None:
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def files_used(folder: Path | None = None) -> list[str]:
    """The files the recorded real-data tests were computed from.

    Parameters
    ----------
    folder : Path, optional
        by default ``results/`` of the figures folder (``results_dir``)

    Returns
    -------
    list of str
        sorted, each once
    """
    return sorted({f for t in recorded(folder) if t.data_kind == "real" for f in t.files})
