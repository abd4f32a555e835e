"""The dataset catalogue (``catalogue.yaml``) as Python objects, with forgiving name matching."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from .errors import WijkstudieError
from .paths import PACKAGE_DIR

CATALOGUE_FILE = PACKAGE_DIR / "catalogue.yaml"


@dataclass(frozen=True)
class Resource:
    dataset: str
    year: int
    format: str
    file: str
    mirror: str | None
    source: dict
    sha256: str | None
    variant: str | None = None
    division: int | None = None

    @property
    def access(self) -> str:
        """How the publisher provides the file: ``odata``, ``url``, ``wfs`` or ``manual``."""
        for kind in ("odata", "url", "wfs", "manual"):
            if kind in self.source:
                return kind
        raise WijkstudieError(f"{self.dataset} {self.year}: catalogue entry has no source")

    @property
    def label(self) -> str:
        return f"{self.dataset} {self.year}" + (f" ({self.variant})" if self.variant else "")


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    publisher: str
    licence: str
    attribution: str
    levels: tuple
    homepage: str
    resources: tuple = field(default_factory=tuple)
    title_en: str = ""
    notes: str = ""

    @property
    def years(self) -> list[int]:
        return sorted({r.year for r in self.resources})

    @property
    def variants(self) -> list[str]:
        return sorted({r.variant for r in self.resources if r.variant})

    def resource(self, year: int | None = None, variant: str | None = None) -> Resource:
        """The resource for a year (default: the latest) and variant (default: the first listed)."""
        candidates = list(self.resources)
        if year is not None:
            candidates = [r for r in candidates if r.year == int(year)]
            if not candidates:
                raise WijkstudieError(
                    f"{self.name}: no year {year}; available: {', '.join(map(str, self.years))}"
                )
        else:
            latest = max(r.year for r in candidates)
            candidates = [r for r in candidates if r.year == latest] if variant is None else candidates
        if variant is not None:
            wanted = _normalise(str(variant))
            matching = [r for r in candidates if r.variant and _normalise(r.variant) == wanted]
            if not matching:
                options = sorted({r.variant for r in candidates if r.variant}) or ["none"]
                raise WijkstudieError(
                    f"{self.name}: no variant {variant!r}"
                    + (f" for {year}" if year is not None else "")
                    + f"; available: {', '.join(options)}"
                )
            candidates = matching
            if year is None:
                latest = max(r.year for r in candidates)
                candidates = [r for r in candidates if r.year == latest]
        return candidates[0]


def _normalise(name: str) -> str:
    """Case, spaces, dashes and underscores do not matter in names: 'RIVM Gezondheid' == 'rivm_gezondheid'."""
    return re.sub(r"[\s_\-]+", "-", name.strip().lower())


@lru_cache(maxsize=1)
def _catalogue(path: Path = CATALOGUE_FILE) -> dict[str, Dataset]:
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    datasets = {}
    for name, entry in raw["datasets"].items():
        resources = tuple(
            Resource(
                dataset=name,
                year=int(r["year"]),
                format=r["format"],
                file=r["file"],
                mirror=r.get("mirror"),
                source=dict(r["source"]),
                sha256=r.get("sha256"),
                variant=r.get("variant"),
                division=r.get("division"),
            )
            for r in entry["resources"]
        )
        datasets[name] = Dataset(
            name=name,
            title=entry["title"],
            title_en=entry.get("title_en", ""),
            publisher=entry["publisher"],
            licence=entry["licence"],
            attribution=entry["attribution"],
            levels=tuple(entry.get("levels", ())),
            homepage=entry.get("homepage", ""),
            notes=" ".join(str(entry.get("notes", "")).split()),
            resources=resources,
        )
    return datasets


def datasets() -> dict[str, Dataset]:
    return _catalogue()


def get_dataset(name: str) -> Dataset:
    wanted = _normalise(name)
    for key, dataset in datasets().items():
        if _normalise(key) == wanted:
            return dataset
    raise WijkstudieError(f"unknown dataset {name!r}; available: {', '.join(datasets())}")


def list_datasets() -> pd.DataFrame:
    """One row per dataset: name, title, publisher, licence, years, levels, variants."""
    rows = [
        {
            "name": d.name,
            "title": d.title,
            "publisher": d.publisher,
            "licence": d.licence,
            "years": ", ".join(map(str, d.years)),
            "levels": ", ".join(d.levels),
            "variants": ", ".join(d.variants),
        }
        for d in datasets().values()
    ]
    return pd.DataFrame(rows).set_index("name")


def describe(name: str) -> str:
    """A readable description of one dataset: what it is, who publishes it, years, and where files come from."""
    d = get_dataset(name)
    lines = [
        f"{d.name}: {d.title}" + (f" ({d.title_en})" if d.title_en else ""),
        f"  publisher:   {d.publisher}",
        f"  licence:     {d.licence}",
        f"  attribution: {d.attribution}",
        f"  levels:      {', '.join(d.levels) or '-'}",
        f"  homepage:    {d.homepage}",
    ]
    if d.notes:
        lines.append(f"  notes:       {d.notes}")
    lines.append("  resources:")
    for r in d.resources:
        where = {"odata": lambda s: f"CBS open data table {s['odata']}" + (f" ({s['catalog']})" if s.get("catalog") else ""),
                 "url": lambda s: s["url"], "wfs": lambda s: f"{s['wfs']} (WFS layer {s['typeName']})",
                 "manual": lambda s: f"manual download: {s['manual']}"}[r.access](r.source)
        lines.append(
            f"    {r.year}" + (f" {r.variant}" if r.variant else "") + f" [{r.format}]"
            + (f" division {r.division}" if r.division else "") + f": {where}"
        )
    return "\n".join(lines)
