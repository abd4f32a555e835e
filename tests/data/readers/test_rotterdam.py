"""The Rotterdam Wijkprofiel 2014-2024 ('Dataset voor derden'): its reader on a hand-made workbook in its layout and
on the real file, the edition choice (2024 by default, 2016 on request), how each item was measured, and where the
two editions disagree (compare_editions)."""

from __future__ import annotations

import os

import pytest

import wijkstudie as ws
from wijkstudie.core.errors import ArgumentError
from wijkstudie.core.provenance import Source
from wijkstudie.data.catalogue import get_dataset
from wijkstudie.data.variables import variables
from wijkstudie.study.evidence import MEASUREMENT_KINDS, measurement

from helpers import one_line, use_synthetic_world, write_rotterdam_profile_2024

NEW_FILE = "rotterdam-wijkprofiel/Datastructuur wijkprofiel_2024_totaal_Dataset voor derden_basis voor gebieden.xlsx"
OLD_FILE = "rotterdam-wijkprofiel/Datastructuur wijkprofiel vulling 2016_definitief 03022016_Basis voor gebieden.xls"
WAVES = (2014, 2016, 2018, 2020, 2022, 2024)
MERGED = {1009, 1010, 3001, 3003, 3004, 3005, 3006, 3011}  # Rotterdam wijken of several CBS buurten


# --- the reader, on a hand-made workbook in the 2014-2024 layout ------------------------------------------------


@pytest.fixture
def profile(tmp_path):
    table = ws.read_file(write_rotterdam_profile_2024(tmp_path / "wijkprofiel-2024.xlsx"), use_cache=False)
    return table, ws.report(table)


def test_the_2024_layout_is_recognised_by_its_content_and_every_wave_read(profile):
    table, r = profile
    assert r.source == "rotterdam-wijkprofiel" and r.format == "rotterdam-wijkprofiel"
    assert table.groupby("year").size().to_dict() == {2018: 4, 2020: 4}
    # the area columns have no code in row 2, only labels in row 3; 'Feijenoord (wijk)' / '(gebied)' lose the suffix
    one = table[table["year"] == 2018].set_index("area_number")
    assert one.loc[87, "region_name"] == one.loc[4007, "region_name"] == "Feijenoord"
    assert one.loc[87, "area_type"] == "wijk" and one.loc[4007, "area_type"] == "gebied"
    assert one.loc[80, "pct_volunteering"] == pytest.approx(20.0) and one.loc[5000, "level"] == "gemeente"


def test_copies_repeated_codes_and_text_cells_are_recorded(profile):
    table, r = profile
    copies = {(c["year"], c["column"]): c for c in r.details["copies"]}
    assert copies[(2018, "kopie_Vrijwilligers_p")]["identical"] and copies[(2018, "kopie_Vrijwilligers_p")]["dropped"]
    assert not copies[(2018, "kopie_Burenhulp_p")]["dropped"]  # differs from Burenhulp_p: kept
    assert "kopie_Vrijwilligers_p" not in table and "kopie_Burenhulp_p" in table
    repeated = {(d["year"], d["code"]): d for d in r.details["duplicates"]}
    assert repeated[(2018, "FI")]["identical"] and repeated[(2018, "FI")]["kept"] == "FI-subj 2018"
    assert not repeated[(2020, "Ms")]["identical"]  # two meanings: both kept, the later sheet's qualified
    one = table[table["year"] == 2020].set_index("area_number")
    assert one.loc[80, "Ms"] == 95 and one.loc[80, "Ms (FI-subj)"] == 80
    assert r.details["blocks"]["2020"]["Ms (FI-subj)"] == "FI-subj" and r.details["blocks"]["2020"]["VIo"] == "VI"
    # text cells: NaN, counted per column and wave with an example; none in 2020
    (cells,) = r.details["text_cells"]
    assert (cells["year"], cells["column"], cells["sheet"], cells["cells"]) == (2018, "Heel", "FI-obj 2018", 3)
    assert cells["example"] in cells["texts"] and "vanwege nieuwe meetwijze" in cells["texts"]
    assert table.loc[table["year"] == 2018, "Heel"].isna().all()
    assert table.loc[table["year"] == 2020, "Heel"].tolist() == [7.0, 8.0, 9.0, 10.0]
    assert any("3 text cell(s) in 'Heel' (FI-obj 2018)" in w for w in map(str, r.warnings))


def test_the_survey_method_of_2020_is_a_column_and_a_record(profile):
    table, r = profile
    assert table.groupby("year")["method_2020"].unique().map(list).to_dict() == {2018: [False], 2020: [True]}
    assert r.details["survey_method"] == {
        "new_method_from": 2020,
        "waves_new_method": [2020],
        "waves_old_method": [2018],
    }


# --- the real file ------------------------------------------------------------------------------------------------


def test_all_six_waves_and_four_blocks_of_the_real_file(mirror):
    table = ws.read_file(mirror / NEW_FILE)
    r = ws.report(table)
    assert r.year == 2024 and sorted(set(table["year"])) == list(WAVES)
    for year, wave in table.groupby("year"):
        assert wave["area_type"].value_counts().to_dict() == {"wijk": 71, "gebied": 14, "stad": 1}, year
        wijken = wave[wave["area_type"] == "wijk"]
        # every wijk has survey figures in every wave (the MANIFEST's "63 have survey values" is the linking count)
        assert wijken["pct_volunteering"].notna().sum() == 71, year
        assert wijken["pct_neighbour_help"].between(0, 100).all()
        assert (wave["method_2020"] == (year >= 2020)).all()
    blocks = r.details["blocks"]["2022"]
    assert {blocks[c] for c in ("Vrijwilligers_p", "FIs", "Heel", "VIo")} == {"SI", "FI-subj", "FI-obj", "VI"}
    assert blocks["Vrijwilligers_p"] == "SI" and blocks["Heel"] == "FI-obj" and blocks["VIo"] == "VI"
    # FI, FIs and FIo are in both FI sheets with the same figures in every wave: kept once, from FI-subj
    fi = [d for d in r.details["duplicates"] if d["code"] in ("FI", "FIs", "FIo")]
    assert len(fi) == 18 and all(d["identical"] and d["kept"].startswith("FI-subj") for d in fi)
    copies = r.details["copies"]
    assert len(copies) == 60 and all(c["dropped"] for c in copies)  # 10 kopie_ columns per wave, all equal
    assert not [c for c in table.columns if c.startswith("kopie_")]
    cells = {(c["year"], c["column"]): c["cells"] for c in r.details["text_cells"]}
    assert cells == {(2014, "Heel"): 6, (2016, "Heel"): 6, (2018, "Heel"): 6}
    texts = {t for c in r.details["text_cells"] for t in c["texts"]}
    assert texts == {"gegeven niet beschikbaar", "vanwege nieuwe meetwijze", "score 2020 = nulmeting"}


def test_a_wave_loads_linked_to_cbs_with_its_own_records(mirror):
    table = ws.load("rotterdam-wijkprofiel", year=2022)
    r = ws.report(table)
    assert len(table) == 86 and set(table["year"]) == {2022} and table["method_2020"].all()
    assert "linked 14 of 14 Rotterdam gebieden to CBS wijk codes by name" in map(str, r.warnings)
    assert any(w.startswith("linked 63 of 71 Rotterdam wijken") for w in map(str, r.warnings))
    wijken = table[table["area_type"] == "wijk"]
    unlinked = set(wijken.loc[wijken["region_code"].str.startswith("RTD"), "area_number"])
    assert unlinked == MERGED
    assert wijken.set_index("area_number").loc[80, "region_name"] == "Vreewijk"
    assert r.details["edition"] == 2024 and r.details["text_cells"] == []
    assert all(d["year"] == 2022 for d in r.details["duplicates"])
    assert any("edition 2024 of rotterdam-wijkprofiel" in n for n in r.notes)
    old_wave = ws.report(ws.load("rotterdam-wijkprofiel", year=2014))
    assert [(c["column"], c["cells"]) for c in old_wave.details["text_cells"]] == [("Heel", 6)]
    assert not any(w.startswith("2016:") for w in map(str, old_wave.warnings))  # the other waves' warnings stay out


def test_every_variable_read_has_its_measurement_kind_and_objectief_does_not_decide_it(mirror):
    table = ws.load("rotterdam-wijkprofiel", year=2024)
    source = Source("rotterdam-wijkprofiel", 2024, variant="wijkprofiel")
    listed = get_dataset("rotterdam-wijkprofiel").measurement["variables"]
    read = [c for c in table.columns if c in variables()]
    assert len(read) == 30 and set(read) <= set(listed)  # every one said explicitly, none left to the default
    kinds = {name: measurement(source, name)[0] for name in read}
    assert set(kinds.values()) <= set(MEASUREMENT_KINDS)
    # filed under Rotterdam's "objectief" sub-indices, but answers to the survey
    for name in ("pct_volunteering", "pct_neighbour_help", "pct_contact_with_neighbours", "pct_residents_initiative"):
        assert kinds[name] == "direct survey", name
    for name in ("pct_long_term_residents", "pct_residential_mobility", "pct_newcomers", "safety_index_objective"):
        assert kinds[name] == "register", name
    assert kinds["social_index_objective"] == kinds["physical_index_objective"] == "composite index"
    assert variables()["pct_involved_in_plans"]["concept"] == "knowing the plans"


# --- the editions -------------------------------------------------------------------------------------------------


def test_the_newest_edition_is_the_default_and_the_2016_file_is_one_argument_away(mirror):
    new = ws.load("rotterdam-wijkprofiel", year=2014, level="gemeente")
    old = ws.load("rotterdam-wijkprofiel", year=2014, level="gemeente", edition=2016)
    assert ws.report(new).file.endswith(NEW_FILE.split("/")[1]) and ws.report(old).file.endswith(OLD_FILE.split("/")[1])
    assert ws.report(old).details["edition"] == 2016 and ws.report(new).absent == {}
    assert set(ws.report(old).absent) == {"pct_residents_initiative", "pct_involved_in_plans", "pct_neighbour_help"}
    assert new["pct_active_for_neighbourhood"].iloc[0] == pytest.approx(12.716, abs=1e-3)
    assert old["pct_active_for_neighbourhood"].iloc[0] == pytest.approx(58.835, abs=1e-3)
    assert "method_2020" in new and not old["method_2020"].any()
    with pytest.raises(ArgumentError) as exc:
        ws.load("rotterdam-wijkprofiel", year=2018, edition=2016)
    one_line(exc, "no edition 2016 for 2018", "available: 2024")
    assert ws.fetch("rotterdam-wijkprofiel", year=2016, edition=2016) == mirror / OLD_FILE
    assert ws.fetch("rotterdam-wijkprofiel", year=2016) == mirror / NEW_FILE


def test_available_and_describe_show_both_editions(mirror):
    here = ws.available(["rotterdam-wijkprofiel"], network=False)
    choices = set(zip(here["year"], here["choice"], here["from"]))
    assert (2014, "sheet=wijkprofiel, edition=2016", "mirror") in choices
    assert (2014, "sheet=wijkprofiel, edition=2024", "mirror") in choices
    assert (2022, "sheet=wijkprofiel, edition=2024", "mirror") in choices and len(here) == 9
    text = ws.describe("rotterdam-wijkprofiel")
    assert "editions:    2024, 2016" in text and "2016 sheet=wijkprofiel edition=2016" in text
    assert "Dataset voor derden" in text
    labels = [r.label for r in get_dataset("rotterdam-wijkprofiel").resources]
    assert len(labels) == len(set(labels)) and "rotterdam-wijkprofiel 2014 (wijkprofiel, edition 2016)" in labels


@pytest.fixture(scope="module")
def comparison(tmp_path_factory, real_mirror):
    """The two editions compared once for the tests below (reading both files takes a while)."""
    base = tmp_path_factory.getbasetemp()
    base = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WIJKSTUDIE_CONFIG", "none")
        mp.setenv("WIJKSTUDIE_DATA_DIR", str(base / "shared-cache"))
        mp.setenv("WIJKSTUDIE_MIRROR", str(real_mirror))
        mp.setenv("WIJKSTUDIE_DATA", "real")
        return ws.compare_editions("rotterdam-wijkprofiel").set_index(["variable", "block", "year"])


def test_compare_editions_pins_what_rotterdam_recomputed(comparison):
    c = comparison
    active = c.loc[("pct_active_for_neighbourhood", "SI", 2014)]
    assert active["n_compared"] == active["n_differing"] == 86  # every area
    assert (round(active["city_2016"], 1), round(active["city_2024"], 1)) == (58.8, 12.7)
    long_term = c.loc[("pct_long_term_residents", "SI", 2014)]
    assert (round(long_term["city_2016"], 1), round(long_term["city_2024"], 1)) == (41.8, 39.3)
    for name in ("pct_residential_mobility", "schuldhulpstand_p", "social_index", "Bs", "Bo"):
        for year in (2014, 2016):
            assert c.loc[(name, "SI", year), "status"] == "differs", (name, year)
            assert c.loc[(name, "SI", year), "n_differing"] >= 84, (name, year)
    # Ms and Mo: the 2016 file used them for two indices; the physical ones are the same in both editions, the
    # social ones ("Meedoen") are not in the 2024 edition at all
    for code, block in (("Ms", "FI-subj"), ("Mo", "FI-obj")):
        for year in (2014, 2016):
            assert c.loc[(code, block, year), "status"] == "identical"
            assert c.loc[(code, "SI", year), "status"] == "only in edition 2016"
    assert (c["n_compared"] > 0).groupby("year").sum().to_dict() == {2014: 256, 2016: 256}


def test_compare_editions_most_items_are_identical_and_2016_revised_three_areas(comparison):
    c = comparison.reset_index()
    compared = c[c["n_compared"] > 0]
    differs_2014 = set(compared.loc[(compared["year"] == 2014) & (compared["status"] == "differs"), "variable"])
    assert differs_2014 == {
        "pct_long_term_residents",
        "pct_residential_mobility",
        "pct_active_for_neighbourhood",
        "pct_trust_municipality",
        "social_index",
        "social_index_subjective",
        "social_index_objective",
        "Bs",
        "Bo",
        "Bijstandsontvangers_p",
        "schuldhulpstand_p",
        "overlijden_p",
        "langverblijfrotterdam_p",
    }
    assert (compared["year"] == 2014).sum() - len(differs_2014) == 243  # identical to 1e-9
    for name in ("pct_feel_at_home", "pct_shared_norms", "pct_informal_carer", "pct_volunteering"):
        row = compared[(compared["variable"] == name) & (compared["year"] == 2014)].iloc[0]
        assert row["status"] == "identical" and row["max_abs_diff"] < 1e-9  # renamed in 2024, not changed
    # 2016: the survey items revised in wijk 65 and gebied 4004 only (and so in the city)
    small = compared[(compared["year"] == 2016) & (compared["status"] == "differs") & (compared["n_differing"] <= 3)]
    assert len(small) == 49 and {a for areas in small["differing_areas"] for a in areas} == {65, 4004, 5000}
    know = compared[(compared["variable"] == "pct_know_each_other") & (compared["year"] == 2016)].iloc[0]
    assert know["differing_areas"] == (65, 4004, 5000)
    assert (compared[compared["status"] == "identical"]["max_abs_diff"] <= 1e-9).all()


def test_compare_editions_refuses_what_cannot_be_compared():
    with pytest.raises(ArgumentError) as exc:
        ws.compare_editions("kwb")
    one_line(exc, "kwb", "no two editions")
    with pytest.raises(ArgumentError) as exc:
        ws.compare_editions("rotterdam-wijkprofiel", 2020)
    one_line(exc, "no year 2020 in both edition 2016 and 2024", "2014, 2016")
    with pytest.raises(ArgumentError) as exc:
        ws.compare_editions("rotterdam-wijkprofiel", editions=(2015, 2024))
    one_line(exc, "no edition 2015", "2024, 2016")


def test_a_wave_the_file_does_not_hold_is_a_one_line_error(monkeypatch):
    """The synthetic world writes the Wijkprofiel's six waves where the default edition's file lies; an edition that
    does not hold a wave says so in one line."""
    use_synthetic_world(monkeypatch)
    for year in (2014, 2016, 2018, 2020, 2022, 2024):
        assert set(ws.load("rotterdam-wijkprofiel", year=year)["year"]) == {year}
    with pytest.raises(ws.ArgumentError) as exc:
        ws.load("rotterdam-wijkprofiel", year=2018, edition=2016)
    one_line(exc, "rotterdam-wijkprofiel: no edition 2016 for 2018; available: 2024")
