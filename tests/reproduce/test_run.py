"""The main command: only what changed runs again, independent notebooks run side by side, a notebook runs
after the one whose result it reads, outputs come back from the cache, and the report site is written."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from wijkstudie import study
from wijkstudie.reproduce import run as reproduce
from wijkstudie.reproduce import statements
from wijkstudie.study import results

from helpers import (
    finding_test,
    kwb_rows,
    live_markup,
    tiny_project,
    write_kwb_workbook,
)


def python_prints(code: str, *arguments: str) -> str:
    """What ``code`` prints when a new Python process runs it (with these arguments); its failure fails the test."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", code, *arguments], capture_output=True, text=True, check=True).stdout


def notebook(path, cells, needs=()):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if needs:
        nb.metadata["wijkstudie"] = {"needs": list(needs)}
    nbformat.write(nb, path)
    return path


@pytest.fixture
def project(tmp_path, monkeypatch):
    """Three small notebooks: one reads a data file, saves a figure and records a value; one reads that value;
    one reads nothing."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    data = write_kwb_workbook(tmp_path / "kwb-2023.xlsx")
    notebook(
        folder / "01_reads.ipynb",
        [
            "import matplotlib.pyplot as plt\nimport wijkstudie as ws\nfrom wijkstudie import study\n"
            "from wijkstudie.plotting import save_figure",
            f"table = ws.read_file({str(data)!r})\nfig = plt.figure()\n"
            "save_figure(fig, '01_figure', source=ws.source_caption(table), formats=('png',))\n"
            "study.record_value('population', float(table['population'].iloc[0]), None, data_kind='real', source='kwb',"
            " notebook='01_reads')",
        ],
    )
    notebook(
        folder / "02_needs.ipynb",
        ["from wijkstudie import study\nprint(study.recorded_value('population')['value'])"],
        needs=["01_reads"],
    )
    notebook(folder / "03_alone.ipynb", ["print(3)"])
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(tmp_path / "figures"))
    monkeypatch.setenv("WIJKSTUDIE_DATA", "real")
    monkeypatch.setattr(reproduce, "notebooks_dir", lambda: folder)
    monkeypatch.setattr(statements, "project_dir", lambda: tmp_path)
    monkeypatch.setenv("WIJKSTUDIE_BUILD_DIR", str(tmp_path / "build"))
    return tmp_path, folder, data


def runs(build):
    payload = json.loads((build / "runs.json").read_text(encoding="utf-8"))
    return {r["name"]: r for r in payload["runs"]}


@pytest.mark.slow  # seven runs of the main command, eleven notebook kernels
def test_only_what_changed_runs_again(project):
    root, folder, data = project
    build = root / "build"
    assert reproduce.main(["--build", str(build), "--jobs", "2"]) == 0
    first = runs(build)
    assert not any(r["cached"] for r in first.values())
    assert first["01_reads"]["artifacts"] == ["01_figure.png", "results/value__population.json"]
    assert str(data.resolve()) in [i[0] for i in first["01_reads"]["inputs"]]
    assert ["kwb", 2023] in first["01_reads"]["datasets"]
    modules = {i[0] for i in first["01_reads"]["inputs"]} - {str(data.resolve())}  # and the modules it imported
    package = Path(reproduce.__file__).resolve().parents[1]
    assert {str(package / "__init__.py"), str(package / "plotting" / "style.py")} <= modules
    assert str(package / "reproduce" / "site.py") not in modules and all(m.endswith(".py") for m in modules)
    published = nbformat.read(build / "notebooks" / "01_reads.ipynb", as_version=4)  # the hook is no cell of it
    assert "kernel_audit" not in json.dumps(published) and published.cells[0].execution_count == 1

    assert reproduce.main(["--build", str(build)]) == 0  # nothing changed: nothing runs
    assert all(r["cached"] for r in runs(build).values())

    (root / "figures" / "01_figure.png").unlink()  # outputs come back from the cache
    (root / "figures" / "results" / "value__population.json").unlink()
    assert reproduce.main(["--build", str(build)]) == 0
    assert (root / "figures" / "01_figure.png").is_file()
    assert json.loads((root / "figures" / "results" / "value__population.json").read_text())["value"] == 1000

    time.sleep(0.01)
    os.utime(data, None)  # touched: a new modification time, the same content (hash)
    assert reproduce.main(["--build", str(build)]) == 0
    assert all(r["cached"] for r in runs(build).values())

    write_kwb_workbook(data, rows=kwb_rows({(0, "a_inw"): 2000}))  # the data changed: it and its dependant run
    assert reproduce.main(["--build", str(build)]) == 0
    now = runs(build)
    assert (now["01_reads"]["cached"], now["02_needs"]["cached"], now["03_alone"]["cached"]) == (False, False, True)
    assert "2000.0" in (build / "notebooks" / "02_needs.ipynb").read_text()

    notebook(folder / "03_alone.ipynb", ["print(4)"])  # the notebook changed
    assert reproduce.main(["--build", str(build)]) == 0
    assert [n for n, r in runs(build).items() if not r["cached"]] == ["03_alone"]

    assert reproduce.main(["--build", str(build), "--force"]) == 0
    assert not any(r["cached"] for r in runs(build).values())


DERIVED = """import wijkstudie as ws
from wijkstudie.data.derived import derived_table


@derived_table()
def doubled(path: str):
    table = ws.read_file(path)
    return table.assign(doubled=table["population"] * {factor})


@derived_table()
def shifted(path: str):
    table = ws.read_file(path)
    return table.assign(shifted=table["population"] + {shift})
"""


@pytest.mark.slow  # six runs of the main command, fifteen notebook kernels
def test_an_edit_to_a_derived_tables_code_runs_again_only_the_notebooks_that_use_it(project, tmp_path, monkeypatch):
    root, folder, data = project
    lib = tmp_path / "lib"  # outside the notebooks' folder: the module is an input only as a derived table's code
    lib.mkdir()
    (lib / "tables_x.py").write_text(DERIVED.format(factor=2, shift=1))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(lib), *filter(None, [os.environ.get("PYTHONPATH")])]))
    monkeypatch.setenv("WIJKSTUDIE_DATA_DIR", str(tmp_path / "cache"))
    use = f"import tables_x\nprint(tables_x.doubled({str(data)!r})['doubled'].iloc[0])"
    notebook(folder / "04_builds.ipynb", [use])  # builds the table
    notebook(folder / "05_served.ipynb", [use])  # runs after 04 (one job): the table is served from the cache
    notebook(folder / "06_other.ipynb", [use.replace("doubled", "shifted")])  # another table of the same module
    build = root / "build"
    assert reproduce.main(["--build", str(build), "--jobs", "1"]) == 0
    assert reproduce.main(["--build", str(build), "--jobs", "1"]) == 0
    assert all(r["cached"] for r in runs(build).values())
    served = runs(build)["05_served"]
    assert set(served["code"][str(lib / "tables_x.py")]["functions"]) == {"<module>", "doubled"}  # not shifted
    assert str(lib / "tables_x.py") not in [i[0] for i in served["inputs"]]  # not the whole file

    (lib / "tables_x.py").write_text(DERIVED.format(factor=3, shift=1))  # one table's code
    assert reproduce.main(["--build", str(build), "--jobs", "1"]) == 0
    assert [n for n, r in runs(build).items() if not r["cached"]] == ["04_builds", "05_served"]
    assert "3000" in (build / "notebooks" / "05_served.ipynb").read_text()

    (lib / "tables_x.py").write_text(DERIVED.format(factor=3, shift=2))  # the other's
    assert reproduce.main(["--build", str(build), "--jobs", "1"]) == 0
    assert [n for n, r in runs(build).items() if not r["cached"]] == ["06_other"]

    (lib / "tables_x.py").write_text("# a comment\n" + DERIVED.format(factor=3, shift=2))  # a comment: no code
    assert reproduce.main(["--build", str(build), "--jobs", "1"]) == 0
    assert all(r["cached"] for r in runs(build).values())


def test_a_run_depends_on_the_modules_its_kernel_imported_not_on_the_whole_package(project, tmp_path):
    from wijkstudie.reproduce import notebook_cache

    package = Path(reproduce.__file__).resolve().parents[1]
    # which modules a kernel imported: tests/reproduce/test_kernel_audit.py. The key covers the package's data
    # descriptions, not its modules: the modules are inputs of each run
    before = notebook_cache.package_fingerprint()
    copy = tmp_path / "module.py"
    copy.write_text("x = 1\n")
    recorded = notebook_cache.fingerprint(str(copy))
    copy.write_text("x = 2\n")  # a module the run imported changed: not served
    assert not notebook_cache.unchanged([recorded])
    assert notebook_cache.package_fingerprint() == before
    assert not any(p.suffix == ".py" for p in notebook_cache.description_files())
    assert package / "data" / "catalogue.yaml" in notebook_cache.description_files()
    # findings.yaml is read section by section: a run depends on the sections it read (tests/core/test_code_trace.py)
    assert package / "study" / "findings.yaml" not in notebook_cache.description_files()


@pytest.mark.slow  # real Jupyter kernels: make test runs it, make test-fast leaves it out
def test_the_report_site_is_written_and_says_which_data(project, capsys):
    root, folder, _ = project
    build = root / "build"
    notebook(folder / "04_trust_and_cohesion.ipynb", ["print(4)"])  # F4's notebook, recording no test
    assert reproduce.main(["--build", str(build)]) == 0
    index = (build / "site" / "index.html").read_text(encoding="utf-8")
    verdicts = dict(re.findall(r'id="finding-(\w+)">.*?<div class="verdicts">.*?<b>(.*?)</b>', index))
    assert verdicts["F4"] == "not testable with these data"  # its notebook ran and found nothing to test
    assert verdicts["F3"].startswith("not run in this build (notebooks 02_home_ownership")  # never a data claim
    assert "over the network" in index and 'href="notebooks/01_reads.html"' in index
    page = (build / "site" / "notebooks" / "01_reads.html").read_text(encoding="utf-8")
    assert '<img src="../figures/01_figure.png"' in page and (build / "site" / "figures" / "01_figure.png").is_file()
    assert "real data" in page
    pages = {str(p.relative_to(build / "site")) for p in (build / "site").rglob("*.html")}
    assert {"index.html", "sources.html", "notebooks/01_reads.html"} <= pages
    for html in (build / "site").rglob("*.html"):  # nothing is fetched at view time: links out are fine, assets not
        text = html.read_text(encoding="utf-8")
        assert not re.search(r'(src|data-src)\s*=\s*["\']?(https?:)?//', text), html
        assert not re.search(r'<link[^>]+href\s*=\s*["\']?(https?:)?//', text), html
        assert not re.search(r'url\(\s*["\']?(https?:)?//|@import\s+["\']?(https?:)?//', text), html
    sources = (build / "site" / "sources.html").read_text(encoding="utf-8")
    assert "Kerncijfers wijken en buurten" in sources and "Licence:" in sources
    assert "report site:" in capsys.readouterr().out


@pytest.mark.slow  # a partial and a complete run, four notebook kernels
def test_only_a_complete_real_run_updates_the_readme(project):
    root, folder, _ = project
    readme = root / "README.md"
    readme.write_text(f"intro\n{statements.README_START}\nold\n{statements.README_END}\nrest\n", encoding="utf-8")
    reproduce.main([str(folder / "03_alone.ipynb"), "--build", str(root / "build")])  # a partial run
    assert "\nold\n" in readme.read_text()
    reproduce.main(["--build", str(root / "build")])  # a complete run
    text = readme.read_text()
    assert "\nold\n" not in text and "| finding | claim | verdict by scope |" in text and text.endswith("rest\n")
    assert "Produced by `make reproduce`" in text and "over the network" in text
    assert not re.search(r"\d{4}-\d\d-\d\d", text)  # no date: a run that finds the same leaves git status clean


def test_the_readme_scorecard_is_english_whatever_the_language_setting(monkeypatch):
    from wijkstudie.core.settings import settings
    from wijkstudie.data.variables import label

    seen = []
    monkeypatch.setattr(reproduce, "recorded", lambda: [])
    monkeypatch.setattr(reproduce, "scorecard", lambda tests: seen.append(label("pct_volunteering")) or "en table")
    monkeypatch.setattr(reproduce, "update_readme", lambda table, statement: seen.append(table) or True)
    with settings.using(language="nl"):
        assert label("pct_volunteering") == "Doet vrijwilligerswerk"  # the Dutch label, for the figures
        assert reproduce.readme_note("real", False, False, False, "nl table", "") == "README.md shows this scorecard"
    assert seen == ["Does volunteer work", "en table"]


@pytest.mark.slow  # real Jupyter kernels: make test runs it, make test-fast leaves it out
def test_a_complete_run_names_figures_no_notebook_wrote_and_keeps_them(project, capsys):
    root, folder, _ = project
    (root / "figures").mkdir(exist_ok=True)
    stale = root / "figures" / "00_renamed_long_ago.png"
    stale.write_bytes(b"png")
    reproduce.main([str(folder / "03_alone.ipynb"), "--build", str(root / "build")])  # a partial run: silent
    assert "00_renamed_long_ago" not in capsys.readouterr().out
    reproduce.main(["--build", str(root / "build")])
    out = capsys.readouterr().out
    assert "written by no notebook of this run" in out and "00_renamed_long_ago" in out
    assert "01_figure" not in out.split("written by no notebook")[1].splitlines()[0]
    assert stale.read_bytes() == b"png"


@pytest.mark.slow  # real Jupyter kernels: make test runs it, make test-fast leaves it out
def test_a_failing_notebook_fails_the_run_and_is_not_cached(project):
    root, folder, _ = project
    broken = notebook(folder / "03_alone.ipynb", ["raise ValueError('broken')"])
    build = root / "build"
    assert reproduce.main([str(broken), "--build", str(build)]) == 1  # the broken notebook alone: one kernel
    assert not (build / "cache" / "notebooks" / "03_alone").exists()  # not kept
    assert reproduce.main([str(broken), "--build", str(build)]) == 1  # and it runs again next time


def test_the_scorecard_says_which_data_produced_it(tmp_path, monkeypatch):
    from helpers import finding_test

    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(tmp_path))
    study.record(
        "F3",
        [
            finding_test(files=["kwb-2022.xlsx", "RIVM_gezondheid2020_18+.xlsx"]),
            finding_test("F6", kind="synthetic", files=["survey.csv"]),
        ],
        notebook="02",
    )
    checkout = tmp_path / "home" / "me" / "wijkstudie"  # wherever this clone lives
    monkeypatch.setattr(statements, "project_dir", lambda: checkout)
    mirror = statements.data_statement("real", tmp_path / "mirror", when="2026-11-28")
    assert mirror.startswith("Produced on 2026-11-28 by `make reproduce` from a local mirror")
    assert str(tmp_path) not in mirror  # far from the checkout: no machine path, in words
    assert "from a local mirror of the publishers' files. The real-data tests" in mirror
    beside = statements.data_statement("real", checkout.parent / "shared" / "data")
    assert "(../shared/data)" in beside  # beside the checkout: no machine-specific path
    assert "read 2 files: RIVM_gezondheid2020_18+.xlsx, kwb-2022.xlsx." in mirror  # real tests' files only
    assert "over the network" in statements.data_statement("real", None)
    assert "SYNTHETIC" in statements.data_statement("synthetic", None)
    for where in (checkout.parent / "shared" / "data", tmp_path / "mirror", checkout / "data" / "mirror"):
        readme = statements.data_statement("real", where, dated=False)  # the README: the same wherever it lies
        assert readme.startswith("Produced by `make reproduce` from a local mirror of the publishers' files. The")
    assert str(tmp_path) not in statements.run_data("real", tmp_path / "mirror", "2026-11-28")


@pytest.mark.slow  # real Jupyter kernels: make test runs it, make test-fast leaves it out
def test_an_interrupted_run_publishes_nothing_and_the_next_run_says_so(project, monkeypatch, capsys):
    root, folder, data = project
    build = root / "build"
    assert reproduce.main(["--build", str(build), "--jobs", "1"]) == 0
    published = root / "figures" / "results" / "value__population.json"
    assert json.loads(published.read_text())["value"] == 1000
    kept = {p: p.read_bytes() for p in [published, root / "figures" / "01_figure.png", build / "runs.json"]}
    kept[build / "site" / "index.html"] = (build / "site" / "index.html").read_bytes()
    write_kwb_workbook(data, rows=kwb_rows({(0, "a_inw"): 2000}))  # 01 runs again and records 2000
    execute = reproduce.Reproduction.execute

    def killed_before_02(self, path):
        if path.stem == "02_needs":
            raise KeyboardInterrupt  # Ctrl-C (or a kill) between two notebooks
        return execute(self, path)

    monkeypatch.setattr(reproduce.Reproduction, "execute", killed_before_02)
    capsys.readouterr()
    assert reproduce.run(["--build", str(build), "--jobs", "1"]) == 130
    assert "nothing of this run was published" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in kept} == kept  # the last complete run's outputs, as they were
    assert (build / ".run" / "figures" / "results" / "value__population.json").is_file()  # the unfinished run's
    monkeypatch.setattr(reproduce.Reproduction, "execute", execute)
    assert reproduce.main(["--build", str(build), "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert re.search(
        r"the run started \S+ \S+ did not finish \(interrupted or killed\): nothing of it was published", out
    )
    assert json.loads(published.read_text())["value"] == 2000 and not (build / ".run").exists()


@pytest.mark.slow  # real Jupyter kernels
def test_a_failed_or_partial_run_is_kept_apart_and_never_published(project, capsys):
    root, folder, _ = project
    build = root / "build"
    assert reproduce.main(["--build", str(build)]) == 0
    index = (build / "site" / "index.html").read_bytes()
    notebook(folder / "03_alone.ipynb", ["from wijkstudie import study\nstudy.record_value('x', 1.0)\n1 / 0"])
    capsys.readouterr()
    assert reproduce.main(["--build", str(build)]) == 1
    out = capsys.readouterr().out
    assert "not published (1 notebook failed): figures/, the scorecard, README.md and the site keep the last" in out
    assert not (root / "figures" / "results" / "value__x.json").exists()  # its value was recorded, not published
    assert (build / "unpublished" / "figures" / "results" / "value__x.json").is_file()
    assert (build / "unpublished" / "notebooks" / "03_alone.ipynb").is_file()  # to see what failed
    assert (build / "site" / "index.html").read_bytes() == index
    assert reproduce.main([str(folder / "01_reads.ipynb"), "--build", str(build)]) == 0  # a partial run
    assert "not published (a partial run)" in capsys.readouterr().out
    assert (build / "unpublished" / "site" / "notebooks" / "01_reads.html").is_file()
    assert (build / "site" / "index.html").read_bytes() == index


def test_a_build_folder_that_cannot_be_written_is_one_line_naming_it_and_the_setting(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert reproduce.main(["--build", str(blocker / "build")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"reproduce: cannot write {blocker / 'build'}: ")
    assert "(setting build_dir, WIJKSTUDIE_BUILD_DIR or --build)" in err and "unexpected" not in err
    if os.geteuid() != 0:  # root writes into a read-only folder all the same
        folder = tmp_path / "read-only"
        folder.mkdir(mode=0o555)
        assert reproduce.main(["--build", str(folder)]) == 1
        assert "(setting build_dir, WIJKSTUDIE_BUILD_DIR or --build)" in capsys.readouterr().err


def test_a_cache_entry_that_cannot_be_written_is_a_warning_and_the_old_entry_stays(tmp_path, monkeypatch):
    from wijkstudie.reproduce import notebook_cache as nc

    figures = tmp_path / "figures"
    (figures / "results").mkdir(parents=True)
    (figures / "a.png").write_bytes(b"png")
    executed = tmp_path / "executed.ipynb"
    executed.write_text("{}")
    cache = nc.NotebookCache(tmp_path / "cache")

    def run():
        return nc.Run("02_x", "key", executed, 1.0, "2026-12-06 10:00")

    kept = cache.store(run(), executed, figures, [figures / "a.png"])
    assert kept.hashes and cache.lookup("02_x", "key") is not None
    real_copy = nc.shutil.copy2

    def disk_full(source, target, **kw):
        if Path(source).name == "a.png":
            raise OSError(28, "No space left on device", str(target))
        return real_copy(source, target, **kw)

    monkeypatch.setattr(nc.shutil, "copy2", disk_full)
    again = cache.store(run(), executed, figures, [figures / "a.png"])
    assert again.artifacts == ["a.png"] and again.hashes == {}  # the run keeps its outputs, uncached
    assert cache.problems["02_x"].startswith("not cached: cannot write ")
    assert cache.problems["02_x"].endswith("(setting build_dir): no space left on the disk")
    monkeypatch.setattr(nc.shutil, "copy2", real_copy)
    assert cache.lookup("02_x", "key") is not None  # the old entry, whole
    assert not [p for p in (tmp_path / "cache").iterdir() if p.name.startswith(".")]  # no staging left
    (tmp_path / "cache" / ".02_x.abc123").mkdir()  # what a killed store leaves
    assert cache.clean_staging() == [".02_x.abc123"] and not (tmp_path / "cache" / ".02_x.abc123").exists()


@pytest.mark.slow  # a real Jupyter kernel
def test_a_kernel_the_main_command_did_not_start_writes_to_scratch_never_to_the_published_figures(tmp_path):
    from helpers import kernel_env, run_in_kernel

    published = tmp_path / "figures"
    (published / "results").mkdir(parents=True)
    (published / "results" / "value__population.json").write_text(
        json.dumps({"name": "population", "value": 7.0, "interval": None, "data_kind": "real", "source": "",
                    "notebook": "01"})
    )  # fmt: skip
    cells = [
        "import matplotlib.pyplot as plt\nfrom wijkstudie import study\nfrom wijkstudie.plotting import save_figure\n"
        "study.start_notebook()",
        "study.record_value('breakpoint', 4.0)\nprint(study.recorded_value('population')['value'])\n"
        "print(save_figure(plt.figure(), 'f', source='CBS', formats=('png',))[0])",
    ]
    env = kernel_env(
        WIJKSTUDIE_CONFIG="none", WIJKSTUDIE_FIGURES_DIR=published, WIJKSTUDIE_BUILD_DIR=tmp_path / "build"
    )
    out = run_in_kernel(cells, cwd=tmp_path, env=env)
    scratch = tmp_path / "build" / "scratch"
    assert not out[0]["error"] and out[0]["stdout"].count("Not a run of `wijkstudie reproduce`") == 1
    assert f"go to {scratch}, never into the published figures" in out[0]["stdout"]
    assert out[1]["stdout"].splitlines() == ["7.0", str(scratch / "f.png")]  # reads the published value
    assert (scratch / "results" / "value__breakpoint.json").is_file() and (scratch / "f.png").is_file()
    assert sorted(p.name for p in published.rglob("*")) == ["results", "value__population.json"]  # untouched
    env[study.notebook.PUBLISHING] = "1"  # a kernel of the main command publishes as before
    out = run_in_kernel(cells, cwd=tmp_path, env=env)
    assert "Not a run" not in out[0]["stdout"] and (published / "f.png").is_file()


def test_the_notebook_with_the_longest_work_after_it_runs_first(tmp_path):
    from wijkstudie.reproduce.run import critical_paths, last_seconds

    needs = {"07_a": [], "08_b": ["07_a"], "02_c": [], "05_d": []}
    seconds = {"07_a": 20.0, "08_b": 15.0, "02_c": 25.0}  # 05_d has no time yet: the mean (20 s)
    paths = critical_paths(needs, seconds, list(needs))
    assert paths == {"07_a": 35.0, "08_b": 15.0, "02_c": 25.0, "05_d": 20.0}  # 07 first: 08 waits for it
    assert critical_paths({"a": ["b"], "b": ["a"]}, {}, ["a", "b"]) == {"a": 2.0, "b": 1.0}  # a circle ends
    assert set(critical_paths(needs, {}, list(needs)).values()) == {1.0, 2.0}  # no times: the order given stays
    assert last_seconds(tmp_path) == {}
    (tmp_path / "runs.json").write_text(json.dumps({"runs": [{"name": "07_a", "seconds": 12.5}]}))
    assert last_seconds(tmp_path) == {"07_a": 12.5}
    (tmp_path / "runs.json").write_text("[1, 2]")
    assert last_seconds(tmp_path) == {}


def test_a_notebooks_page_is_converted_as_soon_as_it_has_run(tmp_path, monkeypatch):
    """The site's page of a notebook is converted by the worker that ran it, while the other notebooks run; the site,
    written at the end, then converts nothing again."""
    import hashlib

    import nbconvert

    from wijkstudie.reproduce import site

    folder, _ = tiny_project(tmp_path, monkeypatch)
    build = tmp_path / "build"
    run = reproduce.Reproduction([folder / "03_alone.ipynb"], build, True, 1, "real", staging=build / "staging")
    assert not site.page_cache(build).exists()
    run.execute(folder / "03_alone.ipynb")
    executed = build / "staging" / "notebooks" / "03_alone.ipynb"
    digest = hashlib.sha256(executed.read_bytes()).hexdigest()
    assert [p.name for p in site.page_cache(build).iterdir()] == [f"{digest[:20]}.html"]

    def again(*args, **kwargs):
        raise AssertionError("converted again")

    monkeypatch.setattr(nbconvert.HTMLExporter, "from_notebook_node", again)
    assert "3" in site._body_html(executed, site.page_cache(build))
    monkeypatch.setattr(site, "convert_ahead", lambda *args: again())  # a page that cannot be converted now
    run.execute(folder / "03_alone.ipynb")  # runs all the same (the site converts it later and reports)


@pytest.mark.parametrize(
    "jobs, cores, prepared_after",
    [(1, 2, 0), (2, 2, 3), (2, 4, 0), (1, 1, None)],  # one at a time on two cores: at once; all cores busy: at the last
)
def test_the_ends_imports_start_on_a_core_no_notebook_uses(tmp_path, monkeypatch, jobs, cores, prepared_after):
    import threading

    folder, _ = tiny_project(tmp_path, monkeypatch)
    for name in ("01_a", "02_b", "04_c"):
        (folder / f"{name}.ipynb").write_bytes((folder / "03_alone.ipynb").read_bytes())
    paths = sorted(folder.glob("*.ipynb"))
    run = reproduce.Reproduction(paths, tmp_path / "build", True, jobs, "real", staging=tmp_path / "staging")
    finished, events, lock = [], [], threading.Lock()

    def execute(path):
        time.sleep(0.1 * int(path.stem[:2]))  # 01 ends first, 04 last and alone
        with lock:
            finished.append(path.stem)
        return reproduce.Run(path.stem, "k", path, 0.2, "2026-12-07")

    monkeypatch.setattr(run, "execute", execute)
    monkeypatch.setattr(reproduce, "usable_cores", lambda: cores)
    monkeypatch.setattr(reproduce, "prepare_the_end", lambda: events.append(len(finished)))
    run.run(paths)
    time.sleep(0.05)  # the thread has started; its work is instant here
    assert sorted(run.runs) == [p.stem for p in paths]
    assert events == ([] if prepared_after is None else [prepared_after])


def test_preparing_the_end_imports_what_judging_needs_and_survives_a_failing_import(monkeypatch):
    code = (
        "import sys\n"
        "from wijkstudie.reproduce import run\n"
        "before = 'scipy.stats' in sys.modules\n"
        "run.END_MODULES = ('wijkstudie.no_such_module', *run.END_MODULES)\n"
        "run.prepare_the_end()\n"
        "print(before, 'scipy.stats' in sys.modules)\n"
    )
    out = python_prints(code)
    assert out.split() == ["False", "True"]


@pytest.mark.parametrize("during", ["main", "import_nbformat_without_iri_grammar"])  # the run; its first import
def test_ctrl_c_during_reproduce_is_one_line_and_status_130(monkeypatch, capsys, during):
    from wijkstudie.reproduce import run as reproduce

    monkeypatch.setattr(reproduce, during, lambda *args, **kwargs: (_ for _ in ()).throw(KeyboardInterrupt))
    assert reproduce.run([]) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


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


def test_the_scorecard_lists_the_files_of_this_runs_results_even_on_the_first_run(tmp_path, monkeypatch):
    made = tmp_path / "made"  # a recorded result, copied by the notebook into its run's results
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", str(made))
    results.record("F3", [finding_test(notebook="03_alone", files=["kwb-2022.xlsx"])], notebook="03_alone")
    [result] = (made / "results").glob("*.json")
    cell = (
        "import shutil\nfrom wijkstudie.study.results import results_dir\n"
        "results_dir().mkdir(parents=True, exist_ok=True)\n"
        f"shutil.copy({str(result)!r}, results_dir() / {result.name!r})"
    )
    folder, _ = tiny_project(tmp_path, monkeypatch, cells=(cell,))
    assert not (tmp_path / "figures").exists()  # nothing published before: the statement cannot come from there
    assert reproduce.main(["--build", str(tmp_path / "build"), "--no-readme"]) == 0
    text = (tmp_path / "figures" / "scorecard.md").read_text(encoding="utf-8")
    assert "The real-data tests read 1 file: kwb-2022.xlsx." in text


def test_a_complete_run_that_leaves_no_recorded_results_is_an_error(tmp_path, monkeypatch, capsys):
    folder, readme = tiny_project(tmp_path, monkeypatch)
    assert reproduce.main(["--build", str(tmp_path / "build")]) != 0
    assert "\nold\n" in readme.read_text()
    text = capsys.readouterr()
    assert "no recorded results" in text.out + text.err


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


@pytest.mark.slow  # real Jupyter kernels
@pytest.mark.parametrize(
    "failure", ["Kernel didn't respond in 60 seconds", "Kernel died before replying to kernel_info"]
)
def test_a_kernel_that_never_answers_or_dies_at_start_up_is_replaced_once(tmp_path, monkeypatch, capsys, failure):
    import nbclient

    path = notebook(tmp_path / "01_x.ipynb", ["print(6 * 7)"])
    start = nbclient.NotebookClient.async_start_new_kernel_client
    silent = {"left": 1}

    async def answers_late(self):  # the first kernel starts, then never answers (or dies): jupyter_client's error
        await start(self)
        if silent["left"]:
            silent["left"] -= 1
            await self._async_cleanup_kernel()
            raise RuntimeError(failure)

    monkeypatch.setattr(nbclient.NotebookClient, "async_start_new_kernel_client", answers_late)
    log = tmp_path / "audit.jsonl"
    reproduce.run_notebook(path, tmp_path / "out", log=log)
    executed = nbformat.read(tmp_path / "out" / "01_x.ipynb", as_version=4)
    assert executed.cells[0].outputs[0]["text"] == "42\n" and log.is_file()
    assert f"01_x: {failure} when it started (no cell had run); starting another" in capsys.readouterr().out
    silent["left"] = 2  # a second kernel that fails: the error, as before
    with pytest.raises(RuntimeError, match=failure[:20]):
        reproduce.run_notebook(path, tmp_path / "out")


def test_the_main_command_leaves_its_objects_to_the_operating_system_at_exit_only():
    code = (
        "import atexit, gc\n"
        "atexit.register(lambda: print('at exit, frozen:', gc.get_freeze_count() > 0))\n"
        "from wijkstudie.core.process_exit import leave_objects_at_exit\n"
        "leave_objects_at_exit()\nleave_objects_at_exit()\n"
        "print('before exit, frozen:', gc.get_freeze_count() > 0)\n"
    )
    out = python_prints(code)
    assert out.splitlines() == ["before exit, frozen: False", "at exit, frozen: True"]


def test_the_main_command_imports_nbformat_without_the_iri_grammar_and_validates_notebooks_as_before(tmp_path):
    pytest.importorskip("rfc3987_syntax")  # the grammar comes with it (jsonschema's format-nongpl extra)
    bad = tmp_path / "bad.ipynb"
    bad.write_text('{"cells": [{"cell_type": "code"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    code = (
        "import sys\n"
        "from wijkstudie.reproduce.run import run\n"
        "try:\n    run(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('imported:', 'jsonschema' in sys.modules, 'rfc3987_syntax' in sys.modules)\n"
        "import nbformat\n"
        "try:\n    nbformat.read(sys.argv[1], as_version=4)\nexcept nbformat.ValidationError:\n    print('refused')\n"
        "import rfc3987_syntax\n"  # importable as before, for whoever needs it later
        "print('grammar:', rfc3987_syntax.is_valid_syntax('iri', 'https://example.org/ü'))\n"
    )
    out = python_prints(code, str(bad))
    assert out.splitlines()[-3:] == ["imported: True False", "refused", "grammar: True"]


def test_jsonschema_imported_before_is_left_as_it_is():
    import subprocess
    import sys

    code = (
        "import sys, jsonschema\n"
        "from wijkstudie.reproduce.lean_imports import import_nbformat_without_iri_grammar as lean\n"
        "print(lean(), 'rfc3987_syntax' in sys.modules)\n"
    )
    out = python_prints(code)
    installed = subprocess.run([sys.executable, "-c", "import rfc3987_syntax"], capture_output=True).returncode == 0
    assert out.split() == ["False", str(installed)]


@pytest.mark.parametrize(
    "publishing, in_kernel, frozen",
    [("1", True, True), (None, True, False), (None, False, False)],  # the main command's kernel; JupyterLab; Python
)
def test_only_a_kernel_of_the_main_command_keeps_its_imports_and_at_its_exit_its_data_from_the_garbage_collector(
    tmp_path, publishing, in_kernel, frozen
):
    import subprocess
    import sys

    code = (
        "import atexit, gc, sys, types\n"
        + ("sys.modules.setdefault('ipykernel', types.ModuleType('ipykernel'))\n" if in_kernel else "")
        + "atexit.register(lambda: print('data frozen at exit:', gc.get_freeze_count() > first))\n"  # runs last
        "from wijkstudie.study import notebook\n"
        "notebook.start_notebook()\nfirst = gc.get_freeze_count()\n"
        "data = [[i] for i in range(10_000)]\nnotebook.start_notebook()\n"  # the notebook's own data: left alone
        "print('frozen:', first > 0, gc.get_freeze_count() <= first)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != study.notebook.PUBLISHING}
    env.update(WIJKSTUDIE_CONFIG="none", WIJKSTUDIE_BUILD_DIR=str(tmp_path / "build"))
    if publishing:
        env[study.notebook.PUBLISHING] = publishing
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    # a second call freezes nothing more; at the exit of the main command's kernel the data are left to the system
    assert out.stdout.splitlines()[-2:] == [f"frozen: {frozen} True", f"data frozen at exit: {frozen}"]


def test_the_benchmarks_floor_runs_as_a_kernel_of_the_main_command(tmp_path, monkeypatch):
    """The floor is what every notebook pays: the main command's kernel environment and audit hook, and the end of
    ``start_notebook`` in such a kernel (``settle_imports``; without it the floor paid an exit the notebooks skip)."""
    import importlib.util

    from helpers import REPO

    spec = importlib.util.spec_from_file_location("bench_reproduce", REPO / "benchmarks" / "bench_reproduce.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    runs = []

    def runs_it(path, out_dir, *, env=None, log=None, timeout=1200):
        runs.append((nbformat.read(path, as_version=4).cells[0].source, env, log, log.exists()))
        log.write_text("[]\n")  # what the hook of this run wrote: the next run starts a fresh log
        return 2.0 + len(runs)

    monkeypatch.setattr(reproduce, "run_notebook", runs_it)
    env = dict(os.environ, WIJKSTUDIE_FIGURES_DIR=str(tmp_path / "figures"), MPLBACKEND="Agg")
    assert bench.floor_seconds(str(tmp_path), env) == 4.0 and len(runs) == 3  # the median of three
    for cell, kernel_env, log, existed in runs:
        assert kernel_env == reproduce.kernel_environment(tmp_path / "figures", env)
        assert kernel_env[study.notebook.PUBLISHING] == "1" and kernel_env["OMP_NUM_THREADS"] == "1"
        assert log is not None and not existed
        assert cell.splitlines()[-1] == "settle_imports()" and "import geopandas" in cell


@pytest.mark.slow  # real Jupyter kernels
def test_a_replaced_silent_kernel_leaves_nothing_to_fail_at_exit(tmp_path):
    """nbclient registers the kernel's cleanup at exit and unregisters it only after a started kernel's run: a silent
    kernel, cleaned up already, left a callback that failed at the command's exit with a traceback."""
    import subprocess
    import sys

    path = notebook(tmp_path / "01_x.ipynb", ["print(6 * 7)"])
    code = (
        "import nbclient\n"
        "from pathlib import Path\n"
        "from wijkstudie.reproduce import run\n"
        "start = nbclient.NotebookClient.async_start_new_kernel_client\n"
        "silent = {'left': 1}\n"
        "async def answers_late(self):\n"
        "    await start(self)\n"
        "    if silent['left']:\n"
        "        silent['left'] -= 1\n"
        "        await self._async_cleanup_kernel()\n"
        '        raise RuntimeError("Kernel didn\'t respond in 60 seconds")\n'
        "nbclient.NotebookClient.async_start_new_kernel_client = answers_late\n"
        f"run.run_notebook(Path({str(path)!r}), Path({str(tmp_path / 'out')!r}))\n"
        "print('ran')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.splitlines()[-1] == "ran", done.stderr
    assert "starting another" in done.stdout
    assert "Exception ignored" not in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_usable_cores_are_the_ones_the_process_may_run_on(monkeypatch):
    assert reproduce.usable_cores() == len(os.sched_getaffinity(0))
    if shutil.which("taskset"):  # one core given, whatever the machine has
        code = "from wijkstudie.reproduce.run import usable_cores; print(usable_cores())"
        out = subprocess.run(["taskset", "-c", "0", sys.executable, "-c", code], capture_output=True, text=True)
        assert out.stdout.split() == ["1"], out.stderr
    monkeypatch.delattr(reproduce.os, "sched_getaffinity")  # macOS, Windows: the machine's count
    monkeypatch.setattr(reproduce.os, "cpu_count", lambda: 6)
    assert reproduce.usable_cores() == 6
    monkeypatch.setattr(reproduce.os, "cpu_count", lambda: None)
    assert reproduce.usable_cores() == 1
