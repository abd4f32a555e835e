import hashlib

import pytest

import wijkstudie as ws
from wijkstudie.catalogue import datasets, get_dataset
from wijkstudie.readers import BY_FORMAT

REQUIRED = {"kwb", "kwb-codebook", "rivm-gezondheid", "cbs-gemeenten", "cbs-wijken", "cbs-buurten",
            "rotterdam-wijkprofiel", "amsterdam-bbga"}


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


def test_names_are_matched_forgivingly():
    assert get_dataset("RIVM Gezondheid").name == "rivm-gezondheid"
    assert get_dataset("rivm_gezondheid").name == "rivm-gezondheid"
    assert get_dataset(" KWB ").name == "kwb"


def test_unknown_dataset_year_and_variant_say_what_exists():
    with pytest.raises(ws.WijkstudieError, match="unknown dataset 'kwbb'; available: kwb"):
        get_dataset("kwbb")
    with pytest.raises(ws.WijkstudieError, match=r"no year 1999; available: 2017, 2023, 2024"):
        get_dataset("kwb").resource(1999)
    with pytest.raises(ws.WijkstudieError, match=r"no variant '12\+'.*18\+, 65\+"):
        get_dataset("rivm-gezondheid").resource(2020, "12+")


def test_default_resource_is_the_latest_year():
    assert get_dataset("kwb").resource().year == 2024
    assert get_dataset("rivm-gezondheid").resource(variant="65+").variant == "65+"


def test_describe_names_publisher_licence_and_sources():
    text = ws.describe("kwb")
    assert "CBS" in text and "CC BY 4.0" in text and "83765NED" in text and "kwb-2023.xlsx" in text
    assert "manual download" in ws.describe("rotterdam-wijkprofiel")


def test_every_mirror_path_exists_and_known_hashes_match(mirror):
    for d in datasets().values():
        for r in d.resources:
            if r.dataset == "cbs-buurten" or r.year == 2024 and r.dataset == "kwb":
                continue  # not in the snapshot: they need the network
            path = mirror / r.mirror
            assert path.is_file(), f"{r.label}: {path} missing"
            if r.sha256:
                assert hashlib.sha256(path.read_bytes()).hexdigest() == r.sha256
