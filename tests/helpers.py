"""Helpers the tests share, imported as ``from helpers import ...`` (fixtures live in conftest.py, which
tests never import): paths, small files in the publishers' layouts, hand-made finding tests."""

from __future__ import annotations

import html.parser
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from wijkstudie.data.reports import WijkstudieWarning
from wijkstudie.study import evidence as ev
from wijkstudie.study import findings as fd

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def warns_municipal_extract():
    """Expect the warning a small file in the publishers' layout (``FIXTURES``: the land row and one gemeente,
    Testdorp) gets each time it is read, from the file or from the cache: a municipal extract, or a national file
    cut off early?"""
    return pytest.warns(WijkstudieWarning, match=r"holds the land row but only 1 of the \d+ gemeenten of division")


def run_cli(capsys, *args) -> subprocess.CompletedProcess:
    """The ``wijkstudie`` command run in this process (``wijkstudie.cli.main``), as ``subprocess.run`` would report
    it: the exit status, standard output, and standard error with the warnings a user would see there."""
    from wijkstudie.cli import main

    capsys.readouterr()  # what the test printed before
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse refuses the arguments
            code = exc.code
    out, err = capsys.readouterr()
    shown = "".join(warnings.formatwarning(w.message, w.category, w.filename, w.lineno) for w in caught)
    return subprocess.CompletedProcess(["wijkstudie", *map(str, args)], code, out, shown + err)


def find_real_mirror(checkout: Path = REPO, environ=None) -> tuple[Path | None, str]:
    """The real snapshot of the publishers' files the tests run on, and what was looked at: ``WIJKSTUDIE_MIRROR``,
    else the ``mirror`` of the checkout's project file (``WIJKSTUDIE_CONFIG``, else the ``wijkstudie.toml`` or
    ``[tool.wijkstudie]`` of a ``pyproject.toml`` found from ``checkout`` upwards, as the package finds it), else
    ``../shared/data`` beside the checkout (the Makefile's convenience). A folder counts when it holds a
    ``MANIFEST.md``. Returns the folder (or None) and, when none was found, what was looked at and why it was not
    used (the skip message of the real-data tests)."""
    from wijkstudie.core import settings as settings_module
    from wijkstudie.core.errors import WijkstudieError

    environ = os.environ if environ is None else environ
    looked = []

    def usable(path: Path, where: str) -> Path | None:
        path = path.expanduser().resolve()
        if (path / "MANIFEST.md").is_file():
            return path
        looked.append(f"{where} names {path}, which holds no MANIFEST.md")
        return None

    if environ.get("WIJKSTUDIE_MIRROR", "").strip():
        found = usable(Path(environ["WIJKSTUDIE_MIRROR"].strip()), "WIJKSTUDIE_MIRROR")
        if found:
            return found, ""
    else:
        looked.append("WIJKSTUDIE_MIRROR is not set")
    named = environ.get(settings_module.CONFIG_ENV, "").strip()
    try:
        if named.lower() == "none":
            project, why = None, f"{settings_module.CONFIG_ENV}=none reads no project file"
        elif named:
            project = settings_module._read_project_file(Path(named).expanduser().resolve(), required=True)
            why = ""
        else:
            project = settings_module._locate(Path(checkout).resolve())
            why = f"no wijkstudie.toml or [tool.wijkstudie] from {checkout} up to its repository root"
    except WijkstudieError as exc:
        project, why = None, f"the project file cannot be read ({exc})"
    if project is not None:
        value = str(project.values.get("mirror") or "").strip()
        if value:
            found = usable(project.path.parent / value, f"mirror in {project.label}")
            if found:
                return found, ""
        else:
            looked.append(f"{project.label} sets no mirror")
    elif why:
        looked.append(why)
    beside = Path(checkout).resolve().parent / "shared" / "data"
    found = usable(beside, "the folder beside the checkout")
    return (found, "") if found else (None, "; ".join(looked))


REAL_MIRROR, REAL_MIRROR_LOOKED_AT = find_real_mirror()


def write_kwb_workbook(path: Path, year: int = 2023, rows: list[dict] | None = None) -> Path:
    """A small workbook in the layout of CBS's kwb-YYYY.xlsx (one sheet 'kwb-YYYY', short column names)."""
    rows = rows or [
        {
            "gwb_code_10": "GM9901",
            "gwb_code_8": 9901,
            "regio": "Testdorp",
            "gm_naam": "Testdorp",
            "recs": "Gemeente",
            "gwb_code": "GM9901",
            "a_inw": 1000,
            "a_15_24": 150,
            "a_25_44": 300,
            "a_45_64": 300,
            "a_65_oo": 150,
            "a_hh": 500,
            "a_1p_hh": 200,
            "p_koopw": 60,
            "g_wozbag": 300,
            "g_ink_pi": ".",
        },
        {
            "gwb_code_10": "WK990100",
            "gwb_code_8": 990100,
            "regio": "Wijk 00 Centrum",
            "gm_naam": "Testdorp",
            "recs": "Wijk",
            "gwb_code": "WK990100",
            "a_inw": 1000,
            "a_15_24": 150,
            "a_25_44": 300,
            "a_45_64": 300,
            "a_65_oo": 150,
            "a_hh": 500,
            "a_1p_hh": 200,
            "p_koopw": 60,
            "g_wozbag": 300,
            "g_ink_pi": ".",
        },
        {
            "gwb_code_10": "BU99010000",
            "gwb_code_8": 9901000,
            "regio": "Oud Centrum",
            "gm_naam": "Testdorp",
            "recs": "Buurt",
            "gwb_code": "BU99010000",
            "a_inw": 600,
            "a_15_24": 120,
            "a_25_44": 200,
            "a_45_64": 180,
            "a_65_oo": 60,
            "a_hh": 400,
            "a_1p_hh": 180,
            "p_koopw": ".",
            "g_wozbag": 250,
            "g_ink_pi": ".",
        },
        {
            "gwb_code_10": "BU99010001",
            "gwb_code_8": 9901001,
            "regio": "Nieuw Centrum",
            "gm_naam": "Testdorp",
            "recs": "Buurt",
            "gwb_code": "BU99010001",
            "a_inw": 400,
            "a_15_24": 30,
            "a_25_44": 100,
            "a_45_64": 120,
            "a_65_oo": 90,
            "a_hh": 100,
            "a_1p_hh": 20,
            "p_koopw": ".",
            "g_wozbag": ".",
            "g_ink_pi": ".",
        },
    ]
    pd.DataFrame(rows).to_excel(path, sheet_name=f"kwb-{year}", index=False)
    return path


def write_rotterdam_profile(path: Path, years=(2014, 2016)) -> Path:
    """A small Wijkprofiel workbook: per year sheets 'SI YYYY' and 'VI YYYY' with the 3-row header."""
    areas = [
        ("Feijenoord", 80, "Vreewijk"),
        ("Feijenoord", 1009, "Groot Feijenoord-Noord"),
        ("Feijenoord", 4007, "Feijenoord"),
        ("Rotterdam", 5000, "Rotterdam"),
    ]
    with pd.ExcelWriter(path) as writer:
        for year in years:
            shift = 0.01 * (year - 2014)
            si = [
                [None, year, "in hoefijzer = 1", 1, 1, 1, 1],
                [
                    "naam gebied (voormalig deelgemeente)",
                    "wijknr",
                    "BUURT85",
                    "SI",
                    "ElkaarKennen_p",
                    "Vrijwilligers_p",
                    "ElkaarKennen_p",
                ],
                [None, None, None, "Sociale Index", "% kent elkaar", "% vrijwilligers", "dubbel"],
            ]
            si += [
                [g, n, name, 90 + i, 0.40 + i / 10 + shift, 0.20 + shift, 0.99] for i, (g, n, name) in enumerate(areas)
            ]
            vi = [
                [None, year, "in hoefijzer = 1", 1],
                ["naam gebied (voormalig deelgemeente)", "wijknr", "BUURT85", "VI"],
                [None, None, None, "Veiligheidsindex"],
            ]
            vi += [[g, n, name, 100 + i] for i, (g, n, name) in enumerate(areas)]
            pd.DataFrame(si).to_excel(writer, sheet_name=f"SI {year}", header=False, index=False)
            pd.DataFrame(vi).to_excel(writer, sheet_name=f"VI {year}", header=False, index=False)
    return path


def write_rotterdam_profile_2024(path: Path, years=(2018, 2020)) -> Path:
    """A small Wijkprofiel workbook in the layout of the 2014-2024 'Dataset voor derden': per year the sheets
    'SI YYYY', 'FI-subj YYYY', 'FI-obj YYYY' and 'VI YYYY', the area columns unnamed in the code row (their labels
    in the row below), a kopie_ column equal to its original and one that is not, FI in both FI sheets (the same
    figures), a code of two meanings (Ms in SI and in FI-subj, different figures) and text cells in FI-obj."""
    areas = [
        ("Feijenoord", 80, "Vreewijk"),
        ("Feijenoord", 87, "Feijenoord (wijk)"),
        ("Feijenoord", 4007, "Feijenoord (gebied)"),
        ("Rotterdam", 5000, "Rotterdam"),
    ]
    texts = ["gegeven niet beschikbaar", "vanwege nieuwe meetwijze", "score 2020 = nulmeting", None]

    def sheet(year, codes, values):
        rows = [
            [None, year, "in hoefijzer = 1"] + [1] * len(codes),
            [None, None, None] + codes,
            ["naam gebied", "wijknr", "BUURT85"] + [f"label {c}" for c in codes],
        ]
        return rows + [[g, n, name] + values(i) for i, (g, n, name) in enumerate(areas)]

    with pd.ExcelWriter(path) as writer:
        for year in years:
            s = 0.01 * (year - 2018)
            blocks = {
                "SI": sheet(
                    year,
                    ["SI", "Ms", "Vrijwilligers_p", "kopie_Vrijwilligers_p", "Burenhulp_p", "kopie_Burenhulp_p"],
                    lambda i, s=s: [90 + i, 95 + i, 0.2 + s + i / 100, 0.2 + s + i / 100, 0.1 + i / 100, 0.5],
                ),
                "FI-subj": sheet(year, ["FI", "Ms"], lambda i: [100 + i, 80 + i]),
                "FI-obj": sheet(year, ["FI", "Heel"], lambda i, y=year: [100 + i, texts[i] if y < 2020 else 7.0 + i]),
                "VI": sheet(year, ["VI", "VIo"], lambda i: [110 + i, 120 + i]),
            }
            for block, rows in blocks.items():
                pd.DataFrame(rows).to_excel(writer, sheet_name=f"{block} {year}", header=False, index=False)
        pd.DataFrame([["SI", "Sociale Index"]]).to_excel(writer, sheet_name="labels", header=False, index=False)
    return path


def write_crosswalk(root: Path, level: str, source: int, target: int, cells: dict, kind: str = "addresses") -> Path:
    """A grenswijzigen matrix as R data in a mirror folder: ``cells`` = {(to_code, from_code): addresses} with
    bare CBS digits ('9905'), rows the new codes and columns the old ones, like the package's own files."""
    import pyreadr

    rows = sorted({t for t, _ in cells})
    cols = sorted({f for _, f in cells})
    matrix = pd.DataFrame(0, index=rows, columns=cols, dtype="int32")
    for (t, f), n in cells.items():
        matrix.loc[t, f] = n
    extra = "toevoeging_" if kind == "dwellings" else ""
    suffix = "_voor_postcode" if kind == "postcode" else ""
    name = f"grenswijziging_{extra}{level}_van_{source}_naar_{target}{suffix}"
    path = root / "crosswalk" / "grenswijzigen" / f"{name}.rda"
    path.parent.mkdir(parents=True, exist_ok=True)
    pyreadr.write_rdata(str(path), matrix, df_name=name)
    return path


def kwb_rows(changes=None):
    """Rows of a small KWB workbook (a gemeente and two buurten) with {(row, column): value} changed."""
    rows = [
        {
            "gwb_code_10": "GM9901",
            "regio": "Testdorp",
            "gm_naam": "Testdorp",
            "recs": "Gemeente",
            "a_inw": 1000,
            "a_hh": 500,
            "p_koopw": 60,
            "g_wozbag": 300,
        },
        {
            "gwb_code_10": "BU99010000",
            "regio": "Oud",
            "gm_naam": "Testdorp",
            "recs": "Buurt",
            "a_inw": 600,
            "a_hh": 400,
            "p_koopw": 55,
            "g_wozbag": 250,
        },
        {
            "gwb_code_10": "BU99010001",
            "regio": "Nieuw",
            "gm_naam": "Testdorp",
            "recs": "Buurt",
            "a_inw": 400,
            "a_hh": 100,
            "p_koopw": 70,
            "g_wozbag": 280,
        },
    ]
    for (row, column), value in (changes or {}).items():
        rows[row][column] = value
    return rows


MAPPING = {  # a survey mapping onto the resident schema, for ``survey()``
    "source": "Test survey",
    "columns": {
        "respondent_id": "id",
        "buurt_code": "bu",
        "gemeente_code": "gm",
        "survey_year": "jaar",
        "age": "lft",
        "household_type": "hh",
        "tenure": "eig",
        "years_at_address": "woonduur",
        "origin": "herk",
        "participates": "part",
        "trust_neighbours": "vertr",
        "aware_of_plans": "plan",
        "confidence_in_future": "toek",
        "livability": "leefb",
        "weight": "gewicht",
    },
    "values": {
        "household_type": {1: "single", 2: "couple", 3: "couple_with_children", 4: "single_parent"},
        "tenure": {"Koop": "owner", "Huur corporatie": "social_rent", "Huur particulier": "private_rent"},
        "origin": {1: "dutch", 2: "western", 3: "non_western"},
        "participates": {"Ja": 1, "Nee": 0},
        "livability": {1: "good", 2: "problem"},
    },
    "missing": [99, "Weet niet"],
}


def survey(n=6) -> pd.DataFrame:
    """A small survey file in the layout ``MAPPING`` describes (``n`` respondents, at most 6)."""
    return pd.DataFrame(
        {
            "id": range(1, n + 1),
            "bu": ["BU03630000", "BU03630001", "3630000", "BU03630001", "BU03630000", "BU03630001"][:n],
            "gm": [363] * n,
            "jaar": [2021] * n,
            "lft": [25, 34, 50, 71, 99, 40][:n],
            "hh": [1, 2, 3, 4, 1, 2][:n],
            "eig": ["Koop", "Huur corporatie", "Huur particulier", "Koop", "Koop", "Huur corporatie"][:n],
            "woonduur": [1.5, 3, 10, 40, 2, 6][:n],
            "herk": [1, 2, 3, 1, 1, 3][:n],
            "part": ["Ja", "Nee", "Weet niet", "Ja", "Nee", "Ja"][:n],
            "vertr": [1, 0, 1, 1, 0, 1][:n],
            "plan": [0, 1, 1, 0, 0, 1][:n],
            "toek": [1, 1, 0, 1, 0, 1][:n],
            "leefb": [1, 2, 1, 1, 2, 1][:n],
            "gewicht": [1.0, 0.8, 1.2, 1.1, 0.9, 1.0][:n],
        }
    )


def squares(codes_and_boxes: dict, crs: int = 4326):
    """A GeoDataFrame of rectangles: {code: (minx, miny, maxx, maxy)}."""
    import geopandas as gpd
    from shapely.geometry import box

    return gpd.GeoDataFrame(
        {"region_code": list(codes_and_boxes)}, geometry=[box(*b) for b in codes_and_boxes.values()], crs=crs
    )


def finding_test(
    finding="F3",
    label="a",
    ci=(0.1, 0.5),
    *,
    sample="rotterdam-wijkprofiel 2014 · Rotterdam (GM0599)",
    evidence=ev.DIRECT,
    kind="real",
    scope="Rotterdam (GM0599)",
    estimator="weighted regression",
    outcome="pct_active_for_neighbourhood",
    term="pct_owner_occupied",
    areas="all areas",
    spec="",
    sign=1,
    se=None,
    p=None,
    **kw,
):
    """A FindingTest on the standardised scale with a normal interval ``ci`` (its standard error and p-value
    follow from it unless given); a Rotterdam direct-survey test of F3 unless told otherwise."""
    estimate = sum(ci) / 2
    se = (ci[1] - ci[0]) / (2 * 1.96) if se is None else se
    if p is None:
        p = float(2 * stats.norm.sf(abs(estimate / se)))
    return fd.FindingTest(
        finding=finding,
        label=label,
        estimate=estimate,
        ci_low=ci[0],
        ci_high=ci[1],
        expected_sign=sign,
        measure="standardised coefficient",
        std_error=se,
        p_value=p,
        outcome=outcome,
        term=term,
        estimator=estimator,
        areas=areas,
        spec=spec,
        evidence=evidence,
        sample=sample,
        data_kind=kind,
        scope=scope,
        level="wijk",
        n=71,
        **kw,
    )


def run_in_kernel(cells: list[str], *, cwd: Path, env: dict | None = None, timeout: int = 120) -> list[dict]:
    """Run code cells in a real Jupyter kernel (the ``python3`` kernel of this environment, started by nbclient in
    ``cwd``, as JupyterLab and the main command start theirs) and return each cell's outputs: ``{"stdout": ...,
    "stderr": ..., "error": "Name: message" or "", "traceback": [its lines], "mime": [the types of its displayed
    outputs]}``."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(cwd)}},
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    client.execute(**({"env": env} if env is not None else {}))
    results = []
    for cell in notebook.cells:
        result = {"stdout": "", "stderr": "", "error": "", "traceback": [], "mime": []}
        for output in cell.outputs:
            if output.output_type == "stream":
                result[output.name] += output.text
            elif output.output_type == "error":
                result["error"] = f"{output.ename}: {output.evalue}"
                result["traceback"] = list(output.traceback)
            else:
                result["mime"] += list(output.get("data", {}))
        results.append(result)
    return results


def kernel_env(**changes) -> dict:
    """This process's environment for a kernel: ``PYTHONPATH`` with this checkout first, without a plotting backend
    chosen (so the kernel's own, the inline backend, is used), with ``changes`` (a value of None removes it)."""
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = str(value)
    return env


def one_line(exc_info, *fragments):
    """The message of a raised error (``pytest.raises`` info): one line holding every fragment."""
    text = str(exc_info.value)
    assert "\n" not in text, text
    for fragment in fragments:
        assert fragment in text, text
    return text


# A RIVM export (the 50090NED layout) of the made-up gemeente Testdorp, for the per-level reports
RIVM_HEADER = (
    "ID,Leeftijd,Marges,WijkenEnBuurten,Perioden,Gemeentenaam_1,SoortRegio_2,Codering_3,"
    "Eenzaam_28,Mantelzorger_32,Vrijwilligerswerk_33"
)


def rivm_file(rows: list[tuple]) -> bytes:
    """A RIVM export (the 50090NED layout) of Testdorp: (code, kind, lonely, carer, volunteering) per row."""
    lines = [RIVM_HEADER] + [
        f"{i},20300,MW00000,{code},2020JJ00,Testdorp,{kind},{code},{a},{b},{c}"
        for i, (code, kind, a, b, c) in enumerate(rows, start=2)
    ]
    return ("\n".join(lines) + "\n").encode()


RIVM_ROWS = [
    ("NL01", "Land", 47.0, 13.6, 24.6),
    ("GM9901", "Gemeente", 40.0, 15.0, 30.0),
    ("WK990100", "Wijk", 40.0, 15.0, 30.0),
    ("WK990101", "Wijk", ".", ".", "."),  # a wijk the publisher suppressed
    ("BU99010000", "Buurt", 38.0, 14.0, 28.0),
    ("BU99010001", "Buurt", ".", ".", "."),
    ("BU99010002", "Buurt", ".", ".", "."),
    ("BU99010100", "Buurt", ".", ".", "."),
]
RIVM_WHERE = "rivm-gezondheid/RIVM_gezondheid2020_18+.xlsx"


def evidence_set():
    """Finding tests of every kind the scorecard shows: two Rotterdam and one Amsterdam sample (direct), national
    model-based rows (not counted) and a synthetic method check."""
    rotterdam = [
        finding_test(label="Rotterdam 2014: owner-occupied -> active", ci=(0.1, 0.6)),
        finding_test(
            label="Rotterdam 2014: owner-occupied -> volunteering", ci=(-0.2, 0.3), outcome="pct_volunteering"
        ),
    ]
    amsterdam = [
        finding_test(
            label="Amsterdam: owner-occupied -> active",
            ci=(-0.3, 0.2),
            sample="amsterdam-bbga 2018 · Amsterdam (GM0363)",
            scope="Amsterdam (GM0363)",
        )
    ]
    national = [
        finding_test(
            label=f"All wijken: owner-occupied -> volunteering ({name})",
            ci=(0.2, 0.4),
            evidence=ev.MODEL_IMPLIED,
            estimator=name,
            scope=fd.NATIONAL,
            sample="rivm-gezondheid 2016 · the Netherlands",
            outcome="pct_volunteering",
            evidence_note="RIVM's small-area model uses home ownership as a predictor",
            files=["kwb-2022.xlsx"],
        )
        for name in ("weighted regression", "multilevel")
    ]
    synthetic = [
        finding_test(
            "F6",
            "Residents: knows the plans",
            ci=(0.4, 0.8),
            kind="synthetic",
            evidence=ev.METHOD_CHECK,
            sample="synthetic world",
            term="aware_of_plans",
            planted=0.6,
            scale="log-odds",
        )
    ]
    return rotterdam + amsterdam + national + synthetic


def use_synthetic_world(monkeypatch) -> Path:
    """Switch the test to the synthetic world as ``ws.use_synthetic()`` switches a session (its mirror written once in
    the shared cache, then reused): ``WIJKSTUDIE_DATA=synthetic`` and ``WIJKSTUDIE_SYNTHETIC_MIRROR``."""
    from wijkstudie import synthetic

    folder = synthetic.mirror()
    monkeypatch.setenv("WIJKSTUDIE_DATA", "synthetic")
    monkeypatch.setenv("WIJKSTUDIE_SYNTHETIC_MIRROR", str(folder))
    return folder


def one_error_line(result, *fragments):
    """Assert that a command (``run_cli``, ``run_cli_in_a_process``) failed with status 1 and one line on standard
    error, holding every fragment, and no traceback; the line."""
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def run_cli_in_a_process(*args, timeout=60):
    """The command in a process of its own (a crash or a hang of the reader must not take the test run with it)."""
    import sys

    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "wijkstudie", *map(str, args)], capture_output=True, text=True, env=env, timeout=timeout
    )


# a text from a data file as an attacker would write it: markup, a Markdown table cell break, a javascript link
EVIL = "Evil<img src=x onerror=alert(1)><script>alert(2)</script> | pipe\n[link](javascript:alert(3))"


class _Markup(html.parser.HTMLParser):
    """What a page would run: script elements, event-handler attributes, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.live: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed"):
            self.live.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.live.append(f"{tag} {name}={value}")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                ("javascript:", "vbscript:", "data:text")
            ):
                self.live.append(f"{tag} {name}={value}")


def live_markup(text: str) -> list[str]:
    """What in an HTML text a browser would run (``_Markup``); empty when the text is safe."""
    parser = _Markup()
    parser.feed(text)
    return parser.live


def executed_notebook(path: Path, outputs: list[dict]) -> Path:
    """Write a notebook at ``path`` whose one code cell has these outputs, as if it had been run."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print('hello')")
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    nb.cells = [nbformat.v4.new_markdown_cell("# A notebook"), cell]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def run_of(name: str, executed: Path, **kw):
    """The record of a run of notebook ``name`` whose executed copy is ``executed`` (real data unless ``data``)."""
    from wijkstudie.reproduce.notebook_cache import Run

    return Run(name, "key", executed, 1.0, "2026-01-01 10:00", data=kw.pop("data", "real data"), **kw)


def grid_of_squares():
    """Nine unit squares in a 3 x 3 grid (A0-A8), in RD coordinates: areas for spatial weights."""
    return squares({f"A{i}": (i % 3, i // 3, i % 3 + 1, i // 3 + 1) for i in range(9)}, crs=28992)


def tiny_project(tmp_path, monkeypatch, cells=("print(3)",)):
    """A project of one notebook (``03_alone``, these code cells) for the main command, its figures folder and a
    README with the scorecard's markers, all in ``tmp_path``; the notebooks folder and the README."""
    import nbformat

    from wijkstudie.reproduce import run as reproduce
    from wijkstudie.reproduce import statements

    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "03_alone.ipynb")
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(tmp_path / "figures"))
    monkeypatch.setenv("WIJKSTUDIE_DATA", "real")
    monkeypatch.setattr(reproduce, "notebooks_dir", lambda: folder)
    monkeypatch.setattr(statements, "project_dir", lambda: tmp_path)
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{statements.README_START}\nold\n{statements.README_END}\nrest\n", encoding="utf-8")
    return folder, readme


# the header of a CSV saved from the KWB workbook
KWB_HEADER = "gwb_code_10,regio,gm_naam,recs,a_inw\n"


def every_model(rng) -> dict:
    """A result of every estimator of ``wijkstudie.models`` on small made-up data (areas, residents, a grid of
    cells), by name: the variants of area_regression and within_estimate included."""
    import geopandas as gpd
    import numpy as np
    from shapely.geometry import box

    from wijkstudie import models

    n = 120
    x = rng.normal(size=n)
    areas = pd.DataFrame(
        {
            "x": x,
            "y": 1 + 0.5 * x + rng.normal(size=n),
            "g": np.repeat(np.arange(12), n // 12),
            "region_code": [f"A{i % 30}" for i in range(n)],
            "year": np.repeat([2014, 2016, 2018, 2020], n // 4),
            "population": rng.integers(100, 5000, n).astype(float),
        }
    )
    px = rng.uniform(0, 12, 1500)
    people = pd.DataFrame(
        {
            "x": px,
            "y": (rng.random(1500) < 1 / (1 + np.exp(-(-1 + 0.3 * np.minimum(px, 4))))).astype(int),
            "g": rng.integers(0, 30, 1500),
        }
    )
    cells = gpd.GeoDataFrame(
        {"x": rng.normal(size=100)},
        geometry=[box(i % 10, i // 10, i % 10 + 1, i // 10 + 1) for i in range(100)],
        crs=28992,
    )
    cells["y"] = cells["x"] + rng.normal(size=100)
    return {
        "area": models.area_regression("y ~ x", areas),
        "weighted": models.area_regression("y ~ x", areas, weights="population"),
        "weighted clustered": models.area_regression("y ~ x", areas, weights="population", cluster="g"),
        "clustered": models.area_regression("y ~ x", areas, cluster="g"),
        "within": models.within_estimate("y ~ x", areas),
        "within, years": models.within_estimate("y ~ x", areas, time="year", cov_type="nonrobust"),
        "multilevel": models.multilevel("y ~ x", areas, group="g"),
        "logit": models.logit("y ~ x", people, cluster="g"),
        "multilevel_logit": models.multilevel_logit("y ~ x", people, group="g"),
        "segmented_logit": models.segmented_logit("y ~ seg(x)", people),
        "spline_logit": models.spline_logit("y ~ bs(x, df=5)", people),
        **{f"spatial: {k}": v for k, v in models.spatial_models("y ~ x", cells).items()},
    }


def module_from_source(folder, name: str, source: str):
    """A module written to ``folder/<name>.py`` and imported from that file (registered in ``sys.modules``, as an
    imported module is; the caller pops it).

    Returns
    -------
    tuple
        (the module, its path)
    """
    import importlib.util

    path = Path(folder) / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, path
