import numpy as np
import pandas as pd

from wijkstudie.data.readers.numbers import clean_numeric, numeric_or_text


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
