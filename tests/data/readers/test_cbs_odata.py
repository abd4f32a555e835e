"""CBS open-data tables by region (readers/cbs_odata.py): a file without its key columns is refused, naming them."""

from __future__ import annotations

import pytest

import wijkstudie as ws


def test_expected_file_without_its_key_columns(fake_mirror, fresh_cache):
    fake_mirror({"cbs-kwb/indicators_buurt_wijk_gemeente.csv": b"ID,Gemeentenaam_1,AantalInwoners_5\n1,Test,10\n"})
    with pytest.raises(
        ws.WijkstudieError,
        match="indicators_buurt_wijk_gemeente.csv: not a CBS open-data table by region: "
        "expected column.s. WijkenEnBuurten missing",
    ):
        ws.load("kwb", year=2017, source_format="open-data")
