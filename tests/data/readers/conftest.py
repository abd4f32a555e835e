"""Fixtures the tests of tests/data/readers/ share."""

from __future__ import annotations

import pytest

from helpers import write_kwb_workbook


@pytest.fixture
def truncated_workbook(tmp_path):
    """A KWB workbook cut off halfway, as an interrupted download leaves it."""
    good = write_kwb_workbook(tmp_path / "good.xlsx")
    bad = tmp_path / "kwb-2023.xlsx"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    return bad
