"""The suite's own rules: the tests mirror the package (a folder per subpackage, ``tests/project/`` for the repository
as a whole), the ``realdata`` marker follows the ``real_mirror`` fixture, pytest's cache is on (``--lf`` works), and
a run says why tests were skipped and fails on the package's warnings."""

import re
import subprocess
import sys
import tomllib

from helpers import REPO


def collected(*args) -> set[str]:
    """The test ids pytest collects with these arguments (no test is run)."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return {line.strip() for line in done.stdout.splitlines() if "::" in line}


def test_the_test_folders_mirror_the_package():
    """Every subpackage of wijkstudie has its test folder (``tests/data/readers/`` for ``wijkstudie/data/readers/``),
    and every test lies in such a folder or in ``tests/project/`` (the repository as a whole): none is left at the
    top, none in a folder of no subpackage."""
    package = REPO / "wijkstudie"
    subpackages = {p.parent.relative_to(package).as_posix() for p in package.rglob("__init__.py")} - {"."}
    folders = {p.parent.relative_to(REPO / "tests").as_posix() for p in (REPO / "tests").rglob("test_*.py")}
    assert subpackages >= {"core", "data", "data/readers", "models", "study", "reproduce"}
    assert sorted(subpackages - folders) == []
    assert sorted(folders - subpackages - {"project"}) == []


def test_no_test_sets_the_realdata_marker_by_hand():
    hand = [
        path.relative_to(REPO).as_posix()
        for path in (REPO / "tests").rglob("*.py")
        if re.search(r"mark\.realdata\b", path.read_text(encoding="utf-8")) and path.name != "conftest.py"
    ]
    assert hand == []


def test_the_realdata_marker_follows_the_real_mirror_fixture_through_other_fixtures():
    files = ["tests/project/test_readme.py", "tests/data/test_integrity.py", "tests/core/test_settings.py"]
    real = collected("-m", "realdata", *files)
    other = collected("-m", "not realdata", *files)
    assert "tests/project/test_readme.py::test_the_readme_example_runs_on_the_mirror_from_a_project_file" in real
    # through a fixture of the test module (kwb_2017) and a fixture of a fixture (fresh_project)
    assert "tests/data/test_integrity.py::test_wijken_whose_gemeente_is_missing_are_counted" in real
    assert any(test.startswith("tests/core/test_settings.py::test_plain_python") for test in real)
    assert "tests/project/test_readme.py::test_the_settings_table_names_every_setting_and_its_variable" in other
    assert not real & other and len(other) > len(real) > 3


def test_pytests_cache_is_on_so_last_failed_works():
    config = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    addopts = re.search(r"^addopts = (.*)$", config, flags=re.M).group(1)
    assert "no:cacheprovider" not in addopts
    options = subprocess.run([sys.executable, "-m", "pytest", "--help"], cwd=REPO, capture_output=True, text=True)
    assert "--lf" in options.stdout


def test_the_test_run_shows_why_tests_were_skipped_and_fails_on_the_packages_warnings():
    options = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert "-rs" in options["addopts"].split()
    assert "error::wijkstudie.data.reports.WijkstudieWarning" in options["filterwarnings"]
