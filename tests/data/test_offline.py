"""Offline, the error is the guide: a publisher that cannot be reached is one complete line that says how to work
offline (naming the project file the session reads), a year the mirror lacks is answered with what it holds and
where the mirror was set, and ``ws.available()`` says what can be loaded here now."""

import socket

import pandas as pd
import pytest
import requests

import wijkstudie as ws
from wijkstudie.data import download

from helpers import run_cli, warns_municipal_extract

# what requests raises on a machine without a network: the text the issue found cut off mid-word in the message
NO_NETWORK = requests.exceptions.ConnectionError(
    "HTTPSConnectionPool(host='download.cbs.nl', port=443): Max retries exceeded with url: /regionale-kaarten/"
    'kwb-2022.xlsx (Caused by NameResolutionError("<urllib3.connection.HTTPSConnection object at 0x7f0c1>: Failed '
    "to resolve 'download.cbs.nl' ([Errno -3] Temporary failure in name resolution)\"))"
)


@pytest.fixture
def offline(monkeypatch, fresh_cache):
    """No network: every download raises what requests raises then."""

    def refuse(*args, **kwargs):
        raise NO_NETWORK

    import cbsodata

    monkeypatch.setattr(download, "_download_url", refuse)
    monkeypatch.setattr(download, "_wfs_page", refuse)
    monkeypatch.setattr(cbsodata, "download_data", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: (_ for _ in ()).throw(OSError("unreachable")))
    return fresh_cache


def one_complete_line(text: str) -> None:
    assert "\n" not in text and "HTTPSConnectionPool" not in text and "Caused by" not in text and "0x" not in text
    assert text.endswith(")") or text[-1].isalpha() or text.endswith('"')


def test_no_network_is_one_complete_line_that_says_how_to_work_offline(offline):
    with pytest.raises(ws.DownloadError) as exc:
        ws.load("kwb", year=2022, level="wijk")
    text = str(exc.value)
    one_complete_line(text)
    assert text.startswith(
        "kwb 2022: the publishers (download.cbs.nl, opendata.cbs.nl) could not be reached (no network?) for "
        "kwb 2022 (workbook), kwb 2022 (open-data); to work offline, set the mirror once"
    )
    for way in ("wijkstudie.toml", 'ws.settings.mirror = "/path/to/mirror"', "WIJKSTUDIE_MIRROR=", "synthetic"):
        assert way in text
    with pytest.raises(ws.DownloadError, match=r"^cbs-wijken 2024: the publisher \(service.pdok.nl\) could not"):
        ws.fetch("cbs-wijken", year=2024)
    with pytest.raises(ws.DownloadError, match=r"^rivm-gezondheid 2020 \(18\+\): the publisher \(dataderden.cbs.nl\)"):
        ws.fetch("rivm-gezondheid", year=2020, age_group="18+")


def test_the_advice_names_the_project_file_the_session_reads(offline, tmp_path, monkeypatch):
    project = tmp_path / "wijkstudie.toml"
    project.write_text('language = "en"\n', encoding="utf-8")
    monkeypatch.setenv("WIJKSTUDIE_CONFIG", str(project))
    with pytest.raises(ws.DownloadError, match=rf'set the mirror once \(mirror = "/path/to/mirror" in {project},'):
        ws.fetch("cbs-wijken", year=2024)


def test_the_command_says_it_in_one_line_too(offline, capsys):
    result = run_cli(capsys, "data", "fetch", "kwb", "--year", "2022")
    assert result.returncode == 1 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("wijkstudie: error: kwb 2022: the publishers (download.cbs.nl, opendata.cbs.nl)")
    one_complete_line(line)


def test_a_download_cut_off_half_way_is_not_called_offline(monkeypatch, fresh_cache):
    def reset(*args, **kwargs):
        raise requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead(1024 bytes read)")

    monkeypatch.setattr(download, "_download_url", reset)
    with pytest.raises(ws.DownloadError) as exc:
        ws.fetch("kwb", year=2023, source_format="workbook")
    assert str(exc.value) == (
        "kwb 2023 (workbook) (kwb-2023.xlsx): download failed (ChunkedEncodingError: Connection broken: "
        "IncompleteRead(1024 bytes read))"
    )


def test_long_reasons_are_cut_at_a_word():
    text = "word " * 60
    short = download.shorten(text, 50)
    assert len(short) <= 50 and short.endswith("word...")


@pytest.mark.parametrize(
    "how, named, unset",
    [
        ("env", "the environment variable WIJKSTUDIE_MIRROR", "unset WIJKSTUDIE_MIRROR"),
        ("session", "ws.settings.mirror", "del ws.settings.mirror"),
        ("project", "mirror in {project}", "remove mirror from {project}"),
    ],
)
def test_a_year_the_mirror_lacks_is_answered_with_what_it_holds_and_where_the_mirror_was_set(
    fake_mirror, monkeypatch, tmp_path, how, named, unset
):
    from helpers import FIXTURES

    root = fake_mirror({"geo/wijken-2024.geojson": FIXTURES / "wijken-2024.geojson"})
    project = tmp_path / "wijkstudie.toml"
    if how != "env":
        monkeypatch.delenv("WIJKSTUDIE_MIRROR")
    if how == "project":
        project.write_text(f'mirror = "{root}"\n', encoding="utf-8")
        monkeypatch.setenv("WIJKSTUDIE_CONFIG", str(project))
    if how == "session":
        ws.settings.mirror = root
    try:
        with pytest.raises(ws.DataNotFoundError) as exc:
            ws.load("cbs-wijken", year=2022)
    finally:
        if how == "session":
            del ws.settings.mirror
    assert str(exc.value) == (
        f"cbs-wijken 2022 is not in the mirror {root} (set as {named.format(project=project)}; looked for "
        "geo/wijken-2022.geojson); it holds cbs-wijken for 2024: ask for one of those, or "
        f"{unset.format(project=project)} to download it from the publisher (service.pdok.nl)"
    )


def test_a_dataset_the_mirror_holds_nothing_of_is_not_offered_as_a_choice(fake_mirror):
    from helpers import FIXTURES

    root = fake_mirror({"geo/wijken-2024.geojson": FIXTURES / "wijken-2024.geojson"})
    with pytest.raises(ws.DataNotFoundError) as exc:
        ws.load("cbs-buurten", year=2022)
    text = str(exc.value)
    assert "it holds no year of cbs-buurten, so none can be read from it: unset WIJKSTUDIE_MIRROR" in text, text
    assert "ask for one of those" not in text and str(root) in text


def test_what_the_mirror_holds_is_listed_with_the_named_parameter(fake_mirror):
    from helpers import FIXTURES

    fake_mirror({"rivm-gezondheid/RIVM_gezondheid2020_18+.xlsx": FIXTURES / "rivm-2020-18plus.csv"})
    with pytest.raises(ws.DataNotFoundError, match=r"it holds rivm-gezondheid for 2020 \(age_group 18\+\): ask"):
        ws.load("rivm-gezondheid", year=2020, age_group="65+")


def test_available_says_what_can_be_loaded_here_and_from_where(fake_mirror, fresh_cache, monkeypatch):
    from helpers import FIXTURES

    root = fake_mirror({"rivm-gezondheid/RIVM_gezondheid2020_18+.xlsx": FIXTURES / "rivm-2020-18plus.csv"})
    table = ws.available(["rivm-gezondheid"])
    here = table[table["from"] != ""]
    assert here[["dataset", "year", "choice", "from"]].values.tolist() == [
        ["rivm-gezondheid", 2020, "age_group=18+", "mirror"]
    ]
    assert here["note"].tolist() == ["rivm-gezondheid/RIVM_gezondheid2020_18+.xlsx"] and root.is_dir()
    assert set(table.loc[table["from"] == "", "note"]) == {
        "not in the mirror (with a mirror set, nothing is downloaded)"
    }
    assert len(table) == len(ws.describe("rivm-gezondheid").split("resources:")[1].strip().splitlines())
    assert isinstance(table, pd.DataFrame) and isinstance(here, pd.DataFrame)
    text = str(table)  # print(ws.available(...)): every row and column, the notes in full
    assert text.splitlines()[0].split() == ["dataset", "year", "choice", "from", "note"]
    assert len(text.splitlines()) == len(table) + 1 and "..." not in text
    assert "rivm-gezondheid  2020  age_group=18+  mirror  rivm-gezondheid/RIVM_gezondheid2020_18+.xlsx" in str(here)
    assert "not in the mirror (with a mirror set, nothing is downloaded)" in text

    monkeypatch.delenv("WIJKSTUDIE_MIRROR")  # no mirror: the cache, then the network
    cached = fresh_cache / "raw" / "cbs-wijken" / "wijken-2024.geojson"
    cached.parent.mkdir(parents=True)
    cached.write_bytes((FIXTURES / "wijken-2024.geojson").read_bytes())
    asked = []

    def connect(address, timeout):
        asked.append(address)
        raise OSError("no network")

    monkeypatch.setattr(socket, "create_connection", connect)
    table = ws.available(["cbs-wijken"]).set_index("year")
    assert table.loc[2024, "from"] == "cache" and table.loc[2024, "note"] == str(cached)
    assert table.loc[2022, "from"] == "" and table.loc[2022, "note"].endswith("service.pdok.nl cannot be reached")
    assert asked == [("service.pdok.nl", 443)]  # each server is asked once
    monkeypatch.setattr(socket, "create_connection", lambda address, timeout: socket.socket())
    assert ws.available(["cbs-wijken"]).set_index("year").loc[2022, "from"] == "network"
    assert set(ws.available(["cbs-wijken"], network=False).set_index("year").loc[[2022, 2023], "note"]) == {
        "not in the cache; the network was not checked"
    }


def test_available_and_coverage_say_how_to_ask_for_a_file_in_the_same_words(fake_mirror, fresh_cache):
    fake_mirror({})
    choices = set(ws.available(["rivm-gezondheid"], network=False)["choice"])
    assert "age_group=18+" in choices
    assert set(ws.coverage(["rivm-gezondheid"])["choice"]) == choices
    matrices = ws.available(["grenswijzigen"], network=False)["choice"]
    assert "crosswalk('wijk', 2020, 2024)" in set(matrices)
    assert not matrices.str.contains("variant").any()


def test_available_on_the_real_mirror(mirror):
    table = ws.available(network=False)
    assert "grenswijzigen" not in set(table["dataset"])  # 232 matrices: only when named
    here = table[table["from"] == "mirror"]
    assert ("cbs-wijken", 2024) in set(zip(here["dataset"], here["year"]))
    assert ("cbs-wijken", 2022) not in set(zip(here["dataset"], here["year"]))
    kwb = here[here["dataset"] == "kwb"].set_index("year")["note"]  # a mirror's file that is not CBS's own says so
    assert "only the rows of gemeente Utrecht (GM0344)" in kwb[2023] and "KWB 2022 (via tmap)" in kwb[2022]
    with pytest.warns(
        ws.WijkstudieWarning, match=r"took 2023 \(the mirror's file is only the rows of gemeente Utrecht"
    ):
        ws.load("kwb", year="latest-available", level="gemeente")


def test_a_fixture_extract_still_warns_as_before(fake_mirror):
    from helpers import FIXTURES

    fake_mirror({"rivm-gezondheid/RIVM_gezondheid2020_18+.xlsx": FIXTURES / "rivm-2020-18plus.csv"})
    with warns_municipal_extract():
        ws.load("rivm-gezondheid", year=2020, age_group="18+", level="wijk")
