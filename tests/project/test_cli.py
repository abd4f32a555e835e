"""The ``wijkstudie`` command: called in-process (``wijkstudie.cli.main``) except one smoke test per command, which
runs it as a user does, in a process of its own."""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

import wijkstudie as ws
from wijkstudie.cli import main

from helpers import (
    FIXTURES,
    REPO,
    one_error_line,
    run_cli,
    warns_municipal_extract,
)

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
    "rotterdam-wijkprofiel/Datastructuur wijkprofiel_2024_totaal_Dataset voor derden_basis voor gebieden.xlsx": (
        "rotterdam-wijkprofiel",
        2024,
        {"gemeente": 6, "wijk": 84, "buurt": 426},  # six waves of 1 city, 14 gebieden and 71 wijken
    ),
    "rotterdam-wijkprofiel/Context2015 voor website_totaal 25012016.xls": (
        "rotterdam-wijkprofiel",
        2015,
        {"gemeente": 1, "wijk": 14, "buurt": 71},
    ),
    "amsterdam-bbga/bbga_latest_and_greatest-DX.csv": ("amsterdam-bbga", 2018, {"gemeente": 16, "gebied": 368}),
    "amsterdam-bbga/metadata_latest_and_greatest.csv": ("amsterdam-bbga", 2018, {}),
    # CBS StatLine tables: long tables without levels; the year is the table's last period
    "cbs-statline/82249NED.csv": ("cbs-statline", 2021, {}),
    "cbs-statline/85541NED.csv": ("cbs-statline", 2023, {}),
    "cbs-statline/60027ned.csv": ("cbs-statline", 2011, {}),
    "cbs-statline/85533NED.csv": ("cbs-statline", 2023, {}),
    "cbs-statline/81924NED.csv": ("cbs-statline", 2019, {}),
    "cbs-statline/85146NED.csv": ("cbs-statline", 2023, {}),
    "cbs-statline/81925NED.csv": ("cbs-statline", 2019, {}),
    "cbs-statline/85844NED.csv": ("cbs-statline", 2023, {}),
}


def snapshot(mirror) -> tuple[set, dict]:
    """The snapshot's files (relative paths) and the catalogue's crosswalk resources by their mirror path."""
    from wijkstudie.data.catalogue import get_dataset

    files = {str(p.relative_to(mirror)) for p in mirror.rglob("*") if p.is_file() and p.suffix != ".md"}
    return files, {r.mirror: r for r in get_dataset("grenswijzigen").resources}


def recognised_as_its_resource(mirror, rel, resource):
    r = ws.report(ws.read_file(mirror / rel))
    assert (r.source, r.year, r.variant, r.division) == (
        "grenswijzigen",
        resource.year,
        resource.choice,
        resource.year,
    ), rel


def test_every_snapshot_file_is_covered(mirror):
    """Every file of the snapshot is recognised: the ones above through the command line, the crosswalk matrices
    (232 of them) in-process as the catalogue resource whose mirror path it has: one of each of the six kinds here,
    every one in the slow test below."""
    files, matrices = snapshot(mirror)
    assert files == set(EXPECTED) | (files & set(matrices))
    assert len(files & set(matrices)) == 232
    kinds = {}  # grenswijziging_[toevoeging_]{gemeente,wijk}[_voor_postcode] -> its first matrix
    for rel in sorted(files & set(matrices)):
        kinds.setdefault(re.sub(r"_van_\d{4}_naar_\d{4}", "", rel), rel)
    assert len(kinds) == 6
    for rel in kinds.values():
        recognised_as_its_resource(mirror, rel, matrices[rel])


@pytest.mark.slow
def test_every_crosswalk_matrix_of_the_snapshot_is_recognised(mirror):
    files, matrices = snapshot(mirror)
    for rel in sorted(files & set(matrices)):
        recognised_as_its_resource(mirror, rel, matrices[rel])


# the other years and age groups of the RIVM workbook, read as the 2020 18+ one is: in the slow tier
SAME_READER_AGAIN = {
    "rivm-gezondheid/RIVM_gezondheid2020_65+.xlsx",
    "rivm-gezondheid/RIVM_gezondheid2016_18+.xlsx",
    "rivm-gezondheid/RIVM_gezondheid2016_65+.xlsx",
}


@pytest.mark.parametrize(
    "rel", [pytest.param(rel, marks=[pytest.mark.slow] if rel in SAME_READER_AGAIN else []) for rel in sorted(EXPECTED)]
)
def test_inspect_json_for_every_snapshot_file(mirror, rel, capsys):
    result = run_cli(capsys, "data", "inspect", mirror / rel, "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert {"source", "year", "levels", "variables", "warnings"} <= set(summary)
    source, year, levels = EXPECTED[rel]
    assert (summary["source"], summary["year"], summary["levels"]) == (source, year, levels)
    assert all(isinstance(n, int) for n in summary["variables"].values())


def test_inspect_text_summary(mirror, capsys):
    result = run_cli(capsys, "data", "inspect", mirror / "cbs-kwb" / "CBS-Utrecht-kwb-2023.xlsx")
    assert result.returncode == 0
    assert "year:  2023" in result.stdout
    assert "empty in this file (every level): mean_income_per_resident" in result.stdout
    assert "this looks like a first release" in result.stdout
    assert "offline mirror" not in result.stdout  # inspect reads a file, not a catalogue resource


def test_list_and_describe(capsys):
    result = run_cli(capsys, "data", "list")
    assert result.returncode == 0 and "rivm-gezondheid" in result.stdout
    result = run_cli(capsys, "data", "describe", "rivm-gezondheid")
    assert result.returncode == 0 and "RIVM" in result.stdout
    result = run_cli(capsys, "data", "describe", "BBGA")
    assert result.returncode == 1 and "unknown dataset 'BBGA'" in result.stderr


def test_fetch_from_the_mirror(mirror, capsys):
    result = run_cli(capsys, "data", "fetch", "kwb", "--year", "2023")
    assert result.returncode == 0, result.stderr
    assert "CBS-Utrecht-kwb-2023.xlsx" in result.stdout


def test_a_usage_error_is_argparses_status_2(capsys):
    result = run_cli(capsys, "data", "inspect")
    assert result.returncode == 2 and "the following arguments are required: file" in result.stderr


# --- one smoke test per command, in a process of its own, as a user runs it ---------------------------------------


def command(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wijkstudie.cli", *map(str, args)], capture_output=True, text=True, **kwargs
    )


def test_smoke_inspect():
    result = command("data", "inspect", FIXTURES / "wijken-2024.geojson", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["source"] == "cbs-wijken"


def test_smoke_list():
    result = command("data", "list")
    assert result.returncode == 0 and "rivm-gezondheid" in result.stdout


def test_smoke_describe_an_unknown_name_is_one_line_and_status_1():
    result = command("data", "describe", "BBGA")
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "unknown dataset 'BBGA'" in result.stderr


def test_smoke_fetch(mirror):
    result = command("data", "fetch", "kwb", "--year", "2023")
    assert result.returncode == 0, result.stderr
    assert "CBS-Utrecht-kwb-2023.xlsx" in result.stdout


def test_fetch_takes_the_named_options_and_no_variant(mirror, capsys):
    from wijkstudie import cli

    assert cli.main(["data", "fetch", "rivm-gezondheid", "--year", "2020", "--age-group", "65+"]) == 0
    assert capsys.readouterr().out.strip().endswith("RIVM_gezondheid2020_65+.xlsx")
    assert cli.main(["data", "fetch", "rivm-gezondheid", "--year", "latest-available", "--age-group", "18+"]) == 0
    assert capsys.readouterr().out.strip().endswith("RIVM_gezondheid2020_18+.xlsx")
    with pytest.raises(SystemExit) as exc:
        cli.main(["data", "fetch", "rivm-gezondheid", "--year", "2020", "--variant", "65+"])
    assert exc.value.code == 2 and "unrecognized arguments: --variant 65+" in capsys.readouterr().err
    assert cli.main(["data", "fetch", "rivm-gezondheid"]) == 1
    assert "years that can be had here: 2016, 2020" in capsys.readouterr().err


# --- a command that teaches itself: reproduce, site, lab, config, --version; help with examples ------------------


def test_version_and_a_bare_command(capsys):
    result = run_cli(capsys, "--version")
    assert result.returncode == 0 and result.stdout == f"wijkstudie {ws.__version__}\n"
    result = run_cli(capsys)
    assert result.returncode == 2 and "usage: wijkstudie" in result.stderr and "examples:" in result.stderr


def _commands(parser, prefix=()):
    import argparse

    yield prefix, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*prefix, name))


def test_every_command_has_an_example_says_which_settings_it_reads_and_explains_its_positionals():
    from wijkstudie.cli import build_parser

    commands = dict(_commands(build_parser()))
    assert {" ".join(c) for c in commands} >= {
        "config",
        "data",
        "data list",
        "data available",
        "data describe",
        "data fetch",
        "data inspect",
        "reproduce",
        "site",
        "lab",
    }
    for words, parser in commands.items():
        text = parser.format_help()
        assert "examples:\n  wijkstudie" in text and "settings it reads:" in text, words
        assert "project file" in text, words
        for action in parser._actions:
            if not action.option_strings and action.dest not in ("command", "action"):
                assert action.help, (words, action.dest)
        assert max(map(len, text.splitlines())) <= 100, words


def test_data_list_is_aligned(capsys):
    result = run_cli(capsys, "data", "list")
    lines = result.stdout.splitlines()
    header = lines[0]
    starts = [header.index(word) for word in ("years", "levels", "choose with", "title")]
    for line in lines[1:]:
        for start in starts:
            assert line[start - 2 : start] == "  " and line[start] != " ", line
    assert "2016, 2018, 2020, 2022, 2024" in result.stdout  # the Leefbaarometer's years, which used to push it out


def test_config_shows_every_setting_and_where_it_comes_from(capsys, tmp_path, monkeypatch):
    project = tmp_path / "wijkstudie.toml"
    project.write_text('mirror = "copy"\nlanguage = "nl"\n', encoding="utf-8")
    monkeypatch.setenv("WIJKSTUDIE_CONFIG", str(project))
    result = run_cli(capsys, "config")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"project file: {project}"
    rows = {line.split()[0]: line for line in lines[2:]}
    assert rows["mirror"].split()[1] == str(tmp_path / "copy") and f"mirror in {project}" in rows["mirror"]
    assert re.search(r"the environment variable WIJKSTUDIE_DATA_DIR +WIJKSTUDIE_DATA_DIR$", rows["data_dir"])
    assert run_cli(capsys, "config", "--get", "language").stdout == "nl\n"
    assert json.loads(run_cli(capsys, "config", "--json").stdout)["project_file"] == str(project)
    result = run_cli(capsys, "config", "--get", "colour")
    assert result.returncode == 1 and "unknown setting 'colour'" in result.stderr
    monkeypatch.setenv("WIJKSTUDIE_CONFIG", "none")
    result = run_cli(capsys, "config")
    assert result.stdout.startswith("project file: none") and 'mirror = "../shared/data"' in result.stdout


def test_site_passes_the_settings_on_and_builds_from_the_build_folder(monkeypatch, tmp_path):
    from wijkstudie import cli
    from wijkstudie.core import settings as settings_module
    from wijkstudie.reproduce import site

    seen = []
    monkeypatch.setattr(os, "environ", dict(os.environ))
    monkeypatch.setattr(settings_module, "START_DIR", tmp_path)
    monkeypatch.setenv("WIJKSTUDIE_BUILD_DIR", "b")
    monkeypatch.setattr(site, "main", lambda argv: seen.append((argv, os.environ["WIJKSTUDIE_BUILD_DIR"])) or 0)
    assert cli.main(["site"]) == 0 and cli.main(["site", "other-build"]) == 0
    assert seen == [([], str(tmp_path / "b")), (["other-build"], str(tmp_path / "b"))]


def test_lab_starts_jupyterlab_from_this_environment_with_the_settings(monkeypatch, tmp_path, capsys):
    import importlib.util

    from wijkstudie import cli

    project = tmp_path / "wijkstudie.toml"
    project.write_text('mirror = "copy"\n', encoding="utf-8")
    monkeypatch.setenv("WIJKSTUDIE_CONFIG", str(project))
    monkeypatch.setattr(os, "environ", dict(os.environ))
    started = []
    monkeypatch.setattr(subprocess, "call", lambda command, env: started.append((command, env)) or 0)
    assert cli.main(["lab", "--", "--no-browser", "--port", "8890"]) == 0
    ((command, env),) = started
    root = ["--allow-root"] if os.geteuid() == 0 else []  # JupyterLab refuses root without it
    assert command == [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--port", "8890", *root]
    assert cli.lab_options(["--port", "1"], uid=0) == ["--port", "1", "--allow-root"]
    assert cli.lab_options(["--allow-root"], uid=0) == ["--allow-root"]
    assert cli.lab_options(["--port", "1"], uid=1000) == ["--port", "1"]
    assert env["WIJKSTUDIE_MIRROR"] == str(tmp_path / "copy")
    assert json.loads(env["WIJKSTUDIE_SETTINGS_FROM"])["mirror"] == [str(tmp_path / "copy"), str(project)]
    assert "WIJKSTUDIE_MIRROR=" in capsys.readouterr().out
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    result = run_cli(capsys, "lab")
    assert result.returncode == 1 and 'lab needs jupyterlab: pip install "wijkstudie[notebooks]"' in result.stderr


def test_data_available_on_the_real_mirror(mirror, capsys):
    result = run_cli(capsys, "data", "available", "cbs-wijken", "--offline")
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "dataset     year  choice  from    note",
        "cbs-wijken  2024  -       mirror  geo/wijken-2024.geojson",
    ]


def test_smoke_version_and_config():
    result = subprocess.run(
        [sys.executable, "-m", "wijkstudie", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout.startswith("wijkstudie ")
    result = command("config", "--get", "language")
    assert result.returncode == 0 and result.stdout.strip() in ("en", "nl")


def test_the_cli_reproduce_passes_absolute_settings_to_the_main_command(monkeypatch, tmp_path):
    """Issue 17, point 6: the relative figures folder reaches the main command (and so its kernels) as the absolute
    folder of where the command was started."""
    from wijkstudie import cli
    from wijkstudie.core import settings as settings_module
    from wijkstudie.reproduce import run

    seen = {}
    monkeypatch.setattr(os, "environ", dict(os.environ))  # what the command exports stays in this test
    monkeypatch.setattr(settings_module, "START_DIR", tmp_path)
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", "relfigs")
    monkeypatch.setattr(run, "run", lambda argv: seen.update(argv=argv, figures=os.environ["WIJKSTUDIE_FIGURES_DIR"]))
    cli.main(["reproduce", "--force", "--jobs", "1", "notebooks/02_home_ownership.ipynb"])
    assert seen == {
        "argv": ["notebooks/02_home_ownership.ipynb", "--force", "--jobs", "1"],
        "figures": str(tmp_path / "relfigs"),
    }


@pytest.mark.parametrize("args", [["config"], ["data", "list"]], ids=" ".join)
def test_output_into_a_closed_pipe_ends_quietly(args):
    """``wijkstudie config | head -1``: the reader has gone; the command stops without a word on standard error."""
    import os

    read, write = os.pipe()
    os.close(read)  # the reader has gone before the command writes: every write is EPIPE
    try:
        result = subprocess.run(
            [sys.executable, "-m", "wijkstudie", *args], stdout=write, stderr=subprocess.PIPE, text=True, timeout=120
        )
    finally:
        os.close(write)
    assert result.stderr == "" and result.returncode == 141, result


def test_a_closed_pipe_in_process_returns_the_status_of_sigpipe(monkeypatch, capsys):
    class Closed:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Closed())
    from wijkstudie.cli import main

    assert main(["data", "list"]) == 141
    assert capsys.readouterr().err == ""


# --- terminal output escapes control characters (issue 27) --------------------------------------------------------


def test_an_ansi_escape_in_a_file_name_reaches_the_terminal_as_text(tmp_path, capsys, fresh_cache):
    bad = tmp_path / "evil\x1b[2J\x1b[31mred\r.csv"
    bad.write_text("<html><body>not data</body></html>", encoding="utf-8")
    result = run_cli(capsys, "data", "inspect", bad)
    assert result.returncode == 1
    assert "\x1b" not in result.stderr and "\r" not in result.stderr
    assert "evil\\x1b[2J\\x1b[31mred\\r.csv" in result.stderr
    good = tmp_path / "kwb\x1b]0;title\x07-2017.csv"
    shutil.copyfile(FIXTURES / "kwb-odata-2017.csv", good)
    result = run_cli(capsys, "data", "inspect", good)
    assert result.returncode == 0 and "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "kwb\\x1b]0;title\\x07-2017.csv" in result.stdout


def test_a_warning_shown_by_the_command_escapes_control_characters(tmp_path, fresh_cache):
    good = tmp_path / "kwb\x1b[31m-2017.csv"
    shutil.copyfile(FIXTURES / "kwb-odata-2017.csv", good)
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONWARNINGS="default")
    done = subprocess.run(
        [sys.executable, "-m", "wijkstudie", "data", "inspect", str(good)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert "municipal extract" in done.stderr and "\x1b" not in done.stderr and "\\x1b[31m" in done.stderr


def test_unknown_dataset_year_and_level_from_the_command_line(capsys):
    one_error_line(run_cli(capsys, "data", "fetch", "kerncijfers"), "unknown dataset 'kerncijfers'")
    one_error_line(run_cli(capsys, "data", "fetch", "kwb", "--year", "1990"), "kwb: no year 1990")


def test_cli_main_returns_status_instead_of_raising(capsys):
    assert main(["data", "inspect", str(FIXTURES / "empty.csv")]) == 1
    assert "empty file" in capsys.readouterr().err
    with warns_municipal_extract():
        assert main(["data", "inspect", str(FIXTURES / "kwb-odata-2017.csv")]) == 0


def test_ctrl_c_on_the_command_line_is_one_line_and_status_130(monkeypatch, capsys):
    from wijkstudie import cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_list", interrupted)  # the parser is built at each call, with this function
    assert cli.main(["data", "list"]) == 130
    err = capsys.readouterr().err
    assert err.strip() == "wijkstudie: interrupted" and "Traceback" not in err
