import pandas as pd
import pytest

import wijkstudie as ws

from helpers import FIXTURES, warns_municipal_extract


def test_join_reports_matched_and_unmatched_per_level():
    with warns_municipal_extract():
        kwb = ws.read_file(FIXTURES / "kwb-odata-2017.csv")
    with warns_municipal_extract():
        rivm = ws.read_file(FIXTURES / "rivm-2020-18plus.csv")[["region_code", "pct_volunteering", "division_year"]]
    joined, report = ws.join_regions(kwb, rivm)
    rows = report.to_frame()
    assert rows.loc["buurt", "matched"] == 2
    assert rows.loc["buurt", "left_only"] == 1 and rows.loc["buurt", "left_examples"] == "BU99010002"
    assert rows.loc["buurt", "right_only"] == 1 and rows.loc["buurt", "right_examples"] == "BU99010003"
    assert report.matched == 5 and len(joined) == 5
    assert any("division_year differs: [2017]" in n for n in report.notes)
    assert "kwb 2017" in str(report)


def test_outer_join_keeps_every_region():
    with warns_municipal_extract():
        kwb = ws.read_file(FIXTURES / "kwb-odata-2017.csv")
    with warns_municipal_extract():
        rivm = ws.read_file(FIXTURES / "rivm-2020-18plus.csv")[["region_code", "pct_volunteering"]]
    joined, _ = ws.join_regions(kwb, rivm, how="outer")
    assert len(joined) == 7


def test_duplicate_codes_are_refused():
    bbga = ws.read_file(FIXTURES / "bbga-long.csv")
    with pytest.raises(ws.WijkstudieError, match="duplicate region_code"):
        ws.join_regions(bbga, bbga)


def test_weighted_mean_by():
    frame = pd.DataFrame({"g": ["a", "a", "b", "b"], "v": [10.0, 20.0, 5.0, None], "w": [1.0, 3.0, 2.0, 2.0]})
    out = ws.weighted_mean_by(frame, "v", "w", "g")
    assert out.loc["a", "v"] == pytest.approx(17.5) and out.loc["b", "v"] == 5.0
    assert out.loc["a", "n"] == 2 and out.loc["b", "n"] == 1
