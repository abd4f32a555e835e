"""Records, not prose: what code decides from a load warning, a scorecard row's role, a verdict's scope or a
specification's waves is read from fields, so rewording every message template that code used to parse (the
warnings, the role texts, the scope names, the waves label) leaves the behaviour unchanged."""

import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import wijkstudie as ws
from wijkstudie.data.reports import FileWarning, WarningKind, as_warnings
from wijkstudie.reproduce.site import _counted_evidence
from wijkstudie.study import scorecard as sc
from wijkstudie.study import verdicts as vd
from wijkstudie.study.designs import Waves, declared_specs
from wijkstudie.study.roles import NotCounted, Role, RoleKind
from wijkstudie.study.sweeps import rows_for

from helpers import RIVM_ROWS, RIVM_WHERE, evidence_set, rivm_file


def reworded(text: str) -> str:
    """Another wording of a message: region codes, counts and level names no longer where a pattern looks."""
    return "reworded:" + text.lower().replace(" ", "_")


def load_level(level, **options):
    with pytest.warns(ws.WijkstudieWarning):  # the alert of a municipal extract, in whatever words
        return ws.load("rivm-gezondheid", year=2020, age_group="18+", level=level, **options)


def routing(report) -> list:
    """What code reads of a report's warnings (not their text)."""
    return sorted((str(w.kind), w.level or "", w.codes, w.variables, w.wave or 0) for w in report.warnings)


def test_a_level_keeps_the_same_warnings_however_they_are_worded(fake_mirror, fresh_cache, monkeypatch):
    fake_mirror({RIVM_WHERE: rivm_file(RIVM_ROWS)})
    levels = (None, "gemeente", "wijk", "buurt")
    plain = {level: ws.report(load_level(level)) for level in levels}
    made = FileWarning.__post_init__

    def reword(self):
        made(self)
        if not self.text.startswith("reworded:"):
            object.__setattr__(self, "text", reworded(self.text))

    monkeypatch.setattr(FileWarning, "__post_init__", reword)
    again = {level: ws.report(load_level(level, refresh=True)) for level in levels}
    assert all(str(w).startswith("reworded:") for r in again.values() for w in r.warnings)  # the wording changed
    for level in levels:
        assert routing(again[level]) == routing(plain[level]), level
        assert again[level].suppressed == plain[level].suppressed
    # and the routing is the level's: the wijken keep their own empty rows, the gemeenten none of the others'
    assert (str(WarningKind.EMPTY_ROWS), "wijk", ("WK990101",), (), 0) in routing(plain["wijk"])
    assert not [w for w in plain["gemeente"].warnings if w.kind is WarningKind.EMPTY_ROWS or w.codes]


def test_a_warning_is_about_a_level_by_its_fields():
    counted = FileWarning("reworded", WarningKind.INCOMPLETE, level="buurt")
    named = FileWarning("reworded", codes=("WK990101", "BU99010000"))
    whole = FileWarning("12 of the 3,340 wijken of division 2022 are missing (GM0363)")  # words are not read
    assert [counted.about(lv) for lv in ("gemeente", "wijk", "buurt")] == [False, False, True]
    assert [named.about(lv) for lv in ("gemeente", "wijk", "buurt")] == [False, True, True]
    assert all(whole.about(lv) for lv in ("gemeente", "wijk", "buurt"))
    wave = counted.in_wave(2016)
    assert wave.wave == 2016 and str(wave) == "2016: reworded"
    # records survive their plain data (a cache entry, a table's attrs); a text of an older report is about the file
    again = as_warnings([w.to_dict() for w in (counted, named, wave)] + ["an old text"])
    assert again[:3] == [counted, named, wave] and again[3] == FileWarning("an old text")


def structure(table: pd.DataFrame) -> list:
    return [(r["finding"], r["sample"], r["test"], r["role"], r["counted"]) for _, r in table.iterrows()]


def numbers(text: str) -> list:
    return re.findall(r"\d+", text)


def test_roles_and_scopes_decide_the_same_however_they_are_worded(monkeypatch):
    tests = evidence_set()
    table = sc.scorecard(tests)
    records = {key: sc.scope_records(key, vd.judge(key, tests), tests) for key in ("F3", "F6")}
    summaries = {key: _counted_evidence(group) for key, group in table.groupby("finding", sort=False)}
    sections = sc.scorecard_markdown(table, tests).count("Not counted — ")
    assert Role(RoleKind.NOT_COUNTED, NotCounted.EVIDENCE, "model-implied") in set(table["role"]) and sections

    monkeypatch.setattr(Role, "__str__", lambda self: f"role {self.kind.name} {self.why.name if self.why else ''}")
    monkeypatch.setattr(Role, "reason", property(lambda self: f"because {self.why.name}" if self.why else ""))
    for group, name in list(vd.SCOPES.items()):
        monkeypatch.setitem(vd.SCOPES, group, f"the {name} (reworded)")
        monkeypatch.setitem(sc.SCOPE_OF_GROUP, group, f"the {name} (reworded)")
    again = sc.scorecard(tests)
    assert structure(again) == structure(table)
    for key, before in records.items():
        after = sc.scope_records(key, vd.judge(key, tests), tests)
        assert [(r["part"], r["verdict"], len(r["notes"])) for r in after] == [
            (r["part"], r["verdict"], len(r["notes"])) for r in before
        ]
        assert all(r["scope"].endswith("(reworded)") for r in after if r["scope"] != "residents (microdata)")
    for key, group in again.groupby("finding", sort=False):
        assert numbers(_counted_evidence(group)) == numbers(summaries[key]), key
    assert sc.scorecard_markdown(again, tests).count("Not counted — ") == sections


def test_every_verdict_says_its_scope_and_part_as_a_record():
    judged = vd.judge("F3", evidence_set())
    assert judged.verdicts and set(judged.verdicts) == set(judged.scopes)
    for key, scope in judged.scopes.items():
        assert scope.key == key and key.startswith(vd.SCOPES[scope.group])


def test_rows_for_takes_waves_from_the_record(monkeypatch):
    years = np.repeat([2014, 2016, 2018, 2020, 2022, 2024], 3)
    table = pd.DataFrame({"region_code": [f"BU{i:08d}" for i in range(len(years))], "year": years})

    class Sample:
        classes, design = {}, {}

    Sample.table = table
    spec = replace(declared_specs("F3", "rotterdam-wijkprofiel")[0], areas="all areas", extra=())
    before, after = (replace(spec, waves=Waves.parse(text)) for text in ("before 2020", "from 2020"))
    plain = [rows_for(s, Sample)["year"].tolist() for s in (spec, before, after)]
    monkeypatch.setattr(Waves, "__str__", lambda self: f"reworded {self.side}")
    assert [rows_for(s, Sample)["year"].tolist() for s in (spec, before, after)] == plain
    assert plain[1] == [2014] * 3 + [2016] * 3 + [2018] * 3 and set(plain[2]) == {2020, 2022, 2024}
    assert len(plain[0]) == len(table) and before.choices["waves"] == "reworded before"


@pytest.mark.parametrize("value", ["before", "after 2020", "from twenty", 2020, "before 2020 2022"])
def test_waves_a_user_names_are_parsed_once_with_a_clear_error(value):
    with pytest.raises(ws.WijkstudieError, match="waves: 'all', 'before <year>' or 'from <year>'"):
        Waves.parse(value)
    assert Waves.parse("all") == Waves() and Waves.parse(" from  2020 ") == Waves("from", 2020)
