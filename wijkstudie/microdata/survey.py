"""Resident-level survey data (WoON, Veiligheidsmonitor) through the resident schema.

Users obtain the microdata themselves under licence. ``read_microdata(file, mapping)`` reads SPSS (.sav),
Stata (.dta) or CSV, applies value labels, maps columns and values onto the schema (``resident_schema`` in
``variables.yaml``) with a mapping file the user can read and edit (templates in
``wijkstudie/microdata/mappings/``), and
refuses a file with missing or mistyped required variables in one message that lists every problem.

``load_residents()`` reads the configured microdata (settings ``microdata`` and ``microdata_mapping``, i.e.
``WIJKSTUDIE_MICRODATA`` and ``WIJKSTUDIE_MICRODATA_MAPPING``) or, when none is configured, the survey file of
the synthetic world's mirror, through the same reader; the mirror's manifest makes those residents synthetic.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from warnings import warn

import numpy as np
import pandas as pd
import yaml

from ..core.errors import ArgumentError, ArgumentTypeError, DataFormatError, DataNotFoundError, WijkstudieError
from ..core.provenance import attach, file_mark, from_file, provenance_of
from ..core.settings import settings
from ..core.yamlfile import AliasError, DuplicateKeyError, load_user_yaml, load_yaml
from ..data.codes import normalise_code
from ..data.readers.rawfile import check_file
from ..data.reports import WijkstudieWarning
from ..data.variables import VARIABLES_FILE

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"
MAX_MAPPING_BYTES = 1 << 20  # a mapping is a page of text; a larger file is something else


@lru_cache(maxsize=1)
def schema() -> dict:
    """The resident schema (``resident_schema`` in variables.yaml).

    Returns
    -------
    dict
        name -> type, whether required, labels, allowed values or range
    """
    with open(VARIABLES_FILE, encoding="utf-8") as fh:
        return load_yaml(fh)["resident_schema"]


def schema_table() -> pd.DataFrame:
    """The resident schema as a table.

    Returns
    -------
    DataFrame
        indexed by name: type, required, labels, values
    """
    return pd.DataFrame(
        [
            {
                "name": k,
                **{f: v.get(f) for f in ("type", "required", "label_en", "label_nl")},
                "values": ", ".join(v.get("values", [])),
            }
            for k, v in schema().items()
        ]
    ).set_index("name")


def _delimiter(path: Path, skip: int = 0) -> str:
    """The delimiter of a CSV file.

    Sniffed from its first lines after ``skip`` (so that pandas' fast C parser can read it).
    """
    import csv

    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        for _ in range(skip):
            fh.readline()
        sample = fh.read(65536)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _read_any(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix == ".sav":
            import pyreadstat

            frame, _ = pyreadstat.read_sav(str(path), apply_value_formats=True)
            return frame
        if suffix == ".dta":
            return pd.read_stata(path, convert_categoricals=True)
        if suffix == ".csv":  # the synthetic world's mark line, where there is one, is not data
            skip = 1 if file_mark(path) else 0
            return pd.read_csv(path, sep=_delimiter(path, skip), skiprows=skip)
    except Exception as exc:
        raise DataFormatError(
            f"{path.name}: cannot read the file ({type(exc).__name__}: {' '.join(str(exc).split())[:160]})"
        ) from None
    raise DataFormatError(f"{path.name}: unsupported format {suffix!r}; use .sav, .dta or .csv")


def load_mapping(mapping) -> dict:
    """A mapping of a survey file onto the resident schema.

    Parameters
    ----------
    mapping : dict, str or Path
        a mapping, a YAML file with one, or the name of a shipped template (``"woon"``)

    Returns
    -------
    dict

    Raises
    ------
    ArgumentTypeError
        for another type; ``DataNotFoundError`` for a file that does not exist; ``DataFormatError`` for a file that
        is not valid YAML (naming the line) or not of the mapping's shape.
    """
    if isinstance(mapping, dict):
        return _check_mapping(mapping, "the mapping")
    if not isinstance(mapping, (str, Path)):
        raise ArgumentTypeError(f"a mapping is a dict, a YAML file or a template name, not {mapping!r}")
    path = Path(mapping)
    if not path.is_file() and (MAPPINGS_DIR / f"{mapping}.yaml").is_file():
        path = MAPPINGS_DIR / f"{mapping}.yaml"
    if not path.exists():
        raise DataNotFoundError(f"{path}: no such mapping file")
    check_file(path)  # a FIFO or a device is refused before it is opened
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(MAX_MAPPING_BYTES + 1)
        if len(text) > MAX_MAPPING_BYTES:
            raise DataFormatError(f"mapping {path.name}: larger than {MAX_MAPPING_BYTES:,} characters, not a mapping")
        data = load_user_yaml(text)
    except AliasError as exc:
        raise DataFormatError(f"mapping {path.name}: YAML aliases are not allowed (line {exc.line})") from None
    except DuplicateKeyError as exc:
        raise DataFormatError(f"mapping {path.name}: {exc} (YAML would keep the last silently)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise DataFormatError(f"{path.name}: not valid YAML{where} ({problem})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"{path.name}: cannot be read ({type(exc).__name__})") from None
    return _check_mapping(data, path.name)


def _check_mapping(data, name: str) -> dict:
    if not isinstance(data, dict):
        raise DataFormatError(
            f"{name}: a mapping is a YAML dictionary with a 'columns' section, not "
            f"{type(data).__name__ if data is not None else 'an empty file'}"
        )
    if "columns" not in data:
        raise DataFormatError(f"{name}: a mapping needs a 'columns' section (schema name: column in the file)")
    shapes = {
        "columns": (dict, "schema name: column in the file"),
        "values": (dict, "schema name: {code or label: schema value}"),
        "missing": (list, "a list of codes that mean missing"),
    }
    for key, (kind, text) in shapes.items():
        if key in data and not isinstance(data[key], kind):
            raise DataFormatError(f"{name}: '{key}' must be {text}, not {type(data[key]).__name__}")
    bad = [k for k, v in data.get("values", {}).items() if not isinstance(v, dict)]
    if bad:
        raise DataFormatError(f"{name}: 'values' of {', '.join(map(str, bad))} must be {{code: schema value}}")
    if data.get("out_of_range", "error") not in ("error", "missing"):
        raise DataFormatError(f"{name}: out_of_range must be 'error' or 'missing', not {data['out_of_range']!r}")
    return data


def _key(value):
    """Value-map keys match whether the file holds 1, 1.0 or '1'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _map_unique(series: pd.Series, func) -> pd.Series:
    """``series.map(func)`` with ``func`` called once per distinct value (missing values stay missing).

    A survey of 100,000 respondents has a few hundred distinct codes.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = np.array([func(u) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=series.index, dtype=object)  # code -1 (missing) takes the last: None


def read_microdata(path, mapping) -> pd.DataFrame:
    """Read a survey file onto the resident schema.

    Parameters
    ----------
    path : str or Path
        the survey file: SPSS (``.sav``, value labels applied), Stata (``.dta``) or CSV
    mapping : dict, str or Path
        a mapping (``columns``: schema name -> column in the file; ``values``: schema name -> {code or label:
        schema value}; ``missing``: codes that mean missing), a YAML file with one, or the name of a shipped
        template (``"woon"``, ``"veiligheidsmonitor"``; copy and check it against your codebook)

    Returns
    -------
    DataFrame
        one row per respondent with every schema variable the mapping fills (``age_group``, ``wijk_code`` and
        ``weight`` derived where not mapped), and its provenance (real, unless the file lies in a synthetic
        mirror).

    Raises
    ------
    DataNotFoundError
        for a survey or mapping file that does not exist.
    DataFormatError
        one message listing every problem at once: unmapped required variables, columns not in the file,
        values the mapping does not know, values that are not numbers or not 0/1, an age or survey year that is
        not a whole number (17.6), respondents without an id or sharing one, bad region codes, values outside
        the schema's range (an age of 250 or 10 or inf, a negative residence or survey year) unless the mapping
        says ``out_of_range: missing`` (then they become missing, with a warning that counts them); a
        mapping file that is not valid YAML or not of the mapping's shape.
    WijkstudieError
        the base of both.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> residents = ws.read_microdata("/secure/woon2021.sav", "my-woon-mapping.yaml")  # doctest: +SKIP
    """
    path = Path(path)
    if not path.exists():
        raise DataNotFoundError(f"{path}: no such file")
    check_file(path)  # a FIFO or device, or a text file over the setting max_text_bytes: refused before it is read
    spec = load_mapping(mapping)
    raw = _read_any(path)
    columns, values = spec.get("columns", {}), spec.get("values", {})
    missing_tokens = {_key(m) for m in spec.get("missing", [])}
    problems, out = [], pd.DataFrame(index=raw.index)
    for name, info in schema().items():
        source = columns.get(name)
        if source is None:
            if info.get("required") and not info.get("derived_from"):
                problems.append(f"{name}: not mapped (add it under 'columns')")
            continue
        if source not in raw.columns:
            problems.append(f"{name}: column {source!r} not in the file")
            continue
        series = raw[source]
        if info["type"] != "id":  # respondent 99 is a respondent, not a missing answer
            series = series.where(~_map_unique(series, _key).isin(missing_tokens))
        if name in values:
            lookup = {_key(k): v for k, v in values[name].items()}
            keys = _map_unique(series, _key)
            unknown = sorted({k for k in keys.dropna() if k not in lookup})
            if unknown:
                problems.append(
                    f"{name}: values not in the mapping: {', '.join(unknown[:5])}"
                    + (f" (+{len(unknown) - 5} more)" if len(unknown) > 5 else "")
                )
            series = keys.map(lookup)
        converted, problem = _convert(name, info, series)
        if problem:
            problems.append(problem)
        out[name] = converted
    notes = []
    out_of_range = _out_of_range(out)
    if out_of_range and spec.get("out_of_range") == "missing":
        for name, mask, text in out_of_range:
            out[name] = out[name].mask(mask)
            if schema()[name]["type"] == "int":  # kept as floats for the range check (inf, 1e30), whole again
                out[name] = out[name].astype("Int64")
            notes.append(f"{text}: set to missing (out_of_range: missing)")
    else:
        problems += [text for _, _, text in out_of_range]
    if problems:
        raise DataFormatError(
            f"{path.name}: {len(problems)} problem(s) with mapping "
            f"{spec.get('source', 'the mapping')}: " + "; ".join(problems)
        )
    for note in notes:
        warn(f"{path.name}: {note}", WijkstudieWarning, stacklevel=2)
    if "age_group" not in out:
        out["age_group"] = pd.cut(out["age"], AGE_BINS, labels=schema()["age_group"]["values"])
    if "wijk_code" not in out:
        out["wijk_code"] = ("WK" + out["buurt_code"].str[2:8]).astype("string")
    if "weight" not in out:
        out["weight"] = 1.0
    year = int(out["survey_year"].mode().iloc[0]) if out["survey_year"].notna().any() else None
    return attach(
        out,
        from_file(
            path,
            str(spec.get("source", path.name)),
            year,
            None,
            "",
            ["resident"],
            variables=[str(c) for c in out.columns],
        ),
    )


AGE_BINS = [17, 29, 44, 64, 110]  # 18-29, 30-44, 45-64, 65+ (ages outside the schema's range never get a group)


def _out_of_range(out: pd.DataFrame) -> list:
    """[(variable, rows that cannot be, the problem in words)].

    Values outside the schema's range, and years at the address that exceed the respondent's age.
    """
    found = []
    for name, info in schema().items():
        if "range" not in info or name not in out:
            continue
        low, high = info["range"]
        values = pd.to_numeric(out[name], errors="coerce")
        mask = (values < low) | (values > high)
        if mask.any():
            examples = ", ".join(f"{v:g}" for v in sorted(set(values[mask].astype(float)))[:4])
            found.append(
                (
                    name,
                    mask.fillna(False).to_numpy(),
                    f"{name}: {int(mask.sum())} value(s) outside {low}-{high} (e.g. {examples})",
                )
            )
    if {"years_at_address", "age"} <= set(out):
        longer = (
            (pd.to_numeric(out["years_at_address"], errors="coerce") > pd.to_numeric(out["age"], errors="coerce"))
            .fillna(False)
            .to_numpy()
        )
        if longer.any():
            found.append(
                (
                    "years_at_address",
                    longer,
                    f"years_at_address: {int(longer.sum())} respondent(s) have "
                    "lived at their address longer than they are old",
                )
            )
    return found


def _convert(name: str, info: dict, series: pd.Series):
    kind = info["type"]
    if kind == "category":
        allowed = info["values"]
        bad = sorted({str(v) for v in series.dropna() if v not in allowed})
        problem = f"{name}: values outside {allowed}: {', '.join(bad[:5])}" if bad else None
        return pd.Categorical(series.where(series.isin(allowed)), categories=allowed), problem
    if kind == "code":
        level = {"buurt_code": "buurt", "wijk_code": "wijk", "gemeente_code": "gemeente"}[name]
        try:
            return _map_unique(series, lambda v: normalise_code(v, level)).astype("string"), None
        except WijkstudieError as exc:
            return series, f"{name}: {exc}"
    numeric = pd.to_numeric(series, errors="coerce")
    unparsed = int((numeric.isna() & series.notna()).sum())
    if unparsed:
        example = series[numeric.isna() & series.notna()].iloc[0]
        return numeric, f"{name}: {unparsed} value(s) are not numbers (e.g. {example!r})"
    if kind == "binary":
        bad = sorted({v for v in numeric.dropna().unique() if v not in (0, 1)})
        if bad:
            return numeric, f"{name}: binary variable has values other than 0/1: {', '.join(map(str, bad[:5]))}"
        return numeric.astype("Int8"), None
    if kind == "int":
        values = numeric.to_numpy(dtype="float64", na_value=np.nan)
        finite = np.isfinite(values)
        fraction = finite & (np.floor(values, where=finite, out=np.zeros_like(values)) != values)
        if fraction.any():  # listed once: masked, so that the range check does not list 17.6 again
            example = ", ".join(f"{v:g}" for v in sorted(set(values[fraction]))[:4])
            return numeric.mask(
                fraction
            ), f"{name}: {int(fraction.sum())} value(s) are not whole numbers (e.g. {example})"
        beyond = numeric.notna().to_numpy() & ~(
            finite & (np.abs(values, where=finite, out=np.zeros_like(values)) < 2**53)
        )
        if beyond.any():  # inf, 1e30: kept as numbers for the range check, which lists them
            if "range" in info:
                return numeric.astype("float64"), None
            example = ", ".join(f"{v:g}" for v in sorted(set(values[beyond]))[:4])
            return numeric, f"{name}: {int(beyond.sum())} value(s) too large for a whole number (e.g. {example})"
        return numeric.astype("Int64"), None
    if kind == "id":
        empty, repeated = numeric.isna(), numeric.duplicated(keep=False) & numeric.notna()
        found = []
        if empty.any():
            found.append(f"{int(empty.sum())} respondent(s) without an id")
        if repeated.any():
            examples = ", ".join(_key(series[i]) for i in numeric[repeated].drop_duplicates().index[:3])
            found.append(f"{int(repeated.sum())} respondent(s) share an id with another (e.g. {examples})")
        return numeric.astype("float64"), f"{name}: " + "; ".join(found) if found else None
    return numeric.astype("float64"), None


def load_residents() -> pd.DataFrame:
    """The survey microdata of this session, on the resident schema.

    The configured file and mapping (settings ``microdata`` and ``microdata_mapping``), else the survey file of the
    synthetic world's mirror (labelled synthetic by that mirror's manifest). Both go through ``read_microdata``.

    Returns
    -------
    DataFrame
        one row per respondent (see ``read_microdata``)

    Raises
    ------
    ArgumentError
        when a microdata file is configured without its mapping.
    DataFormatError
        when the file does not fit the mapping (a ``WijkstudieError`` like every error here).

    Examples
    --------
    >>> import wijkstudie as ws
    >>> residents = ws.load_residents()  # doctest: +SKIP
    """
    if settings.microdata is not None:
        if settings.microdata_mapping is None:
            raise ArgumentError(
                "WIJKSTUDIE_MICRODATA is set but WIJKSTUDIE_MICRODATA_MAPPING is not: "
                "give the mapping file (templates in wijkstudie/microdata/mappings/)"
            )
        return read_microdata(settings.microdata, settings.microdata_mapping)
    from ..core.provenance import MANIFEST, mirror_manifest
    from ..synthetic import mirror  # no microdata set: this layer switches to the synthetic survey, so writes it

    folder = settings.synthetic_mirror or mirror()
    survey = (mirror_manifest(folder / MANIFEST) or {})["survey"]
    return read_microdata(folder / survey["file"], folder / survey["mapping"])


def describe_residents(residents: pd.DataFrame) -> str:
    """One sentence for the top of a notebook: which resident data these are.

    Parameters
    ----------
    residents : DataFrame
        survey microdata on the resident schema

    Returns
    -------
    str
    """
    provenance = provenance_of(residents)
    n, areas = len(residents), residents["buurt_code"].nunique()
    if provenance.kind == "synthetic":
        files = ", ".join(dict.fromkeys(s.file for s in provenance.sources if s.file)) or "(no file named)"
        return (
            f"SYNTHETIC DATA: {n:,} residents in {areas} buurten from the synthetic world's survey file "
            f"{files}, generated from the scenario in wijkstudie/synthetic/scenarios/default.yaml. Every "
            "number below describes the synthetic world, not real neighbourhoods. To use real survey "
            "microdata set WIJKSTUDIE_MICRODATA and WIJKSTUDIE_MICRODATA_MAPPING (see the README)."
        )
    if provenance.kind == "unknown":
        return f"Survey microdata of UNKNOWN provenance: {n:,} respondents in {areas} buurten."
    return f"Real survey microdata: {n:,} respondents in {areas} buurten, {provenance.source_text()}."
