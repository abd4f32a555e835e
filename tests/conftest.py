"""Shared test set-up.

Every test runs with its own empty cache folder (WIJKSTUDIE_DATA_DIR) and without a mirror, unless it asks
for ``mirror`` (the real snapshot: $WIJKSTUDIE_MIRROR or ../shared/data beside the checkout; tests that
need it are skipped with a reason when it is absent) or builds a ``fake_mirror`` of its own.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _real_mirror() -> Path | None:
    candidate = os.environ.get("WIJKSTUDIE_MIRROR") or str(REPO.parent / "shared" / "data")
    path = Path(candidate).resolve()
    return path if (path / "MANIFEST.md").is_file() else None


REAL_MIRROR = _real_mirror()


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path_factory):
    """A per-session cache folder shared by the real-data tests, and no mirror."""
    monkeypatch.setenv("WIJKSTUDIE_DATA_DIR", str(tmp_path_factory.getbasetemp() / "shared-cache"))
    monkeypatch.delenv("WIJKSTUDIE_MIRROR", raising=False)
    monkeypatch.setenv("WIJKSTUDIE_DATA", "real")  # library tests choose their data explicitly
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(tmp_path_factory.getbasetemp() / "figures"))


@pytest.fixture
def fresh_cache(monkeypatch, tmp_path) -> Path:
    """An empty cache folder of this test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("WIJKSTUDIE_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def mirror(monkeypatch) -> Path:
    """The real snapshot, as WIJKSTUDIE_MIRROR."""
    if REAL_MIRROR is None:
        pytest.skip("real-data mirror not found: set WIJKSTUDIE_MIRROR or place it at ../shared/data")
    monkeypatch.setenv("WIJKSTUDIE_MIRROR", str(REAL_MIRROR))
    return REAL_MIRROR


@pytest.fixture
def fake_mirror(monkeypatch, tmp_path):
    """Build a mirror folder from {relative path: source file or bytes} and point WIJKSTUDIE_MIRROR at it."""
    root = tmp_path / "mirror"

    def build(files: dict) -> Path:
        for rel, content in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, (bytes, bytearray)):
                target.write_bytes(content)
            else:
                shutil.copyfile(content, target)
        monkeypatch.setenv("WIJKSTUDIE_MIRROR", str(root))
        return root

    return build


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


def squares(codes_and_boxes: dict, crs: int = 4326):
    """A GeoDataFrame of rectangles: {code: (minx, miny, maxx, maxy)}."""
    import geopandas as gpd
    from shapely.geometry import box

    return gpd.GeoDataFrame(
        {"region_code": list(codes_and_boxes)}, geometry=[box(*b) for b in codes_and_boxes.values()], crs=crs
    )
