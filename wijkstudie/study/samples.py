"""The declared independent samples (findings.yaml ``samples``) as tables.

Rotterdam's wijken in the Wijkprofiel's six waves, Amsterdam's gebieden in the BBGA, the Veiligheidsmonitor's gemeenten
in its two designs, and CBS's national survey table by personal characteristics; each area sample with its livability
classes built from direct data (``livability.direct_class``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..core.provenance import carry, provenance_of
from ..data.derived import derived_table
from ..data.loading import load
from .designs import PRIMARY_SCOPE, sample_design
from .livability import direct_class
from .scope import scope_of

TESTED = (  # the study's tested predictors: a livability class is never built from them
    "pct_owner_occupied",
    "pct_single_person_households",
    "pct_students",
    "pct_age_18_22",
    "pct_long_term_residents",
    "mean_years_at_address",
    "cohesion_scale",
    "social_cohesion",
    "pct_would_give_neighbour_key",
    "pct_involved_in_plans",
    "pct_gemeente_informs_neighbourhood",
)


@dataclass
class DeclaredSample:
    """One declared independent sample.

    Its key in findings.yaml, its table (one row per area and wave, or the long table of a survey by personal
    characteristic), and its livability classes {(definition, cut-off): (class per row, definition record)}.
    """

    key: str
    table: pd.DataFrame
    classes: dict = field(default_factory=dict)
    edition: int | None = None  # another edition of the sample's source (its robustness), when not the declared one

    @property
    def design(self) -> dict:
        """The sample's declaration.

        Returns
        -------
        dict
            findings.yaml ``samples[key]``
        """
        return sample_design(self.key)

    @property
    def name(self) -> str:
        """The sample's name with its waves, as tests and tables show it.

        Returns
        -------
        str
            e.g. "Rotterdam wijken 2014–2024"
        """
        return f"{self.design['name']} {self.waves}".strip()

    @property
    def waves(self) -> str:
        """The first and last wave of the rows (e.g. "2014–2024"), or the declared text.

        Returns
        -------
        str
        """
        if "year" in self.table and self.table["year"].notna().any():
            years = sorted(int(y) for y in self.table["year"].dropna().unique())
            return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
        return str(self.design.get("waves", ""))

    @property
    def pooled(self) -> bool:
        """Whether the sample pools several waves of the same areas (wave effects, errors clustered by area).

        Returns
        -------
        bool
        """
        return self.design.get("evidence_level") == "areas" and self.table["year"].nunique() > 1

    @property
    def scope(self) -> str:
        """The scope of the sample's evidence (``scope_of`` its table).

        Returns
        -------
        str
        """
        return scope_of(self.table) if "gemeente_code" in self.table else ""

    def reliability(self, outcome: str) -> float:
        """The outcome's wave-to-wave reliability across the sample's areas.

        The mean correlation between consecutive waves that both have at least five areas with a value.

        Parameters
        ----------
        outcome : str
            a column of the table

        Returns
        -------
        float
            NaN for a sample with one wave, or an outcome in fewer than two waves
        """
        table = self.table
        if outcome not in table or "year" not in table or "region_code" not in table:
            return float("nan")
        data = table[["region_code", "year", outcome]]
        data.attrs = {}  # pandas deep-copies attrs at every step; the correlations need only the numbers
        wide = data.pivot_table(index="region_code", columns="year", values=outcome, aggfunc="first")
        wide = wide.loc[:, wide.notna().sum() >= 5]
        pairs = [wide[a].corr(wide[b]) for a, b in zip(wide.columns[:-1], wide.columns[1:])]
        pairs = [r for r in pairs if r == r]
        return float(sum(pairs) / len(pairs)) if pairs else float("nan")

    def has(self, column: str) -> bool:
        """Whether the sample's table has at least five values of ``column`` (a study column may be built).

        Parameters
        ----------
        column : str

        Returns
        -------
        bool
        """
        return column in self.table and int(self.table[column].notna().sum()) >= 5

    def scope_kept(self, areas: str, scope: str = PRIMARY_SCOPE, share: float | None = None) -> str:
        """How many areas a scope keeps, in short.

        Parameters
        ----------
        areas : str
            "positive livability", "problem areas" or "all areas"
        scope : str
            the livability definition's name
        share : float, optional
            its cut-off (the declared first by default)

        Returns
        -------
        str
            e.g. "positive livability: 56 of 71 wijken", "all 54 gemeenten"
        """
        word = self.design.get("areas", "areas")
        if areas == "all areas" or not self.classes:
            n = self.table["region_code"].nunique() if "region_code" in self.table else 0
            return f"all {n} {word}" if n else "all areas"
        share = share if share is not None else next(iter(self.classes))[1]
        definition = self.classes[(scope, share)][1]
        problem = definition["problem_areas"]
        kept = problem if areas == "problem areas" else definition["scored_areas"] - problem
        return f"{areas}: {kept} of {definition['areas']} {word}"

    def scope_text(self, scope: str = PRIMARY_SCOPE, share: float | None = None) -> str:
        """A livability class's definition and how many areas it keeps, for every place a scope is printed.

        Parameters
        ----------
        scope : str
            the definition's name (``PRIMARY_SCOPE`` or one of the declared alternatives)
        share : float, optional
            the cut-off (the declared first by default)

        Returns
        -------
        str
            e.g. "problem areas = the worst 20 % of 63 wijken on physical_index_objective and safety_index_objective
            (13 wijken); the others have a positive livability (50)"; "no livability class" when the sample has none
        """
        if not self.classes:
            return "no livability class: all areas (outside the stated scope)"
        share = share if share is not None else next(iter(self.classes))[1]
        _, definition = self.classes[(scope, share)]
        areas = self.design.get("areas", "areas")
        return (
            f"problem areas = the worst {100 * share:.0f} % of {definition['scored_areas']} {areas} on "
            f"{' and '.join(definition['built_from'])} ({definition['problem_areas']} {areas}); the other "
            f"{definition['scored_areas'] - definition['problem_areas']} have a positive livability; "
            f"{definition['areas'] - definition['scored_areas']} of {definition['areas']} have no class"
        )


def _classes(key: str, table: pd.DataFrame) -> dict:
    """Every declared livability class of a sample: {(definition name, cut-off): (class, definition)}."""
    livability = sample_design(key).get("livability")
    if not isinstance(livability, dict):
        return {}
    better = {item: livability.get("better", "high") for item in livability["built_from"]}
    better.update(livability.get("better_of", {}))
    definitions = {PRIMARY_SCOPE: livability["built_from"], **livability.get("alternatives", {})}
    out = {}
    for name, items in definitions.items():
        if not all(item in table and table[item].notna().any() for item in items):
            continue
        for share in livability.get("shares", [0.2]):
            out[(name, share)] = direct_class(table, built_from=items, better=better, share=share, tested=TESTED)
    return out


def rotterdam_wijken(year: int, edition: int | None = None) -> pd.DataFrame:
    """Rotterdam's wijken in one Wijkprofiel wave.

    (the 2014-2024 edition unless ``edition`` says otherwise) with the register context of 1-1-2015 and the cohesion
    scale.

    Parameters
    ----------
    year : int
        the wave, 2014-2024 (even years)
    edition : int, optional
        the edition of the Wijkprofiel (``load``'s ``edition``): by default the newest; 2016 for the 2016 file's
        2014 and 2016 waves

    Returns
    -------
    DataFrame
        one row per wijk, the profile's columns, the context's composition and ``cohesion_scale``
    """
    from ..models import scale_score
    from .cities import COHESION, CONTEXT_YEAR, ROTTERDAM_CONTEXT

    profile = load("rotterdam-wijkprofiel", year=year, edition=edition)
    context = load("rotterdam-wijkprofiel", year=CONTEXT_YEAR, sheet="context")
    wijken = profile[profile["area_type"] == "wijk"].merge(
        context[["area_number"] + ROTTERDAM_CONTEXT], on="area_number", how="left", validate="one_to_one"
    )
    items = [c for c in COHESION if c in wijken and wijken[c].notna().any()]
    wijken["cohesion_scale"] = scale_score(wijken[items])
    return carry(wijken, profile, context)


def rotterdam_sample(edition: int | None = None) -> DeclaredSample:
    """Rotterdam's wijken in the Wijkprofiel's six waves (one sample), classed by its objective indices.

    With ``edition`` the waves that edition holds (the declared ``other_edition``, 2016: its 2014 and 2016 waves, the
    sample's robustness).

    Parameters
    ----------
    edition : int, optional
        the Wijkprofiel's edition (by default the declared one: every wave in one definition)

    Returns
    -------
    DeclaredSample
        key ``rotterdam-wijkprofiel``
    """
    design = sample_design("rotterdam-wijkprofiel")
    if edition in (None, design.get("edition")):
        table, edition = _sample_table("rotterdam-wijkprofiel"), None
    else:  # another edition: its own waves (the robustness of the declared sample), kept with the derived tables
        table = _edition_table(edition)
    return DeclaredSample("rotterdam-wijkprofiel", table, _classes("rotterdam-wijkprofiel", table), edition=edition)


def amsterdam_sample() -> DeclaredSample:
    """Amsterdam's gebieden in every year the BBGA holds a participation item (one sample).

    Classed by the BBGA's nuisance index.

    Returns
    -------
    DeclaredSample
        key ``amsterdam-bbga``
    """
    table = _sample_table("amsterdam-bbga")
    return DeclaredSample("amsterdam-bbga", table, _classes("amsterdam-bbga", table))


VM_COMPOSITION = {  # the KWB year of each composition column of the Veiligheidsmonitor's gemeenten
    2022: ["population", "pct_owner_occupied", "pct_age_65_plus", "pct_age_25_44", "urbanity", "pct_low_income"],
    2017: ["pct_non_dutch_origin", "pct_non_western"],
}


@derived_table()
def gemeente_survey(table_id: str) -> pd.DataFrame:
    """A StatLine survey table by region as one row per linked gemeente and year, a column per variable.

    Parameters
    ----------
    table_id : str
        e.g. ``"85146NED"``

    Returns
    -------
    DataFrame
        ``region_code``, ``region_name``, ``gemeente_code``, ``year`` and the mapped variables' values (police units
        and unlinked gemeenten left out); its provenance is the table's
    """
    long = load("cbs-statline", table=table_id)
    rows = long[(long["region_kind"] == "gemeente") & long["region_code"].notna() & long["variable"].notna()]
    wide = rows.pivot_table(index=["region_code", "year"], columns="variable", values="value", aggfunc="first")
    names = rows.drop_duplicates("region_code").set_index("region_code")["region"]
    wide = wide.reset_index()
    wide.columns.name = None
    wide["region_name"] = wide["region_code"].map(names)
    wide["gemeente_code"] = wide["region_code"]
    wide["level"] = "gemeente"
    return carry(wide, long)


def vm_sample(key: str) -> DeclaredSample:
    """The Veiligheidsmonitor's gemeenten of one design series (one sample).

    With KWB composition and classed by the livability mark.

    Parameters
    ----------
    key : str
        ``"veiligheidsmonitor-2013-2019"`` or ``"veiligheidsmonitor-2021-2023"``

    Returns
    -------
    DeclaredSample
    """
    table = _sample_table(key)
    return DeclaredSample(key, table, _classes(key, table))


def residents_sample(key: str = "cbs-sociale-samenhang", table_id: str | None = None) -> DeclaredSample:
    """CBS's national survey table by personal characteristic (long form), a resident-level sample.

    Parameters
    ----------
    key : str
        the declared sample
    table_id : str, optional
        another table of the same respondents (its robustness, e.g. ``"82249NED"``); by default the declared one

    Returns
    -------
    DeclaredSample
        without livability classes (one-way tables)
    """
    return DeclaredSample(key, _residents_table(table_id or sample_design(key)["table"]))


@derived_table()
def _residents_table(table_id: str) -> pd.DataFrame:
    """CBS's survey table ``table_id`` as loaded (long form), kept with the derived tables."""
    return load("cbs-statline", table=table_id)


def _design_of(arguments: dict) -> dict:
    """The declaration of the sample a cached table is built for (findings.yaml ``samples[key]``)."""
    return sample_design(arguments["key"])


def _rotterdam_waves(years, edition: int | None = None) -> pd.DataFrame:
    """Rotterdam's wijken in the given Wijkprofiel waves (of one edition), one table."""
    waves = [rotterdam_wijken(year, edition) for year in years]
    return carry(pd.concat(waves, ignore_index=True), *waves)


def _rotterdam_design(arguments: dict) -> dict:
    """The declaration of Rotterdam's sample (findings.yaml), which decides an edition's table too."""
    return sample_design("rotterdam-wijkprofiel")


@derived_table(extra=_rotterdam_design)
def _edition_table(edition: int) -> pd.DataFrame:
    """Rotterdam's wijken in the declared waves another Wijkprofiel edition holds (its 2014 and 2016 waves for 2016)."""
    waves = sample_design("rotterdam-wijkprofiel")["waves"]
    return _rotterdam_waves([year for year in waves if year <= edition], edition)


@derived_table(extra=_design_of)
def _sample_table(key: str) -> pd.DataFrame:
    """The table of a declared area sample (Rotterdam, Amsterdam, a Veiligheidsmonitor series), built from its sources.

    The livability classes are made from it by the sample's function.
    """
    if key == "rotterdam-wijkprofiel":
        return _rotterdam_waves(sample_design(key)["waves"])
    if key == "amsterdam-bbga":
        from .cities import amsterdam_gebieden

        gebieden = amsterdam_gebieden()
        outcomes = [c for c in ("pct_active_for_neighbourhood", "pct_volunteering", "involvement") if c in gebieden]
        surveyed = gebieden.dropna(subset=outcomes, how="all")["year"].unique()  # the years of its survey waves
        return carry(gebieden[gebieden["year"].isin(surveyed)].reset_index(drop=True), gebieden)
    design = sample_design(key)
    survey = gemeente_survey(design["table"])
    survey = survey[survey["year"].isin(design["waves"])]
    parts = [survey]
    table = survey
    for year, columns in VM_COMPOSITION.items():
        kwb = load("kwb", year=year, level="gemeente")
        have = [c for c in columns if c in kwb]
        table = table.merge(kwb[["region_code"] + have], on="region_code", how="left")
        parts.append(kwb)
    return carry(table.reset_index(drop=True), *parts)


def declared_samples() -> dict[str, DeclaredSample]:
    """Every declared area sample, by key (the resident-level tables are read by ``residents_sample``).

    Returns
    -------
    dict
        {key: DeclaredSample} for Rotterdam, Amsterdam and both Veiligheidsmonitor series
    """
    samples = [rotterdam_sample(), amsterdam_sample()]
    samples += [vm_sample(key) for key in ("veiligheidsmonitor-2013-2019", "veiligheidsmonitor-2021-2023")]
    return {sample.key: sample for sample in samples}


def samples_overview(samples: dict) -> pd.DataFrame:
    """The samples at a glance: level, areas, waves, livability class (its definition and what it keeps) and data.

    Parameters
    ----------
    samples : dict
        {key: DeclaredSample}

    Returns
    -------
    DataFrame
        one row per sample (index: its name)
    """
    rows = []
    for sample in samples.values():
        table = sample.table
        areas = table["region_code"].nunique() if "region_code" in table else 0
        rows.append(
            {
                "sample": sample.name,
                "level": sample.design.get("level", ""),
                "areas": f"{areas} {sample.design.get('areas', '')}".strip() if areas else sample.design.get("areas"),
                "waves": sample.waves,
                "livability class": sample.scope_text(),
                "data": provenance_of(table).describe(),
            }
        )
    return pd.DataFrame(rows).set_index("sample")
