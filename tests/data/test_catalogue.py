import hashlib

import pytest

import wijkstudie as ws
from wijkstudie.data.catalogue import datasets, get_dataset
from wijkstudie.data.readers import BY_FORMAT
from wijkstudie.data.reports import LEVELS

from helpers import FIXTURES, warns_municipal_extract, write_kwb_workbook

REQUIRED = {
    "kwb",
    "kwb-codebook",
    "rivm-gezondheid",
    "cbs-gemeenten",
    "cbs-wijken",
    "cbs-buurten",
    "rotterdam-wijkprofiel",
    "amsterdam-bbga",
}


def test_catalogue_covers_the_sources_of_the_project():
    assert REQUIRED <= set(ws.list_datasets().index)


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_every_entry_is_complete(name):
    d = get_dataset(name)
    assert d.title and d.publisher and d.licence and d.attribution.startswith("Bron:")
    for r in d.resources:
        assert r.format in BY_FORMAT, f"{r.label}: no reader for {r.format}"
        assert r.access in ("odata", "url", "wfs", "manual")
        assert r.file and "/" not in r.file
        assert r.sha256 is None or len(r.sha256) == 64


def test_every_level_of_the_catalogue_is_a_level_the_reports_know():  # load's level check relies on it
    assert {level for d in datasets().values() for level in d.levels} <= set(LEVELS)


def test_names_are_matched_forgivingly():
    assert get_dataset("RIVM Gezondheid").name == "rivm-gezondheid"
    assert get_dataset("rivm_gezondheid").name == "rivm-gezondheid"
    assert get_dataset(" KWB ").name == "kwb"


def test_unknown_dataset_year_and_variant_say_what_exists():
    with pytest.raises(ws.WijkstudieError, match="unknown dataset 'kwbb'; available: kwb"):
        get_dataset("kwbb")
    with pytest.raises(ws.WijkstudieError, match=r"kwb: no year 1999; available: 2013-2025"):
        get_dataset("kwb").resource(1999)
    with pytest.raises(ws.WijkstudieError, match=r"no age_group '12\+'.*18\+, 65\+, 18-64"):
        get_dataset("rivm-gezondheid").resource(2020, "12+")
    with pytest.raises(ws.WijkstudieError, match="year must be a whole number"):
        get_dataset("kwb").resource("twenty")


def test_every_year_of_the_kwb_and_rivm_tables_is_in_the_catalogue():
    kwb = get_dataset("kwb")
    assert kwb.years == list(range(2013, 2026))
    tables = {r.year: r.source["odata"] for r in kwb.resources if r.choice == "open-data"}
    assert tables[2013] == "82339NED" and tables[2017] == "83765NED" and tables[2024] == "85984NED"
    assert len(set(tables.values())) == 13
    assert {r.year for r in kwb.resources if r.choice == "workbook"} == set(range(2013, 2026))
    rivm = get_dataset("rivm-gezondheid")
    assert rivm.years == [2012, 2016, 2020, 2022]
    assert {r.choice for r in rivm.resources} == {"18+", "18-64", "65+"}
    for r in rivm.resources:  # 50090NED publishes 2012-2020 on the 2020 division; 50120NED 2022 on its own
        assert (r.source["odata"], r.division) == (("50120NED", 2022) if r.year == 2022 else ("50090NED", 2020))
        assert f"Perioden eq '{r.year}JJ00'" in r.source["filter"]
    for name in ("cbs-gemeenten", "cbs-wijken", "cbs-buurten"):
        assert get_dataset(name).years == list(range(2016, 2026))
        assert all(r.division == r.year for r in get_dataset(name).resources)


def test_each_year_entries_fill_their_templates():
    r = get_dataset("kwb").resource(2022, "workbook")
    assert (r.file, r.division, r.mirror) == ("kwb-2022.xlsx", 2022, "cbs-kwb/kwb-2022-gemeenten-wijken.xlsx")
    assert "reconstruction" in r.mirror_note
    assert get_dataset("kwb").resource(2019, "open-data").mirror == "cbs-kwb/kwb-2019.csv"  # the default place
    buurten = get_dataset("cbs-buurten").resource(2018)
    assert buurten.source == {
        "wfs": "https://service.pdok.nl/cbs/gebiedsindelingen/2018/wfs/v1_0",
        "typeName": "buurt_gegeneraliseerd",
    }


def test_the_crosswalk_has_a_matrix_per_level_kind_and_pair_of_years():
    resources = get_dataset("grenswijzigen").resources
    assert len(resources) == 232
    r = get_dataset("grenswijzigen").resource(2022, "gemeente 2020-2022")
    assert r.file == "grenswijziging_gemeente_van_2020_naar_2022.rda"
    assert r.source["url"].startswith("https://raw.githubusercontent.com/reidhin/grenswijzigen/")
    assert r.params == {
        "level": "gemeente",
        "kind": "addresses",
        "source": 2020,
        "target": 2022,
        "name": "grenswijziging_gemeente_van_2020_naar_2022",
    }
    assert "CC BY-NC-SA" in ws.describe("grenswijzigen")


def test_default_resource_is_the_latest_year():
    assert get_dataset("kwb").resource().year == 2025
    assert get_dataset("rivm-gezondheid").resource(choice="65+").choice == "65+"
    assert [r.choice for r in get_dataset("kwb").candidates(2017)] == ["workbook", "open-data"]
    assert [r.year for r in get_dataset("cbs-gemeenten").candidates()][:3] == [2025, 2024, 2023]


def test_describe_names_publisher_licence_and_sources():
    text = ws.describe("kwb")
    assert "CBS" in text and "CC BY 4.0" in text and "83765NED" in text and "kwb-2023.xlsx" in text
    assert "offline mirror: a reconstruction" in text
    assert "manual download" in ws.describe("rotterdam-wijkprofiel")


def test_every_snapshot_file_is_a_resource_and_known_hashes_match(mirror):
    by_path = {r.mirror: r for d in datasets().values() for r in d.resources}
    files = {str(p.relative_to(mirror)) for p in mirror.rglob("*") if p.is_file() and p.suffix != ".md"}
    assert files <= set(by_path), sorted(files - set(by_path))
    # the snapshot (MANIFEST.md): 16 files, 8 cbs-statline tables and 232 crosswalk matrices
    assert len(files) == 256
    for rel in files:
        r = by_path[rel]
        if r.sha256:
            assert hashlib.sha256((mirror / rel).read_bytes()).hexdigest() == r.sha256


# --- the named parameters that choose among a dataset's files ---------------------------------------------------


def test_every_dataset_with_several_files_a_year_names_the_parameter_of_load_and_fetch_that_chooses():
    import inspect

    from wijkstudie.data.catalogue import CATALOGUE_FILE, PARAMETERS

    expected = {
        "kwb": "source_format",
        "kwb-codebook": "part",
        "rivm-gezondheid": "age_group",
        "leefbaarometer": "level",
        "rotterdam-wijkprofiel": "sheet",
        "amsterdam-bbga": "part",
        "cbs-statline": "table",
    }
    assert {n: d.parameter for n, d in datasets().items() if d.parameter} == expected
    assert "crosswalk" in get_dataset("grenswijzigen").use_instead
    assert all(d.parameter or d.use_instead for d in datasets().values() if d.choices)
    # one name per concept: the catalogue writes a file's choice under the keyword argument that chooses it
    assert "variant" not in CATALOGUE_FILE.read_text(encoding="utf-8")
    for d in datasets().values():
        assert all(r.parameter == d.parameter for r in d.resources), d.name
    assert get_dataset("leefbaarometer").resource(2020, "buurt").choice == "buurt"
    for function in (ws.load, ws.fetch):
        params = inspect.signature(function).parameters
        for name in PARAMETERS:
            if name != "level" or function is ws.fetch:
                assert params[name].kind is inspect.Parameter.KEYWORD_ONLY, (function.__name__, name)
    assert ws.list_datasets().loc["rivm-gezondheid", "parameter"] == "age_group="
    assert ws.list_datasets().loc["rivm-gezondheid", "choices"] == "18+, 65+, 18-64"
    assert "choose with: age_group= (18+, 65+, 18-64" in ws.describe("rivm-gezondheid")


def test_a_catalogue_entry_whose_files_are_chosen_by_two_keys_is_refused(tmp_path):
    from wijkstudie.data.catalogue import _catalogue

    path = tmp_path / "catalogue.yaml"
    entry = "{year: 2020, format: kwb-open-data, file: %s, source: {url: 'https://example.invalid/x'}, %s}"
    path.write_text(
        "measurement_models: {}\ndatasets:\n  x:\n    {title: X, publisher: P, licence: L, attribution: A,\n"
        f"     resources: [{entry % ('a.csv', 'age_group: 18+')}, {entry % ('b.csv', 'sheet: context')}]}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ws.DataFormatError, match="x: its files are chosen by one key, not age_group, sheet"):
        _catalogue(path)


def test_a_named_parameter_is_checked_in_one_line_listing_the_allowed_values(fresh_cache):
    cases = [
        (lambda: ws.load("rivm-gezondheid", year=2020, age_group="12+"), "no age_group '12+' for 2020; available: 18+"),
        (
            lambda: ws.load("kwb", year=2017, sheet="context"),
            "kwb: load takes no sheet= (its files differ by source_format: workbook, open-data)",
        ),
        (lambda: ws.load("cbs-gemeenten", year=2022, part="data"), "cbs-gemeenten: load takes no part= (it has one"),
        (lambda: ws.fetch("kwb", year=2017, level="wijk"), "kwb: fetch takes no level="),
        (lambda: ws.load("leefbaarometer", year=2020, level="gemeente"), "leefbaarometer: no level 'gemeente'"),
        (lambda: ws.fetch("grenswijzigen", year=2024), "use wijkstudie.crosswalk(level, from_division"),
    ]
    for call, fragment in cases:
        with pytest.raises(ws.ArgumentError) as exc:
            call()
        assert fragment in str(exc.value) and "\n" not in str(exc.value), str(exc.value)


def test_the_old_variant_keyword_is_gone_with_a_one_line_error(fake_mirror, fresh_cache):

    fake_mirror({"rivm-gezondheid/RIVM_gezondheid2020_18+.xlsx": FIXTURES / "rivm-2020-18plus.csv"})
    with warns_municipal_extract():
        named = ws.load("rivm-gezondheid", year=2020, age_group="18+")
    assert "age_group: 18+" in str(ws.report(named))
    for call in (ws.load, ws.fetch):
        with pytest.raises(TypeError, match="unexpected keyword argument 'variant'") as exc:
            call("rivm-gezondheid", year=2020, variant="18+")
        assert "\n" not in str(exc.value)


# --- year=None is the catalogue's latest year; "latest-available" the latest that can be had here --------------


def test_no_year_means_the_catalogues_latest_year_on_every_machine(fake_mirror, fresh_cache, tmp_path):

    fake_mirror({"cbs-kwb/indicators_buurt_wijk_gemeente.csv": FIXTURES / "kwb-odata-2017.csv"})
    with pytest.raises(FileNotFoundError) as exc:
        ws.load("kwb", level="gemeente")
    message = str(exc.value)
    assert isinstance(exc.value, ws.DataNotFoundError) and "\n" not in message
    assert message.startswith("kwb: no year given, so the catalogue's latest, 2025, was asked for, and it cannot")
    assert message.endswith("years that can be had here: 2017; pass one of them as year=, or year='latest-available'")
    with pytest.raises(FileNotFoundError, match="years that can be had here: 2017"):
        ws.fetch("kwb")
    with (
        warns_municipal_extract(),
        pytest.warns(ws.WijkstudieWarning, match="took 2017 .*; the catalogue's latest year, 2025, cannot be had here"),
    ):
        table = ws.load("kwb", year="latest-available", level="gemeente")
    assert ws.report(table).year == 2017
    assert "year='latest-available': 2017, the latest year of kwb that can be had here" in ws.report(table).notes[0]
    fake_mirror({"cbs-kwb/kwb-2025.xlsx": write_kwb_workbook(tmp_path / "k.xlsx", year=2025)})
    latest = ws.load("kwb", level="gemeente")
    assert ws.report(latest).year == 2025 and ws.report(latest).notes[0].startswith("no year given: 2025")
    with pytest.raises(ws.DataNotFoundError, match="years that can be had here: none$"):
        ws.load("leefbaarometer")


def test_an_unknown_dataset_or_choice_suggests_the_nearest_name():
    with pytest.raises(ws.ArgumentError, match=r"^unknown dataset 'kwbb'; available: kwb, .*; did you mean 'kwb'\?$"):
        ws.load("kwbb")
    with pytest.raises(ws.ArgumentError, match=r"no age_group '18' for 2020; available: .*; did you mean '18\+'\?$"):
        ws.load("rivm-gezondheid", year=2020, age_group="18")
    with pytest.raises(ws.ArgumentError, match=r"kwb: no level 'wijken'; available: .*; did you mean 'wijk'\?$"):
        ws.load("kwb", year=2022, level="wijken")


def test_the_catalogue_read_with_libyaml_is_the_one_the_python_parser_reads():
    """The catalogue is parsed by libyaml's C parser where PyYAML has it (``load_yaml``): the same data."""
    import yaml

    from wijkstudie.data.catalogue import CATALOGUE_FILE, _raw

    _raw.cache_clear()
    with open(CATALOGUE_FILE, encoding="utf-8") as fh:
        assert _raw() == yaml.load(fh, Loader=yaml.SafeLoader)  # noqa: S506 (the safe loader, pure Python)
