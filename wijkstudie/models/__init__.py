"""Models, each returning one result type, ``ModelResult`` (see ``models.result``).

- ``area_regression``: weighted least squares of an area outcome, robust standard errors, standardised estimates
- ``within_estimate``: fixed-effects (within-area) estimate for areas observed over several years
- ``multilevel``: random-intercept (and random-slope) linear model of units nested in higher units
- ``multilevel_logit``: random-intercept logistic model (adaptive Gauss-Hermite quadrature)
- ``logit``, ``segmented_logit``, ``spline_logit``: logistic models with survey weights and clustered errors
  (``segmented_logit`` with a cluster-bootstrap interval of its breakpoint)
- ``spatial_models``: OLS beside spatial error and spatial lag models; ``morans_i``, ``lisa``, ``spatial_weights``
- ``cronbach_alpha``, ``scale_score``: survey items as a scale
- ``contrast(result, {...})`` works on every result; ``stack(results, term)`` sets one term of several side by side
- ``equivalence_test(estimate, std_error, margin)``: two one-sided tests of whether an effect is negligibly small
- ``pooled_estimate(estimates, std_errors)``: random-effects pooled estimate of one effect estimated several times
- ``minimum_detectable_effect(se, df)`` and ``detection_power(effect, se, df)``: what a test could detect (exact,
  noncentral t)
- clustered errors (``cluster=`` in ``area_regression``, ``within_estimate``): CR2 with Bell-McCaffrey degrees of
  freedom under 30 clusters, CR1 with t(G - 1) from there (``models.cluster``)
"""

from __future__ import annotations

from importlib import import_module as _import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .result import ModelResult

# name -> the module that defines it: each is imported the first time one of its names is used (PEP 562), so a
# notebook that fits an area regression does not import spreg, and depends only on the modules it used
_WHERE = {
    "area_regression": "area",
    "equivalence_test": "inference",
    "logit": "logistic",
    "predict": "logistic",
    "predicted_by_group": "logistic",
    "segmented_curve": "logistic",
    "segmented_logit": "logistic",
    "spline_logit": "logistic",
    "pooled_estimate": "meta",
    "detection_power": "power",
    "minimum_detectable_effect": "power",
    "multilevel": "mixed",
    "multilevel_logit": "mixed",
    "within_estimate": "panel",
    "ModelResult": "result",
    "stack": "result",
    "cronbach_alpha": "scales",
    "scale_score": "scales",
    "lisa": "spatial",
    "morans_i": "spatial",
    "spatial_models": "spatial",
    "spatial_weights": "spatial",
}


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(_import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


def contrast(result: ModelResult, coefficients: dict) -> dict:
    """A linear combination of a result's estimates with its 95 % interval (``ModelResult.contrast``).

    Parameters
    ----------
    result : ModelResult
        any model's result
    coefficients : dict
        term -> coefficient of the combination, e.g. ``{"after": 1, "before": -1}`` (not data weights)

    Returns
    -------
    dict
        ``estimate``, ``std_error``, ``ci_low``, ``ci_high``, ``p_value`` and the distribution

    Raises
    ------
    ArgumentError
        for a term the model does not have; ``MissingRecordError`` for a result without a covariance.

    Examples
    --------
    >>> from wijkstudie import models
    >>> models.contrast(fit, {"after": 1, "before": -1})  # doctest: +SKIP
    """
    return result.contrast(coefficients)


__all__ = [
    "ModelResult",
    "area_regression",
    "contrast",
    "cronbach_alpha",
    "detection_power",
    "equivalence_test",
    "lisa",
    "logit",
    "minimum_detectable_effect",
    "morans_i",
    "multilevel",
    "multilevel_logit",
    "pooled_estimate",
    "predict",
    "predicted_by_group",
    "scale_score",
    "segmented_curve",
    "segmented_logit",
    "spatial_models",
    "spatial_weights",
    "spline_logit",
    "stack",
    "within_estimate",
]
