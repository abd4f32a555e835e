"""The dataset catalogue (``catalogue.yaml``) as Python objects, with forgiving name matching.

A resource written once with ``each_year`` in the YAML becomes one ``Resource`` per year here; the crosswalk
dataset (``grenswijzigen``) describes its matrices by a name pattern and becomes one resource per matrix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..core.columns import did_you_mean
from ..core.errors import ArgumentError, ArgumentTypeError, DataFormatError
from ..core.yamlfile import load_yaml

CATALOGUE_FILE = Path(__file__).resolve().parent / "catalogue.yaml"
# the keyword arguments of ``load`` and ``fetch`` that choose among a dataset's files; a resource of catalogue.yaml
# writes its choice under one of these names (every resource of a dataset under the same one)
PARAMETERS = ("age_group", "source_format", "sheet", "part", "level", "table")
RESOURCE_FIELDS = (
    "year",
    *PARAMETERS,
    "edition",
    "format",
    "division",
    "file",
    "mirror",
    "mirror_note",
    "mirror_is",
    "signature",
    "source",
    "sha256",
)
INTERCHANGEABLE = {"source_format"}  # files that hold the same figures in another format: tried in turn
LATEST_AVAILABLE = "latest-available"  # year= for the latest year that can be had here


@dataclass(frozen=True)
class Resource:
    """One downloadable file of a dataset.

    Its year, its choice among the year's files (the value of the dataset's ``parameter``, e.g. ``age_group`` 18+),
    reader format, regional division, file names (cache and mirror) and where the publisher has it (see catalogue.yaml).
    """

    dataset: str
    year: int
    format: str
    file: str
    mirror: str | None
    source: dict
    sha256: str | None
    choice: str | None = None  # the value of ``parameter`` for this file ("18+"; a crosswalk's matrix)
    parameter: str | None = None  # the keyword argument of load and fetch that chooses it (age_group, ...)
    division: int | None = None
    mirror_note: str = ""
    mirror_is: str = ""  # what the mirror's file is in a few words, when it is not a release of the publisher's
    signature: tuple = ()
    edition: int | None = None  # the year of the publisher's edition, for a dataset re-issued with earlier years in it
    params: dict = field(default_factory=dict, compare=False)  # template values, e.g. a crosswalk's level
    # the resource in words: ``"rivm-gezondheid 2020 (18+)"``, ``"rotterdam-wijkprofiel 2014 (wijkprofiel, edition
    # 2016)"``; written once when the record is made, read by every message about the file
    label: str = field(init=False, compare=False, repr=False)

    def __post_init__(self):
        choice = ", ".join([self.choice] * bool(self.choice) + [f"edition {self.edition}"] * bool(self.edition))
        object.__setattr__(self, "label", f"{self.dataset} {self.year}" + (f" ({choice})" if choice else ""))

    @property
    def access(self) -> str:
        """How the publisher provides the file: ``odata``, ``url``, ``wfs`` or ``manual``."""
        for kind in ("odata", "url", "wfs", "manual"):
            if kind in self.source:
                return kind
        raise DataFormatError(f"{self.dataset} {self.year}: catalogue entry has no source")

    def where(self) -> str:
        """Where the publisher has the file, in words.

        Returns
        -------
        str
            an OData table, a URL, a WFS layer or the words of a manual download
        """
        s = self.source
        return {
            "odata": lambda: f"CBS open data table {s['odata']}" + (f" ({s['catalog']})" if s.get("catalog") else ""),
            "url": lambda: s["url"],
            "wfs": lambda: f"{s['wfs']} (WFS layer {s['typeName']})",
            "manual": lambda: f"manual download: {s['manual']}",
        }[self.access]()


@dataclass(frozen=True)
class Dataset:
    """One dataset of the catalogue.

    Its description, licence and attribution, levels, resources, how it measured its figures, and the keyword argument
    of ``load`` that chooses among a year's files (``parameter``).
    """

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
    mirror_folder: str = ""
    measurement: dict = field(default_factory=dict, compare=False)  # how its figures were measured (evidence.py)
    # the entry of ``measurement_models`` its measurement names (empty when it names none): read with the entry
    model: dict = field(default_factory=dict, compare=False)
    parameter: str | None = None  # the keyword of load/fetch that chooses among a year's files (age_group, ...)
    use_instead: str = ""  # for a dataset not read with load: what to call instead

    @property
    def years(self) -> list[int]:
        """The years of its resources, in order."""
        return sorted({r.year for r in self.resources})

    @property
    def editions(self) -> list[int]:
        """The years of the publisher's editions, newest first (empty for a dataset published once per year)."""
        return sorted({r.edition for r in self.resources if r.edition}, reverse=True)

    @property
    def choices(self) -> list[str]:
        """The values of its ``parameter``, in catalogue order."""
        return list(dict.fromkeys(r.choice for r in self.resources if r.choice))

    def chosen(self, named: dict, *, caller: str = "load", level_filters: bool = True):
        """The file a call asks for.

        The value of the dataset's named parameter (``age_group=``, ``source_format=``, ``sheet=``, ``part=``,
        ``table=``; ``level=`` for a dataset with one file per level).

        Parameters
        ----------
        named : dict
            the named parameters of the call, ``{"age_group": "18+", "sheet": None, ...}``
        caller : str
            ``"load"`` or ``"fetch"``, for the messages
        level_filters : bool
            whether ``level=`` also means something for a dataset whose files are not one per level (``load``
            keeps the rows of that level; ``fetch`` has no rows to keep)

        Returns
        -------
        str or None
            the choice, or None when the call leaves it open (then the year's files are tried in catalogue order)

        Raises
        ------
        ArgumentError
            for a parameter this dataset does not take, or a dataset not read with ``load``.
        """
        param = self.parameter
        for key, value in named.items():
            if value is None or key == param or (key == "level" and level_filters):
                continue
            raise ArgumentError(f"{self.name}: {caller} takes no {key}=" + self._choice_hint())
        chosen = named.get(param) if param else None
        if chosen is None and self.use_instead:
            raise ArgumentError(f"{self.name}: not read with {caller}(); use {self.use_instead}")
        return chosen

    def _choice_hint(self) -> str:
        if self.parameter:
            return f" (its files differ by {self.parameter}: {', '.join(self.choices)})"
        if self.use_instead:
            return f" (use {self.use_instead})"
        return " (it has one file per year)"

    def candidates(
        self, year: int | None = None, choice: str | None = None, edition: int | None = None
    ) -> list[Resource]:
        """The resources that answer a request, in the order to try them.

        Parameters
        ----------
        year : int, optional
            one year (default: every year, the latest first)
        choice : str, optional
            one value of the dataset's ``parameter`` (default: every file of the year, in catalogue order)
        edition : int, optional
            one edition of a re-issued dataset (default: every edition, the newest first within a year)

        Returns
        -------
        list of Resource

        Raises
        ------
        ArgumentError
            for a year or choice the dataset does not have (the message lists the ones it has);
            ``ArgumentTypeError`` for a year that is not a whole number.
        """
        candidates = list(self.resources)
        if year is not None:
            try:
                year = int(year)
            except (TypeError, ValueError):
                raise ArgumentTypeError(f"{self.name}: year must be a whole number, not {year!r}") from None
            candidates = [r for r in candidates if r.year == year]
            if not candidates:
                raise ArgumentError(f"{self.name}: no year {year}; available: {_years_text(self.years)}")
        if choice is not None:
            wanted = _normalise(str(choice))
            matching = [r for r in candidates if r.choice and _normalise(r.choice) == wanted]
            if not matching:
                options = list(dict.fromkeys(r.choice for r in candidates if r.choice)) or ["none"]
                shown = options if len(options) <= 12 else options[:12] + [f"... ({len(options)} in all)"]
                hint = did_you_mean(choice, options)
                raise ArgumentError(
                    f"{self.name}: no {self.parameter or 'file'} {choice!r}"
                    + (f" for {year}" if year is not None else "")
                    + f"; available: {', '.join(shown)}"
                    + (f"; {hint}" if hint else "")
                )
            candidates = matching
        if edition is not None:
            matching = [r for r in candidates if r.edition == edition]
            if not matching:
                held = sorted({r.edition for r in candidates if r.edition}, reverse=True)
                raise ArgumentError(
                    f"{self.name}: no edition {edition!r}"
                    + (f" for {year}" if year is not None else "")
                    + f"; available: {', '.join(map(str, held)) or 'none (one edition per year: leave edition= out)'}"
                )
            candidates = matching
        # stable: catalogue order within a year and edition, the newest edition first
        return sorted(candidates, key=lambda r: (-r.year, -(r.edition or 0)))

    def to_try(self, year, choice: str | None = None, edition: int | None = None) -> tuple[Resource, ...]:
        """The resources a call of ``load`` or ``fetch`` tries, in order.

        Those of the year asked for; without a year those of the latest year the catalogue lists (for the choice, if
        given); for ``"latest-available"`` every year, the latest first.

        Without a choice, only a year's first file in catalogue order is tried when its files hold different
        figures (RIVM's age groups, a Rotterdam sheet, a Leefbaarometer level): the same call gives the same
        population on every machine, never 65+ figures because the 18+ file is missing here. Formats of the same
        figures (KWB workbook or open-data table) are all tried. Without an edition only a year's newest edition is
        tried (never the older edition because the newer file is missing here: they differ in some items).

        Parameters
        ----------
        year : int, None or "latest-available"
            the year as asked
        choice : str, optional
            the value of the dataset's named parameter
        edition : int, optional
            the edition

        Returns
        -------
        tuple of Resource
        """
        if year == LATEST_AVAILABLE:
            candidates = self.candidates(None, choice, edition)
        else:
            candidates = self.candidates(year, choice, edition)
            if year is None:
                latest = max(r.year for r in candidates)
                candidates = [r for r in candidates if r.year == latest]
        if choice is None and self.parameter not in INTERCHANGEABLE:
            first = {}
            for r in candidates:
                first.setdefault(r.year, r.choice)
            candidates = [r for r in candidates if r.choice == first[r.year]]
        if edition is None:
            newest = {}
            for r in candidates:
                newest.setdefault((r.year, r.choice), r.edition)
            candidates = [r for r in candidates if r.edition == newest[(r.year, r.choice)]]
        return tuple(candidates)

    def check_level(self, level) -> None:
        """Refuse a level the dataset does not have, in one line listing the ones it has.

        Parameters
        ----------
        level : str or None
            the ``level=`` of a call of ``load``

        Returns
        -------
        None

        Raises
        ------
        ArgumentError
            for a level that is not one of the dataset's.
        """
        if level is not None and level not in self.levels:  # a dataset's levels are among reports.LEVELS
            hint = did_you_mean(level, self.levels) if isinstance(level, str) else ""
            raise ArgumentError(
                f"{self.name}: no level {level!r}; available: "
                f"{', '.join(self.levels) or 'none (not a table by level: leave level= out)'}"
                + (f"; {hint}" if hint else "")
            )

    def resource(self, year: int | None = None, choice: str | None = None, edition: int | None = None) -> Resource:
        """The first resource for a year and choice.

        Parameters
        ----------
        year : int, optional
            the year (default: the latest)
        choice : str, optional
            the value of the dataset's ``parameter`` (default: the first listed)
        edition : int, optional
            the edition (default: the newest)

        Returns
        -------
        Resource

        Raises
        ------
        ArgumentError
            for a year or choice the dataset does not have.
        """
        return self.candidates(year, choice, edition)[0]


@dataclass(frozen=True)
class Request:
    """What one call of ``load`` or ``fetch`` asks of the catalogue, answered in one lookup.

    The dataset's entry, the year as asked (a year, None for the catalogue's latest, or ``"latest-available"``), the
    file chosen with the dataset's named parameter, the edition, and the resources to try, in order. It travels down the
    load, so that every later step (and every message) reads the entry in hand instead of asking the catalogue again.
    """

    dataset: Dataset
    year: int | str | None
    choice: str | None
    edition: int | None
    candidates: tuple

    @property
    def asked(self) -> str:
        """The dataset as asked for, in words: ``"rivm-gezondheid (age_group=65+)"``."""
        param = self.dataset.parameter
        return self.dataset.name + (f" ({param}={self.choice})" if self.choice and param else "")


def request(
    name: str,
    year=None,
    named: dict | None = None,
    edition: int | None = None,
    *,
    level=None,
    caller: str = "load",
) -> Request:
    """Look a call of ``load`` or ``fetch`` up in the catalogue, once.

    The dataset, the file its named parameter chooses, the level checked (``load``) and the resources to try.

    Parameters
    ----------
    name : str
        a catalogue name, matched forgivingly
    year : int, None or "latest-available"
        the year (already checked to be a whole number)
    named : dict, optional
        the named parameters of the call, ``{"age_group": "18+", "sheet": None, ...}``
    edition : int, optional
        the edition
    level : str, optional
        the ``level=`` of a call of ``load`` (checked against the dataset's levels)
    caller : str
        ``"load"`` or ``"fetch"`` (``fetch`` has no rows to keep, so ``level=`` only chooses a file)

    Returns
    -------
    Request

    Raises
    ------
    ArgumentError
        for an unknown name, year, level, edition or value of the named parameter, or a parameter the dataset does
        not take (each one line listing what it has).
    """
    dataset = get_dataset(name)
    chosen = dataset.chosen(named or {}, caller=caller, level_filters=caller == "load")
    if caller == "load":
        dataset.check_level(level)
    return Request(dataset, year, chosen, edition, dataset.to_try(year, chosen, edition))


def _years_text(years: list[int]) -> str:
    if len(years) > 3 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(map(str, years))


def _normalise(name: str) -> str:
    """Case, spaces, dashes and underscores do not matter in names: 'RIVM Gezondheid' == 'rivm_gezondheid'."""
    return re.sub(r"[\s_\-]+", "-", name.strip().lower())


def _fill(value, values: dict):
    """Fill ``{key}`` placeholders in the strings of a (nested) catalogue value."""
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), value)
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value


def _make_resource(name: str, entry: dict, folder: str, params: dict | None = None) -> Resource:
    entry = {k: v for k, v in entry.items() if k in RESOURCE_FIELDS}
    keys = [k for k in PARAMETERS if entry.get(k) is not None]
    if len(keys) > 1:
        raise DataFormatError(f"catalogue.yaml: {name} {entry['year']}: a file has one choice, not {', '.join(keys)}")
    file = entry["file"]
    return Resource(
        dataset=name,
        year=int(entry["year"]),
        format=entry["format"],
        file=file,
        mirror=entry.get("mirror") or (f"{folder}/{file}" if folder else None),
        source=dict(entry["source"]),
        sha256=entry.get("sha256"),
        choice=str(entry[keys[0]]) if keys else None,
        parameter=keys[0] if keys else None,
        edition=int(entry["edition"]) if entry.get("edition") is not None else None,
        division=int(entry["division"]) if entry.get("division") is not None else None,
        mirror_note=" ".join(str(entry.get("mirror_note") or "").split()),
        mirror_is=" ".join(str(entry.get("mirror_is") or "").split()),
        signature=tuple(entry.get("signature", ())),
        params={k: v for k, v in (params or {}).items() if k not in RESOURCE_FIELDS or k in PARAMETERS},
    )


def _expand(name: str, entry: dict, folder: str) -> list[Resource]:
    if "each_year" not in entry:
        return [_make_resource(name, entry, folder)]
    out = []
    for year, values in entry["each_year"].items():
        values = {"year": int(year), **(values or {})}
        template = {k: v for k, v in entry.items() if k != "each_year"}
        filled = _fill(template, values)
        # a year's key sets the field of that name; a choice (age_group, level, ...) only where the template names
        # it ("{level}"): kwb's yearly OData ``table`` is a template value, not cbs-statline's table=
        filled.update({k: v for k, v in values.items() if k in RESOURCE_FIELDS and k not in PARAMETERS})
        out.append(_make_resource(name, filled, folder, values))
    return out


def _crosswalk_resources(name: str, spec: dict, folder: str) -> list[Resource]:
    first, last = spec["years"]
    out = []
    for level in spec["levels"]:
        for kind, rule in spec["kinds"].items():
            for source in range(first, last + 1):
                for target in range(source, last + 1):
                    if source == target and not (rule.get("same_year_from") and source >= rule["same_year_from"]):
                        continue
                    matrix = rule["name"].format(level=level, source=source, target=target)
                    choice = f"{level} {source}-{target}" + ("" if kind == "addresses" else f" {kind}")
                    out.append(
                        Resource(
                            dataset=name,
                            year=target,
                            format="grenswijzigen-matrix",
                            file=f"{matrix}.rda",
                            mirror=f"{folder}/{matrix}.rda",
                            source={"url": spec["url"].format(name=matrix)},
                            sha256=None,
                            choice=choice,
                            division=target,
                            params={"level": level, "kind": kind, "source": source, "target": target, "name": matrix},
                        )
                    )
    return out


@lru_cache(maxsize=1)
def _raw(path: Path = CATALOGUE_FILE) -> dict:
    with open(path, encoding="utf-8") as fh:
        return load_yaml(fh)  # libyaml's parser where PyYAML has it: about 35 ms less in every notebook


def measurement_models() -> dict[str, dict]:
    """The small-area models behind model-based datasets (``measurement_models`` in catalogue.yaml).

    Name, citation, what they were fitted on, the concepts they use as predictors and how an area's figure is made.

    Returns
    -------
    dict
        model name -> its description
    """
    return _raw()["measurement_models"]


@lru_cache(maxsize=1)
def _catalogue(path: Path = CATALOGUE_FILE) -> dict[str, Dataset]:
    raw = _raw(path)
    datasets = {}
    for name, entry in raw["datasets"].items():
        folder = entry.get("mirror_folder", "")
        resources = [r for item in entry.get("resources", []) for r in _expand(name, item, folder)]
        if "crosswalk" in entry:
            resources += _crosswalk_resources(name, entry["crosswalk"], folder)
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
            resources=tuple(sorted(resources, key=lambda r: r.year)),
            mirror_folder=folder,
            measurement=dict(entry.get("measurement", {})),
            model=dict(raw["measurement_models"].get(entry.get("measurement", {}).get("model"), {})),
            parameter=_parameter_of(name, resources),
            use_instead=entry.get("use_instead", ""),
        )
    return datasets


def _parameter_of(name: str, resources: list) -> str | None:
    """The keyword argument of ``load`` that chooses among a dataset's files.

    The one key its resources write their choice under (None for a dataset with one file per year).
    """
    keys = list(dict.fromkeys(r.parameter for r in resources if r.parameter))
    if len(keys) > 1:
        raise DataFormatError(f"catalogue.yaml: {name}: its files are chosen by one key, not {', '.join(keys)}")
    return keys[0] if keys else None


def datasets() -> dict[str, Dataset]:
    """Every dataset of the catalogue.

    Returns
    -------
    dict
        name -> ``Dataset``, in catalogue order
    """
    return _catalogue()


def get_dataset(name: str) -> Dataset:
    """One dataset of the catalogue, its name matched forgivingly (case, spaces, dashes and underscores).

    Parameters
    ----------
    name : str
        a catalogue name

    Returns
    -------
    Dataset

    Raises
    ------
    ArgumentError
        for an unknown name (listing the known ones); ``ArgumentTypeError`` for a name that is not a text.
    """
    if not isinstance(name, str) or not name.strip():
        raise ArgumentTypeError(
            f"a dataset name is a text such as 'kwb', not {name!r}; available: {', '.join(datasets())}"
        )
    wanted = _normalise(name)
    for key, dataset in datasets().items():
        if _normalise(key) == wanted:
            return dataset
    hint = did_you_mean(name, datasets())
    raise ArgumentError(f"unknown dataset {name!r}; available: {', '.join(datasets())}" + (f"; {hint}" if hint else ""))


def list_datasets() -> pd.DataFrame:
    """The catalogue: one row per dataset.

    Returns
    -------
    DataFrame
        indexed by name: title, publisher, licence, years, levels, ``parameter`` (the keyword argument of ``load``
        that chooses among a year's files, e.g. ``age_group=``) and its values (``choices``)

    Examples
    --------
    >>> import wijkstudie as ws
    >>> ws.list_datasets().loc["rivm-gezondheid", "parameter"]
    'age_group='
    """
    rows = []
    for d in datasets().values():
        choices = d.choices
        rows.append(
            {
                "name": d.name,
                "title": d.title,
                "publisher": d.publisher,
                "licence": d.licence,
                "years": _years_text(d.years),
                "levels": ", ".join(d.levels),
                "parameter": f"{d.parameter}="
                if d.parameter
                else (d.use_instead.split("(")[0] + "()" if d.use_instead else ""),
                "choices": ", ".join(choices) if len(choices) <= 6 else f"{len(choices)} (see describe)",
            }
        )
    return pd.DataFrame(rows).set_index("name")


def describe(name: str) -> str:
    """A readable description of one dataset.

    What it is, who publishes it under which licence, its years and levels, the parameter that chooses among its files,
    and where every file comes from.

    Parameters
    ----------
    name : str
        a catalogue name, matched forgivingly ("RIVM gezondheid")

    Returns
    -------
    str
        several lines of text

    Raises
    ------
    ArgumentError
        for an unknown name.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> print(ws.describe("kwb").splitlines()[0])
    kwb: Kerncijfers wijken en buurten (Key figures for districts and neighbourhoods)
    """
    d = get_dataset(name)
    lines = [
        f"{d.name}: {d.title}" + (f" ({d.title_en})" if d.title_en else ""),
        f"  publisher:   {d.publisher}",
        f"  licence:     {d.licence}",
        f"  attribution: {d.attribution}",
        f"  levels:      {', '.join(d.levels) or '-'}",
        f"  years:       {_years_text(d.years)}",
        f"  homepage:    {d.homepage}",
    ]
    if d.parameter:
        lines.append(
            f"  choose with: {d.parameter}= ({', '.join(d.choices)}; without it the first that "
            "can be had, in this order)"
        )
    if d.editions:
        lines.append(
            f"  editions:    {', '.join(map(str, d.editions))} (edition=; without it a year is read from its newest "
            "edition)"
        )
    if d.use_instead:
        lines.append(f"  read with:   {d.use_instead}")
    if d.notes:
        lines.append(f"  notes:       {d.notes}")
    lines.append("  resources:")
    shown = d.resources if len(d.resources) <= 60 else d.resources[:3]
    for r in shown:
        choice = f" {d.parameter}={r.choice}" if d.parameter else f" {r.choice}"
        lines.append(
            f"    {r.year}"
            + (choice if r.choice else "")
            + (f" edition={r.edition}" if r.edition else "")
            + f" [{r.format}]"
            + (f" division {r.division}" if r.division else "")
            + f": {r.where()}"
        )
        if r.mirror_note:
            lines.append(f"      offline mirror: {r.mirror_note}")
    if len(shown) < len(d.resources):
        lines.append(
            f"    ... {len(d.resources) - len(shown)} more of the same kind (such as {', '.join(d.choices[3:6])})"
        )
    return "\n".join(lines)
