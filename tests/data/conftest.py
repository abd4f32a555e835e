"""Fixtures the tests of tests/data/ share."""

from __future__ import annotations

import pandas as pd
import pytest

import wijkstudie as ws

from helpers import write_kwb_workbook


@pytest.fixture
def cache_still_works(fresh_cache, tmp_path):
    """After the case, a good file loads (twice, the second time from the cache)."""
    yield fresh_cache
    good = write_kwb_workbook(tmp_path / "after-the-case-kwb-2023.xlsx")
    first = ws.read_file(good)
    second = ws.read_file(good)
    pd.testing.assert_frame_equal(first, second)
