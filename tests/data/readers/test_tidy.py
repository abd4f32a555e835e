"""The canonical layout (readers/tidy.py): values no publisher writes (fractional counts, percentages above 100,
non-finite numbers) are warned about once per load and never counted as suppressed."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import wijkstudie as ws

from helpers import FIXTURES, kwb_rows, write_kwb_workbook


@pytest.mark.parametrize("cell, shown", [("inf", "inf"), ("Infinity", "inf"), ("-inf", "-inf"), ("1e308", "1e+308")])
def test_non_finite_and_impossible_numbers_are_warned_about_and_never_counted_as_suppressed(
    tmp_path, fresh_cache, cell, shown
):

    text = (FIXTURES / "kwb-odata-2017.csv").read_text(encoding="utf-8-sig").replace(",400,", f",{cell},", 1)
    path = tmp_path / "kwb.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.warns(ws.WijkstudieWarning) as caught:
        table = ws.read_file(path)
    said = [str(w.message) for w in caught if "impossible values" in str(w.message)]
    assert len(said) == 1 and f"are infinite or beyond any possible value (e.g. {shown})" in said[0]
    assert "population: 1 cell(s) of 'AantalInwoners_5'" in said[0]
    assert table.set_index("region_code")["population"].dropna().map(np.isfinite).all()
    assert ws.report(table).suppressed["population"] == 0 and ws.report(table).unreadable["population"] == 1


def test_impossible_values_warn_once_per_load_from_the_file_and_from_the_cache(tmp_path, fresh_cache):
    from helpers import kwb_rows

    rows = kwb_rows()
    rows[0]["p_koopw"], rows[1]["a_inw"] = 550, -20
    path = write_kwb_workbook(tmp_path / "kwb-2023.xlsx", rows=rows)
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            table = ws.read_file(path)
        said = [str(w.message) for w in caught if "impossible values" in str(w.message)]
        assert len(said) == 1, said
        assert "pct_owner_occupied: 1 value(s) outside 0-100 (e.g. 550)" in said[0] and "population" in said[0]
    assert any("pct_owner_occupied: 1 value(s) outside 0-100" in w for w in map(str, ws.report(table).warnings))


def test_a_fractional_count_is_a_warning(tmp_path, cache_still_works):
    rows = kwb_rows({(1, "a_inw"): 600.5})
    with pytest.warns(ws.WijkstudieWarning, match=r"population: 1 count\(s\) in 'a_inw' have a fractional part"):
        ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx", rows=rows))


def test_a_percentage_above_100_is_named(tmp_path, cache_still_works):
    rows = kwb_rows({(1, "p_koopw"): 550})
    with pytest.warns(ws.WijkstudieWarning, match=r"impossible values .*pct_owner_occupied: 1 value\(s\) outside"):
        table = ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx", rows=rows))
    assert any(
        "pct_owner_occupied: 1 value(s) outside 0-100 (e.g. 550)" in w for w in map(str, ws.report(table).warnings)
    )
