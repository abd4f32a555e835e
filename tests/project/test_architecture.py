"""The shape of the package: no import cycles, one way into the data, one result type, documented public API."""

import ast
import inspect
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import wijkstudie as ws
from wijkstudie import models

from helpers import every_model

PACKAGE = Path(ws.__file__).parent


def import_graph() -> dict:
    """Module -> the package modules it imports (at module level or inside functions)."""
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
                deps |= {f"{target}.{a.name}" for a in node.names} if node.module is None else {target}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("wijkstudie"):
                deps.add(node.module)
            elif isinstance(node, ast.Import):  # import wijkstudie.study (plain imports count too)
                deps |= {a.name for a in node.names if a.name.startswith("wijkstudie.")}
            elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                "import_module",
                "optional",
            ):  # import_module(".models", ...) / optional("wijkstudie.x")
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    name = first.value
                    if name.startswith("."):
                        name = ".".join(package) + name
                    if name.startswith("wijkstudie"):
                        deps.add(name)
        graph[module] = deps
    modules = set(graph)
    return {m: {d if d in modules else d.rsplit(".", 1)[0] for d in deps} & modules - {m} for m, deps in graph.items()}


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    assert "wijkstudie.data.loading" in graph and "wijkstudie.synthetic.mirror_writer" in graph
    state, cycles = {}, []

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, [" -> ".join(c) for c in cycles]


# Each folder is a layer; a module imports only from its own layer or lower ones (layers of the same rank do not
# import each other). The package root (``wijkstudie/__init__.py``, ``cli``, ``__main__``) wires them together.
LAYERS = {"core": 0, "data": 1, "models": 1, "synthetic": 2, "microdata": 3, "plotting": 3, "study": 4, "reproduce": 5}
ROOT_MODULES = {"wijkstudie", "wijkstudie.cli", "wijkstudie.__main__"}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_module_lives_in_a_layer_and_imports_point_down():
    graph = import_graph()
    loose = sorted(m for m in graph if m not in ROOT_MODULES and _layer(m) is None)
    assert not loose, f"modules outside the layer folders: {loose}"
    upward = []
    for module, deps in graph.items():
        mine = _layer(module)
        if mine is None:
            continue
        for dep in deps:
            theirs = _layer(dep)
            if dep in ROOT_MODULES or (theirs != mine and LAYERS[theirs] >= LAYERS[mine]):
                upward.append(f"{module} -> {dep}")
    assert not upward, upward


BELOW_THE_WALL = ("core", "data", "models", "plotting", "synthetic", "microdata")  # nothing here serves the build
BEYOND_THE_WALL = {
    "the run log": re.compile(r"run[ _-]?log|RUN_LOG|note_modules", re.IGNORECASE),
    "a checkout": re.compile(r"checkout", re.IGNORECASE),
    "the build folder": re.compile(r"build_dir|build folder|\bbuild/|notebooks_dir", re.IGNORECASE),
    "the site's escaping": re.compile(r"\bescape\.py|\.escape import|html_text|url_part|markdown_cell|csv_cell"),
}
SETTINGS_TABLE = ("core/settings.py", "build_dir")  # the one settings object declares every entry point's settings


def _mentions(path: Path, pattern: re.Pattern) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [f"{n}: {line.strip()}" for n, line in enumerate(lines, 1) if pattern.search(line)]
    if path.relative_to(PACKAGE).as_posix() == SETTINGS_TABLE[0] and pattern.pattern.startswith(SETTINGS_TABLE[1]):
        found = [f for f in found if "build/ of the project's folder" not in f and '"build_dir": Setting' not in f]
        found = [f for f in found if "WIJKSTUDIE_BUILD_DIR" not in f and "build folders left at" not in f]
    return found


@pytest.mark.parametrize("what", BEYOND_THE_WALL)
def test_no_module_below_the_study_mentions_the_run_log_a_checkout_the_build_folder_or_the_sites_escaping(what):
    pattern = BEYOND_THE_WALL[what]
    found = {
        str(path.relative_to(PACKAGE)): hits
        for layer in BELOW_THE_WALL
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        if (hits := _mentions(path, pattern))
    }
    assert not found, f"{what} mentioned below the study: {found}"


def test_the_wall_test_sees_a_mention(tmp_path):
    assert BEYOND_THE_WALL["the run log"].search("from ..core import runlog")
    assert BEYOND_THE_WALL["a checkout"].search("root = checkout_dir()")
    assert BEYOND_THE_WALL["the build folder"].search("paths.build_dir() / 'site'")
    assert BEYOND_THE_WALL["the site's escaping"].search("from ..core.escape import html_text as h")
    assert not BEYOND_THE_WALL["the site's escaping"].search("re.escape(name)")


def test_no_library_module_writes_what_a_notebook_run_read_the_runner_observes_it():
    from wijkstudie.core import provenance
    from wijkstudie.reproduce import kernel_audit

    assert not (PACKAGE / "core" / "runlog.py").exists()
    graph = import_graph()
    below = {m for m in graph if _layer(m) in BELOW_THE_WALL}
    assert not {d for m in below for d in graph[m] if d.startswith("wijkstudie.reproduce")}
    assert kernel_audit.EVENT == provenance.INPUT_EVENT  # what the library says, the runner listens to
    assert "import wijkstudie" not in (PACKAGE / "reproduce" / "kernel_audit.py").read_text(encoding="utf-8")


def test_load_has_no_synthetic_branch_and_the_synthetic_world_uses_no_loader():
    source = inspect.getsource(ws.load)
    assert "synthetic" not in source.split('"""')[-1]  # only the docstring may mention it
    graph = import_graph()
    assert (
        not {"wijkstudie.data.loading", "wijkstudie.data.reading", "wijkstudie.microdata.survey"}
        & graph["wijkstudie.synthetic.mirror_writer"]
    )
    # the survey reader switches to the synthetic survey itself when no microdata are set (the layer above it)
    assert "wijkstudie.synthetic" in graph["wijkstudie.microdata.survey"]


def test_asking_where_the_data_come_from_builds_nothing(monkeypatch, tmp_path):
    from wijkstudie.data import origin

    monkeypatch.setenv("WIJKSTUDIE_DATA", "synthetic")
    monkeypatch.setenv("WIJKSTUDIE_DATA_DIR", str(tmp_path))
    with pytest.raises(ws.DataNotFoundError, match="no synthetic mirror is set .setting synthetic_mirror.: call ws"):
        origin.mirror_dir()  # the data layer reads a folder setting; it writes no synthetic world
    monkeypatch.setenv("WIJKSTUDIE_SYNTHETIC_MIRROR", str(tmp_path / "synthetic" / "somewhere"))
    assert origin.mirror_dir() == tmp_path / "synthetic" / "somewhere"
    assert "SYNTHETIC DATA" in origin.data_origin() and not (tmp_path / "synthetic").exists()


def test_no_callback_is_registered_on_import_the_synthetic_mirror_is_a_folder_setting():
    import subprocess
    import sys

    from wijkstudie.data import origin

    slots = [n for n, v in vars(origin).items() if not n.startswith("__") and (v is None or isinstance(v, list | dict))]
    foreign = [n for n, v in vars(origin).items() if inspect.isfunction(v) and v.__module__ != origin.__name__]
    assert not slots and not foreign, (slots, foreign)  # no slot a callback could be put in, none put there
    assert not {m for m in import_graph()["wijkstudie"] if m.startswith("wijkstudie.data")}  # __init__ registers none
    code = "import sys, wijkstudie\nprint(sorted(m for m in sys.modules if m.startswith('wijkstudie.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PACKAGE.parent)
    assert "wijkstudie.data.origin" not in out.stdout and "wijkstudie.synthetic" not in out.stdout


def test_paths_hold_paths_only_and_asking_for_one_opens_no_connection(monkeypatch):
    import socket

    from wijkstudie.core import paths

    def refuse(*args, **kwargs):
        raise AssertionError("a connection was opened")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    for name in ("data_dir", "figures_dir", "project_dir", "processed_dir", "synthetic_dir"):
        assert isinstance(getattr(paths, name)(), Path)
    assert not [
        n
        for n, v in vars(paths).items()
        if inspect.isfunction(v) and v.__module__ == paths.__name__ and not (n.endswith("_dir") or n == "raw_dir")
    ]


def test_settings_can_be_read_printed_and_overridden(monkeypatch):
    monkeypatch.setenv("WIJKSTUDIE_LANGUAGE", "nl")
    assert ws.settings.language == "nl" and ws.settings.origin("language").variable == "WIJKSTUDIE_LANGUAGE"
    with ws.settings.using(language="en"):
        assert ws.settings.language == "en" and ws.label("pct_volunteering") == "Does volunteer work"
    assert ws.label("pct_volunteering") == "Doet vrijwilligerswerk"
    ws.settings.language = "en"
    try:
        assert ws.settings.origin("language").source == "session" and "language" in str(ws.settings)
    finally:
        del ws.settings.language
    with pytest.raises(ws.WijkstudieError, match="use 'en' or 'nl'"):
        ws.settings.language = "fr"
    with pytest.raises(ws.WijkstudieError, match="unknown setting"):
        ws.settings.using(colour="blue").__enter__()


def test_estimators_take_study_names_from_the_caller():
    for name in ("multilevel", "multilevel_logit", "logit", "segmented_logit", "spline_logit", "predicted_by_group"):
        defaults = {
            p.default
            for p in inspect.signature(getattr(models, name)).parameters.values()
            if isinstance(p.default, str)
        }
        assert not defaults & {
            "buurt_code",
            "years_at_address",
            "participates",
            "weight",
            "problem",
            "gemeente_code",
        }, name
    assert inspect.ismodule(models.mixed) and inspect.isfunction(models.multilevel)  # no shadowing


def test_what_the_readme_tells_users_to_call_exists_where_it_says():
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    for name in sorted(set(re.findall(r"\bws\.(\w+)\(", readme)) | set(re.findall(r"wijkstudie\.(\w+)\(", readme))):
        assert hasattr(ws, name), name


def test_every_error_the_package_raises_is_also_the_matching_built_in():
    """No bare WijkstudieError: each problem is raised as the subclass that is also the built-in a caller catches
    (ArgumentError a ValueError, DataNotFoundError a FileNotFoundError, MissingRecordError a LookupError, ...)."""
    bare = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                name = getattr(node.exc.func, "id", getattr(node.exc.func, "attr", ""))
                if name == "WijkstudieError":
                    bare.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not bare, bare
    with pytest.raises(LookupError):
        ws.study.ranks.percentile(pd.DataFrame({"region_name": ["A"], "v": [1.0]}), "B", "v")
    with pytest.raises(ValueError, match="unknown finding 'F9'"):
        ws.study.findings.finding("F9")


def test_the_public_api_has_numpy_style_docs():
    for name in ("load", "read_file", "harmonise", "join_regions", "report", "read_microdata", "load_residents"):
        doc = inspect.getdoc(getattr(ws, name)) or ""
        assert len(doc) > 120, name
    for name in ("load", "harmonise", "report"):
        doc = inspect.getdoc(getattr(ws, name))
        assert "Raises" in doc and "WijkstudieError" in doc, name


DOCUMENTED = ("core", "data", "models", "plotting", "synthetic", "microdata", "reproduce", "study")


def test_docstrings_follow_rufs_numpy_convention():
    """Docstrings are checked by ruff's D rules with the numpy convention (pyproject.toml), not by a test of their
    own: every public module, class and function has one, a one-line summary, a blank line, numpydoc sections."""
    import subprocess
    import sys

    config = (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^select = \[.*"D".*\]$', config, flags=re.M)
    assert re.search(r'^convention = "numpy"', config, flags=re.M)
    ruff = Path(sys.executable).with_name("ruff")
    config_file = PACKAGE.parent / "pyproject.toml"
    done = subprocess.run([ruff, "check", "--quiet", "--config", config_file, PACKAGE], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:]


def _section(doc: str, name: str) -> bool:
    return re.search(rf"^{name}\n-{{{len(name)}}}$", doc, re.M) is not None


def names_on_ws() -> list[str]:
    """Every public name on ``ws``: ``__all__`` and the names reached on first use (figures, submodules)."""
    return [name for name in dir(ws) if not name.startswith("_")]


def test_every_name_on_ws_has_numpydoc_parameters_returns_and_examples():
    problems = []
    for name in names_on_ws():
        value = getattr(ws, name)
        if inspect.ismodule(value) or isinstance(value, str):
            continue
        documented = value if inspect.isfunction(value) or inspect.isclass(value) else type(value)  # ws.settings
        doc = inspect.getdoc(documented) or ""
        wanted = ["Examples"]
        if inspect.isfunction(value):
            wanted.append("Returns")
            if inspect.signature(value).parameters:
                wanted.append("Parameters")
        problems += [f"{name}: no {section} section" for section in wanted if not _section(doc, section)]
    assert not problems, problems


# --- one result type -----------------------------------------------------------------------------------------


def test_every_model_returns_the_one_result_type_and_contrast_works_on_each():
    results = every_model(np.random.default_rng(3))
    for name, result in results.items():
        assert isinstance(result, models.ModelResult), name
        assert {"estimate", "std_error", "ci_low", "ci_high", "p_value", "std_estimate", "distribution"} <= set(
            result.table.columns
        ), name
        assert result.n > 0 and result.fitted is not None and result.provenance.kind == "unknown", name
        term = next(t for t in result.table.index if t != "Intercept")
        c = result.contrast({term: 1})
        row = result.table.loc[term]
        assert c["estimate"] == pytest.approx(row["estimate"]) and c["std_error"] == pytest.approx(row["std_error"]), (
            name
        )
        assert c["ci_low"] == pytest.approx(row["ci_low"]) and c["ci_high"] == pytest.approx(row["ci_high"]), name
        with pytest.raises(ws.WijkstudieError, match=re.escape(result.model)):
            result.term("no such term")
        with pytest.raises(ws.WijkstudieError, match="no term 'nothing' for a contrast"):
            result.contrast({"nothing": 1})
    assert results["segmented_logit"].extra["breakpoint"] > 0
    assert not results["spline_logit"].extra["curve"].empty
    assert results["area"].table["distribution"].iloc[0].startswith("t(")  # area_regression, no weights or clusters
    assert results["logit"].table["distribution"].iloc[0] == "normal"


def test_public_calls_with_more_than_three_parameters_take_the_rest_by_keyword():
    from wijkstudie import plotting, study, synthetic

    loose = []
    for module in (ws, models, plotting, synthetic, study):
        for name in getattr(module, "__all__", [n for n in dir(module) if not n.startswith("_")]):
            function = getattr(module, name)
            if not inspect.isfunction(function):
                continue
            params = inspect.signature(function).parameters.values()
            positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            if len(params) > 3 and len(positional) > 3:
                loose.append(f"{module.__name__}.{name}({', '.join(positional)})")
    assert not loose, loose


def test_the_everyday_tools_are_on_ws_and_imported_on_first_use():
    import subprocess
    import sys

    from wijkstudie import plotting, synthetic

    code = (
        "import sys, wijkstudie as ws; "
        "print(sorted(m for m in ('pandas', 'numpy', 'geopandas', 'pyogrio', 'libpysal', 'matplotlib', 'statsmodels', "
        "'nbconvert', 'wijkstudie.data.loading', 'wijkstudie.models', 'wijkstudie.plotting', 'wijkstudie.study', "
        "'wijkstudie.synthetic') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out  # import wijkstudie loads the settings and errors only
    assert ws.load.__module__ == "wijkstudie.data.loading" and ws.Report.__module__ == "wijkstudie.data.reports"
    assert ws.save_figure is plotting.save_figure and ws.map_figure is plotting.map_figure
    assert ws.models is models and ws.synthetic is synthetic and ws.study.national_wijken
    for name in ws.__all__:
        assert name in dir(ws), name
    for name in names_on_ws():
        assert getattr(ws, name) is not None, name
    assert {"map_figure", "save_figure", "models", "plotting", "study", "synthetic"} <= set(names_on_ws())


def test_star_import_brings_the_data_layer_once_without_figures_or_models():
    import subprocess
    import sys

    code = (
        "import sys\nfrom wijkstudie import *\nprint(sorted(m for m in ('matplotlib', 'statsmodels', "
        "'wijkstudie.models', 'wijkstudie.plotting', 'wijkstudie.study', 'wijkstudie.synthetic') if m in sys.modules))"
        "\nprint(load.__module__, Report.__name__, ArgumentError.__name__, settings is not None)"
    )
    out = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", code], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.splitlines() == [
        "[]",
        "wijkstudie.data.loading Report ArgumentError True",
    ]
    assert len(ws.__all__) == len(set(ws.__all__))
    assert not {"harmonisation_report", "LoadReport", "models", "plotting", "study", "synthetic"} & set(ws.__all__)
    with pytest.raises(AttributeError, match="no attribute 'harmonisation_report'"):
        _ = ws.harmonisation_report  # removed without a shim (alpha): ws.report(table).harmonisation
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        _ = ws.no_such_name
