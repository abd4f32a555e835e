"""What a run says about itself.

Which data produced it (for the scorecard, the site's pages and every notebook page), and the README's scorecard,
rewritten only by a complete real run.

Nothing written into a tracked file names this machine, its folders or this day: the README's statement says "a
local mirror of the publishers' files" without a path or date (and its scorecard is English whatever the language
setting), so a run that finds what the last one found leaves ``git status`` clean wherever the mirror lies. The
site's pages name the mirror relative to the project's folder when it lies inside or beside it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from ..core.atomic import write_text_atomic
from ..core.paths import project_dir
from ..study.results import files_used
from ..study.scorecard import rules_markdown, summary_markdown

README_START, README_END = "<!-- scorecard:start -->", "<!-- scorecard:end -->"
RULES_START, RULES_END = "<!-- rules:start -->", "<!-- rules:end -->"  # the rules of findings.yaml, written from it


def _shown(path: Path) -> str | None:
    """A mirror's path as tracked files and the site show it.

    Relative to the project's folder when it lies inside or beside it (``../shared/data``), else None (no
    machine-specific path).
    """
    root = project_dir()
    if root:
        relative = os.path.relpath(Path(path).resolve(), root.resolve())
        if relative.split(os.sep).count("..") <= 1:
            return Path(relative).as_posix()
    return None


def _mirror_words(mirror: Path) -> str:
    shown = _shown(mirror)
    return "a local mirror of the publishers' files" + (f" ({shown})" if shown else "")


def data_statement(
    data_kind: str,
    mirror: Path | None,
    *,
    when: str | None = None,
    files: bool = True,
    dated: bool = True,
    results: Path | None = None,
) -> str:
    """Which data produced the scorecard, and when.

    The synthetic world, a local mirror of the publishers' files (with the files the real tests read, unless ``files``
    is false) or the publishers over the network; without the date and the mirror's path when ``dated`` is false (the
    README's statement).

    Parameters
    ----------
    data_kind : str
        ``"real"`` or ``"synthetic"``
    mirror : Path or None
        the mirror used
    when : str, optional
        the date (default: today)
    files : bool
        list the files the real tests read
    dated : bool
        say the date and where the mirror lies (False for the README)
    results : Path, optional
        the recorded results whose files are listed (default: the published ones, ``results_dir``): a run's own,
        read after they were published, or from where an unpublished run keeps them

    Returns
    -------
    str
    """
    when = when or time.strftime("%Y-%m-%d")
    produced = f"Produced on {when}" if dated else "Produced"
    if data_kind == "synthetic":
        return f"{produced} from the SYNTHETIC world: no result below is evidence about real neighbourhoods."
    files = files_used(results) if files else []
    if not mirror:
        where = "the publishers' servers over the network (and the local cache)"
    else:  # the README (not dated) names no path: it reads the same wherever the mirror lies
        where = _mirror_words(mirror) if dated else "a local mirror of the publishers' files"
    count = f"{len(files)} file{'' if len(files) == 1 else 's'}"
    listed = f" The real-data tests read {count}: {', '.join(files)}." if files else ""
    return f"{produced} by `make reproduce` from {where}.{listed}"


def run_data(data_kind: str, mirror: Path | None, when: str) -> str:
    """One line for a notebook page: which data this run used.

    Parameters
    ----------
    data_kind : str
        ``"real"`` or ``"synthetic"``
    mirror : Path or None
        the mirror used
    when : str
        the date, for downloaded data

    Returns
    -------
    str
    """
    if data_kind == "synthetic":
        return "SYNTHETIC data (the synthetic world's mirror)"
    if mirror:
        return "real data, from " + _mirror_words(mirror)
    return f"real data, downloaded ({when})"


def update_readme(table, statement: str = "") -> bool:
    """Put the latest scorecard between the scorecard markers of the project's README.

    Parameters
    ----------
    table : DataFrame
        the scorecard
    statement : str
        which data produced it

    Returns
    -------
    bool
        whether the README has a scorecard (False without one); it is written only when its text changes
    """
    root = project_dir()
    readme = root / "README.md" if root else None
    if not readme or not readme.is_file():
        return False
    text = readme.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        return False
    new = between(text, README_START, README_END, summary_markdown(table, statement))
    new = readme_rules(new)
    if new != text:  # written whole (a temporary file, then a rename), and only when it changes
        write_text_atomic(readme.resolve(), new)
    return True


def between(text: str, start: str, end: str, block: str) -> str:
    """``text`` with ``block`` between the markers ``start`` and ``end`` (as it was without them).

    Parameters
    ----------
    text : str
        the text
    start, end : str
        the markers
    block : str
        what goes between them

    Returns
    -------
    str
    """
    if start not in text or end not in text:
        return text
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{block}\n{end}{tail}"


def readme_rules(text: str) -> str:
    """The README's text with the rules of findings.yaml (``rules_markdown``) between its rules markers.

    The rules are written in one place and shown as written.

    Parameters
    ----------
    text : str
        the README

    Returns
    -------
    str
    """
    return between(text, RULES_START, RULES_END, rules_markdown())
