import pandas as pd
import pytest

from wijkstudie import WijkstudieError, gemeente_of, level_of, normalise_code
from wijkstudie.data.codes import gemeenten_of, levels_of, normalise_codes


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("GM0363", "GM0363"),
        (" gm363 ", "GM0363"),
        ("BU03630000  ", "BU03630000"),
        ("WK036300", "WK036300"),
        (363, "GM0363"),
        ("363", "GM0363"),
        (344.0, "GM0344"),
        ("34401", "WK034401"),
        ("3440111", "BU03440111"),
        ("2022GM0014", "GM0014"),
        ("NL00", "NL01"),
        ("NL01", "NL01"),
        ("WK0363AA", "WK0363AA"),
        ("BU0363AA01", "BU0363AA01"),
    ],
)
def test_normalise_code(raw, expected):
    assert normalise_code(raw) == expected


def test_bare_number_with_explicit_level():
    assert normalise_code("14", level="wijk") == "WK000014"
    assert normalise_code(10001, level="buurt") == "BU00010001"


@pytest.mark.parametrize("raw", ["XX12", "GM12345", "WK0363A", "gemeente", "123456789"])
def test_invalid_codes_raise_one_error_type(raw):
    with pytest.raises(WijkstudieError, match="code"):
        normalise_code(raw)


def test_empty_values_are_none():
    assert normalise_code(None) is None
    assert normalise_code("   ") is None
    assert normalise_code(float("nan")) is None


def test_level_and_gemeente_from_code():
    assert level_of("BU03630000") == "buurt"
    assert level_of("NL01") == "land"
    assert gemeente_of("BU03630000") == "GM0363"
    assert gemeente_of("WK059910") == "GM0599"
    assert gemeente_of("GM0599") == "GM0599"
    assert gemeente_of("NL01") is None


def test_vectorised_versions_agree_with_scalar_ones():
    raw = pd.Series(["NL00      ", "GM1680    ", "WK168000  ", "BU16800009", "363", None])
    codes = normalise_codes(raw)
    assert list(codes[:5]) == ["NL01", "GM1680", "WK168000", "BU16800009", "GM0363"]
    assert pd.isna(codes[5])
    assert list(levels_of(codes[:5])) == ["land", "gemeente", "wijk", "buurt", "gemeente"]
    assert list(gemeenten_of(codes[:5]).fillna("-")) == ["-", "GM1680", "GM1680", "GM1680", "GM0363"]
