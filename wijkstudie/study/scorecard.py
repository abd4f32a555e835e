"""The scorecard: every recorded finding test and every finding's verdict, written for people.

- ``scorecard()``: one row per test (a finding without tests gets one row) with its evidence kind, whether it
  counts, its independent sample, its role (primary, robustness, not counted, method check), its estimate on
  its own scale, the Holm-adjusted interval of counted estimates, and the verdict per scope;
- ``summary_markdown()``: one line per finding, for the README;
- ``scorecard_markdown()``: every finding with its counted samples, robustness ranges, the tests that do not
  count and why, method checks, and the rules (``figures/scorecard.md``);
- ``finding_card()``: the same for one finding, at the end of a notebook.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..core.atomic import write_atomic, write_text_atomic
from ..core.errors import ArgumentError
from ..core.folders import make_folder
from ..core.optional import optional
from ..core.paths import figures_dir
from . import evidence as ev
from .cell_text import csv_frame
from .cell_text import markdown_cell as md
from .findings import FindingTest, finding, reference_text, registry
from .results import recorded
from .roles import NotCounted, Role, RoleKind
from .verdicts import (
    INCONCLUSIVE,
    RECOVERED,
    SCOPES,
    UNDECIDED,
    Judgement,
    among,
    interval_side,
    judge,
    method_check,
    pooling_note,
    power_at,
    robustness_range,
    specification_summary,
)

OWN_SCALE = ("standardised", "log-odds", "coefficient")  # shown under "estimate [95 % CI]"
SCOPE_OF_GROUP = dict(SCOPES)  # scope group -> its name in a verdict (verdicts.SCOPES)


def _number(value: float, scale: str) -> str:
    if scale == "percentile":
        return f"{value:.0f}"
    if scale == "years":
        return f"{value:.1f}"
    if scale == "percentage points":
        return f"{value:+.1f}"
    return f"{value:+.2f}"


def interval_text(estimate: float, low: float, high: float, scale: str) -> str:
    """An estimate with its interval as the scorecard writes it on its scale (``+0.12 [-0.05, +0.29]``).

    Parameters
    ----------
    estimate, low, high : float
        the estimate and its 95 % interval
    scale : str
        its scale (``standardised``, ``log-odds``, ``percentile``, ...), which decides the format

    Returns
    -------
    str
    """
    unit = {"percentile": " (percentile)", "years": " years", "percentage points": " pp"}.get(scale, "")
    return f"{_number(estimate, scale)} [{_number(low, scale)}, {_number(high, scale)}]{unit}"


def _role(test: FindingTest, judgement: Judgement) -> Role:
    for vote in judgement.votes:
        if among(test, vote.primary):
            return Role(RoleKind.PRIMARY)
        if among(test, vote.robustness):
            return Role(RoleKind.ROBUSTNESS)
    if test.data_kind == "synthetic":
        return Role(RoleKind.METHOD_CHECK)
    if test.sample in judgement.nested:
        return Role(RoleKind.NOT_COUNTED, NotCounted.NESTED, judgement.nested[test.sample])
    if among(test, judgement.not_voting):
        return Role(RoleKind.NOT_COUNTED, NotCounted.NO_PRIMARY)
    return Role(RoleKind.NOT_COUNTED, NotCounted.EVIDENCE, test.evidence)


def _vote_of(test: FindingTest, judgement: Judgement):
    return next((v for v in judgement.votes if among(test, v.primary)), None)


NOT_TESTABLE = "not testable with these data"


def scope_records(key: str, judgement: Judgement, tests: list[FindingTest]) -> list[dict]:
    """The verdict per scope (and part) as records.

    The scope, the part, its verdict word (one of the five) and the notes that qualify it (the kinds of evidence of a
    scope none of whose tests counts, residents' data a resident-level claim would need, the direction-only area tests).

    Parameters
    ----------
    key : str
        the finding, e.g. ``"F3"``
    judgement : Judgement
        the finding judged (``verdicts.judge``)
    tests : list of FindingTest
        the tests (of one notebook, or every recorded test)

    Returns
    -------
    list of dict
        ``{"scope", "part", "verdict", "notes"}`` in the order of the scopes (``part`` is "" for a finding without
        parts); ``scope`` is the scope and part as the verdict names them
    """
    out, group_of = {}, {}
    for group, label in SCOPE_OF_GROUP.items():
        mine = {k: v for k, v in judgement.verdicts.items() if judgement.scopes[k].group == group}
        for name, word in mine.items():  # the scope's verdict, or one per part of a finding with parts
            out[name] = {"scope": name, "part": judgement.scopes[name].part_name, "verdict": word, "notes": []}
            group_of[name] = group
        if mine:
            continue
        kinds = sorted({t.evidence for t in tests if t.data_kind == "real" and t.scope_group == group})
        if kinds:
            out[label] = {
                "scope": label,
                "part": "",
                "verdict": NOT_TESTABLE,
                "notes": [f"{', '.join(kinds)} only, not counted"],
            }
            group_of[label] = group
    spec = finding(key)
    wants_residents = any(a.get("level") == "resident" for a in spec.get("primary", []))
    if (
        wants_residents
        and SCOPES["residents"] not in out
        and not any(t.data_kind == "real" and "resident" in t.level for t in tests)
    ):
        out["residents (microdata)"] = {
            "scope": "residents (microdata)",
            "part": "",
            "verdict": NOT_TESTABLE,
            "notes": ["no survey microdata here, method checks only"],
        }
    if judgement.direction_only and judgement.votes:
        for name, record in out.items():
            if group_of.get(name) in ("national", "cities", "gemeenten"):
                record["notes"].append(f"area samples: direction only, {judgement.direction_only.split(';')[0]}")
    return list(out.values())


def scope_verdicts(judgement: Judgement, tests: list[FindingTest]) -> dict[str, str]:
    """The verdict per scope.

    Also for scopes with real tests none of which counts ("not testable with these data", saying why).

    Parameters
    ----------
    judgement : Judgement
        the finding judged (``verdicts.judge``)
    tests : list of FindingTest
        the tests (of one notebook, or every recorded test)

    Returns
    -------
    dict
        scope -> verdict text
    """
    return {
        r["scope"]: r["verdict"] + "".join(f" ({n})" for n in r["notes"])
        for r in scope_records(judgement.finding, judgement, tests)
    }


def verdict_line(key: str, judgement: Judgement, tests: list[FindingTest]) -> str:
    """The verdict per scope, in the five words, with what qualifies it.

    Residents' data that would test a resident-level claim, the direction-only area tests, what open data cannot test,
    what the inconclusive samples could have detected, and the specification table in one clause.

    Parameters
    ----------
    key : str
        the finding, e.g. ``"F3"``
    judgement : Judgement
        the finding judged (``verdicts.judge``)
    tests : list of FindingTest
        the tests (of one notebook, or every recorded test)

    Returns
    -------
    str
    """
    spec = finding(key)
    text = "; ".join(f"{scope}: {words}" for scope, words in scope_verdicts(judgement, tests).items()) or NOT_TESTABLE
    if spec.get("open_data") is False and not judgement.votes:
        text += " — not testable with open data: needs " + " ".join(spec["data_needed"].split())
    detectable = detectable_text(judgement)
    if detectable:
        text += f" — {detectable}"
    summary = specification_summary(judgement.specifications)
    if summary:
        text += f" (other choices: {summary})"
    elif judgement.sensitivity:
        text += (
            " (other choices: "
            + "; ".join(f"{what}: {verdict}" for what, verdict in judgement.sensitivity.items())
            + ")"
        )
    return text


def verdict_records(tests: list[FindingTest] | None = None, judged: dict | None = None) -> list[dict]:
    """Every finding's verdicts as records, for pages that show them (the report site).

    One per finding, scope and part under the declared primary specification (``primary`` true), and the specification
    table's summary of the declared alternatives (``specification`` "other choices", ``primary`` false).

    Parameters
    ----------
    tests : list of FindingTest, optional
        the tests (default: every recorded test)
    judged : dict, optional
        ``judgements(tests)`` when the caller has them already (the main command: judged once for the scorecard and
        the site), with the same ``tests``

    Returns
    -------
    list of dict
        ``{"finding", "claim", "specification", "primary", "scope", "part", "verdict", "notes"}``; a finding with no
        scope has one record with the scope "" (not testable with these data); what open data cannot test is a record
        of the scope "open data"

    Raises
    ------
    ArgumentError
        when ``judged`` is given without ``tests``, or is not ``judgements`` of them (``_judged``)
    """
    tests = _tests_of(tests, judged)
    rows = []
    for key, judgement in _judged(tests, judged).items():
        spec = finding(key)
        mine = [t for t in tests if t.finding == key]
        base = {"finding": key, "claim": spec["claim_en"]}
        scopes = scope_records(key, judgement, mine) or [
            {"scope": "", "part": "", "verdict": NOT_TESTABLE, "notes": []}
        ]
        if spec.get("open_data") is False and not judgement.votes:
            needs = "needs " + " ".join(spec["data_needed"].split())
            scopes.append({"scope": "open data", "part": "", "verdict": NOT_TESTABLE, "notes": [needs]})
        detectable = detectable_text(judgement)
        for r in scopes:
            notes = list(r["notes"]) + ([detectable] if detectable and r["verdict"] == INCONCLUSIVE else [])
            rows.append(dict(base, specification="declared", primary=True, **dict(r, notes=notes)))
        summary = specification_summary(judgement.specifications)
        if summary:
            rows.append(
                dict(
                    base,
                    specification="other choices",
                    primary=False,
                    scope="",
                    part="",
                    verdict="",
                    notes=[summary],
                )
            )
    return rows


def detectable_text(judgement: Judgement) -> str:
    """What the counted samples of an inconclusive scope could have detected, in one clause.

    The smallest minimum detectable effect among them ("" when no scope is inconclusive or no estimate has one).

    Parameters
    ----------
    judgement : Judgement
        the finding judged (``verdicts.judge``)

    Returns
    -------
    str
        e.g. "the inconclusive samples could detect only effects of about 0.53 SD or more (80 % power, Holm)"
    """
    if INCONCLUSIVE not in judgement.verdicts.values():
        return ""
    undecided = [t for v in judgement.votes for t, o in zip(v.primary, v.outcomes) if o == UNDECIDED and t.mde == t.mde]
    if not undecided:
        return ""
    parts = []
    for scale in dict.fromkeys(t.scale for t in undecided):
        values = [t.mde for t in undecided if t.scale == scale]
        unit = {"standardised": " SD", "percentage points": " percentage points"}.get(scale, f" ({scale})")
        span = f"{min(values):.2f}" if len(values) == 1 else f"{min(values):.2f}-{max(values):.2f}"
        parts.append(f"{span}{unit}")
    text = (
        "the inconclusive samples could detect only effects of about "
        + " or ".join(parts)
        + " or more (80 % power at their Holm level); inconclusive is not no effect"
    )
    reference = registry().get("power_reference", {})
    standardised = [t for t in undecided if t.scale == reference.get("scale")]
    if standardised:
        powers = [power_at(t, reference["effect"], judgement.family.get(t.part, 1)) for t in standardised]
        low, high = min(powers), max(powers)
        share = f"{100 * low:.0f} %" if round(100 * low) == round(100 * high) else f"{100 * low:.0f}-{100 * high:.0f} %"
        text += f"; at a small effect of {reference['effect']:.1f} SD their power was {share}"
        if high < 0.5:
            text += ", so inconclusive was the expected result"
    return text


def pooled_text(judgement: Judgement) -> str:
    """The pooled estimate of a finding's counted samples in one line, or "" when there is none.

    Parameters
    ----------
    judgement : Judgement
        the finding judged (``verdicts.judge``)

    Returns
    -------
    str
    """
    p = judgement.pooled
    if not p:
        return ""
    areas = f"; areas: {' and '.join(p['areas'])}" if len(p.get("areas", [])) > 1 else ""
    wide = ""
    if p["k"] == 2:
        wide = (
            "; with two samples the heterogeneity is estimated very imprecisely (tau² from one degree of freedom) "
            "and the interval is not informative"
        )
    elif p.get("interval_method") == "hksj" and p["k"] < 5:  # say why the interval is wide
        from scipy import stats

        t = float(stats.t.ppf(0.975, p["k"] - 1))
        wide = f"; with {p['k']} samples t({p['k'] - 1}) is {t:.1f} instead of 1.96, so the interval is wide"
    return (
        f"{p['estimate']:+.2f} [{p['ci_low']:+.2f}, {p['ci_high']:+.2f}] over {p['k']} samples (random effects, "
        f"{p['interval']} interval; tau² = {p['tau2']:.3f}, I² = {p['i2']:.0f} %{areas}{wide})"
    )


def _robustness_text(robust, scale: str) -> str:
    if not robust:
        return "—"
    (low, low_spec), (high, high_spec) = robust
    if low_spec == high_spec:
        return f"{_number(low, scale)} ({low_spec})"
    return f"{_number(low, scale)} ({low_spec}) to {_number(high, scale)} ({high_spec})"


def _row(test: FindingTest, judgement: Judgement, base: dict) -> dict:
    vote = _vote_of(test, judgement)
    adjusted = vote.adjusted.get(id(test)) if vote else None
    own = test.scale in OWN_SCALE
    text = interval_text(test.estimate, test.ci_low, test.ci_high, test.scale)
    if test.rule == "case":
        text = _case_text(test)
    robust = robustness_range(vote, test) if vote else None
    return {
        **base,
        "role": _role(test, judgement),
        "counted": "yes" if vote else "no",
        "evidence": test.evidence,
        "sample": test.sample,
        "scope": test.scope or "—",
        "test": test.label,
        "level": test.level or test.evidence_level or "—",
        "areas": test.areas,
        "division": test.division or "—",
        "n": test.n,
        "clusters": test.clusters or None,
        "data": {"synthetic": "SYNTHETIC", "unknown": "UNKNOWN"}.get(test.data_kind, "real"),
        "outcome_source": test.outcome_source or "—",
        "composition": test.composition or "—",
        "years": test.year or "—",
        "estimate": test.estimate,
        "ci_low": test.ci_low,
        "ci_high": test.ci_high,
        "scale": test.scale,
        "measure": test.measure,
        "estimate_ci": f"{text} ({test.measure})" if own else "—",
        "other_scale": "—" if own else f"{text} ({test.measure})",
        "holm_p": adjusted["p"] if adjusted else None,
        "adjusted_ci": interval_text(test.estimate, *adjusted["ci"], test.scale) if adjusted else "—",
        "mde": test.mde if test.mde == test.mde else None,
        "reliability": test.reliability if test.reliability == test.reliability else None,
        "evidence_level": test.evidence_level or "—",
        "scope_kept": test.scope_kept,
        "part": finding(test.finding).get("parts", {}).get(test.part, {}).get("name", test.part),
        "scope_definition": test.scope_text
        or ("outside the stated scope (no livability class): all areas" if test.outside_scope else "—"),
        "outcome": vote.outcome(test)
        if vote
        else (method_check(test) if test.data_kind == "synthetic" else interval_side(test)),
        "method_check": method_check(test) if test.data_kind == "synthetic" else "—",
        "robustness": _robustness_text(robust, test.scale),
        "notebook": test.notebook,
        "files": ", ".join(test.files),
        "evidence_note": test.evidence_note,
        "caveats": "; ".join(list(finding(test.finding).get("caveats", [])) + list(test.caveats)),
        "exploratory": ", ".join(f"{k}={v}" for k, v in test.exploratory.items()) or "—",
    }


def _case_text(test: FindingTest) -> str:
    """A case's percentiles per dimension and year with each one's item range."""
    parts = []
    for dimension, years in test.detail.items():
        for year, d in years.items():
            low, high = d["item_range"]
            parts.append(f"{dimension} {year}: {d['percentile']:.0f} (items {low:.0f}–{high:.0f})")
    return "; ".join(parts)


def judgements(tests: list[FindingTest], findings=None) -> dict[str, Judgement]:
    """Every finding of the registry (or those named) judged on ``tests``.

    Parameters
    ----------
    tests : list of FindingTest
        the tests (of one notebook, or every recorded test)
    findings : iterable of str, optional
        the findings to judge (default: every finding of the registry); naming them reads only their entries of
        findings.yaml, so a notebook's output depends only on those

    Returns
    -------
    dict
        finding key -> Judgement
    """
    return {key: judge(key, tests) for key in (registry()["findings"] if findings is None else findings)}


def _tests_of(tests: list[FindingTest] | None, judged: dict | None, folder: Path | None = None) -> list[FindingTest]:
    """``tests``, or every test recorded (in ``folder``) when neither they nor their judgements are given."""
    if tests is None and judged is not None:
        raise ArgumentError("judged needs the tests it judged: pass tests= too (read again, they are other objects)")
    return recorded(folder) if tests is None else tests


def _judged(tests: list[FindingTest], judged: dict | None, findings=None) -> dict[str, Judgement]:
    """``judgements(tests, findings)``, or the caller's ``judged`` when it can be theirs (judged once by the caller).

    Raises
    ------
    ArgumentError
        when ``judged`` is not a dict of judgements, one per finding asked and in that order, or counts a test that
        is not among ``tests`` (judgements of other tests: verdicts that are not those of the rows)
    """
    if judged is None:
        return judgements(tests, findings)
    keys = list(registry()["findings"] if findings is None else findings)
    if not isinstance(judged, dict):
        raise ArgumentError(f"judged: a dict of judgements as judgements(tests) gives, not {type(judged).__name__}")
    other = [type(j).__name__ for j in judged.values() if not isinstance(j, Judgement)]
    if other:
        raise ArgumentError(f"judged: a dict of judgements as judgements(tests) gives, not a dict of {other[0]}")
    if list(judged) != keys or any(j.finding != key for key, j in judged.items()):
        got = ", ".join(f"{key}: {j.finding}" if j.finding != key else str(key) for key, j in judged.items())
        raise ArgumentError(f"judged: judgements of {', '.join(keys)}, in that order; got {got or 'none'}")
    given = {id(t) for t in tests}
    counted = [t for j in judged.values() for v in j.votes for t in (*v.primary, *v.robustness)]
    if any(id(t) not in given for t in counted + [t for j in judged.values() for t in j.not_voting]):
        raise ArgumentError("judged: judgements of other tests (a test they count is not among the tests given)")
    return judged


def scorecard(tests: list[FindingTest] | None = None, findings=None, judged: dict | None = None) -> pd.DataFrame:
    """One row per test (see the module docstring); ``tests`` default to every recorded test.

    Parameters
    ----------
    tests : list of FindingTest, optional
        the tests (default: every recorded test)
    findings : iterable of str, optional
        the findings whose rows to make (default: every finding of the registry)
    judged : dict, optional
        ``judgements(tests, findings)``, when the caller has them, with the same ``tests`` (default: judged here)

    Returns
    -------
    DataFrame
        one row per test, or per finding without tests; ``role`` holds a ``roles.Role`` record (its text is
        ``str(role)``; "—" in a finding's row without tests)

    Raises
    ------
    ArgumentError
        when ``judged`` is given without ``tests``, or is not ``judgements`` of them (``_judged``)
    """
    tests = _tests_of(tests, judged)
    return _scorecard_table(tests, _judged(tests, judged, findings))


def _scorecard_table(tests: list[FindingTest], judged: dict[str, Judgement]) -> pd.DataFrame:
    """``scorecard`` of findings judged already (``judgements``): a card or the scorecard file judges once."""
    rows = []
    for key, judgement in judged.items():
        spec = finding(key)
        mine = [t for t in tests if t.finding == key]
        published = "; ".join(reference_text(r) for r in spec.get("published", [])) or spec.get("published_number", "—")
        base = {
            "finding": key,
            "claim": spec["claim_en"],
            "verdict": verdict_line(key, judgement, mine),
            "pooled": pooled_text(judgement)
            or pooling_note([t for v in judgement.votes for t in v.primary if not t.part])
            or "—",
            "published": published,
        }
        if not mine:
            rows.append(
                {
                    **base,
                    "role": "—",
                    "counted": "no",
                    "evidence": "—",
                    "sample": "—",
                    "test": "—",
                    "outcome": "—",
                    "caveats": "; ".join(spec.get("caveats", [])),
                }
            )
        made = [_row(t, judgement, base) for t in mine]
        rows += sorted(made, key=lambda r: (r["role"].order, str(r["role"]), r["sample"]))
    return pd.DataFrame(rows)


# --- Markdown ------------------------------------------------------------------------------------------------------


def _n(value, clusters=None) -> str:
    """n, and the number of areas when rows are areas in several waves."""
    if value is None or value != value:
        return "—"
    return f"{int(value):,}" + (f" ({int(clusters)} areas)" if clusters and clusters == clusters else "")


def summary_markdown(table: pd.DataFrame, statement: str = "", details: str = "figures/scorecard.md") -> str:
    """One line per finding: the verdict per scope, the counted samples, the pooled estimate, where to read more.

    Parameters
    ----------
    table : DataFrame
        the scorecard (``scorecard``)
    statement : str
        which data produced it, written above the lines
    details : str
        where the full scorecard is, linked from every line

    Returns
    -------
    str
        Markdown (every text from data escaped)
    """
    lines = ([md(statement), ""] if statement else []) + [
        "| finding | claim | verdict by scope | counted samples | pooled estimate | details |",
        "|---|---|---|---|---|---|",
    ]
    for key, group in table.groupby("finding", sort=False):
        first = group.iloc[0]
        counted = group[group["counted"] == "yes"]
        samples = (
            "; ".join(
                f"{r['sample']}{' [' + r['part'] + ']' if r.get('part') else ''} "
                f"({r['evidence']}{'; ' + r['scope_kept'] if r.get('scope_kept') else ''}): "
                f"{r['outcome']}"
                for _, r in counted.iterrows()
            )
            or "none"
        )
        lines.append(
            f"| {md(key)} | {md(first['claim'])} | {md(first['verdict'])} | {md(samples)} | {md(first['pooled'])} | "
            f"[{md(key)}]({details}#{key.lower()}) |"
        )
    return "\n".join(lines)


COUNTED_HEADER = (
    "| sample | evidence | test | level | scope | n | outcome / composition | estimate [95 % CI] | other scale | "
    "Holm-adjusted-p interval | minimum detectable effect (80 %) | reliability | robustness range | outcome |"
)
OTHER_HEADER = "| sample | test | level | n | estimate [95 % CI] | other scale | its interval (not a vote) |"
CHECK_HEADER = "| test | estimate [95 % CI] | other scale | planted | method check |"


def _counted_line(r) -> str:
    p = r["holm_p"]
    adjusted = r["adjusted_ci"] + ("" if p is None or p != p else " (p < 0.001)" if p < 0.001 else f" (p = {p:.3f})")
    cells = [
        r["sample"],
        r["evidence"],
        r["test"],
        r["level"],
        _n(r["n"], r["clusters"]),
        f"{r['outcome_source']} / {r['composition']}",
        r["estimate_ci"],
        r["other_scale"],
        adjusted,
        _mde_text(r),
        "—" if r.get("reliability") is None or r["reliability"] != r["reliability"] else f"{r['reliability']:.2f}",
        r["robustness"],
        r["outcome"],
    ]
    cells.insert(4, r.get("scope_definition", "—"))
    return _table_row(cells)


def _mde_text(r) -> str:
    """A row's minimum detectable effect with its unit."""
    value = r.get("mde")
    if value is None or value != value:
        return "—"
    unit = {"standardised": " SD", "percentage points": " pp"}.get(r["scale"], "")
    return f"{value:.2f}{unit}"


def _table_row(cells) -> str:
    """One row of a Markdown table, every cell escaped (``markdown_cell``)."""
    return "| " + " | ".join(md(c) for c in cells) + " |"


def _other_line(r) -> str:
    return _table_row(
        [
            r["sample"],
            r["test"],
            r["level"],
            _n(r["n"], r["clusters"]),
            r["estimate_ci"],
            r["other_scale"],
            r["outcome"],
        ]
    )


SPEC_HEADER = "| part | outcome | term | areas | class (cut-off) | weights | controls | waves | samples | verdict |"


def specification_markdown(judgement: Judgement) -> list[str]:
    """The finding's specification table (``verdicts.specification_table``) as Markdown lines.

    The declared primary in bold; empty without declared samples.

    Parameters
    ----------
    judgement : Judgement
        the finding judged with its declared primary

    Returns
    -------
    list of str
    """
    table = judgement.specifications
    if table is None or len(table) == 0:
        return []
    lines = [
        "",
        f"Specification table: the verdict under every declared choice ({specification_summary(table)}); the "
        "declared primary in bold:",
        "",
        SPEC_HEADER,
        "|" + "---|" * 10,
    ]
    for _, r in table.iterrows():
        scope = "—" if r["areas"] == "all areas" else f"{r['scope']} ({100 * r['share']:.0f} %)"
        cells = [r["part"] or "—", r["outcome"], r["term"], r["areas"], scope, r["weights"], r["controls"], r["waves"]]
        cells += [str(r["samples"]), r["verdict"]]
        row = _table_row(cells)
        lines.append(row.replace("| ", "| **", 1).replace(" |", "** |", 1) if r["primary"] else row)
    return lines


def finding_markdown(
    key: str, group: pd.DataFrame, tests: list[FindingTest], judgement: Judgement | None = None
) -> str:
    """One finding in full for ``scorecard.md``.

    Claim, source, verdict, counted samples, robustness rows, the tests that do not count and why, method checks and
    caveats (``group``: its rows of the scorecard).

    Parameters
    ----------
    key : str
        the finding
    group : DataFrame
        its rows of the scorecard
    tests : list of FindingTest
        the tests (of one notebook, or every recorded test)
    judgement : Judgement, optional
        the finding's judgement of ``tests`` when made already (``judge(key, tests)``, judged here otherwise)

    Returns
    -------
    str
        Markdown
    """
    spec = finding(key)
    first = group.iloc[0]
    lines = [
        f"## {md(key)}: {md(spec['title_en'])}",
        "",
        f"**Claim.** {md(spec['claim_en'])}  ",
        f"**Source.** {md(spec['publication'])}"
        + (f': "{md(" ".join(str(spec["source_text"]).split()))}"' if spec.get("source_text") else "")
        + "  ",
        f"**Verdict.** {md(first['verdict'])}  ",
    ]
    if spec.get("areas", "all areas") != "all areas":
        where = spec["areas"].replace("problem areas", "livability problems")
        lines.insert(3, f"**Where it should hold.** in areas with {md(where)}  ")
    if first["pooled"] != "—":
        lines.append(f"**Pooled estimate of the counted samples.** {md(first['pooled'])}  ")
    if spec.get("primary_why"):
        title = "Primary specification of the other tests" if spec.get("declared") else "Primary specification"
        lines.append(f"**{title}.** {md(' '.join(spec['primary_why'].split()))}  ")
    if spec.get("declared_why"):
        lines.append(
            f"**Primary specification of the declared samples** (findings.yaml `declared`, committed before their data "
            f"were fitted). {md(' '.join(spec['declared_why'].split()))}  "
        )
    for sample, why in spec.get("not_declared", {}).items():
        lines.append(f"**Not testable in {md(sample)}.** {md(why)}  ")
    primary = group[has_role(group, RoleKind.PRIMARY)]
    if not primary.empty:
        lines += [
            "",
            "Counted samples (one vote each; the minimum detectable effect is the smallest true effect the sample's "
            "own test finds with 80 % power at its Holm level; the reliability is the outcome's wave-to-wave "
            "correlation across the sample's areas):",
            "",
            COUNTED_HEADER,
            "|" + "---|" * 14,
        ]
        lines += [_counted_line(r) for _, r in primary.iterrows()]
    robust = group[has_role(group, RoleKind.ROBUSTNESS)]
    if not robust.empty:
        lines += [
            "",
            "Other specifications of the counted samples (robustness, not extra votes):",
            "",
            OTHER_HEADER,
            "|" + "---|" * 7,
        ]
        lines += [_other_line(r) for _, r in robust.iterrows()]
    for role, rows in group[has_role(group, RoleKind.NOT_COUNTED)].groupby("role", sort=False):
        kind = role.reason
        why = ev.EXPLAINED.get(kind, kind)
        nested = role.why is NotCounted.NESTED
        notes = [] if nested else sorted(set(rows["evidence_note"].dropna()) - {""})
        lines += [
            "",
            f"Not counted — {md(kind)}: {md(notes[0] if len(notes) == 1 else why)}.",
            "",
            OTHER_HEADER,
            "|" + "---|" * 7,
        ]
        lines += [_other_line(r) for _, r in rows.iterrows()]
    lines += specification_markdown(judge(key, tests) if judgement is None else judgement)
    checks = group[has_role(group, RoleKind.METHOD_CHECK)]
    if not checks.empty:
        lines += [
            "",
            f"Method checks on SYNTHETIC data ({ev.EXPLAINED[ev.METHOD_CHECK]}):",
            "",
            CHECK_HEADER,
            "|" + "---|" * 5,
        ]
        by_label = {t.label: t for t in tests if t.data_kind == "synthetic"}
        for _, r in checks.iterrows():
            t = by_label.get(r["test"])
            planted = (
                "—"
                if t is None
                else (
                    f"{t.planted:g}"
                    if t.planted is not None
                    else ({1: "+ (direction)", -1: "− (direction)"}.get(t.planted_sign, "—"))
                )
            )
            lines.append(_table_row([r["test"], r["estimate_ci"], r["other_scale"], planted, r["method_check"]]))
    lines += caveats_markdown(key, tests)
    return "\n".join(lines)


def caveats_markdown(key: str, tests: list[FindingTest]) -> list[str]:
    """The finding's caveats, then every test's own caveats with the tests they concern.

    Parameters
    ----------
    key : str
        the finding
    tests : list of FindingTest
        the tests (of one notebook, or every recorded test)

    Returns
    -------
    list of str
        Markdown lines
    """
    lines = []
    general = finding(key).get("caveats", [])
    if general:
        lines += ["", "*Caveats:* " + md("; ".join(general))]
    own: dict[str, list[str]] = {}
    for t in tests:
        if t.finding == key:
            for caveat in t.caveats:
                own.setdefault(caveat, []).append(t.label)
    for caveat, labels in own.items():
        shown = "; ".join(labels[:3]) + (f"; and {len(labels) - 3} more" if len(labels) > 3 else "")
        lines.append(f"- *{md(caveat)}:* {md(shown)}")
    return lines


def rules_markdown() -> str:
    """The rules of findings.yaml (``verdict_rule`` first, then every other ``*_rule`` key in its order), as paragraphs.

    The one statement of the rules that the scorecard, the site and the README show.

    Returns
    -------
    str
        Markdown
    """
    rules = registry()
    names = ["verdict_rule"] + [k for k in rules if k.endswith("_rule") and k != "verdict_rule"]  # as findings.yaml
    return "\n\n".join(f"**{name.replace('_', ' ').capitalize()}.** " + " ".join(rules[name].split()) for name in names)


def scorecard_markdown(
    table: pd.DataFrame, tests: list[FindingTest], statement: str = "", judged: dict[str, Judgement] | None = None
) -> str:
    """Every finding in full (``figures/scorecard.md``).

    Parameters
    ----------
    table : DataFrame
        the scorecard (``scorecard``)
    tests : list of FindingTest
        the tests (of one notebook, or every recorded test)
    statement : str
        which data produced it
    judged : dict, optional
        finding key -> its judgement of ``tests`` when made already (``judgements``)

    Returns
    -------
    str
        Markdown
    """
    parts = ["# Findings scorecard", ""] + ([md(statement), ""] if statement else [])
    parts += [summary_markdown(table, details=""), ""]
    for key, group in table.groupby("finding", sort=False):
        parts += [finding_markdown(key, group, tests, (judged or {}).get(key)), ""]
    parts += ["## Rules", "", rules_markdown(), ""]
    return "\n".join(parts)


def write_scorecard(
    statement: str = "", folder: Path | None = None, *, tests: list | None = None, judged: dict | None = None
) -> pd.DataFrame:
    """Write ``scorecard.md`` and ``scorecard.csv`` into the figures folder and return the table.

    ``statement`` says which data produced it (written above the table).

    Parameters
    ----------
    statement : str
        which data produced the scorecard
    folder : Path, optional
        where to write (default: the figures folder of the settings)
    tests : list of FindingTest, optional
        the recorded tests, when the caller has read them (default: read from ``folder``)
    judged : dict, optional
        ``judgements(tests)``, when the caller has them, with the same ``tests`` (default: judged here)

    Returns
    -------
    DataFrame
        the scorecard

    Raises
    ------
    ArgumentError
        when ``judged`` is given without ``tests``, or is not ``judgements`` of them (``_judged``)
    """
    tests = _tests_of(tests, judged, folder)
    judged = _judged(tests, judged)  # once, for the table and each specification table
    table = _scorecard_table(tests, judged)
    out = figures_dir()
    make_folder(out, "figures_dir")
    write_atomic(out / "scorecard.csv", lambda p: csv_frame(table).to_csv(p, index=False))
    write_text_atomic(out / "scorecard.md", scorecard_markdown(table, tests, statement, judged))
    return table


def finding_card(key: str, tests):
    """A Markdown card for the end of a notebook.

    The claim, its source, the published values, the tests this notebook made with their evidence kind, and the verdict
    they alone would give. Displays in Jupyter; ``str()`` gives the Markdown text.

    Parameters
    ----------
    key : str
        the finding, e.g. ``"F3"``
    tests : iterable of FindingTest
        this notebook's tests

    Returns
    -------
    IPython.display.Markdown
    """
    Markdown = optional("IPython.display", "finding_card").Markdown

    tests = list(tests)
    judged = judgements(tests, findings=[key])  # once, for the card's rows and its specification table
    table = _scorecard_table(tests, judged)
    group = table[table["finding"] == key]
    text = exploratory_text(tests) + finding_markdown(key, group, tests, judged[key])
    for ref in finding(key).get("published", []):
        text += f"\n\n**Published.** {md(reference_text(ref))}"
    text += (
        "\n\n*This card judges only this notebook's tests; the scorecard (figures/scorecard.md) judges every "
        "notebook's tests of the finding together.*"
    )
    return Markdown(text)


def _range_text(tests: list[FindingTest]) -> str:
    values = sorted(t.estimate for t in tests)
    scale = tests[0].scale
    if len(values) == 1:
        return _number(values[0], scale)
    return f"from {_number(values[0], scale)} to {_number(values[-1], scale)}"


def found_sentences(key: str, tests) -> list[str]:
    """The sentences of "What we found" for one finding.

    Every number and direction computed from ``tests`` (those of one notebook, or every recorded test): the counted
    samples and their verdict, the pooled estimate, what the tests that do not count show and why they do not count, and
    what the method checks recovered.

    Parameters
    ----------
    key : str
        the finding
    tests : iterable of FindingTest
        the tests; those of other findings are left out

    Returns
    -------
    list of str
    """
    tests = [t for t in tests if t.finding == key]
    judgement = judge(key, tests)
    lines = []
    if judgement.votes:
        names = "; ".join(f"{v.sample} ({v.primary[0].evidence})" for v in judgement.votes)
        lines.append(
            f"Counted evidence: {len(judgement.votes)} independent sample{'s' if len(judgement.votes) != 1 else ''}, "
            f"{names}. Verdict: "
            f"{verdict_line(key, judgement, tests)}."
        )
        for vote in judgement.votes:
            for t in vote.primary:
                adjusted = vote.adjusted.get(id(t))
                robust = robustness_range(vote, t)
                lines.append(
                    f"{vote.sample}: {t.label}: {interval_text(t.estimate, t.ci_low, t.ci_high, t.scale)} "
                    f"({t.measure})"
                    + (f", Holm-adjusted {interval_text(t.estimate, *adjusted['ci'], t.scale)}" if adjusted else "")
                    + f": {vote.outcome(t)}"
                    + (
                        f"; its other specifications of the same term and construct give "
                        f"{_number(robust[0][0], t.scale)} to {_number(robust[1][0], t.scale)}"
                        if robust
                        else ""
                    )
                    + "."
                )
        if judgement.pooled:
            lines.append(f"Pooled over the counted samples: {pooled_text(judgement)}.")
    else:
        lines.append(f"No sample counts as evidence for {key}: {verdict_line(key, judgement, tests)}.")
    for kind, found in judgement.not_counted.items():
        if kind == ev.MODEL_IMPLIED:
            by_term = {}
            for t in found:
                by_term.setdefault((t.term, t.scale), []).append(t)
            ranges = "; ".join(f"{term}: {_range_text(mine)}" for (term, _), mine in by_term.items())
            lines.append(
                f"{len(found)} test(s) of RIVM's model-based estimates are model-implied and not counted ({ranges}): "
                "they show the association RIVM's small-area model carries from individual residents to areas, "
                "because its model uses the tested characteristic as a predictor; they are not an independent test "
                "of a neighbourhood effect."
            )
        else:
            lines.append(f"{len(found)} test(s) not counted ({kind}): {ev.EXPLAINED.get(kind, kind)}.")
    if judgement.method_checks:
        checks = [method_check(t) for t in judgement.method_checks]
        recovered = sum(c in RECOVERED for c in checks)
        lines.append(
            f"{len(checks)} method check(s) on SYNTHETIC data: {recovered} recovered the planted value or "
            "direction (a check of the method, not evidence about Dutch neighbourhoods)."
        )
    return lines


def what_we_found(key: str, tests):
    """``found_sentences`` as a Markdown list, for the end of a notebook.

    Parameters
    ----------
    key : str
        the finding
    tests : iterable of FindingTest
        the tests

    Returns
    -------
    IPython.display.Markdown
    """
    Markdown = optional("IPython.display", "what_we_found").Markdown

    tests = list(tests)
    return Markdown(exploratory_text(tests) + "\n".join(f"- {md(line)}" for line in found_sentences(key, tests)))


def exploratory_text(tests) -> str:
    """A warning line for the tests of an exploratory run (a notebook's parameters changed), "" for the declared run.

    Parameters
    ----------
    tests : iterable of FindingTest

    Returns
    -------
    str
        Markdown, ending in a blank line
    """
    changed = next((t.exploratory for t in tests if t.exploratory), {})
    if not changed:
        return ""
    what = ", ".join(f"{k.upper()} = {v!r}" for k, v in changed.items())
    return (
        f"**EXPLORATORY run** (parameters changed: {md(what)}): the specification these parameters give is among the "
        "tests below; the verdict is still the declared specification's, and every result of this run is labelled "
        "exploratory wherever it shows.\n\n"
    )


TESTS_COLUMNS = ["sample", "role", "evidence", "test", "n", "estimate_ci", "other_scale", "outcome"]


def has_role(table: pd.DataFrame, kind: RoleKind) -> pd.Series:
    """Which rows of a scorecard table have a role of one kind.

    Parameters
    ----------
    table : DataFrame
        rows of ``scorecard()`` (the role column holds ``Role`` records; a finding without tests has "—")
    kind : RoleKind

    Returns
    -------
    Series of bool
    """
    return table["role"].map(lambda role: isinstance(role, Role) and role.kind is kind).astype(bool)


def tests_frame(tests) -> pd.DataFrame:
    """A notebook's tests as a table.

    Sample, role (primary, robustness, not counted, method check), evidence kind, test, n, estimate on its scale and
    outcome (the verdict rules applied to just these tests).

    Parameters
    ----------
    tests : iterable of FindingTest
        a notebook's tests

    Returns
    -------
    DataFrame
        one row per test (method checks included), with ``TESTS_COLUMNS``; ``role`` in words
    """
    tests = list(tests)
    theirs = {t.finding for t in tests}  # only their findings are judged (in the registry's order): only their entries
    findings = [key for key in registry()["findings"] if key in theirs]  # of findings.yaml are read (rows of others
    table = scorecard(tests, findings).reindex(columns=list(dict.fromkeys(["test", *TESTS_COLUMNS])))  # are dropped)
    table = table[table["test"] != "—"][TESTS_COLUMNS].reset_index(drop=True)  # no test: an empty table
    return table.assign(role=table["role"].map(str))  # a table to read: the role in words (scorecard() has records)
