"""The synthetic world.

Neighbourhoods with geometry, composition and livability, and residents with every variable of the resident schema,
whose outcomes follow a scenario file (``scenarios/default.yaml``).

Deterministic for a seed. The world's gemeenten carry the codes of real gemeenten (Amsterdam, Rotterdam,
Utrecht, ...) so that every study runs on it unchanged, and names that say they are synthetic
("Synthetisch Utrecht"). ``wijkstudie.synthetic.mirror_writer`` writes it out as files in the publishers' layouts.

    world = generate(seed=1)
    world.residents            # one row per respondent, the resident schema
    world.neighbourhoods       # one row per buurt, with geometry
    regions(world)             # land, gemeenten, wijken and buurten with canonical variables
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.errors import ArgumentError, DataFormatError
from ..core.yamlfile import load_yaml

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
AGE_GROUPS = ["18-29", "30-44", "45-64", "65+"]
HOUSEHOLDS = ["single", "couple", "couple_with_children", "single_parent"]
TENURES = ["owner", "social_rent", "private_rent"]
ORIGINS = ["dutch", "western", "non_western"]
LIVABILITY = ["good", "problem"]


def load_scenario(scenario="default") -> dict:
    """A scenario of the synthetic world, checked.

    Every parameter cites a published figure or is marked as an assumption.

    Parameters
    ----------
    scenario : str or Path
        a scenario name in ``synthetic/scenarios/`` (``"default"``) or a YAML file

    Returns
    -------
    dict
        ``{section: {name: {value, source | assumption}}}``

    Raises
    ------
    ArgumentError
        for an unknown scenario; ``DataFormatError`` for parameters without a source or an assumption.

    Examples
    --------
    >>> from wijkstudie import synthetic
    >>> "world" in synthetic.load_scenario()
    True
    """
    path = Path(scenario) if str(scenario).endswith((".yaml", ".yml")) else SCENARIO_DIR / f"{scenario}.yaml"
    if not path.is_file():
        raise ArgumentError(f"unknown scenario {scenario!r} (no file {path})")
    with open(path, encoding="utf-8") as fh:
        raw = load_yaml(fh)
    problems = [
        f"{section}.{name}"
        for section, params in raw.items()
        if isinstance(params, dict)
        for name, p in params.items()
        if isinstance(p, dict) and not (p.get("source") or p.get("assumption"))
    ]
    if problems:
        raise DataFormatError(f"{path.name}: parameters without a source or an assumption: {', '.join(problems)}")
    return raw


def _values(scenario: dict) -> dict:
    return {
        section: {k: v["value"] for k, v in params.items()}
        for section, params in scenario.items()
        if isinstance(params, dict)
    }


def parameters(scenario="default") -> dict:
    """The scenario's parameter values: what a model on the world should recover.

    Parameters
    ----------
    scenario : str or Path
        a scenario name or YAML file

    Returns
    -------
    dict
        ``{section: {name: value}}``

    Examples
    --------
    >>> from wijkstudie import synthetic
    >>> synthetic.parameters()["world"]["year"]  # doctest: +SKIP
    """
    return _values(load_scenario(scenario))


def expit(x):
    """The logistic function.

    Parameters
    ----------
    x : array-like

    Returns
    -------
    array-like
        1 / (1 + exp(-x))
    """
    return 1.0 / (1.0 + np.exp(-x))


def logit(p):
    """The log-odds of a probability.

    Parameters
    ----------
    p : array-like
        probabilities strictly between 0 and 1

    Returns
    -------
    array-like
    """
    return np.log(p / (1 - p))


@dataclass
class World:
    """A synthetic world.

    Its scenario and seed, its neighbourhoods (a GeoDataFrame when generated with geometry) and the residents of its
    survey, with the parameter values they were drawn from.

    Examples
    --------
    >>> from wijkstudie import synthetic
    >>> world = synthetic.generate(seed=1, n_neighbourhoods=60, geometry=False)  # doctest: +SKIP
    >>> world.residents.head()  # doctest: +SKIP
    """

    scenario: dict
    seed: int
    neighbourhoods: pd.DataFrame  # GeoDataFrame when generated with geometry
    residents: pd.DataFrame
    params: dict = field(default_factory=dict)
    _tables: dict = field(default_factory=dict, repr=False)

    def residents_for(self, year: int) -> pd.DataFrame:
        """Another survey wave: the same neighbourhoods, new respondents (seeded by year).

        Parameters
        ----------
        year : int
            the survey year

        Returns
        -------
        DataFrame
            one row per respondent
        """
        if year == self.params["world"]["year"]:
            return self.residents
        return _residents(self.neighbourhoods, self.params, np.random.default_rng([self.seed, year]), year)


def generate(
    scenario="default",
    seed: int = 1,
    *,
    n_neighbourhoods: int | None = None,
    residents_per_neighbourhood: int | None = None,
    geometry: bool = True,
) -> World:
    """Generate a synthetic world.

    Parameters
    ----------
    scenario : str or Path
        a scenario name or YAML file (``load_scenario``)
    seed : int
        the random seed: the same seed gives the same world
    n_neighbourhoods : int, optional
        the number of buurten (default: the scenario's)
    residents_per_neighbourhood : int, optional
        survey respondents per buurt (default: the scenario's)
    geometry : bool
        draw the polygons (``False`` is faster)

    Returns
    -------
    World

    Examples
    --------
    >>> from wijkstudie import synthetic
    >>> world = synthetic.generate(seed=1, geometry=False)  # doctest: +SKIP
    """
    raw = load_scenario(scenario)
    params = _values(raw)
    w = params["world"]
    if n_neighbourhoods is None:
        n_neighbourhoods = w["gemeenten"] * w["wijken_per_gemeente"] * w["buurten_per_wijk"]
    if residents_per_neighbourhood is not None:
        params["world"] = dict(w, residents_per_buurt=residents_per_neighbourhood)
    rng = np.random.default_rng(seed)
    neighbourhoods = _neighbourhoods(n_neighbourhoods, params, rng, geometry)
    residents = _residents(neighbourhoods, params, rng, params["world"]["year"])
    return World(raw, seed, neighbourhoods, residents, params)


# the synthetic gemeenten borrow the codes of real ones (so that city studies and links run unchanged); their
# names say that they are synthetic
GEMEENTEN = [
    ("GM0363", "Amsterdam"),
    ("GM0599", "Rotterdam"),
    ("GM0344", "Utrecht"),
    ("GM0518", "'s-Gravenhage"),
    ("GM0772", "Eindhoven"),
    ("GM0014", "Groningen"),
    ("GM0855", "Tilburg"),
    ("GM0202", "Arnhem"),
    ("GM0268", "Nijmegen"),
    ("GM0193", "Zwolle"),
    ("GM0935", "Maastricht"),
    ("GM1680", "Aa en Hunze"),
]
SPECIAL_BUURTEN = {"BU05990109": "Vreewijk"}  # the stand-in of the Vreewijk case (notebook 05)
BBGA_AREA = "GM0363"  # the synthetic Amsterdam, whose wijken stand in for the BBGA's gebieden


def gemeente_codes(n: int) -> tuple[list[str], list[str]]:
    """Codes and names of the world's first gemeenten.

    (they borrow the codes of real ones, and say in their names that they are synthetic).

    Parameters
    ----------
    n : int
        how many

    Returns
    -------
    tuple
        ``(codes, names)``
    """
    codes = [GEMEENTEN[i][0] if i < len(GEMEENTEN) else f"GM{9000 + i:04d}" for i in range(n)]
    names = [f"Synthetisch {GEMEENTEN[i][1]}" if i < len(GEMEENTEN) else f"Synthetische gemeente {i}" for i in range(n)]
    return codes, names


def _layout(n: int, params: dict):
    """Codes and cell positions: gemeente blocks of wijken (rows) x buurten (columns).

    Buurten are numbered through the gemeente (BU + wijk code + a number unique in the gemeente), as CBS does in many
    gemeenten.
    """
    w = params["world"]
    per_wijk, wijken = w["buurten_per_wijk"], w["wijken_per_gemeente"]
    per_gemeente = per_wijk * wijken
    if per_gemeente > 100:
        raise ArgumentError("scenario: at most 100 buurten per gemeente (buurten_per_wijk x wijken_per_gemeente)")
    index = np.arange(n)
    g, within = np.divmod(index, per_gemeente)
    wk, b = np.divmod(within, per_wijk)
    columns = int(np.ceil(np.sqrt(max(1, int(np.ceil(n / per_gemeente))))))
    gx, gy = np.divmod(g, columns)
    x = gx * (per_wijk + 1) + b
    y = gy * (wijken + 1) + wk
    codes, _ = gemeente_codes(int(g.max()) + 1)
    gem = np.array(codes)[g]
    digits = np.char.replace(gem, "GM", "")
    wijk = np.char.add(np.char.add("WK", digits), np.char.zfill(wk.astype(str), 2))
    buurt = np.char.add(
        np.char.add(np.char.add("BU", digits), np.char.zfill(wk.astype(str), 2)), np.char.zfill(within.astype(str), 2)
    )
    return g, wk, b, x, y, gem, wijk, buurt


def _neighbourhoods(n: int, params: dict, rng, geometry: bool) -> pd.DataFrame:
    c = params["composition"]
    g, wk, b, x, y, gem, wijk, buurt = _layout(n, params)
    # a smooth urban-rural field: a few random waves over the map plus a gemeente effect
    span = max(x.max(), y.max(), 1)
    field_ = np.zeros(n)
    for _ in range(3):
        fx, fy, phase = rng.uniform(0.5, 2.0), rng.uniform(0.5, 2.0), rng.uniform(0, 2 * np.pi)
        field_ += np.sin(2 * np.pi * (fx * x + fy * y) / span + phase)
    field_ += rng.normal(0, 0.8, g.max() + 1)[g] + rng.normal(0, 0.3, n)
    urban = np.tanh(field_ / 2)
    s = c["urban_spread"]
    share = {
        "owner": expit(logit(c["owner_share"]) - s * urban),
        "single": expit(logit(c["single_person_share"]) + s * urban),
        "young": expit(logit(c["age_18_29_share"]) + 0.7 * s * urban),
        "old": expit(logit(c["age_65_plus_share"]) - 0.5 * s * urban),
        "non_dutch": expit(logit(c["non_dutch_share"]) + s * urban),
    }
    problem_score = urban - 1.2 * (share["owner"] - c["owner_share"]) + rng.normal(0, 0.5, n)
    problem = problem_score >= np.quantile(problem_score, 1 - c["problem_share"])
    frame = pd.DataFrame(
        {
            "buurt_code": buurt,
            "wijk_code": wijk,
            "gemeente_code": gem,
            "gemeente_index": g,
            "x": x,
            "y": y,
            "urban": urban,
            "livability": np.where(problem, "problem", "good"),
            **{f"share_{k}": v for k, v in share.items()},
            "random_intercept": rng.normal(0, params["participation"]["neighbourhood_sd"], n),
        }
    )
    if geometry:
        import geopandas as gpd
        import shapely

        size = params["world"]["cell_size_m"]
        x0, y0 = 100_000 + x * size, 400_000 + y * size
        frame = gpd.GeoDataFrame(frame, geometry=shapely.box(x0, y0, x0 + size, y0 + size), crs=28992)
    return frame


def _residents(nb: pd.DataFrame, params: dict, rng, year: int) -> pd.DataFrame:
    per = params["world"]["residents_per_buurt"]
    n_nb = len(nb)
    j = np.repeat(np.arange(n_nb), per)
    n = j.size
    sh = {k: nb[f"share_{k}"].to_numpy()[j] for k in ("owner", "single", "young", "old", "non_dutch")}
    problem = (nb["livability"].to_numpy() == "problem")[j]
    # age group and age
    u = rng.random(n)
    p_young, p_old = sh["young"], sh["old"]
    p_30 = (1 - p_young - p_old) * 0.45
    group = np.where(u < p_young, 0, np.where(u < p_young + p_30, 1, np.where(u < 1 - p_old, 2, 3)))
    low = np.array([18, 30, 45, 65])[group]
    high = np.array([29, 44, 64, 90])[group]
    age = (low + np.floor(rng.random(n) * (high - low + 1))).astype(np.int16)
    young, a3044, old = group == 0, group == 1, group == 3
    c = params["composition"]
    student = young & (rng.random(n) < c["student_share_of_young"] * (1 + nb["urban"].to_numpy()[j]) / 1.5)
    single = rng.random(n) < expit(logit(sh["single"]) + 0.8 * young + 0.4 * old - 0.3 * a3044)
    other = rng.random(n)
    household = np.where(single, 0, np.where(other < 0.45, 1, np.where(other < 0.9, 2, 3)))
    owner = rng.random(n) < expit(logit(sh["owner"]) + 0.5 * old - 0.9 * young - 0.5 * single - 1.5 * student)
    social = ~owner & (rng.random(n) < c["social_rent_share_of_renters"] - 0.2 * young)
    tenure = np.where(owner, 0, np.where(social, 1, 2))
    mean_years = params["residence"]["mean_years_at_address"]
    scale = mean_years * np.where(young, 0.3, np.where(old, 1.6, 1.0)) / 1.2
    years = np.minimum(rng.gamma(1.2, scale), age - 17.5).round(1)
    years = np.maximum(years, 0.1)
    non_dutch = rng.random(n) < sh["non_dutch"]
    origin = np.where(~non_dutch, 0, np.where(rng.random(n) < 0.4, 1, 2))
    t = params["trust"]
    trust = rng.random(n) < expit(
        t["intercept"]
        + t["age_18_29"] * young
        + t["age_65_plus"] * old
        + t["per_year_at_address"] * np.minimum(years, 15)
        + t["problem_area"] * problem
    )
    p = params["participation"]
    eta = (
        p["intercept"]
        + nb["random_intercept"].to_numpy()[j]
        + p["owner"] * owner
        + p["social_rent"] * (tenure == 1)
        + p["single_person"] * single
        + p["student"] * student
        + p["age_30_44"] * a3044
        + p["age_65_plus"] * old
        + p["non_dutch"] * non_dutch
        + p["trust"] * trust
        + p["residence_slope_per_year"] * np.minimum(years, p["residence_breakpoint_years"])
        + problem
        * (
            p["problem_area"]
            + p["problem_x_age_65_plus"] * old
            + p["problem_x_non_dutch"] * non_dutch
            + p["problem_x_age_30_44"] * a3044
        )
    )
    participates = rng.random(n) < expit(eta)
    volunteers = participates & (rng.random(n) < params["survey"]["volunteering_share_of_participants"])
    pl = params["plans"]
    aware = rng.random(n) < expit(
        pl["aware_intercept"] + pl["aware_problem_area"] * problem + pl["aware_owner"] * owner
    )
    confident = rng.random(n) < expit(
        pl["confidence_intercept"]
        + pl["confidence_aware"] * aware
        + pl["confidence_problem_area"] * problem
        + pl["confidence_owner"] * owner
    )
    sd = params["survey"]["weight_sd"]
    weight = rng.lognormal(-sd * sd / 2, sd, n)
    weight = weight / weight.mean()
    cat = pd.Categorical.from_codes
    return pd.DataFrame(
        {
            "respondent_id": np.arange(1, n + 1, dtype=np.int64),
            "buurt_code": cat(j, nb["buurt_code"].astype(str).to_numpy()),
            "wijk_code": nb["wijk_code"].to_numpy()[j].astype(str),
            "gemeente_code": nb["gemeente_code"].to_numpy()[j].astype(str),
            "survey_year": np.full(n, year, dtype=np.int16),
            "age": age,
            "age_group": cat(group, AGE_GROUPS),
            "household_type": cat(household, HOUSEHOLDS),
            "tenure": cat(tenure, TENURES),
            "years_at_address": years.astype(np.float32),
            "origin": cat(origin, ORIGINS),
            "student": student,
            "participates": participates.astype(np.int8),
            "volunteers": volunteers.astype(np.int8),
            "trust_neighbours": trust.astype(np.int8),
            "aware_of_plans": aware.astype(np.int8),
            "confidence_in_future": confident.astype(np.int8),
            "livability": cat(problem.astype(np.int8), LIVABILITY),
            "weight": weight.astype(np.float32),
        }
    )


@lru_cache(maxsize=4)
def default_world(seed: int = 1) -> World:
    """The world of the default scenario for a seed (generated once per session).

    Parameters
    ----------
    seed : int
        the random seed

    Returns
    -------
    World
    """
    return generate(seed=seed)


# ------------------------------------------------------------------------------------------------------------
# Neighbourhood tables with the canonical columns the real loaders return (for running every notebook offline)


def _share(mask, groups, n_groups):
    return (
        100.0 * np.bincount(groups, mask.astype(float), n_groups) / np.maximum(np.bincount(groups, None, n_groups), 1)
    )


def neighbourhood_table(world: World, year: int | None = None) -> pd.DataFrame:
    """One row per buurt with its composition (register-like, from all sampled residents) and survey outcomes.

    Parameters
    ----------
    world : World
        the world
    year : int, optional
        the survey wave (default: the scenario's year)

    Returns
    -------
    DataFrame
    """
    year = world.params["world"]["year"] if year is None else year
    if year not in world._tables:
        world._tables[year] = _neighbourhood_table(world, year)
    return world._tables[year].copy()


def _neighbourhood_table(world: World, year: int) -> pd.DataFrame:
    r = world.residents_for(year)
    nb = world.neighbourhoods
    n = len(nb)
    j = r["buurt_code"].cat.codes.to_numpy()
    age, years = r["age"].to_numpy(), r["years_at_address"].to_numpy()
    tenure, household, origin = (r[c].astype(str).to_numpy() for c in ("tenure", "household_type", "origin"))
    count = np.bincount(j, None, n)
    population = count * 12
    rng = np.random.default_rng([world.seed, year, 7])
    trust = _share(r["trust_neighbours"].to_numpy() == 1, j, n)
    cohesion_noise = lambda sd=3.0: rng.normal(0, sd, n)  # noqa: E731 (items share trust, each with its own noise)
    urban = nb["urban"].to_numpy()
    out = pd.DataFrame(
        {
            "region_code": nb["buurt_code"].astype(str).to_numpy(),
            "region_name": buurt_names(nb),
            "level": "buurt",
            "gemeente_code": nb["gemeente_code"].astype(str).to_numpy(),
            "gemeente_name": nb["gemeente_code"].astype(str).map(gemeente_name).to_numpy(),
            "wijk_code": nb["wijk_code"].astype(str).to_numpy(),
            "year": year,
            "division_year": year,
            "population": population.astype(float),
            "n_households": np.round(population / 2.1),
            "pct_single_person_households": _share(household == "single", j, n),
            "pct_age_15_24": _share(age < 25, j, n) * 0.8,
            "pct_age_25_44": _share((age >= 25) & (age < 45), j, n) * 0.8,
            "pct_age_45_64": _share((age >= 45) & (age < 65), j, n) * 0.8,
            "pct_age_65_plus": _share(age >= 65, j, n) * 0.8,
            "pct_age_18_22": _share(age <= 22, j, n) * 0.8,
            "pct_age_23_39": _share((age >= 23) & (age <= 39), j, n) * 0.8,
            "pct_owner_occupied": _share(tenure == "owner", j, n),
            "pct_social_rent": _share(tenure == "social_rent", j, n),
            "pct_non_dutch_origin": _share(origin != "dutch", j, n),
            "pct_non_western": _share(origin == "non_western", j, n),
            "pct_students": _share(r["student"].to_numpy(), j, n),
            "density": np.round(2000 * np.exp(1.5 * urban)),
            "mean_woz": np.round(250 + 150 * (-urban) + rng.normal(0, 20, n)),
            "mean_income_per_resident": np.round(30 - 4 * urban + rng.normal(0, 1.5, n), 1),
            "mean_years_at_address": np.bincount(j, years, n) / np.maximum(count, 1),
            "pct_long_term_residents": _share(years >= 10, j, n),
            "pct_residential_mobility": _share(years < 2, j, n),
            "pct_volunteering": _share(r["volunteers"].to_numpy() == 1, j, n),
            "pct_active_for_neighbourhood": _share(r["participates"].to_numpy() == 1, j, n),
            "pct_informal_carer": np.clip(14 + rng.normal(0, 2, n) + 0.05 * _share(age >= 45, j, n), 0, 100),
            "pct_lonely": np.clip(75 - 0.45 * trust + rng.normal(0, 2, n), 0, 100),
            "pct_know_each_other": np.clip(trust - 35 + cohesion_noise(), 0, 100),
            "pct_help_each_other": np.clip(trust - 20 + cohesion_noise(), 0, 100),
            "pct_much_contact": np.clip(trust - 45 + cohesion_noise(), 0, 100),
            "pct_feel_at_home": np.clip(trust - 25 + cohesion_noise(), 0, 100),
            "pct_shared_norms": np.clip(trust - 40 + cohesion_noise(), 0, 100),
            "pct_attached_to_neighbourhood": np.clip(trust - 25 + cohesion_noise(4), 0, 100),
            "pct_responsible_for_neighbourhood": np.clip(trust + cohesion_noise(4), 0, 100),
            "pct_contact_with_neighbours": np.clip(trust - 15 + cohesion_noise(), 0, 100),
            "pct_proud_of_neighbourhood": np.clip(trust - 25 + cohesion_noise(5), 0, 100),
            "pct_trust_municipality": np.clip(35 + rng.normal(0, 6, n), 0, 100),
            "pct_expects_progress": _share(r["confidence_in_future"].to_numpy() == 1, j, n) * 0.5,
            "social_cohesion": np.round(3.5 + trust / 25 + rng.normal(0, 0.15, n), 1),
            "involvement": np.round(
                4.0 + _share(r["participates"].to_numpy() == 1, j, n) / 15 + rng.normal(0, 0.2, n), 1
            ),
            "livability": nb["livability"].to_numpy(),
        }
    )
    out["n_single_person_households"] = np.round(out["n_households"] * out["pct_single_person_households"] / 100)
    out["social_index"] = 100 + (trust - trust.mean()) * 0.8 + rng.normal(0, 4, n)
    out["social_index_subjective"] = out["social_index"] + rng.normal(0, 5, n)
    out["social_index_objective"] = out["social_index"] + rng.normal(0, 5, n)
    out["physical_index"] = 100 - 10 * urban + rng.normal(0, 6, n)
    out["safety_index"] = 100 - 12 * (nb["livability"].to_numpy() == "problem") + rng.normal(0, 6, n)
    # the Wijkprofiel's objective parts and involvement in plans (no draws: the world's random stream is unchanged)
    out["physical_index_objective"] = out["physical_index"]
    out["safety_index_objective"] = out["safety_index"]
    out["pct_involved_in_plans"] = _share(r["aware_of_plans"].to_numpy() == 1, j, n) * 0.3
    if "geometry" in nb:
        import geopandas as gpd

        out = gpd.GeoDataFrame(out, geometry=nb.geometry.to_numpy(), crs=nb.crs)
    return out


def gemeente_name(code: str) -> str:
    """The name of a synthetic gemeente.

    Parameters
    ----------
    code : str
        its code

    Returns
    -------
    str
    """
    names = dict(zip(*gemeente_codes(len(GEMEENTEN))))
    return names.get(code, f"Synthetische gemeente {code[2:]}")


def buurt_names(nb: pd.DataFrame) -> list[str]:
    """The names of the buurten of a neighbourhood table (the case's stand-in keeps its real name).

    Parameters
    ----------
    nb : DataFrame
        with ``buurt_code``

    Returns
    -------
    list of str
    """
    return [SPECIAL_BUURTEN.get(code, f"Synthetische buurt {code[-4:]}") for code in nb["buurt_code"].astype(str)]


def _aggregate(table: pd.DataFrame, key: str, level: str) -> pd.DataFrame:
    """Population-weighted means of percentages and sums of counts per ``key`` (wijk_code, gemeente_code)."""
    numeric = [
        c
        for c in table.columns
        if c not in ("year", "division_year", key, "area_number") and pd.api.types.is_numeric_dtype(table[c])
    ]
    w = table["population"]
    values = table[numeric].astype("float64")
    weighted = values.mul(w, axis=0).where(values.notna())
    weights = values.notna().mul(w, axis=0)
    out = weighted.groupby(table[key]).sum() / weights.groupby(table[key]).sum()
    for c in ("population", "n_households", "n_single_person_households"):
        out[c] = table[c].groupby(table[key]).sum()
    out = out.reset_index().rename(columns={key: "region_code"})
    out["level"] = level
    gem = table.groupby(key)["gemeente_code"].first()
    out["gemeente_code"] = out["region_code"].map(gem) if level != "land" else None
    out["gemeente_name"] = out["gemeente_code"].map(lambda c: gemeente_name(c) if c else None)
    if level == "land":
        out["region_name"] = "Synthetisch land"
    elif level == "gemeente":
        out["region_name"] = out["region_code"].map(gemeente_name)
    else:
        out["region_name"] = "Synthetische wijk " + out["region_code"].str[-4:]
    out["year"] = table["year"].iloc[0]
    out["division_year"] = table["division_year"].iloc[0]
    if "geometry" in table:
        import geopandas as gpd

        shapes = gpd.GeoDataFrame(table[[key, "geometry"]], geometry="geometry", crs=table.crs).dissolve(by=key)
        out = gpd.GeoDataFrame(out, geometry=out["region_code"].map(shapes.geometry).to_numpy(), crs=table.crs)
    return out


def regions(world: World, year: int | None = None, geometry: bool = True) -> pd.DataFrame:
    """Buurten, wijken, gemeenten and the land in one table, like the real KWB and RIVM tables.

    Parameters
    ----------
    world : World
        the world
    year : int, optional
        the survey wave (default: the scenario's year)
    geometry : bool
        keep the polygons

    Returns
    -------
    DataFrame or GeoDataFrame

    Examples
    --------
    >>> from wijkstudie import synthetic
    >>> table = synthetic.regions(synthetic.default_world(), geometry=False)  # doctest: +SKIP
    """
    buurten = neighbourhood_table(world, year)
    if not geometry:
        buurten = pd.DataFrame(buurten.drop(columns="geometry", errors="ignore"))
    wijken = _aggregate(buurten, "wijk_code", "wijk")
    gemeenten = _aggregate(buurten, "gemeente_code", "gemeente")
    land = _aggregate(buurten.assign(_land="NL01"), "_land", "land")
    parts = [land, gemeenten, wijken, buurten.drop(columns=["wijk_code"])]
    frame = pd.concat(parts, ignore_index=True)
    if "geometry" in buurten:
        import geopandas as gpd

        frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=buurten.crs)
    return frame
