"""The report site: every finding and every notebook as static HTML in ``build/site/``, built offline.

- ``index.html``: which data produced the site, the scorecard (every finding, its verdict per scope, every test
  with a link to the notebook that made it), the notebooks;
- ``notebooks/<name>.html``: the executed notebook (nbconvert's ``basic`` template: HTML only, no scripts, no
  fonts or styles from the network), its figures with download links (PNG, SVG, PDF) and when it ran;
- ``sources.html``: every dataset the notebooks read, with publisher, title, years, table or URL, licence and a
  citation to copy; the package's own citation (``CITATION.cff``).

Every page says which kind of data produced it; synthetic data are announced in a red banner. The pages link to
each other relatively and embed their style, so the site opens from ``file://`` as well as from any web server.
``python -m wijkstudie.reproduce.site`` rebuilds it from the last run of ``python -m wijkstudie.reproduce``.
"""

from __future__ import annotations

import hashlib
import html
import json
import sys
from pathlib import Path

import pandas as pd

from ..core.folders import copy_if_changed
from ..core.optional import optional
from .notebook_cache import Run

RUNS_FILE = "runs.json"  # in the build folder: the last run's notebooks, for rebuilding the site alone
FIGURE_FORMATS = ("png", "svg", "pdf")

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;line-height:1.45}
header{background:#1f3b57;color:#fff;padding:.6em 1.5em}header a{color:#fff;margin-right:1.2em}
main{max-width:72em;margin:0 auto;padding:1em 1.5em 3em}
.data{padding:.6em 1.5em;background:#eef3f7;border-bottom:1px solid #cdd9e3;font-size:.92em}
.data.synthetic{background:#b2182b;color:#fff;font-weight:bold;font-size:1.05em}
table{border-collapse:collapse;margin:.6em 0;font-size:.88em}th,td{border:1px solid #ccd;padding:.25em .5em;
vertical-align:top}th{background:#f1f3f6;text-align:left}
td.supports{background:#e3f2e1}td.contradicts{background:#f8e1df}td.inconclusive{background:#f6f6f6}
.verdict{font-weight:bold}figure{margin:1.2em 0}figure img{max-width:100%;border:1px solid #dde}
figcaption{font-size:.85em;color:#555}pre{background:#f7f7f9;padding:.5em;overflow-x:auto;font-size:.85em}
.input_prompt,.output_prompt,.prompt{display:none}.input_area{border-left:3px solid #c9d6e2;margin:.4em 0}
.output_area{margin:.3em 0 .8em}.rendered_html table{font-size:.85em}
.anchor-link{display:none}.cite{font-family:ui-monospace,monospace;background:#f7f7f9;padding:.4em;
display:block;white-space:pre-wrap}
"""


def _page(title: str, body: str, banner: str, synthetic: bool, depth: int, notebooks: list[str]) -> str:
    up = "../" * depth
    nav = "".join(f'<a href="{up}notebooks/{n}.html">{html.escape(n[:2])}</a>' for n in notebooks)
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
        f"<style>{STYLE}</style></head>"
        f'<body><header><a href="{up}index.html"><b>wijkstudie</b></a><a href="{up}sources.html">sources</a>'
        f"notebooks: {nav}</header>"
        f'<div class="data{" synthetic" if synthetic else ""}" id="data-kind">{html.escape(banner)}</div>'
        f"<main>{body}</main></body></html>\n"
    )


def _verdict(key: str, verdict: str, tested: bool, ran: set[str]) -> str:
    """The verdict, unless none of the notebooks that test the finding ran in this build: then that is said,
    rather than "not testable", which would be a claim about the data."""
    from ..study.findings import registry

    theirs = registry()["findings"].get(key, {}).get("notebooks", [])
    if tested or not theirs or ran & set(theirs):
        return verdict
    return "not run in this build (notebooks " + ", ".join(theirs) + ")"


SCORECARD_COLUMNS = (
    ("sample", "sample"),
    ("role", "role"),
    ("evidence", "evidence"),
    ("test", "test"),
    ("n", "n"),
    ("estimate_ci", "estimate [95 % CI]"),
    ("other_scale", "other scale"),
    ("adjusted_ci", "Holm-adjusted"),
    ("outcome", "outcome"),
)


def _scorecard(table: pd.DataFrame, ran: set[str]) -> str:
    parts = []
    for key, group in table.groupby("finding", sort=False):
        first = group.iloc[0]
        tested = group[group["test"] != "—"]
        verdict = _verdict(key, first["verdict"], not tested.empty, ran)
        pooled = "" if first.get("pooled", "—") == "—" else f"<p>Pooled estimate: {html.escape(first['pooled'])}</p>"
        parts.append(
            f'<h3 id="finding-{html.escape(key)}">{html.escape(key)}: {html.escape(first["claim"])}</h3>'
            f'<p class="verdict">Verdict: {html.escape(verdict)}</p>{pooled}'
        )
        if tested.empty:
            continue
        rows = []
        for _, r in tested.iterrows():
            link = (
                f'<a href="notebooks/{html.escape(r["notebook"])}.html">{html.escape(r["notebook"][:2])}</a>'
                if r.get("notebook")
                else ""
            )
            cells = []
            for column, _ in SCORECARD_COLUMNS:
                value = r.get(column)
                text = (
                    ""
                    if value is None or (isinstance(value, float) and pd.isna(value))
                    else (f"{int(value):,}" if column == "n" else str(value))
                )
                css = f' class="{html.escape(text)}"' if column == "outcome" else ""
                cells.append(f"<td{css}>{html.escape(text)}</td>")
            rows.append("<tr>" + "".join(cells) + f"<td>{link}</td></tr>")
        parts.append(
            "<table><tr>"
            + "".join(f"<th>{html.escape(h)}</th>" for _, h in SCORECARD_COLUMNS)
            + "<th>notebook</th></tr>"
            + "".join(rows)
            + "</table>"
        )
    return "\n".join(parts)


def _body_html(executed: Path, cache: Path) -> str:
    """The executed notebook as HTML (nbconvert's basic template), kept by content so an unchanged notebook is
    not converted again."""
    digest = hashlib.sha256(executed.read_bytes()).hexdigest()[:20]
    kept = cache / f"{digest}.html"
    if kept.is_file():
        return kept.read_text(encoding="utf-8")
    nbformat = optional("nbformat", "the report site")
    HTMLExporter = optional("nbconvert", "the report site").HTMLExporter

    body, _ = HTMLExporter(template_name="basic").from_notebook_node(nbformat.read(executed, as_version=4))
    cache.mkdir(parents=True, exist_ok=True)
    kept.write_text(body, encoding="utf-8")
    return body


def _figures(run: Run, figures: Path, out: Path) -> str:
    stems: dict[str, list[str]] = {}
    for relative in run.artifacts:
        path = Path(relative)
        if path.suffix.lstrip(".") in FIGURE_FORMATS and len(path.parts) == 1:
            stems.setdefault(path.stem, []).append(path.suffix.lstrip("."))
    parts = []
    for stem, kinds in stems.items():
        for kind in kinds:
            copy_if_changed(figures / f"{stem}.{kind}", out / "figures" / f"{stem}.{kind}")
        links = " | ".join(
            f'<a href="../figures/{html.escape(stem)}.{k}" download>{k.upper()}</a>'
            for k in FIGURE_FORMATS
            if k in kinds
        )
        image = f'<img src="../figures/{html.escape(stem)}.png" alt="{html.escape(stem)}">' if "png" in kinds else ""
        parts.append(f"<figure>{image}<figcaption>{html.escape(stem)} — download {links}</figcaption></figure>")
    return ("<h2>Figures</h2>" + "".join(parts)) if parts else ""


def citation(dataset: str, years) -> dict:
    """Publisher, title, years, where (table id or URL), licence and a citation line for one dataset.

    Parameters
    ----------
    dataset : str
        a catalogue name
    years : iterable of int
        the years used

    Returns
    -------
    dict
    """
    from ..data.catalogue import datasets

    entry = datasets().get(dataset)
    if entry is None:
        return {"dataset": dataset, "citation": dataset}
    years = sorted({int(y) for y in years if y is not None})
    where = []
    for resource in entry.resources:
        if not years or resource.year in years:
            text = resource.where()
            if text not in where:
                where.append(text)
    year_text = ", ".join(map(str, years)) or "n.d."
    return {
        "dataset": dataset,
        "publisher": entry.publisher,
        "title": entry.title,
        "years": year_text,
        "where": where[:4] + ([f"... ({len(where)} files)"] if len(where) > 4 else []),
        "licence": entry.licence,
        "attribution": entry.attribution,
        "citation": f"{entry.publisher} ({year_text}). {entry.title}. {where[0] if where else entry.homepage}. "
        f"Licence: {entry.licence}.",
    }


def _sources(runs: list[Run]) -> str:
    used: dict[str, set] = {}
    for run in runs:
        for dataset, year in run.datasets:
            used.setdefault(dataset, set()).add(year)
    rows = []
    for dataset in sorted(used):
        c = citation(dataset, used[dataset])
        noncommercial = "NC" in c.get("licence", "")
        rows.append(
            f'<h3 id="{html.escape(dataset)}">{html.escape(c.get("title", dataset))}</h3>'
            f"<p>{html.escape(c.get('publisher', ''))}; years used: {html.escape(c.get('years', ''))}; "
            f"licence: <b>{html.escape(c.get('licence', ''))}</b>"
            + (" (non-commercial: fetched for you by wijkstudie, never redistributed with it)" if noncommercial else "")
            + "</p>"
            f"<p>{html.escape(c.get('attribution', ''))}. From: "
            + "; ".join(html.escape(w) for w in c.get("where", []))
            + "</p>"
            f'<code class="cite">{html.escape(c["citation"])}</code>'
        )
    package = _package_citation()
    return (
        "<h1>Sources</h1><p>Every dataset the notebooks read, with its licence and a citation to copy.</p>"
        + "".join(rows)
        + "<h2>This package</h2>"
        + f'<code class="cite">{html.escape(package)}</code>'
    )


def _package_citation() -> str:
    from ..core.paths import checkout_dir
    from ..core.version import __version__

    root = checkout_dir()
    cff = root / "CITATION.cff" if root else None
    title = "wijkstudie: Dutch neighbourhood data and the findings of the wijkaanpak literature, reproduced"
    if cff and cff.is_file():
        import yaml

        data = yaml.safe_load(cff.read_text(encoding="utf-8"))
        authors = ", ".join(
            a.get("name") or f"{a.get('family-names', '')}, {a.get('given-names', '')}" for a in data.get("authors", [])
        )
        return (
            f"{authors} ({str(data.get('date-released', ''))[:4]}). {data.get('title', title)} "
            f"(version {data.get('version', __version__)}). {data.get('repository-code', '')}".strip()
        )
    return f"{title} (version {__version__})."


def build(
    site: Path, runs: list[Run], table: pd.DataFrame, statement: str, banner: str, synthetic: bool, figures: Path
) -> Path:
    """Write the report site.

    Parameters
    ----------
    site : Path
        the folder
    runs : list of Run
        the notebook runs
    table : DataFrame
        the scorecard
    statement : str
        which data produced the results (on the front page)
    banner : str
        the same in one line (at the top of every page)
    synthetic : bool
        whether the data are synthetic (a red banner)
    figures : Path
        the figures folder

    Returns
    -------
    Path
        the front page
    """
    site.mkdir(parents=True, exist_ok=True)
    names = [run.name for run in runs]
    bodies = site.parent / "cache" / "pages"
    index = (
        f"<h1>What the notebooks found</h1><p>{html.escape(statement)}</p>"
        "<p>Verdicts by the rules in <code>wijkstudie/study/findings.yaml</code>: only independent direct evidence "
        "votes, one primary estimate per sample; model-implied tests and method checks on synthetic data are "
        "shown and never counted.</p>"
        + _scorecard(table, set(names))
        + "<h2>Notebooks</h2><ul>"
        + "".join(
            f'<li><a href="notebooks/{html.escape(r.name)}.html">{html.escape(r.name)}</a> — {html.escape(r.data)}</li>'
            for r in runs
        )
        + "</ul>"
    )
    (site / "index.html").write_text(
        _page("wijkstudie: findings", index, banner, synthetic, 0, names), encoding="utf-8"
    )
    for run in runs:
        when = f"executed {run.when} in {run.seconds:.1f} s" + (
            " (served from the cache of executed notebooks)" if run.cached else ""
        )
        body = (
            f"<p><i>{html.escape(run.data)}; {html.escape(when)}.</i></p>"
            + _figures(run, figures, site)
            + "<h2>The notebook</h2>"
            + _body_html(run.executed, bodies)
        )
        (site / "notebooks").mkdir(exist_ok=True)
        (site / "notebooks" / f"{run.name}.html").write_text(
            _page(
                run.name, body, f"{banner} This notebook: {run.data}.", synthetic or "SYNTHETIC" in run.data, 1, names
            ),
            encoding="utf-8",
        )
    (site / "sources.html").write_text(
        _page("wijkstudie: sources", _sources(runs), banner, synthetic, 0, names), encoding="utf-8"
    )
    return site / "index.html"


def save_runs(build_dir: Path, runs: list[Run], statement: str, banner: str, synthetic: bool) -> None:
    """Keep the runs of the main command (``build/runs.json``), so the site can be written again.

    Parameters
    ----------
    build_dir : Path
        the build folder
    runs : list of Run
        the runs
    statement, banner : str
        which data produced them
    synthetic : bool
        whether the data are synthetic

    Returns
    -------
    None
    """
    payload = {"statement": statement, "banner": banner, "synthetic": synthetic, "runs": [r.to_json() for r in runs]}
    (build_dir / RUNS_FILE).write_text(json.dumps(payload, indent=1), encoding="utf-8")


def main(argv=None) -> int:
    """Rebuild the site from the last run of the main command (``build/runs.json``).

    Parameters
    ----------
    argv : list of str, optional
        the build folder

    Returns
    -------
    int
        the exit status
    """
    from ..core import paths
    from ..study.scorecard import scorecard

    build_dir = Path(argv[0]) if argv else paths.build_dir()
    try:
        payload = json.loads((build_dir / RUNS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        print(f"site: no run to build from in {build_dir}; run `make reproduce` first", file=sys.stderr)
        return 1
    runs = [Run(**dict(r, executed=Path(r["executed"]))) for r in payload["runs"]]
    index = build(
        build_dir / "site",
        runs,
        scorecard(),
        payload["statement"],
        payload["banner"],
        payload["synthetic"],
        paths.figures_dir(),
    )
    print(f"site written: {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
