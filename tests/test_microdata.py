"""Reading user-supplied survey microdata onto the resident schema; broken files are refused with every problem."""

import pandas as pd
import pyreadstat
import pytest

import wijkstudie as ws
from wijkstudie.microdata.survey import load_mapping, load_residents, read_microdata, schema_table

from helpers import MAPPING, survey


def test_csv_is_mapped_onto_the_schema(tmp_path):
    path = tmp_path / "survey.csv"
    survey().to_csv(path, index=False)
    residents = read_microdata(path, MAPPING)
    assert list(residents["tenure"]) == ["owner", "social_rent", "private_rent", "owner", "owner", "social_rent"]
    assert residents["buurt_code"].tolist()[2] == "BU03630000"  # code normalised
    assert residents["gemeente_code"].unique().tolist() == ["GM0363"]
    assert pd.isna(residents["participates"][2])  # "Weet niet" is missing
    assert pd.isna(residents["age"][4])  # 99 is missing
    assert residents["age_group"].astype(str).tolist()[:4] == ["18-29", "30-44", "45-64", "65+"]
    assert ws.provenance_of(residents).kind == "real"


def test_spss_value_labels_are_applied(tmp_path):
    path = tmp_path / "survey.sav"
    frame = survey()
    frame["eig"] = frame["eig"].map({"Koop": 1, "Huur corporatie": 2, "Huur particulier": 3})
    pyreadstat.write_sav(
        frame, str(path), variable_value_labels={"eig": {1: "Koop", 2: "Huur corporatie", 3: "Huur particulier"}}
    )
    residents = read_microdata(path, MAPPING)
    assert residents["tenure"].tolist()[:3] == ["owner", "social_rent", "private_rent"]


def test_stata_file(tmp_path):
    path = tmp_path / "survey.dta"
    survey().to_stata(path, write_index=False)
    assert len(read_microdata(path, MAPPING)) == 6


def test_a_broken_file_is_refused_with_every_problem_in_one_message(tmp_path):
    frame = survey().drop(columns=["vertr"]).astype({"woonduur": object})
    frame.loc[0, "eig"] = "Anti-kraak"
    frame.loc[1, "woonduur"] = "lang"
    frame.loc[2, "plan"] = 3
    path = tmp_path / "broken.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ws.WijkstudieError) as info:
        read_microdata(path, MAPPING)
    message = str(info.value)
    assert message.startswith("broken.csv: 4 problem(s) with mapping Test survey")
    for fragment in (
        "trust_neighbours: column 'vertr' not in the file",
        "tenure: values not in the mapping: Anti-kraak",
        "years_at_address: 1 value(s) are not numbers",
        "aware_of_plans: binary variable has values other than 0/1: 3",
    ):
        assert fragment in message
    assert "\n" not in message


def test_unmapped_required_variables_are_named(tmp_path):
    path = tmp_path / "survey.csv"
    survey().to_csv(path, index=False)
    partial = {**MAPPING, "columns": {k: v for k, v in MAPPING["columns"].items() if k not in ("tenure", "origin")}}
    with pytest.raises(ws.WijkstudieError, match="tenure: not mapped.*origin: not mapped"):
        read_microdata(path, partial)


def test_template_mappings_ship_and_load():
    for name in ("woon", "veiligheidsmonitor"):
        mapping = load_mapping(name)
        assert {"respondent_id", "buurt_code", "tenure", "participates"} <= set(mapping["columns"])
    assert "tenure" in schema_table().index


def test_without_configured_microdata_the_synthetic_survey_is_read_and_labelled(monkeypatch):
    monkeypatch.delenv("WIJKSTUDIE_MICRODATA", raising=False)
    residents = load_residents()
    assert ws.provenance_of(residents).kind == "synthetic" and len(residents) > 10000
    assert set(residents["tenure"].cat.categories) == {"owner", "social_rent", "private_rent"}  # via the schema
    monkeypatch.setenv("WIJKSTUDIE_MICRODATA", "survey.sav")
    monkeypatch.delenv("WIJKSTUDIE_MICRODATA_MAPPING", raising=False)
    with pytest.raises(ws.WijkstudieError, match="WIJKSTUDIE_MICRODATA_MAPPING is not"):
        load_residents()
