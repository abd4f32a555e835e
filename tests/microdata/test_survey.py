"""Reading user-supplied survey microdata onto the resident schema; broken files, impossible values and broken or
aliased mapping files are refused with every problem."""

import os

import pandas as pd
import pyreadstat
import pytest

import wijkstudie as ws
from wijkstudie.microdata.survey import load_mapping, load_residents, read_microdata, schema_table

from helpers import MAPPING, one_line, survey


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


def test_numbers_that_cannot_be_whole_numbers_join_the_problem_list(tmp_path):
    frame = survey().astype({"lft": object, "jaar": object})
    frame.loc[0, "lft"], frame.loc[1, "lft"], frame.loc[2, "lft"] = "inf", "1e30", 17.6
    frame.loc[0, "jaar"], frame.loc[1, "jaar"] = "1e20", 2021.6
    path = tmp_path / "numbers.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ws.DataFormatError) as info:
        read_microdata(path, MAPPING)
    message = str(info.value)
    assert message.startswith("numbers.csv: 4 problem(s) with mapping Test survey")
    for fragment in (
        "survey_year: 1 value(s) are not whole numbers (e.g. 2021.6)",
        "age: 1 value(s) are not whole numbers (e.g. 17.6)",
        "age: 2 value(s) outside 18-110 (e.g. 1e+30, inf)",
        "survey_year: 1 value(s) outside 1990-2100 (e.g. 1e+20)",
    ):
        assert fragment in message
    assert "\n" not in message


def test_infinite_ages_become_missing_when_the_mapping_says_so(tmp_path):
    frame = survey().astype({"lft": object})
    frame.loc[0, "lft"] = "inf"
    path = tmp_path / "inf.csv"
    frame.to_csv(path, index=False)
    with pytest.warns(ws.WijkstudieWarning, match="age: 1 value"):
        residents = read_microdata(path, {**MAPPING, "out_of_range": "missing"})
    assert str(residents["age"].dtype) == "Int64"
    assert pd.isna(residents["age"][0]) and residents["age"][1] == 34


def test_repeated_and_empty_respondent_ids_are_problems(tmp_path):
    frame = survey().astype({"id": object})
    frame.loc[1, "id"], frame.loc[3, "id"], frame.loc[5, "id"] = 1, None, 3
    path = tmp_path / "ids.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(
        ws.DataFormatError,
        match=r"ids.csv: 1 problem\(s\) .*respondent_id: 1 respondent\(s\) without"
        r" an id; 4 respondent\(s\) share an id with another \(e.g. 1, 3\)$",
    ):
        read_microdata(path, MAPPING)


def test_a_respondent_whose_id_is_a_missing_code_keeps_it(tmp_path):
    frame = survey()
    frame.loc[0, "id"] = 99  # 99 is a missing code of the mapping, but an id is never a missing answer
    path = tmp_path / "survey.csv"
    frame.to_csv(path, index=False)
    assert read_microdata(path, MAPPING)["respondent_id"][0] == 99


# --- a mapping says each thing once (issue 27) ---------------------------------------------------------------------


def test_a_duplicate_key_in_a_mapping_file_is_an_error_naming_both_lines(tmp_path):
    import yaml

    survey().to_csv(tmp_path / "survey.csv", index=False)
    text = yaml.safe_dump(MAPPING, allow_unicode=True, sort_keys=False)
    text = text.replace("    Koop: owner\n", "    Koop: owner\n    Onbekend: private_rent\n    Koop: social_rent\n")
    assert text.count("Koop:") == 2
    (tmp_path / "mapping.yaml").write_text(text, encoding="utf-8")
    first = text.splitlines().index("    Koop: owner") + 1
    with pytest.raises(ws.DataFormatError) as info:
        read_microdata(tmp_path / "survey.csv", tmp_path / "mapping.yaml")
    assert str(info.value) == (
        f"mapping mapping.yaml: the key 'Koop' occurs twice in one mapping (line {first} and line {first + 2}) "
        "(YAML would keep the last silently)"
    )


def test_the_same_key_in_different_mappings_and_keys_of_another_type_are_not_duplicates(tmp_path):
    text = (
        "columns: {respondent_id: id, tenure: eig}\n"
        "values:\n  tenure: {Koop: owner, Huur: social_rent}\n  origin: {Koop: dutch, 1: dutch, '1': dutch}\n"
    )
    (tmp_path / "mapping.yaml").write_text(text, encoding="utf-8")
    mapping = load_mapping(tmp_path / "mapping.yaml")
    assert mapping["values"]["tenure"] == {"Koop": "owner", "Huur": "social_rent"}
    assert mapping["values"]["origin"] == {"Koop": "dutch", 1: "dutch", "1": "dutch"}


def test_a_fifo_given_as_survey_or_mapping_is_refused_without_blocking(tmp_path):

    fifo = tmp_path / "survey.csv"
    os.mkfifo(fifo)
    with pytest.raises(ws.DataFormatError, match=r"^survey.csv: a FIFO \(named pipe\), not a data file"):
        read_microdata(fifo, MAPPING)
    survey().to_csv(tmp_path / "real.csv", index=False)
    os.mkfifo(tmp_path / "mapping.yaml")
    with pytest.raises(ws.DataFormatError, match=r"^mapping.yaml: a FIFO \(named pipe\), not a data file"):
        read_microdata(tmp_path / "real.csv", tmp_path / "mapping.yaml")


LAUGHS = "".join(
    f"{a}: &{a} [{', '.join([f'*{b}'] * 9) if b else ', '.join(['lol'] * 9)}]\n" for a, b in zip("abcde", ["", *"abcd"])
)


@pytest.mark.parametrize(
    "text, line",
    [
        (LAUGHS + "columns: {age: lft}\nsource: *e\n", 2),  # 9 ** 5 strings once walked; 9 levels: 387 million
        ("base: &base {age: lft}\ncolumns:\n  <<: *base\n", 3),  # a merge key is an alias too
    ],
)
def test_a_mapping_with_yaml_aliases_is_refused(tmp_path, text, line):
    survey().to_csv(tmp_path / "s.csv", index=False)
    (tmp_path / "laughs.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ws.DataFormatError) as exc:
        read_microdata(tmp_path / "s.csv", tmp_path / "laughs.yaml")
    one_line(exc, f"mapping laughs.yaml: YAML aliases are not allowed (line {line})")


def test_impossible_survey_values_are_listed_in_one_error(tmp_path):
    data = survey()
    data.loc[0, "lft"], data.loc[1, "lft"] = 250, 10
    data.loc[2, "woonduur"], data.loc[3, "jaar"] = -3, -2019
    data.loc[4, "woonduur"] = 80  # longer at the address (80 years) than old (99)? possible; 5: 45 at 40 is not
    data.loc[5, "woonduur"] = 45
    data.to_csv(tmp_path / "s.csv", index=False)
    with pytest.raises(ws.WijkstudieError) as exc:
        read_microdata(tmp_path / "s.csv", MAPPING)
    text = one_line(
        exc,
        "survey_year: 1 value(s) outside 1990-2100 (e.g. -2019)",
        "age: 2 value(s) outside 18-110 (e.g. 10, 250)",
        "years_at_address: 1 value(s) outside 0-110 (e.g. -3)",
    )
    assert "4 problem(s)" in text and "longer than they are old" in text


def test_a_residence_longer_than_a_life_is_refused(tmp_path):
    data = survey()
    data.loc[5, "woonduur"] = 45  # aged 40
    data.to_csv(tmp_path / "s.csv", index=False)
    with pytest.raises(ws.WijkstudieError) as exc:
        read_microdata(tmp_path / "s.csv", MAPPING)
    one_line(exc, "years_at_address: 1 respondent(s) have lived at their address longer than they are old")


def test_out_of_range_values_become_missing_only_when_the_mapping_says_so(tmp_path):
    data = survey()
    data.loc[0, "lft"] = 250
    data.to_csv(tmp_path / "s.csv", index=False)
    with pytest.warns(ws.WijkstudieWarning, match=r"age: 1 value\(s\) outside 18-110 \(e.g. 250\): set to missing"):
        residents = read_microdata(tmp_path / "s.csv", dict(MAPPING, out_of_range="missing"))
    assert pd.isna(residents.loc[0, "age"]) and pd.isna(residents.loc[0, "age_group"])
    assert residents["age"].notna().sum() == 4  # 250 set to missing; 99 is a missing code of MAPPING


def test_an_age_of_ten_never_lands_in_the_youngest_group(tmp_path):
    data = survey()
    data.loc[1, "lft"] = 10
    data.to_csv(tmp_path / "s.csv", index=False)
    with pytest.warns(ws.WijkstudieWarning):
        residents = read_microdata(tmp_path / "s.csv", dict(MAPPING, out_of_range="missing"))
    assert pd.isna(residents.loc[1, "age_group"]) and residents.loc[0, "age_group"] == "18-29"


@pytest.mark.parametrize(
    "text, fragments",
    [
        ("columns:\n  age: lft\n  tenure: [eig\n", ["broken.yaml: not valid YAML at line"]),
        ("- columns\n- values\n", ["broken.yaml: a mapping is a YAML dictionary with a 'columns' section, not list"]),
        ("columns: [age, lft]\n", ["broken.yaml: 'columns' must be schema name: column in the file, not list"]),
        ("columns: {age: lft}\nvalues: {tenure: owner}\n", ["'values' of tenure must be {code: schema value}"]),
        ("", ["broken.yaml: a mapping is a YAML dictionary", "not an empty file"]),
    ],
)
def test_a_broken_mapping_file_gives_one_line_naming_the_file(tmp_path, text, fragments):
    survey().to_csv(tmp_path / "s.csv", index=False)
    (tmp_path / "broken.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ws.WijkstudieError) as exc:
        read_microdata(tmp_path / "s.csv", tmp_path / "broken.yaml")
    one_line(exc, *fragments)
