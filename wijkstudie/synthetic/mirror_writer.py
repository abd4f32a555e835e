"""Write the synthetic world as a mirror: the files the notebooks read, in the publishers' own layouts.

The folder is laid out like the real mirror (``cbs-kwb/``, ``rivm-gezondheid/``, ``geo/``, ...; every path is
the catalogue's mirror path of the resource it stands in for), holds a survey file with its mapping onto the
resident schema, and is marked synthetic by its manifest (``wijkstudie-mirror.json``), which is what makes every
table read from it carry the data kind "synthetic". Every file also carries the mark in its own content, so that
a copy loads as SYNTHETIC wherever it lies, without the manifest (``core.provenance.file_mark``): workbooks in
their document properties (keywords ``wijkstudie-synthetic``), CSV files in a first comment line that the readers
skip (``# wijkstudie-synthetic: ...``), GeoJSON files in a top-level member and the survey mapping in a key
(``wijkstudie_data_kind: synthetic``). The grenswijzigen matrices (R data, written with pyreadr) have no place for
a mark: they are marked by the manifest only. ``mirror()`` writes it once per seed, scenario and generator
version into the cache folder and reuses it; writing takes a few seconds.

Files that the publishers publish as legacy Excel (``.xls``: the Rotterdam workbooks) are written as Office
Open XML under the same name; wijkstudie reads workbooks by their content.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..core.atomic import umask
from ..core.paths import synthetic_dir
from ..core.provenance import CSV_MARK_LINE, JSON_MARK_KEY, MANIFEST, SYNTHETIC_MARK
from ..core.settings import settings
from ..core.version import __version__
from ..data import variables as vardict
from ..data.catalogue import get_dataset
from .world import BBGA_AREA, SCENARIO_DIR, World, _residents, gemeente_name, generate, neighbourhood_table, regions

GENERATOR_VERSION = 6  # 4: every file carries the synthetic mark in its content; 5: StatLine, six Rotterdam waves
SURVEY_FILE, MAPPING_FILE = "survey/synthetic-residents.csv", "survey/synthetic-residents.yaml"
CROSSWALK_YEARS = (2016, 2024)


# --- the mirror as a whole ----------------------------------------------------------------------------------


def _scenario_path(scenario) -> Path:
    return Path(scenario) if str(scenario).endswith((".yaml", ".yml")) else SCENARIO_DIR / f"{scenario}.yaml"


def mirror_folder(seed: int = 1, scenario="default") -> Path:
    """Where the synthetic world's mirror for a seed and scenario lies, written or not.

    One folder per generator version, seed, scenario content and package version.

    Parameters
    ----------
    seed : int
        the random seed
    scenario : str or Path
        a scenario name or YAML file

    Returns
    -------
    Path

    Examples
    --------
    >>> from wijkstudie import synthetic
    >>> synthetic.mirror_folder().name.startswith("default-seed1-")
    True
    """
    path = _scenario_path(scenario)
    content = path.read_bytes() if path.is_file() else str(scenario).encode()
    key = hashlib.sha1(
        b"|".join([str(GENERATOR_VERSION).encode(), str(seed).encode(), content, __version__.encode()])
    ).hexdigest()[:10]
    return synthetic_dir() / f"{path.stem}-seed{seed}-{key}"


def use_synthetic(seed: int = 1, scenario="default") -> Path:
    """Switch this session to the synthetic world.

    Write its mirror when it is not there yet (``mirror``) and set the settings ``data = "synthetic"`` and
    ``synthetic_mirror`` for the session (``del ws.settings.data`` goes back). Programs started afterwards with
    ``ws.settings.export_to_environment()`` (notebook kernels) see both.

    Parameters
    ----------
    seed : int
        the random seed
    scenario : str or Path
        a scenario name or YAML file

    Returns
    -------
    Path
        the synthetic mirror

    Examples
    --------
    >>> import wijkstudie as ws
    >>> folder = ws.use_synthetic()  # doctest: +SKIP
    """
    folder = mirror(seed, scenario)
    settings.synthetic_mirror = folder
    settings.data = "synthetic"
    return folder


def mirror(seed: int = 1, scenario="default") -> Path:
    """The folder of the synthetic world's mirror for a seed and scenario.

    Written on first use (atomically, so two processes never see half a mirror), reused afterwards.

    Parameters
    ----------
    seed : int
        the random seed
    scenario : str or Path
        a scenario name or YAML file

    Returns
    -------
    Path

    Examples
    --------
    >>> from wijkstudie import synthetic
    >>> folder = synthetic.mirror()  # doctest: +SKIP
    """
    folder = mirror_folder(seed, scenario)
    if (folder / MANIFEST).is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    # created exclusively, with an unpredictable name: a planted folder or symlink is never written into
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        write_mirror(tmp, seed=seed, scenario=scenario)
        os.chmod(tmp, 0o777 & ~umask())  # mkdtemp makes 0700; the mirror follows the umask like other outputs
        try:
            os.replace(tmp, folder)
        except OSError:  # another process finished first: use its mirror
            if not (folder / MANIFEST).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def write_mirror(folder, seed: int = 1, scenario="default") -> Path:
    """Write the synthetic world's mirror into a folder (see the module docstring).

    Parameters
    ----------
    folder : str or Path
        where
    seed : int
        the random seed
    scenario : str or Path
        a scenario name or YAML file

    Returns
    -------
    Path
        the folder
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    world = generate(scenario, seed=seed)
    base = regions(world, geometry=False)
    waves = {year: regions(world, year, geometry=False) for year in (2016, 2020)}
    files = []

    def target(dataset: str, year: int, variant: str | None = None) -> Path:
        path = folder / get_dataset(dataset).resource(year, variant).mirror
        path.parent.mkdir(parents=True, exist_ok=True)
        files.append(str(path.relative_to(folder)))
        return path

    register = _register(base, world)
    for year in ODATA_VARIABLES:
        _csv(_kwb_odata(register, year), target("kwb", year, "open-data"))
    for year in (2022, 2023):
        _excel(_kwb_workbook(register), target("kwb", year, "workbook"), f"kwb-{year}")
    for year, table in waves.items():
        for variant in ("18+", "65+", "18-64"):
            export, path = _rivm_export(world, table, year, variant), target("rivm-gezondheid", year, variant)
            if path.suffix == ".csv":  # where the catalogue has no mirror file: what fetch writes, a CSV
                _csv(export, path)
            else:
                _excel(export, path, "50090NED_TypedDataSet")
    _boundaries(world, "gemeente", 2022, target("cbs-gemeenten", 2022))
    _boundaries(world, "wijk", 2024, target("cbs-wijken", 2024))
    _boundaries(world, "buurt", 2024, target("cbs-buurten", 2024))
    _rotterdam_profile(world, target("rotterdam-wijkprofiel", 2016, "wijkprofiel"))
    _rotterdam_context(register, target("rotterdam-wijkprofiel", 2015, "context"))
    _bbga(world, target("amsterdam-bbga", 2018, "data"), target("amsterdam-bbga", 2018, "metadata"))
    for table_id, years in STATLINE_PERSONAL.items():
        _csv(_statline_personal(world, table_id, years), target("cbs-statline", max(years), table_id), sep=";")
    _csv(_statline_pols(world), target("cbs-statline", max(POLS_YEARS), "60027ned"), sep=";")
    for table_id, years in STATLINE_REGIONS.items():
        _csv(_statline_regions(world, table_id, years), target("cbs-statline", max(years), table_id), sep=";")
    for year in (2016, 2020):
        _leefbaarometer(world, year, target("leefbaarometer", year, "wijk"))
    files += _crosswalks(register, folder)
    files += _survey(world, folder)
    manifest = {
        "data_kind": "synthetic",
        "description": f"seed {seed}, scenario {_scenario_path(scenario).stem}",
        "seed": seed,
        "scenario": str(scenario),
        "generator_version": GENERATOR_VERSION,
        "survey": {"file": SURVEY_FILE, "mapping": MAPPING_FILE},
        "files": sorted(files),
    }
    (folder / "MANIFEST.md").write_text(_manifest_text(manifest), encoding="utf-8")
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return folder


MARK_TEXT = "SYNTHETIC data generated by wijkstudie's synthetic world, not a publisher's file"


def _csv(frame: pd.DataFrame, path: Path, sep: str = ",") -> None:
    """A CSV whose first line is the synthetic mark (the readers skip it)."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(f"{CSV_MARK_LINE} {MARK_TEXT}\n")
        frame.to_csv(fh, sep=sep, index=False)


def mark_workbook(book) -> None:
    """Put the synthetic mark into a workbook's document properties (openpyxl).

    Parameters
    ----------
    book : openpyxl.Workbook
        the workbook, before it is saved

    Returns
    -------
    None
    """
    book.properties.keywords = SYNTHETIC_MARK
    book.properties.subject = MARK_TEXT
    book.properties.creator = "wijkstudie synthetic world"


def _excel(frame: pd.DataFrame, path: Path, sheet: str) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet, index=False)
        mark_workbook(writer.book)


def _manifest_text(manifest: dict) -> str:
    return (
        "# SYNTHETIC mirror (wijkstudie)\n\n"
        "Every file in this folder is SYNTHETIC: generated by wijkstudie from the scenario "
        f"`{manifest['scenario']}` with seed {manifest['seed']}, in the layouts of the publishers' files it "
        "stands in for. The numbers describe the synthetic world, not Dutch neighbourhoods. wijkstudie marks "
        "every table, model, figure and finding made from them as synthetic (`wijkstudie-mirror.json`).\n\n"
        + "\n".join(f"- `{f}`" for f in manifest["files"])
        + "\n"
    )


# --- register figures (KWB) ---------------------------------------------------------------------------------


def _register(table: pd.DataFrame, world: World) -> pd.DataFrame:
    """The base wave as register figures: counts from shares, a few figures only registers have."""
    out = table.drop(columns="geometry", errors="ignore").copy()
    pop = out["population"]
    rng = np.random.default_rng([world.seed, 17])
    urban = out["region_code"].map(_urban_by_code(world)).fillna(0.0).to_numpy()
    out["n_age_0_14"] = np.round(0.2 * pop)
    for band in ("15_24", "25_44", "45_64", "65_plus"):
        out[f"n_age_{band}"] = np.round(out[f"pct_age_{band}"] * pop / 100)
    # origin by migration background (KWB until 2021) and by country of origin (from 2022): the same people here
    out["n_migration_non_western"] = out["n_origin_outside_europe"] = np.round(out["pct_non_western"] * pop / 100)
    western = np.round((out["pct_non_dutch_origin"] - out["pct_non_western"]) * pop / 100)
    out["n_migration_western"] = out["n_origin_europe"] = western
    out["n_dwellings"] = np.round(out["n_households"] * 1.03)
    out["area_land_ha"] = np.round(100 * pop / out["density"].where(out["density"] > 0), 0)
    out["pct_low_income"] = np.clip(
        40 + 9 * urban + 0.25 * (out["pct_non_western"] - 10) + rng.normal(0, 2.5, len(out)), 5, 90
    ).round(0)
    out["pct_high_income"] = np.clip(20 - 6 * urban + rng.normal(0, 2, len(out)), 1, 80).round(0)
    out["pct_labour_participation"] = np.clip(68 - 3 * urban + rng.normal(0, 2, len(out)), 30, 90).round(1)
    out["urbanity"] = pd.cut(-urban, [-np.inf, -0.6, -0.2, 0.2, 0.6, np.inf], labels=[1, 2, 3, 4, 5]).astype(float)
    return out


def _urban_by_code(world: World) -> dict:
    nb = world.neighbourhoods
    urban = {}
    for key in ("buurt_code", "wijk_code", "gemeente_code"):
        urban.update(nb.groupby(key)["urban"].mean().to_dict())
    urban["NL01"] = float(nb["urban"].mean())
    return urban


def _soort(level: str) -> str:
    return {"land": "Land", "gemeente": "Gemeente", "wijk": "Wijk", "buurt": "Buurt"}[level]


# What each synthetic file holds, by canonical name: the files' own column names and scales come from the variable
# dictionary (variables.yaml), the source of truth the readers use too.
KWB_COMMON = ["population", "n_age_0_14", "n_age_15_24", "n_age_25_44", "n_age_45_64", "n_age_65_plus"]
KWB_REST = [
    "n_households",
    "n_single_person_households",
    "density",
    "n_dwellings",
    "mean_woz",
    "pct_owner_occupied",
    "pct_social_rent",
    "mean_income_per_resident",
    "pct_low_income",
    "pct_high_income",
    "pct_labour_participation",
    "area_land_ha",
    "urbanity",
]
ODATA_VARIABLES = {  # the origin classification changed in 2022: migration background before, country of origin after
    2017: KWB_COMMON + ["n_migration_western", "n_migration_non_western"] + KWB_REST,
    2024: KWB_COMMON + ["n_origin_europe", "n_origin_outside_europe"] + KWB_REST,
}
WORKBOOK_VARIABLES = KWB_COMMON + ["n_origin_europe", "n_origin_outside_europe"] + KWB_REST


def source_column(name: str, source: str, year: int | None = None, signature=(), number: int = 0) -> tuple[str, float]:
    """The column a source's file gives a canonical variable.

    (variables.yaml: the first alternative, or the one a year-recognising ``signature`` key of the catalogue matches),
    and the scale from the canonical value to the file's (a fraction where the file holds one). A ``Name_*`` pattern
    gets ``number`` where no signature names it.

    Parameters
    ----------
    name : str
        the canonical variable
    source : str
        the source of ``variables.yaml`` (``kwb-odata``, ``rotterdam-wijkprofiel``, ...)
    year : int, optional
        the file's year
    signature : iterable of str
        the catalogue's year-recognising keys of that file
    number : int
        the number a ``Name_*`` pattern gets

    Returns
    -------
    tuple
        ``(column, scale)``
    """
    spec = vardict.source_columns(source, year)[name]
    single = [alternative[0] for alternative in spec.alternatives if len(alternative) == 1]
    for candidate in single:
        match = next((key for key in signature if vardict.find_column(candidate, [key])[0]), None)
        if match:
            return match, 1 / spec.scale
    return single[0].replace("*", str(number)), 1 / spec.scale


def _kind(name: str) -> str:
    """How a file writes a variable: counts whole, percentages rounded, other figures with one decimal."""
    unit = vardict.variables()[name].get("unit")
    return "count" if unit in vardict.COUNT_UNITS else "round" if unit == "%" else "value"


def _cell(values: pd.Series, kind: str) -> list:
    """Numbers as CBS writes them: whole counts, one decimal for values, '.' where missing."""
    out = []
    for v in values:
        if pd.isna(v):
            out.append(".")
        elif kind in ("count", "round"):
            out.append(str(int(round(float(v)))))
        else:
            out.append(f"{float(v):.1f}")
    return out


def _kwb_odata(register: pd.DataFrame, year: int) -> pd.DataFrame:
    code = register["region_code"].astype(str)
    frame = pd.DataFrame(
        {
            "ID": np.arange(len(register)),
            "WijkenEnBuurten": code.str.replace("NL01", "NL00").str.ljust(10),
            "Gemeentenaam_1": register["gemeente_name"].fillna("Nederland").astype(str).str.ljust(40),
            "SoortRegio_2": register["level"].map(_soort).str.ljust(10),
            "Codering_3": code.str.replace("NL01", "NL00").str.ljust(10),
        }
    )
    signature = get_dataset("kwb").resource(year, "open-data").signature
    for number, name in enumerate(ODATA_VARIABLES[year], start=5):
        key, _ = source_column(name, "kwb-odata", year, signature, number)
        frame[key] = _cell(register[name], _kind(name))
    return frame


def _kwb_workbook(register: pd.DataFrame) -> pd.DataFrame:
    rows = register[register["level"] != "land"]
    code = rows["region_code"].astype(str)
    frame = pd.DataFrame(
        {
            "gwb_code_10": code,
            "gwb_code_8": code.str[2:],
            "regio": rows["region_name"].astype(str),
            "gm_naam": rows["gemeente_name"].astype(str),
            "recs": rows["level"].map(_soort),
            "gwb_code": code,
        }
    )
    for name in WORKBOOK_VARIABLES:
        key, _ = source_column(name, "kwb-workbook")
        cells = _cell(rows[name], _kind(name))
        frame[key] = [c if c == "." else (float(c) if _kind(name) == "value" else int(c)) for c in cells]
    return frame


# --- RIVM/CBS Gezondheid per wijk en buurt ---------------------------------------------------------------------

AGE_CODES = {"18+": 20300, "65+": 80200, "18-64": 53115}
RIVM_VARIABLES = [
    "pct_good_health",
    "pct_control_over_life",
    "pct_lonely",
    "pct_severely_lonely",
    "pct_informal_carer",
    "pct_volunteering",
    "pct_difficulty_making_ends_meet",
]


def _rivm_export(world: World, table: pd.DataFrame, year: int, variant: str) -> pd.DataFrame:
    """An Excel export of table 50090NED for one measurement and age group.

    Rates among the residents of that age group of the survey wave of ``year``, per buurt, wijk, gemeente and the land
    (too few respondents: suppressed).
    """
    residents = world.residents_for(year)
    age = residents["age"].to_numpy()
    keep = {"18+": age >= 18, "65+": age >= 65, "18-64": age < 65}[variant]
    r = residents[keep]
    urban = _urban_by_code(world)
    rng = np.random.default_rng([world.seed, year, AGE_CODES[variant]])
    rows = []
    for level, key in (("land", None), ("gemeente", "gemeente_code"), ("wijk", "wijk_code"), ("buurt", "buurt_code")):
        groups = r.groupby(r[key].astype(str) if key else pd.Series("NL01", index=r.index), observed=True)
        n = groups.size()
        volunteering = 100 * groups["volunteers"].mean()
        carer = groups["age"].apply(lambda a: np.clip(12 + 0.08 * (a.mean() - 40), 2, 40))
        trust = 100 * groups["trust_neighbours"].mean()
        part = pd.DataFrame(
            {
                "code": n.index,
                "n": n.to_numpy(),
                "pct_volunteering": volunteering.to_numpy(),
                "pct_informal_carer": carer.to_numpy(),
                "trust": trust.to_numpy(),
            }
        )
        part["urban"] = part["code"].map(urban).fillna(0.0)
        noise = rng.normal(0, 1.5, len(part))
        part["pct_lonely"] = np.clip(70 - 0.4 * part["trust"] + 4 * part["urban"] + noise, 5, 90)
        part["pct_severely_lonely"] = np.clip(0.25 * part["pct_lonely"] + rng.normal(0, 1, len(part)), 1, 50)
        part["pct_good_health"] = np.clip(80 - (10 if variant == "65+" else 0) - 3 * part["urban"] + noise, 30, 98)
        part["pct_control_over_life"] = np.clip(90 - 2 * part["urban"] + rng.normal(0, 1, len(part)), 60, 99)
        part["pct_difficulty_making_ends_meet"] = np.clip(14 + 7 * part["urban"] + rng.normal(0, 2, len(part)), 1, 60)
        part["level"] = level
        rows.append(part)
    frame = pd.concat(rows, ignore_index=True)
    names = frame["code"].map(lambda c: "Nederland" if c == "NL01" else gemeente_name("GM" + c[2:6]))
    out = pd.DataFrame(
        {
            "ID": np.arange(len(frame)),
            "Leeftijd": AGE_CODES[variant],
            "Marges": "MW00000",
            "WijkenEnBuurten": frame["code"].str.ljust(10),
            "Perioden": f"{year}JJ00",
            "Gemeentenaam_1": names.str.ljust(40),
            "SoortRegio_2": frame["level"].map(_soort).str.ljust(10),
            "Codering_3": frame["code"].str.ljust(20),
        }
    )
    few = frame["n"] < 15  # RIVM suppresses estimates it cannot make
    for number, name in enumerate(RIVM_VARIABLES, start=4):
        key, _ = source_column(name, "rivm-gezondheid", year, number=number)
        out[key] = [("." if suppress else f"{value:8.1f}") for value, suppress in zip(frame[name], few)]
    return out


# --- boundaries ---------------------------------------------------------------------------------------------


def _boundaries(world: World, level: str, year: int, path: Path) -> None:
    nb = world.neighbourhoods[["buurt_code", "wijk_code", "gemeente_code", "geometry"]]
    key = {"gemeente": "gemeente_code", "wijk": "wijk_code", "buurt": "buurt_code"}[level]
    shapes = nb.dissolve(by=key).reset_index() if level != "buurt" else nb.copy()
    shapes = shapes.to_crs(4326)
    names = neighbourhood_table(world).set_index("region_code")["region_name"] if level == "buurt" else None
    if level == "gemeente":  # the CBS gebiedsindelingen layout
        props = pd.DataFrame(
            {
                "id": np.arange(1, len(shapes) + 1),
                "statcode": shapes[key],
                "jrstatcode": f"{year}" + shapes[key],
                "statnaam": shapes[key].map(gemeente_name),
                "rubriek": "gemeente",
            }
        )
        meta = {}
    else:  # the PDOK wijken-en-buurten layout
        props = pd.DataFrame({f"{level}code": shapes[key]})
        props[f"{level}naam"] = (
            shapes[key].map(names) if level == "buurt" else "Synthetische wijk " + shapes[key].str[-4:]
        )
        props["gemeentecode"] = shapes["gemeente_code"]
        props["gemeentenaam"] = shapes["gemeente_code"].map(gemeente_name)
        meta = {"metadata": {"type": f"{level}en", "year": year, "count": len(shapes)}}
    features = []
    for i, geometry in enumerate(shapes.geometry):
        features.append(
            {
                "type": "Feature",
                "properties": {k: _json_value(props[k].iloc[i]) for k in props},
                "geometry": json.loads(pd.Series([geometry]).pipe(_geojson_geometry)),
            }
        )
    collection = {"type": "FeatureCollection", JSON_MARK_KEY: "synthetic", **meta, "features": features}
    path.write_text(json.dumps(collection), encoding="utf-8")


def _geojson_geometry(series: pd.Series) -> str:
    import shapely

    return shapely.to_geojson(series.iloc[0], indent=None)


def _json_value(value):
    return value.item() if hasattr(value, "item") else value


# --- Rotterdam Wijkprofiel and Context ------------------------------------------------------------------------

PROFILE_SHEETS = {  # sheet -> the canonical variables it holds
    "SI": [
        "social_index",
        "social_index_subjective",
        "social_index_objective",
        "pct_know_each_other",
        "pct_feel_at_home",
        "pct_much_contact",
        "pct_help_each_other",
        "pct_shared_norms",
        "pct_attached_to_neighbourhood",
        "pct_responsible_for_neighbourhood",
        "pct_volunteering",
        "pct_active_for_neighbourhood",
        "pct_contact_with_neighbours",
        "pct_proud_of_neighbourhood",
        "pct_trust_municipality",
        "pct_expects_progress",
        "pct_involved_in_plans",
        "pct_informal_carer",
        "pct_long_term_residents",
        "pct_residential_mobility",
    ],
    "FI-subj": ["physical_index", "physical_index_objective"],
    "VI": ["safety_index", "safety_index_objective"],
}


def _rotterdam_areas(table: pd.DataFrame) -> pd.DataFrame:
    """Rotterdam's areas in its own numbering.

    Each buurt of the synthetic Rotterdam a 'wijk' (its number the buurt's two last digits, as CBS numbers Rotterdam's
    buurten), each wijk a 'gebied' (4000 and up), the city 5000.
    """
    gm = "GM0599"
    buurten = table[(table["level"] == "buurt") & (table["gemeente_code"] == gm)].copy()
    wijken = table[(table["level"] == "wijk") & (table["gemeente_code"] == gm)].copy()
    city = table[(table["level"] == "gemeente") & (table["region_code"] == gm)].copy()
    buurten["wijknr"] = buurten["region_code"].str[-2:].astype(int)
    buurten["gebied"] = (
        buurten["region_code"].str[:8].str.replace("BU", "WK").map(wijken.set_index("region_code")["region_name"])
    )
    wijken["wijknr"] = 4000 + np.arange(len(wijken))
    wijken["gebied"] = wijken["region_name"]
    city["wijknr"], city["gebied"], city["region_name"] = 5000, "Rotterdam", "Rotterdam"
    return pd.concat([buurten, wijken, city], ignore_index=True)


def _rotterdam_profile(world: World, path: Path) -> None:
    columns = {
        sheet: [(name, *source_column(name, "rotterdam-wijkprofiel")) for name in names]
        for sheet, names in PROFILE_SHEETS.items()
    }
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        mark_workbook(writer.book)
        for year in ROTTERDAM_WAVES:
            areas = _rotterdam_areas(regions(world, year, geometry=False))
            for sheet, items in columns.items():
                header = [
                    [None, year, "in hoefijzer = 1"] + [1] * len(items),
                    ["naam gebied (voormalig deelgemeente)", "wijknr", "BUURT85"] + [code for _, code, _ in items],
                    [None, None, None] + [name for name, _, _ in items],
                ]
                body = [
                    [f"gebied {g}", int(n), name]
                    + [None if pd.isna(a[v]) else float(a[v]) * scale for v, _, scale in items]
                    for (_, a), g, n, name in zip(
                        areas.iterrows(), areas["gebied"], areas["wijknr"], areas["region_name"]
                    )
                ]
                pd.DataFrame(header + body).to_excel(writer, sheet_name=f"{sheet} {year}", header=False, index=False)
        labels = [["code", "label"]] + [[code, name] for items in columns.values() for name, code, _ in items]
        pd.DataFrame(labels).to_excel(writer, sheet_name="Labels", header=False, index=False)


def _context_variables() -> list[str]:
    """The variables the Rotterdam context file holds in one column each (variables.yaml, source ``rotterdam-context``).

    The share of non-Dutch origin, the sum of two columns, is written as its western part.
    """
    held = vardict.source_columns("rotterdam-context", None)
    return [name for name, spec in held.items() if len(spec.alternatives[0]) == 1]


def _rotterdam_context(register: pd.DataFrame, path: Path) -> None:
    areas = _rotterdam_areas(register)
    areas["western"] = areas["pct_non_dutch_origin"] - areas["pct_non_western"]
    columns = [(name, *source_column(name, "rotterdam-context")) for name in _context_variables()]
    header = [
        [None, None, None] + ["Bevolking 1-1-2015"] * len(columns) + ["Herkomst 1-1-2015"],
        ["wijknr", "BUURT85", "Gebied"] + [column for _, column, _ in columns] + ["westers allochtoon"],
    ]
    body = [
        [int(n), name, g]
        + [None if pd.isna(a[v]) else float(a[v]) * scale for v, _, scale in columns]
        + [float(a["western"]) / 100]
        for (_, a), n, name, g in zip(areas.iterrows(), areas["wijknr"], areas["region_name"], areas["gebied"])
    ]
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame(header + body).to_excel(writer, sheet_name="Totaal contextindicatoren", header=False, index=False)
        mark_workbook(writer.book)


# --- Amsterdam BBGA -----------------------------------------------------------------------------------------

BBGA_VARIABLES = [  # (canonical variable, the years the BBGA has it)
    ("population", range(2005, 2019)),
    ("n_age_18_22", range(2005, 2019)),
    ("n_age_23_39", range(2005, 2019)),
    ("pct_age_65_plus", range(2005, 2019)),
    ("pct_non_western", range(2005, 2019)),
    ("pct_single_person_households", range(2010, 2019)),
    ("pct_owner_occupied", range(2011, 2019)),
    ("mean_years_at_address", range(2005, 2019)),
    ("pct_volunteering", (2012, 2014, 2016)),
    ("pct_active_for_neighbourhood", (2012, 2014, 2016)),
    ("pct_contact_with_neighbours", (2012, 2014, 2016)),
    ("social_cohesion", range(2012, 2018)),
    ("involvement", range(2005, 2018, 2)),
]


def _bbga(world: World, data_path: Path, meta_path: Path) -> None:
    """Amsterdam's wijken as BBGA gebieden (DX01, ...), one survey wave of their residents per year."""
    nb = world.neighbourhoods
    amsterdam = nb[nb["gemeente_code"] == BBGA_AREA].reset_index(drop=True)
    wijken = sorted(amsterdam["wijk_code"].unique())
    gebied = {w: f"DX{i + 1:02d}" for i, w in enumerate(wijken)}
    rows = []
    for year in range(2005, 2019):
        rng = np.random.default_rng([world.seed, year, 11])
        residents = _residents(amsterdam, world.params, rng, year)
        area = residents["wijk_code"].map(gebied)
        for code, r in [*residents.groupby(area), ("STAD", residents)]:
            n = len(r)
            values = {
                "population": n * 60.0,
                "n_age_18_22": 60.0 * (r["age"] <= 22).sum(),
                "n_age_23_39": 60.0 * r["age"].between(23, 39).sum(),
                "pct_age_65_plus": 100 * (r["age"] >= 65).mean(),
                "pct_non_western": 100 * (r["origin"] == "non_western").mean(),
                "pct_single_person_households": 100 * (r["household_type"] == "single").mean(),
                "pct_owner_occupied": 100 * (r["tenure"] == "owner").mean(),
                "mean_years_at_address": float(r["years_at_address"].mean()),
                "pct_volunteering": 100 * r["volunteers"].mean(),
                "pct_active_for_neighbourhood": 100 * r["participates"].mean(),
                "pct_contact_with_neighbours": 100 * (0.3 + 0.5 * r["trust_neighbours"].mean()),
                "social_cohesion": 3.5 + 4 * r["trust_neighbours"].mean() + rng.normal(0, 0.1),
                "involvement": 4 + 6 * r["participates"].mean() + rng.normal(0, 0.15),
            }
            for name, years in BBGA_VARIABLES:
                variable, _ = source_column(name, "amsterdam-bbga")
                rows.append((year, code, variable, f"{values[name]:.1f}".replace(".", ",") if year in years else ""))
    rows += [(2019, "STAD", "BEVTOTAAL_PROG2018", "1000000")]
    _csv(pd.DataFrame(rows, columns=["jaar", "gebiedcode15", "variabele", "waarde"]), data_path, sep=";")
    meta = pd.DataFrame(
        [
            {"Variabele": v, "Label": name, "Definitie": f"synthetic stand-in for {v}", "Bron": "synthetic world"}
            for v, name in ((source_column(name, "amsterdam-bbga")[0], name) for name, _ in BBGA_VARIABLES)
        ]
        + [
            {
                "Variabele": "BEVTOTAAL_PROG2018",
                "Label": "population forecast",
                "Definitie": "synthetic",
                "Bron": "synthetic world",
            }
        ]
    )
    _csv(meta, meta_path, sep=";")


# --- Leefbaarometer -----------------------------------------------------------------------------------------


def _leefbaarometer(world: World, year: int, path: Path) -> None:
    """Scores per wijk in the layout of the Leefbaarometer's WFS.

    The class falls with the share of the wijk's buurten that have livability problems in the world.
    """
    nb = world.neighbourhoods
    rng = np.random.default_rng([world.seed, year, 31])
    share = (nb["livability"] == "problem").groupby(nb["wijk_code"]).mean()
    score = -1.2 * share + 0.15 * rng.normal(size=len(share)) + 0.3
    classes = np.clip(np.round(6.5 - 5 * share + rng.normal(0, 0.6, len(share))), 1, 9).astype(int)
    features = [
        {
            "type": "Feature",
            "geometry": None,
            "properties": {
                "id": code,
                "name": "Synthetische wijk " + code[-4:],
                "gemeente": gemeente_name("GM" + code[2:6]),
                "scale": "wijk",
                "kscore": int(k),
                "afw": round(float(s), 4),
                "onv": round(float(s) / 2, 4),
                "soc": round(float(s) / 3, 4),
                "year": str(year),
            },
        }
        for code, k, s in zip(share.index, classes, score)
    ]
    collection = {"type": "FeatureCollection", JSON_MARK_KEY: "synthetic", "features": features}
    path.write_text(json.dumps(collection), encoding="utf-8")


# --- grenswijzigen matrices -----------------------------------------------------------------------------------


def _crosswalks(register: pd.DataFrame, folder: Path) -> list[str]:
    """Every matrix of the catalogue.

    The synthetic world keeps one division, so the matrices between years are empty (nothing changed) and the postcode
    matrices list its gemeenten and wijken with their addresses.
    """
    import pyreadr

    written = []
    empty, postcode = pd.DataFrame(), {}
    for level in ("gemeente", "wijk"):  # ten pseudo postcodes (9000-9009), each area's addresses in one of them
        counts = register[register["level"] == level].set_index("region_code")["n_dwellings"].astype("int32")
        matrix = np.zeros((len(counts), 10), dtype="int32")
        matrix[np.arange(len(counts)), np.arange(len(counts)) % 10] = counts.to_numpy()
        postcode[level] = pd.DataFrame(
            matrix, index=[c[2:] for c in counts.index], columns=[str(9000 + i) for i in range(10)]
        )
    for resource in get_dataset("grenswijzigen").resources:
        p = resource.params
        path = folder / resource.mirror
        path.parent.mkdir(parents=True, exist_ok=True)
        matrix = postcode[p["level"]] if p["kind"] == "postcode" else empty
        pyreadr.write_rdata(str(path), matrix, df_name=p["name"])
        written.append(resource.mirror)
    return written


# --- the survey -----------------------------------------------------------------------------------------------


def _survey(world: World, folder: Path) -> list[str]:
    """The world's residents as a survey file, with a mapping onto the resident schema (one column each)."""
    residents = world.residents.drop(columns=["age_group"])
    path = folder / SURVEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    _csv(residents, path)
    mapping = {JSON_MARK_KEY: "synthetic", "source": "synthetic survey", "columns": {c: c for c in residents.columns}}
    (folder / MAPPING_FILE).write_text(yaml.safe_dump(mapping, sort_keys=False), encoding="utf-8")
    return [SURVEY_FILE, MAPPING_FILE]


ROTTERDAM_WAVES = (2014, 2016, 2018, 2020, 2022, 2024)  # the Wijkprofiel's waves (the 2014-2024 edition)

# CBS StatLine tables in the layout of the mirror's CSV dump (``;``, a Marges column, titles as dimension values):
# the study's national survey tables by personal characteristic, and the Veiligheidsmonitor by gemeente
STATLINE_PERSONAL = {"85541NED": tuple(range(2012, 2024)), "82249NED": tuple(range(2012, 2022))}
STATLINE_REGIONS = {"85146NED": (2021, 2023), "81924NED": (2013, 2014, 2015, 2016, 2017, 2019)}
PERSONAL_MEASURES = {  # table -> {measure key: the residents' binary column whose share it is}
    "85541NED": {"Buurt_46": "participates", "Totaal_33": "volunteers"},
    "82249NED": {"Buurt_45": "participates", "Totaal_33": "volunteers"},
}
PERSONAL_GROUPS = {  # title -> which residents (the published groups of one characteristic are disjoint)
    "Totaal": lambda r: r["age"] >= 0,
    "Leeftijd: 15 tot 25 jaar": lambda r: r["age"] < 25,
    "Leeftijd: 25 tot 35 jaar": lambda r: r["age"].between(25, 34),
    "Leeftijd: 35 tot 45 jaar": lambda r: r["age"].between(35, 44),
    "Leeftijd: 45 tot 55 jaar": lambda r: r["age"].between(45, 54),
    "Leeftijd: 55 tot 65 jaar": lambda r: r["age"].between(55, 64),
    "Leeftijd: 65 tot 75 jaar": lambda r: r["age"].between(65, 74),
    "Leeftijd: 75 jaar of ouder": lambda r: r["age"] >= 75,
    "Positie in huishouden: alleenstaande": lambda r: r["household_type"] == "single",
    "Positie in huishouden: eenouder": lambda r: r["household_type"] == "single_parent",
    "Positie in huishouden: lid van ouderpaar": lambda r: r["household_type"] == "couple_with_children",
    "Positie in huish.: lid paar geen ouder": lambda r: r["household_type"] == "couple",
    "Herkomstland: Nederland": lambda r: r["origin"] == "dutch",
    "Herkomstland: Europa (excl. Nederland)": lambda r: r["origin"] == "western",
    "Herkomstland: buiten Europa": lambda r: r["origin"] == "non_western",
}
MARGINS = ("Waarde", "Ondergrens 95%-interval", "Bovengrens 95%-interval")


def _bounded(p: float, n: int) -> tuple[float, float, float]:
    """A percentage with its 95 % bounds (normal approximation), as CBS publishes them (one decimal)."""
    half = 1.96 * np.sqrt(max(p * (1 - p), 1e-4) / max(n, 1))
    return round(100 * p, 1), round(100 * max(p - half, 0.0), 1), round(100 * min(p + half, 1.0), 1)


def _statline_personal(world: World, table_id: str, years) -> pd.DataFrame:
    """A StatLine table by personal characteristic: each group's share of residents per year and measure (bounds)."""
    rows = []
    for year in years:
        residents = world.residents_for(year)
        for title, chosen in PERSONAL_GROUPS.items():
            group = residents[chosen(residents)]
            cells = {
                key: _bounded(group[column].mean(), len(group)) for key, column in PERSONAL_MEASURES[table_id].items()
            }
            for i, margin in enumerate(MARGINS):
                rows.append(
                    {"Marges": margin, "Kenmerken": title, "Perioden": str(year)} | {k: v[i] for k, v in cells.items()}
                )
    frame = pd.DataFrame(rows)
    frame.insert(0, "ID", range(len(frame)))
    return frame


REGION_MEASURES = {  # table -> {measure key: how a gemeente's figure is made from its residents (share of a column)}
    "85146NED": {
        "DeelnameAanApp_215": "participates",
        "DurfMijnHuissleutelTeGeven_13": "trust_neighbours",
        "RapportcijferLeefbaarheidWoonbuurt_18": "mark",
        "ErvaartEenOfMeerVormenVanOverlast_21": "nuisance",
    },
    "81924NED": {
        "InformeertBuurtMbtAanpakLeefbaarheid_23": "aware_of_plans",
        "VooruitGegaan_14": "confidence_in_future",
        "RapportcijferLeefbaarheidWoonbuurt_17": "mark",
        "ErvaartEenOfMeerVormenVanOverlast_26": "nuisance",
    },
}


def _statline_regions(world: World, table_id: str, years) -> pd.DataFrame:
    """A Veiligheidsmonitor table by region.

    The Netherlands and every gemeente (named as the dump names them, with " (GM)" in the 2021-2023 design), per year:
    shares of residents with bounds; the livability mark (1-10) and the share with nuisance follow the residents'
    livability class.
    """
    gemeenten = regions(world, geometry=False)
    names = gemeenten[gemeenten["level"] == "gemeente"].set_index("region_code")["region_name"]
    suffix = " (GM)" if table_id == "85146NED" else ""
    rows = []
    for year in years:
        residents = world.residents_for(year).assign(
            problem=lambda r: (r["livability"] == "problem").astype(float),
            mark=lambda r: 7.6 - 0.8 * r["problem"],
            nuisance=lambda r: 0.35 + 0.3 * r["problem"],
        )
        for code, group in [("NL", residents)] + list(residents.groupby("gemeente_code")):
            region = "Nederland" if code == "NL" else f"{names.get(code, code)}{suffix}"
            cells = {}
            for key, column in REGION_MEASURES[table_id].items():
                if column == "mark":
                    value = group[column].mean()
                    half = 1.96 * group[column].std() / np.sqrt(len(group)) + 0.05
                    cells[key] = (round(value, 1), round(value - half, 1), round(value + half, 1))
                else:
                    cells[key] = _bounded(group[column].mean(), len(group))
            for i, margin in enumerate(
                ("Waarde", "Betrouwbaarheidsmarge ondergrens", "Betrouwbaarheidsmarge bovengrens")
            ):
                rows.append(
                    {"Marges": margin, "RegioS": region, "Perioden": str(year)} | {k: v[i] for k, v in cells.items()}
                )
    frame = pd.DataFrame(rows)
    frame.insert(0, "ID", range(len(frame)))
    return frame


POLS_YEARS = tuple(range(1997, 2012))
POLS_GROUPS = {
    "Totaal persoonskenmerken": lambda r: r["age"] >= 0,
    "Onderwijs volgend": lambda r: r["student"] == 1,
    "Eenpersoonshuishouden": lambda r: r["household_type"] == "single",
}


def _statline_pols(world: World) -> pd.DataFrame:
    """POLS (60027ned) as the dump has it: groups of persons per year, volunteering, no margins."""
    rows = []
    for year in POLS_YEARS:
        residents = world.residents_for(year)
        for title, chosen in POLS_GROUPS.items():
            share = residents[chosen(residents)]["volunteers"].mean()
            rows.append(
                {
                    "Persoonskenmerken": title,
                    "Perioden": str(year),
                    "TotaalParticipantenVrijwilligerswerk_59": round(100 * share),
                }
            )
    frame = pd.DataFrame(rows)
    frame.insert(0, "ID", range(len(frame)))
    return frame
