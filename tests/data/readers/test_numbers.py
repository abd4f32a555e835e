"""Numbers in publishers' files (readers/numbers.py): missing-value codes counted as suppressed, Dutch and English
number formats read deliberately, cells that are not numbers counted apart."""

import numpy as np
import pandas as pd

import wijkstudie as ws
from wijkstudie.data.readers.numbers import clean_numeric, numeric_or_text

from helpers import kwb_rows, write_kwb_workbook


def test_cbs_dots_padded_and_rotterdam_x_are_suppressed_and_counted():
    values = pd.Series(["12.5", "       .", ".", "x", "7"], dtype=object)
    cleaned, suppressed = clean_numeric(values)
    assert suppressed == 3
    assert cleaned.tolist()[0] == 12.5 and cleaned.tolist()[4] == 7.0
    assert cleaned[1:4].isna().all()


def test_pdok_sentinels_become_nan_and_count_as_suppressed():
    cleaned, suppressed = clean_numeric(pd.Series([400.0, -99997.0, -99995.0, 0.0]))
    assert suppressed == 2
    assert cleaned.tolist()[0] == 400.0 and cleaned.tolist()[3] == 0.0
    assert cleaned[1:3].isna().all()


def test_empty_cells_are_missing_but_not_suppressed():
    cleaned, suppressed = clean_numeric(pd.Series(["", None, "  ", "3"], dtype=object))
    assert suppressed == 0
    assert cleaned.isna().sum() == 3


def test_workbook_cells_mix_floats_and_strings():
    cleaned, suppressed = clean_numeric(pd.Series([24.6, ".", "30,1", 3], dtype=object))
    assert suppressed == 1
    np.testing.assert_allclose(cleaned.to_numpy(), [24.6, np.nan, 30.1, 3.0])


def test_text_columns_stay_text():
    out = numeric_or_text(pd.Series([" Amsterdam ", "Rotterdam", "."], dtype=object))
    assert out.tolist()[:2] == ["Amsterdam", "Rotterdam"]
    out = numeric_or_text(pd.Series(["1", ".", "2.5"], dtype=object))
    assert out.dtype == "float64" and out.isna().tolist() == [False, True, False]


def test_dutch_and_english_number_formats_are_read_deliberately(tmp_path, cache_still_works):
    rows = kwb_rows(
        {
            (0, "a_inw"): "343.038",
            (1, "a_inw"): "1,200",
            (2, "a_inw"): "1 234",
            (0, "g_wozbag"): "1.234,5",
            (1, "g_wozbag"): "1,234.5",
            (2, "g_wozbag"): "250,5",
            (0, "p_koopw"): "55,5",
        }
    )
    table = ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx", rows=rows))
    assert table["population"].tolist() == [343038, 1200, 1234]  # counts: a dot or comma groups thousands
    assert table["mean_woz"].tolist() == [1234.5, 1234.5, 250.5]
    assert table["pct_owner_occupied"].iloc[0] == 55.5


def test_cells_that_are_not_numbers_are_counted_apart_from_suppressed_ones(tmp_path, cache_still_works):
    rows = kwb_rows({(0, "p_koopw"): "n.v.t.", (1, "p_koopw"): ".", (2, "p_koopw"): "onbekend"})
    table = ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx", rows=rows))
    report = ws.report(table)
    assert table["pct_owner_occupied"].isna().all()
    assert report.suppressed["pct_owner_occupied"] == 1 and report.unreadable["pct_owner_occupied"] == 2
    assert "pct_owner_occupied:  0 / 1 / 2" in " ".join(str(report).split("  ")).replace(
        "   ", " "
    ) or "0 / 1 / 2" in str(report)
    assert any(
        "2 cell(s) of 'p_koopw' are not numbers (e.g. 'n.v.t.', 'onbekend')" in w for w in map(str, report.warnings)
    )
