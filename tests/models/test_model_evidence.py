"""Evidence kinds in direct use (issue 26 item 2): a fit whose outcome is a model-based small-area estimate and whose
term measures one of that model's predictors warns "model-implied" and records it; a direct-survey outcome does not;
a fit on harmonised areas that share a source unit, without clustered errors, names the column to cluster on. The
models and the study decide with one rule (core.evidence.judge)."""

import warnings

import numpy as np
import pandas as pd
import pytest

import wijkstudie as ws
from wijkstudie.core.errors import ModelImpliedWarning, SharedSourceUnitWarning
from wijkstudie.core.provenance import Provenance, Source, attach
from wijkstudie.data.catalogue import datasets
from wijkstudie.data.evidence import measurement_record
from wijkstudie.models import area_regression, within_estimate
from wijkstudie.study.evidence import classify


def stamped(dataset, year, variant, variables):
    """A source as a load stamps it, from the real catalogue.yaml and variables.yaml."""
    return Source(
        dataset,
        year,
        variant=variant,
        variables=tuple(variables),
        **measurement_record(datasets()[dataset], variant, variables),
    )


def rivm_and_kwb(kind="real", n=80, seed=1):
    rng = np.random.default_rng(seed)
    owner = rng.uniform(10, 90, n)
    table = pd.DataFrame(
        {
            "region_code": [f"WK{i:06d}" for i in range(n)],
            "pct_owner_occupied": owner,
            "n_households": rng.integers(200, 5000, n).astype(float),
            "my_index": rng.normal(size=n),
        }
    )
    table["pct_volunteering"] = 20 + 0.1 * owner + rng.normal(0, 2, n)
    sources = (
        stamped("rivm-gezondheid", 2020, "18+", ["pct_volunteering"]),
        stamped("kwb", 2022, "workbook", ["pct_owner_occupied", "n_households"]),
    )
    return attach(table, Provenance(kind, sources, ("wijk",)))


def test_a_model_based_outcome_on_its_own_models_predictor_warns_once_and_the_result_records_every_term():
    table = rivm_and_kwb()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = area_regression("pct_volunteering ~ pct_owner_occupied + n_households + my_index", table)
    implied = [w.message for w in caught if isinstance(w.message, ModelImpliedWarning)]
    assert len(implied) == 1 and "\n" not in str(implied[0])
    assert str(implied[0]) == (
        "model-implied: pct_volunteering is a RIVM/CBS small-area estimate whose model uses home ownership; "
        "regressing it on pct_owner_occupied recovers that model, not a finding"
    )
    warning = implied[0]
    assert (warning.outcome, warning.term, warning.model) == (
        "pct_volunteering",
        "pct_owner_occupied",
        "RIVM/CBS small-area estimate",
    )
    assert warning.concepts == ("home ownership",) and caught[0].filename == __file__  # points at the caller
    kinds = {term: (e.kind, e.shared, e.unknown) for term, e in fit.evidence.items()}
    assert kinds == {
        "pct_owner_occupied": ("model-implied", ("home ownership",), ()),
        "n_households": ("model-based outcome", (), ()),  # "size" is not among SMAP's predictors
        "my_index": ("model-implied", (), ("my_index",)),  # unknown concept: cannot be shown to lie outside
    }
    assert fit.evidence["n_households"].source == "rivm-gezondheid 2020"
    assert "model-implied" in fit._repr_html_()
    implied = next(line for line in str(fit).splitlines() if line.startswith("model-implied: "))
    assert "pct_owner_occupied" in implied and "my_index" in implied  # the printed result says it too
    # the same rule as the study's classify
    provenance = ws.provenance_of(table)
    for term, record in fit.evidence.items():
        assert classify(provenance, "pct_volunteering", term).kind == record.kind, term


def test_no_warning_for_synthetic_or_unknown_data_and_the_within_estimate_warns_too():
    for kind, expected in (("synthetic", "method check"), ("unknown", "unknown")):
        with warnings.catch_warnings():
            warnings.simplefilter("error", ModelImpliedWarning)
            fit = area_regression("pct_volunteering ~ pct_owner_occupied", rivm_and_kwb(kind))
        assert fit.evidence["pct_owner_occupied"].kind == expected
    panel = pd.concat([rivm_and_kwb(seed=s).assign(year=2016 + s) for s in range(3)], ignore_index=True)
    panel.attrs = rivm_and_kwb().attrs
    with pytest.warns(ModelImpliedWarning, match="regressing it on pct_owner_occupied"):
        fit = within_estimate("pct_volunteering ~ pct_owner_occupied", panel)
    assert fit.evidence["pct_owner_occupied"].kind == "model-implied"


def test_shared_source_units_without_clustering_warn_naming_the_column():
    table = rivm_and_kwb()
    table["source_code_2020"] = [f"WK{i // 2:06d}" for i in range(len(table))]  # pairs split from one old wijk
    table.loc[:9, "source_code_2020"] = [f"WK{900 + i:06d}" for i in range(10)]  # ten unsplit
    with pytest.warns(SharedSourceUnitWarning) as caught:
        area_regression("pct_volunteering ~ n_households", table)
    shared = [w.message for w in caught if isinstance(w.message, SharedSourceUnitWarning)]
    assert len(shared) == 1 and shared[0].column == "source_code_2020" and shared[0].shared == 70
    assert "pass cluster='source_code_2020'" in str(shared[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", SharedSourceUnitWarning)
        area_regression("pct_volunteering ~ n_households", table, cluster="source_code_2020")
        area_regression("pct_volunteering ~ n_households", table.drop(columns="source_code_2020"))


def test_rivm_volunteering_on_kwb_home_ownership_is_model_implied_and_says_so_everywhere(mirror):
    """The acceptance case on the real files: RIVM 2020 (wijk) joined to KWB 2022."""
    rivm = ws.load("rivm-gezondheid", year=2020, level="wijk")
    assert "RIVM/CBS small-area estimate" in ws.provenance_of(rivm).describe()
    assert any("pct_volunteering" in n and "RIVM/CBS small-area estimate" in n for n in ws.report(rivm).notes)
    table, _ = ws.join_regions(rivm, ws.load("kwb", year=2022, level="wijk"))
    assert "(RIVM/CBS small-area estimate)" in str(ws.source_caption(table))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = area_regression("pct_volunteering ~ pct_owner_occupied", table)
    implied = [w.message for w in caught if isinstance(w.message, ModelImpliedWarning)]
    shared = [w.message for w in caught if isinstance(w.message, SharedSourceUnitWarning)]
    assert len(implied) == 1 and implied[0].term == "pct_owner_occupied" and "home ownership" in str(implied[0])
    assert fit.evidence["pct_owner_occupied"].kind == "model-implied"
    assert fit.evidence["pct_owner_occupied"].source == "rivm-gezondheid 2020"
    # KWB 2022 is on the division of 2022: the RIVM wijken split since 2020 copied their figures into their parts
    assert len(shared) == 1 and shared[0].column == "source_code_2020" and shared[0].shared > 0
    with pytest.warns(ModelImpliedWarning):  # clustering answers the shared source units, not the model
        clustered = area_regression("pct_volunteering ~ pct_owner_occupied", table, cluster="source_code_2020")
    assert clustered.cluster_correction == "CR1" and clustered.extra["clusters"] > 3000


def test_a_direct_survey_outcome_on_home_ownership_does_not_warn(mirror):
    """Rotterdam's Wijkprofiel asks residents themselves: volunteering on (register) home ownership is a finding."""
    survey = ws.load("rotterdam-wijkprofiel", year=2016)
    context = ws.load("rotterdam-wijkprofiel", year=2015, sheet="context")
    table, _ = ws.join_regions(survey, context[["region_code", "pct_owner_occupied"]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ModelImpliedWarning)
        fit = area_regression("pct_volunteering ~ pct_owner_occupied", table[table["level"] == "buurt"])
    assert fit.evidence["pct_owner_occupied"].kind == "direct survey"
    assert fit.evidence["pct_owner_occupied"].source == "rotterdam-wijkprofiel 2016"
    assert "small-area estimate" not in ws.provenance_of(table).describe()


def test_a_synthetic_stand_in_of_a_model_based_source_is_not_called_an_estimate():
    real, synthetic = rivm_and_kwb(), rivm_and_kwb("synthetic")
    assert ws.provenance_of(real).describe().endswith("; includes a RIVM/CBS small-area estimate")
    assert "small-area estimate" not in ws.provenance_of(synthetic).describe()
    assert "(RIVM/CBS small-area estimate)" in str(ws.source_caption(real))
    assert "small-area estimate" not in str(ws.source_caption(synthetic))
