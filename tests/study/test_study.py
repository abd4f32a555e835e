"""The study's tables: the national ones cover the country on one division, city studies are selected by
gemeente code and say which gemeente they are, the livability classes and the F5 tests follow what is
written down, and the Vreewijk case is placed among its peers."""

import re

import numpy as np
import pandas as pd
import pytest

import wijkstudie as ws
from wijkstudie import study
from wijkstudie.core.errors import PageFitWarning
from wijkstudie.core.provenance import Provenance, attach, provenance_of
from wijkstudie.study import findings as fd
from wijkstudie.study import verdicts

from helpers import FIXTURES, REAL_MIRROR, use_synthetic_world, write_kwb_workbook


def _weighted_mean(table, column, weights="population"):
    used = table.dropna(subset=[column, weights])
    return float(np.average(used[column], weights=used[weights]))


def test_every_wijk_of_the_country_on_one_division(mirror):
    wijken = study.national_wijken(2020)
    used = study.complete(wijken, study.model_spec("F3", "national").formula())
    assert len(wijken) > 3000 and len(used) >= 2500
    assert wijken["division_year"].dropna().unique().tolist() == [2024]  # one division: the boundaries'
    assert set(wijken["year"]) == {2020}  # the year of the outcome
    assert study.scope_of(wijken) == fd.NATIONAL and wijken["gemeente_code"].nunique() >= 340
    assert provenance_of(wijken).kind == "real" and len(wijken.attrs["join_reports"]) == 2
    joins = ws.report(wijken).joins  # the JoinReports join_regions returned, as for any joined table
    assert [type(j).__name__ for j in joins] == ["JoinReport", "JoinReport"] and joins[-1].matched > 3000
    # a wijk of 2020 split after 2020 gave its RIVM figures to every part: the models cluster by it
    assert wijken[study.SOURCE_UNIT].notna().sum() > 3000
    shared = wijken.dropna(subset=["pct_volunteering"]).groupby(study.SOURCE_UNIT)["pct_volunteering"]
    copies = shared.nunique()[shared.size() > 1]
    assert len(copies) > 50 and (copies == 1).sum() > 20  # split wijken copied one value into each part
    # moving RIVM's estimates onto another division keeps the national figure: published 24.6 %
    published = fd.reference("rivm2020_volunteering")["value"]
    assert _weighted_mean(wijken, "pct_volunteering") == pytest.approx(published, abs=0.5)


def test_every_gemeente_of_the_country(mirror):
    gemeenten = study.national_gemeenten(2020)
    assert len(gemeenten) == 345 and gemeenten["pct_volunteering"].notna().all()
    assert study.scope_of(gemeenten) == fd.NATIONAL
    assert _weighted_mean(gemeenten, "pct_volunteering") == pytest.approx(24.6, abs=0.1)


def test_missing_boundaries_fall_back_but_a_damaged_boundary_file_is_an_error(monkeypatch):
    from wijkstudie.study import national

    kwb = pd.DataFrame({"region_code": ["GM0001"], "level": "gemeente", "population": [100]})

    def fake_load(name, **kw):
        if name == "kwb":
            return kwb.copy()
        if name == "cbs-gemeenten":
            raise failure
        raise ws.DataNotFoundError("stop here")  # rivm: not needed to see the boundaries' handling

    monkeypatch.setattr(national, "load", fake_load)
    failure = ws.DataNotFoundError("cbs-gemeenten 2022 is not in the mirror")
    with pytest.raises(ws.DataNotFoundError, match="stop here"):  # got past the boundaries, to RIVM
        study.national_gemeenten(2020)
    failure = ws.DataFormatError("gemeenten-2022.geojson: not a boundary file")
    with pytest.raises(ws.DataFormatError, match="not a boundary file"):
        study.national_gemeenten(2020)
    failure = ws.DataFormatError("wijken-2024.geojson: damaged")
    monkeypatch.setattr(national, "load", lambda name, **kw: (_ for _ in ()).throw(failure))
    with pytest.raises(ws.DataFormatError, match="damaged"):
        national._boundaries("cbs-wijken", [2024, 2023])


def test_a_city_study_holds_that_city_only_and_says_which(fake_mirror, tmp_path):
    rows = [
        {"gwb_code_10": "GM9901", "regio": "Testdorp", "gm_naam": "Testdorp", "recs": "Gemeente", "a_inw": 1000},
        {"gwb_code_10": "BU99010000", "regio": "Oud", "gm_naam": "Testdorp", "recs": "Buurt", "a_inw": 600},
        {"gwb_code_10": "BU99010001", "regio": "Nieuw", "gm_naam": "Testdorp", "recs": "Buurt", "a_inw": 400},
        {"gwb_code_10": "BU99020000", "regio": "Elders", "gm_naam": "Anderdorp", "recs": "Buurt", "a_inw": 800},
    ]
    files = {"cbs-kwb/CBS-Utrecht-kwb-2023.xlsx": write_kwb_workbook(tmp_path / "k.xlsx", rows=rows)}
    if REAL_MIRROR:
        files["rivm-gezondheid/RIVM_gezondheid2020_18+.xlsx"] = (
            REAL_MIRROR / "rivm-gezondheid" / "RIVM_gezondheid2020_18+.xlsx"
        )
    else:
        pytest.skip("needs RIVM's 2020 file from the real mirror")
    fake_mirror(files)
    testdorp = study.city_buurten("GM9901")
    assert sorted(testdorp["region_code"]) == ["BU99010000", "BU99010001"]
    assert study.scope_of(testdorp) == "Testdorp (GM9901)"
    with pytest.raises(ws.WijkstudieError, match="holds no buurten of GM0599"):
        study.city_buurten("GM0599")


def test_utrecht_from_the_mirror_is_utrecht(mirror):
    utrecht = study.utrecht_buurten()
    assert set(utrecht["gemeente_code"]) == {"GM0344"} and study.scope_of(utrecht) == "Utrecht (GM0344)"
    assert utrecht["pct_volunteering"].notna().mean() > 0.9


def test_scope_of_names_the_country_a_city_a_few_cities_or_nothing():
    def table(codes, kind="real"):
        frame = pd.DataFrame({"gemeente_code": codes, "gemeente_name": [f"G{c}" for c in codes]})
        return attach(frame, Provenance(kind))

    assert study.scope_of(table([f"GM{i:04d}" for i in range(study.NATIONAL_GEMEENTEN)])) == fd.NATIONAL
    assert study.scope_of(table(["GM0344", "GM0344"])) == "GGM0344 (GM0344)"
    assert study.scope_of(table(["GM0344", "GM0599"])) == "2 gemeenten (GM0344, GM0599)"
    assert study.scope_of(table(["GM0344"] * 400, kind="synthetic")) == fd.SYNTHETIC_SCOPE
    assert study.scope_of(pd.DataFrame({"x": [1]})) == ""


def test_livability_proxy_marks_the_worst_fifth_and_says_why(mirror):
    table, definition = study.livability_wijken(2020)
    assert definition["name"] == study.proxy_name() and definition["built_from"] == [
        "pct_difficulty_making_ends_meet",
        "pct_low_income",
    ]
    assert "Leefbaarometer" in definition["text"] and "is not in the mirror" in definition["text"]
    known = table["problem"].dropna()
    assert known.mean() == pytest.approx(study.PROBLEM_SHARE, abs=0.01)
    assert set(table.loc[table["problem"] == 1, "livability"]) == {"problem"}
    assert table.loc[table["problem"].isna(), "livability"].isna().all()
    # the 65+ gap is the difference of the two RIVM estimates of the same wijk
    row = table.dropna(subset=["gap_65"]).iloc[0]
    assert row["gap_65"] == pytest.approx(row["pct_volunteering_65_plus"] - row["pct_volunteering"])
    # the proxy's problem wijken are poorer than the others on both of its figures
    for column in ("pct_difficulty_making_ends_meet", "pct_low_income"):
        means = table.groupby("problem")[column].mean()
        assert means[1.0] > means[0.0]


def test_livability_from_the_leefbaarometer_when_its_scores_can_be_had(fake_mirror):
    scores = ws.read_file(FIXTURES / "leefbaarometer-wijk.geojson")
    assert provenance_of(scores).sources[0].dataset == "leefbaarometer"
    assert dict(zip(scores["region_code"], scores["livability_class"])) == {"WK990100": 3, "WK990101": 7, "WK990200": 5}
    fake_mirror({"leefbaarometer/leefbaarometer-2020-wijk.geojson": FIXTURES / "leefbaarometer-wijk.geojson"})
    wijken = pd.DataFrame(
        {"region_code": ["WK990100", "WK990101", "WK990200", "WK990300"], "level": "wijk", "division_year": 2020}
    )
    problem, definition = study.livability_class(wijken, 2020)
    assert problem.tolist()[:3] == [1.0, 0.0, 0.0] and np.isnan(problem.iloc[3])  # class 3 is a problem
    assert definition["name"].startswith("Leefbaarometer classes 1-4")


def test_f5_tests_take_their_directions_from_the_claim():
    rng = np.random.default_rng(3)
    n = 2000
    data = pd.DataFrame(
        {
            "problem": rng.integers(0, 2, n),
            "population": rng.integers(500, 5000, n).astype(float),
            "pct_non_dutch_origin": rng.uniform(0, 60, n),
            "pct_age_25_44": rng.uniform(15, 40, n),
            "pct_age_65_plus": rng.uniform(5, 35, n),
        }
    )
    # planted: 65+ volunteer 2 points less in problem areas, the origin share counts 0.1 more, 25-44 no differently
    data["gap_65"] = 1.0 - 2.0 * data["problem"] + rng.normal(0, 1, n)
    data["pct_volunteering"] = (
        30
        - 0.2 * data["pct_non_dutch_origin"]
        + 0.1 * data["problem"] * data["pct_non_dutch_origin"]
        + 0.1 * data["pct_age_25_44"]
        + rng.normal(0, 1, n)
    )
    tests = study.f5_tests(study.f5_area_models(data), "toy", notebook="nb")
    by_part = {t.part: t for t in tests}
    parts = fd.finding("F5")["parts"]
    # the text names a direction for 30-45-year-olds only; the other parts are two-sided ("differently")
    assert {part: t.expected_sign for part, t in by_part.items()} == {p: spec["sign"] for p, spec in parts.items()}
    assert by_part["age_65_plus"].expected_sign == 0 and by_part["age_30_44"].expected_sign == -1
    older = by_part["age_65_plus"]
    assert older.ci_low < -2.0 < older.ci_high and verdicts.outcome_of(older) == "supports"
    origin = by_part["non_dutch"]
    assert origin.ci_low < 0.1 < origin.ci_high and verdicts.outcome_of(origin) == "supports"
    assert verdicts.outcome_of(by_part["age_30_44"]) == "inconclusive"
    assert all(t.data_kind == "unknown" for t in tests)  # a hand-made table is never counted as real


def test_group_gap_is_the_weighted_mean_per_class():
    data = pd.DataFrame(
        {
            "gap_65": [1.0, 3.0, 2.0, 3.0, 1.0, 3.0, -1.0, -1.0, 0.0, 2.0, 1.0, -1.0],
            "population": [1, 3, 2, 3, 1, 3, 1, 1, 2, 2, 1, 1],
            "livability": ["elsewhere"] * 6 + ["problem"] * 6,
        }
    )
    gaps = study.group_gap(data)
    assert gaps.loc["elsewhere", "mean"] == pytest.approx(33 / 13)  # (1 + 9 + 4 + 9 + 1 + 9) / 13
    assert gaps.loc["problem", "mean"] == pytest.approx(2 / 8)  # (-1 - 1 + 0 + 4 + 1 - 1) / 8
    assert gaps.loc["problem", "ci_low"] < 0 < gaps.loc["problem", "ci_high"] and gaps.loc["problem", "n"] == 6


def test_vreewijk_among_rotterdams_wijken_and_the_country(mirror):
    spec = fd.finding(study.CASE)["case"]
    tables = {year: study.rotterdam_wijken(year) for year in spec["years"]}
    percentiles, intervals, peers = study.case_percentiles(tables, study.CASE, spec)
    assert peers == 71 and set(percentiles) == set(spec["dimensions"])
    for dimension, years in percentiles.items():  # the bootstrap over items spans the items' percentiles
        for year, value in years.items():
            low, high = intervals[dimension][year]
            assert low <= value <= high
    # a dimension's percentile is the mean of its items' (reversed items count the other way)
    from wijkstudie.study.ranks import percentile

    t = tables[2016]
    stability = np.mean(
        [
            percentile(t, study.CASE, "pct_long_term_residents"),
            percentile(t, study.CASE, "pct_residential_mobility", reverse=True),
        ]
    )
    assert percentiles["residential stability"][2016] == pytest.approx(stability)
    context = study.case_context()
    assert context.attrs["code"] == "BU05991080"
    row = context.loc[("RIVM 2020", "pct_volunteering")]
    assert row["n_all"] > 13000 and row["n_within"] > 70
    rivm = ws.load("rivm-gezondheid", year=2020, age_group="18+", level="buurt")
    own = rivm.loc[rivm["region_code"] == "BU05991080", "pct_volunteering"].item()
    assert row["value"] == own
    assert row["percentile_all"] == pytest.approx((rivm["pct_volunteering"].dropna() < own).mean() * 100)


def test_the_evidence_on_real_data_national_tests_are_model_implied_city_surveys_vote(mirror):
    from wijkstudie.study import evidence as ev

    wijken = {2020: study.national_wijken(2020, livability=True)}
    national = study.national_results(wijken, study.model_spec("F3", "national").formula())
    assert set(name for _, name in national) == {
        "weighted regression",
        "multilevel, areas in gemeenten",
        "weighted regression, positive livability",
    }
    assert national[(2020, "weighted regression")].extra["clusters"] > 3000
    tests = study.national_tests(
        "F3", national, "pct_owner_occupied", scope=fd.NATIONAL, notebook="02", what="All wijken"
    )
    assert {t.evidence for t in tests} == {ev.MODEL_IMPLIED} and {t.outcome_source for t in tests} == {
        "rivm-gezondheid 2020"
    }
    city = []
    for sample in (study.rotterdam_sample(), study.amsterdam_sample()):  # the declared samples (findings.yaml)
        city += study.sample_tests("F3", sample, notebook="02")
    assert {t.sample_id: t.evidence for t in study.primary_tests(city)} == {
        "rotterdam-wijkprofiel": ev.DIRECT,
        "amsterdam-bbga": ev.DIRECT,
    }
    judgement = verdicts.judge("F3", tests + city)
    assert sorted(t.sample_id for v in judgement.votes for t in v.primary) == [
        "amsterdam-bbga",
        "rotterdam-wijkprofiel",
    ]
    # one vote each, direct survey only: Rotterdam's six waves of the same wijken are one sample
    assert "national areas" not in judgement.verdicts and set(judgement.verdicts) == {"city wijken"}
    for t in (t for v in judgement.votes for t in v.primary):  # waves pooled: errors clustered by area
        assert 1 < t.clusters and t.n > t.clusters
        if t.clusters < 30:  # CR2 with Bell-McCaffrey degrees of freedom, never more than G - 1
            assert re.fullmatch(r"t\(\d+\.\d\d\)", t.distribution), t.distribution
            assert 1 < float(t.distribution[2:-1]) <= t.clusters - 1
        else:  # CR1 with t(G - 1)
            assert t.distribution == f"t({t.clusters - 1})", t.distribution
    few = {t.sample_id: t.clusters < 30 for v in judgement.votes for t in v.primary}
    assert few == {"rotterdam-wijkprofiel": False, "amsterdam-bbga": True}  # Amsterdam's positive areas: CR2
    rotterdam = {t.choices["waves"] for t in city if t.sample_id == "rotterdam-wijkprofiel"}
    assert rotterdam == {"all", "before 2020", "from 2020"}  # its change of method: the waves each side as robustness


def test_the_buurt_proxy_marks_the_worst_fifth_of_dutch_buurten(mirror):
    problem, definition = study.buurt_livability(2016)
    assert len(problem) > 10000 and problem.mean() == pytest.approx(study.PROBLEM_SHARE, abs=0.01)
    assert "buurten" in definition["text"] and definition["built_from"][0] == "pct_difficulty_making_ends_meet"
    rotterdam = study.rotterdam_wijken(2016)
    problem = study.with_livability(rotterdam, problem)["problem"]
    assert set(problem.dropna()) == {0.0, 1.0}
    assert problem[~rotterdam["region_code"].str.startswith("BU").to_numpy()].isna().all()


def test_trust_in_government_never_stands_in_for_trust_in_neighbours(monkeypatch):
    """F4 excludes trust in government: a declaration that tried it, as a primary or an alternative, is refused."""
    import copy

    from wijkstudie.study import designs

    assert designs.allowed_term("F4", "cohesion_scale") == "cohesion_scale"  # the cohesion items are allowed
    with pytest.raises(ws.WijkstudieError, match="trust in government"):
        designs.allowed_term("F4", "pct_trust_municipality")
    f4 = copy.deepcopy(fd.finding("F4"))
    f4["alternatives"]["term"].append("pct_trust_municipality")
    f4["declared"]["rotterdam-wijkprofiel"]["term"] = "pct_trust_municipality"
    monkeypatch.setitem(fd.registry()["findings"], "F4", f4)
    with pytest.raises(ws.WijkstudieError, match="F4: pct_trust_municipality measures trust in government"):
        designs.alternatives("F4")
    with pytest.raises(ws.WijkstudieError, match="trust in government"):
        designs.declared_specs("F4", "rotterdam-wijkprofiel")


def test_rank_and_change_tables_on_a_hand_made_city():
    from wijkstudie.study.ranks import change_table, most_similar, rank_table

    before = pd.DataFrame(
        {
            "area_number": [1, 2, 3, 4, 5],
            "region_name": ["A", "B", "C", "D", "E"],
            "x": [10.0, 20.0, 30.0, 40.0, 50.0],
            "y": [1.0, 2.0, None, 4.0, 5.0],
        }
    )
    after = before.assign(x=[11.0, 25.0, 30.0, 38.0, 50.0], y=[1.0, 2.5, 3.0, 4.0, None])
    ranks = rank_table(before, "B", ["x", "y"])
    assert ranks.loc["x", "rank"] == 4 and ranks.loc["x", "of"] == 5 and ranks.loc["x", "percentile"] == 20.0
    assert ranks.loc["y", "of"] == 4 and ranks.loc["y", "percentile"] == 25.0  # C has no y: not ranked
    changes = change_table(before, after, "B", ["x", "y"])
    assert changes.loc["x", "change"] == 5.0 and changes.loc["x", "abs_change_percentile"] == 80.0
    # y changed for A (0), B (0.5) and D (0); C and E have no change: ranked among the three that do
    assert changes.loc["y", "abs_change_percentile"] == pytest.approx(200 / 3)
    assert changes.loc["y", "median_change"] == 0.0
    with pytest.raises(ws.WijkstudieError, match="'C' has no change in any of y"):
        change_table(before, after, "C", ["y"])
    with pytest.raises(ws.WijkstudieError, match="'C' has no value in any of y"):
        rank_table(before, "C", ["y"])
    nearest = most_similar(before.dropna(), "B", ["x", "y"], k=2)
    assert list(nearest["region_name"]) == ["A", "D"]


def test_a_primary_fitted_on_the_page_is_the_one_the_study_records(monkeypatch):
    """A notebook fits the primary on the page and hands it over (as notebook 01 hands its regression to
    sample_tests): F6's residents' logit to f6_models, notebook 10's yearly contrasts to resident_tests. What the page
    computed is what is recorded when it is the declared computation; another model (formula, options or rows) or other
    contrasts are computed again from the declaration, with a PageFitWarning."""
    from wijkstudie.models import logit

    use_synthetic_world(monkeypatch)
    residents = study.residents()
    f6 = study.model_spec("F6", "residents")
    page = logit(f6.formula(), study.resident_rows(f6, residents), weights=f6.weights, cluster=f6.cluster)
    models = study.f6_models(residents, primary=page)
    assert models["problem areas"] is page and models["all areas"].formula.endswith(" + problem")
    other = logit("confidence_in_future ~ aware_of_plans", residents, weights=f6.weights)
    with pytest.warns(PageFitWarning, match="F6 residents: .*not the declared one .*cluster None, not 'buurt_code'"):
        assert study.f6_models(residents, primary=other)["problem areas"].formula == f6.formula()
    assert set(study.resident_rows(f6, residents)["problem"]) == {1}

    sample = study.residents_sample()
    primary = study.declared_spec("F2", sample.key, "students")
    yearly = study.group_contrasts(
        sample.table, variable=primary.outcome, category=primary.get("category"), group=primary.get("group")
    )
    tests = study.resident_tests("F2", sample, notebook="nb", primary_results={"students": yearly})  # no warning
    recorded = {t.part: t for t in study.primary_tests(tests)}
    assert recorded["students"].estimate == pytest.approx(study.pooled_contrast(yearly)["estimate"])
    shifted = yearly.assign(contrast=yearly["contrast"] + 10.0)  # a result only the page has: not the declared one
    with pytest.warns(PageFitWarning, match="F2 students, .*computed on the page is not the declared one"):
        again = study.resident_tests("F2", sample, notebook="nb", primary_results={"students": shifted})
    assert {t.part: t.estimate for t in study.primary_tests(again)} == {p: t.estimate for p, t in recorded.items()}
    own = study.declared_spec("F2", sample.key, "single_person")  # not handed over: computed by the study
    expected = study.pooled_contrast(
        study.group_contrasts(sample.table, variable=own.outcome, category=own.get("category"), group=own.get("group"))
    )
    assert recorded["single_person"].estimate == pytest.approx(expected["estimate"])


def test_a_notebook_of_the_city_samples_imports_no_national_table_builder():
    """The study's names are reached on first use, so the runner (which re-runs a notebook when a module it imported
    changes) re-runs only the notebooks that use an edited builder: the city samples' chapter never imports
    study.national, the residents' chapter neither national nor samples."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom wijkstudie import study\n"
        "study.Parameters, study.rotterdam_sample, study.sample_tests, study.wave, study.finding_card\n"
        "print(' '.join(m for m in sys.modules if m.startswith('wijkstudie.study.')))\n"
    )
    cities = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    residents = code.replace(
        "study.rotterdam_sample, study.sample_tests, study.wave", "study.residents, study.f6_models"
    )
    residents = subprocess.run([sys.executable, "-c", residents], capture_output=True, text=True, check=True).stdout
    assert "wijkstudie.study.samples" in cities and "wijkstudie.study.national" not in cities
    assert "wijkstudie.study.individuals" in residents.split()
    assert not {"wijkstudie.study.national", "wijkstudie.study.samples"} & set(residents.split())


def test_the_study_namespace_names_every_name_once_and_each_resolves():
    """The lazy study namespace (PEP 562): every name in ``__all__`` resolves from its module, ``dir`` lists the
    names and the modules (not the machinery), and a wrong name is an AttributeError."""
    from wijkstudie import study

    assert all(callable(getattr(study, name)) or getattr(study, name) is not None for name in study.__all__)
    listed = dir(study)
    assert {"sample_tests", "finding_card", "verdicts", "national"} <= set(listed)
    assert not [name for name in listed if name.startswith("_") or name in ("import_module", "annotations")]
    assert study.verdicts.__name__ == "wijkstudie.study.verdicts"
    with pytest.raises(AttributeError, match="no attribute 'sample_test'"):
        _ = study.sample_test
