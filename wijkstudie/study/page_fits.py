"""A model a notebook fitted on its page, kept as the declared one only when it is that model.

A chapter shows its primary model on the page (the formula, the call, the result) and hands the result to the study,
which records it. ``declared_fit`` keeps it when it is the declared call (``models.call.Call.differences``: the same
model, formula and options, given the same rows and values); otherwise the study fits the declared model, records
that, and says why with a ``PageFitWarning`` (a reader who changed the rows, the clustering or the weights on the page
never has that fit recorded as the declared one). What is cheap to compute again (a table of yearly contrasts) is
computed again and compared whole (``declared_table``).
"""

from __future__ import annotations

import warnings

from ..core.errors import PageFitWarning


def declared_fit(given, model, formula: str, data, *, name: str, **options):
    """``given`` when it is ``model(formula, data, **options)``, else that call's result (with a warning).

    Parameters
    ----------
    given : ModelResult, dict of them, or None
        what the page fitted (a dict: ``spatial_models``' results); None: fit here
    model : callable
        the declared model function
    formula : str
        the declared formula
    data : DataFrame
        the declared rows
    name : str
        the declared model in words, for the warning (e.g. ``"F3, rotterdam-wijkprofiel"``)
    **options
        the declared call's other arguments (the formula's names resolve in the caller's namespace, as if it called
        the model itself)

    Returns
    -------
    ModelResult or dict
        ``given``, or the declared call's result
    """
    import patsy

    env = patsy.EvalEnvironment.capture(1)  # the declared formula's names resolve where it was declared: the caller
    if given is not None:
        first = next(iter(given.values())) if isinstance(given, dict) else given
        call = getattr(first, "call", None)
        why = (
            call.differences(model, formula, data, **options)
            if call is not None
            else ["a result no model of the package fitted"]
        )
        if not why:
            return given
        warnings.warn(
            PageFitWarning(
                f"{name}: the model fitted on the page is not the declared one ({'; '.join(why)}): the declared one is "
                "fitted and recorded",
                model=name,
                differences=why,
            ),
            stacklevel=3,
        )
    return model(formula, data, eval_env=env, **options)


def declared_table(given, declared, *, name: str):
    """The declared computation's table (``declared``); a ``given`` one (computed on the page) must equal it.

    For what is cheap to compute again (e.g. the yearly contrasts of a published table): the declared one is always
    what is recorded, and a page's table that differs is said with a ``PageFitWarning``.

    Parameters
    ----------
    given : DataFrame or None
        the page's table
    declared : DataFrame
        the declared computation's table
    name : str
        the declared computation in words, for the warning

    Returns
    -------
    DataFrame
        ``declared``
    """
    if given is not None and not (given.shape == declared.shape and given.equals(declared)):
        why = ["other rows or values than the declared computation's"]
        warnings.warn(
            PageFitWarning(
                f"{name}: the table computed on the page is not the declared one ({why[0]}): the declared one is "
                "recorded",
                model=name,
                differences=why,
            ),
            stacklevel=3,
        )
    return declared
