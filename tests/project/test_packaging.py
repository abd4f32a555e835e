"""Packaging: pyproject.toml is the single source of dependencies (environment.yml lists the same ones), every
import of the package is declared, optional ones are imported lazily with a one-line error, and the metadata is
complete and agrees with CITATION.cff."""

import functools
import re
import tomllib

import yaml

from helpers import REPO


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def extras() -> dict:
    """{extra: requirements} without ``all``, which names the others."""
    return {k: v for k, v in project()["optional-dependencies"].items() if k != "all"}


def test_the_all_extra_is_every_other_extra():
    (everything,) = project()["optional-dependencies"]["all"]
    assert everything.startswith("wijkstudie[")
    assert (
        set(everything.removeprefix("wijkstudie[").rstrip("]").split(","))
        == set(extras())
        == {
            "spatial",
            "notebooks",
            "test",
        }
    )


def test_environment_yml_matches_pyproject():
    """environment.yml lists what `pip install ".[all]"` installs: the core and every extra."""
    requirements = project()["dependencies"] + [r for extra in extras().values() for r in extra]
    wanted = {_name(r): r.replace(" ", "") for r in requirements}
    assert len(wanted) == len(requirements)  # nothing listed twice
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    conda = {_name(d): d.replace(" ", "") for d in env["dependencies"] if isinstance(d, str)}
    conda.pop("python"), conda.pop("pip")
    assert conda == wanted
    assert any(isinstance(d, dict) and "-e ." in d.get("pip", []) for d in env["dependencies"])


def test_the_makefile_installs_every_extra():
    assert "pip install --quiet -e '.[all]'" in (REPO / "Makefile").read_text(encoding="utf-8")


def test_the_data_descriptions_ship_with_the_package():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    data = project["tool"]["setuptools"]["package-data"]["wijkstudie"]
    assert {"data/*.yaml", "study/*.yaml", "synthetic/scenarios/*.yaml", "microdata/mappings/*.yaml"} <= set(data)
    folder = REPO / "wijkstudie"
    shipped = {str(p.relative_to(folder)) for p in folder.rglob("*.yaml")}
    import fnmatch

    assert all(any(fnmatch.fnmatch(f, pattern) for pattern in data) for f in shipped), shipped


def test_the_metadata_is_complete():
    meta = project()
    assert meta["license"] == "MIT" and meta["license-files"] == ["LICENSE"]  # an SPDX expression (PEP 639)
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert meta["authors"] == [{"name": "wijkstudie maintainers"}]
    assert meta["requires-python"] == ">=3.11" and meta["keywords"] and meta["description"]
    classifiers = meta["classifiers"]
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert not any(c.startswith("License ::") for c in classifiers)  # the licence expression says it, once
    build = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    assert build["requires"] == ["setuptools>=77"]  # the first setuptools that reads license = "MIT"


def test_the_citation_file_names_this_version_licence_authors_and_keywords():
    from wijkstudie.core.version import __version__

    citation = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    meta = project()
    assert citation["cff-version"] == "1.2.0" and citation["title"]
    assert str(citation["version"]) == __version__
    assert citation["license"] == meta["license"] and (REPO / "LICENSE").is_file()
    assert citation["authors"] == meta["authors"]
    assert citation["keywords"] == meta["keywords"]


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
    """Plain helpers live in tests/helpers.py; importing a conftest or a test module works only
    by the accident of sys.path order."""
    offenders = [
        f"{path.name}:{n}"
        for path in sorted((REPO / "tests").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.match(r"\s*(from|import)\s+(conftest|test_\w+)\b", line)
    ]
    assert len(list((REPO / "tests").rglob("test_*.py"))) > 20
    assert offenders == []


# --- every import declared ----------------------------------------------------------------------------------------

# core dependencies the package uses without importing them by name
USED_INDIRECTLY = {
    "pyarrow": "pandas and geopandas read and write the Parquet cache with it",
    "openpyxl": "pd.ExcelWriter(engine='openpyxl') writes the synthetic mirror's workbooks",
}


@functools.cache
def _distributions() -> dict:
    from importlib.metadata import packages_distributions

    return packages_distributions()


def _distribution(module: str) -> str | None:
    """The installed distribution (normalised name) that provides a top-level module, None for the standard
    library."""
    import sys

    if module in sys.stdlib_module_names or module == "__future__":
        return None
    names = _distributions().get(module)
    assert names, f"{module}: imported by the package but not installed here"
    return _name(names[0])


def _imports_and_optionals() -> tuple[dict, dict]:
    """({top-level module: files that import it}, {top-level module: files that load it through optional()}) for
    every module of the package, imports inside functions included."""
    import ast

    imported, optional = {}, {}
    for path in sorted((REPO / "wijkstudie").rglob("*.py")):
        where = str(path.relative_to(REPO))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                tops = [a.name.partition(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                tops = [node.module.partition(".")[0]]
            elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "optional" and node.args:
                optional.setdefault(node.args[0].value.partition(".")[0], set()).add(where)
                continue
            else:
                continue
            for top in tops:
                if top != "wijkstudie":
                    imported.setdefault(top, set()).add(where)
    return imported, optional


def test_every_import_of_the_package_is_a_core_dependency_or_an_optional_one_of_an_extra():
    from wijkstudie.core.optional import EXTRAS

    core = {_name(r) for r in project()["dependencies"]}
    by_extra = {extra: {_name(r) for r in reqs} for extra, reqs in extras().items()}
    imported, optional = _imports_and_optionals()
    undeclared = {m: sorted(files) for m, files in imported.items() if (d := _distribution(m)) and d not in core}
    assert undeclared == {}, "imported directly but not a core dependency (import it through core.optional?)"
    assert optional, "no optional import found: is the scan still right?"
    for module, files in optional.items():
        distribution, extra = EXTRAS[module]
        assert _distribution(module) == distribution, module
        assert distribution in by_extra[extra], (module, extra, sorted(files))
    used = {_distribution(m) for m in imported} | set(USED_INDIRECTLY)
    assert core - used == set(), "core dependencies nothing imports (drop them, or say how they are used)"
    assert "seaborn" not in core | set().union(*by_extra.values())


def test_importing_the_package_needs_no_extra():
    """Optional dependencies are imported where they are used, never when the package is imported."""
    import subprocess
    import sys

    hidden = sorted({"libpysal", "esda", "spreg", "tobler", "nbformat", "nbclient", "nbconvert", "IPython"})
    code = (
        "import sys\n"
        f"for name in {hidden!r}: sys.modules[name] = None\n"
        "import wijkstudie, wijkstudie.models, wijkstudie.plotting, wijkstudie.study, wijkstudie.synthetic\n"
        "import wijkstudie.reproduce, wijkstudie.reproduce.run, wijkstudie.reproduce.site, wijkstudie.cli\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0 and result.stdout == "ok\n", result.stderr


def _hide(monkeypatch, module: str) -> None:
    import sys

    monkeypatch.setitem(sys.modules, module, None)
    for name in [n for n in sys.modules if n.startswith(module + ".")]:
        monkeypatch.setitem(sys.modules, name, None)


def test_a_missing_optional_dependency_is_one_line_naming_the_extra(monkeypatch, tmp_path):
    import geopandas as gpd
    import pytest
    from shapely.geometry import box

    import wijkstudie as ws
    from wijkstudie import models
    from wijkstudie.core import optional as opt

    _hide(monkeypatch, "libpysal")
    grid = gpd.GeoDataFrame(geometry=[box(i, 0, i + 1, 1) for i in range(4)], crs=28992)
    with pytest.raises(ws.MissingDependencyError) as exc:
        models.spatial_weights(grid, cache=False)
    assert isinstance(exc.value, ImportError)
    assert str(exc.value) == 'spatial_weights needs libpysal: pip install "wijkstudie[spatial]"'

    _hide(monkeypatch, "nbclient")
    with pytest.raises(ws.WijkstudieError) as exc:
        opt.optional("nbclient", "running notebooks")
    assert str(exc.value) == 'running notebooks needs nbclient: pip install "wijkstudie[notebooks]"'

    # installed, but something it needs is not: the extra brings that too
    (tmp_path / "halfinstalled.py").write_text("import a_dependency_that_is_not_there\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(opt.EXTRAS, "halfinstalled", ("halfinstalled", "spatial"))
    with pytest.raises(ws.WijkstudieError) as exc:
        opt.optional("halfinstalled", "a map")
    assert str(exc.value) == (
        'a map needs halfinstalled (which needs a_dependency_that_is_not_there): pip install "wijkstudie[spatial]"'
    )
