import json

import pandas as pd
import pytest

import wijkstudie as ws
from wijkstudie import variables as vd

REQUIRED = ["region_code", "region_name", "level", "gemeente_code", "year", "population", "pct_owner_occupied",
            "pct_single_person_households", "pct_age_15_24", "pct_age_25_44", "pct_age_45_64", "pct_age_65_plus",
            "density", "mean_woz", "pct_volunteering", "pct_lonely", "pct_informal_carer"]


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


def test_source_columns_are_year_specific():
    assert vd.source_columns("kwb-odata", 2024)["pct_owner_occupied"].columns == ("Koopwoningen_47",)
    assert "pct_owner_occupied" not in vd.source_columns("kwb-odata", 2017)
    assert vd.source_columns("kwb-odata", 2017)["density"].columns == ("Bevolkingsdichtheid_33",)
    spec = vd.source_columns("rotterdam-wijkprofiel", 2014)["pct_know_each_other"]
    assert spec.columns == ("ElkaarKennen_p",) and spec.scale == 100


def test_derived_percentages_use_their_documented_formula():
    frame = pd.DataFrame({"population": [200.0, 0.0, 50.0], "n_age_65_plus": [50.0, 0.0, None],
                          "n_households": [100.0, 10.0, 20.0], "n_single_person_households": [40.0, 5.0, 20.0]})
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
    """Every KWB 2024 open-data key in the dictionary is in CBS's DataProperties of table 85984NED."""
    props = json.loads((mirror / "cbs-kwb" / "85984NED-DataProperties.json").read_text(encoding="utf-8"))
    keys = {p["Key"] for p in props}
    mapped = {c for spec in vd.source_columns("kwb-odata", 2024).values() for c in spec.columns}
    assert mapped and mapped <= keys, sorted(mapped - keys)
