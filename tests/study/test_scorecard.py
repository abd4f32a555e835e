"""The scorecard as people read it: every row's evidence, sample and role, the README's one line per finding, the
full Markdown with the tests that do not count and why, and what a notebook says it found."""

import csv

import pandas as pd
import pytest

from wijkstudie.study import evidence as ev
from wijkstudie.study import findings as fd
from wijkstudie.study import results
from wijkstudie.study import scorecard as sc
from wijkstudie.study.roles import Role, RoleKind

from helpers import EVIL, evidence_set, finding_test


def test_every_row_says_its_evidence_sample_and_whether_it_counts():
    table = sc.scorecard(evidence_set())
    f3 = table[table["finding"] == "F3"]
    assert {"evidence", "counted", "sample", "role"} <= set(table.columns)
    assert f3["counted"].tolist().count("yes") == 2  # Rotterdam 2014 and Amsterdam: one vote each
    assert set(f3.loc[f3["evidence"] == ev.MODEL_IMPLIED, "counted"]) == {"no"}
    assert f3["role"].iloc[0] == Role(RoleKind.PRIMARY) and str(f3["role"].iloc[0]) == "primary (counted)"
    assert Role(RoleKind.ROBUSTNESS) in set(f3["role"])
    verdict = f3["verdict"].iloc[0]
    # scopes in the order of verdicts.SCOPES (residents, gemeenten, city wijken, national areas, case)
    assert verdict.startswith("city wijken: supported; national areas: not testable with these data (model-implied")
    f6 = table[table["finding"] == "F6"]
    assert f6["role"].tolist() == [Role(RoleKind.METHOD_CHECK)]
    assert f6["method_check"].tolist() == ["planted value recovered"]
    assert "not testable with open data" in f6["verdict"].iloc[0]  # a method check is never a verdict
    assert table.loc[table["finding"] == "F5", "verdict"].item() == (
        "residents (microdata): not testable with these data (no survey microdata here, method checks only)"
    )


def test_only_the_five_verdict_words_appear():
    table = sc.scorecard(evidence_set())
    for text in table["verdict"]:
        scopes = text.split(" — ")[0].split(" (area samples")[0]
        words = [part.split(": ", 1)[-1].split(" (")[0] for part in scopes.split("; ")]
        assert set(words) <= {"supported", "contradicted", "mixed", "inconclusive", "not testable with these data"}, (
            text
        )


def recorded_f3_and_f6(folder, monkeypatch) -> None:
    """The evidence set's F3 and F6 tests recorded by notebooks 02 and 09 into ``folder`` (the figures folder)."""
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(folder))
    tests = evidence_set()
    results.record("F3", [t for t in tests if t.finding == "F3"], notebook="02")
    results.record("F6", [t for t in tests if t.finding == "F6"], notebook="09")


def test_write_read_and_the_markdown(tmp_path, monkeypatch):
    recorded_f3_and_f6(tmp_path, monkeypatch)
    table = sc.write_scorecard(statement="Data: a test statement.")
    csv = pd.read_csv(tmp_path / "scorecard.csv")
    assert {"evidence", "counted", "sample"} <= set(csv.columns) and len(csv) == len(table)
    md = (tmp_path / "scorecard.md").read_text(encoding="utf-8")
    assert md.index("Data: a test statement.") < md.index("| finding | claim |")
    assert "Counted samples (one vote each;" in md and "Not counted — model-implied:" in md
    assert "RIVM's small-area model uses home ownership" in md and "Method checks on SYNTHETIC data" in md
    assert "**Verdict rule.**" in md and "**Threshold rule.**" in md
    summary = sc.summary_markdown(table)
    rows = [line for line in summary.splitlines() if line.startswith("| ") and not line.startswith("| finding")]
    assert len(rows) == len(fd.registry()["findings"])
    assert results.files_used() == ["kwb-2022.xlsx"]


def test_findings_judged_once_give_the_same_scorecard_and_verdicts(tmp_path, monkeypatch):
    from wijkstudie.study import verdicts

    recorded_f3_and_f6(tmp_path, monkeypatch)
    table = sc.write_scorecard(statement="Data: a statement.")
    files = {name: (tmp_path / name).read_bytes() for name in ("scorecard.md", "scorecard.csv")}
    records = sc.verdict_records()
    recorded = results.recorded()
    judged = sc.judgements(recorded)
    calls = []
    monkeypatch.setattr(verdicts, "_judge", lambda *a, **k: calls.append(a) or pytest.fail("judged again"))
    again = sc.write_scorecard(statement="Data: a statement.", tests=recorded, judged=judged)
    assert {name: (tmp_path / name).read_bytes() for name in files} == files and again.equals(table)
    assert sc.verdict_records(recorded, judged) == records and sc.scorecard(recorded, judged=judged).equals(table)
    assert not calls


def test_judgements_that_are_not_those_of_the_tests_are_refused_in_one_line(tmp_path, monkeypatch):
    """``judged`` stands in for judging ``tests`` again: judgements of other tests, of other findings or of another
    shape would give a scorecard (or verdict records) whose verdicts are not those of its rows."""
    from wijkstudie.core.errors import ArgumentError

    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(tmp_path))
    tests = evidence_set()
    results.record("F3", [t for t in tests if t.finding == "F3"], notebook="02")
    recorded = results.recorded()
    judged = sc.judgements(recorded)
    wrong = {
        "empty": ({}, "of F1, F2"),
        "a list": (list(judged), "a dict"),
        "texts": ({key: "supported" for key in judged}, "a dict"),
        "another finding's": ({**judged, "F1": judged["F3"]}, "F1"),
        "of other tests": (sc.judgements(evidence_set()), "not among the tests"),
    }
    for name, (bad, says) in wrong.items():
        for call, arguments in (
            (sc.scorecard, {"tests": recorded, "judged": bad}),
            (sc.verdict_records, {"tests": recorded, "judged": bad}),
            (sc.write_scorecard, {"tests": recorded, "judged": bad}),
        ):
            with pytest.raises(ArgumentError, match="judged") as raised:
                call(**arguments)
            assert says in str(raised.value) and "\n" not in str(raised.value), (name, str(raised.value))
    with pytest.raises(ArgumentError, match="judged: judgements of F3, in that order; got F1, F2, F3"):
        sc.scorecard(recorded, findings=["F3"], judged=judged)
    for call in (lambda: sc.write_scorecard(judged=judged), lambda: sc.verdict_records(judged=judged)):
        with pytest.raises(ArgumentError, match="judged needs the tests it judged"):  # read again: other objects
            call()
    assert not (tmp_path / "scorecard.md").exists()
    assert sc.scorecard(recorded, findings=["F3"], judged=sc.judgements(recorded, ["F3"])).equals(
        sc.scorecard(recorded, findings=["F3"])
    )


def test_what_we_found_is_computed_from_the_tests():
    sentences = sc.found_sentences("F3", evidence_set())
    assert sentences[0].startswith("Counted evidence: 2 independent samples")
    assert any(
        s.startswith("2 test(s) of RIVM's model-based estimates are model-implied") and "+0.30" in s for s in sentences
    )
    f6 = sc.found_sentences("F6", evidence_set())
    assert f6[0].startswith("No sample counts as evidence for F6") and "1 recovered" in f6[-1]


def unescaped_pipes(line: str) -> int:
    count, escaped = 0, False
    for ch in line:
        if ch == "|" and not escaped:
            count += 1
        escaped = ch == "\\" and not escaped
    return count


def test_markup_in_a_sample_name_stays_text_in_the_markdown_scorecard():
    tests = [finding_test(sample=f"kwb 2022 · {EVIL} (GM0363)", scope=EVIL, label=EVIL)]
    table = sc.scorecard(tests)
    summary = sc.summary_markdown(table, "statement")
    rows = [line for line in summary.splitlines() if line.startswith("|")][2:]
    assert len(rows) == len(table["finding"].unique())  # one line per finding, never split by a newline
    assert len(summary.splitlines()) == 2 + 2 + len(rows)  # the statement, a blank line, the header, the rows
    assert all(unescaped_pipes(line) == 7 for line in rows), rows  # six cells, no extra ones
    full = sc.scorecard_markdown(table, tests, "statement")
    card = sc.finding_markdown("F3", table[table["finding"] == "F3"], tests)
    for text in (summary, full, card):
        assert "<script" not in text and "<img" not in text and "](javascript:" not in text, text
    for line in card.splitlines():
        if line.startswith("| kwb"):
            assert unescaped_pipes(line) in (8, 15), line  # the counted table's 14 cells or the other table's 7


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_label_that_starts_like_a_formula_is_inert_in_the_csv_and_numbers_are_unchanged(tmp_path, monkeypatch, start):
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(tmp_path / "figures"))
    label = f'{start}HYPERLINK("http://example.invalid","click")'
    results.record("F3", [finding_test(label=label, ci=(-0.3, 0.06))], notebook="02_x")
    sc.write_scorecard()
    with open(tmp_path / "figures" / "scorecard.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    row = next(r for r in rows if r["test"].lstrip("'").startswith(start))
    assert row["test"] == "'" + label  # the spreadsheets' own escape: a leading apostrophe
    for r in rows:
        for value in r.values():
            assert not (value[:1] in ("=", "+", "@", "\t", "\r") or (value[:1] == "-" and not _number(value))), value
    assert float(row["estimate"]) == pytest.approx(-0.12) and row["estimate"].startswith("-0.12")  # a number stays


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def test_a_finding_card_reads_only_its_own_finding_of_findings_yaml():
    """A chapter's card depends on its finding's entry: an edit to another finding does not re-run the chapter."""
    from wijkstudie.core import code_trace

    tests = [t for t in evidence_set() if t.finding == "F3"]
    whole = sc.scorecard(tests)
    with code_trace.traced() as trace:
        card = str(sc.finding_card("F3", tests).data)
    read = [name for unit in trace.units.values() for name in unit["functions"]]
    assert '["findings", "F3"]' in read
    assert not [name for name in read if name.startswith('["findings", ') and name != '["findings", "F3"]'], read
    alone = sc.scorecard(tests, findings=["F3"])
    among = whole[whole["finding"] == "F3"].reset_index(drop=True)
    assert sc.finding_markdown("F3", among, tests) == sc.finding_markdown("F3", alone, tests)
    assert sc.finding_markdown("F3", alone, tests) in card
    assert "**Published.**" in card


def test_a_notebooks_tests_table_reads_only_the_findings_of_its_tests():
    """A notebook's tests table depends on its tests' findings: an edit to another finding does not re-run it."""
    from wijkstudie.core import code_trace

    tests = evidence_set()  # F3's and F6's
    whole = sc.scorecard(tests).reindex(columns=list(dict.fromkeys(["test", *sc.TESTS_COLUMNS])))
    whole = whole[whole["test"] != "—"][sc.TESTS_COLUMNS].reset_index(drop=True)
    with code_trace.traced() as trace:
        table = sc.tests_frame(tests)
    read = {name for unit in trace.units.values() for name in unit["functions"] if name.startswith('["findings", ')}
    assert read <= {'["findings", "F3"]', '["findings", "F6"]', '["findings", null]'}, read  # null: the names, in order
    assert {'["findings", "F3"]', '["findings", "F6"]'} <= read
    # the same rows in the same order; n a count (a float when the rows of findings without tests, NaN, were made)
    pd.testing.assert_frame_equal(table, whole.assign(role=whole["role"].map(str)), check_dtype=False)
    assert pd.api.types.is_integer_dtype(table["n"])
