import pandas as pd
import pytest

import wijkstudie as ws

from helpers import FIXTURES, warns_municipal_extract, write_crosswalk


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


def test_boundaries_on_either_side_give_a_geodataframe():
    import geopandas as gpd
    from shapely.geometry import box

    areas = gpd.GeoDataFrame(
        {"region_code": ["GM0001", "GM0002"], "level": "gemeente"}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)]
    ).set_crs(28992)
    figures = pd.DataFrame({"region_code": ["GM0001", "GM0002"], "level": "gemeente", "pct_volunteering": [20.0, 30.0]})
    for left, right in ((areas, figures), (figures, areas)):
        joined, _ = ws.join_regions(left, right)
        assert isinstance(joined, gpd.GeoDataFrame) and joined.crs == areas.crs, type(joined)
        assert joined.geometry.area.round(3).tolist() == [1.0, 1.0] and joined["pct_volunteering"].tolist() == [20, 30]


def test_duplicate_codes_are_refused():
    bbga = ws.read_file(FIXTURES / "bbga-long.csv")
    with pytest.raises(ws.WijkstudieError, match="duplicate region_code"):
        ws.join_regions(bbga, bbga)


def test_weighted_mean_by():
    frame = pd.DataFrame({"g": ["a", "a", "b", "b"], "v": [10.0, 20.0, 5.0, None], "w": [1.0, 3.0, 2.0, 2.0]})
    out = ws.weighted_mean_by(frame, "v", "w", by="g")
    assert out.loc["a", "v"] == pytest.approx(17.5) and out.loc["b", "v"] == 5.0
    assert out.loc["a", "n"] == 2 and out.loc["b", "n"] == 1


# --- one report for a loaded, a harmonised and a joined table ----------------------------------------------------


def _gemeenten(codes, division):
    return pd.DataFrame(
        {
            "region_code": pd.array(codes, dtype="string"),
            "level": "gemeente",
            "division_year": pd.array([division] * len(codes), dtype="Int64"),
            "population": [1000.0] * len(codes),
        }
    )


def test_one_report_for_a_loaded_and_a_joined_table(tmp_path):
    with warns_municipal_extract():
        kwb = ws.read_file(FIXTURES / "kwb-odata-2017.csv")
    with warns_municipal_extract():
        rivm = ws.read_file(FIXTURES / "rivm-2020-18plus.csv")[["region_code", "pct_volunteering", "division_year"]]
    loaded = ws.report(kwb)
    assert isinstance(loaded, ws.Report) and loaded.joins == [] and loaded.harmonisation is None
    joined, matches = ws.join_regions(kwb, rivm)
    again, second = ws.join_regions(joined, rivm[["region_code"]].assign(extra=1))
    assert "join_report" not in joined.attrs and len(joined.attrs["join_reports"]) == 1
    joined_report = ws.report(again)
    assert joined_report.joins == [matches, second]  # every join, in order, as the JoinReport join_regions returned
    text = str(joined_report)
    assert text.startswith(str(loaded).split("\n")[0]) and str(loaded).split("\n")[2] in text  # the load report
    assert str(matches).split("\n")[0] in text and str(second).split("\n")[0] in text  # and both joins
    path = tmp_path / "joined.parquet"
    again.to_parquet(path)  # the report is plain data: it survives a Parquet file
    assert ws.report(pd.read_parquet(path)).joins == [matches, second]


def test_one_report_for_a_harmonised_table(fake_mirror):
    root = fake_mirror({"geo/unrelated.txt": b"x"})
    write_crosswalk(root, "gemeente", 2020, 2022, {("9901", "9901"): 10, ("9901", "9902"): 10})
    table = _gemeenten(["GM9901", "GM9902"], 2020)
    with pytest.raises(LookupError, match="carries no wijkstudie load report"):
        ws.report(table)
    moved = ws.harmonise(table, to_division=2022)
    rep = ws.report(moved)
    assert rep.source == "" and rep.harmonisation.level("gemeente").merged == 1
    assert str(rep).startswith("a table without a load report") and "harmonised from the division of 2020" in str(rep)
    assert "harmonisation" not in moved.attrs  # one place: the report
    for gone in ("harmonisation_report", "LoadReport"):  # the names before this report: no shims in an alpha
        assert not hasattr(ws, gone)
    joined, matches = ws.join_regions(moved, _gemeenten(["GM9901"], 2022).drop(columns="population"))
    both = ws.report(joined)
    assert both.harmonisation == rep.harmonisation and both.joins == [matches]
