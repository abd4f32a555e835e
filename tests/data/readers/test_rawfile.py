"""Opening a data file once (readers/rawfile.py): what kind of file it is, and a file refused in one line before it
costs time or memory out of all proportion to its size (zip bombs, FIFOs, devices, deep nesting, declared sizes);
hidden sheets, formula cells, line ends, encodings and delimiters read as the publisher meant them."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import wijkstudie as ws

from helpers import (
    FIXTURES,
    KWB_HEADER,
    REPO,
    one_error_line,
    one_line,
    run_cli,
    warns_municipal_extract,
    write_kwb_workbook,
)


def test_empty_file(capsys):
    one_error_line(run_cli(capsys, "data", "inspect", FIXTURES / "empty.csv"), "empty.csv: empty file")


def test_html_error_page_saved_as_a_workbook(capsys):
    one_error_line(
        run_cli(capsys, "data", "inspect", FIXTURES / "html-error-page.xlsx"),
        "html-error-page.xlsx: an HTML page, not a data file",
    )


def test_missing_file(tmp_path, capsys):
    one_error_line(run_cli(capsys, "data", "inspect", tmp_path / "nope.csv"), "nope.csv: no such file")


def test_a_workbook_that_unpacks_to_more_than_the_limit_is_refused_before_parsing(tmp_path, fresh_cache):
    good = write_kwb_workbook(tmp_path / "kwb-2023.xlsx")
    bomb = tmp_path / "bomb-kwb-2023.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":  # 4 MiB of spaces: 4 KB packed
                data = data.replace(b"<sheetData>", b" " * (4 << 20) + b"<sheetData>")
            target.writestr(info.filename, data)
    assert bomb.stat().st_size < 100_000
    with ws.settings.using(max_unpacked_bytes=1 << 20), pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(bomb)
    one_line(exc, "bomb-kwb-2023.xlsx: unpacks to", "xl/worksheets/sheet1.xml alone", "max_unpacked_bytes", "refused")
    with ws.settings.using(max_unpacked_bytes=1 << 20):
        assert len(ws.read_file(good)) > 0


def test_zipped_boundaries_that_unpack_to_more_than_the_limit_are_refused(tmp_path, fresh_cache):
    path = tmp_path / "wijkbuurtkaart-2018.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("buurt_2018.shp", b"\0" * (2 << 20))
    with ws.settings.using(max_unpacked_bytes=1 << 20), pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(path)
    one_line(exc, "wijkbuurtkaart-2018.zip: unpacks to 2,097,152 bytes", "max_unpacked_bytes")


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress])
def test_r_data_that_unpacks_to_more_than_the_limit_is_refused_before_parsing(tmp_path, fresh_cache, compress):
    path = tmp_path / "grenswijziging_gemeente_van_2020_naar_2022.rda"
    path.write_bytes(compress(b"RDX3\nX\n" + b"\0" * (3 << 20)))  # R data that unpacks to 3 MiB
    with ws.settings.using(max_unpacked_bytes=1 << 20), pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(path)
    one_line(exc, "grenswijziging_gemeente_van_2020_naar_2022.rda: unpacks to more than", "max_unpacked_bytes")


def _finishes(call, seconds=20):
    """Run ``call`` in a thread; its outcome (what it returned, or the exception), or None while it is blocked."""
    import threading

    outcome = []

    def run():
        try:
            outcome.append(call())
        except BaseException as exc:  # noqa: BLE001 - the test looks at what it was
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    return outcome[0] if outcome else None


def test_a_fifo_is_refused_from_its_stat_before_it_is_opened(tmp_path, fresh_cache, capsys):
    import os

    from helpers import run_cli

    fifo = tmp_path / "kwb-2022.csv"
    os.mkfifo(fifo)
    try:
        outcome = _finishes(lambda: ws.read_file(fifo))
        assert isinstance(outcome, ws.DataFormatError), outcome
        assert str(outcome) == "kwb-2022.csv: a FIFO (named pipe), not a data file: refused before it is opened"
        result = _finishes(lambda: run_cli(capsys, "data", "inspect", fifo))
        assert result is not None and not isinstance(result, BaseException), result
        assert result.returncode == 1 and "a FIFO (named pipe), not a data file" in result.stderr
    finally:  # release a reader that blocked (on the code before the fix)
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK) if _has_reader(fifo) else None
        if fd is not None:
            os.close(fd)


def _has_reader(fifo) -> bool:
    import os

    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        return True
    except OSError:
        return False


def test_a_device_is_refused_and_never_read(fresh_cache):
    with pytest.raises(ws.DataFormatError) as exc:
        ws.read_file("/dev/zero")
    one_line(exc, "zero: a character device, not a data file: refused before it is opened")


def test_a_text_file_over_the_size_limit_is_refused_before_it_is_hashed(tmp_path, fresh_cache, monkeypatch):
    path = tmp_path / "kwb-2017.csv"
    path.write_text("gwb_code,a_inw\n" + "GM0001,1000\n" * 200, encoding="utf-8")

    def never(*args, **kwargs):
        raise AssertionError("hashed before the size was checked")

    monkeypatch.setattr("wijkstudie.data.cache.file_sha256", never)
    with ws.settings.using(max_text_bytes=1000), pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(path)
    one_line(exc, "kwb-2017.csv: a text file of 2,415 bytes, more than the limit of 1,000", "max_text_bytes", "refused")
    good = write_kwb_workbook(tmp_path / "kwb-2023.xlsx")  # a workbook is bounded by its own checks, not this one
    monkeypatch.undo()
    with ws.settings.using(max_text_bytes=1000):
        assert len(ws.read_file(good)) > 0


def test_the_text_size_limit_is_a_setting_with_its_variable(monkeypatch):
    monkeypatch.setenv("WIJKSTUDIE_MAX_TEXT_BYTES", "1234")
    assert ws.settings.max_text_bytes == 1234


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_deeply_nested_json_is_refused_in_one_line_before_it_is_parsed(tmp_path, fresh_cache, text):
    path = tmp_path / "wijken-2024.geojson"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(path)
    one_line(exc, "wijken-2024.geojson: JSON nested", "levels deep, more than the 200", "refused before it is parsed")


def test_brackets_inside_json_strings_do_not_count_as_nesting():
    from wijkstudie.data.readers.rawfile import json_depth

    assert json_depth(b'{"a": "[[[[{{{", "b": "\\\\", "c": "\\"[[[", "d": [[1]]}') == 3


@pytest.mark.parametrize("ends", ["\r", "mixed"])
def test_cr_only_and_mixed_line_ends_read_like_lf(tmp_path, fresh_cache, ends):
    from helpers import FIXTURES

    text = (FIXTURES / "kwb-odata-2017.csv").read_text(encoding="utf-8-sig")
    lines = text.split("\n")
    if ends == "\r":
        changed = "\r".join(lines)
    else:
        changed = "".join(line + ("\r\n", "\r", "\n")[i % 3] for i, line in enumerate(lines))
    (tmp_path / "lf").mkdir()
    (tmp_path / "lf" / "kwb.csv").write_text(text, encoding="utf-8")
    (tmp_path / "kwb.csv").write_bytes(changed.encode("utf-8"))
    with warns_municipal_extract():
        expected = ws.read_file(tmp_path / "lf" / "kwb.csv")
    with warns_municipal_extract():
        table = ws.read_file(tmp_path / "kwb.csv")
    pd.testing.assert_frame_equal(pd.DataFrame(table), pd.DataFrame(expected))


def _workbook_with_formulas(path):
    """A KWB workbook whose a_inw of the wijk is a formula without a computed value and whose p_koopw of the
    gemeente is #DIV/0! and of the wijk #N/A (openpyxl writes formulas without their values, as a script would)."""
    import openpyxl

    write_kwb_workbook(path)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    a_inw, p_koopw = header.index("a_inw") + 1, header.index("p_koopw") + 1
    sheet.cell(3, a_inw).value = "=G2*2"
    for row, error in ((2, "#DIV/0!"), (3, "#N/A")):
        cell = sheet.cell(row, p_koopw)
        cell.value, cell.data_type = error, "e"
    book.save(path)
    return path


def test_formula_cells_without_a_value_and_error_cells_are_counted_per_column_and_warned(tmp_path, fresh_cache):
    path = _workbook_with_formulas(tmp_path / "kwb-2023.xlsx")
    expected = (
        r"kwb-2023.xlsx: sheet 'kwb-2023': 1 formula cell\(s\) without a computed value and 2 error cell\(s\) "
        r"\(#DIV/0!, #N/A\) read as missing, by column: G 'a_inw': 1 formula\(s\); N 'p_koopw': 2 error\(s\)"
    )
    for _ in range(2):  # from the file, then from the cache
        with pytest.warns(ws.WijkstudieWarning, match=expected):
            table = ws.read_file(path)
    assert table.set_index("region_code").loc["WK990100", ["population", "pct_owner_occupied"]].isna().all()
    assert any("formula cell(s) without a computed value" in w for w in map(str, ws.report(table).warnings))


def test_a_hidden_stale_first_sheet_is_not_read_instead_of_the_visible_one(tmp_path, fresh_cache):
    import openpyxl

    path = write_kwb_workbook(tmp_path / "kwb-2023.xlsx")
    book = openpyxl.load_workbook(path)
    stale = book.copy_worksheet(book["kwb-2023"])
    for row in stale.iter_rows(min_row=2):
        row[[c.value for c in stale[1]].index("a_inw")].value = 1  # stale figures
    book["kwb-2023"].title = "Blad1"
    stale.title = "kwb-2023"
    stale.sheet_state = "hidden"
    book.move_sheet(stale, offset=-1)  # the hidden sheet first
    book.save(path)
    table = ws.read_file(path)
    assert table.set_index("region_code").loc["GM9901", "population"] == 1000  # the visible sheet's figures


def test_a_hidden_sheet_is_read_when_it_is_asked_for_by_name(tmp_path):
    import openpyxl

    from wijkstudie.data.readers.rawfile import open_raw

    path = tmp_path / "book.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "shown"
    book.active.append(["a"])
    hidden = book.create_sheet("labels")
    hidden.append(["b"])
    hidden.sheet_state = "hidden"
    book.save(path)
    raw = open_raw(path)
    assert raw.sheet_names == ["shown"] and raw.sheet_rows(0) == [["a"]] and raw.sheet_rows("labels") == [["b"]]


def test_a_csv_with_another_delimiter_is_told_about_it(tmp_path):
    source = (FIXTURES / "kwb-odata-2017.csv").read_text(encoding="utf-8")
    path = tmp_path / "kwb.csv"
    path.write_text(source.replace(",", "|"), encoding="utf-8")
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.read_file(path)
    one_line(exc, "kwb.csv", "its columns are separated by '|', not by a comma, semicolon or tab")


def test_an_empty_first_row_is_called_so(tmp_path):
    source = (FIXTURES / "kwb-odata-2017.csv").read_text(encoding="utf-8")
    path = tmp_path / "kwb.csv"
    path.write_text("\n" + source, encoding="utf-8")
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.read_file(path)
    one_line(exc, "its first row is empty")


def in_subprocess(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), WIJKSTUDIE_DATA_DIR=str(tmp_path / "sub-cache"))
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path
    )


def _sheet_xml(dimension: str | None, cells: list[str]) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    rows = "".join(f'<row r="{c.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{c}"><v>1</v></c></row>' for c in cells)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{rows}</sheetData></worksheet>"
    )


def crafted_xlsx(path: Path, dimension: str | None, cells: list[str], sheet: str = "Data") -> Path:
    """A minimal workbook written by hand: one sheet with the given dimension element and cells."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
        'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": _sheet_xml(dimension, cells),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


@pytest.mark.parametrize(
    "dimension, cells",
    [
        ("A1:XFD1048576", ["A1", "XFD1048576"]),  # declared and real
        (None, ["A1", "XFD1048576"]),  # no dimension element: the cells tell
        ("A1", ["A1", "XFD1048576"]),  # a dimension that lies
    ],
    ids=["declared", "undeclared", "lying"],
)
def test_a_tiny_workbook_declaring_a_huge_sheet_is_refused_in_one_line_not_an_abort(tmp_path, dimension, cells):
    path = crafted_xlsx(tmp_path / "kwb-2023.xlsx", dimension, cells)
    assert path.stat().st_size < 5000
    done = in_subprocess(
        "import wijkstudie as ws\n"
        "try:\n    ws.read_file('kwb-2023.xlsx')\n"
        "except ws.WijkstudieError as exc:\n    print(type(exc).__name__, exc)\n",
        tmp_path,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-500:])
    line = done.stdout.strip()
    assert line.startswith("DataFormatError kwb-2023.xlsx:") and "\n" not in line, line
    assert "sheet 'Data'" in line and "16,384 columns" in line and "1,048,576 rows" in line, line


def test_the_cli_inspects_a_huge_sheet_in_one_line(tmp_path):
    crafted_xlsx(tmp_path / "kwb-2023.xlsx", "XFD1048576", ["XFD1048576"])
    env = dict(os.environ, PYTHONPATH=str(REPO), WIJKSTUDIE_DATA_DIR=str(tmp_path / "c"))
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from wijkstudie.cli import main; sys.exit(main(sys.argv[1:]))"]
        + ["data", "inspect", "kwb-2023.xlsx"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr, (done.returncode, done.stderr[-400:])
    assert "sheet 'Data'" in done.stderr and "limit" in done.stderr


def test_a_workbook_within_the_limits_still_reads(tmp_path, fresh_cache):
    table = ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx"))
    assert len(table) == 4


def test_the_limits_are_settings(tmp_path, fresh_cache):
    path = write_kwb_workbook(tmp_path / "kwb-2023.xlsx")
    with ws.settings.using(max_sheet_cells=20), pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(path)
    assert "sheet 'kwb-2023'" in str(exc.value) and "max_sheet_cells" in str(exc.value)


def test_a_csv_header_with_an_absurd_column_count_is_refused_before_it_is_parsed(tmp_path, fresh_cache):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(300_000)) + "\n" + ",".join("1" * 300_000) + "\n")
    start = time.perf_counter()
    with pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(path)
    assert time.perf_counter() - start < 5
    text = str(exc.value)
    assert "\n" not in text and "columns" in text and "max_columns" in text and len(text) < 300, text


def test_a_csv_that_is_not_utf8_is_read_as_windows_1252_and_says_so(tmp_path, fresh_cache):
    path = tmp_path / "kwb-2022.csv"
    path.write_bytes((KWB_HEADER + "GM9901,Café,Café,Gemeente,1000\n").encode("cp1252"))
    with pytest.warns(ws.WijkstudieWarning, match=r"not valid UTF-8.*Windows-1252"):
        table = ws.read_file(path)
    assert table["region_name"].iloc[0] == "Café"
    assert any("Windows-1252" in w for w in map(str, ws.report(table).warnings))
    with pytest.warns(ws.WijkstudieWarning, match="Windows-1252"):  # also from the cache
        ws.read_file(path)
