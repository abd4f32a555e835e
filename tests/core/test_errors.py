"""Errors: every kind is a WijkstudieError and the matching built-in, with its one-line message unchanged."""

import ast
from pathlib import Path

import pandas as pd
import pytest

import wijkstudie as ws
from wijkstudie.core import errors

from helpers import FIXTURES

PACKAGE = Path(ws.__file__).parent

BUILT_IN = {
    "ArgumentError": (ValueError,),
    "ArgumentTypeError": (ValueError, TypeError),
    "DataNotFoundError": (FileNotFoundError,),
    "MissingRecordError": (LookupError,),
    "DataFormatError": (ValueError,),
    "DownloadError": (ConnectionError,),
}


def test_every_error_class_is_a_wijkstudie_error_and_its_built_in_and_on_ws():
    for name, bases in BUILT_IN.items():
        cls = getattr(ws, name)
        assert cls is getattr(errors, name) and issubclass(cls, ws.WijkstudieError), name
        assert all(issubclass(cls, b) for b in bases), name
        assert str(cls("kwb: one line")) == "kwb: one line", name  # an OSError with one argument keeps it as is


def test_a_bad_argument_is_a_value_error_with_its_message_unchanged():
    with pytest.raises(ValueError, match="^unknown dataset 'kwbb'; available: kwb, "):
        ws.load("kwbb")
    with pytest.raises(ValueError, match=r"^kwb: no year 1999; available: 2013-2025$"):
        ws.load("kwb", year=1999)
    with pytest.raises(ValueError, match=r"^rivm-gezondheid: no level 'provincie'; available: land, gemeente"):
        ws.load("rivm-gezondheid", level="provincie")
    with pytest.raises(ws.ArgumentError, match="crosswalk: level must be one of gemeente, wijk, not 'buurt'"):
        ws.crosswalk("buurt", 2020, 2022)


def test_a_wrong_type_is_a_type_error_too():
    with pytest.raises(TypeError, match="a dataset name is a text such as 'kwb', not None"):
        ws.load(None)
    with pytest.raises(TypeError, match="year must be a whole number such as 2022, not 'twenty'"):
        ws.load("kwb", year="twenty")
    with pytest.raises(TypeError, match="read_file: give the path of a file, not None"):
        ws.read_file(None)


def test_a_year_that_is_not_here_is_a_file_not_found_error(fake_mirror, fresh_cache):
    root = fake_mirror({"geo/unrelated.txt": b"x"})
    with pytest.raises(FileNotFoundError, match=r"^kwb 2017 \(workbook\) is not in the mirror") as exc:
        ws.load("kwb", year=2017)
    assert isinstance(exc.value, ws.DataNotFoundError) and str(root) in str(exc.value)
    with pytest.raises(FileNotFoundError, match="no such file"):
        ws.read_file(fresh_cache / "nothing-here.csv")


def test_unreadable_data_is_a_value_error_and_a_missing_report_a_lookup_error(tmp_path):
    with pytest.raises(ws.DataFormatError, match="^empty.csv: empty file$"):
        ws.read_file(FIXTURES / "empty.csv")
    with pytest.raises(ValueError, match="html-error-page.xlsx: an HTML page, not a data file"):
        ws.read_file(FIXTURES / "html-error-page.xlsx")
    with pytest.raises(LookupError, match="^this table carries no wijkstudie load report$"):
        ws.report(pd.DataFrame({"x": [1]}))


def test_a_failed_download_is_a_connection_error(fresh_cache, monkeypatch):
    from wijkstudie.data import download

    def refuse(*args, **kwargs):
        raise OSError("Temporary failure in name resolution")

    monkeypatch.setattr(download, "_download_url", refuse)
    with pytest.raises(
        ConnectionError, match=r"^kwb 2023 \(workbook\): the publisher \(download.cbs.nl\) could not"
    ) as exc:
        ws.fetch("kwb", year=2023, source_format="workbook")
    assert isinstance(exc.value, ws.DownloadError)

    def reset(*args, **kwargs):
        raise ConnectionResetError("connection reset by peer")

    monkeypatch.setattr(download, "_download_url", reset)
    with pytest.raises(
        ConnectionError, match=r"^kwb 2023 \(workbook\) \(kwb-2023.xlsx\): download failed \(Connection"
    ):
        ws.fetch("kwb", year=2023, source_format="workbook")


def test_the_command_line_still_prints_one_line_for_every_kind(capsys):
    from wijkstudie import cli

    assert cli.main(["data", "describe", "kwbb"]) == 1
    assert capsys.readouterr().err.startswith("wijkstudie: error: unknown dataset 'kwbb'")


def test_every_raise_outside_the_study_names_its_kind():
    """The study layer may raise the base class; every other raise site says which kind of error it is."""
    plain = []
    for path in PACKAGE.rglob("*.py"):
        if "study" in path.relative_to(PACKAGE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                func = node.exc.func
                if isinstance(func, ast.Name) and func.id == "WijkstudieError":
                    plain.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not plain, plain


@pytest.mark.slow  # a real Jupyter kernel
def test_a_wijkstudie_error_in_a_notebook_cell_shows_its_one_line_without_the_traceback(tmp_path):
    from helpers import kernel_env, run_in_kernel

    cells = [
        "import wijkstudie as ws",
        "ws.load('kwb', year=2022, level='wjik')",  # a mistyped level
        "print('after')",
        "import os\nos.environ['WIJKSTUDIE_ERRORS'] = 'traceback'",
        "ws.load('kwb', year=2022, level='wjik')",
        "1 / 0",
    ]
    out = run_in_kernel(cells, cwd=tmp_path, env=kernel_env(WIJKSTUDIE_CONFIG="none"))
    short, full, other = out[1], out[4], out[5]
    assert short["error"].startswith("ArgumentError: ") and "wjik" in short["error"]
    assert short["traceback"] == [short["error"]]  # the one line, nothing above it
    assert out[2]["stdout"] == "after\n"  # the kernel goes on
    assert full["error"] == short["error"] and len(full["traceback"]) > 3  # the setting errors=traceback
    assert other["error"].startswith("ZeroDivisionError") and len(other["traceback"]) > 1  # other errors as ever


def test_first_clause_is_what_went_wrong_without_what_to_do():
    refused = errors.ArgumentError("rivm: no age_group '12+'; available: 18+, 65+")
    assert refused.first_clause == "rivm: no age_group '12+'"
    missing = errors.DataNotFoundError("kwb 2031 is not in the mirror")
    assert missing.first_clause == "kwb 2031 is not in the mirror"  # one clause: all of it
    with pytest.raises(ws.WijkstudieError) as caught:
        ws.load("no-such-dataset")
    assert caught.value.first_clause == "unknown dataset 'no-such-dataset'"
