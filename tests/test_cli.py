import json
import subprocess
import sys

import pytest

import wijkstudie as ws

EXPECTED = {  # file -> (source, year, levels)
    "rivm-gezondheid/RIVM_gezondheid2020_18+.xlsx": (
        "rivm-gezondheid",
        2020,
        {"land": 1, "gemeente": 355, "wijk": 3177, "buurt": 13808},
    ),
    "rivm-gezondheid/RIVM_gezondheid2020_65+.xlsx": (
        "rivm-gezondheid",
        2020,
        {"land": 1, "gemeente": 355, "wijk": 3177, "buurt": 13808},
    ),
    "cbs-kwb/indicators_buurt_wijk_gemeente.csv": (
        "kwb",
        2017,
        {"land": 1, "gemeente": 388, "wijk": 3070, "buurt": 13208},
    ),
    "cbs-kwb/CBS-Utrecht-kwb-2023.xlsx": ("kwb", 2023, {"gemeente": 1, "wijk": 10, "buurt": 111}),
    "cbs-kwb/kwb-2022-gemeenten-wijken.xlsx": ("kwb", 2022, {"gemeente": 345, "wijk": 3340}),
    "rivm-gezondheid/RIVM_gezondheid2016_18+.xlsx": (
        "rivm-gezondheid",
        2016,
        {"land": 1, "gemeente": 355, "wijk": 3177, "buurt": 13808},
    ),
    "rivm-gezondheid/RIVM_gezondheid2016_65+.xlsx": (
        "rivm-gezondheid",
        2016,
        {"land": 1, "gemeente": 355, "wijk": 3177, "buurt": 13808},
    ),
    "crosswalk/grenswijzigen/grenswijziging_gemeente_van_2020_naar_2022.rda": ("grenswijzigen", 2022, {"gemeente": 30}),
    "crosswalk/grenswijzigen/grenswijziging_toevoeging_wijk_van_2016_naar_2024.rda": (
        "grenswijzigen",
        2024,
        {"wijk": 2449},
    ),
    "cbs-kwb/85984NED-DataProperties.json": ("kwb-codebook", 2024, {}),
    "cbs-kwb/85984NED-TableInfos.json": ("kwb-codebook", 2024, {}),
    "geo/cbs-gemeenten-2022.geojson": ("cbs-gemeenten", 2022, {"gemeente": 345}),
    "geo/wijken-2024.geojson": ("cbs-wijken", 2024, {"wijk": 3475}),
    "rotterdam-wijkprofiel/Datastructuur wijkprofiel vulling 2016_definitief 03022016_Basis voor gebieden.xls": (
        "rotterdam-wijkprofiel",
        2016,
        {"gemeente": 2, "wijk": 28, "buurt": 142},
    ),
    "rotterdam-wijkprofiel/Context2015 voor website_totaal 25012016.xls": (
        "rotterdam-wijkprofiel",
        2015,
        {"gemeente": 1, "wijk": 14, "buurt": 71},
    ),
    "amsterdam-bbga/bbga_latest_and_greatest-DX.csv": ("amsterdam-bbga", 2018, {"gemeente": 16, "gebied": 368}),
    "amsterdam-bbga/metadata_latest_and_greatest.csv": ("amsterdam-bbga", 2018, {}),
}


def test_every_snapshot_file_is_covered(mirror):
    """Every file of the snapshot is recognised: the ones above through the command line, every crosswalk matrix
    (232 of them) in-process as the catalogue resource whose mirror path it has."""
    from wijkstudie.data.catalogue import get_dataset

    files = {str(p.relative_to(mirror)) for p in mirror.rglob("*") if p.is_file() and p.suffix != ".md"}
    matrices = {r.mirror: r for r in get_dataset("grenswijzigen").resources}
    assert files == set(EXPECTED) | (files & set(matrices))
    assert len(files & set(matrices)) == 232
    for rel in sorted(files & set(matrices)):
        r = ws.report(ws.read_file(mirror / rel))
        assert (r.source, r.year, r.variant, r.division) == (
            "grenswijzigen",
            matrices[rel].year,
            matrices[rel].variant,
            matrices[rel].year,
        ), rel


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_inspect_json_for_every_snapshot_file(mirror, rel):
    result = subprocess.run(
        [sys.executable, "-m", "wijkstudie.cli", "data", "inspect", str(mirror / rel), "--json"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert {"source", "year", "levels", "variables", "warnings"} <= set(summary)
    source, year, levels = EXPECTED[rel]
    assert (summary["source"], summary["year"], summary["levels"]) == (source, year, levels)
    assert all(isinstance(n, int) for n in summary["variables"].values())


def test_inspect_text_summary(mirror):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "wijkstudie.cli",
            "data",
            "inspect",
            str(mirror / "cbs-kwb" / "CBS-Utrecht-kwb-2023.xlsx"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0
    assert "year:  2023" in result.stdout
    assert "empty in this file (every level): mean_income_per_resident" in result.stdout
    assert "this looks like a first release" in result.stdout
    assert "offline mirror" not in result.stdout  # inspect reads a file, not a catalogue resource


def test_list_and_describe():
    out = subprocess.run([sys.executable, "-m", "wijkstudie.cli", "data", "list"], capture_output=True, text=True)
    assert out.returncode == 0 and "rivm-gezondheid" in out.stdout
    out = subprocess.run(
        [sys.executable, "-m", "wijkstudie.cli", "data", "describe", "BBGA"], capture_output=True, text=True
    )
    assert out.returncode == 1 and "unknown dataset 'BBGA'" in out.stderr


def test_fetch_takes_the_named_options_and_still_understands_variant(mirror, capsys):
    from wijkstudie import cli

    assert cli.main(["data", "fetch", "rivm-gezondheid", "--year", "2020", "--age-group", "65+"]) == 0
    assert capsys.readouterr().out.strip().endswith("RIVM_gezondheid2020_65+.xlsx")
    assert cli.main(["data", "fetch", "rivm-gezondheid", "--year", "latest-available", "--age-group", "18+"]) == 0
    assert capsys.readouterr().out.strip().endswith("RIVM_gezondheid2020_18+.xlsx")
    assert cli.main(["data", "fetch", "rivm-gezondheid", "--year", "2020", "--variant", "65+"]) == 0
    out = capsys.readouterr()
    assert out.out.strip().endswith("RIVM_gezondheid2020_65+.xlsx") and "--variant is deprecated" in out.err
    assert cli.main(["data", "fetch", "rivm-gezondheid"]) == 1
    assert "years that can be had here: 2016, 2020" in capsys.readouterr().err
