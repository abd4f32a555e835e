"""Bad input gets one clear line naming the file and the problem; nothing in the cache is damaged."""

import pytest

import wijkstudie as ws
from wijkstudie.cli import main

from helpers import FIXTURES, run_cli, warns_municipal_extract, write_kwb_workbook


def one_error_line(result, *fragments):
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def truncated_workbook(tmp_path):
    good = write_kwb_workbook(tmp_path / "good.xlsx")
    bad = tmp_path / "kwb-2023.xlsx"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    return bad


def test_empty_file(capsys):
    one_error_line(run_cli(capsys, "data", "inspect", FIXTURES / "empty.csv"), "empty.csv: empty file")


def test_html_error_page_saved_as_a_workbook(capsys):
    one_error_line(
        run_cli(capsys, "data", "inspect", FIXTURES / "html-error-page.xlsx"),
        "html-error-page.xlsx: an HTML page, not a data file",
    )


def test_truncated_workbook(truncated_workbook, capsys):
    one_error_line(
        run_cli(capsys, "data", "inspect", truncated_workbook),
        "kwb-2023.xlsx: not a valid Excel workbook (truncated or corrupt?)",
    )


def test_corrupt_workbook(tmp_path, capsys):
    bad = tmp_path / "gezondheid.xlsx"
    bad.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 100)
    one_error_line(run_cli(capsys, "data", "inspect", bad), "gezondheid.xlsx: not a valid Excel workbook")


def test_csv_without_expected_columns(capsys):
    one_error_line(
        run_cli(capsys, "data", "inspect", FIXTURES / "unrelated.csv"),
        "unrelated.csv: not a file wijkstudie recognises",
        "naam, waarde",
    )


def test_truncated_geojson(tmp_path, capsys):
    bad = tmp_path / "wijken.geojson"
    bad.write_text((FIXTURES / "wijken-2024.geojson").read_text()[:300])
    one_error_line(run_cli(capsys, "data", "inspect", bad), "wijken.geojson:")


def test_missing_file(tmp_path, capsys):
    one_error_line(run_cli(capsys, "data", "inspect", tmp_path / "nope.csv"), "nope.csv: no such file")


def test_unknown_dataset_year_and_level_from_the_command_line(capsys):
    one_error_line(run_cli(capsys, "data", "fetch", "kerncijfers"), "unknown dataset 'kerncijfers'")
    one_error_line(run_cli(capsys, "data", "fetch", "kwb", "--year", "1990"), "kwb: no year 1990")


def test_unknown_level_from_python():
    with pytest.raises(ws.WijkstudieError, match="rivm-gezondheid: no level 'provincie'"):
        ws.load("rivm-gezondheid", level="provincie")
    with pytest.raises(ws.WijkstudieError, match="cbs-gemeenten: no level 'buurt'"):
        ws.load("cbs-gemeenten", level="buurt")


def test_the_same_cases_raise_the_documented_exception_from_python(truncated_workbook):
    for path in (
        FIXTURES / "empty.csv",
        FIXTURES / "html-error-page.xlsx",
        truncated_workbook,
        FIXTURES / "unrelated.csv",
    ):
        with pytest.raises(ws.WijkstudieError, match=path.name):
            ws.read_file(path)


def test_expected_file_without_its_key_columns(fake_mirror, fresh_cache):
    fake_mirror({"cbs-kwb/indicators_buurt_wijk_gemeente.csv": b"ID,Gemeentenaam_1,AantalInwoners_5\n1,Test,10\n"})
    with pytest.raises(
        ws.WijkstudieError,
        match="indicators_buurt_wijk_gemeente.csv: not a CBS open-data table by region: "
        "expected column.s. WijkenEnBuurten missing",
    ):
        ws.load("kwb", year=2017, source_format="open-data")


def test_a_file_of_another_source_under_a_resource_name(fake_mirror, fresh_cache):
    fake_mirror({"cbs-kwb/indicators_buurt_wijk_gemeente.csv": FIXTURES / "rivm-2020-18plus.csv"})
    with pytest.raises(ws.WijkstudieError, match=r"expected kwb 2017 \(open-data\), but the file is rivm-gezondheid"):
        ws.load("kwb", year=2017, source_format="open-data")


def test_hash_mismatch(fake_mirror, fresh_cache):
    fake_mirror({"amsterdam-bbga/bbga_latest_and_greatest-DX.csv": FIXTURES / "bbga-long.csv"})
    with pytest.raises(ws.WijkstudieError, match="bbga_latest_and_greatest-DX.csv: hash mismatch for amsterdam-bbga"):
        ws.load("amsterdam-bbga")


def test_a_failed_load_leaves_the_cache_and_raw_file_alone(fake_mirror, fresh_cache, tmp_path):
    root = fake_mirror({"cbs-kwb/CBS-Utrecht-kwb-2023.xlsx": write_kwb_workbook(tmp_path / "k.xlsx")})
    good = ws.load("kwb", year=2023)
    cached = {p.name: p.read_bytes() for p in (fresh_cache / "processed").iterdir()}
    assert cached
    raw = root / "cbs-kwb" / "CBS-Utrecht-kwb-2023.xlsx"
    raw.write_bytes(raw.read_bytes()[:500])
    damaged = raw.read_bytes()
    with pytest.raises(ws.WijkstudieError, match="not a valid Excel workbook"):
        ws.load("kwb", year=2023)
    assert {p.name: p.read_bytes() for p in (fresh_cache / "processed").iterdir()} == cached
    assert raw.read_bytes() == damaged
    assert len(good) == 4


def test_cli_main_returns_status_instead_of_raising(capsys):
    assert main(["data", "inspect", str(FIXTURES / "empty.csv")]) == 1
    assert "empty file" in capsys.readouterr().err
    with warns_municipal_extract():
        assert main(["data", "inspect", str(FIXTURES / "kwb-odata-2017.csv")]) == 0


def _misspelt_tables():
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    from shapely.geometry import box

    rng = np.random.default_rng(1)
    table = pd.DataFrame(
        {
            "pct_owner_occupied": rng.uniform(0, 100, 40),
            "pct_volunteering": rng.uniform(0, 50, 40),
            "population": rng.integers(100, 1000, 40),
            "gemeente_code": [f"GM{i % 8}" for i in range(40)],
        }
    )
    areas = gpd.GeoDataFrame(table.head(4), geometry=[box(i, 0, i + 1, 1) for i in range(4)], crs=28992)
    return table, areas


MISSPELT = {  # the call -> the one line it gives: the function called, the column, the nearest one there
    "scatter_fit": (
        lambda t, a: ws.scatter_fit(t, "pct_owner_occupied", "pct_volunteerng"),
        "scatter_fit: the table has no column 'pct_volunteerng'; did you mean 'pct_volunteering'?",
    ),
    "scatter_fit weights": (
        lambda t, a: ws.scatter_fit(t, "pct_owner_occupied", "pct_volunteering", weights="populaton"),
        "scatter_fit: the table has no column 'populaton'; did you mean 'population'?",
    ),
    "scatter_panels": (
        lambda t, a: ws.scatter_panels([{"data": t, "x": "pct_owner_ocupied", "y": "pct_volunteering"}]),
        "scatter_panels (panel 1): the table has no column 'pct_owner_ocupied'; did you mean 'pct_owner_occupied'?",
    ),
    "dense_scatter": (
        lambda t, a: ws.dense_scatter(t, "pct_owner_occupied", "pct_volunteerng"),
        "dense_scatter: the table has no column 'pct_volunteerng'; did you mean 'pct_volunteering'?",
    ),
    "map_figure": (
        lambda t, a: ws.map_figure(a, "pct_volunteer"),
        "map_figure: the table has no column 'pct_volunteer'; did you mean 'pct_volunteering'?",
    ),
    "choropleth": (
        lambda t, a: ws.choropleth(a, "pct_volunteerng"),
        "choropleth: the table has no column 'pct_volunteerng'; did you mean 'pct_volunteering'?",
    ),
    "cluster_map": (
        lambda t, a: ws.cluster_map(a, "clusters"),
        "cluster_map: the table has no column 'clusters'; its columns: pct_owner_occupied, pct_volunteering,",
    ),
    "interval_figure": (
        lambda t, a: ws.interval_figure(t.assign(estimate=1.0, ci_low=0.0, ci_high=2.0), "term", "x"),
        "interval_figure: the table has no column 'term'; its columns: pct_owner_occupied,",
    ),
    "area_regression": (
        lambda t, a: ws.models.area_regression("pct_volunteering ~ pct_owner_ocupied", t),
        "area_regression: the table has no column 'pct_owner_ocupied'; did you mean 'pct_owner_occupied'?",
    ),
    "area_regression terms": (
        lambda t, a: ws.models.area_regression("pct_volunteerng ~ I(pct_owner_ocupied ** 2) + C(gemeente_code)", t),
        "area_regression: the table has no columns 'pct_volunteerng' (did you mean 'pct_volunteering'?), "
        "'pct_owner_ocupied' (did you mean 'pct_owner_occupied'?)",
    ),
    "area_regression weights": (
        lambda t, a: ws.models.area_regression("pct_volunteering ~ pct_owner_occupied", t, weights="populaton"),
        "area_regression: the table has no weight column 'populaton'; did you mean 'population'?",
    ),
    "multilevel": (
        lambda t, a: ws.models.multilevel("pct_volunteering ~ pct_owner_ocupied", t, group="gemeente_code"),
        "multilevel: the table has no column 'pct_owner_ocupied'; did you mean 'pct_owner_occupied'?",
    ),
    "logit": (
        lambda t, a: ws.models.logit("volunteers ~ pct_owner_occupied", t),
        "logit: the table has no column 'volunteers'",
    ),
}


@pytest.mark.parametrize("case", list(MISSPELT))
def test_a_misspelt_column_names_the_function_called_and_the_nearest_column(case):
    import matplotlib.pyplot as plt

    call, expected = MISSPELT[case]
    table, areas = _misspelt_tables()
    with pytest.raises(ws.ArgumentError) as info:
        call(table, areas)
    message = str(info.value)
    assert message.startswith(expected) and "\n" not in message, message
    plt.close("all")


def test_a_formula_names_only_columns_not_functions():
    from wijkstudie.models.result import formula_variables

    formula = "y ~ np.log(x) + C(g, Treatment('a')) + C(h, Sum) + I(z ** 2) + bs(w, df=4) + Q('a b') - 1"
    assert formula_variables(formula) == ["y", "x", "g", "h", "z", "w", "a b"]
    table, _ = _misspelt_tables()
    fit = ws.models.area_regression("pct_volunteering ~ I(pct_owner_occupied ** 2) + C(gemeente_code)", table)
    assert fit.n == len(table)


def test_an_unknown_dataset_or_choice_suggests_the_nearest_name():
    with pytest.raises(ws.ArgumentError, match=r"^unknown dataset 'kwbb'; available: kwb, .*; did you mean 'kwb'\?$"):
        ws.load("kwbb")
    with pytest.raises(ws.ArgumentError, match=r"no age_group '18' for 2020; available: .*; did you mean '18\+'\?$"):
        ws.load("rivm-gezondheid", year=2020, age_group="18")
    with pytest.raises(ws.ArgumentError, match=r"kwb: no level 'wijken'; available: .*; did you mean 'wijk'\?$"):
        ws.load("kwb", year=2022, level="wijken")
