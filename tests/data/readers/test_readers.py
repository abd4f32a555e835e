"""Each file layout, read from small hand-made fixtures in the real layout; values checked exactly. A file no reader
recognises is one line that quotes at most a short printable excerpt of it."""

import shutil

import geopandas as gpd
import numpy as np
import pytest

import wijkstudie as ws

from helpers import (
    FIXTURES,
    one_error_line,
    run_cli,
    warns_municipal_extract,
    write_kwb_workbook,
    write_rotterdam_profile,
)


def test_kwb_open_data_csv(tmp_path):
    with warns_municipal_extract():
        table = ws.read_file(FIXTURES / "kwb-odata-2017.csv")
    r = ws.report(table)
    assert (r.source, r.year, r.division) == ("kwb", 2017, 2017)
    assert r.levels == {"land": 1, "gemeente": 1, "wijk": 1, "buurt": 3}
    row = table.set_index("region_code").loc["BU99010000"]
    assert row["level"] == "buurt" and row["gemeente_code"] == "GM9901" and row["population"] == 300
    assert row["pct_age_65_plus"] == pytest.approx(20.0)  # 60 / 300
    assert row["pct_non_dutch_origin"] == pytest.approx(15.0)  # (30 + 15) / 300
    assert table.set_index("region_code").loc["NL01", "region_name"] == "Nederland"
    assert r.suppressed["mean_woz"] == 2 and r.suppressed["density"] == 2
    assert np.isnan(table.set_index("region_code").loc["BU99010002", "pct_age_65_plus"])  # 0 residents


def test_rivm_table_keeps_point_estimates_and_reads_age_group(tmp_path):
    with warns_municipal_extract():
        table = ws.read_file(FIXTURES / "rivm-2020-18plus.csv")
    r = ws.report(table)
    assert (r.source, r.year, r.variant) == ("rivm-gezondheid", 2020, "18+")
    assert r.rows == 6  # the LB00000 (lower bound) row is left out
    assert table.set_index("region_code").loc["BU99010000", "pct_volunteering"] == 28.0
    assert r.suppressed["pct_volunteering"] == 1
    assert "WekelijkseSporters_6" in table  # columns outside the dictionary keep their names
    assert set(table["age_group"]) == {"18+"}


def test_kwb_workbook_derives_percentages_and_flags_a_first_release(tmp_path):
    path = write_kwb_workbook(tmp_path / "download (3).xlsx", year=2023)
    table = ws.read_file(path)
    r = ws.report(table)
    assert (r.source, r.year) == ("kwb", 2023)
    buurt = table.set_index("region_code").loc["BU99010000"]
    assert buurt["region_name"] == "Oud Centrum"
    assert buurt["pct_single_person_households"] == pytest.approx(45.0)  # 180 / 400
    assert buurt["pct_age_15_24"] == pytest.approx(20.0)  # 120 / 600
    assert buurt["pct_age_65_plus"] == pytest.approx(10.0)
    assert any(
        w.startswith("pct_owner_occupied is missing for all 2 buurten; this looks like a first release")
        for w in map(str, r.warnings)
    )
    assert r.suppressed["mean_income_per_resident"] == 4


def test_kwb_workbook_year_comes_from_the_sheet_not_the_file_name(tmp_path):
    path = write_kwb_workbook(tmp_path / "kwb-2019.xlsx", year=2022)
    assert ws.report(ws.read_file(path)).year == 2022


def test_bbga_long_file_is_pivoted_without_forecasts():
    table = ws.read_file(FIXTURES / "bbga-long.csv")
    r = ws.report(table)
    assert (r.source, r.year) == ("amsterdam-bbga", 2017)
    dx01 = table[table["region_code"] == "DX01"].set_index("year")
    assert dx01.loc[2016, "pct_owner_occupied"] == 21.5  # decimal comma
    assert np.isnan(dx01.loc[2017, "social_cohesion"])  # empty value
    assert dx01.loc[2017, "pct_age_18_22"] == pytest.approx(100 * 4350 / 87000)
    assert 2020 not in set(table["year"])  # forecast rows dropped
    assert set(table.loc[table["region_code"] == "GM0363", "level"]) == {"gemeente"}


def test_bbga_metadata():
    table = ws.read_file(FIXTURES / "bbga-metadata.csv")
    assert ws.report(table).variant == "metadata"
    assert table.set_index("variable").loc["BEVTOTAAL", "label"] == "Bevolking totaal"


def test_gemeente_boundaries():
    gdf = ws.read_file(FIXTURES / "gemeenten-2022.geojson")
    assert isinstance(gdf, gpd.GeoDataFrame) and gdf.crs.to_epsg() == 4326
    r = ws.report(gdf)
    assert (r.source, r.year, r.levels) == ("cbs-gemeenten", 2022, {"gemeente": 2})
    assert list(gdf["region_code"]) == ["GM9901", "GM9902"]


def test_wijk_boundaries_turn_pdok_sentinels_into_nan():
    gdf = ws.read_file(FIXTURES / "wijken-2024.geojson")
    assert ws.report(gdf).year == 2024
    assert gdf.loc[0, "aantal_inwoners"] == 400 and np.isnan(gdf.loc[1, "aantal_inwoners"])
    assert list(gdf["gemeente_code"]) == ["GM9901", "GM9901"]


def test_rotterdam_profile_reads_every_year_and_scales_fractions(tmp_path):
    table = ws.read_file(write_rotterdam_profile(tmp_path / "profiel.xlsx"))
    r = ws.report(table)
    assert r.source == "rotterdam-wijkprofiel" and set(table["year"]) == {2014, 2016}
    vreewijk = table[(table["area_number"] == 80) & (table["year"] == 2016)].iloc[0]
    assert vreewijk["level"] == "buurt" and vreewijk["area_type"] == "wijk"
    assert vreewijk["pct_know_each_other"] == pytest.approx(42.0)  # first ElkaarKennen_p, 0.42 -> 42 %
    assert vreewijk["safety_index"] == 100
    city = table[table["area_number"] == 5000].iloc[0]
    assert city["level"] == "gemeente" and city["region_code"] == "RTD5000"


def test_rotterdam_areas_are_linked_to_cbs_codes(tmp_path):
    from wijkstudie.data.readers.rotterdam import link_to_cbs

    table = ws.read_file(write_rotterdam_profile(tmp_path / "profiel.xlsx"))
    wijken = gpd.GeoDataFrame(
        {
            "region_code": ["WK059910", "WK059901"],
            "region_name": ["Feijenoord", "Centrum"],
            "gemeente_code": ["GM0599", "GM0599"],
        }
    )
    linked, notes = link_to_cbs(table, wijken)
    codes = dict(zip(linked["area_number"], linked["region_code"]))
    assert codes[80] == "BU05991080" and codes[4007] == "WK059910" and codes[5000] == "GM0599"
    assert codes[1009] == "RTD1009"
    assert "linked 1 of 1 Rotterdam gebieden" in str(notes[0]) and notes[0].kind == "linked"
    assert any("1009 Groot Feijenoord-Noord" in str(n) and n.kind == "not-linked" for n in notes)


def test_a_renamed_file_is_still_recognised(tmp_path):
    renamed = tmp_path / "data.csv"
    shutil.copyfile(FIXTURES / "rivm-2020-18plus.csv", renamed)
    with warns_municipal_extract():
        assert ws.report(ws.read_file(renamed)).source == "rivm-gezondheid"


def test_csv_without_expected_columns(capsys):
    one_error_line(
        run_cli(capsys, "data", "inspect", FIXTURES / "unrelated.csv"),
        "unrelated.csv: not a file wijkstudie recognises",
        "naam, waarde",
    )


def test_the_same_cases_raise_the_documented_exception_from_python(truncated_workbook):
    for path in (
        FIXTURES / "empty.csv",
        FIXTURES / "html-error-page.xlsx",
        truncated_workbook,
        FIXTURES / "unrelated.csv",
    ):
        with pytest.raises(ws.WijkstudieError, match=path.name):
            ws.read_file(path)


def test_an_error_about_a_symlink_to_a_system_like_file_quotes_none_of_it(tmp_path, fresh_cache):
    system = tmp_path / "etc" / "hosts"
    system.parent.mkdir()
    system.write_text("127.0.0.1 localhost secret-host-name\n10.0.0.1 internal.example\n")
    link = tmp_path / "data.csv"
    link.symlink_to(system)
    with pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(link)
    assert "secret-host-name" not in str(exc.value) and "localhost" not in str(exc.value), exc.value


def test_an_error_quotes_a_short_printable_excerpt_of_a_data_file(tmp_path, fresh_cache):
    path = tmp_path / "other.csv"
    secret = "x" * 100 + "TAIL-SECRET"
    path.write_text(f"\x1b[31mred\x1b[0m,{secret},b\n1,2,3\n", encoding="utf-8")
    with pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(path)
    text = str(exc.value)
    assert "\x1b" not in text and "TAIL-SECRET" not in text and len(text) < 200, text
    assert "first columns" in text  # a CSV: its columns are named, in short
