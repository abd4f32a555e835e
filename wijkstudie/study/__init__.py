"""The study: its tables and samples, its finding tests, the verdict rules, the recorded results and the scorecard.

What the notebooks use, in one namespace (``from wijkstudie import study``):

- the declared samples and specifications (findings.yaml): ``declared_samples``, ``rotterdam_sample``,
  ``amsterdam_sample``, ``vm_sample``, ``residents_sample``, ``declared_specs``, ``formula_of``, ``rows_for``,
  ``fit`` (the primary on the page), ``sample_tests`` and ``resident_tests`` (every declared specification), and
  ``model_spec`` (the residents' and national models beside them);
- tables and samples: ``national_wijken``, ``national_gemeenten``, ``livability_wijken``,
  ``rotterdam_wijken``, ``amsterdam_gebieden``, ``utrecht_buurten``, ``residents`` (modules ``national``,
  ``cities``, ``livability``, ``livability_groups`` (F5), ``vreewijk`` (the case), ``individuals``, ``spatial``);
- finding tests: ``sample_tests``, ``national_tests``, ``f5_area_tests``, ``f1_resident_tests``, ``f6_tests``,
  ``case_test`` (module ``findings`` holds the registry and the ``FindingTest`` record);
- what they say: ``record``, ``finding_card``, ``what_we_found``, ``tests_frame``, ``write_scorecard`` (modules
  ``results``, ``verdicts``, ``scorecard``; what kind of evidence each test is: ``evidence``).

The layers below (data, models, plotting) know nothing of this study; the names of its variables and the rules of
its verdicts live here and in ``findings.yaml``.
"""

from .cities import (
    COHESION,
    PARTICIPATION,
    ROTTERDAM_CONTEXT,
    amsterdam_gebieden,
    city_buurten,
    city_panels,
    residence_panels,
    rotterdam_wijken,
    utrecht_buurten,
    wave,
)
from .contrasts import group_contrasts, pooled_contrast
from .designs import (
    ModelSpec,
    Parameters,
    Spec,
    alternatives,
    control_choice,
    declared_spec,
    declared_specs,
    model_spec,
    model_specs,
    sample_design,
    sample_keys,
    sweep,
)
from .findings import (
    NATIONAL,
    SYNTHETIC_SCOPE,
    FindingTest,
    case_test,
    finding,
    from_estimate,
    from_model,
    reference,
    reference_text,
    registry,
    threshold_test,
)
from .individuals import (
    BREAKPOINT,
    RESIDENCE,
    RESIDENT_AREA,
    RESIDENT_WEIGHT,
    f1_resident_tests,
    f6_models,
    f6_tests,
    recorded_breakpoint,
    residence_breakpoint,
    resident_rows,
    residents,
    with_indicators,
)
from .livability import PROBLEM_CLASS, PROBLEM_SHARE, buurt_livability, livability_class, proxy_name, with_livability
from .livability_groups import (
    F5_AREA_MODELS,
    f5_area_models,
    f5_area_tests,
    f5_gaps,
    f5_main_tables,
    f5_tables,
    f5_tests,
    group_gap,
    livability_wijken,
)
from .national import (
    COMPOSITION_YEAR,
    RIVM_DIVISION,
    RIVM_YEARS,
    SOURCE_UNIT,
    complete,
    has_households,
    national_gemeenten,
    national_models,
    national_results,
    national_tests,
    national_wijken,
    young_terms,
)
from .notebook import start_notebook
from .results import record, record_value, recorded, recorded_value
from .samples import (
    DeclaredSample,
    amsterdam_sample,
    declared_samples,
    gemeente_survey,
    residents_sample,
    rotterdam_sample,
    samples_overview,
    vm_sample,
)
from .scope import CASE, CITIES, NATIONAL_GEMEENTEN, scope_of
from .scorecard import finding_card, tests_frame, what_we_found, write_scorecard
from .spatial import moran_table, spatial_results, spatial_summary, spatial_table, spatial_terms, spatial_tests
from .sweeps import fit, formula_of, primary_tests, resident_tests, rows_for, sample_tests
from .tour import files_not_here, tour_sentences, what_the_tour_found
from .vreewijk import case_context, case_items, case_percentiles, case_ranks, case_summary
