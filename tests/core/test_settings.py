"""One settings source for every entry point: ws.settings, then the environment, then the project file
(wijkstudie.toml or [tool.wijkstudie] in pyproject.toml, found from the starting folder upwards), then the defaults;
relative paths made absolute once; what the main command and `wijkstudie lab` pass on to kernels."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import wijkstudie as ws
from wijkstudie.core import settings as settings_module
from wijkstudie.core.settings import Origin, find_project_file

from helpers import REAL_MIRROR, REPO, kernel_env, run_in_kernel


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder with a wijkstudie.toml the session reads (WIJKSTUDIE_CONFIG names it)."""
    folder = tmp_path / "project"
    folder.mkdir()

    def write(text: str, name: str = "wijkstudie.toml") -> Path:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("WIJKSTUDIE_CONFIG", str(path))
        return path

    write.folder = folder
    return write


def test_each_source_wins_over_the_next(project, monkeypatch, tmp_path):
    monkeypatch.delenv("WIJKSTUDIE_LANGUAGE", raising=False)
    assert ws.settings.language == "en" and ws.settings.origin("language").source == "default"
    path = project('language = "nl"\n')
    assert ws.settings.language == "nl" and ws.settings.origin("language") == Origin(
        "language", "project file", file=str(path)
    )
    assert ws.settings.describe_origin("language") == f"language in {path}"
    monkeypatch.setenv("WIJKSTUDIE_LANGUAGE", "en")
    assert ws.settings.language == "en" and ws.settings.origin("language") == Origin(
        "language", "environment", "WIJKSTUDIE_LANGUAGE"
    )
    ws.settings.language = "nl"
    try:
        assert ws.settings.language == "nl" and ws.settings.describe_origin("language") == "ws.settings.language"
        with ws.settings.using(language="en"):
            assert ws.settings.language == "en" and ws.settings.origin("language").source == "block"
    finally:
        del ws.settings.language
    assert ws.settings.language == "en"  # the environment again


def test_relative_paths_in_the_project_file_start_at_its_folder_and_others_at_the_start_folder(
    project, monkeypatch, tmp_path
):
    monkeypatch.delenv("WIJKSTUDIE_FIGURES_DIR", raising=False)
    path = project('mirror = "../shared/data"\nfigures_dir = "out/figures"\n')
    assert ws.settings.mirror == (path.parent / ".." / "shared" / "data").resolve()
    assert ws.settings.figures_dir == path.parent / "out" / "figures"
    monkeypatch.setattr(settings_module, "START_DIR", tmp_path / "started-here")
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", "relfigs")
    assert ws.settings.figures_dir == tmp_path / "started-here" / "relfigs"
    ws.settings.figures_dir = "other"
    try:
        assert ws.settings.figures_dir == tmp_path / "started-here" / "other"
    finally:
        del ws.settings.figures_dir


def test_pyproject_tool_table_counts_and_one_without_it_is_passed_by(tmp_path, monkeypatch):
    monkeypatch.delenv("WIJKSTUDIE_CONFIG")
    top, inner = tmp_path / "top", tmp_path / "top" / "inner" / "notebooks"
    inner.mkdir(parents=True)
    (top / "pyproject.toml").write_text('[tool.wijkstudie]\nlanguage = "nl"\n', encoding="utf-8")
    (top / "inner" / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    found = find_project_file(inner)
    assert found.path == top / "pyproject.toml" and found.label.endswith("pyproject.toml [tool.wijkstudie]")
    (top / "inner" / "wijkstudie.toml").write_text('language = "en"\n', encoding="utf-8")
    assert find_project_file(top / "inner" / "wijkstudie.toml").path == top / "inner" / "wijkstudie.toml"


def test_the_search_stops_at_the_repository_root(tmp_path, monkeypatch):
    monkeypatch.delenv("WIJKSTUDIE_CONFIG")
    (tmp_path / "wijkstudie.toml").write_text('language = "nl"\n', encoding="utf-8")  # another project's
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "notebooks").mkdir()
    assert find_project_file(repo / "notebooks") is None
    assert find_project_file(tmp_path).path == tmp_path / "wijkstudie.toml"


def test_config_none_reads_no_project_file(project, monkeypatch):
    project('language = "nl"\n')
    monkeypatch.setenv("WIJKSTUDIE_CONFIG", "none")
    assert ws.settings.project_file is None and ws.settings.origin("language").source != "project file"


@pytest.mark.parametrize(
    "text, message",
    [
        ('miror = "x"\n', "unknown setting 'miror'; settings: data, mirror"),
        ('language = "fr"\n', r"wijkstudie.toml: language='fr': use 'en' or 'nl'"),
        ("mirror = 3\n", "mirror=3: a path is a text"),
        ('mirror = "x\n', "not a valid TOML file"),
    ],
)
def test_a_bad_project_file_is_one_line_naming_the_file(project, text, message):
    path = project(text)
    with pytest.raises(ws.ArgumentError, match=message) as exc:
        ws.settings.as_dict()
    assert str(path) in str(exc.value) and "\n" not in str(exc.value)


def test_print_settings_shows_each_value_and_where_it_comes_from(project, monkeypatch):
    path = project('mirror = "data-copy"\n')
    monkeypatch.setenv("WIJKSTUDIE_LANGUAGE", "nl")
    text = str(ws.settings)
    assert f"project file: {path}" in text
    lines = {line.split()[0]: line for line in text.splitlines()[2:]}
    assert str(path.parent / "data-copy") in lines["mirror"] and lines["mirror"].endswith(f"mirror in {path}")
    assert lines["language"].endswith("the environment variable WIJKSTUDIE_LANGUAGE")
    assert lines["figures_dir"].endswith("the environment variable WIJKSTUDIE_FIGURES_DIR")  # the tests set it
    assert lines["microdata"].split()[1] == "-" and lines["microdata"].endswith("the default")


def test_export_writes_absolute_paths_and_says_where_they_came_from(project, monkeypatch, tmp_path):
    path = project('mirror = "../copy"\n')
    monkeypatch.setattr(settings_module, "START_DIR", tmp_path / "checkout")
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", "relfigs")
    environ = {}
    written = ws.settings.export_to_environment(environ)
    assert written["WIJKSTUDIE_MIRROR"] == str(tmp_path / "copy")
    assert written["WIJKSTUDIE_FIGURES_DIR"] == str(tmp_path / "checkout" / "relfigs")
    assert all(Path(v).is_absolute() for k, v in written.items() if k.endswith(("_DIR", "_MIRROR")))
    monkeypatch.setattr(os, "environ", {**os.environ, **environ})
    assert ws.settings.describe_origin("mirror") == f"mirror in {path} (passed on as WIJKSTUDIE_MIRROR)"
    assert ws.settings.origin("mirror") == Origin("mirror", "project file", "WIJKSTUDIE_MIRROR", str(path))
    assert ws.settings.how_to_unset("mirror") == f"remove mirror from {path}"
    assert ws.settings.describe_origin("figures_dir") == "the environment variable WIJKSTUDIE_FIGURES_DIR"


def test_a_kernel_started_elsewhere_sees_the_folders_the_command_sees(project, monkeypatch, tmp_path):
    """Issue 17, point 6: a relative WIJKSTUDIE_FIGURES_DIR given to the main command must not become
    notebooks/relfigs in the kernels while the command reads ./relfigs; the mirror of the project file reaches them."""
    checkout = tmp_path / "checkout"
    (checkout / "notebooks").mkdir(parents=True)
    path = project('mirror = "../copy"\n')
    monkeypatch.setattr(settings_module, "START_DIR", checkout)
    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", "relfigs")
    environ = dict(os.environ)
    ws.settings.export_to_environment(environ)
    cells = [
        "from wijkstudie.core import paths\nfrom wijkstudie.core.settings import settings\n"
        "print(paths.figures_dir()); print(settings.mirror); print(settings.describe_origin('mirror'))"
    ]
    passed = {k: v for k, v in environ.items() if k.startswith("WIJKSTUDIE_")}
    env = kernel_env(**{**passed, "WIJKSTUDIE_CONFIG": "none"})  # the kernel finds no project file of its own
    (out,) = run_in_kernel(cells, cwd=checkout / "notebooks", env=env)
    assert out["error"] == "", out
    assert out["stdout"].splitlines() == [
        str(checkout / "relfigs"),
        str(tmp_path / "copy"),
        f"mirror in {path} (passed on as WIJKSTUDIE_MIRROR)",
    ]


@pytest.fixture
def fresh_project(tmp_path, real_mirror):
    """A project folder as a new researcher has it: a wijkstudie.toml whose mirror is a path relative to the file,
    nothing in the environment (no WIJKSTUDIE_* variable at all)."""
    folder = tmp_path / "study"
    (folder / "notebooks").mkdir(parents=True)
    (folder / ".git").mkdir()
    relative = os.path.relpath(real_mirror, folder)
    (folder / "wijkstudie.toml").write_text(f'mirror = "{relative}"\ndata_dir = "cache"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIJKSTUDIE_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    return folder, env


@pytest.mark.slow  # real Jupyter kernels: make test runs it, make test-fast leaves it out
def test_plain_python_the_cli_and_a_kernel_load_offline_from_the_project_files_mirror(fresh_project):
    folder, env = fresh_project
    code = "import wijkstudie as ws; t = ws.load('kwb', year=2023, level='buurt'); print(len(t), ws.report(t).file)"
    python = subprocess.run(
        [sys.executable, "-c", code], cwd=folder / "notebooks", env=env, capture_output=True, text=True
    )
    assert python.returncode == 0, python.stderr
    assert python.stdout.split() == ["111", str(REAL_MIRROR / "cbs-kwb" / "CBS-Utrecht-kwb-2023.xlsx")]
    command = subprocess.run(
        [sys.executable, "-m", "wijkstudie", "data", "fetch", "kwb", "--year", "2023"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )
    assert command.returncode == 0, command.stderr
    assert command.stdout.strip() == str(REAL_MIRROR / "cbs-kwb" / "CBS-Utrecht-kwb-2023.xlsx")
    (kernel,) = run_in_kernel([code], cwd=folder / "notebooks", env={**env, "MPLBACKEND": "Agg"})
    assert kernel["error"] == "" and kernel["stdout"] == python.stdout
    assert (folder / "cache" / "processed").is_dir()  # the project file's cache folder, relative to it


@pytest.mark.parametrize("name", ["data_dir", "figures_dir", "build_dir", "mirror", "language"])
def test_none_or_an_empty_text_means_unset_wherever_it_is_written(project, monkeypatch, name):
    monkeypatch.delenv(settings_module.SPEC[name].env, raising=False)
    project("")  # a project file that sets nothing: the folders' defaults lie in its folder
    default = ws.settings._resolve(name)
    assert default[1].source == "default"
    project(f'{name} = ""\n')  # an empty value in the project file: as if the line were not there
    assert ws.settings._resolve(name) == default
    monkeypatch.setenv(settings_module.SPEC[name].env, "")
    assert ws.settings._resolve(name) == default
    setattr(ws.settings, name, None)  # back to the next source, as del ws.settings.<name>
    assert ws.settings._resolve(name) == default
    setattr(ws.settings, name, "nl" if name == "language" else "somewhere")
    try:
        assert ws.settings.origin(name).source == "session"
        with ws.settings.using(**{name: None}):  # a block of None overrides nothing
            assert ws.settings.origin(name).source == "session"
        setattr(ws.settings, name, "")
        assert ws.settings._resolve(name) == default
    finally:
        delattr(ws.settings, name)


def test_a_folder_setting_set_to_none_still_gives_a_folder(monkeypatch):
    from wijkstudie.core import paths

    monkeypatch.setenv("WIJKSTUDIE_FIGURES_DIR", "")
    ws.settings.figures_dir = None
    try:
        assert paths.figures_dir() == settings_module.project_dir() / "figures"
    finally:
        del ws.settings.figures_dir


@pytest.mark.parametrize("value", ["1,5", "5,000,000", "1.5", "-3", "0", "many"])
def test_a_limit_that_is_not_a_plain_whole_number_is_refused_naming_where_it_was_written(project, monkeypatch, value):
    monkeypatch.delenv("WIJKSTUDIE_MAX_SHEET_CELLS", raising=False)
    path = project(f'max_sheet_cells = "{value}"\n')
    with pytest.raises(ws.ArgumentError, match="use a positive whole number") as exc:
        ws.settings.as_dict()
    assert str(exc.value).startswith(f"{path}: max_sheet_cells='{value}'") and "WIJKSTUDIE_" not in str(exc.value)
    monkeypatch.setenv("WIJKSTUDIE_MAX_SHEET_CELLS", value)
    with pytest.raises(ws.ArgumentError, match=f"^WIJKSTUDIE_MAX_SHEET_CELLS='{value}': use a positive"):
        ws.settings.as_dict()
    with pytest.raises(ws.ArgumentError, match=f"^ws.settings.max_sheet_cells='{value}'"):
        ws.settings.max_sheet_cells = value


def test_a_limit_may_be_written_with_underscores_or_as_a_toml_number(project, monkeypatch):
    monkeypatch.delenv("WIJKSTUDIE_MAX_COLUMNS", raising=False)
    project('max_columns = "20_000"\nmax_sheet_cells = 5e6\n')
    assert ws.settings.max_columns == 20_000 and ws.settings.max_sheet_cells == 5_000_000


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_a_named_project_file_that_is_not_a_regular_file_is_refused_without_reading_it(tmp_path, monkeypatch, kind):
    path = {"folder": tmp_path / "conf.toml", "fifo": tmp_path / "conf.fifo", "device": Path("/dev/zero")}[kind]
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)  # an open() would wait for a writer for ever
    monkeypatch.setenv("WIJKSTUDIE_CONFIG", str(path))
    with pytest.raises(ws.ArgumentError) as exc:
        ws.settings.as_dict()
    text = str(exc.value)
    assert text.startswith(f"WIJKSTUDIE_CONFIG={path}: ") and "not a project file" in text and "\n" not in text


def test_a_project_file_larger_than_1_mb_is_refused_before_it_is_read(project):
    path = project("# " + "x" * (1 << 20) + "\n")
    with pytest.raises(ws.ArgumentError, match=r"1,048,579 bytes, larger than a project file may be \(1 MB\)"):
        ws.settings.as_dict()
    assert path.stat().st_size == 1_048_579


@pytest.mark.parametrize(
    "data, message",
    [
        ('language = "nl" # café\n'.encode("latin-1"), "not UTF-8 text (byte 0xe9 at position 21"),
        ('language = "nl"\n'.encode("utf-16"), "UTF-16 text; a project file is UTF-8"),
        ('language = "nl"\n'.encode("utf-8-sig"), "starts with a UTF-8 byte-order mark (BOM)"),
        (b"x = " + b"[" * 100_000 + b"]" * 100_000 + b"\n", "nests tables or arrays too deeply"),
        (b"[tool]\nwijkstudie = 3\n", "tool.wijkstudie must be a table"),
    ],
)
def test_a_project_file_that_cannot_be_decoded_is_one_line_naming_the_file_and_the_cause(project, data, message):
    name = "pyproject.toml" if b"[tool]" in data else "wijkstudie.toml"
    path = project("", name)
    path.write_bytes(data)
    with pytest.raises(ws.ArgumentError) as exc:
        ws.settings.as_dict()
    assert str(exc.value).startswith(f"{path}: ") and message in str(exc.value) and "\n" not in str(exc.value)


def test_the_tests_find_the_mirror_the_readme_sets_in_the_project_file(tmp_path):
    """A clone set up as the README says (one line `mirror = "../shared/data"` in wijkstudie.toml, nothing in the
    environment) runs its real-data tests on that mirror; the skip message says what was looked at."""
    from helpers import find_real_mirror

    snapshot = tmp_path / "snapshot"
    snapshot.mkdir()
    (snapshot / "MANIFEST.md").write_text("# a mirror\n")
    clone = tmp_path / "work" / "clone"
    (clone / ".git").mkdir(parents=True)
    (clone / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_real_mirror(clone, environ={}) == (
        None,
        f"WIJKSTUDIE_MIRROR is not set; no wijkstudie.toml or [tool.wijkstudie] from {clone} up to its repository "
        f"root; the folder beside the checkout names {tmp_path / 'work' / 'shared' / 'data'}, which holds no "
        "MANIFEST.md",
    )
    (clone / "wijkstudie.toml").write_text('mirror = "../../snapshot"\n')
    assert find_real_mirror(clone, environ={}) == (snapshot, "")
    assert find_real_mirror(clone, environ={"WIJKSTUDIE_CONFIG": "none"})[0] is None
    (clone / "wijkstudie.toml").unlink()  # the same in pyproject.toml's [tool.wijkstudie]
    (clone / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.wijkstudie]\nmirror = "../../snapshot"\n')
    assert find_real_mirror(clone, environ={}) == (snapshot, "")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    found, looked = find_real_mirror(clone, environ={"WIJKSTUDIE_MIRROR": str(elsewhere)})
    assert found == snapshot  # the variable names a folder that is no mirror: the project file's is used
    (clone / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.wijkstudie]\nlanguage = "nl"\n')
    found, looked = find_real_mirror(clone, environ={"WIJKSTUDIE_MIRROR": str(elsewhere)})
    assert found is None
    assert f"WIJKSTUDIE_MIRROR names {elsewhere}, which holds no MANIFEST.md" in looked
    assert f"{clone / 'pyproject.toml'} [tool.wijkstudie] sets no mirror" in looked


@pytest.mark.parametrize(
    ("origin", "described", "unset"),
    [
        (Origin("mirror", "block"), "ws.settings.using(mirror=...)",
         "leave the block with ws.settings.using(mirror=...)"),
        (Origin("mirror", "session"), "ws.settings.mirror", "del ws.settings.mirror"),
        (Origin("mirror", "environment", "WIJKSTUDIE_MIRROR"), "the environment variable WIJKSTUDIE_MIRROR",
         "unset WIJKSTUDIE_MIRROR"),
        (Origin("mirror", "project file", file="/p/wijkstudie.toml"), "mirror in /p/wijkstudie.toml",
         "remove mirror from /p/wijkstudie.toml"),
        (Origin("mirror", "project file", "WIJKSTUDIE_MIRROR", "/p in x/pyproject.toml [tool.wijkstudie]"),
         "mirror in /p in x/pyproject.toml [tool.wijkstudie] (passed on as WIJKSTUDIE_MIRROR)",
         "remove mirror from /p in x/pyproject.toml [tool.wijkstudie]"),
        (Origin("mirror", "default"), "the default", "nothing to unset"),
    ],
)  # fmt: skip
def test_an_origin_is_a_record_its_words_are_made_from_its_fields(origin, described, unset, monkeypatch):
    assert origin.describe() == described
    monkeypatch.setattr(Origin, "describe", lambda self: "reworded entirely")  # how to unset never reads the words
    assert origin.how_to_unset() == unset


def test_folders_left_at_their_default_lie_in_the_projects_folder_never_in_the_packages(project, monkeypatch, tmp_path):
    for name in ("WIJKSTUDIE_FIGURES_DIR", "WIJKSTUDIE_BUILD_DIR", "WIJKSTUDIE_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(settings_module, "START_DIR", tmp_path / "started-here")
    path = project('language = "en"\n')  # a project file that names no folder
    assert ws.settings.figures_dir == path.parent / "figures" and ws.settings.build_dir == path.parent / "build"
    monkeypatch.setenv("WIJKSTUDIE_CONFIG", "none")  # no project file: the folder the program started in
    assert settings_module.project_dir() == tmp_path / "started-here"
    assert ws.settings.figures_dir == tmp_path / "started-here" / "figures"
    assert ws.settings.build_dir == tmp_path / "started-here" / "build"
    assert not ws.settings.data_dir.is_relative_to(settings_module.PACKAGE_DIR.parent)  # the user cache folder
    assert ws.settings.origin("data_dir").source == "default"


def test_the_repositorys_pyproject_sets_the_projects_folders():
    found = settings_module._read_project_file(REPO / "pyproject.toml", required=True)
    assert {k: found.values[k] for k in ("data_dir", "figures_dir", "build_dir")} == {
        "data_dir": "data",
        "figures_dir": "figures",
        "build_dir": "build",
    }
