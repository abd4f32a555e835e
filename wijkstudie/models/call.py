"""What a model was called with: the model function, its formula, its other arguments and the table it was given.

Every formula model of the package records its call on its result (``ModelResult.call``), so whoever declares a
model can tell whether a result fitted elsewhere is that model: ``Call.differences`` lists what differs from the call
it would make (another model, formula or option, other rows or values in the columns the model reads). The study uses
it to keep a model a notebook fitted on its page only when it is the declared one.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import pandas as pd

from .result import formula_columns

_SKIPPED = ("eval_env",)  # where the formula's names resolve: not an option of the model


@dataclass(frozen=True)
class Call:
    """One call of a model function.

    Attributes
    ----------
    function : str
        the model's name, e.g. ``"area_regression"``
    formula : str
        the formula given
    options : dict
        every other argument but the table, with the function's defaults filled in
    data : DataFrame
        the table given (held, not copied)
    """

    function: str
    formula: str
    options: dict
    data: object = field(repr=False, compare=False)

    @classmethod
    def of(cls, model, args: tuple, kwargs: dict) -> Call:
        """The call of ``model`` with these arguments (its first two parameters are the formula and the table).

        Parameters
        ----------
        model : callable
            the model function (undecorated)
        args, kwargs : tuple, dict
            as it was called

        Returns
        -------
        Call
        """
        bound = inspect.signature(model).bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        formula_name, data_name = list(arguments)[:2]
        formula, data = arguments.pop(formula_name), arguments.pop(data_name)
        for name in _SKIPPED:
            arguments.pop(name, None)
        return cls(model.__name__, formula, arguments, data)

    def differences(self, model, formula: str, data, **options) -> list[str]:
        """What differs between this call and ``model(formula, data, **options)``; empty when it is that call.

        Parameters
        ----------
        model : callable
            the model function the other call would use (``wijkstudie.models.area_regression``, ...)
        formula : str
            its formula
        data : DataFrame
            its table
        **options
            its other arguments (the function's defaults fill the rest)

        Returns
        -------
        list of str
            e.g. ``["cluster None, not 'region_code'", "other rows (118, not 120)"]``
        """
        other = Call.of(inspect.unwrap(model), (formula, data), options)
        if other.function != self.function:
            return [f"{self.function}, not {other.function}"]
        out = [] if other.formula == self.formula else [f"the formula {self.formula!r}, not {other.formula!r}"]
        for name in sorted(set(self.options) | set(other.options)):
            mine, theirs = self.options.get(name), other.options.get(name)
            if mine is not theirs and not _equal(mine, theirs):
                out.append(f"{name} {mine!r}, not {theirs!r}")
        return out + _data_differences(self.data, other.data, self.formula, self.options)


def _equal(a, b) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # arrays, tables: compared as objects only
        return False


def _data_differences(mine, theirs, formula: str, options: dict) -> list[str]:
    """Other rows, or other values in the columns the model reads (the formula's, the options naming columns)."""
    if len(mine) != len(theirs) or not mine.index.equals(theirs.index):
        return [f"other rows ({len(mine)}, not {len(theirs)})"]
    read = formula_columns(formula, mine) + [v for v in options.values() if isinstance(v, str) and v in mine.columns]
    geometry = getattr(getattr(mine, "geometry", None), "name", None)  # a GeoDataFrame's outlines, whatever their name
    if geometry in mine.columns:
        read.append(geometry)  # spatial models read the areas' outlines (their neighbours)
    read = list(dict.fromkeys(read))
    missing = [c for c in read if c not in theirs.columns]
    if missing:
        return [f"columns the other table lacks: {', '.join(map(str, missing))}"]
    changed = [c for c in read if not pd.Series(mine[c]).equals(pd.Series(theirs[c]))]
    return [f"other values in {', '.join(map(str, changed))}"] if changed else []
