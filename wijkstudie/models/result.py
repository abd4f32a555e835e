"""A tidy model result: one row per term with estimate, 95 % CI, p-value and standardised estimate."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..errors import WijkstudieError


@dataclass
class ModelResult:
    model: str
    formula: str
    table: pd.DataFrame  # index: term; columns: estimate, std_error, ci_low, ci_high, p_value, std_estimate
    n: int
    r2: float | None = None
    source: str = ""
    level: str = ""
    year: str = ""
    data_kind: str = "real"
    extra: dict = field(default_factory=dict)
    fit: object = field(default=None, repr=False)

    def term(self, name: str) -> pd.Series:
        if name not in self.table.index:
            raise WijkstudieError(f"{self.model}: no term {name!r}; terms: {', '.join(self.table.index)}")
        return self.table.loc[name]

    def tidy(self) -> pd.DataFrame:
        """The table with the model's context on every row (for stacking results of several models)."""
        out = self.table.reset_index().rename(columns={"index": "term"})
        for key in ("model", "n", "r2", "source", "level", "year", "data_kind"):
            out[key] = getattr(self, key)
        return out

    def __str__(self) -> str:
        head = (f"{self.model}: {self.formula}  (n = {self.n}" + (f", R² = {self.r2:.3f}" if self.r2 is not None else "")
                + f"; {self.data_kind} data: {self.source} {self.level} {self.year})")
        return head + "\n" + self.table.round(4).to_string()


def context_of(data: pd.DataFrame, used: pd.DataFrame | None = None) -> dict:
    """source / level / year of a loaded table (from its load report, or a join of several); levels and years
    are those of the rows a model ``used``."""
    from ..join import sources_of

    source = ", ".join(f"{name} {year}" for name, year in sources_of(data))
    used = data if used is None else used
    levels = sorted(set(used["level"].dropna())) if "level" in used else []
    year_column = "year" if "year" in used else "survey_year" if "survey_year" in used else None
    years = sorted({int(y) for y in used[year_column].dropna()}) if year_column else []
    return {"source": source,
            "level": ", ".join(levels),
            "year": "–".join(map(str, [years[0], years[-1]])) if len(years) > 1 else (str(years[0]) if years else ""),
            "data_kind": "synthetic" if data.attrs.get("data_kind") == "synthetic"
            or any(str(name).startswith("synthetic") for name, _ in sources_of(data)) else "real"}


def stack(results: dict, term: str) -> pd.DataFrame:
    """One row per model (keyed like ``results``) for one term: estimate, CI, standardised estimate, n, R²."""
    rows = []
    for key, result in results.items():
        row = result.term(term)
        rows.append({"model": key, "estimate": row["estimate"], "ci_low": row["ci_low"], "ci_high": row["ci_high"],
                     "p_value": row["p_value"], "std_estimate": row["std_estimate"], "n": result.n, "r2": result.r2})
    return pd.DataFrame(rows).set_index("model")
