"""Untrusted input: every string from a data file, every cache entry and every file name is handled as an attacker or
a careless colleague could have made it (issue 17). Each case is built from small files the test writes.

1. markup from data never reaches a page, a Markdown table or a spreadsheet as markup or a formula;
2. the spatial-weights cache holds data, never code, and its temporary files follow no planted symlink;
3. the cache of executed notebooks verifies what it restores, and page names stay inside build/site/;
4. a workbook or CSV that declares an absurd size is refused in one line, before it is parsed;
5. one run at a time; a partial run leaves a complete run's results, scorecard and README alone;
7. a synthetic file carries its mark inside and loads as SYNTHETIC wherever it lies;
8. a reader says what it did with a file that is not what it claims to be (encoding, no rows);
9. an error quotes at most a short printable excerpt of a file, and only of a file that looks like data.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import html.parser
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

import wijkstudie as ws
from wijkstudie.reproduce import run as reproduce
from wijkstudie.reproduce import site, statements
from wijkstudie.reproduce.notebook_cache import NotebookCache, Run
from wijkstudie.study import results
from wijkstudie.study import scorecard as sc

from helpers import REPO, finding_test, squares, write_kwb_workbook

EVIL = "Evil<img src=x onerror=alert(1)><script>alert(2)</script> | pipe\n[link](javascript:alert(3))"


# --- helpers -------------------------------------------------------------------------------------------------------


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
    parser = _Markup()
    parser.feed(text)
    return parser.live


def unescaped_pipes(line: str) -> int:
    count, escaped = 0, False
    for ch in line:
        if ch == "|" and not escaped:
            count += 1
        escaped = ch == "\\" and not escaped
    return count


def executed_notebook(path: Path, outputs: list[dict]) -> Path:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print('hello')")
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    nb.cells = [nbformat.v4.new_markdown_cell("# A notebook"), cell]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


EVIL_OUTPUTS = [
    {
        "output_type": "display_data",
        "metadata": {},
        "data": {
            "text/html": '<img src=x onerror=alert(1)><script>alert(2)</script><a href="javascript:alert(3)">x</a>'
        },
    },
    {"output_type": "display_data", "metadata": {}, "data": {"text/markdown": EVIL}},
    {"output_type": "stream", "name": "stdout", "text": "<script>alert(4)</script>\n"},
]


def run_of(name: str, executed: Path, **kw) -> Run:
    return Run(name, "key", executed, 1.0, "2026-01-01 10:00", data=kw.pop("data", "real data"), **kw)


def in_subprocess(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), WIJKSTUDIE_DATA_DIR=str(tmp_path / "sub-cache"))
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path
    )


# --- 1. markup from data -------------------------------------------------------------------------------------------


def test_markup_in_a_sample_name_stays_text_in_the_markdown_scorecard():
    tests = [finding_test(sample=f"kwb 2022 · {EVIL} (GM0363)", scope=EVIL, label=EVIL)]
    table = sc.scorecard(tests)
    summary = sc.summary_markdown(table, "statement")
    rows = [line for line in summary.splitlines() if line.startswith("|")][2:]
    assert len(rows) == len(table["finding"].unique())  # one line per finding, never split by a newline
    assert len(summary.splitlines()) == 2 + 2 + len(rows)  # the statement, a blank line, the header, the rows
    assert all(unescaped_pipes(line) == 7 for line in rows), rows  # six cells, no extra ones
    full = sc.scorecard_markdown(table, tests, "statement")
    card = sc.finding_markdown("F3", table[table["finding"] == "F3"], tests)
    for text in (summary, full, card):
        assert "<script" not in text and "<img" not in text and "](javascript:" not in text, text
    for line in card.splitlines():
        if line.startswith("| kwb"):
            assert unescaped_pipes(line) in (8, 15), line  # the counted table's 14 cells or the other table's 7


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_label_that_starts_like_a_formula_is_inert_in_the_csv_and_numbers_are_unchanged(tmp_path, monkeypatch, start):
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(tmp_path / "figures"))
    label = f'{start}HYPERLINK("http://example.invalid","click")'
    results.record("F3", [finding_test(label=label, ci=(-0.3, 0.06))], notebook="02_x")
    sc.write_scorecard()
    with open(tmp_path / "figures" / "scorecard.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    row = next(r for r in rows if r["test"].lstrip("'").startswith(start))
    assert row["test"] == "'" + label  # the spreadsheets' own escape: a leading apostrophe
    for r in rows:
        for value in r.values():
            assert not (value[:1] in ("=", "+", "@", "\t", "\r") or (value[:1] == "-" and not _number(value))), value
    assert float(row["estimate"]) == pytest.approx(-0.12) and row["estimate"].startswith("-0.12")  # a number stays


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def test_notebook_outputs_on_the_site_cannot_run_code(tmp_path):
    executed = executed_notebook(tmp_path / "build" / "notebooks" / "02_x.ipynb", EVIL_OUTPUTS)
    table = sc.scorecard([finding_test(sample=EVIL, scope=EVIL, notebook="02_x")])
    index = site.build(tmp_path / "build" / "site", [run_of("02_x", executed)], table, EVIL, EVIL, False, tmp_path)
    page = (index.parent / "notebooks" / "02_x.html").read_text(encoding="utf-8")
    assert "hello" in page or "A notebook" in page
    for path in index.parent.rglob("*.html"):
        assert not live_markup(path.read_text(encoding="utf-8")), (path, live_markup(path.read_text()))


def test_a_notebook_name_with_a_quote_puts_no_attribute_into_the_pages(tmp_path):
    name = '02_x" onmouseover="alert(1)'
    executed = executed_notebook(tmp_path / "build" / "notebooks" / "02_x.ipynb", [])
    table = sc.scorecard([finding_test(notebook=name)])
    index = site.build(tmp_path / "build" / "site", [run_of(name, executed)], table, "s", "b", False, tmp_path)
    for path in index.parent.rglob("*.html"):
        assert not live_markup(path.read_text(encoding="utf-8")), path


# --- 2. the spatial-weights cache ----------------------------------------------------------------------------------


class _Planted:
    """A pickle that creates a file when it is loaded: code from a cache."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def _areas():
    return squares({f"A{i}": (i % 3, i // 3, i % 3 + 1, i // 3 + 1) for i in range(9)}, crs=28992)


@pytest.fixture
def weights_cache(fresh_cache):
    from wijkstudie.models import spatial

    spatial._WEIGHTS.clear()
    folder = fresh_cache / "processed"
    folder.mkdir(parents=True)
    yield folder, spatial, spatial._geometry_key(_areas(), "queen")
    spatial._WEIGHTS.clear()


def test_a_planted_pickle_in_the_weights_cache_runs_no_code(weights_cache, tmp_path):
    folder, spatial, key = weights_cache
    marker = tmp_path / "pwned"
    for name in (f"weights-{key}.pickle", f"weights-{key}.npz"):
        (folder / name).write_bytes(pickle.dumps(_Planted(marker)))
    with pytest.warns(ws.WijkstudieWarning, match="rebuilt"):
        w = spatial.spatial_weights(_areas())
    from libpysal.weights import W

    assert not marker.exists()
    assert isinstance(w, W) and w.n == 9 and w.transform.lower() == "r"


@pytest.mark.parametrize("case", ["an int", "wrong shape", "ids of other areas", "object array", "not a zip"])
def test_a_weights_file_that_is_not_what_it_should_be_is_rebuilt_with_one_warning(weights_cache, case):
    import numpy as np

    folder, spatial, key = weights_cache
    target = folder / f"weights-{key}.npz"
    good = spatial._contiguity(_areas(), "queen")
    sparse = good.sparse.tocsr()
    arrays = {
        "indptr": sparse.indptr,
        "indices": sparse.indices,
        "weights": np.ones(len(sparse.indices)),
        "ids": np.arange(9),
        "kind": np.array("queen"),
    }
    if case == "an int":
        np.savez(target, value=np.array(5))
    elif case == "wrong shape":
        np.savez(target, **dict(arrays, indptr=arrays["indptr"][:-2]))
    elif case == "ids of other areas":
        np.savez(target, **dict(arrays, ids=np.arange(100, 109)))
    elif case == "object array":
        np.savez(target, **dict(arrays, weights=np.array([{"x": 1}] * len(sparse.indices), dtype=object)))
    else:
        target.write_bytes(b"PK\x03\x04 damaged")
    with pytest.warns(ws.WijkstudieWarning) as caught:
        w = spatial.spatial_weights(_areas())
    assert len([c for c in caught if "weights" in str(c.message)]) == 1
    assert w.n == 9 and dict(w.neighbors) == dict(good.neighbors)
    with np.load(target, allow_pickle=False) as data:  # written again, as data
        assert data["indptr"].shape == (10,)


def test_the_weights_cache_follows_no_planted_symlink_and_holds_no_pickle(weights_cache, tmp_path):
    folder, spatial, key = weights_cache
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    for name in (f"weights-{key}.{os.getpid()}.tmp", f"weights-{key}.npz.{os.getpid()}.tmp"):
        (folder / name).symlink_to(victim)
    w = spatial.spatial_weights(_areas())
    assert victim.read_text() == "precious"
    spatial._WEIGHTS.clear()
    again = spatial.spatial_weights(_areas())  # from the file
    assert dict(again.neighbors) == dict(w.neighbors) and again.weights == w.weights
    files = [p.name for p in folder.iterdir() if not p.is_symlink()]
    assert files == [f"weights-{key}.npz"], files


def test_cache_files_follow_the_umask_like_every_other_output(fresh_cache, tmp_path):
    from wijkstudie.models import spatial

    old = os.umask(0o022)
    try:
        ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx"))
        spatial._WEIGHTS.clear()
        spatial.spatial_weights(_areas())
    finally:
        os.umask(old)
        spatial._WEIGHTS.clear()
    made = [p for p in (fresh_cache / "processed").iterdir() if p.is_file()]
    assert {p.suffix for p in made} >= {".parquet", ".json", ".npz"}
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in made}
    assert set(modes.values()) == {oct(0o644)}, modes


# --- 3. the cache of executed notebooks ----------------------------------------------------------------------------


@pytest.fixture
def kept(tmp_path):
    """A cache entry of notebook 02_x: its executed copy, a figure and a recorded result."""
    figures = tmp_path / "figures"
    (figures / "results").mkdir(parents=True)
    (figures / "02_fig.png").write_bytes(b"png")
    (figures / "results" / "F3__02_x.json").write_text("[]")
    executed = executed_notebook(tmp_path / "build" / "notebooks" / "02_x.ipynb", [])
    cache = NotebookCache(tmp_path / "build" / "cache" / "notebooks")
    wrote = [str(figures / "02_fig.png"), str(figures / "results" / "F3__02_x.json")]
    cache.store(run_of("02_x", executed), executed, figures, wrote)
    assert cache.lookup("02_x", "key") is not None
    return cache, cache.folder / "02_x", figures


def _tamper(entry: Path, **changes):
    meta = json.loads((entry / "run.json").read_text())
    meta.update(changes)
    (entry / "run.json").write_text(json.dumps(meta))


TAMPERING = {
    "an artifact path that climbs out": lambda e: (
        _tamper(e, artifacts=["02_fig.png", "../../outside.txt"]),
        (e / "outside.txt").write_text("x"),
        (e.parent / "outside.txt").write_text("x"),
    ),
    "an absolute artifact path": lambda e: _tamper(e, artifacts=[str(e / "run.json")]),
    "an edited executed notebook": lambda e: (e / "executed.ipynb").write_text(
        (e / "executed.ipynb").read_text().replace("A notebook", "<script>alert(1)</script>")
    ),
    "an edited recorded result": lambda e: (e / "artifacts" / "results" / "F3__02_x.json").write_text(
        '[{"finding": "F1", "label": "TAMPERED national result"}]'
    ),
    "an edited figure": lambda e: (e / "artifacts" / "02_fig.png").write_bytes(b"not the png"),
    "another notebook's name": lambda e: _tamper(e, name="../../page"),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_a_tampered_cache_entry_is_not_served_and_says_why(kept, tmp_path, case):
    cache, entry, figures = kept
    TAMPERING[case](entry)
    assert cache.lookup("02_x", "key") is None
    assert "02_x" in cache.problems and cache.problems["02_x"], cache.problems
    assert not (tmp_path / "outside.txt").exists() and not (figures.parent / "outside.txt").exists()


def test_a_verified_entry_restores_only_into_the_figures_folder(kept, tmp_path):
    cache, entry, figures = kept
    (figures / "02_fig.png").unlink()
    hit = cache.lookup("02_x", "key")
    cache.restore(hit, tmp_path / "build" / "notebooks" / "02_x.ipynb", figures)
    assert (figures / "02_fig.png").read_bytes() == b"png"


def test_the_cache_key_includes_where_the_notebook_lies(tmp_path, monkeypatch):
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(tmp_path / "figures"))
    paths = []
    for folder in ("notebooks", "elsewhere"):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("print(1)")]
        (tmp_path / folder).mkdir()
        nbformat.write(nb, tmp_path / folder / "02_x.ipynb")
        paths.append(tmp_path / folder / "02_x.ipynb")
    keys = [reproduce.Reproduction([p], tmp_path / "build", False, 1, "real").keys["02_x"] for p in paths]
    assert keys[0] != keys[1]


@pytest.mark.parametrize("name", ["../../../page", "a/b", "..", "/abs", "x\\y"])
def test_runs_json_cannot_put_a_page_outside_the_site(tmp_path, monkeypatch, name, capsys):
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(tmp_path / "figures"))
    build = tmp_path / "deep" / "build"
    executed = executed_notebook(build / "notebooks" / "02_x.ipynb", [])
    payload = {"statement": "s", "banner": "b", "synthetic": False, "runs": [run_of(name, executed).to_json()]}
    build.mkdir(parents=True, exist_ok=True)
    (build / "runs.json").write_text(json.dumps(payload))
    assert site.main([str(build)]) == 1
    assert "runs.json" in capsys.readouterr().err
    made = {p for p in tmp_path.rglob("*.html")}
    assert all(p.is_relative_to(build / "site") for p in made), made


# --- 4. bounded reading --------------------------------------------------------------------------------------------


def _sheet_xml(dimension: str | None, cells: list[str]) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    rows = "".join(f'<row r="{c.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{c}"><v>1</v></c></row>' for c in cells)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{rows}</sheetData></worksheet>"
    )


def crafted_xlsx(path: Path, dimension: str | None, cells: list[str], sheet: str = "Data") -> Path:
    """A minimal workbook written by hand: one sheet with the given dimension element and cells."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
        'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": _sheet_xml(dimension, cells),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


@pytest.mark.parametrize(
    "dimension, cells",
    [
        ("A1:XFD1048576", ["A1", "XFD1048576"]),  # declared and real
        (None, ["A1", "XFD1048576"]),  # no dimension element: the cells tell
        ("A1", ["A1", "XFD1048576"]),  # a dimension that lies
    ],
    ids=["declared", "undeclared", "lying"],
)
def test_a_tiny_workbook_declaring_a_huge_sheet_is_refused_in_one_line_not_an_abort(tmp_path, dimension, cells):
    path = crafted_xlsx(tmp_path / "kwb-2023.xlsx", dimension, cells)
    assert path.stat().st_size < 5000
    done = in_subprocess(
        "import wijkstudie as ws\n"
        "try:\n    ws.read_file('kwb-2023.xlsx')\n"
        "except ws.WijkstudieError as exc:\n    print(type(exc).__name__, exc)\n",
        tmp_path,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-500:])
    line = done.stdout.strip()
    assert line.startswith("DataFormatError kwb-2023.xlsx:") and "\n" not in line, line
    assert "sheet 'Data'" in line and "16,384 columns" in line and "1,048,576 rows" in line, line


def test_the_cli_inspects_a_huge_sheet_in_one_line(tmp_path):
    crafted_xlsx(tmp_path / "kwb-2023.xlsx", "XFD1048576", ["XFD1048576"])
    env = dict(os.environ, PYTHONPATH=str(REPO), WIJKSTUDIE_DATA_DIR=str(tmp_path / "c"))
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from wijkstudie.cli import main; sys.exit(main(sys.argv[1:]))"]
        + ["data", "inspect", "kwb-2023.xlsx"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr, (done.returncode, done.stderr[-400:])
    assert "sheet 'Data'" in done.stderr and "limit" in done.stderr


def test_a_workbook_within_the_limits_still_reads(tmp_path, fresh_cache):
    table = ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx"))
    assert len(table) == 4


def test_the_limits_are_settings(tmp_path, fresh_cache):
    path = write_kwb_workbook(tmp_path / "kwb-2023.xlsx")
    with ws.settings.using(max_sheet_cells=20), pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(path)
    assert "sheet 'kwb-2023'" in str(exc.value) and "max_sheet_cells" in str(exc.value)


def test_a_csv_header_with_an_absurd_column_count_is_refused_before_it_is_parsed(tmp_path, fresh_cache):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(300_000)) + "\n" + ",".join("1" * 300_000) + "\n")
    start = time.perf_counter()
    with pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(path)
    assert time.perf_counter() - start < 5
    text = str(exc.value)
    assert "\n" not in text and "columns" in text and "max_columns" in text and len(text) < 300, text


# --- 5. one run at a time; a partial run leaves a complete run's results alone ------------------------------------


def tiny_project(tmp_path, monkeypatch, cells=("print(3)",)):
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


def test_a_second_run_refuses_while_one_holds_the_build_folder(tmp_path, monkeypatch, capsys):
    folder, readme = tiny_project(tmp_path, monkeypatch)
    build = tmp_path / "build"
    build.mkdir()
    fd = os.open(build / "reproduce.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, b"4242\n")
        start = time.perf_counter()
        code = reproduce.main(["--build", str(build)])
        assert time.perf_counter() - start < 10
    finally:
        os.close(fd)
    err = capsys.readouterr().err
    assert code != 0 and "4242" in err and "another run" in err and len(err.strip().splitlines()) == 1, err
    assert not (build / "notebooks").exists() and "\nold\n" in readme.read_text()


def test_the_site_command_refuses_too_while_a_run_holds_the_build_folder(tmp_path, capsys):
    build = tmp_path / "build"
    executed = executed_notebook(build / "notebooks" / "02_x.ipynb", [])
    (build / "runs.json").write_text(
        json.dumps({"statement": "s", "banner": "b", "synthetic": False, "runs": [run_of("02_x", executed).to_json()]})
    )
    fd = os.open(build / "reproduce.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, b"4343\n")
        assert site.main([str(build)]) == 1
    finally:
        os.close(fd)
    assert "another run (pid 4343)" in capsys.readouterr().err and not (build / "site").exists()


def test_the_summary_says_why_a_tampered_entry_was_not_served(tmp_path, monkeypatch, capsys):
    folder, _ = tiny_project(tmp_path, monkeypatch)
    build = tmp_path / "build"
    notebook = str(folder / "03_alone.ipynb")
    assert reproduce.main([notebook, "--build", str(build)]) == 0
    kept = build / "cache" / "notebooks" / "03_alone" / "executed.ipynb"
    kept.write_text(kept.read_text().replace('"3\\n"', '"<script>alert(1)</script>\\n"'))
    capsys.readouterr()
    assert reproduce.main([notebook, "--build", str(build)]) == 0
    out = capsys.readouterr().out
    assert "cache entry for 03_alone failed verification: executed.ipynb does not match its recorded SHA-256" in out
    assert "notebooks run (1), from the cache (0)" in out
    page = (build / "unpublished" / "site" / "notebooks" / "03_alone.html").read_text()  # a partial run's own site
    assert "<script" not in page and not live_markup(page)


def test_a_partial_run_leaves_the_complete_runs_results_scorecard_and_readme_alone(tmp_path, monkeypatch, capsys):
    folder, readme = tiny_project(tmp_path, monkeypatch)
    figures = tmp_path / "figures"
    results.record("F3", [finding_test(notebook="02_home_ownership")], notebook="02_home_ownership")
    (figures / "scorecard.md").write_text("FULL RUN")
    (figures / "scorecard.csv").write_text("FULL RUN")
    kept = {p.name: p.read_bytes() for p in (figures / "results").iterdir()}
    assert reproduce.main([str(folder / "03_alone.ipynb"), "--build", str(tmp_path / "build")]) == 0
    assert {p.name: p.read_bytes() for p in (figures / "results").iterdir()} == kept
    assert (figures / "scorecard.md").read_text() == "FULL RUN"
    assert (figures / "scorecard.csv").read_text() == "FULL RUN"
    assert "\nold\n" in readme.read_text()
    out = capsys.readouterr().out
    assert "F3" not in out.split("=== summary ===")[1]  # its scorecard: its own notebooks' results only


def test_a_complete_run_that_leaves_no_recorded_results_is_an_error(tmp_path, monkeypatch, capsys):
    folder, readme = tiny_project(tmp_path, monkeypatch)
    assert reproduce.main(["--build", str(tmp_path / "build")]) != 0
    assert "\nold\n" in readme.read_text()
    text = capsys.readouterr()
    assert "no recorded results" in text.out + text.err


def test_the_readme_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    readme = tmp_path / "README.md"
    before = f"intro\n{statements.README_START}\nold\n{statements.README_END}\nrest\n"
    readme.write_text(before, encoding="utf-8")
    monkeypatch.setattr(statements, "project_dir", lambda: tmp_path)
    table = sc.scorecard([finding_test()])

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with contextlib.suppress(OSError):
        statements.update_readme(table, "statement")
    assert readme.read_text(encoding="utf-8") == before
    assert [p.name for p in tmp_path.iterdir()] == ["README.md"]


# --- 7. synthetic files carry their mark inside -------------------------------------------------------------------


def _synthetic_files():
    from wijkstudie.core.provenance import MANIFEST
    from wijkstudie.synthetic import mirror

    folder = mirror()
    manifest = json.loads((folder / MANIFEST).read_text())
    return folder, manifest


SYNTHETIC_FILES = [  # (dataset, year, variant): one of each kind of file the synthetic mirror writes
    ("kwb", 2023, "workbook"),
    ("kwb", 2017, "open-data"),
    ("rivm-gezondheid", 2020, "18+"),
    ("rivm-gezondheid", 2016, "65+"),
    ("cbs-gemeenten", 2022, None),
    ("cbs-wijken", 2024, None),
    ("leefbaarometer", 2016, "wijk"),
    ("rotterdam-wijkprofiel", 2016, "wijkprofiel"),
    ("rotterdam-wijkprofiel", 2015, "context"),
    ("amsterdam-bbga", 2018, "data"),
]


@pytest.mark.parametrize("dataset, year, variant", SYNTHETIC_FILES)
def test_a_synthetic_file_copied_out_of_its_mirror_still_loads_as_synthetic(tmp_path, dataset, year, variant):
    from wijkstudie.data.catalogue import get_dataset

    folder, _ = _synthetic_files()
    source = folder / get_dataset(dataset).resource(year, variant).mirror
    copy = tmp_path / "copied" / source.name
    copy.parent.mkdir()
    shutil.copyfile(source, copy)
    with pytest.warns(ws.WijkstudieWarning, match="SYNTHETIC"):
        table = ws.read_file(copy, year=year)
    assert ws.provenance_of(table).kind == "synthetic"
    assert ws.report(table).data_kind == "synthetic"


def test_the_synthetic_survey_and_its_mapping_carry_the_mark_too(tmp_path):
    from wijkstudie.microdata.survey import read_microdata
    from wijkstudie.synthetic.mirror_writer import MAPPING_FILE, SURVEY_FILE

    folder, _ = _synthetic_files()
    for rel in (SURVEY_FILE, MAPPING_FILE):
        shutil.copyfile(folder / rel, tmp_path / Path(rel).name)
    residents = read_microdata(tmp_path / Path(SURVEY_FILE).name, tmp_path / Path(MAPPING_FILE).name)
    assert ws.provenance_of(residents).kind == "synthetic"
    assert "wijkstudie" in (tmp_path / Path(MAPPING_FILE).name).read_text()


def test_a_real_file_without_the_mark_stays_real(tmp_path, fresh_cache):
    table = ws.read_file(write_kwb_workbook(tmp_path / "kwb-2023.xlsx"))
    assert ws.provenance_of(table).kind == "real"


# --- 8. readers say what they did --------------------------------------------------------------------------------

KWB_HEADER = "gwb_code_10,regio,gm_naam,recs,a_inw\n"


def test_a_csv_that_is_not_utf8_is_read_as_windows_1252_and_says_so(tmp_path, fresh_cache):
    path = tmp_path / "kwb-2022.csv"
    path.write_bytes((KWB_HEADER + "GM9901,Café,Café,Gemeente,1000\n").encode("cp1252"))
    with pytest.warns(ws.WijkstudieWarning, match=r"not valid UTF-8.*Windows-1252"):
        table = ws.read_file(path)
    assert table["region_name"].iloc[0] == "Café"
    assert any("Windows-1252" in w for w in map(str, ws.report(table).warnings))
    with pytest.warns(ws.WijkstudieWarning, match="Windows-1252"):  # also from the cache
        ws.read_file(path)


def test_a_file_that_yields_no_rows_says_so(tmp_path, fresh_cache):
    path = tmp_path / "kwb-2023.csv"
    path.write_text(KWB_HEADER, encoding="utf-8")
    with pytest.warns(ws.WijkstudieWarning, match="no rows"):
        table = ws.read_file(path)
    assert len(table) == 0 and any("no rows" in w for w in map(str, ws.report(table).warnings))


# --- 9. errors quote little ----------------------------------------------------------------------------------------


def test_an_error_about_a_symlink_to_a_system_like_file_quotes_none_of_it(tmp_path, fresh_cache):
    system = tmp_path / "etc" / "hosts"
    system.parent.mkdir()
    system.write_text("127.0.0.1 localhost secret-host-name\n10.0.0.1 internal.example\n")
    link = tmp_path / "data.csv"
    link.symlink_to(system)
    with pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(link)
    assert "secret-host-name" not in str(exc.value) and "localhost" not in str(exc.value), exc.value


def test_an_error_quotes_a_short_printable_excerpt_of_a_data_file(tmp_path, fresh_cache):
    path = tmp_path / "other.csv"
    secret = "x" * 100 + "TAIL-SECRET"
    path.write_text(f"\x1b[31mred\x1b[0m,{secret},b\n1,2,3\n", encoding="utf-8")
    with pytest.raises(ws.DataFormatError) as exc:
        ws.read_file(path)
    text = str(exc.value)
    assert "\x1b" not in text and "TAIL-SECRET" not in text and len(text) < 200, text
    assert "first columns" in text  # a CSV: its columns are named, in short


@pytest.mark.parametrize("dataset, year, variant", [("kwb", 2017, "open-data"), ("kwb", 2023, "workbook")])
def test_a_synthetic_file_stripped_of_its_mark_is_recognised_by_its_content(
    tmp_path, fresh_cache, dataset, year, variant
):
    """The mark line of a CSV is easily lost (a copy through a spreadsheet, ``tail -n +2``), and so are a workbook's
    document properties: the synthetic world's area names still say what the file is."""
    import openpyxl

    from wijkstudie.data.catalogue import get_dataset

    folder, _ = _synthetic_files()
    source = folder / get_dataset(dataset).resource(year, variant).mirror
    copy = tmp_path / source.name
    if source.suffix == ".csv":
        copy.write_text(source.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")  # no mark line
    else:
        book = openpyxl.load_workbook(source)
        book.properties.keywords = book.properties.subject = None  # the mark removed, as a save would
        book.save(copy)
    from wijkstudie.core.provenance import file_mark

    assert file_mark(copy) is None
    for _ in range(2):  # from the file, then from the cache
        with pytest.warns(ws.WijkstudieWarning, match=r"SYNTHETIC data: the file carries no synthetic mark, but its"):
            table = ws.read_file(copy, year=year)
        assert ws.provenance_of(table).kind == "synthetic" and ws.report(table).data_kind == "synthetic"


def test_a_runaway_output_is_capped_and_named():
    from wijkstudie.reproduce import run

    nb = nbformat.v4.new_notebook()
    small = nbformat.v4.new_code_cell("print(1)")
    small.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    huge = nbformat.v4.new_code_cell("display(HTML(x))")
    huge.outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<p>" + "x" * 6_000_000 + "</p>"})]
    nb.cells = [small, huge]
    messages = run.cap_outputs(nb, "04_runaway")
    assert messages == ["04_runaway, cell 2: its output of 6.0 MB was left out (over the per cell limit)"]
    assert nb.cells[0].outputs[0]["text"] == "1\n"  # what is within the limits is kept
    assert nb.cells[1].outputs[0]["name"] == "stderr" and "left out" in nb.cells[1].outputs[0]["text"]
    many = nbformat.v4.new_notebook()  # under the cell limit each, over the notebook's together
    many.cells = [nbformat.v4.new_code_cell("x") for _ in range(7)]
    for cell in many.cells:
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": "y" * 4_000_000})]
    capped = run.cap_outputs(many, "05_many")
    assert len(capped) == 1 and "cell 7" in capped[0] and "per notebook" in capped[0]


@pytest.mark.slow
def test_a_malformed_notebook_is_named_and_the_others_still_run(tmp_path, monkeypatch, capsys):
    folder, _ = tiny_project(tmp_path, monkeypatch)
    (folder / "02_broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    build = tmp_path / "build"
    code = reproduce.main(["--build", str(build)])
    out = capsys.readouterr().out
    assert "02_broken: FAILED: not a readable notebook: Notebook does not appear to be JSON" in out
    assert "running 03_alone ..." in out and "notebooks run (1), from the cache (0), failed (1)" in out
    assert code != 0  # a run with a failed notebook is not a complete run: nothing is published
    assert not (tmp_path / "figures" / "scorecard.md").exists()
