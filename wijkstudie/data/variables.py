"""The variable dictionary (``variables.yaml``).

Canonical names, labels, units, source columns and how each variable is aggregated when areas merge or split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..core.errors import ArgumentError, DataFormatError
from ..core.yamlfile import load_yaml

VARIABLES_FILE = Path(__file__).resolve().parent / "variables.yaml"
COUNT_UNITS = ("persons", "households", "dwellings", "hectare")  # summed when areas merge
WHOLE_UNITS = ("persons", "households", "dwellings")  # counted in whole numbers


@dataclass(frozen=True)
class SourceColumn:
    """Where a canonical variable comes from in one source and year.

    Alternatives (the first the file has wins), each a tuple of column names or ``Name_*`` patterns that are summed,
    times ``scale``.
    """

    alternatives: tuple[tuple[str, ...], ...]
    scale: float = 1.0

    @property
    def columns(self) -> tuple[str, ...]:
        """The source columns of the first alternative."""
        return self.alternatives[0]

    def describe(self) -> str:
        """The alternatives in words: ``"a_inw or AantalInwoners_5"``.

        Returns
        -------
        str
        """
        return " or ".join(" + ".join(alt) for alt in self.alternatives)


@lru_cache(maxsize=1)
def _dictionary() -> dict:
    with open(VARIABLES_FILE, encoding="utf-8") as fh:
        return load_yaml(fh)


def variables() -> dict[str, dict]:
    """The variables of the dictionary (``variables.yaml``).

    Returns
    -------
    dict
        name -> entry (labels, unit, sources, aggregation, derivation)
    """
    return _dictionary()["variables"]


def identifiers() -> dict[str, dict]:
    """The identifier columns of the dictionary (``region_code``, ``level``, ...).

    Returns
    -------
    dict
        name -> entry
    """
    return _dictionary()["identifiers"]


def study_variables() -> dict[str, dict]:
    """Columns the study builds from loaded variables (``study_variables`` in variables.yaml).

    Returns
    -------
    dict
        column name -> how it is built
    """
    return _dictionary()["study_variables"]


def concepts() -> dict[str, str]:
    """The concepts variables measure (``concepts`` in variables.yaml): name -> description.

    Returns
    -------
    dict
        concept name -> description
    """
    return _dictionary()["concepts"]


def variable_table() -> pd.DataFrame:
    """The variable dictionary as a table: one row per canonical name, identifiers first.

    Returns
    -------
    DataFrame
        indexed by name: ``kind`` (identifier or variable), ``label_en``, ``label_nl``, ``unit``, ``sources`` (the
        datasets that have it), ``derived``, ``aggregate`` (how it moves between divisions) and ``description_en``

    Examples
    --------
    >>> import wijkstudie as ws
    >>> ws.variable_table().loc["pct_volunteering", "label_en"]
    'Does volunteer work'
    """
    rows = []
    for kind, entries in (("identifier", identifiers()), ("variable", variables())):
        for name, v in entries.items():
            how, weight = aggregation(name) if kind == "variable" else ("", None)
            rows.append(
                {
                    "name": name,
                    "kind": kind,
                    "label_en": v.get("label_en"),
                    "label_nl": v.get("label_nl"),
                    "unit": v.get("unit"),
                    "sources": ", ".join(v.get("sources", {})),
                    "derived": "yes" if "derived" in v else "",
                    "aggregate": f"{how} (weight: {weight})" if weight else how,
                    "description_en": v.get("description_en", ""),
                }
            )
    return pd.DataFrame(rows).set_index("name")


def label(name: str, language: str | None = None, with_unit: bool = False) -> str:
    """The label of a canonical name in English or Dutch, e.g. for axis titles.

    Parameters
    ----------
    name : str
        a canonical variable or identifier name (``wijkstudie.variable_table()``), or a study variable
    language : str, optional
        ``"en"`` or ``"nl"``; without it the setting ``language`` (``WIJKSTUDIE_LANGUAGE``, English unless set)
    with_unit : bool
        add the unit in brackets

    Returns
    -------
    str
        the label

    Raises
    ------
    ArgumentError
        for an unknown name or language.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> ws.label("pct_volunteering", language="nl")
    'Doet vrijwilligerswerk'
    """
    if language is None:
        from ..core.settings import settings

        language = settings.language
    if language not in ("en", "nl"):
        raise ArgumentError(f"unknown language {language!r}; use 'en' or 'nl'")
    entry = variables().get(name) or identifiers().get(name) or study_variables().get(name)
    if entry is None:
        raise ArgumentError(f"unknown variable {name!r}; see wijkstudie.variable_table()")
    text = entry[f"label_{language}"]
    unit = entry.get("unit")
    return f"{text} ({unit})" if with_unit and unit else text


def aggregation(name: str) -> tuple[str, str | None]:
    """How a variable moves when areas merge or split.

    Parameters
    ----------
    name : str
        a variable

    Returns
    -------
    tuple
        ``("sum", None)`` for counts, ``("mean", weight)`` for shares, means and rates (weighted by the variable
        ``weight``, population unless the dictionary says)

    Raises
    ------
    ArgumentError
        for an unknown variable; ``DataFormatError`` for a dictionary entry with another rule.
    """
    entry = variables().get(name)
    if entry is None:
        raise ArgumentError(f"unknown variable {name!r}; see wijkstudie.variable_table()")
    how = entry.get("aggregate") or ("sum" if entry.get("unit") in COUNT_UNITS else "mean")
    if how not in ("sum", "mean"):
        raise DataFormatError(f"variables.yaml: {name}: aggregate must be 'sum' or 'mean', not {how!r}")
    return (how, None) if how == "sum" else (how, entry.get("weight", "population"))


def number_kind(name: str) -> str:
    """How a variable's cells are parsed.

    Parameters
    ----------
    name : str
        a variable

    Returns
    -------
    str
        ``"count"`` for a variable counted in whole numbers (persons, households, dwellings), else ``"number"``
    """
    return "count" if variables().get(name, {}).get("unit") in WHOLE_UNITS else "number"


def range_of(name: str) -> tuple[float, float] | None:
    """The values a variable can take.

    Parameters
    ----------
    name : str
        a variable

    Returns
    -------
    tuple or None
        ``(0, 100)`` for percentages, ``(0, inf)`` for counts; None if unbounded
    """
    unit = variables().get(name, {}).get("unit")
    if unit == "%":
        return (0.0, 100.0)
    if unit in COUNT_UNITS:
        return (0.0, float("inf"))
    return None


def _spec(spec) -> SourceColumn:
    scale = 1.0
    if isinstance(spec, dict) and "any_of" in spec:
        parts = [_spec(s) for s in spec["any_of"]]
        return SourceColumn(tuple(a for p in parts for a in p.alternatives), parts[0].scale)
    if isinstance(spec, dict):
        cols = spec["column"]
        scale = float(spec.get("scale", 1))
    else:
        cols = spec
    cols = tuple(map(str, cols)) if isinstance(cols, list) else (str(cols),)
    return SourceColumn((cols,), scale)


def source_columns(source: str, year: int | None) -> dict[str, SourceColumn]:
    """Canonical name -> source column spec for one source key and year (a year of its own wins over ``*``).

    Parameters
    ----------
    source : str
        a source key of the dictionary
    year : int or None
        the year

    Returns
    -------
    dict
        name -> SourceColumn
    """
    mapping = {}
    for name, entry in variables().items():
        per_year = entry.get("sources", {}).get(source)
        if not per_year:
            continue
        spec = per_year.get(year, per_year.get(str(year), per_year.get("*"))) if year is not None else per_year.get("*")
        if spec is not None:
            mapping[name] = _spec(spec)
    return mapping


@lru_cache(maxsize=512)
def _pattern(name: str) -> re.Pattern:
    return re.compile("^" + re.escape(name).replace(r"\*", r"\d+") + "$")


def find_column(name: str, columns) -> tuple[str | None, list[str]]:
    """The column for a name or a ``Name_*`` pattern.

    Parameters
    ----------
    name : str
        a column name, ``*`` standing for a number
    columns : iterable of str
        the file's columns

    Returns
    -------
    tuple
        ``(the first match or None, every match)``
    """
    if "*" not in name:
        return (name, [name]) if name in columns else (None, [])
    pattern = _pattern(name)
    matches = [c for c in columns if pattern.match(str(c))]
    return (matches[0] if matches else None), matches


def resolve(spec: SourceColumn, columns) -> tuple[tuple[str, ...] | None, list[str]]:
    """The file's columns for a source column spec, and notes about names that matched more than once.

    Parameters
    ----------
    spec : SourceColumn
        the alternatives the dictionary names
    columns : iterable of str
        the file's columns

    Returns
    -------
    tuple
        ``(columns or None when the file has none of the alternatives, notes)``
    """
    for alternative in spec.alternatives:
        found, notes = [], []
        for name in alternative:
            column, matches = find_column(name, columns)
            if column is None:
                break
            found.append(column)
            if len(matches) > 1:
                notes.append(f"{name} matches {', '.join(matches)}; took {column}")
        else:
            return tuple(found), notes
    return None, []


def derived_rule(name: str) -> dict | None:
    """How the dictionary derives a variable from others.

    Parameters
    ----------
    name : str
        a variable

    Returns
    -------
    dict or None
        ``numerator``, ``denominator`` and ``factor``; None for a variable that is not derived
    """
    return variables().get(name, {}).get("derived")


def derive(frame: pd.DataFrame, overwrite=()) -> list[str]:
    """Add derived variables.

    (in place) where the inputs exist and the source gave no direct figure (or the name is in ``overwrite``).

    Parameters
    ----------
    frame : DataFrame
        a canonical table
    overwrite : iterable of str
        variables to derive again even where the table has them

    Returns
    -------
    list of str
        the names that were derived
    """
    done = []
    for name, entry in variables().items():
        rule = entry.get("derived")
        if not rule or (name in frame and frame[name].notna().any() and name not in overwrite):
            continue
        parts = [p for p in rule["numerator"] if p in frame]
        denominator = rule["denominator"]
        if not parts or denominator not in frame or not frame[denominator].notna().any():
            continue
        numerator = frame[parts].sum(axis=1, min_count=len(parts))
        den = frame[denominator].where(frame[denominator] > 0)
        frame[name] = (float(rule.get("factor", 100)) * numerator / den).astype("float64")
        done.append(name)
    return done


def derivation_text(name: str, frame_columns) -> str:
    """A derivation in words: ``"derived: 100 * n_age_65_plus / population"``.

    Parameters
    ----------
    name : str
        a derived variable
    frame_columns : iterable of str
        the columns the table has (parts it lacks are left out)

    Returns
    -------
    str
    """
    rule = variables()[name]["derived"]
    factor = rule.get("factor", 100)
    return (
        f"derived: {factor:g} * "
        + " + ".join(p for p in rule["numerator"] if p in frame_columns)
        + f" / {rule['denominator']}"
    )


def canonical_order(columns) -> list[str]:
    """Columns in canonical order: identifiers first, then variables in dictionary order, then anything else as given.

    Parameters
    ----------
    columns : iterable of str

    Returns
    -------
    list of str
    """
    order = list(identifiers()) + list(variables())
    known = [c for c in order if c in columns]
    return known + [c for c in columns if c not in known]
