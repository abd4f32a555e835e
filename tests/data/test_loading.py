"""Loading datasets by name: every file of the real snapshot, with the counts the MANIFEST documents; a level the
dataset lacks and a file of another source under a resource's name are one line."""

import json
import shutil

import geopandas as gpd
import numpy as np
import pytest

import wijkstudie as ws

from helpers import FIXTURES, run_cli


def test_rivm_2020_both_age_groups(mirror):
    for variant, suppressed_at_least in (("18+", 700), ("65+", 1000)):
        table = ws.load("rivm-gezondheid", year=2020, age_group=variant)
        r = ws.report(table)
        assert r.levels == {"land": 1, "gemeente": 355, "wijk": 3177, "buurt": 13808}
        assert r.suppressed["pct_volunteering"] >= suppressed_at_least
        assert not table["region_code"].str.contains(" ").any()
    nl = ws.load("rivm-gezondheid", year=2020, age_group="18+", level="land")
    assert nl["region_code"].tolist() == ["NL01"] and nl["pct_volunteering"].tolist() == [24.6]


def test_kwb_2017_open_data_csv(mirror):
    table = ws.load("kwb", year=2017)
    r = ws.report(table)
    assert r.levels["land"] == 1 and r.levels["wijk"] == 3070 and r.levels["buurt"] == 13208
    assert r.division == 2017
    assert r.variables["population"] > 16000 and r.suppressed["mean_woz"] > 0
    assert table.loc[table["region_code"] == "NL01", "population"].item() == 17081507
    # Nuenen (GM0820) has codes but no values in this extract: 14 rows, levels from the code
    assert any(
        w.startswith("14 rows have a region code but no values at all (gemeente GM0820)") for w in map(str, r.warnings)
    )


def test_kwb_2023_workbook_utrecht(mirror):
    table = ws.load("kwb", year=2023, level="buurt")
    assert len(table) == 111 and set(table["gemeente_code"]) == {"GM0344"}
    row = table.set_index("region_code").loc["BU03440111"]
    assert row["pct_owner_occupied"] == 44 and row["pct_single_person_households"] == pytest.approx(100 * 630 / 1070)
    assert any(
        w.startswith("empty in this file (every level): mean_income_per_resident") and "first release" in w
        for w in map(str, ws.report(table).warnings)
    )


def test_codebook_and_table_description(mirror):
    props = ws.load("kwb-codebook", part="properties")
    assert "Koopwoningen_47" in set(props["key"])
    info = ws.load("kwb-codebook", part="tableinfo")
    assert info["identifier"].tolist() == ["85984NED"]


def test_boundaries(mirror):
    gemeenten = ws.load("cbs-gemeenten", year=2022)
    assert isinstance(gemeenten, gpd.GeoDataFrame) and len(gemeenten) == 345
    with pytest.raises(FileNotFoundError, match=r"the catalogue's latest, 2025, .* years that can be had here: 2024;"):
        ws.load("cbs-wijken")  # no year: the catalogue's latest, on every machine; this mirror ends at 2024
    with pytest.warns(ws.WijkstudieWarning, match="took 2024; the catalogue's latest year, 2025, cannot be had here"):
        wijken = ws.load("cbs-wijken", year="latest-available")
    assert len(wijken) == 3475 and ws.report(wijken).division == 2024
    assert "year='latest-available': 2024, the latest year of cbs-wijken that can be had here" in str(ws.report(wijken))
    assert any("GM0998" in w for w in map(str, ws.report(wijken).warnings))


@pytest.mark.parametrize("edition", [None, 2016])  # the default (the 2024 edition) and the 2016 file
def test_rotterdam_wijkprofiel_both_years_linked_to_cbs(mirror, edition):
    for year in (2014, 2016):
        table = ws.load("rotterdam-wijkprofiel", year=year, edition=edition)
        counts = table["area_type"].value_counts().to_dict()
        assert counts == {"wijk": 71, "gebied": 14, "stad": 1}
        assert set(table["year"]) == {year}
        vreewijk = table[table["region_name"] == "Vreewijk"].iloc[0]
        assert vreewijk["area_number"] == 80 and vreewijk["region_code"] == "BU05991080"
        assert 0 < vreewijk["pct_volunteering"] < 100  # fractions became percentages
        warnings = [str(w) for w in ws.report(table).warnings]
        assert "linked 14 of 14 Rotterdam gebieden to CBS wijk codes by name" in warnings
        assert any(w.startswith("linked 63 of 71 Rotterdam wijken") for w in warnings)
    a, b = (
        ws.load("rotterdam-wijkprofiel", year=y, edition=edition).set_index("area_number")["social_index"]
        for y in (2014, 2016)
    )
    assert not np.allclose(a, b)  # the two years are different sheets


def test_rotterdam_linked_buurt_codes_exist_in_kwb(mirror):
    rotterdam = ws.load("rotterdam-wijkprofiel", year=2016, level="buurt")
    kwb = ws.load("kwb", year=2017, level="buurt")
    linked = rotterdam[rotterdam["region_code"].str.startswith("BU")]
    assert set(linked["region_code"]) <= set(kwb["region_code"])


def test_rotterdam_context(mirror):
    table = ws.load("rotterdam-wijkprofiel", sheet="context")
    r = ws.report(table)
    assert r.year == 2015 and len(table) == 86
    assert r.suppressed["pct_students"] == 3  # the 'x' cells
    assert table["pct_owner_occupied"].between(0, 100).all()


def test_amsterdam_bbga(mirror):
    table = ws.load("amsterdam-bbga")
    r = ws.report(table)
    assert r.year == 2018 and table["year"].max() == 2018
    gebieden = table[(table["level"] == "gebied") & table["region_code"].str.startswith("DX")]
    assert gebieden["region_code"].nunique() == 22
    cohesion = gebieden.dropna(subset=["social_cohesion"])
    assert set(cohesion["year"]) == {2012, 2013, 2014, 2015, 2016, 2017}
    assert cohesion["social_cohesion"].between(1, 10).all()
    meta = ws.load("amsterdam-bbga", part="metadata")
    assert "LSOCCOH_R" in set(meta["variable"])


def test_renamed_real_file_is_recognised_by_content(mirror, tmp_path):
    copy = tmp_path / "download.xlsx"
    shutil.copyfile(mirror / "rivm-gezondheid" / "RIVM_gezondheid2020_65+.xlsx", copy)
    r = ws.report(ws.read_file(copy))
    assert (r.source, r.year, r.variant) == ("rivm-gezondheid", 2020, "65+")


def test_loading_never_writes_into_the_mirror(mirror, fresh_cache):
    before = {p: p.stat().st_mtime_ns for p in mirror.rglob("*")}
    read = [mirror / "cbs-kwb" / "CBS-Utrecht-kwb-2023.xlsx", mirror / "geo" / "wijken-2024.geojson"]
    assert all(p in before for p in read)
    ws.load("kwb", year=2023)
    ws.load("rotterdam-wijkprofiel", year=2014)  # links its areas to CBS codes through the 2024 wijken
    assert {p: p.stat().st_mtime_ns for p in mirror.rglob("*")} == before
    reports = [p for p in (fresh_cache / "processed").glob("*.json") if p.name != "fingerprints.json"]
    cached = {json.loads(p.read_text(encoding="utf-8"))["identification"]["dataset"] for p in reports}
    assert cached == {"kwb", "rotterdam-wijkprofiel", "cbs-wijken"} and len(reports) == 3  # in the cache instead
    assert all(p.with_suffix(".parquet").is_file() for p in reports)


def test_all_columns_keeps_the_source_columns_under_their_names(mirror):
    slim = ws.load("rivm-gezondheid", year=2020, age_group="65+", level="gemeente")
    full = ws.load("rivm-gezondheid", year=2020, age_group="65+", level="gemeente", all_columns=True)
    assert "WekelijkseSporters_6" not in slim and "WekelijkseSporters_6" in full
    assert full["WekelijkseSporters_6"].dtype == "float64" and len(full) == len(slim) == 355


def test_fetch_all_reports_what_the_mirror_lacks(mirror, capsys):
    from wijkstudie.data.catalogue import datasets

    result = run_cli(capsys, "data", "fetch", "--all")
    assert result.returncode == 1  # most years are not in the snapshot: they need the network
    lines = result.stdout.splitlines()
    ok = [line for line in lines if line.startswith("ok")]
    failed = [line for line in lines if line.startswith("FAILED")]
    snapshot = {str(p.relative_to(mirror)) for p in mirror.rglob("*") if p.is_file() and p.suffix != ".md"}
    resources = [r for d in datasets().values() for r in d.resources]
    in_snapshot = [r for r in resources if r.mirror in snapshot]
    assert snapshot <= {r.mirror for r in resources}, sorted(snapshot - {r.mirror for r in resources})
    # the 2016 Rotterdam workbook holds two years, the 2024 one six
    assert len(ok) == len(in_snapshot) == len(snapshot) + 1 + 5
    assert len(failed) == len(resources) - len(in_snapshot)
    assert all("is not in the mirror" in line for line in failed)
    assert any(line.startswith("FAILED kwb 2024 (open-data)") for line in failed)


def test_the_kwb_2022_reconstruction_is_called_what_it_is_not_a_first_release(mirror):
    table = ws.load("kwb", year=2022, level="wijk")
    said = [w for w in map(str, ws.report(table).warnings) if w.startswith("empty in this file (every level)")]
    assert said and all("first release" not in w for w in map(str, ws.report(table).warnings))
    assert said[0].endswith(
        "; the mirror's file is a reconstruction from tmap's copy of CBS table 85318NED, not a CBS release"
    )


def test_unknown_level_from_python():
    with pytest.raises(ws.WijkstudieError, match="rivm-gezondheid: no level 'provincie'"):
        ws.load("rivm-gezondheid", level="provincie")
    with pytest.raises(ws.WijkstudieError, match="cbs-gemeenten: no level 'buurt'"):
        ws.load("cbs-gemeenten", level="buurt")


def test_a_file_of_another_source_under_a_resource_name(fake_mirror, fresh_cache):
    fake_mirror({"cbs-kwb/indicators_buurt_wijk_gemeente.csv": FIXTURES / "rivm-2020-18plus.csv"})
    with pytest.raises(ws.WijkstudieError, match=r"expected kwb 2017 \(open-data\), but the file is rivm-gezondheid"):
        ws.load("kwb", year=2017, source_format="open-data")
