"""The suite's own rules: the ``realdata`` marker follows the ``real_mirror`` fixture, and pytest's cache is on
(``--lf`` works)."""

import re
import subprocess
import sys

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


def test_no_test_sets_the_realdata_marker_by_hand():
    hand = [
        path.relative_to(REPO).as_posix()
        for path in (REPO / "tests").rglob("*.py")
        if re.search(r"mark\.realdata\b", path.read_text(encoding="utf-8")) and path.name != "conftest.py"
    ]
    assert hand == []


def test_the_realdata_marker_follows_the_real_mirror_fixture_through_other_fixtures():
    files = ["tests/test_readme.py", "tests/test_hostile_inputs.py", "tests/test_settings.py"]
    real = collected("-m", "realdata", *files)
    other = collected("-m", "not realdata", *files)
    assert "tests/test_readme.py::test_the_readme_example_runs_on_the_mirror_from_a_project_file" in real
    # through a fixture of the test module (kwb_2017) and a fixture of a fixture (fresh_project)
    assert "tests/test_hostile_inputs.py::test_wijken_whose_gemeente_is_missing_are_counted" in real
    assert any(test.startswith("tests/test_settings.py::test_plain_python") for test in real)
    assert "tests/test_readme.py::test_the_settings_table_names_every_setting_and_its_variable" in other
    assert not real & other and len(other) > len(real) > 3


def test_pytests_cache_is_on_so_last_failed_works():
    config = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    addopts = re.search(r"^addopts = (.*)$", config, flags=re.M).group(1)
    assert "no:cacheprovider" not in addopts
    options = subprocess.run([sys.executable, "-m", "pytest", "--help"], cwd=REPO, capture_output=True, text=True)
    assert "--lf" in options.stdout
