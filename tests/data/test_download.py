"""Fetching: the mirror, the cache folder, atomic downloads with hash and content checks; a mirror file that is a
folder or a loop, a cache under a file, leftovers of killed loads, and the progress bar a kernel gets."""

import json
import os
import shutil
import time
from dataclasses import replace

import pandas as pd
import pytest

import wijkstudie as ws
from wijkstudie.data import download
from wijkstudie.data.catalogue import Resource

from helpers import (
    FIXTURES,
    kernel_env,
    one_line,
    run_in_kernel,
    warns_municipal_extract,
    write_kwb_workbook,
)

URL_RESOURCE = Resource(
    dataset="test-geo",
    year=2022,
    format="boundaries",
    file="g.geojson",
    mirror="geo/g.geojson",
    source={"url": "https://example.invalid/g.geojson"},
    sha256=None,
)


def fake_downloader(content: bytes, fail_after: int | None = None, calls: list | None = None):
    def _download(url, dest, progress):
        if calls is not None:
            calls.append((url, progress))
        with open(dest, "wb") as fh:
            fh.write(content if fail_after is None else content[:fail_after])
        if fail_after is not None:
            raise ConnectionError("connection reset by peer")

    return _download


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_lands_atomically_and_is_reused(monkeypatch, fresh_cache):
    calls = []
    monkeypatch.setattr(
        download, "_download_url", fake_downloader((FIXTURES / "gemeenten-2022.geojson").read_bytes(), calls=calls)
    )
    path = download.fetch_resource(URL_RESOURCE)
    assert path == fresh_cache / "raw" / "test-geo" / "g.geojson"
    assert leftovers(path.parent) == ["g.geojson"]
    assert calls == [("https://example.invalid/g.geojson", True)]  # with a progress bar
    download.fetch_resource(URL_RESOURCE)
    assert len(calls) == 1  # the second fetch uses the cached file


def test_interrupted_download_leaves_nothing(monkeypatch, fresh_cache):
    monkeypatch.setattr(
        download, "_download_url", fake_downloader((FIXTURES / "gemeenten-2022.geojson").read_bytes(), fail_after=100)
    )
    with pytest.raises(ws.WijkstudieError, match=r"^test-geo 2022 \(g.geojson\): download failed .ConnectionError"):
        download.fetch_resource(URL_RESOURCE)
    assert leftovers(fresh_cache / "raw" / "test-geo") == []


def test_html_error_page_from_the_server_is_refused(monkeypatch, fresh_cache):
    monkeypatch.setattr(download, "_download_url", fake_downloader((FIXTURES / "html-error-page.xlsx").read_bytes()))
    with pytest.raises(ws.WijkstudieError, match="download of g.geojson: an HTML page"):
        download.fetch_resource(URL_RESOURCE)
    assert leftovers(fresh_cache / "raw" / "test-geo") == []


def test_hash_mismatch_on_download_keeps_nothing(monkeypatch, fresh_cache):
    pinned = replace(URL_RESOURCE, sha256="0" * 64)
    monkeypatch.setattr(download, "_download_url", fake_downloader(b'{"type": "FeatureCollection"}'))
    with pytest.raises(ws.WijkstudieError, match="hash mismatch"):
        download.fetch_resource(pinned)
    assert leftovers(fresh_cache / "raw" / "test-geo") == []


def test_odata_table_is_stored_as_csv_with_its_keys(monkeypatch, fresh_cache):
    rows = [
        {
            "ID": 0,
            "WijkenEnBuurten": "GM9901    ",
            "Gemeentenaam_1": "Testdorp",
            "SoortRegio_2": "Gemeente  ",
            "AantalInwoners_5": 1000,
            "Koopwoningen_47": 61.0,
            "HuishoudensTotaal_29": 500,
            "Eenpersoonshuishoudens_30": 150,
            "Bevolkingsdichtheid_34": 900,
        }
    ]
    seen = {}

    def fake_download_data(table_id, dir=None, filters=None, **kwargs):
        seen.update(table=table_id, filters=filters, **kwargs)
        with open(f"{dir}/TypedDataSet.json", "w", encoding="utf-8") as fh:
            json.dump(rows, fh)

    import cbsodata

    monkeypatch.setattr(cbsodata, "download_data", fake_download_data)
    table = ws.load("kwb", year=2024)
    assert seen["table"] == "85984NED" and "catalog_url" not in seen
    row = table.iloc[0]
    assert row["region_code"] == "GM9901" and row["pct_owner_occupied"] == 61.0
    assert row["pct_single_person_households"] == 30.0
    assert ws.report(table).year == 2024


def test_manual_resource_says_where_to_get_it_and_where_to_put_it(fresh_cache):
    with pytest.raises(
        ws.WijkstudieError,
        match=r"cannot be downloaded automatically.*wijkprofiel.rotterdam.nl.*"
        r"save it as .*raw/rotterdam-wijkprofiel/context-2015.xls",
    ):
        ws.fetch("rotterdam-wijkprofiel", sheet="context")


def test_mirror_without_the_file_says_so(fake_mirror):
    fake_mirror({"geo/other.geojson": b"{}"})
    with pytest.raises(ws.WijkstudieError, match="cbs-buurten 2024 is not in the mirror"):
        ws.fetch("cbs-buurten", year=2024)
    with pytest.raises(
        ws.DataNotFoundError, match=r"latest, 2025, .*cbs-buurten 2025 is not in the mirror .*here: none$"
    ):
        ws.fetch("cbs-buurten")
    with pytest.raises(
        ws.WijkstudieError, match=r"cbs-buurten 2025 is not in the mirror .*also tried: cbs-buurten 2024"
    ):
        ws.fetch("cbs-buurten", year="latest-available")


def test_without_an_age_group_the_same_population_on_every_machine(fake_mirror, fresh_cache):
    """A mirror with RIVM's 65+ file but not its 18+ one: a call without age_group= asks for the catalogue's first
    age group (18+) and says it is not here, instead of quietly giving the figures of the 65+."""
    folder = fake_mirror({"rivm-gezondheid/RIVM_gezondheid2020_65+.xlsx": b"not read"})
    with pytest.raises(ws.DataNotFoundError, match=r"rivm-gezondheid 2020 \(18\+\) is not in the mirror") as caught:
        ws.fetch("rivm-gezondheid", year=2020)
    assert "65+" not in str(caught.value).split("is not in the mirror")[0]
    assert ws.fetch("rivm-gezondheid", year=2020, age_group="65+") == folder / "rivm-gezondheid" / (
        "RIVM_gezondheid2020_65+.xlsx"
    )


def test_mirror_is_read_in_place(mirror, fresh_cache):
    assert ws.fetch("cbs-wijken", year=2024) == mirror / "geo" / "wijken-2024.geojson"
    assert (
        ws.fetch("cbs-wijken", year="latest-available") == mirror / "geo" / "wijken-2024.geojson"
    )  # the mirror's latest
    assert not (fresh_cache / "raw").exists()


@pytest.mark.network
def test_real_download_of_kwb_2017_from_cbs(fresh_cache):
    table = ws.load("kwb", year=2017, level="gemeente")
    assert len(table) > 380 and ws.report(table).year == 2017


def test_rivm_table_is_fetched_from_the_third_party_catalogue(monkeypatch, fresh_cache):
    seen = {}

    def fake_download_data(table_id, dir=None, filters=None, **kwargs):
        seen.update(table=table_id, filters=filters, **kwargs)
        shutil.copyfile(FIXTURES / "rivm-2020-18plus.csv", f"{dir}/source.csv")
        pd.read_csv(f"{dir}/source.csv", dtype=str).to_json(f"{dir}/TypedDataSet.json", orient="records")

    import cbsodata

    monkeypatch.setattr(cbsodata, "download_data", fake_download_data)
    with warns_municipal_extract():
        table = ws.load("rivm-gezondheid", year=2020, age_group="18+")
    assert seen == {
        "table": "50090NED",
        "catalog_url": "dataderden.cbs.nl",
        "filters": "Perioden eq '2020JJ00' and Leeftijd eq '20300' and Marges eq 'MW00000'",
    }
    assert ws.report(table).variant == "18+" and table["pct_volunteering"].notna().any()


@pytest.mark.network
def test_real_download_of_rivm_2020_from_the_rivm_catalogue(fresh_cache):
    table = ws.load("rivm-gezondheid", year=2020, age_group="18+", level="land")
    assert table["pct_volunteering"].tolist() == [24.6]


def test_wfs_layers_are_fetched_page_by_page_into_one_file(monkeypatch, fresh_cache):
    template = json.loads((FIXTURES / "wijken-2024.geojson").read_text())["features"][0]
    total = 2 * download.WFS_PAGE + 17
    requests_seen = []

    def fake_page(url, params):
        requests_seen.append((params["startIndex"], params["count"], params["typeName"]))
        start = params["startIndex"]
        n = max(0, min(params["count"], total - start))
        features = []
        for i in range(start, start + n):
            feature = json.loads(json.dumps(template))
            feature["properties"].update(wijkcode=f"WK99{i:04d}", jaarstatcode=f"2024WK99{i:04d}")
            features.append(feature)
        return {"type": "FeatureCollection", "features": features}

    monkeypatch.setattr(download, "_wfs_page", fake_page)
    wijken = ws.load("cbs-wijken", year=2024)
    assert len(wijken) == total and wijken["region_code"].is_unique
    assert [s for s, _, _ in requests_seen] == [0, 1000, 2000]
    assert {t for _, _, t in requests_seen} == {"wijken"}
    assert ws.report(wijken).year == 2024


def test_hash_mismatch(fake_mirror, fresh_cache):
    fake_mirror({"amsterdam-bbga/bbga_latest_and_greatest-DX.csv": FIXTURES / "bbga-long.csv"})
    with pytest.raises(ws.WijkstudieError, match="bbga_latest_and_greatest-DX.csv: hash mismatch for amsterdam-bbga"):
        ws.load("amsterdam-bbga")


def test_a_pinned_file_that_changed_is_refused_not_served(fake_mirror, tmp_path, cache_still_works):
    root = fake_mirror({"amsterdam-bbga/bbga_latest_and_greatest-DX.csv": FIXTURES / "bbga-long.csv"})
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.load("amsterdam-bbga")
    one_line(exc, "hash mismatch for amsterdam-bbga")
    assert root.exists()


def test_temporary_files_left_by_killed_loads_are_removed_on_the_next_run(tmp_path, cache_still_works):
    from wijkstudie.data import download

    processed = cache_still_works / "processed"
    processed.mkdir(parents=True)
    stale = processed / ".abc.parquet.x1y2.tmp"
    fresh = processed / ".def.parquet.z3.tmp"  # a load running right now
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    old = time.time() - 2 * download.STALE_TEMP_SECONDS
    os.utime(stale, (old, old))
    download._SWEPT.clear()
    ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx"))
    assert not stale.exists() and fresh.exists()


def test_a_download_into_a_cache_under_a_file_names_the_setting(tmp_path, monkeypatch):
    from wijkstudie.data import download

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("WIJKSTUDIE_DATA_DIR", str(blocker / "cache"))
    monkeypatch.setattr(download, "_download_url", lambda *a: pytest.fail("no download may start"))
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.fetch("kwb", year=2023, source_format="workbook")
    one_line(exc, "WIJKSTUDIE_DATA_DIR", str(blocker / "cache"), "a part of the path is a file")


def test_a_folder_or_a_loop_where_the_mirror_should_have_a_file(fake_mirror, tmp_path):
    root = fake_mirror({"geo/unrelated.txt": b"x"})
    (root / "cbs-kwb" / "indicators_buurt_wijk_gemeente.csv").mkdir(parents=True)
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.load("kwb", year=2017, source_format="open-data")
    one_line(exc, "indicators_buurt_wijk_gemeente.csv: is a folder, not a data file")
    (root / "cbs-kwb" / "indicators_buurt_wijk_gemeente.csv").rmdir()
    (root / "cbs-kwb" / "indicators_buurt_wijk_gemeente.csv").symlink_to(
        root / "cbs-kwb" / "indicators_buurt_wijk_gemeente.csv"
    )
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.load("kwb", year=2017, source_format="open-data")
    one_line(exc, "a symlink loop")


@pytest.mark.slow  # real Jupyter kernels: make test runs it, make test-fast leaves it out
def test_a_kernel_without_ipywidgets_gets_text_bars_and_no_tqdm_warning(tmp_path):
    block = "import sys\nsys.modules['ipywidgets'] = None  # as if it were not installed\n"
    cells = [
        block + "import wijkstudie as ws\nfrom wijkstudie.core.optional import optional\n"
        "optional('esda.moran', 'morans_i')\nimport pooch\n"
        "from wijkstudie.data.download import progress_bar\nprint(progress_bar().__module__)",
    ]
    (out,) = run_in_kernel(cells, cwd=tmp_path, env=kernel_env())
    assert out["error"] == "" and out["stdout"] == "tqdm.std\n"
    assert "IProgress" not in out["stderr"] and "TqdmWarning" not in out["stderr"], out["stderr"]


def test_a_kernel_with_ipywidgets_gets_the_notebook_bar_and_a_script_the_text_bar(tmp_path):
    pytest.importorskip("ipywidgets")
    from wijkstudie.data.download import progress_bar

    assert progress_bar().__module__ == "tqdm.std"
    cells = ["from wijkstudie.data.download import progress_bar\nprint(progress_bar().__module__)"]
    (out,) = run_in_kernel(cells, cwd=tmp_path, env=kernel_env())
    assert out["stdout"] == "tqdm.notebook\n" and out["stderr"] == ""
