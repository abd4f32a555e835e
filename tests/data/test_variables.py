import json

import pandas as pd
import pytest

import wijkstudie as ws
from wijkstudie.data import variables as vd

REQUIRED = [
    "region_code",
    "region_name",
    "level",
    "gemeente_code",
    "year",
    "population",
    "pct_owner_occupied",
    "pct_single_person_households",
    "pct_age_15_24",
    "pct_age_25_44",
    "pct_age_45_64",
    "pct_age_65_plus",
    "density",
    "mean_woz",
    "pct_volunteering",
    "pct_lonely",
    "pct_informal_carer",
]


def test_required_canonical_names_exist_with_both_labels():
    table = ws.variable_table()
    for name in REQUIRED:
        assert name in table.index
        assert table.loc[name, "label_en"] and table.loc[name, "label_nl"]


def test_labels_in_dutch_and_english():
    assert ws.label("pct_owner_occupied", "nl") == "Koopwoningen"
    assert ws.label("pct_owner_occupied", "en", with_unit=True) == "Owner-occupied dwellings (%)"
    with pytest.raises(ws.WijkstudieError, match="unknown variable"):
        ws.label("pct_nonsense")
    with pytest.raises(ws.WijkstudieError, match="language"):
        ws.label("density", "fr")


def test_source_columns_follow_the_keys_of_each_year():
    """OData keys carry a number that changes from year to year; the dictionary matches the name before it."""
    spec = vd.source_columns("kwb-odata", 2024)["pct_owner_occupied"]
    assert vd.resolve(spec, ["ID", "Koopwoningen_47", "HuurwoningenTotaal_48"])[0] == ("Koopwoningen_47",)
    assert vd.resolve(spec, ["ID", "Koopwoningen_40"])[0] == ("Koopwoningen_40",)
    assert vd.resolve(spec, ["ID", "Koopwoningen"])[0] is None  # the number is required
    assert vd.resolve(spec, ["ID", "XKoopwoningen_40"])[0] is None  # the whole name must match
    woz = vd.source_columns("kwb-odata", 2017)["mean_woz"]  # renamed in later years: any_of
    assert vd.resolve(woz, ["GemiddeldeWoningwaarde_35"])[0] == ("GemiddeldeWoningwaarde_35",)
    assert vd.resolve(woz, ["GemiddeldeWOZWaardeVanWoningen_39"])[0] == ("GemiddeldeWOZWaardeVanWoningen_39",)
    # a name twice in one table: the first is taken and the note says so; a year of its own wins over "*"
    origin = vd.source_columns("kwb-odata", 2023)["n_origin_europe"]
    columns, notes = vd.resolve(origin, ["EuropaExclusiefNederland_18", "EuropaExclusiefNederland_21"])
    assert columns == ("EuropaExclusiefNederland_18",) and "took EuropaExclusiefNederland_18" in notes[0]
    assert vd.source_columns("kwb-odata", 2024)["n_origin_europe"].columns == ("EuropaExclusiefNederland_18",)
    spec = vd.source_columns("rotterdam-wijkprofiel", 2014)["pct_know_each_other"]
    assert spec.columns == ("ElkaarKennen_p",) and spec.scale == 100


def test_counts_are_summed_and_shares_averaged_with_their_own_weight():
    assert vd.aggregation("population") == ("sum", None)
    assert vd.aggregation("n_dwellings") == ("sum", None)
    assert vd.aggregation("pct_volunteering") == ("mean", "population")
    assert vd.aggregation("pct_owner_occupied") == ("mean", "n_dwellings")
    assert vd.aggregation("pct_single_person_households") == ("mean", "n_households")
    assert ws.variable_table().loc["pct_owner_occupied", "aggregate"] == "mean (weight: n_dwellings)"


def test_derived_percentages_use_their_documented_formula():
    frame = pd.DataFrame(
        {
            "population": [200.0, 0.0, 50.0],
            "n_age_65_plus": [50.0, 0.0, None],
            "n_households": [100.0, 10.0, 20.0],
            "n_single_person_households": [40.0, 5.0, 20.0],
        }
    )
    derived = vd.derive(frame)
    assert {"pct_age_65_plus", "pct_single_person_households"} <= set(derived)
    assert frame["pct_age_65_plus"].tolist()[0] == 25.0
    assert frame["pct_age_65_plus"][1:].isna().all()  # zero population, missing count
    assert frame["pct_single_person_households"].tolist() == [40.0, 50.0, 100.0]


def test_a_direct_figure_is_not_overwritten_by_a_derived_one():
    frame = pd.DataFrame({"pct_age_65_plus": [20.0], "population": [100.0], "n_age_65_plus": [50.0]})
    vd.derive(frame)
    assert frame["pct_age_65_plus"].tolist() == [20.0]


def test_kwb_2024_keys_exist_in_the_official_codebook(mirror):
    """Every KWB variable of the dictionary is found among the keys of CBS's DataProperties of table 85984NED
    (2024), and the owner-occupied share is the key CBS documents for it."""
    props = json.loads((mirror / "cbs-kwb" / "85984NED-DataProperties.json").read_text(encoding="utf-8"))
    keys = [p["Key"] for p in props]
    resolved = {name: vd.resolve(spec, keys)[0] for name, spec in vd.source_columns("kwb-odata", 2024).items()}
    not_found = sorted(name for name, cols in resolved.items() if cols is None)
    # origin by migration background was replaced by origin country (herkomstland) in 2022
    assert not_found == ["n_migration_non_western", "n_migration_western"]
    assert resolved["pct_owner_occupied"] == ("Koopwoningen_47",)
    assert resolved["mean_woz"] == ("GemiddeldeWOZWaardeVanWoningen_39",)
    assert resolved["pct_low_income"] == ("k_40PersonenMetLaagsteInkomen_84",)
    assert resolved["urbanity"] == ("MateVanStedelijkheid_127",)
