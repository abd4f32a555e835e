"""The variable dictionary (``variables.yaml``): canonical names, labels, units and source columns."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
import yaml

from .errors import WijkstudieError
from .paths import PACKAGE_DIR

VARIABLES_FILE = PACKAGE_DIR / "variables.yaml"


@dataclass(frozen=True)
class SourceColumn:
    """Where a canonical variable comes from in one source and year: column(s) summed, times scale."""

    columns: tuple[str, ...]
    scale: float = 1.0


@lru_cache(maxsize=1)
def _dictionary() -> dict:
    with open(VARIABLES_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def variables() -> dict[str, dict]:
    return _dictionary()["variables"]


def identifiers() -> dict[str, dict]:
    return _dictionary()["identifiers"]


def variable_table() -> pd.DataFrame:
    """The dictionary as a table: one row per canonical name (identifiers first)."""
    rows = []
    for kind, entries in (("identifier", identifiers()), ("variable", variables())):
        for name, v in entries.items():
            rows.append({
                "name": name, "kind": kind, "label_en": v.get("label_en"), "label_nl": v.get("label_nl"),
                "unit": v.get("unit"), "sources": ", ".join(v.get("sources", {})),
                "derived": "yes" if "derived" in v else "", "description_en": v.get("description_en", ""),
            })
    return pd.DataFrame(rows).set_index("name")


def label(name: str, language: str | None = None, with_unit: bool = False) -> str:
    """The label of a canonical name in English (``en``) or Dutch (``nl``), e.g. for axis titles.
    Without ``language``: the session default ($WIJKSTUDIE_LANGUAGE, English unless set)."""
    if language is None:
        from .paths import language as default_language

        language = default_language()
    if language not in ("en", "nl"):
        raise WijkstudieError(f"unknown language {language!r}; use 'en' or 'nl'")
    entry = variables().get(name) or identifiers().get(name)
    if entry is None:
        raise WijkstudieError(f"unknown variable {name!r}; see wijkstudie.variable_table()")
    text = entry[f"label_{language}"]
    unit = entry.get("unit")
    return f"{text} ({unit})" if with_unit and unit else text


def source_columns(source: str, year: int) -> dict[str, SourceColumn]:
    """Canonical name -> source column(s) for one source key and year."""
    mapping = {}
    for name, entry in variables().items():
        per_year = entry.get("sources", {}).get(source)
        if not per_year:
            continue
        spec = per_year.get(year, per_year.get(str(year), per_year.get("*")))
        if spec is None:
            continue
        if isinstance(spec, dict):
            cols = spec["column"]
            scale = float(spec.get("scale", 1))
        else:
            cols, scale = spec, 1.0
        cols = tuple(cols) if isinstance(cols, list) else (str(cols),)
        mapping[name] = SourceColumn(cols, scale)
    return mapping


def derive(frame: pd.DataFrame) -> list[str]:
    """Add derived percentages (in place) where the inputs exist and the source gave no direct figure.

    Returns the names that were derived.
    """
    done = []
    for name, entry in variables().items():
        rule = entry.get("derived")
        if not rule or (name in frame and frame[name].notna().any()):
            continue
        parts = [p for p in rule["numerator"] if p in frame]
        denominator = rule["denominator"]
        if not parts or denominator not in frame:
            continue
        numerator = frame[parts].sum(axis=1, min_count=len(parts))
        den = frame[denominator].where(frame[denominator] > 0)
        frame[name] = (100.0 * numerator / den).astype("float64")
        done.append(name)
    return done


def canonical_order(columns) -> list[str]:
    """Identifiers first, then variables in dictionary order, then anything else as given."""
    order = list(identifiers()) + list(variables())
    known = [c for c in order if c in columns]
    return known + [c for c in columns if c not in known]
