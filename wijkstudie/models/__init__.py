"""Models for neighbourhood (area-level) data, each returning a tidy ModelResult.

- ``area_regression``: weighted least squares with robust standard errors and standardised coefficients
- ``within_estimate``: fixed-effects (within-area) estimate for areas observed over several years
- ``multilevel``: random-intercept (and optional random-slope) model for units nested in higher units
- ``spatial``: Moran's I, local clusters (LISA) and spatial error / lag models next to the ordinary fit
- ``individual``: resident-level models (segmented and spline logistic fits of residence duration,
  multilevel logistic regression, clustered logistic regression for interactions and F6)
- ``scales``: correlations of survey items, a simple scale and its reliability (Cronbach's alpha)
"""

from .area import area_regression
from .individual import (contrast, logit, multilevel_logit, predicted_by_group, segmented_curve, segmented_logit,
                         spline_logit)
from .multilevel import multilevel
from .panel import within_estimate
from .result import ModelResult, stack
from .scales import cronbach_alpha, scale_score
from .spatial import lisa, morans_i, spatial_models, spatial_weights

__all__ = ["ModelResult", "area_regression", "contrast", "logit", "predicted_by_group", "multilevel_logit", "segmented_curve", "segmented_logit",
           "spline_logit", "cronbach_alpha", "lisa", "morans_i", "multilevel", "scale_score",
           "spatial_models", "spatial_weights", "stack", "within_estimate"]
