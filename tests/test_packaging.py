"""pyproject.toml is the single source of dependencies; environment.yml must list the same ones."""

import re
import tomllib

import yaml

from helpers import REPO


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = {_name(r): r.replace(" ", "") for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda = {_name(d): d.replace(" ", "") for d in env["dependencies"] if isinstance(d, str)}
    conda.pop("python"), conda.pop("pip")
    assert conda == wanted
    assert any(isinstance(d, dict) and "-e ." in d.get("pip", []) for d in env["dependencies"])


def test_the_data_descriptions_ship_with_the_package():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    data = project["tool"]["setuptools"]["package-data"]["wijkstudie"]
    assert {"data/*.yaml", "study/*.yaml", "synthetic/scenarios/*.yaml", "microdata/mappings/*.yaml"} <= set(data)
    folder = REPO / "wijkstudie"
    shipped = {str(p.relative_to(folder)) for p in folder.rglob("*.yaml")}
    import fnmatch

    assert all(any(fnmatch.fnmatch(f, pattern) for pattern in data) for f in shipped), shipped


def test_the_citation_file_names_this_version_and_licence():
    from wijkstudie.core.version import __version__

    citation = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert citation["cff-version"] == "1.2.0" and citation["title"] and citation["authors"]
    assert str(citation["version"]) == __version__
    assert citation["license"] == project["license"]["text"] and (REPO / "LICENSE").is_file()


def test_every_dataset_has_a_citation_to_copy():
    from wijkstudie.data.catalogue import datasets
    from wijkstudie.reproduce.site import citation

    for name, dataset in datasets().items():
        years = dataset.years[-1:] if dataset.years else []
        c = citation(name, years)
        assert c["publisher"] and c["licence"] and c["where"], name
        assert c["citation"].startswith(f"{dataset.publisher} (") and f"Licence: {dataset.licence}." in c["citation"]
    rivm = citation("rivm-gezondheid", [2020])
    assert "50090NED" in rivm["citation"] and "(2020)" in rivm["citation"]


def test_tests_import_helpers_not_a_conftest_or_another_test_module():
    """Plain helpers live in tests/helpers.py; importing a conftest (there are two) or a test module works only
    by the accident of sys.path order."""
    offenders = [
        f"{path.name}:{n}"
        for path in sorted((REPO / "tests").glob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.match(r"\s*(from|import)\s+(conftest|test_\w+)\b", line)
    ]
    assert len(list((REPO / "tests").glob("test_*.py"))) > 20
    assert offenders == []
