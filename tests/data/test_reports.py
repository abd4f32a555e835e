"""A load of one level reports that level: its rows, filled and suppressed cells, and warnings that name only its
areas; a level the file does not hold is an error that says which levels it holds."""

import pytest

import wijkstudie as ws

from helpers import RIVM_ROWS as ROWS
from helpers import RIVM_WHERE as WHERE
from helpers import rivm_file, warns_municipal_extract


def load(level):
    with warns_municipal_extract():
        return ws.load("rivm-gezondheid", year=2020, age_group="18+", level=level)


def test_counts_and_warnings_are_those_of_the_level_loaded(fake_mirror, fresh_cache):
    fake_mirror({WHERE: rivm_file(ROWS)})
    everything = ws.report(load(None))
    assert everything.suppressed["pct_volunteering"] == 4 and everything.levels["buurt"] == 4
    assert any("4 rows have a region code but no values at all" in w for w in map(str, everything.warnings))

    wijken = ws.report(load("wijk"))
    assert wijken.rows == 2 and wijken.levels == {"wijk": 2}
    assert wijken.variables["pct_volunteering"] == 1 and wijken.suppressed["pct_volunteering"] == 1
    empty = [w for w in map(str, wijken.warnings) if "no values at all" in w]
    assert empty == [
        "1 wijken have a region code but no values at all (WK990101): suppressed or not published for these areas"
    ]
    assert "1 / 1 / 0" in str(wijken).replace("  ", " ").replace("  ", " ")

    gemeenten = ws.report(load("gemeente"))
    assert gemeenten.suppressed["pct_volunteering"] == 0
    assert not [w for w in map(str, gemeenten.warnings) if "no values" in w or "WK99" in w or "BU99" in w]


def test_a_file_that_mixes_codes_and_empty_cells_keeps_the_whole_files_count_and_says_so(fake_mirror, fresh_cache):
    rows = ROWS + [("BU99010101", "Buurt", "", 12.0, "")]  # empty, not suppressed: the two cannot be told apart later
    fake_mirror({WHERE: rivm_file(rows)})
    report = ws.report(load("wijk"))
    assert report.suppressed["pct_volunteering"] == 4  # the file's count, as the note says
    assert report.suppressed["pct_informal_carer"] == 1  # every missing cell of this one is a code: exact
    assert any("pct_lonely, pct_volunteering are counted over the whole file" in n for n in report.notes)


def test_a_level_the_file_does_not_hold_is_an_error_naming_the_levels_it_holds(fake_mirror, fresh_cache):
    root = fake_mirror({WHERE: rivm_file([r for r in ROWS if r[1] != "Buurt"])})
    with pytest.raises(ws.DataNotFoundError) as exc:
        ws.load("rivm-gezondheid", year=2020, age_group="18+", level="buurt")
    assert str(exc.value) == (
        "rivm-gezondheid 2020 (18+): the mirror's file RIVM_gezondheid2020_18+.xlsx holds no buurten (it holds "
        "the land row, 1 gemeenten, 2 wijken); rivm-gezondheid levels in the catalogue: land, gemeente, wijk, buurt"
    )
    assert root.is_dir()


def test_rivm_wijken_report_the_wijken(mirror):
    """Issue 18: a wijk-level load reported 769 suppressed cells (every level of the file); the wijken have 27."""
    table = ws.load("rivm-gezondheid", year=2020, age_group="18+", level="wijk")
    report = ws.report(table)
    assert report.rows == 3177 and report.levels == {"wijk": 3177}
    assert (report.variables["pct_volunteering"], report.suppressed["pct_volunteering"]) == (3150, 27)
    assert not any("GM" in w or "BU" in w for w in map(str, report.warnings)), report.warnings
    empty = table.drop(columns=["region_code"]).filter(like="pct_").isna().all(axis=1)
    assert any(
        w.startswith(f"{int(empty.sum())} wijken have a region code but no values") for w in map(str, report.warnings)
    )
    whole = ws.report(ws.load("rivm-gezondheid", year=2020, age_group="18+"))
    assert whole.suppressed["pct_volunteering"] == 769


def test_a_level_the_mirrors_file_lacks(mirror):
    with pytest.raises(ws.DataNotFoundError, match=r"holds no buurten \(it holds 345 gemeenten, 3,340 wijken\)"):
        ws.load("kwb", year=2022, level="buurt")
