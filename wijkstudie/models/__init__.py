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
"""

from .area import area_regression
from .inference import equivalence_test
from .logistic import logit, predict, predicted_by_group, segmented_curve, segmented_logit, spline_logit
from .meta import pooled_estimate
from .mixed import multilevel, multilevel_logit
from .panel import within_estimate
from .result import ModelResult, stack
from .scales import cronbach_alpha, scale_score
from .spatial import lisa, morans_i, spatial_models, spatial_weights


def contrast(result: ModelResult, weights: dict) -> dict:
    """A linear combination of a result's estimates with its 95 % interval (``ModelResult.contrast``).

    Parameters
    ----------
    result : ModelResult
        any model's result
    weights : dict
        term -> weight, e.g. ``{"after": 1, "before": -1}``

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
    return result.contrast(weights)


__all__ = [
    "ModelResult",
    "area_regression",
    "contrast",
    "cronbach_alpha",
    "equivalence_test",
    "lisa",
    "logit",
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
