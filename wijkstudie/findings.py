"""Findings: the registry (``findings.yaml``), test results recorded by the notebooks, the verdict rule,
finding cards and the scorecard.

A notebook turns a model estimate into a ``FindingTest`` and calls ``record``; ``scorecard()`` gathers every
recorded test, applies the verdict rule (written in ``findings.yaml`` and in ``verdict``) and
``write_scorecard()`` writes it to the figures folder as Markdown and CSV.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from .errors import WijkstudieError
from .paths import PACKAGE_DIR, figures_dir

FINDINGS_FILE = PACKAGE_DIR / "findings.yaml"
SUPPORTED, MIXED, NOT_SUPPORTED, NOT_TESTABLE = "supported", "mixed", "not supported", "not testable with these data"


@lru_cache(maxsize=1)
def registry() -> dict:
    with open(FINDINGS_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def finding(key: str) -> dict:
    try:
        return registry()["findings"][key]
    except KeyError:
        raise WijkstudieError(f"unknown finding {key!r}; known: {', '.join(registry()['findings'])}") from None


def reference(key: str) -> dict:
    """A published reference value: value, relation ('more than', 'about', ...), unit, text and source."""
    try:
        return registry()["reference_values"][key]
    except KeyError:
        raise WijkstudieError(f"unknown reference value {key!r}") from None


def reference_text(key: str, language: str = "en") -> str:
    ref = reference(key)
    value = f"{ref['relation'] + ' ' if ref['relation'] else ''}{ref['value']:g}{'' if ref['unit'] != '%' else ' %'}"
    unit = f" ({ref['unit']})" if ref["unit"] != "%" else ""
    return f"{ref['text_' + language]}: {value}{unit} — {ref['source']}"


@dataclass
class FindingTest:
    """One estimate that bears on a finding."""

    finding: str
    label: str                # what was tested, e.g. "Utrecht buurten: owner-occupied share -> volunteering"
    estimate: float
    ci_low: float
    ci_high: float
    expected_sign: int        # +1 or -1: the sign the claim predicts
    measure: str              # e.g. "standardised coefficient"
    source: str
    level: str
    year: str
    n: int
    data_kind: str = "unknown"  # real, synthetic or unknown: only "real" counts as evidence about real areas
    caveats: list = field(default_factory=list)
    notebook: str = ""

    @property
    def outcome(self) -> str:
        return classify(self.ci_low, self.ci_high, self.expected_sign)


def from_model(finding_key: str, result, term: str, expected_sign: int, label: str, use: str = "std_estimate",
               caveats=(), notebook: str = "") -> FindingTest:
    """A FindingTest from a ModelResult term. ``use="std_estimate"`` reports the standardised estimate (its
    interval is the estimate's interval scaled by the same factor); ``use="estimate"`` the estimate itself. The
    data kind, sources, level and years come from the result's provenance (unknown stays unknown)."""
    finding(finding_key)
    row = result.term(term)
    low, high, est = row["ci_low"], row["ci_high"], row["estimate"]
    if use == "std_estimate":
        factor = row["std_estimate"] / row["estimate"] if row["estimate"] else float("nan")
        est, low, high = row["std_estimate"], low * factor, high * factor
        measure = f"standardised coefficient of {term}"
    else:
        measure = f"coefficient of {term}"
    extra = list(caveats)
    if result.n < 30:
        extra.append(f"few areas (n = {result.n})")
    if result.data_kind == "unknown":
        extra.append("data of unknown provenance: not counted as evidence")
    return FindingTest(finding_key, label, float(est), float(min(low, high)), float(max(low, high)), expected_sign,
                       measure, result.source, result.level, str(result.year), int(result.n), result.data_kind,
                       extra, notebook)


def from_estimate(finding_key: str, label: str, estimate: float, ci_low: float, ci_high: float, expected_sign: int,
                  measure: str, data, n: int, caveats=(), notebook: str = "") -> FindingTest:
    """A FindingTest from an estimate computed outside a model (a contrast, a gap); source, level, year and
    whether the data are real, synthetic or unknown come from ``data``: a table, or a ModelResult."""
    from .models.result import ModelResult, context
    from .provenance import provenance_of

    finding(finding_key)
    if isinstance(data, ModelResult):
        provenance, years = data.provenance, data.years
    else:
        ctx = context(data, data) if hasattr(data, "columns") else {"provenance": provenance_of(data), "years": ""}
        provenance, years = ctx["provenance"], ctx["years"]
    extra = list(caveats) + (["data of unknown provenance: not counted as evidence"]
                             if provenance.kind == "unknown" else [])
    return FindingTest(finding_key, label, float(estimate), float(min(ci_low, ci_high)), float(max(ci_low, ci_high)),
                       expected_sign, measure, provenance.source_text(), ", ".join(provenance.levels), years, int(n),
                       provenance.kind, extra, notebook)


def classify(ci_low: float, ci_high: float, expected_sign: int) -> str:
    """'supports', 'contradicts' or 'inconclusive' (see ``verdict_rule`` in findings.yaml)."""
    if expected_sign not in (1, -1):
        raise WijkstudieError("expected_sign must be +1 or -1")
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (ci_low, ci_high)):
        return "inconclusive"
    low, high = (ci_low, ci_high) if expected_sign == 1 else (-ci_high, -ci_low)
    if low > 0:
        return "supports"
    if high < 0:
        return "contradicts"
    return "inconclusive"


def verdict(outcomes) -> str:
    """The finding's verdict from its tests' outcomes (see ``verdict_rule`` in findings.yaml)."""
    outcomes = list(outcomes)
    if not outcomes:
        return NOT_TESTABLE
    supporting = sum(o == "supports" for o in outcomes)
    if supporting == len(outcomes):
        return SUPPORTED
    if supporting:
        return MIXED
    return NOT_SUPPORTED


KIND_LABEL = {"real": "real data", "synthetic": "SYNTHETIC data", "unknown": "UNKNOWN provenance, not counted"}


def combined_verdict(tests) -> str:
    """The verdict of a finding, kept apart for real, synthetic and unknown evidence: synthetic results never
    count as evidence about real neighbourhoods, and results of unknown provenance are never taken for real."""
    by_kind = {kind: [t.outcome for t in tests if t.data_kind == kind] for kind in KIND_LABEL}
    present = [kind for kind in KIND_LABEL if by_kind[kind]]
    if not present:
        return NOT_TESTABLE
    if present == ["real"]:
        return verdict(by_kind["real"])
    return "; ".join(f"{verdict(by_kind[kind])} ({KIND_LABEL[kind]})" for kind in present)


def results_dir(folder: Path | None = None) -> Path:
    return Path(folder) if folder else figures_dir() / "results"


def record(finding_key: str, tests, notebook: str, folder: Path | None = None) -> Path:
    """Save a notebook's tests of a finding (replacing what that notebook recorded before)."""
    finding(finding_key)
    out = results_dir(folder)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{finding_key}__{notebook}.json"
    payload = [dict(asdict(t), notebook=notebook) for t in tests]
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def recorded(folder: Path | None = None) -> list[FindingTest]:
    tests = []
    for path in sorted(results_dir(folder).glob("*.json")):
        if path.name.startswith(VALUE_PREFIX):
            continue
        tests += [FindingTest(**t) for t in json.loads(path.read_text(encoding="utf-8"))]
    return tests


VALUE_PREFIX = "value__"


def record_value(name: str, value: float, interval=None, data_kind: str = "unknown", source: str = "",
                 notebook: str = "", folder: Path | None = None) -> Path:
    """Save an estimate one notebook passes to another (e.g. the breakpoint of notebook 07 that notebook 08
    uses), with its interval and the kind of data it was estimated on."""
    out = results_dir(folder)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{VALUE_PREFIX}{name}.json"
    payload = {"name": name, "value": float(value), "interval": list(interval) if interval is not None else None,
               "data_kind": data_kind, "source": source, "notebook": notebook}
    path.write_text(json.dumps(payload, indent=1), encoding="utf-8")
    return path


def recorded_value(name: str, folder: Path | None = None) -> dict | None:
    """A value saved by ``record_value``, or None when no notebook recorded it (yet)."""
    path = results_dir(folder) / f"{VALUE_PREFIX}{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _ci_text(t: FindingTest) -> str:
    return f"{t.estimate:+.2f} [{t.ci_low:+.2f}, {t.ci_high:+.2f}]"


def scorecard(folder: Path | None = None) -> pd.DataFrame:
    """One row per test (findings without tests get one row), with the finding's verdict."""
    tests = recorded(folder)
    rows = []
    for key, f in registry()["findings"].items():
        mine = [t for t in tests if t.finding == key]
        v = combined_verdict(mine)
        published = "; ".join(reference_text(r) for r in f.get("published", [])) or f.get("published_number", "—")
        base = {"finding": key, "claim": f["claim_en"], "verdict": v, "published": published}
        if not mine:
            rows.append({**base, "test": "—", "data": "—", "estimate_ci": "—", "outcome": "—",
                         "caveats": "; ".join(f.get("caveats", []))})
        for t in mine:
            kind = {"synthetic": "SYNTHETIC", "unknown": "UNKNOWN"}.get(t.data_kind, "real")
            rows.append({**base, "test": t.label,
                         "data": f"{kind}: {t.source}, {t.level}, {t.year}, n = {t.n}",
                         "estimate_ci": f"{_ci_text(t)} ({t.measure}; predicted sign {'+' if t.expected_sign > 0 else '−'})",
                         "outcome": t.outcome, "caveats": "; ".join(list(f.get("caveats", [])) + list(t.caveats))})
    return pd.DataFrame(rows)


def scorecard_markdown(table: pd.DataFrame) -> str:
    lines = ["| finding | verdict | test | data | estimate [95 % CI] | outcome |", "|---|---|---|---|---|---|"]
    for key, group in table.groupby("finding", sort=False):
        for i, (_, r) in enumerate(group.iterrows()):
            first = i == 0
            lines.append(f"| {key if first else ''} | {r['verdict'] if first else ''} | {r['test']} | {r['data']} | "
                         f"{r['estimate_ci']} | {r['outcome']} |")
    lines += ["", "Verdict rule: " + " ".join(registry()["verdict_rule"].split())]
    return "\n".join(lines)


def write_scorecard(folder: Path | None = None) -> pd.DataFrame:
    """Write ``scorecard.md`` and ``scorecard.csv`` into the figures folder and return the table."""
    table = scorecard(folder)
    out = figures_dir()
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "scorecard.csv", index=False)
    (out / "scorecard.md").write_text("# Findings scorecard\n\n" + scorecard_markdown(table) + "\n", encoding="utf-8")
    return table


def finding_card(key: str, tests, language: str = "en"):
    """A Markdown card for the end of a notebook: the claim, its source, the published values, the tests and
    the verdict by the written rule. Displays in Jupyter; ``str()`` gives the Markdown text."""
    from IPython.display import Markdown

    f = finding(key)
    tests = list(tests)
    v = combined_verdict(tests)
    synthetic = any(t.data_kind == "synthetic" for t in tests)
    unknown = any(t.data_kind == "unknown" for t in tests)
    lines = [f"### Finding {key}: {f['title_en']}",
             f"**Claim.** {f['claim_' + language]}  ",
             f"**Source.** {f['publication']}  "]
    for ref in f.get("published", []):
        lines.append(f"**Published.** {reference_text(ref, language)}  ")
    if tests:
        lines += ["", "| test | data | estimate [95 % CI] | outcome |", "|---|---|---|---|"]
        for t in tests:
            kind = {"synthetic": "**SYNTHETIC**", "unknown": "**UNKNOWN provenance**"}.get(t.data_kind, "real")
            lines.append(f"| {t.label} | {kind}: {t.source}, {t.level}, {t.year}, n = {t.n} | {_ci_text(t)} "
                         f"({t.measure}) | {t.outcome} |")
    lines += ["", f"**Verdict: {v}**" + (" — on SYNTHETIC data, not evidence about real neighbourhoods" if synthetic else "")
              + (" — tests of UNKNOWN provenance are not counted" if unknown else "") + ".", "", "*Caveats:* " + "; ".join(list(f.get("caveats", [])) + sorted({c for t in tests for c in t.caveats}))]
    return Markdown("\n".join(lines))
