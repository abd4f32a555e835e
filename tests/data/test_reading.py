"""Reading a file (data/reading.py): a file that yields no rows says so."""

from __future__ import annotations

import pytest

import wijkstudie as ws

from helpers import KWB_HEADER


def test_a_file_that_yields_no_rows_says_so(tmp_path, fresh_cache):
    path = tmp_path / "kwb-2023.csv"
    path.write_text(KWB_HEADER, encoding="utf-8")
    with pytest.warns(ws.WijkstudieWarning, match="no rows"):
        table = ws.read_file(path)
    assert len(table) == 0 and any("no rows" in w for w in map(str, ws.report(table).warnings))
