"""pyproject.toml is the single source of dependencies; environment.yml must list the same ones."""

import re
import tomllib

import yaml

from conftest import REPO


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
    assert {"*.yaml", "scenarios/*.yaml", "mappings/*.yaml"} <= set(data)
    folder = REPO / "wijkstudie"
    shipped = {str(p.relative_to(folder)) for p in folder.rglob("*.yaml")}
    import fnmatch

    assert all(any(fnmatch.fnmatch(f, pattern) for pattern in data) for f in shipped), shipped
