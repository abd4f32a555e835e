"""The yearly KWB workbook (readers/kwb_workbook.py): a damaged workbook is one line; rows without a level and codes
whose level column disagrees are reported."""

from __future__ import annotations

import warnings

import wijkstudie as ws

from helpers import one_error_line, run_cli, write_kwb_workbook


def test_truncated_workbook(truncated_workbook, capsys):
    one_error_line(
        run_cli(capsys, "data", "inspect", truncated_workbook),
        "kwb-2023.xlsx: not a valid Excel workbook (truncated or corrupt?)",
    )


def test_corrupt_workbook(tmp_path, capsys):
    bad = tmp_path / "gezondheid.xlsx"
    bad.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 100)
    one_error_line(run_cli(capsys, "data", "inspect", bad), "gezondheid.xlsx: not a valid Excel workbook")


def test_short_rows_and_codes_whose_level_column_disagrees_are_reported(tmp_path, fresh_cache):
    from helpers import kwb_rows

    rows = kwb_rows()
    rows[1]["recs"] = "Gemeente"  # a buurt whose level column says gemeente
    rows[2] = {k: (v if k in ("gwb_code_10", "regio") else "") for k, v in rows[2].items()}  # code and name only
    path = write_kwb_workbook(tmp_path / "kwb-2023.xlsx", rows=rows)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = ws.read_file(path)
    said = " | ".join(str(w.message) for w in caught)
    assert "1 row(s) with a region code but no level (recs) and no figures were dropped (e.g. BU99010001)" in said
    assert "1 code(s) whose level column names another level than the code does (e.g. BU99010000 (Gemeente))" in said
    assert table.set_index("region_code").loc["BU99010000", "level"] == "buurt"
