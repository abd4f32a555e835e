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

from importlib import import_module as _import_module
from pkgutil import iter_modules as _iter_modules

# what the study offers, by the module that holds it: a module is imported when one of its names is first used, so a
# notebook imports only the study modules it uses (and the runner re-runs it only when one of those changes)
_WHERE = {
    "COHESION": "cities",
    "PARTICIPATION": "cities",
    "ROTTERDAM_CONTEXT": "cities",
    "amsterdam_gebieden": "cities",
    "city_buurten": "cities",
    "city_panels": "cities",
    "residence_panels": "cities",
    "rotterdam_wijken": "cities",
    "utrecht_buurten": "cities",
    "wave": "cities",
    "group_contrasts": "contrasts",
    "pooled_contrast": "contrasts",
    "ModelSpec": "designs",
    "Parameters": "designs",
    "Spec": "designs",
    "alternatives": "designs",
    "control_choice": "designs",
    "declared_spec": "designs",
    "declared_specs": "designs",
    "model_spec": "designs",
    "model_specs": "designs",
    "sample_design": "designs",
    "sample_keys": "designs",
    "sweep": "designs",
    "FindingTest": "findings",
    "NATIONAL": "findings",
    "SYNTHETIC_SCOPE": "findings",
    "case_test": "findings",
    "finding": "findings",
    "from_estimate": "findings",
    "from_model": "findings",
    "reference": "findings",
    "reference_text": "findings",
    "registry": "findings",
    "threshold_test": "findings",
    "BREAKPOINT": "individuals",
    "RESIDENCE": "individuals",
    "RESIDENT_AREA": "individuals",
    "RESIDENT_WEIGHT": "individuals",
    "f1_resident_tests": "individuals",
    "f6_models": "individuals",
    "f6_tests": "individuals",
    "recorded_breakpoint": "individuals",
    "residence_breakpoint": "individuals",
    "resident_rows": "individuals",
    "residents": "individuals",
    "with_indicators": "individuals",
    "PROBLEM_CLASS": "livability",
    "PROBLEM_SHARE": "livability",
    "buurt_livability": "livability",
    "livability_class": "livability",
    "proxy_name": "livability",
    "with_livability": "livability",
    "F5_AREA_MODELS": "livability_groups",
    "f5_area_models": "livability_groups",
    "f5_area_tests": "livability_groups",
    "f5_gaps": "livability_groups",
    "f5_main_tables": "livability_groups",
    "f5_tables": "livability_groups",
    "f5_tests": "livability_groups",
    "group_gap": "livability_groups",
    "livability_wijken": "livability_groups",
    "COMPOSITION_YEAR": "national",
    "RIVM_DIVISION": "national",
    "RIVM_YEARS": "findings",
    "SOURCE_UNIT": "national",
    "complete": "national",
    "has_households": "national",
    "national_gemeenten": "national",
    "national_models": "national",
    "national_results": "national",
    "national_tests": "national",
    "national_wijken": "national",
    "young_terms": "national",
    "start_notebook": "notebook",
    "record": "results",
    "record_value": "results",
    "recorded": "results",
    "recorded_value": "results",
    "DeclaredSample": "samples",
    "amsterdam_sample": "samples",
    "declared_samples": "samples",
    "gemeente_survey": "samples",
    "residents_sample": "samples",
    "rotterdam_sample": "samples",
    "samples_overview": "samples",
    "vm_sample": "samples",
    "CASE": "scope",
    "CITIES": "scope",
    "NATIONAL_GEMEENTEN": "scope",
    "scope_of": "scope",
    "finding_card": "scorecard",
    "tests_frame": "scorecard",
    "what_we_found": "scorecard",
    "write_scorecard": "scorecard",
    "moran_table": "spatial",
    "spatial_results": "spatial",
    "spatial_summary": "spatial",
    "spatial_table": "spatial",
    "spatial_terms": "spatial",
    "spatial_tests": "spatial",
    "fit": "sweeps",
    "formula_of": "sweeps",
    "primary_tests": "sweeps",
    "resident_tests": "sweeps",
    "rows_for": "sweeps",
    "sample_tests": "sweeps",
    "files_not_here": "tour",
    "tour_sentences": "tour",
    "what_the_tour_found": "tour",
    "case_context": "vreewijk",
    "case_items": "vreewijk",
    "case_percentiles": "vreewijk",
    "case_ranks": "vreewijk",
    "case_summary": "vreewijk",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    """A name of the study, from its module (imported on first use, PEP 562)."""
    if name in _WHERE:
        value = getattr(_import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    try:  # a module of the study (``study.verdicts``)
        return _import_module(f".{name}", __name__)
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """The study's names and its modules."""
    modules = {module.name for module in _iter_modules(__path__)}
    return sorted({name for name in globals() if not name.startswith("_")} | set(_WHERE) | modules)
