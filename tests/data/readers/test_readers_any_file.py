"""Files as users really have them: KWB extracts with any sheet name, CSVs saved from the workbook, boundary files
in every CBS attribute convention, format and coordinate system. Each is recognised by its content."""

import json
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

import wijkstudie as ws

from helpers import FIXTURES, run_cli, warns_municipal_extract, write_kwb_workbook

KWB_ROWS = [
    {
        "gwb_code_10": "GM9901",
        "regio": "Testdorp",
        "gm_naam": "Testdorp",
        "recs": "Gemeente",
        "a_inw": 1000,
        "a_65_oo": 150,
        "p_koopw": 60,
    },
    {
        "gwb_code_10": "WK990100",
        "regio": "Wijk 00 Centrum",
        "gm_naam": "Testdorp",
        "recs": "Wijk",
        "a_inw": 1000,
        "a_65_oo": 150,
        "p_koopw": 60,
    },
    {
        "gwb_code_10": "BU99010000",
        "regio": "Oude Kern",
        "gm_naam": "Testdorp",
        "recs": "Buurt",
        "a_inw": 600,
        "a_65_oo": 60,
        "p_koopw": ".",
    },
]


# --- KWB workbooks and CSVs ---------------------------------------------------------------------------


def test_a_municipal_extract_with_its_own_sheet_name_and_a_title_row(tmp_path):
    path = tmp_path / "kerncijfers.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame([["Kerncijfers wijken en buurten, gemeente Testdorp"], [None]]).to_excel(
            writer, sheet_name="Testdorp 2021", header=False, index=False
        )
        pd.DataFrame(KWB_ROWS).to_excel(writer, sheet_name="Testdorp 2021", startrow=2, index=False)
    table = ws.read_file(path)
    report = ws.report(table)
    assert (report.source, report.year, report.levels) == ("kwb", 2021, {"gemeente": 1, "wijk": 1, "buurt": 1})
    assert table.set_index("region_code").loc["BU99010000", "pct_age_65_plus"] == pytest.approx(10.0)


def test_a_sheet_without_a_year_takes_it_from_the_file_name_or_the_caller(tmp_path):
    path = tmp_path / "gemeente-testdorp-kwb-2020.xlsx"
    pd.DataFrame(KWB_ROWS).to_excel(path, sheet_name="Gegevens", index=False)
    report = ws.report(ws.read_file(path))
    assert report.year == 2020 and "from the file name" in report.notes[0]
    nameless = tmp_path / "export.xlsx"
    pd.DataFrame(KWB_ROWS).to_excel(nameless, sheet_name="Gegevens", index=False)
    with pytest.raises(ws.WijkstudieError, match=r"export.xlsx: cannot tell the year of this KWB workbook.*year=2023"):
        ws.read_file(nameless)
    assert ws.report(ws.read_file(nameless, year=2019)).year == 2019


def test_a_year_that_contradicts_the_sheet_is_refused(tmp_path):
    path = write_kwb_workbook(tmp_path / "k.xlsx", year=2022)
    with pytest.raises(
        ws.WijkstudieError,
        match=r"k.xlsx: KWB workbook of 2022 \(its sheet 'kwb-2022'\), but "
        r"year=2019 was asked for",
    ):
        ws.read_file(path, year=2019)
    with pytest.raises(ws.WijkstudieError, match="year must be a whole number"):
        ws.read_file(path, year="recent")


@pytest.mark.parametrize("separator,encoding", [(",", "utf-8"), (";", "utf-8-sig"), (";", "latin-1")])
def test_a_csv_saved_from_the_workbook(tmp_path, separator, encoding):
    rows = [dict(r) for r in KWB_ROWS]
    rows[2]["regio"] = "Oude Kern Zuid-Oost (Bolsward)" if encoding != "latin-1" else "Café De Hoek"
    path = tmp_path / "kwb-2021-testdorp.csv"
    pd.DataFrame(rows).to_csv(path, sep=separator, index=False, encoding=encoding)
    if encoding == "latin-1":  # read as Windows-1252, and said
        with pytest.warns(
            ws.WijkstudieWarning, match=r"not valid UTF-8 \(byte 0xE9 at offset \d+\): read as Windows-1252"
        ):
            table = ws.read_file(path)
    else:
        table = ws.read_file(path)
    assert (ws.report(table).source, ws.report(table).year) == ("kwb", 2021)
    buurt = table.set_index("region_code").loc["BU99010000"]
    assert buurt["population"] == 600 and buurt["region_name"] == rows[2]["regio"]


def test_an_odata_export_named_by_its_table_id_gets_its_year_from_the_id(tmp_path):
    renamed = tmp_path / "85039NED_TypedDataSet_12052026.csv"
    renamed.write_bytes((FIXTURES / "kwb-odata-2017.csv").read_bytes())
    with warns_municipal_extract():
        report = ws.report(ws.read_file(renamed))
    assert report.year == 2021 and "CBS table id" in report.notes[0]


# --- boundaries -----------------------------------------------------------------------------------------


def boundaries(convention: str, level: str, crs: int = 4326) -> gpd.GeoDataFrame:
    """Two areas of one level in the attribute convention of a CBS publication."""
    if crs == 4326:
        shapes = [box(5.00, 52.00, 5.05, 52.05), box(5.05, 52.00, 5.10, 52.05)]
    else:  # the same squares in RD New
        shapes = list(
            gpd.GeoSeries([box(5.00, 52.00, 5.05, 52.05), box(5.05, 52.00, 5.10, 52.05)], crs=4326).to_crs(28992)
        )
    codes = {"gemeente": ["GM9901", "GM9902"], "wijk": ["WK990100", "WK990101"], "buurt": ["BU99010000", "BU99010001"]}[
        level
    ]
    names = ["Noord", "Zuid"]
    if convention == "statcode":
        props = {"statcode": codes, "jrstatcode": [f"2021{c}" for c in codes], "statnaam": names}
    elif convention == "pdok":
        key = {"gemeente": "gemeente", "wijk": "wijk", "buurt": "buurt"}[level]
        props = {f"{key}code": codes, f"{key}naam": names, "jaarstatcode": [f"2021{c}" for c in codes]}
        if level != "gemeente":
            props.update(gemeentecode=["GM9901"] * 2, gemeentenaam=["Testdorp"] * 2)
    else:  # the old shapefile convention, capitals
        key = {"gemeente": "GM", "wijk": "WK", "buurt": "BU"}[level]
        props = {f"{key}_CODE": codes, f"{key}_NAAM": names}
        if level != "gemeente":
            props.update(GM_CODE=["GM9901"] * 2, GM_NAAM=["Testdorp"] * 2)
        props["AANT_INW"] = [1200, -99999999]
    return gpd.GeoDataFrame(props, geometry=shapes, crs=crs)


@pytest.mark.parametrize("convention", ["statcode", "pdok", "capitals"])
@pytest.mark.parametrize("level", ["gemeente", "wijk", "buurt"])
def test_every_attribute_convention_at_every_level_as_geojson(tmp_path, convention, level):
    path = tmp_path / f"{level}-2021.geojson"
    boundaries(convention, level).to_file(path, driver="GeoJSON")
    gdf = ws.read_file(path)
    report = ws.report(gdf)
    assert report.levels == {level: 2} and report.year == 2021
    assert report.source == {"gemeente": "cbs-gemeenten", "wijk": "cbs-wijken", "buurt": "cbs-buurten"}[level]
    assert list(gdf["region_name"]) == ["Noord", "Zuid"] and gdf.crs.to_epsg() == 4326
    if level != "gemeente":
        assert set(gdf["gemeente_code"]) == {"GM9901"}
    if convention == "capitals":
        assert gdf["AANT_INW"].tolist()[0] == 1200 and pd.isna(gdf["AANT_INW"].tolist()[1])  # PDOK sentinel


def test_a_geopackage_in_rd_new_is_returned_in_wgs84(tmp_path):
    path = tmp_path / "wijkenbuurten.gpkg"
    boundaries("pdok", "wijk", crs=28992).to_file(path, layer="wijken", driver="GPKG")
    boundaries("pdok", "buurt", crs=28992).to_file(path, layer="buurten", driver="GPKG")
    gdf = ws.read_file(path)
    report = ws.report(gdf)
    assert report.source == "cbs-wijkbuurtkaart" and report.levels == {"wijk": 2, "buurt": 2}
    assert gdf.crs.to_epsg() == 4326
    assert gdf.total_bounds == pytest.approx([5.0, 52.0, 5.1, 52.05], abs=1e-6)
    assert any("converted from EPSG:28992 to EPSG:4326" in w for w in map(str, report.warnings))


def test_a_zipped_shapefile_of_the_old_wijk_en_buurtkaart(tmp_path):
    folder = tmp_path / "shape 2016 versie 3"
    folder.mkdir()
    boundaries("capitals", "gemeente", crs=28992).to_file(folder / "gem_2016.shp")
    boundaries("capitals", "buurt", crs=28992).to_file(folder / "buurt_2016.shp")
    path = tmp_path / "wijkbuurtkaart.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for f in folder.iterdir():
            archive.write(f, f"shape 2016 versie 3/{f.name}")
    gdf = ws.read_file(path)
    report = ws.report(gdf)
    assert report.year == 2016 and report.levels == {"gemeente": 2, "buurt": 2}  # year from the layer names
    assert gdf.crs.to_epsg() == 4326


def test_rd_coordinates_without_a_declaration_are_recognised(tmp_path):
    gdf = boundaries("statcode", "gemeente", crs=28992)
    data = json.loads(gdf.to_json())
    data.pop("crs", None)
    path = tmp_path / "gemeenten-2021.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = ws.read_file(path)
    assert out.total_bounds == pytest.approx([5.0, 52.0, 5.1, 52.05], abs=1e-6)
    assert any("its coordinates are RD New (EPSG:28992); converted" in w for w in map(str, ws.report(out).warnings))


def test_damaged_boundary_files_give_one_line_errors(tmp_path):
    path = tmp_path / "b.gpkg"
    boundaries("pdok", "wijk").to_file(path, layer="wijken", driver="GPKG")
    truncated = tmp_path / "truncated.gpkg"
    truncated.write_bytes(path.read_bytes()[:3000])
    with pytest.raises(ws.WijkstudieError, match="truncated.gpkg: cannot read the boundaries"):
        ws.read_file(truncated)
    empty_zip = tmp_path / "no-shapes.zip"
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("readme.txt", "nothing here")
    with pytest.raises(ws.WijkstudieError, match="no-shapes.zip: not a file wijkstudie recognises as zip"):
        ws.read_file(empty_zip)
    no_codes = tmp_path / "roads.geojson"
    gpd.GeoDataFrame({"name": ["A1"]}, geometry=[box(5, 52, 5.1, 52.1)], crs=4326).to_file(no_codes)
    with pytest.raises(ws.WijkstudieError, match="without CBS region codes"):
        ws.read_file(no_codes)


def test_a_damaged_crosswalk_file(tmp_path, mirror):
    source = mirror / "crosswalk" / "grenswijzigen" / "grenswijziging_gemeente_van_2020_naar_2022.rda"
    damaged = tmp_path / "m.rda"
    damaged.write_bytes(source.read_bytes()[:200])
    with pytest.raises(ws.WijkstudieError, match="m.rda: a bzip2-compressed file whose content is not an R data"):
        ws.read_file(damaged)


def test_inspect_recognises_the_files_users_have(tmp_path, capsys):
    gpkg = tmp_path / "wijkbuurtkaart_2023_v1.gpkg"
    boundaries("pdok", "buurt", crs=28992).to_file(gpkg, layer="buurten", driver="GPKG")
    sheet = tmp_path / "export.xlsx"
    pd.DataFrame(KWB_ROWS).to_excel(sheet, sheet_name="Blad1", index=False)
    for path, extra, expected in ((gpkg, [], ("cbs-buurten", 2021)), (sheet, ["--year", "2022"], ("kwb", 2022))):
        result = run_cli(capsys, "data", "inspect", path, "--json", *extra)
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        assert (summary["source"], summary["year"]) == expected
    result = run_cli(capsys, "data", "inspect", sheet)
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "--year 2023" in result.stderr
