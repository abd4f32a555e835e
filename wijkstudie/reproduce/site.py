"""The report site: every finding and every notebook as static HTML in ``build/site/``, built offline.

- ``index.html``, read in 30 seconds: one sentence first (how many claims are supported, contradicted,
  inconclusive, not testable), then one compact table (each finding, its claim, its verdict per scope as a badge
  with colour, sign and words, what other primary specifications would give set apart in plain type, the counted
  evidence with units, a link to the details), the rules as findings.yaml writes them (collapsed), then every
  finding in detail (its tests collapsed, each with a link to the notebook that made it; any new column of the
  scorecard shows there), then the data and the notebooks. Verdicts come from records
  (``scorecard.verdict_records``), never from the verdict line's words; no CSS breaks a word, numbers stay whole;
- ``notebooks/<name>.html``: a banner that says one thing, what kind of data the notebook's recorded results come
  from (real, synthetic, or both, per finding), its finding cards, its figures with download links (PNG, SVG,
  PDF), and the executed notebook (nbconvert's ``basic`` template, then sanitised: no scripts, no event handlers, no
  ``javascript:`` links, no fonts or styles from the network);
- ``sources.html``: every dataset the notebooks read, with publisher, title, every year and file used, table or
  URL, licence and a citation to copy; the package's own citation (``CITATION.cff``).

Every string on a page is escaped (``wijkstudie.reproduce.escape``); notebook outputs are sanitised with an allow-list
(``nh3``, the maintained binding of the Rust sanitiser ammonia), whatever a notebook printed. Page names come
from notebook names that hold no path separator or ``..``, so every page stays in ``build/site/``. Every page says
which kind of data produced it; synthetic data are announced in a red banner. The pages link to each other
relatively and embed their style, so the site opens from ``file://`` as well as from any web server.
``python -m wijkstudie.reproduce.site`` (``make site``) rebuilds it from the last complete run of ``python -m
wijkstudie.reproduce`` and says so; it refuses, in one line naming them, when the recorded results are no longer
the ones that run published.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import threading
import time
import warnings
from pathlib import Path

import pandas as pd

from ..core.atomic import copy_atomic, write_text_atomic
from ..core.optional import optional
from .escape import html_text as h
from .escape import url_part
from .notebook_cache import Run, inside, safe_name, safe_relative

RUNS_FILE = "runs.json"  # in the build folder: the last run's notebooks, for rebuilding the site alone
FIGURE_FORMATS = ("png", "svg", "pdf")

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;line-height:1.45;
overflow-wrap:break-word;hyphens:manual}
header{background:#1f3b57;color:#fff;padding:.6em 1.5em}header a{color:#fff;margin-right:1.2em}
main{max-width:80em;margin:0 auto;padding:1em 1.5em 3em}
.data{padding:.6em 1.5em;background:#eef3f7;border-bottom:1px solid #cdd9e3;font-size:.92em}
.data.synthetic{background:#b2182b;color:#fff;font-weight:bold;font-size:1.05em}
.data.mixed{background:#fbe3c2;border-bottom:1px solid #e0a85c;font-weight:bold}
table{border-collapse:collapse;margin:.6em 0;font-size:.88em}th,td{border:1px solid #ccd;
padding:.25em .5em;vertical-align:top;overflow-wrap:normal;word-break:normal}th{background:#f1f3f6;text-align:left}
.wide{overflow-x:auto;max-width:100%}.num{white-space:nowrap}
td.supports{background:#e3f2e1}td.contradicts{background:#f8e1df}td.inconclusive{background:#f6f6f6}
table.glance td:first-child{white-space:nowrap;font-weight:bold}table.glance td:last-child{white-space:nowrap}
table.glance td:nth-child(2){min-width:14em}table.glance td:nth-child(3){min-width:17em}
.summary{font-size:1.15em;margin:.4em 0 .8em}
.verdict-row{display:block;margin:.15em 0}.badge{display:inline-block;white-space:nowrap;border-radius:3px;
padding:0 .45em;border:1px solid;font-size:.95em}.badge .scope{font-weight:normal}
.v-supported{background:#dcefd8;border-color:#3b7d32;color:#1d4a17}
.v-contradicted{background:#f6d5d1;border-color:#a3322a;color:#6b1a14}
.v-mixed{background:#fbe7c6;border-color:#a8660e;color:#5c3704}
.v-inconclusive{background:#eceff3;border-color:#6b7785;color:#2e3640}
.v-nottestable,.v-other{background:#fff;border-color:#9aa3ad;border-style:dashed;color:#444}
.note{display:block;font-size:.82em;color:#555;margin-left:.3em}
.other{font-size:.82em;color:#555;margin-top:.35em;padding-top:.2em;border-top:1px dotted #bbb}
.legend{font-size:.82em;color:#444}.legend .verdict-row{display:inline}
details{margin:.3em 0 .8em}summary{cursor:pointer;color:#1f3b57}
figure{margin:1.2em 0}figure img{max-width:100%;border:1px solid #dde}
figcaption{font-size:.85em;color:#555}pre{background:#f7f7f9;padding:.5em;overflow-x:auto;font-size:.85em;
white-space:pre-wrap}code{overflow-wrap:anywhere}
.input_prompt,.output_prompt,.prompt{display:none}.input_area{border-left:3px solid #c9d6e2;margin:.4em 0}
.output_area{margin:.3em 0 .8em}.rendered_html table{font-size:.85em}
.anchor-link{display:none}.cite{font-family:ui-monospace,monospace;background:#f7f7f9;padding:.4em;
display:block;white-space:pre-wrap}.card{border:1px solid #cdd9e3;border-radius:4px;padding:.2em 1em;margin:1em 0}
"""

# The allow-list for notebook outputs: nh3's own safe tags and attributes, and the classes and ids nbconvert's
# basic template uses for its layout. No script, style, iframe, object, form or event-handler attribute passes;
# links keep http(s), mailto and relative targets; images keep relative targets and inline PNG/JPEG/GIF data.
# Nothing that a browser fetches by itself may point off the page (the site opens offline and makes no request):
# only an <a href> may name another host (it is followed on a click); every other URL-valued attribute (img src,
# cite, ...) keeps a relative target or inline image data alone. (nh3 drops srcset, style, <link>, <style>,
# <source>, <video> and <audio> altogether, so no CSS url() or @import passes either.)
_IMAGE_DATA = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*\Z")
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*:")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")  # what browsers strip from a URL before reading its scheme


def _relative(value: str) -> bool:
    r"""A URL that stays on the site: no scheme, not protocol-relative (``//host``), no backslash (``\\host``)."""
    text = _INVISIBLE.sub("", value).lower()
    return not (_SCHEME.match(text) or text.startswith("//") or "\\" in text)


def _keep_attribute(element: str, attribute: str, value: str):
    if attribute in ("href", "src", "cite", "longdesc", "srcset", "poster", "background", "data", "action"):
        text = value.strip()
        if text.lower().startswith("data:"):
            return value if element == "img" and attribute == "src" and _IMAGE_DATA.match(text) else None
        if element == "a" and attribute == "href":
            return value
        return value if _relative(value) else None
    return value


def sanitise(body: str) -> str:
    """Notebook HTML with everything that could run removed, by an allow-list (nh3).

    Parameters
    ----------
    body : str
        HTML as nbconvert writes it

    Returns
    -------
    str
    """
    nh3 = optional("nh3", "the report site")
    attributes = {tag: set(values) for tag, values in nh3.ALLOWED_ATTRIBUTES.items()}
    attributes["*"] = {"class", "id", "title", "lang", "dir"}
    attributes.setdefault("a", set()).update({"href", "title"})
    return nh3.clean(
        body,
        tags=set(nh3.ALLOWED_TAGS),
        attributes=attributes,
        url_schemes={"http", "https", "mailto", "data"},
        attribute_filter=_keep_attribute,
        strip_comments=True,
        link_rel="noopener noreferrer",
    )


def _inline(text: str) -> str:
    """A line of text as HTML: escaped, with Markdown's ``code``, **bold** and *emphasis* rendered."""
    out = h(text)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", out)
    return re.sub(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])", r"<em>\1</em>", out)


def _markdown(text: str) -> str:
    """A Markdown text as sanitised HTML (nbconvert's Markdown renderer, then ``sanitise``)."""
    markdown2html = optional("nbconvert.filters", "the report site").markdown2html
    return sanitise(markdown2html(text))


def _page(title: str, body: str, banner: str, kind: str, depth: int, notebooks: list[str]) -> str:
    """A whole page; ``kind`` is the banner's class: "" (real), "synthetic" or "mixed"."""
    up = "../" * depth
    nav = "".join(f'<a href="{up}notebooks/{url_part(n)}.html">{h(n[:2])}</a>' for n in notebooks)
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{h(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
        f"<style>{STYLE}</style></head>"
        f'<body><header><a href="{up}index.html"><b>wijkstudie</b></a><a href="{up}sources.html">sources</a>'
        f"notebooks: {nav}</header>"
        f'<div class="data{" " + kind if kind else ""}" id="data-kind">{_inline(banner)}</div>'
        f"<main>{body}</main></body></html>\n"
    )


def _write(path: Path, text: str, site: Path) -> None:
    if not inside(path.parent, site):
        raise ValueError(f"{path.name}: a page outside the site")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, text)


def _not_run(key: str, tested: bool, ran: set[str]) -> str:
    """What to say instead of "not testable" for a finding whose notebooks did not run ("" when its verdict stands).

    When none of the notebooks that test it ran in this build and it has no test, "not testable" would be a claim
    about the data.
    """
    from ..study.findings import registry

    theirs = registry()["findings"].get(key, {}).get("notebooks", [])
    if tested or not theirs or ran & set(theirs):
        return ""
    return "not run in this build (notebooks " + ", ".join(theirs) + ")"


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """A count with its noun in the right number: "1 sample", "2 samples", "3 method checks".

    Parameters
    ----------
    n : int
        the count
    singular : str
        the noun for one
    plural_form : str, optional
        the noun for several (default: ``singular`` + "s")

    Returns
    -------
    str
    """
    return f"{n:,} {singular if n == 1 else (plural_form or singular + 's')}"


# Verdict words as badges: a colour and a sign, and the word itself, so they read without colour too
BADGE = {
    "supported": ("supported", "✓"),
    "contradicted": ("contradicted", "✗"),
    "mixed": ("mixed", "±"),
    "inconclusive": ("inconclusive", "?"),
    "not testable with these data": ("nottestable", "–"),
}


def _badge(record: dict) -> str:
    """One scope's verdict as a badge (colour, sign and words), its notes after it in small type."""
    css, sign = BADGE.get(record["verdict"], ("other", "•"))
    scope = f'<span class="scope">{h(record["scope"])}</span> ' if record.get("scope") else ""
    notes = "".join(f'<span class="note">{h(n)}</span>' for n in record.get("notes", []))
    return (
        f'<span class="verdict-row"><span class="badge v-{css}" title="{h(record["verdict"])}">'
        f'<span class="sign" aria-hidden="true">{sign}</span> {scope}<b>{h(record["verdict"])}</b></span>{notes}</span>'
    )


def _verdict_html(key: str, records: list[dict], not_run: str) -> str:
    """A finding's verdict.

    A badge per scope under the declared primary specification, then, apart and in plain type, what other choices of
    primary specification would give.
    """
    if not_run:
        return _badge({"scope": "", "verdict": not_run, "notes": []})
    declared = [r for r in records if r["finding"] == key and r["primary"]]
    others: dict[str, list] = {}
    for r in records:
        if r["finding"] == key and not r["primary"]:
            others.setdefault(r["specification"], []).append(r)
    html = "".join(_badge(r) for r in declared)
    if others:
        html += (
            '<div class="other">other choices of primary specification (not the verdict): '
            + "; ".join(
                ("" if what == "other choices" else f"{h(what)} → ")
                + ", ".join(
                    f"{h(r['scope'])} {h(r['verdict'])}".strip() or "; ".join(h(n) for n in r.get("notes", []))
                    for r in rows
                )
                for what, rows in others.items()
            )
            + "</div>"
        )
    return html


def headline(records: list[dict], key: str) -> str:
    """A finding's verdict in one word for the summary.

    The verdict of its scopes with counted evidence when they agree, "differs by scope" when they do not, and "not
    testable with these data" when none has any.

    Parameters
    ----------
    records : list of dict
        ``scorecard.verdict_records``
    key : str
        the finding

    Returns
    -------
    str
    """
    from ..study.scorecard import NOT_TESTABLE

    words = {r["verdict"] for r in records if r["finding"] == key and r["primary"]} - {NOT_TESTABLE}
    if not words:
        return NOT_TESTABLE
    return words.pop() if len(words) == 1 else "differs by scope"


SUMMARY_ORDER = (
    "supported",
    "contradicted",
    "mixed",
    "inconclusive",
    "differs by scope",
    "not testable with these data",
)


def _summary(table: pd.DataFrame, records: list[dict], ran: set[str]) -> str:
    """The one sentence a reader sees first.

    How many claims are supported, contradicted, inconclusive and not testable (the verdict of each claim's counted
    evidence).
    """
    counts = dict.fromkeys(SUMMARY_ORDER, 0)
    not_run = 0
    keys = list(dict.fromkeys(table["finding"]))
    for key in keys:
        group = table[table["finding"] == key]
        if _not_run(key, not group[group["test"] != "—"].empty, ran):
            not_run += 1
            continue
        word = headline(records, key)
        counts[word] = counts.get(word, 0) + 1
    always = ("supported", "contradicted", "inconclusive", "not testable with these data")
    parts = [f"{counts[w]:,} {w}" for w in SUMMARY_ORDER if counts[w] or w in always]
    if not_run:
        parts.append(f"{not_run:,} not run in this build")
    return (
        f'<p class="summary" id="summary">Of {plural(len(keys), "claim")}: '
        + ", ".join(parts[:-1])
        + f" and {parts[-1]}. Each claim's verdict per scope is below; only counted evidence (direct surveys and "
        'registers, one vote per independent sample) decides it (<a href="#rules">the rule</a>).</p>'
    )


def _n_text(row) -> str:
    """N with its unit: the number of areas (or residents) of the test's level."""
    from ..data.reports import PLURAL_OF_LEVEL

    value = row.get("n")
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    level = str(row.get("level") or "")
    unit = PLURAL_OF_LEVEL.get(level, "residents" if "resident" in level else "observations")
    return f'<span class="num">{int(value):,}</span> {h(unit)}'


# the columns of the per-test tables, first these, then every column of the scorecard the page does not know yet
# (a new column shows without a change here); KNOWN are shown elsewhere on the page or are for the CSV only
SCORECARD_COLUMNS = (
    ("sample", "sample"),
    ("role", "role"),
    ("evidence", "evidence"),
    ("test", "test"),
    ("n", "n"),
    ("estimate_ci", "estimate [95 % CI] (measure)"),
    ("other_scale", "other scale (measure)"),
    ("adjusted_ci", "Holm-adjusted 95 % CI (same measure)"),
    ("outcome", "outcome"),
)
KNOWN_COLUMNS = {
    "finding", "claim", "verdict", "pooled", "published", "counted", "scope", "level", "areas", "division",
    "clusters", "data", "outcome_source", "composition", "years", "estimate", "ci_low", "ci_high", "scale",
    "measure", "holm_p", "detectable", "method_check", "robustness", "notebook", "files", "evidence_note", "caveats",
}  # fmt: skip


def _columns(table: pd.DataFrame) -> list[tuple[str, str]]:
    """The per-test tables' columns: ``SCORECARD_COLUMNS``, then any scorecard column not in ``KNOWN_COLUMNS``."""
    named = {c for c, _ in SCORECARD_COLUMNS}
    extra = [(c, c.replace("_", " ")) for c in table.columns if c not in named and c not in KNOWN_COLUMNS]
    return list(SCORECARD_COLUMNS) + extra


def _notebook_link(notebook, depth: int = 0) -> str:
    if not isinstance(notebook, str) or not safe_name(notebook):
        return ""
    return f'<a href="{"../" * depth}notebooks/{url_part(notebook)}.html">{h(notebook[:2])}</a>'


def _cell(row, column: str) -> str:
    value = row.get(column)
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "<td></td>"
    if column == "n":
        return f"<td>{_n_text(row)}</td>"
    text = str(value)
    css = f' class="{h(text)}"' if column == "outcome" and text.isalpha() else ""
    return f"<td{css}>{_numbers(text)}</td>"


_NUMBER = re.compile(r"(?<![\w.,])[−+-]?\d(?:[\d,.]*\d)?(?:\s?%)?(?![\w])|\[[^\]]*\]")


def _numbers(text: str) -> str:
    """Text as HTML with every number (and every interval in brackets) kept on one line."""
    out, last = [], 0
    for match in _NUMBER.finditer(text):
        out += [h(text[last : match.start()]), f'<span class="num">{h(match.group(0))}</span>']
        last = match.end()
    return "".join(out) + h(text[last:])


def _tests_table(tested: pd.DataFrame, depth: int = 0) -> str:
    """Tests as an HTML table (the scorecard's columns and a link to the notebook of each).

    Scrolling sideways rather than breaking words when the page is narrow.
    """
    columns = _columns(tested)
    rows = [
        "<tr>" + "".join(_cell(r, c) for c, _ in columns) + f"<td>{_notebook_link(r.get('notebook'), depth)}</td></tr>"
        for _, r in tested.iterrows()
    ]
    head = "".join(f"<th>{h(label)}</th>" for _, label in columns)
    return f'<div class="wide"><table class="tests"><tr>{head}<th>notebook</th></tr>{"".join(rows)}</table></div>'


def _scorecard(table: pd.DataFrame, records: list[dict], ran: set[str]) -> str:
    """Every finding in detail: its verdict, pooled estimate and its tests (collapsed)."""
    parts = []
    for key, group in table.groupby("finding", sort=False):
        first = group.iloc[0]
        tested = group[group["test"] != "—"]
        not_run = _not_run(key, not tested.empty, ran)
        pooled = (
            ""
            if first.get("pooled", "—") == "—"
            else f"<p>Pooled standardised coefficient: {_numbers(str(first['pooled']))}</p>"
        )
        parts.append(
            f'<h3 id="finding-{h(key)}">{h(key)}: {h(first["claim"])}</h3>'
            f'<div class="verdicts">{_verdict_html(key, records, not_run)}</div>{pooled}'
        )
        if not tested.empty:
            parts.append(
                f"<details><summary>{plural(len(tested), 'test')} of {h(key)}</summary>{_tests_table(tested)}</details>"
            )
    return "\n".join(parts)


def _short(estimate_ci) -> str:
    """An estimate with its interval and its measure (the words in brackets at its end)."""
    return str(estimate_ci)


def _counted_evidence(group: pd.DataFrame) -> str:
    """The counted evidence of a finding in a few words, with units.

    Its samples and their evidence kind, the pooled estimate, and what does not count.
    """
    from ..study.roles import RoleKind
    from ..study.scorecard import has_role

    primary = group[has_role(group, RoleKind.PRIMARY)]
    kinds = sorted(set(primary["evidence"]))
    samples = len(set(primary["sample"]))
    text = f"{plural(samples, 'counted sample')} ({', '.join(kinds)})" if samples else "no counted sample"
    pooled = str(group.iloc[0].get("pooled", "—")) if "pooled" in group else "—"
    if samples and pooled not in ("", "—", "nan"):
        text += f"; pooled standardised coefficient {pooled.split(' over ')[0].split(' (random effects')[0]}"
    robustness = has_role(group, RoleKind.ROBUSTNESS)
    robust = int(robustness.sum())
    if robust:
        text += f"; {plural(robust, 'other specification')} of them (robustness, not extra votes)"
    others = group[(group["test"] != "—") & (group["counted"] != "yes") & ~robustness]
    if len(others):
        text += "; not counted: " + ", ".join(
            plural(n, str(role)) if role.kind is RoleKind.METHOD_CHECK else f"{plural(n, 'test')} ({role.reason})"
            for role, n in others["role"].value_counts(sort=False).items()
        )
    return text


def _glance(table: pd.DataFrame, records: list[dict], ran: set[str]) -> str:
    """The compact table a reader sees first: finding, claim, verdict per scope (badges), counted evidence, details."""
    rows = []
    for key, group in table.groupby("finding", sort=False):
        first = group.iloc[0]
        not_run = _not_run(key, not group[group["test"] != "—"].empty, ran)
        rows.append(
            f"<tr><td>{h(key)}</td><td>{h(first['claim'])}</td><td>{_verdict_html(key, records, not_run)}</td>"
            f"<td>{_numbers(_counted_evidence(group))}</td>"
            f'<td><a href="#finding-{h(key)}">details</a></td></tr>'
        )
    return (
        '<table class="glance"><tr><th>finding</th><th>claim</th><th>verdict by scope</th>'
        "<th>counted evidence</th><th></th></tr>" + "".join(rows) + "</table>"
    )


def _legend() -> str:
    """What the badges mean, in one line."""
    from ..study.verdicts import SCOPES

    return (
        '<p class="legend">'
        + " ".join(_badge({"scope": "", "verdict": word, "notes": []}) for word in BADGE)
        + " — the verdict words of the rule; a verdict is given per scope ("
        + h(", ".join(SCOPES.values()))
        + ").</p>"
    )


def _rules() -> str:
    """The rules, as findings.yaml writes them (``verdict_rule`` and every other ``*_rule``), collapsed."""
    from ..study.scorecard import rules_markdown

    return (
        '<h2 id="rules">The verdict rule</h2><details><summary>How a verdict is reached (the rules of '
        "<code>wijkstudie/study/findings.yaml</code>)</summary>" + _markdown(rules_markdown()) + "</details>"
    )


def _files_of(table: pd.DataFrame) -> list[str]:
    if "files" not in table or "data" not in table:
        return []
    real = table[table["data"] == "real"]["files"].dropna()
    return sorted({f.strip() for text in real for f in str(text).split(",") if f.strip()})


def _data_section(said: str, table: pd.DataFrame, runs: list[Run]) -> str:
    """Which data produced the results (``said``: the banner's words, without the files).

    The files the real tests read (from the scorecard) and the notebooks.
    """
    files = _files_of(table)
    listed = (
        f"<p>The real-data tests read {len(files)} files:</p><ul>"
        + "".join(f"<li>{h(f)}</li>" for f in files)
        + "</ul>"
        if files
        else ""
    )
    notebooks = "".join(
        f'<li><a href="notebooks/{url_part(r.name)}.html">{h(r.name)}</a> — {h(_kind_of(r, table)[0])}</li>'
        for r in runs
    )
    return (
        f'<h2 id="data">Data</h2><p>{_inline(said)}</p>{listed}'
        f'<h2 id="notebooks">Notebooks</h2><ul>{notebooks}</ul>'
        '<p>Every dataset with its licence and a citation to copy: <a href="sources.html">sources</a>.</p>'
    )


def _kind_of(run: Run, table: pd.DataFrame) -> tuple[str, str]:
    """What kind of data a notebook's recorded results come from, in words, per finding, and the banner's class.

    "" (real), "synthetic" or "mixed"; the session's data when it recorded nothing.
    """
    mine = table[(table["notebook"] == run.name) & (table["test"] != "—")] if "notebook" in table else table[:0]
    if "data" not in mine or mine.empty:
        kind = "synthetic" if "SYNTHETIC" in run.data else ""
        return f"{run.data} (it records no finding test)", kind
    parts = []
    for data, rows in mine.groupby("data", sort=False):
        word = {"real": "real data", "SYNTHETIC": "SYNTHETIC data"}.get(data, f"{data} data")
        found = ", ".join(f"{key} ({len(r)} test{'s' if len(r) > 1 else ''})" for key, r in rows.groupby("finding"))
        parts.append(f"{word}: {found}")
    kinds = set(mine["data"])
    css = "synthetic" if kinds == {"SYNTHETIC"} else "mixed" if len(kinds) > 1 else ""
    return "recorded results from " + "; and ".join(parts), css


_PAGE_SEAL = re.compile(r"<!-- wijkstudie page: notebook-sha256=([0-9a-f]{64}) body-sha256=([0-9a-f]{64}) -->\n")


def _body_html(executed: Path, cache: Path) -> str:
    """The executed notebook as sanitised HTML (nbconvert's basic template, then ``sanitise``).

    The conversion is kept by content so an unchanged notebook is not converted again, and sanitised every time it is
    used.

    A kept conversion proves what it is before it is used: its first line names the SHA-256 of the notebook it was
    converted from and of the HTML after that line. A page whose line is missing, names another notebook or does not
    match its HTML (edited, or another page copied over it) is converted again, with one warning naming it.
    """
    data = executed.read_bytes()
    source = hashlib.sha256(data).hexdigest()
    kept = cache / f"{source[:20]}.html"
    if kept.is_file() and not kept.is_symlink():
        text = kept.read_bytes().decode("utf-8", errors="replace")  # as written: no line ends translated
        seal = _PAGE_SEAL.match(text)
        body = text[seal.end() :] if seal else ""
        if seal and seal.group(1) == source and seal.group(2) == hashlib.sha256(body.encode()).hexdigest():
            return sanitise(body)
        from ..data.reports import WijkstudieWarning

        why = "it names another notebook" if seal and seal.group(1) != source else "its HTML is not what was kept"
        warnings.warn(
            f"page cache {kept}: not used, {why}: the notebook {executed.name} is converted again",
            WijkstudieWarning,
            stacklevel=3,
        )
    nbformat = optional("nbformat", "the report site")
    body, _ = _exporter().from_notebook_node(nbformat.reads(data.decode("utf-8"), as_version=4))
    cache.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(body.encode()).hexdigest()
    write_text_atomic(kept, f"<!-- wijkstudie page: notebook-sha256={source} body-sha256={digest} -->\n" + body)
    return sanitise(body)


_EXPORTERS = threading.local()  # one converter per thread: nbconvert loads and compiles its templates per converter


def _exporter():
    """The calling thread's converter of notebooks into pages (nbconvert's ``HTMLExporter``, basic template).

    Made once per thread and kept: a new one loads and compiles its templates again, about 0.1 s a page. nbconvert's own
    command converts many notebooks with one; one thread's conversions never overlap, two threads' never share one.
    """
    exporter = getattr(_EXPORTERS, "exporter", None)
    if exporter is None:
        exporter = _EXPORTERS.exporter = optional("nbconvert", "the report site").HTMLExporter(template_name="basic")
    return exporter


def page_cache(build: Path) -> Path:
    """Where the site of a build folder keeps its converted notebooks (``_body_html``)."""
    return build / "cache" / "pages"


def convert_ahead(executed: Path, build: Path) -> None:
    """Convert an executed notebook into the page cache now, while other notebooks still run.

    The site, written after the last notebook, then finds the page converted (and proves it, ``_body_html``) instead
    of converting every notebook one after another at the end of the run.

    Parameters
    ----------
    executed : Path
        the executed notebook (the bytes its published copy will have)
    build : Path
        the build folder whose site will use the page
    """
    _body_html(executed, page_cache(build))


def _figures(run: Run, figures: Path, out: Path) -> str:
    stems: dict[str, list[str]] = {}
    for relative in run.artifacts:
        if not safe_relative(relative):
            continue
        path = Path(relative)
        if path.suffix.lstrip(".") in FIGURE_FORMATS and len(path.parts) == 1:
            stems.setdefault(path.stem, []).append(path.suffix.lstrip("."))
    parts = []
    for stem, kinds in stems.items():
        for kind in kinds:
            _copy_figure(figures / f"{stem}.{kind}", out / "figures" / f"{stem}.{kind}")
        links = " | ".join(
            f'<a href="../figures/{url_part(stem + "." + k)}" download>{k.upper()}</a>'
            for k in FIGURE_FORMATS
            if k in kinds
        )
        image = f'<img src="../figures/{url_part(stem + ".png")}" alt="{h(stem)}">' if "png" in kinds else ""
        parts.append(f"<figure>{image}<figcaption>{h(stem)} — download {links}</figcaption></figure>")
    return ("<h2>Figures</h2>" + "".join(parts)) if parts else ""


def _copy_figure(source: Path, target: Path) -> None:
    """A figure into the site.

    Whole and through a temporary file (never through a file or symlink already there), unless the site already has it
    with the same size and modification time.
    """
    have = source.stat()
    if target.is_file() and not target.is_symlink():
        there = target.stat()
        if (there.st_size, there.st_mtime_ns) == (have.st_size, have.st_mtime_ns):
            return
    target.parent.mkdir(parents=True, exist_ok=True)
    copy_atomic(source, target)


def _cards(run: Run, table: pd.DataFrame) -> str:
    """The notebook's finding cards.

    Each finding it tested, with the verdict of every notebook's tests together and this notebook's tests (wrapping
    tables, not preformatted text).
    """
    if "notebook" not in table:
        return ""
    mine = table[(table["notebook"] == run.name) & (table["test"] != "—")]
    parts = []
    for key, rows in mine.groupby("finding", sort=False):
        first = table[table["finding"] == key].iloc[0]
        parts.append(
            f'<div class="card"><h3>Finding {h(key)}: {h(first["claim"])}</h3>'
            f'<p class="verdict">Verdict (every notebook\'s tests together): {h(first["verdict"])} '
            f'(<a href="../index.html#finding-{h(key)}">scorecard</a>)</p>'
            f"<p>This notebook's tests:</p>{_tests_table(rows, depth=1)}</div>"
        )
    return ("<h2>Finding cards</h2>" + "".join(parts)) if parts else ""


def citation(dataset: str, years, files=()) -> dict:
    """Publisher, title, every year and file used, where (table id or URL), licence and a citation line for one dataset.

    Parameters
    ----------
    dataset : str
        a catalogue name
    years : iterable of int
        the years used
    files : iterable of str
        the names of the files read (listed in the citation)

    Returns
    -------
    dict
        publisher, title, years, where, files, licence, attribution, the citation line and ``copies``: for every
        file read from the offline mirror that is not the publisher's own (a reconstruction, an extract), what it
        is (the catalogue's ``mirror_note``), also said in the citation
    """
    from ..data.catalogue import datasets

    entry = datasets().get(dataset)
    files = sorted({str(f) for f in files})
    if entry is None:
        return {"dataset": dataset, "citation": dataset, "files": files}
    years = sorted({int(y) for y in years if y is not None})
    where, copies = [], []
    for year in years or sorted({r.year for r in entry.resources}):
        of_year = [r for r in entry.resources if r.year == year]
        read = [r for r in of_year if {Path(str(r.mirror or "")).name, _url_name(r)} & set(files)]
        for resource in read or of_year:  # the files of that year that were read, else every file of the year
            text = resource.where()
            if text not in where:
                where.append(text)
        # a file read from the offline mirror that is not the publisher's own says what it is instead
        copies += [
            f"{dataset} {r.year}: the file read was {r.mirror_note}"
            for r in read
            if r.mirror_note and Path(str(r.mirror or "")).name in files
        ]
    year_text = ", ".join(map(str, years)) or "n.d."
    used = f" Files used: {', '.join(files)}." if files else ""
    used += "".join(f" Note: {c}." for c in copies)
    return {
        "dataset": dataset,
        "publisher": entry.publisher,
        "title": entry.title,
        "years": year_text,
        "where": where,
        "files": files,
        "copies": copies,
        "licence": entry.licence,
        "attribution": entry.attribution,
        "citation": f"{entry.publisher} ({year_text}). {entry.title}. {'; '.join(where) or entry.homepage}. "
        f"Licence: {entry.licence}.{used}",
    }


def _url_name(resource) -> str:
    return str(resource.params.get("url", "")).rsplit("/", 1)[-1]


def _sources(runs: list[Run]) -> str:
    used: dict[str, set] = {}
    files: dict[str, set] = {}
    for run in runs:
        for dataset, year in run.datasets:
            used.setdefault(dataset, set()).add(year)
        for item in run.files:
            if isinstance(item, list) and len(item) == 3:
                used.setdefault(item[0], set()).add(item[1])
                files.setdefault(item[0], set()).add(item[2])
    rows = []
    for dataset in sorted(used):
        c = citation(dataset, used[dataset], files.get(dataset, ()))
        if "publisher" not in c:  # not a dataset of the catalogue: survey microdata read with a mapping
            rows.append(_microdata_source(dataset, used[dataset], c["files"]))
            continue
        noncommercial = "NC" in c.get("licence", "")
        rows.append(
            f'<h3 id="{h(dataset)}">{h(c.get("title", dataset))}</h3>'
            f"<p>{h(c.get('publisher', ''))}; years used: {h(c.get('years', ''))}; "
            f"licence: <b>{h(c.get('licence', ''))}</b>"
            + (" (non-commercial: fetched for you by wijkstudie, never redistributed with it)" if noncommercial else "")
            + "</p>"
            + (f"<p>Files used: {h(', '.join(c['files']))}</p>" if c.get("files") else "")
            + "".join(f'<p class="copy"><b>Not the publisher\'s own file:</b> {h(n)}</p>' for n in c.get("copies", []))
            + f"<p>{h(c.get('attribution', ''))}. From: "
            + "; ".join(h(w) for w in c.get("where", []))
            + "</p>"
            f'<code class="cite">{h(c["citation"])}</code>'
        )
    package = _package_citation()
    return (
        "<h1>Sources</h1><p>Every dataset the notebooks read, with its licence and a citation to copy.</p>"
        + "".join(rows)
        + "<h2>This package</h2>"
        + f'<code class="cite">{h(package)}</code>'
    )


def _microdata_source(dataset: str, years, files) -> str:
    """A sources entry for data the catalogue does not list.

    Survey microdata read through the resident schema with a mapping (a licensed survey the user supplied, or the
    synthetic world's survey), said in full.
    """
    years_text = ", ".join(str(y) for y in sorted({int(y) for y in years if y is not None})) or "not given"
    return (
        f'<h3 id="{h(dataset)}">{h(dataset)}</h3>'
        "<p>Survey microdata, not a publisher's dataset of the catalogue: read through the resident schema "
        "(<code>resident_schema</code> in <code>wijkstudie/data/variables.yaml</code>) with the mapping of its "
        f"source, named {h(dataset)}. Years used: {h(years_text)}; files used: {h(', '.join(files) or 'none named')}. "
        "Licence and citation: those of whoever supplied the file (licensed survey microdata are never "
        "redistributed); the synthetic world's survey is made by wijkstudie from "
        "<code>wijkstudie/synthetic/scenarios/default.yaml</code> and is no evidence about real residents.</p>"
    )


def _package_citation() -> str:
    from ..core.paths import PACKAGE_DIR
    from ..core.version import __version__

    cff = PACKAGE_DIR.parent / "CITATION.cff"  # beside the package in a source tree; an installed copy has none
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


def _notebook_page(run: Run, table: pd.DataFrame, banner: str, synthetic: bool, figures: Path, site: Path, names):
    when = f"executed {run.when} in {run.seconds:.1f} s" + (
        " (served from the verified cache of executed notebooks)" if run.cached else ""
    )
    said, kind = _kind_of(run, table)
    body = (
        f"<h1>{h(run.name)}</h1><p><i>{h(said[0].upper() + said[1:])}; {h(when)}.</i></p>"
        + _cards(run, table)
        + _figures(run, figures, site)
        + "<h2>The notebook</h2>"
        + _body_html(run.executed, page_cache(site.parent))
    )
    kind = "synthetic" if synthetic else kind
    page = _page(run.name, body, f"This notebook: {said}.", kind, 1, names)  # one statement: this notebook's data
    _write(site / "notebooks" / f"{run.name}.html", page, site)


def build(
    site: Path,
    runs: list[Run],
    table: pd.DataFrame,
    statement: str,
    banner: str,
    synthetic: bool,
    figures: Path,
    *,
    verdicts: list[dict] | None = None,
) -> Path:
    """Write the report site.

    Parameters
    ----------
    site : Path
        the folder
    runs : list of Run
        the notebook runs (names without path separators or ``..``)
    table : DataFrame
        the scorecard
    statement : str
        which data produced the results, with the files the real tests read (kept with the runs; the front page's
        data section says the banner's words and lists the files from the scorecard)
    banner : str
        the same in one line, without the files (at the top of every page and in the front page's data section)
    synthetic : bool
        whether the data are synthetic (a red banner)
    figures : Path
        the figures folder
    verdicts : list of dict, optional
        the verdict records of the tests behind ``table`` (``scorecard.verdict_records``; default: of every
        recorded test)

    Returns
    -------
    Path
        the front page

    Raises
    ------
    ValueError
        for a run whose name could not name a page inside the site.
    """
    from ..study.scorecard import verdict_records

    _check_names(runs)
    site.mkdir(parents=True, exist_ok=True)
    names = [run.name for run in runs]
    records = verdict_records() if verdicts is None else verdicts
    index = (
        "<h1>What the notebooks found</h1>"
        + _summary(table, records, set(names))
        + _glance(table, records, set(names))
        + _legend()
        + _rules()
        + "<h2>Every finding in detail</h2>"
        + _scorecard(table, records, set(names))
        + _data_section(banner, table, runs)
    )
    _write(site / "index.html", _page("wijkstudie: findings", index, banner, _site_kind(synthetic), 0, names), site)
    for run in runs:
        _notebook_page(run, table, banner, synthetic, figures, site, names)
    sources = _page("wijkstudie: sources", _sources(runs), banner, _site_kind(synthetic), 0, names)
    _write(site / "sources.html", sources, site)
    return site / "index.html"


def build_pages(site: Path, runs: list[Run], table: pd.DataFrame, banner: str, synthetic: bool, figures: Path) -> Path:
    """The pages of a partial run.

    Its notebooks' pages only, when a complete run wrote the site's front page (which then stays as that run wrote it);
    the whole site from these runs when there is none yet.

    Parameters
    ----------
    site : Path
        the folder
    runs : list of Run
        the partial run's notebooks
    table : DataFrame
        the scorecard of their results
    banner : str
        which data produced them, in one line
    synthetic : bool
        whether the data are synthetic
    figures : Path
        the figures folder

    Returns
    -------
    Path
        the front page
    """
    _check_names(runs)
    if not (site / "index.html").is_file() or not (site.parent / RUNS_FILE).is_file():
        return build(site, runs, table, banner, banner, synthetic, figures)
    names = _names_of_last_run(site.parent) or [run.name for run in runs]
    for run in runs:
        _notebook_page(run, table, banner, synthetic, figures, site, sorted(set(names) | {run.name}))
    return site / "index.html"


def _site_kind(synthetic: bool) -> str:
    return "synthetic" if synthetic else ""


def _check_names(runs) -> None:
    for run in runs:
        if not safe_name(run.name):
            raise ValueError(f"not a page name: {str(run.name)[:60]!r}")


def _names_of_last_run(build_dir: Path) -> list[str]:
    try:
        payload = json.loads((build_dir / RUNS_FILE).read_text(encoding="utf-8"))
        return [r["name"] for r in payload["runs"] if safe_name(r.get("name"))]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []


def save_runs(build_dir: Path, runs: list[Run], statement: str, banner: str, synthetic: bool) -> None:
    """Keep the runs of the main command (``build/runs.json``, written whole), so the site can be written again.

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
    from ..core.hashing import file_sha256
    from ..study.results import results_dir

    payload = {
        "statement": statement,
        "banner": banner,
        "synthetic": synthetic,
        "published": time.strftime("%Y-%m-%d %H:%M"),
        "results": {p.name: file_sha256(p) for p in sorted(results_dir().glob("*.json"))},  # what it published
        "runs": [r.to_json() for r in runs],
    }
    write_text_atomic(build_dir / RUNS_FILE, json.dumps(payload, indent=1))


def changed_results(payload: dict) -> list[str]:
    """The recorded results in the figures folder that are not the ones the last complete run published.

    (changed, added or gone since), by their SHA-256 in ``runs.json``.

    Parameters
    ----------
    payload : dict
        ``runs.json``

    Returns
    -------
    list of str
        the files, each with what happened to it
    """
    from ..core.hashing import file_sha256
    from ..study.results import results_dir

    published = payload.get("results")
    if not isinstance(published, dict):
        return ["runs.json names no published results (written by an older version)"]
    now = {p.name: file_sha256(p) for p in sorted(results_dir().glob("*.json"))}
    out = [f"{name} changed" for name in now if name in published and now[name] != published[name]]
    out += [f"{name} added" for name in now if name not in published]
    out += [f"{name} gone" for name in published if name not in now]
    return out


def _runs_from(payload, build_dir: Path) -> list[Run]:
    """The runs of ``runs.json``, checked.

    Page names without path separators or ``..``, executed notebooks inside the build folder, artifacts as plain
    relative paths; anything else is a ``ValueError``.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("runs"), list):
        raise ValueError("it is not a list of runs")
    runs = []
    for item in payload["runs"]:
        if not isinstance(item, dict):
            raise ValueError("a run that is not a JSON object")
        fields = {k: item[k] for k in Run.__dataclass_fields__ if k in item}
        run = Run(**dict(fields, executed=Path(str(item.get("executed", "")))))
        if not safe_name(run.name):
            raise ValueError(f"it names a page {str(run.name)[:60]!r} outside build/site/")
        if not inside(run.executed, build_dir) or not run.executed.is_file():
            raise ValueError(f"the executed notebook of {run.name} lies outside the build folder")
        if not all(safe_relative(a) for a in run.artifacts):
            raise ValueError(f"an artifact of {run.name} lies outside the figures folder")
        runs.append(run)
    return runs


def main(argv=None) -> int:
    """Rebuild the site from the last run of the main command (``build/runs.json``, checked first).

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
    from .folders import build_dir as default_build_dir
    from .lock import Busy, build_lock

    build_dir = Path(argv[0]) if argv else default_build_dir()
    try:
        payload = json.loads((build_dir / RUNS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        print(f"site: no run to build from in {build_dir}; run `make reproduce` first", file=sys.stderr)
        return 1
    try:
        runs = _runs_from(payload, build_dir)
        statement, banner, synthetic = (str(payload["statement"]), str(payload["banner"]), bool(payload["synthetic"]))
    except (ValueError, KeyError, TypeError) as exc:
        print(f"site: {build_dir / RUNS_FILE} cannot be used ({exc}); run `make reproduce` again", file=sys.stderr)
        return 1
    when = str(payload.get("published", "")) or "unknown date"
    try:
        with build_lock(build_dir):
            changed = changed_results(payload)
            if changed:  # results that are not the complete run's: never published under its name
                shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
                print(
                    f"site: the recorded results in {paths.figures_dir() / 'results'} are not those of the last "
                    f"complete run ({when}): {shown}; the site is built only from one complete run: run "
                    "`make reproduce`",
                    file=sys.stderr,
                )
                return 1
            index = build(build_dir / "site", runs, scorecard(), statement, banner, synthetic, paths.figures_dir())
    except Busy as busy:
        print(busy.line("site"), file=sys.stderr)
        return 1
    except OSError as exc:
        from ..core.errors import os_reason

        print(f"site: cannot write {exc.filename or build_dir}: {os_reason(exc)} (setting build_dir)", file=sys.stderr)
        return 1
    print(f"site written from the last complete run ({when}), {plural(len(runs), 'notebook')}: {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
