"""What a file must be before its table is used (data/integrity.py): every area once, and a table of the whole
country complete; built from the real KWB 2017 table of the mirror and from hand-made files."""

from __future__ import annotations

import json

import pytest

import wijkstudie as ws

from helpers import FIXTURES, kwb_rows, one_line, write_kwb_workbook

KWB_2017 = "cbs-kwb/indicators_buurt_wijk_gemeente.csv"


@pytest.fixture
def kwb_2017(real_mirror):
    """The real KWB 2017 table of the mirror."""
    return real_mirror / KWB_2017


def cut_at_a_line_end(source, target, share: float):
    lines = source.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    target.write_text("".join(lines[: int(len(lines) * share)]), encoding="utf-8")
    return target


def test_a_national_table_cut_in_half_at_a_line_end_is_refused(tmp_path, cache_still_works, kwb_2017):
    cut = cut_at_a_line_end(kwb_2017, tmp_path / "indicators_buurt_wijk_gemeente.csv", 0.5)
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.read_file(cut)
    one_line(exc, "gemeenten of division 2017", "are missing", "cut off")


def test_a_national_table_missing_its_last_rows_warns_with_the_count(tmp_path, cache_still_works, kwb_2017):
    cut = cut_at_a_line_end(kwb_2017, tmp_path / "indicators_buurt_wijk_gemeente.csv", 0.995)
    with (
        pytest.warns(ws.WijkstudieWarning, match=r"of the 13,208 buurten of division 2017 are missing"),
        pytest.warns(ws.WijkstudieWarning, match=r"of the 3,070 wijken of division 2017 are missing"),
    ):
        table = ws.read_file(cut)
    assert any("buurten of division 2017 are missing" in w for w in map(str, ws.report(table).warnings))
    with pytest.warns(ws.WijkstudieWarning, match="are missing"):  # also when it comes from the cache
        ws.read_file(cut)


def test_a_land_row_with_one_gemeente_is_named_an_extract_or_a_cut(tmp_path, cache_still_works):
    with pytest.warns(ws.WijkstudieWarning, match="land row but only 1 of the 388 gemeenten"):
        ws.read_file(FIXTURES / "kwb-odata-2017.csv")


def test_wijken_whose_gemeente_is_missing_are_counted(tmp_path, cache_still_works, kwb_2017):
    source = kwb_2017
    lines = source.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    kept = [line for line in lines if ",GM0014 " not in line]  # drop the gemeente row of Groningen only
    target = tmp_path / "indicators_buurt_wijk_gemeente.csv"
    target.write_text("".join(kept), encoding="utf-8")
    with pytest.warns(ws.WijkstudieWarning) as caught:
        ws.read_file(target)
    texts = " | ".join(str(w.message) for w in caught)
    assert "1 of the 388 gemeenten of division 2017 are missing" in texts
    assert "wijken whose gemeente is not in the table (e.g. WK001400" in texts


def test_an_area_repeated_identically_is_kept_once_with_a_warning(tmp_path, cache_still_works):
    rows = kwb_rows()
    rows.append(dict(rows[1]))
    with pytest.warns(ws.WijkstudieWarning, match=r"1 repeated row\(s\) of 1 area\(s\) dropped \(e.g. BU99010000\)"):
        table = ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx", rows=rows))
    assert table["region_code"].is_unique and len(table) == 3


def test_an_area_repeated_with_other_values_is_refused(tmp_path, cache_still_works):
    rows = kwb_rows()
    rows.append(dict(rows[1], a_inw=999))
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx", rows=rows))
    one_line(exc, "kwb-2023.xlsx", "1 region code(s) occur more than once with different values", "BU99010000")


def test_a_boundary_repeated_is_refused(tmp_path, cache_still_works):
    data = json.loads((FIXTURES / "gemeenten-2022.geojson").read_bytes().decode("latin-1"))
    first = dict(data["features"][0])
    first["geometry"] = {"type": "Polygon", "coordinates": [[[5.0, 52.0], [5.1, 52.0], [5.1, 52.1], [5.0, 52.0]]]}
    data["features"].append(first)
    path = tmp_path / "gemeenten-2022.geojson"
    path.write_text(json.dumps(data), encoding="latin-1")
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.read_file(path)
    one_line(exc, "occur more than once with different values")
