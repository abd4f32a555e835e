"""CBS StatLine survey tables (readers/statline.py): the CSV dump and the open-data feed read to one long table,
every form of margin, periods, characteristics, the Veiligheidsmonitor's gemeenten linked to CBS codes, and
tables the catalogue does not list."""

import csv
import json
import math
import warnings

import pandas as pd
import pytest

import wijkstudie as ws
from wijkstudie.data.readers.statline import parse_period, region_kind, split_characteristic

from helpers import FIXTURES, one_line, run_cli

DUMP = FIXTURES / "statline-85541NED.csv"
FEED = FIXTURES / "statline-85541NED-feed.json"
TABLES = ["82249NED", "85541NED", "60027ned", "85533NED", "81924NED", "85146NED", "81925NED", "85844NED"]


def write_dump(path, header: str, rows: list[str]):
    """A StatLine CSV dump as the mirror has them: ``;``, UTF-8 with a byte-order mark, a leading ID column."""
    lines = [f"ID;{header}"] + [f"{i};{row}" for i, row in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def read(path) -> pd.DataFrame:
    return ws.read_file(path, use_cache=False)


def cell(frame, **where) -> pd.Series:
    rows = frame
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, (where, len(rows))
    return rows.iloc[0]


# --- both shapes -------------------------------------------------------------------------------------------------


def test_the_csv_dump_and_the_feed_read_to_the_same_long_table():
    dump, feed = read(DUMP), read(FEED)
    same = [c for c in dump.columns if c not in ("period", "measure_title")]
    pd.testing.assert_frame_equal(dump[same], feed[same])
    assert len(dump) == 23  # 4 groups x 2 years x 3 measures, one cell empty in the file
    row = cell(dump, group="15 tot 25 jaar", year=2019, measure="Buurt_46")
    assert (row["table_id"], row["category"], row["value"], row["lower"], row["upper"]) == (
        "85541NED",
        "Leeftijd",
        2.9,
        2.3,
        3.5,
    )
    assert row["variable"] == "pct_volunteering_neighbourhood"
    # the feed has keys and titles: its periods are the keys, its measures have titles; the dump has neither
    assert set(feed["period"]) == {"2019JJ00", "2020JJ00"} and set(dump["period"]) == {"2019", "2020"}
    assert cell(feed, group="Totaal", year=2020, measure="Buurt_46")["measure_title"] == "Buurt"
    assert dump["measure_title"].isna().all()
    report = ws.report(feed)
    assert (report.source, report.year, report.variant) == ("cbs-statline", 2020, "85541NED")
    assert ws.provenance_of(feed).sources[0].dataset == "cbs-statline"


def test_a_table_fetched_from_the_feed_lands_in_the_shape_the_reader_reads(tmp_path, monkeypatch):
    """``fetch`` stores what cbsodata gives for a StatLine table as one JSON object (no network here: cbsodata's
    download is replaced by one that returns the fixture's parts, as cbsodata does, and writes them as files)."""
    import cbsodata

    from wijkstudie.data.download import _download_odata

    parts = json.loads(FEED.read_text(encoding="utf-8"))

    def download_data(table_id, dir=None, **kwargs):
        assert table_id == "85541NED"
        for name, rows in parts.items():
            with open(f"{dir}/{name}.json", "w", encoding="utf-8") as fh:
                json.dump(rows, fh)
        return parts

    monkeypatch.setattr(cbsodata, "download_data", download_data)
    target = tmp_path / "85541NED.json"
    _download_odata("85541NED", None, target, with_metadata=True)
    pd.testing.assert_frame_equal(read(target), read(FEED))


# --- margins -----------------------------------------------------------------------------------------------------


def test_bound_rows_are_the_bounds(tmp_path):
    path = write_dump(
        tmp_path / "85146NED.csv",
        "Marges;RegioS;Perioden;VeelContactMetAndereBuurtbewoners_11",
        [
            "Waarde;Nederland;2021;20.0",
            "Betrouwbaarheidsmarge ondergrens;Nederland;2021;19.5",
            "Betrouwbaarheidsmarge bovengrens;Nederland;2021;20.6",
        ],
    )
    row = cell(read(path), measure="VeelContactMetAndereBuurtbewoners_11")
    assert (row["value"], row["lower"], row["upper"]) == (20.0, 19.5, 20.6)
    assert any("bounds as published" in n for n in ws.report(read(path)).notes)


def test_lower_and_upper_margins_that_are_sizes_are_taken_from_the_value(tmp_path):
    path = write_dump(
        tmp_path / "85146NED.csv",
        "Marges;RegioS;Perioden;VeelContactMetAndereBuurtbewoners_11",
        [
            "Waarde;Nederland;2021;20.0",
            "Waarde;Nederland;2023;30.0",
            "Betrouwbaarheidsmarge ondergrens;Nederland;2021;0.5",
            "Betrouwbaarheidsmarge ondergrens;Nederland;2023;1.5",
            "Betrouwbaarheidsmarge bovengrens;Nederland;2021;0.6",
            "Betrouwbaarheidsmarge bovengrens;Nederland;2023;1.0",
        ],
    )
    table = read(path)
    assert (cell(table, year=2021)["lower"], cell(table, year=2021)["upper"]) == (19.5, 20.6)
    assert (cell(table, year=2023)["lower"], cell(table, year=2023)["upper"]) == (28.5, 31.0)
    assert any("are sizes" in n for n in ws.report(table).notes)


def test_a_symmetric_margin_gives_the_value_minus_and_plus_it(tmp_path):
    path = write_dump(
        tmp_path / "81924NED.csv",
        "Marges;RegioS;Perioden;SocialeCohesieSchaalscore_13",
        ["Waarde;Rotterdam;2019;5.6", "Betrouwbaarheidsmarge;Rotterdam;2019;0.2"],
    )
    row = cell(read(path), measure="SocialeCohesieSchaalscore_13")
    assert row["value"] == 5.6 and math.isclose(row["lower"], 5.4) and math.isclose(row["upper"], 5.8)
    assert row["variable"] == "social_cohesion_vm" and row["region_kind"] == "gemeente"


def test_a_table_without_margins_has_no_bounds(tmp_path):
    path = write_dump(
        tmp_path / "60027ned.csv",
        "Persoonskenmerken;Perioden;GeorganiseerdVrijwilligerswerk_60",
        ["Mannen;2010;21.0", "Vrouwen;2010;24.0"],
    )
    table = read(path)
    assert list(table["value"]) == [21.0, 24.0] and table[["lower", "upper"]].isna().all().all()
    assert set(table["table_id"]) == {"60027ned"}


def test_the_real_margins_are_read_as_the_files_give_them(mirror):
    """Each file's own cells, read here with the csv module: bounds (85541NED, 85146NED), a symmetric margin
    (81924NED), none (60027ned)."""

    def raw_cells(name, dimension, title, period, measure):
        with open(mirror / "cbs-statline" / name, encoding="utf-8-sig", newline="") as fh:
            return {
                r.get("Marges") or r.get("Cijfersoort"): float(r[measure])
                for r in csv.DictReader(fh, delimiter=";")
                if r[dimension].strip() == title and r["Perioden"] == period
            }

    table = ws.load("cbs-statline", table="85541NED")
    raw = raw_cells("85541NED.csv", "Kenmerken", "Totaal", "2019", "Buurt_46")
    row = cell(table, characteristic="Totaal", year=2019, measure="Buurt_46")
    assert (row["value"], row["lower"], row["upper"]) == (
        raw["Waarde"],
        raw["Ondergrens 95%-interval"],
        raw["Bovengrens 95%-interval"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the gemeenten that do not link: tested below
        vm = ws.load("cbs-statline", table="81924NED")
        vm21 = ws.load("cbs-statline", table="85146NED")
    raw = raw_cells("81924NED.csv", "RegioS", "Rotterdam", "2019", "VeelContactMetAndereBuurtbewoners_11")
    row = cell(vm, region="Rotterdam", year=2019, measure="VeelContactMetAndereBuurtbewoners_11")
    margin = raw["Betrouwbaarheidsmarge"]
    assert margin > 0 and math.isclose(row["lower"], raw["Waarde"] - margin)
    assert math.isclose(row["upper"], raw["Waarde"] + margin)
    raw = raw_cells("85146NED.csv", "RegioS", "Rotterdam (GM)", "2023", "DeelnameAanApp_215")
    row = cell(vm21, region="Rotterdam (GM)", year=2023, measure="DeelnameAanApp_215")
    assert (row["lower"], row["value"], row["upper"]) == (
        raw["Betrouwbaarheidsmarge ondergrens"],
        raw["Waarde"],
        raw["Betrouwbaarheidsmarge bovengrens"],
    )
    assert row["variable"] == "pct_neighbourhood_app_member"
    pols = ws.load("cbs-statline", table="60027ned")
    assert pols[["lower", "upper"]].isna().all().all() and pols["value"].notna().all()


# --- periods, characteristics, regions ------------------------------------------------------------------------


def test_periods_give_the_year_and_the_quarter(tmp_path):
    assert parse_period("2019") == (2019, None)
    assert parse_period("2019JJ00") == (2019, None)
    assert parse_period("2019KW02") == (2019, 2)
    assert parse_period("2019 2e kwartaal") is None
    path = write_dump(
        tmp_path / "quarters.csv",
        "Marges;Kenmerken;Perioden;Tevreden_1",
        ["MW00000;Totaal;2019KW01;70.0", "MW00000;Totaal;2019KW02;71.0", "MW00000;Totaal;2020JJ00;72.0"],
    )
    table = read(path)
    assert list(table["year"]) == [2019, 2019, 2020]
    assert list(table["quarter"].astype(object).where(table["quarter"].notna(), None)) == [1, 2, None]
    assert ws.report(table).year == 2020  # the last period


def test_a_characteristic_splits_into_category_and_group():
    assert split_characteristic("Leeftijd: 15 tot 25 jaar") == ("Leeftijd", "15 tot 25 jaar")
    assert split_characteristic("Positie in huish.: lid paar geen ouder") == (
        "Positie in huishouden",
        "lid paar geen ouder",
    )
    assert split_characteristic("Positie in hh.: kind") == ("Positie in huishouden", "kind")
    assert split_characteristic("Stedelijkheid: niet stedelijk ") == ("Stedelijkheid", "niet stedelijk")
    assert split_characteristic("Totaal persoonskenmerken") == ("Totaal", "Totaal persoonskenmerken")
    assert split_characteristic("Mannen") == (None, "Mannen")


def test_the_household_positions_of_the_real_tables_share_one_category(mirror):
    for table_id in ("82249NED", "85541NED", "85533NED"):
        table = ws.load("cbs-statline", table=table_id)
        groups = set(table.loc[table["category"] == "Positie in huishouden", "group"])
        assert len(groups) == 6, (table_id, groups)
        assert not table["category"].dropna().str.contains(r"huish\.|\bhh\b").any()


def test_region_kinds():
    assert region_kind("Nederland") == "land"
    assert region_kind("Alkmaar (GM)") == region_kind("Alkmaar") == region_kind("Utrecht (gemeente)") == "gemeente"
    assert region_kind("Fryslân (PV)") == "province"
    assert {region_kind(t) for t in ("Sneek (BT)", "Twente (PD)", "Rotterdam (RE)")} == {"police unit"}
    assert {region_kind(t) for t in ("G4", "Gemeenten > 70 000 inwoners", "Noord-Nederland (LD)")} == {"other"}
    assert region_kind("Amsterdam-Centrum/-Noord") == "other"
    assert region_kind("Alkmaar", key="BT010101") == "police unit"  # the feed's key wins


# gemeente rows per wave that link to a CBS code by name (names of the KWB 2017 and 2022 tables and the 2022
# boundaries in the mirror): Spijkenisse (merged into Nissewaard in 2015) and Hoeksche Waard (2019) are not in
# the 2017 list, Voorne aan Zee (2023) not in the 2022 list
LINKED = {
    "81924NED": {2013: (49, 50), 2014: (49, 50), 2015: (50, 50), 2016: (50, 50), 2017: (51, 51), 2019: (51, 52)},
    "85146NED": {2021: (52, 52), 2023: (54, 55)},
}


@pytest.mark.parametrize("table_id", sorted(LINKED))
def test_the_veiligheidsmonitor_gemeenten_link_to_cbs_codes(mirror, table_id):
    with pytest.warns(ws.WijkstudieWarning, match="gemeente rows? not linked to a CBS code") as caught:
        table = ws.load("cbs-statline", table=table_id)
    gm = table[table["region_kind"] == "gemeente"].drop_duplicates(["region", "year"])
    counts = {int(y): (int(g["region_code"].notna().sum()), len(g)) for y, g in gm.groupby("year")}
    assert counts == LINKED[table_id]
    assert gm["region_code"].dropna().str.match(r"^GM\d{4}$").all()
    assert cell(gm, region="Rotterdam" if table_id == "81924NED" else "Rotterdam (GM)", year=2019 if table_id ==
                "81924NED" else 2023)["region_code"] == "GM0599"  # fmt: skip
    police = table[table["region_kind"] == "police unit"]
    assert len(police) and police["region_code"].isna().all()
    assert set(table.loc[table["region_kind"] == "land", "region_code"]) == {"NL01"}
    message = str(caught[0].message)
    assert ("Spijkenisse (2013)" in message) if table_id == "81924NED" else ("Voorne aan Zee (2023)" in message)
    report = ws.report(table)
    assert any(n.startswith("linked ") for n in report.notes) and any(
        "not linked" in w for w in map(str, report.warnings)
    )


# --- every file, other tables, broken tables ---------------------------------------------------------------


@pytest.mark.parametrize("table_id", TABLES)
def test_every_statline_file_of_the_mirror_reads(mirror, table_id):
    table = ws.read_file(mirror / "cbs-statline" / f"{table_id}.csv")
    report = ws.report(table)
    assert (report.source, report.variant, report.year) == ("cbs-statline", table_id, int(table["year"].max()))
    assert set(table["table_id"]) == {table_id} and table["value"].notna().all()
    by = "region" if table_id in ("81924NED", "85146NED") else "characteristic"
    assert table[by].notna().all() and table["measure"].str.match(r"^\w+_\d+$").all()
    assert not table.duplicated([by, "period", "measure"]).any()
    bounded = table.dropna(subset=["lower", "upper"])
    assert (bounded["lower"] <= bounded["value"] + 1e-9).all() and (bounded["value"] <= bounded["upper"] + 1e-9).all()


def test_a_statline_table_the_catalogue_does_not_list_is_recognised_by_its_content(tmp_path, capsys):
    path = write_dump(
        tmp_path / "export.csv",
        "Geslacht;Marges;Perioden;TevredenMetWoning_1;RapportcijferWoning_2",
        [
            "Mannen;Waarde;2022JJ00;85.0;7.8",
            "Mannen;Ondergrens 95%-interval;2022JJ00;84.0;7.7",
            "Mannen;Bovengrens 95%-interval;2022JJ00;86.0;7.9",
            "Vrouwen;Waarde;2022JJ00;86.5;",
            "Vrouwen;Ondergrens 95%-interval;2022JJ00;85.5;",
            "Vrouwen;Bovengrens 95%-interval;2022JJ00;87.5;",
        ],
    )
    table = read(path)
    assert len(table) == 3 and table["table_id"].isna().all() and table["variable"].isna().all()
    assert cell(table, group="Vrouwen", measure="TevredenMetWoning_1")[["lower", "upper"]].tolist() == [85.5, 87.5]
    result = run_cli(capsys, "data", "inspect", path)
    assert result.returncode == 0 and "cbs-statline" in result.stdout and "2022" in result.stdout


def test_inspect_says_what_a_statline_file_holds(mirror, capsys):
    result = run_cli(capsys, "data", "inspect", mirror / "cbs-statline" / "85146NED.csv")
    assert result.returncode == 0
    assert "table: 85146NED" in result.stdout and "years in the file: 2021, 2023" in result.stdout
    assert "bounds as published" in result.stdout and "measures: 224" in result.stdout
    assert "regions: police unit 221, gemeente 55, province 12, other 8, land 1" in result.stdout
    assert "pct_would_give_neighbour_key" in result.stdout


@pytest.mark.parametrize(
    "rows, fragment",
    [
        (["Totaal;Waarde;2019;1.0", "Totaal;Ondergrens 95%-interval;2020;0.5"], "has no value row (Waarde)"),
        (["Totaal;Waarde;2019;1.0", "Totaal;Waarde;2019;2.0"], "occurs twice with different numbers"),
        (["Totaal;Waarde;2019;1.0", "Totaal;Waarde;negentien;2.0"], "is not a year"),
    ],
)
def test_a_broken_table_is_a_one_line_error(tmp_path, rows, fragment):
    path = write_dump(tmp_path / "85541NED.csv", "Kenmerken;Marges;Perioden;Buurt_46", rows)
    with pytest.raises(ws.DataFormatError) as exc:
        read(path)
    one_line(exc, "85541NED.csv", fragment)


def test_load_describe_and_available_know_the_tables(mirror):
    assert "table=" in ws.describe("cbs-statline") and "81924NED" in ws.describe("cbs-statline")
    assert "direct survey" in ws.describe("cbs-statline") or "Bron: CBS" in ws.describe("cbs-statline")
    with pytest.raises(ws.ArgumentError) as exc:
        ws.load("cbs-statline", table="99999NED")
    one_line(exc, "99999NED")
    with pytest.raises(ws.ArgumentError) as exc:
        ws.read_file(mirror / "cbs-statline" / "85541NED.csv", year=2019)
    one_line(exc, "its year is its last period", "2023", "year=2019")
    with pytest.warns(ws.WijkstudieWarning, match="gemeente rows? not linked"):  # 81924NED, 85146NED: tested above
        covered = ws.coverage(["cbs-statline"]).set_index("choice")
    assert covered["available"].all() and len(covered) == len(TABLES)
    assert covered.loc["table=81924NED", "variables"] == 10 and covered.loc["table=60027ned", "variables"] == 0
    table = ws.load("cbs-statline", table="85533NED")
    trust = cell(table, characteristic="Totaal", year=2023, variable="pct_trust_other_people")
    assert trust["measure"] == "VertrouwenInAndereMensen_1" and trust["lower"] < trust["value"] < trust["upper"]


def test_a_region_table_from_the_feed_takes_its_gemeente_codes_from_the_keys(tmp_path):
    """In the feed, RegioS holds CBS keys: a gemeente's key is its code, a police unit's is not a CBS area."""
    regions = [("NL01  ", "Nederland"), ("GM0599", "Rotterdam"), ("BT090101", "Delfshaven"), ("PV28  ", "Zuid-Holland")]
    rows = []
    for key, _ in regions:
        for margin, number in (("MW00000", 60.0), ("MOG0095", 58.0), ("MBG0095", 62.0)):
            rows.append({"ID": len(rows), "Marges": margin, "RegioS": key, "Perioden": "2023JJ00",
                         "DurfMijnHuissleutelTeGeven_13": number})  # fmt: skip
    feed = {
        "TableInfos": [{"Identifier": "85146NED", "Title": "Veiligheidsmonitor; regio"}],
        "DataProperties": [
            {"ID": 0, "Type": "Dimension", "Key": "Marges", "Title": "Marges"},
            {"ID": 1, "Type": "GeoDimension", "Key": "RegioS", "Title": "Regio's"},
            {"ID": 2, "Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden"},
            {
                "ID": 3,
                "Type": "Topic",
                "Key": "DurfMijnHuissleutelTeGeven_13",
                "Title": "Durf mijn huissleutel te geven",
            },
        ],
        "Marges": [
            {"Key": "MW00000", "Title": "Waarde"},
            {"Key": "MOG0095", "Title": "Betrouwbaarheidsmarge ondergrens"},
            {"Key": "MBG0095", "Title": "Betrouwbaarheidsmarge bovengrens"},
        ],  # fmt: skip
        "RegioS": [{"Key": k, "Title": t} for k, t in regions],
        "Perioden": [{"Key": "2023JJ00", "Title": "2023"}],
        "TypedDataSet": rows,
    }
    path = tmp_path / "85146NED.json"
    path.write_text(json.dumps(feed), encoding="utf-8")
    table = read(path)
    assert dict(zip(table["region"], table["region_kind"])) == {
        "Nederland": "land",
        "Rotterdam": "gemeente",
        "Delfshaven": "police unit",
        "Zuid-Holland": "province",
    }
    assert dict(zip(table["region"], table["region_code"].fillna("-"))) == {
        "Nederland": "NL01",
        "Rotterdam": "GM0599",
        "Delfshaven": "-",
        "Zuid-Holland": "-",
    }
    assert set(table["variable"]) == {"pct_would_give_neighbour_key"} and set(table["lower"]) == {58.0}
    assert set(table["measure_title"]) == {"Durf mijn huissleutel te geven"}


def test_without_a_list_of_gemeente_names_nothing_links_and_the_load_says_so():
    from wijkstudie.data.readers.statline import link_gemeenten

    frame = pd.DataFrame({"region": ["Alkmaar", "Sneek (BT)"], "region_kind": ["gemeente", "police unit"],
                          "year": [2019, 2019]})  # fmt: skip
    out, notes, unlinked = link_gemeenten(frame, {})
    assert out["region_code"].isna().all() and unlinked == ["Alkmaar (2019)"] and "no list" in notes[0]
    names = {2017: pd.DataFrame({"region_code": ["GM0361"], "region_name": ["Alkmaar"]})}
    out, notes, unlinked = link_gemeenten(frame, names)
    assert list(out["region_code"].fillna("-")) == ["GM0361", "-"]
    assert unlinked == [] and notes == [
        "linked 1 of 1 gemeenten of the 2019 wave to CBS codes by name (gemeente names of 2017)"
    ]


def test_a_damaged_feed_table_is_a_one_line_error(tmp_path):
    path = tmp_path / "85541NED.json"
    path.write_text(json.dumps({"TypedDataSet": [{"Perioden": "2019JJ00", "Buurt_46": 1}], "DataProperties": 5}))
    with pytest.raises(ws.DataFormatError) as exc:
        read(path)
    one_line(exc, "85541NED.json", "a damaged CBS open-data table")
