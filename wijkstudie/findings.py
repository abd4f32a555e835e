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
from .folders import make_folder
from .paths import PACKAGE_DIR, figures_dir
from .runlog import note as log_file

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


NATIONAL = "the Netherlands"  # the scope of a test on every area of the country
SYNTHETIC_SCOPE = "the synthetic world"  # the scope of every test on synthetic data


@dataclass
class FindingTest:
    """One estimate that bears on a finding, with where it comes from: the scope (the Netherlands, or one
    gemeente), level, regional division, n, the kind of data and the files."""

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
    scope: str = ""           # NATIONAL, or the gemeente: "Utrecht (GM0344)"
    division: str = ""        # the regional division(s) of the areas, e.g. "2024"
    files: list = field(default_factory=list)
    rule: str = "interval"    # "interval" (the verdict rule) or "case" (the case rule of the finding)
    detail: dict = field(default_factory=dict)  # for a case: {dimension: {year: percentile}}

    def __post_init__(self):
        if self.data_kind == "synthetic":  # synthetic numbers describe no real place, whatever the caller says
            self.scope = SYNTHETIC_SCOPE

    @property
    def outcome(self) -> str:
        if self.rule == "case":
            return case_outcome(self.finding, self.detail)
        return classify(self.ci_low, self.ci_high, self.expected_sign)

    @property
    def scope_group(self) -> str:
        """national, cities, case, unscoped, synthetic or unknown: how the scorecard groups the verdicts (a real
        test that does not say its scope is never counted as national)."""
        if self.data_kind != "real":
            return self.data_kind
        if self.rule == "case":
            return "case"
        if not self.scope:
            return "unscoped"
        return "national" if self.scope == NATIONAL else "cities"


def _where(provenance, divisions: str = "") -> dict:
    """The division the areas were analysed on (``divisions``, from the rows' ``division_year``; else the
    divisions of the source files) and the files."""
    return {"division": divisions or ", ".join(map(str, provenance.divisions())),
            "files": sorted({s.file for s in provenance.sources if s.file})}


def from_model(finding_key: str, result, term: str, expected_sign: int, label: str, use: str = "std_estimate",
               caveats=(), notebook: str = "", scope: str = "") -> FindingTest:
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
                       extra, notebook, scope, **_where(result.provenance, result.divisions))


def from_estimate(finding_key: str, label: str, estimate: float, ci_low: float, ci_high: float, expected_sign: int,
                  measure: str, data, n: int, caveats=(), notebook: str = "", scope: str = "") -> FindingTest:
    """A FindingTest from an estimate computed outside a model (a contrast, a gap); source, level, year and
    whether the data are real, synthetic or unknown come from ``data``: a table, or a ModelResult."""
    from .models.result import ModelResult, context
    from .provenance import provenance_of

    finding(finding_key)
    if isinstance(data, ModelResult):
        provenance, years, divisions = data.provenance, data.years, data.divisions
    else:
        ctx = context(data, data) if hasattr(data, "columns") else {"provenance": provenance_of(data), "years": "",
                                                                    "divisions": ""}
        provenance, years, divisions = ctx["provenance"], ctx["years"], ctx["divisions"]
    extra = list(caveats) + (["data of unknown provenance: not counted as evidence"]
                             if provenance.kind == "unknown" else [])
    return FindingTest(finding_key, label, float(estimate), float(min(ci_low, ci_high)), float(max(ci_low, ci_high)),
                       expected_sign, measure, provenance.source_text(), ", ".join(provenance.levels), years, int(n),
                       provenance.kind, extra, notebook, scope, **_where(provenance, divisions))


def case_test(finding_key: str, label: str, percentiles: dict, peers: int, data, notebook: str = "",
              scope: str = "") -> FindingTest:
    """A test of a single case by the finding's case rule (``case`` in findings.yaml): ``percentiles`` is
    {dimension: {year: the case's percentile among its ``peers``}}. The estimate is the lowest of them, the
    interval runs from the lowest to the highest; the outcome follows the case rule, not the interval rule.
    ``data``: the peers' table, or a list of them (one per year)."""
    from .provenance import combine, provenance_of

    spec = finding(finding_key).get("case")
    if not spec:
        raise WijkstudieError(f"finding {finding_key} has no case rule in findings.yaml")
    missing = [d for d in spec["dimensions"] if d not in percentiles]
    if missing:
        raise WijkstudieError(f"case test of {finding_key}: no percentiles for {', '.join(missing)}")
    values = [float(v) for years in percentiles.values() for v in years.values()]
    tables = data if isinstance(data, (list, tuple)) else [data]
    provenance = combine(*(provenance_of(t) for t in tables))
    detail = {dim: {str(y): float(v) for y, v in years.items()} for dim, years in percentiles.items()}
    return FindingTest(finding_key, label, min(values), min(values), max(values), +1,
                       f"percentile among {peers} peers (lowest; interval: lowest to highest)",
                       provenance.source_text(), ", ".join(provenance.levels),
                       ", ".join(sorted({y for years in detail.values() for y in years})), int(peers), provenance.kind,
                       [], notebook, scope, rule="case", detail=detail, **_where(provenance))


def case_outcome(finding_key: str, detail: dict) -> str:
    """The case rule: supports when the case lies at or above ``supported_from`` on every dimension in every
    year; contradicts when on some dimension it lies below ``contradicted_below`` in every year; inconclusive
    otherwise."""
    spec = finding(finding_key)["case"]
    values = [v for years in detail.values() for v in years.values()]
    if values and min(values) >= spec["supported_from"]:
        return "supports"
    if any(years and max(years.values()) < spec["contradicted_below"] for years in detail.values()):
        return "contradicts"
    return "inconclusive"


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


def results_dir(folder: Path | None = None) -> Path:
    return Path(folder) if folder else figures_dir() / "results"


def record(finding_key: str, tests, notebook: str, folder: Path | None = None) -> Path:
    """Save a notebook's tests of a finding (replacing what that notebook recorded before)."""
    finding(finding_key)
    out = results_dir(folder)
    make_folder(out, "figures_dir")
    path = out / f"{finding_key}__{notebook}.json"
    payload = [dict(asdict(t), notebook=notebook) for t in tests]
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")
    log_file("wrote", path)
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
    make_folder(out, "figures_dir")
    path = out / f"{VALUE_PREFIX}{name}.json"
    payload = {"name": name, "value": float(value), "interval": list(interval) if interval is not None else None,
               "data_kind": data_kind, "source": source, "notebook": notebook}
    path.write_text(json.dumps(payload, indent=1), encoding="utf-8")
    log_file("wrote", path)
    return path


def recorded_value(name: str, folder: Path | None = None) -> dict | None:
    """A value saved by ``record_value``, or None when no notebook recorded it (yet)."""
    path = results_dir(folder) / f"{VALUE_PREFIX}{name}.json"
    if not path.is_file():
        return None
    log_file("read", path)
    return json.loads(path.read_text(encoding="utf-8"))


def _ci_text(t: FindingTest) -> str:
    if t.rule == "case":
        return f"{t.estimate:.0f} [{t.ci_low:.0f}, {t.ci_high:.0f}]"
    return f"{t.estimate:+.2f} [{t.ci_low:+.2f}, {t.ci_high:+.2f}]"


SCOPE_ORDER = {"national": "national", "cities": "cities", "case": "case", "unscoped": "scope not stated",
               "synthetic": "SYNTHETIC data",
               "unknown": "UNKNOWN provenance, not counted"}


def scoped_verdict(tests) -> str:
    """The verdict of a finding per scope: the whole country, the cities (each a replication), a single case,
    and apart from those the synthetic tests and the tests of unknown provenance; a city-sample verdict never
    reads as a national one."""
    tests = list(tests)
    if not tests:
        return NOT_TESTABLE
    parts = []
    for group, label in SCOPE_ORDER.items():
        outcomes = [t.outcome for t in tests if t.scope_group == group]
        if outcomes:
            parts.append(f"{label}: {verdict(outcomes)}")
    return "; ".join(parts)


def _data_kind_text(t: FindingTest) -> str:
    return {"synthetic": "SYNTHETIC", "unknown": "UNKNOWN"}.get(t.data_kind, "real")


def scorecard(folder: Path | None = None) -> pd.DataFrame:
    """One row per test (findings without tests get one row), with where its evidence comes from (scope,
    level, division, n, data kind, sources) and the finding's verdict per scope."""
    tests = recorded(folder)
    rows = []
    for key, f in registry()["findings"].items():
        mine = sorted([t for t in tests if t.finding == key],
                      key=lambda t: list(SCOPE_ORDER).index(t.scope_group))
        v = scoped_verdict(mine)
        published = "; ".join(reference_text(r) for r in f.get("published", [])) or f.get("published_number", "—")
        base = {"finding": key, "claim": f["claim_en"], "verdict": v, "published": published}
        if not mine:
            rows.append({**base, "scope": "—", "test": "—", "level": "—", "division": "—", "n": None,
                         "data": "—", "sources": "—", "estimate_ci": "—", "outcome": "—", "notebook": "",
                         "caveats": "; ".join(f.get("caveats", []))})
        for t in mine:
            sign = "" if t.rule == "case" else f"; predicted sign {'+' if t.expected_sign > 0 else '−'}"
            rows.append({**base, "scope": t.scope or "—", "test": t.label, "level": t.level or "—",
                         "division": t.division or "—", "n": t.n, "data": _data_kind_text(t),
                         "sources": t.source + (f"; years {t.year}" if t.year else ""), "estimate_ci": f"{_ci_text(t)} ({t.measure}{sign})",
                         "outcome": t.outcome, "files": ", ".join(t.files), "notebook": t.notebook,
                         "caveats": "; ".join(list(f.get("caveats", [])) + list(t.caveats))})
    return pd.DataFrame(rows)


def scorecard_markdown(table: pd.DataFrame, statement: str = "") -> str:
    lines = ([statement, ""] if statement else []) + [
        "| finding | verdict by scope | scope | test | level | division | n | data | estimate [95 % CI] | outcome |",
        "|---|---|---|---|---|---|---|---|---|---|"]
    for key, group in table.groupby("finding", sort=False):
        for i, (_, r) in enumerate(group.iterrows()):
            first = i == 0
            n = "—" if pd.isna(r["n"]) else f"{int(r['n']):,}"
            lines.append(f"| {key if first else ''} | {r['verdict'] if first else ''} | {r['scope']} | {r['test']} | "
                         f"{r['level']} | {r['division']} | {n} | {r['data']}: {r['sources']} | {r['estimate_ci']} | "
                         f"{r['outcome']} |")
    rules = registry()
    lines += ["", "Verdict rule: " + " ".join(rules["verdict_rule"].split()),
              "", "Case rule: " + " ".join(rules["case_rule"].split())]
    return "\n".join(lines)


def write_scorecard(folder: Path | None = None, statement: str = "") -> pd.DataFrame:
    """Write ``scorecard.md`` and ``scorecard.csv`` into the figures folder and return the table;
    ``statement`` says which data produced it (written above the table)."""
    table = scorecard(folder)
    out = figures_dir()
    make_folder(out, "figures_dir")
    table.to_csv(out / "scorecard.csv", index=False)
    (out / "scorecard.md").write_text("# Findings scorecard\n\n" + scorecard_markdown(table, statement) + "\n",
                                      encoding="utf-8")
    return table


def files_used(folder: Path | None = None) -> list[str]:
    """The files the recorded real-data tests were computed from."""
    return sorted({f for t in recorded(folder) if t.data_kind == "real" for f in t.files})


def finding_card(key: str, tests, language: str = "en"):
    """A Markdown card for the end of a notebook: the claim, its source, the published values, the tests and
    the verdict by the written rule. Displays in Jupyter; ``str()`` gives the Markdown text."""
    from IPython.display import Markdown

    f = finding(key)
    tests = list(tests)
    v = scoped_verdict(tests)
    synthetic = any(t.data_kind == "synthetic" for t in tests)
    unknown = any(t.data_kind == "unknown" for t in tests)
    lines = [f"### Finding {key}: {f['title_en']}",
             f"**Claim.** {f['claim_' + language]}  ",
             f"**Source.** {f['publication']}  "]
    for ref in f.get("published", []):
        lines.append(f"**Published.** {reference_text(ref, language)}  ")
    if tests:
        lines += ["", "| scope | test | data | estimate [95 % CI] | outcome |", "|---|---|---|---|---|"]
        for t in tests:
            kind = {"synthetic": "**SYNTHETIC**", "unknown": "**UNKNOWN provenance**"}.get(t.data_kind, "real")
            where = f"{t.level}, division {t.division}" if t.division else t.level
            lines.append(f"| {t.scope or '—'} | {t.label} | {kind}: {t.source}; {where}; n = {t.n:,} | "
                         f"{_ci_text(t)} ({t.measure}) | {t.outcome} |")
    lines += ["", f"**Verdict: {v}**" + (" — on SYNTHETIC data, not evidence about real neighbourhoods" if synthetic else "")
              + (" — tests of UNKNOWN provenance are not counted" if unknown else "") + ".", "", "*Caveats:* " + "; ".join(list(f.get("caveats", [])) + sorted({c for t in tests for c in t.caveats}))]
    return Markdown("\n".join(lines))
