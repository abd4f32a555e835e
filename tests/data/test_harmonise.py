"""Harmonising tables across boundary changes: hand-made crosswalks with known answers, and the real matrices."""

import numpy as np
import pandas as pd
import pytest

import wijkstudie as ws

from helpers import FIXTURES, squares, use_synthetic_world, warns_municipal_extract, write_crosswalk

# division 2020 -> 2022 of an invented province:
#   GM9901 (100 addresses) and GM9902 (300) merge into GM9905;
#   GM9903 is split: 60 of its addresses stay in GM9903, 40 go to the new GM9906;
#   GM9907 does not change (so it is not in the matrix); GM9908 is in neither the matrix nor the 2022 division.
MATRIX = {("9905", "9901"): 100, ("9905", "9902"): 300, ("9903", "9903"): 60, ("9906", "9903"): 40}
DIVISION_2022 = {("9903", "1011"): 60, ("9905", "1012"): 400, ("9906", "1013"): 40, ("9907", "1014"): 25}


@pytest.fixture
def province(fake_mirror, fresh_cache, tmp_path):
    root = fake_mirror({})
    write_crosswalk(root, "gemeente", 2020, 2022, MATRIX)
    write_crosswalk(root, "gemeente", 2022, 2022, DIVISION_2022, kind="postcode")
    return root


def gemeenten(**columns) -> pd.DataFrame:
    codes = ["GM9901", "GM9902", "GM9903", "GM9907", "GM9908"]
    frame = pd.DataFrame(
        {
            "region_code": pd.array(codes, dtype="string"),
            "level": "gemeente",
            "gemeente_code": pd.array(codes, dtype="string"),
            "region_name": ["Een", "Twee", "Drie", "Zeven", "Acht"],
            "year": 2020,
            "division_year": pd.array([2020] * 5, dtype="Int64"),
        }
    )
    for name, values in columns.items():
        frame[name] = np.asarray(values, dtype=float)
    return frame


def by_code(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("region_code")


def test_a_merger_adds_counts_and_averages_shares_by_population(province):
    table = gemeenten(population=[1000, 3000, 2000, 500, 10], pct_volunteering=[10, 20, 30, 40, 50])
    out = by_code(ws.harmonise(table, to_division=2022))
    assert out.loc["GM9905", "population"] == 4000
    assert out.loc["GM9905", "pct_volunteering"] == pytest.approx((1000 * 10 + 3000 * 20) / 4000)
    assert bool(out.loc["GM9905", "harmonised"]) and pd.isna(out.loc["GM9905", "region_name"])
    assert set(out["division_year"]) == {2022}


def test_a_split_shares_counts_by_addresses_and_keeps_the_share(province):
    table = gemeenten(population=[1000, 3000, 2000, 500, 10], pct_volunteering=[10, 20, 30, 40, 50])
    out = by_code(ws.harmonise(table, to_division=2022))
    assert out.loc["GM9903", "population"] == pytest.approx(1200)  # 60 of its 100 addresses
    assert out.loc["GM9906", "population"] == pytest.approx(800)
    assert out.loc["GM9903", "pct_volunteering"] == out.loc["GM9906", "pct_volunteering"] == 30


def test_an_unchanged_area_keeps_its_values_and_name(province):
    table = gemeenten(population=[1000, 3000, 2000, 500, 10], pct_volunteering=[10, 20, 30, 40, 50])
    out = by_code(ws.harmonise(table, to_division=2022))
    assert (out.loc["GM9907", "population"], out.loc["GM9907", "pct_volunteering"]) == (500, 40)
    assert out.loc["GM9907", "region_name"] == "Zeven" and not out.loc["GM9907", "harmonised"]


def test_an_area_missing_from_the_crosswalk_is_reported_not_dropped_silently(province):
    table = gemeenten(population=[1000, 3000, 2000, 500, 10], pct_volunteering=[10, 20, 30, 40, 50])
    out = ws.harmonise(table, to_division=2022)
    assert "GM9908" not in set(out["region_code"])
    report = ws.report(out).harmonisation.level("gemeente")
    assert report.unmapped == ["GM9908"]
    assert (report.unchanged, report.recoded, report.merged, report.split) == (1, 2, 1, 1)
    assert report.source_areas == 5 and report.target_areas == 4
    # 1000 + 3000 residents under a new code, and the 800 of GM9903 that went to GM9906
    assert report.moved_share == pytest.approx(4800 / 6500) and report.moved_basis == "population"
    assert "not mapped (1): GM9908" in str(ws.report(out).harmonisation)


def test_counts_are_conserved_and_derived_shares_are_derived_again(province):
    table = gemeenten(population=[1000, 3000, 2000, 500, 10], n_age_65_plus=[100, 600, 500, 50, 1])
    table["pct_age_65_plus"] = 100 * table["n_age_65_plus"] / table["population"]
    out = by_code(ws.harmonise(table, to_division=2022))
    assert out["population"].sum() == pytest.approx(6500)
    assert out.loc["GM9905", "pct_age_65_plus"] == pytest.approx(100 * 700 / 4000)
    rules = ws.report(out.reset_index()).harmonisation.level("gemeente").weights
    assert rules["pct_age_65_plus"] == "derived again from its harmonised parts"


def test_a_share_is_weighted_by_the_weight_the_dictionary_names(province):
    table = gemeenten(
        population=[1000, 3000, 2000, 500, 10],
        n_dwellings=[900, 100, 800, 200, 5],
        pct_owner_occupied=[80, 20, 50, 60, 50],
    )
    out = by_code(ws.harmonise(table, to_division=2022))
    assert out.loc["GM9905", "pct_owner_occupied"] == pytest.approx((900 * 80 + 100 * 20) / 1000)


def test_without_population_shares_are_averaged_by_addresses_and_the_report_says_so(province):
    out = ws.harmonise(gemeenten(pct_volunteering=[10, 20, 30, 40, 50]), to_division=2022)
    assert by_code(out).loc["GM9905", "pct_volunteering"] == pytest.approx((100 * 10 + 300 * 20) / 400)
    report = ws.report(out).harmonisation.level("gemeente")
    assert report.weights["pct_volunteering"] == "averaged with address weights"
    assert report.moved_basis == "addresses of the changed areas"  # no postcode matrix of 2020 in this mirror


def test_a_missing_part_leaves_the_new_area_missing_unless_it_is_negligible(province, fake_mirror):
    table = gemeenten(population=[1000, 3000, 2000, 500, 10], pct_volunteering=[10, np.nan, 30, 40, 50])
    assert pd.isna(by_code(ws.harmonise(table, to_division=2022)).loc["GM9905", "pct_volunteering"])
    out = by_code(ws.harmonise(table, to_division=2022, tolerance=0.8))  # GM9902 holds 75 % of its addresses
    assert out.loc["GM9905", "pct_volunteering"] == pytest.approx(10)


def test_harmonising_backwards_reads_the_matrix_the_other_way(province):
    later = pd.DataFrame(
        {
            "region_code": pd.array(["GM9905", "GM9903", "GM9906"], dtype="string"),
            "level": "gemeente",
            "division_year": pd.array([2022] * 3, dtype="Int64"),
            "population": [4000.0, 1200.0, 800.0],
            "pct_volunteering": [17.5, 30.0, 30.0],
        }
    )
    out = by_code(ws.harmonise(later, to_division=2020))
    assert out.loc["GM9901", "population"] == pytest.approx(1000)  # 100 of GM9905's 400 addresses
    assert out.loc["GM9902", "population"] == pytest.approx(3000)
    assert out.loc["GM9903", "population"] == pytest.approx(2000)  # both parts back together
    assert out.loc["GM9901", "pct_volunteering"] == 17.5


def test_every_new_area_names_its_main_source_area_and_the_report_counts_the_shared_ones(province):
    """GM9905 gets 300 of its 400 addresses from GM9902; both parts of the split GM9903 name GM9903, so those
    two are not independent observations, and the report says so."""
    table = gemeenten(population=[1000, 3000, 2000, 500, 10], pct_volunteering=[10, 20, 30, 40, 50])
    land = pd.DataFrame(
        {
            "region_code": pd.array(["NL00"], dtype="string"),
            "level": "land",
            "division_year": pd.array([2020], dtype="Int64"),
            "population": [6510.0],
        }
    )
    out = ws.harmonise(pd.concat([land, table], ignore_index=True), to_division=2022)
    assert str(out["source_code_2020"].dtype) == "string" and out.columns[-1] == "source_code_2020"
    assert by_code(out)["source_code_2020"].to_dict() == {
        "NL00": "NL00",
        "GM9903": "GM9903",
        "GM9905": "GM9902",
        "GM9906": "GM9903",
        "GM9907": "GM9907",
    }
    level = ws.report(out).harmonisation.level("gemeente")
    assert level.shared_source == 2
    assert (
        "2 new areas share their source area with another (split areas copy its values: analyse with errors "
        "clustered by source_code_2020)"
    ) in str(ws.report(out).harmonisation)
    # and back again: GM9905 is split over GM9901 and GM9902; the 2020 codes follow the main source
    back = by_code(ws.harmonise(out[out["level"] == "gemeente"], to_division=2020))
    assert back["source_code_2022"].to_dict() == {
        "GM9901": "GM9905",
        "GM9902": "GM9905",
        "GM9903": "GM9903",
        "GM9907": "GM9907",
    }
    assert back["source_code_2020"].to_dict() == {
        "GM9901": "GM9902",
        "GM9902": "GM9902",
        "GM9903": "GM9903",
        "GM9907": "GM9907",
    }
    assert "source_code_2020" not in ws.report(back.reset_index()).harmonisation.level("gemeente").dropped


def test_source_codes_come_through_join_regions_whichever_side_is_moved(province):
    figures = gemeenten(population=[1000, 3000, 2000, 500, 10], pct_volunteering=[10, 20, 30, 40, 50])
    later = pd.DataFrame(
        {
            "region_code": pd.array(["GM9903", "GM9905", "GM9906", "GM9907"], dtype="string"),
            "level": "gemeente",
            "division_year": pd.array([2022] * 4, dtype="Int64"),
            "pct_owner_occupied": [50.0, 60.0, 70.0, 80.0],
        }
    )
    # the older table is moved, on the left ...
    joined, _ = ws.join_regions(figures, later)
    joined = by_code(joined)
    assert joined.loc["GM9906", "source_code_2020"] == "GM9903" and joined.loc["GM9906", "pct_volunteering"] == 30
    assert joined.loc["GM9906", "pct_owner_occupied"] == 70
    # ... and on the right
    joined, _ = ws.join_regions(later, figures)
    joined = by_code(joined)
    assert joined.loc["GM9905", "source_code_2020"] == "GM9902" and joined.loc["GM9905", "pct_owner_occupied"] == 60
    assert joined.loc["GM9905", "pct_volunteering"] == pytest.approx(17.5)


def test_bad_requests_give_one_line_errors(province):
    table = gemeenten(population=[1000, 3000, 2000, 500, 10])
    with pytest.raises(ws.WijkstudieError, match="tolerance is a share of addresses"):
        ws.harmonise(table, to_division=2022, tolerance=1.5)
    with pytest.raises(ws.WijkstudieError, match="divisions 2016-2024, not 2031"):
        ws.harmonise(table, to_division=2031)
    with pytest.raises(ws.WijkstudieError, match="no column 'division_year'"):
        ws.harmonise(table.drop(columns="division_year"), to_division=2022)
    with pytest.raises(ws.WijkstudieError, match="occur more than once"):
        ws.harmonise(pd.concat([table, table]), to_division=2022)
    with pytest.raises(ws.WijkstudieError, match="gebied areas are not CBS areas"):
        ws.harmonise(table.assign(level="gebied"), to_division=2022)
    with pytest.raises(ws.WijkstudieError, match=r"grenswijzigen 2022 \(gemeente 2021-2022\) is not in the mirror"):
        ws.harmonise(table.assign(division_year=2021), to_division=2022)


def test_join_regions_harmonises_two_divisions_and_says_so(province):
    figures = gemeenten(population=[1000, 3000, 2000, 500, 10], pct_volunteering=[10, 20, 30, 40, 50])
    boundaries = squares(
        {
            "GM9903": (5.0, 52.0, 5.1, 52.1),
            "GM9905": (5.1, 52.0, 5.2, 52.1),
            "GM9906": (5.2, 52.0, 5.3, 52.1),
            "GM9907": (5.3, 52.0, 5.4, 52.1),
        }
    )
    boundaries["level"], boundaries["division_year"] = "gemeente", 2022
    joined, report = ws.join_regions(boundaries, figures)
    assert len(joined) == 4 and joined["pct_volunteering"].notna().all()  # a map without holes
    assert any("harmonised from the division of 2020 to that of 2022" in n for n in report.notes)
    _, unharmonised = ws.join_regions(boundaries, figures, harmonise=False)
    assert unharmonised.matched == 2 and any("division_year differs" in n for n in unharmonised.notes)


def test_the_join_note_reads_the_level_reports_fields_not_their_text(province, monkeypatch):
    """The note of a join that harmonised one side is made from each level report's ``summary``, so a level report
    written otherwise (no "level: " head) changes nothing in it."""
    from wijkstudie.data.reports import LevelReport

    figures = gemeenten(population=[1000, 3000, 2000, 500, 10], pct_volunteering=[10, 20, 30, 40, 50])
    boundaries = squares({"GM9903": (5.0, 52.0, 5.1, 52.1), "GM9905": (5.1, 52.0, 5.2, 52.1)})
    boundaries["level"], boundaries["division_year"] = "gemeente", 2022
    _, plain = ws.join_regions(boundaries, figures)
    monkeypatch.setattr(LevelReport, "__str__", lambda self: "reworded")
    _, reworded = ws.join_regions(boundaries, figures)
    assert reworded.notes == plain.notes
    level = ws.report(ws.harmonise(figures, to_division=2022)).harmonisation.level("gemeente")
    assert any(n.endswith(f"to that of 2022: {level.summary}") for n in reworded.notes), reworded.notes


def test_buurten_keep_their_codes_and_the_rest_is_interpolated_by_area():
    old = squares({"BU99010000": (0, 0, 2, 1), "BU99010001": (2, 0, 3, 1)}, crs=28992)
    new = squares({"BU99010010": (0, 0, 1, 1), "BU99010011": (1, 0, 2, 1), "BU99010001": (2, 0, 3, 1)}, crs=28992)
    table = pd.DataFrame(
        {
            "region_code": pd.array(["BU99010000", "BU99010001"], dtype="string"),
            "level": "buurt",
            "division_year": pd.array([2020, 2020], dtype="Int64"),
            "population": [300.0, 50.0],
            "pct_volunteering": [20.0, 30.0],
        }
    )
    out = by_code(ws.harmonise(table, to_division=2022, boundaries=(old, new)))
    assert out.loc["BU99010001", "population"] == 50 and not out.loc["BU99010001", "harmonised"]
    assert out.loc["BU99010010", "population"] == pytest.approx(150)  # half the area of BU99010000
    assert out.loc["BU99010011", "pct_volunteering"] == pytest.approx(20)
    report = ws.report(out.reset_index()).harmonisation.level("buurt")
    assert report.interpolated == 2 and report.unmapped == []
    # both halves of the split buurt name it as their source (by area), the kept one itself
    assert out["source_code_2020"].to_dict() == {
        "BU99010001": "BU99010001",
        "BU99010010": "BU99010000",
        "BU99010011": "BU99010000",
    }
    assert report.shared_source == 2


def test_buurten_without_boundaries_keep_their_codes_and_the_report_says_they_were_not_checked(
    fake_mirror, fresh_cache
):
    fake_mirror({})
    table = pd.DataFrame(
        {
            "region_code": pd.array(["BU99010000"], dtype="string"),
            "level": "buurt",
            "division_year": pd.array([2020], dtype="Int64"),
            "population": [300.0],
        }
    )
    with pytest.warns(ws.WijkstudieWarning, match="could not be checked against the division of 2022"):
        out = ws.harmonise(table, to_division=2022)
    assert out["region_code"].tolist() == ["BU99010000"]
    assert "could not be checked against the division of 2022" in str(ws.report(out).harmonisation)
    assert "codes kept, not checked" in str(ws.report(out).harmonisation)


def test_load_with_a_division_harmonises_and_cites_the_crosswalk(province, fake_mirror):
    rivm = (FIXTURES / "rivm-2020-18plus.csv").read_text(encoding="utf-8")
    root = fake_mirror({"rivm-gezondheid/RIVM_gezondheid2020_18+.xlsx": rivm.encode("utf-8")})
    write_crosswalk(root, "gemeente", 2020, 2022, {("9901", "9901"): 10})
    with warns_municipal_extract():
        table = ws.load("rivm-gezondheid", year=2020, age_group="18+", level="gemeente", division=2022)
    report = ws.report(table)
    assert report.division == 2022 and report.harmonisation.to_division == 2022
    assert "grenswijzigen" in ws.source_caption(table) and "CC BY-NC-SA" in ws.source_caption(table)
    assert "harmonised from the division of 2020 to that of 2022" in str(report)


# --- the real matrices ----------------------------------------------------------------------------------


def test_rivm_2020_gemeenten_on_the_2022_division_keep_the_national_figure(mirror):
    """Every 2022 gemeente gets a value, and the population-weighted national mean stays within 0.2 points of
    the 24.6 % RIVM publishes for 2020."""
    rivm = ws.load("rivm-gezondheid", year=2020, age_group="18+", level="gemeente", division=2022)
    gemeenten = ws.load("cbs-gemeenten", year=2022)
    joined, report = ws.join_regions(gemeenten, rivm)
    assert len(joined) == len(gemeenten) == 345 and joined["pct_volunteering"].notna().all()
    kwb = ws.load("kwb", year=2022, level="gemeente")
    weighted = rivm.merge(kwb[["region_code", "population"]], on="region_code")
    assert len(weighted) == 345
    national = np.average(weighted["pct_volunteering"], weights=weighted["population"])
    assert abs(national - 24.6) < 0.2
    level = ws.report(rivm).harmonisation.level("gemeente")
    assert (level.source_areas, level.target_areas) == (355, 345) and level.unmapped == []
    assert level.merged >= 8  # Land van Cuijk, Dijk en Waard, Maashorst, Eemsdelta, ... (2021-2022)


def test_rivm_2020_wijken_on_the_2022_division(mirror):
    rivm = ws.load("rivm-gezondheid", year=2020, age_group="18+", level="wijk", division=2022)
    level = ws.report(rivm).harmonisation.level("wijk")
    assert level.source_areas == 3177 and level.unmapped == ["WK024316", "WK068753", "WK074309", "WK078522"]
    assert rivm["region_code"].is_unique and len(rivm) == level.target_areas
    kwb = ws.load("kwb", year=2022, level="wijk")
    assert set(rivm["region_code"]) <= set(kwb["region_code"])
    assert rivm["pct_volunteering"].notna().mean() > 0.9


def test_rivm_2020_wijken_on_the_2024_division_copy_a_split_wijk_into_each_part(mirror):
    """A 2020 wijk split over several 2024 wijken gives each part drawn wholly from it its own RIVM figures:
    identical values, pseudo-replicates that source_code_2020 names. Parts that also take addresses from
    another wijk are averages, and differ."""
    from wijkstudie.data.harmonise import crosswalk

    rivm = ws.load("rivm-gezondheid", year=2020, age_group="18+", level="wijk", division=2024)
    original = ws.load("rivm-gezondheid", year=2020, age_group="18+", level="wijk").set_index("region_code")
    values = [c for c in rivm.columns if c.startswith("pct_")]
    links = crosswalk("wijk", 2020, 2024)
    parts = links.groupby("to_code")["from_code"].nunique()
    whole = rivm["region_code"].map(parts).fillna(1).eq(1).to_numpy()  # unchanged, or one old wijk's addresses only
    shared = rivm["source_code_2020"].duplicated(keep=False).to_numpy()
    split = set(links.groupby("from_code")["to_code"].nunique().loc[lambda n: n > 1].index)
    copies = rivm[shared & whole]
    assert set(copies["source_code_2020"]) <= split and len(copies) > 200
    for source, group in copies.groupby("source_code_2020"):
        expected = original.loc[source, values].astype(float).to_numpy()
        assert np.allclose(group[values].astype(float).to_numpy(), expected, rtol=0, atol=1e-9, equal_nan=True), source
    level = ws.report(rivm).harmonisation.level("wijk")
    assert level.shared_source == int(shared.sum()) > len(copies)
    assert f"{level.shared_source} new areas share their source area with another" in str(level)


def test_a_map_of_2020_figures_on_2022_gemeenten_has_no_holes(mirror):
    import matplotlib.pyplot as plt

    from wijkstudie.plotting import choropleth

    rivm = ws.load("rivm-gezondheid", year=2020, age_group="18+", level="gemeente")
    joined, _ = ws.join_regions(ws.load("cbs-gemeenten", year=2022), rivm)
    ax = choropleth(joined, "pct_volunteering")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close("all")
    assert len(joined) == 345 and not any("no data" in t for t in labels)


def test_the_synthetic_world_has_one_division_so_nothing_moves(monkeypatch):
    use_synthetic_world(monkeypatch)
    table = ws.load("rivm-gezondheid", year=2020, level="gemeente", age_group="18+")
    out = ws.harmonise(table, to_division=2022)
    assert list(out["region_code"]) == list(table["region_code"]) and set(out["division_year"]) == {2022}
    level = ws.report(out).harmonisation.level("gemeente")
    assert (level.unchanged, level.merged, level.split) == (len(table), 0, 0)
    assert ws.provenance_of(out).kind == "synthetic"  # the crosswalk came from the synthetic mirror too
