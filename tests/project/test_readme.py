"""The README's researcher example runs as written: its two code blocks under "Use it" (load two sources, join across
divisions, map, save as PNG, SVG and PDF; then one example of each figure function), in a fresh project folder whose
wijkstudie.toml points at the mirror, as the README says to set it up."""

import os
import re
import subprocess
import sys

import pytest

from helpers import REPO


def use_it_blocks() -> list[str]:
    """The code blocks of the README's "Use it" section, in order."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = re.split(r"\n##+ ", text.split("\n## Use it\n", 1)[1], maxsplit=1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_the_use_it_section_has_the_example_and_the_figures_and_names_every_figure_function():
    import wijkstudie as ws

    blocks = use_it_blocks()
    assert len(blocks) == 3 and "ws.save_figure" in blocks[0] and "ws.join_regions(kwb, rivm)" in blocks[0]
    section = re.split(r"\n##+ ", (REPO / "README.md").read_text(encoding="utf-8").split("\n## Use it\n", 1)[1])[0]
    data_names = {name for names in ws._DATA.values() for name in names}
    skip = {"models", "plotting", "study", "synthetic", "source_caption", *data_names}
    helpers = [n for n in ws._LAZY if n not in skip]
    assert "save_figure" in helpers and "map_figure" in helpers
    assert [n for n in helpers if f"ws.{n}(" not in section] == []


@pytest.mark.slow  # real Jupyter kernels: make test runs it, make test-fast leaves it out
def test_the_readme_example_runs_on_the_mirror_from_a_project_file(tmp_path, real_mirror):
    (tmp_path / ".git").mkdir()  # a project of its own: the search for a project file stops here
    mirror = os.path.relpath(real_mirror, tmp_path)
    (tmp_path / "wijkstudie.toml").write_text(f'mirror = "{mirror}"\nfigures_dir = "figures"\n', encoding="utf-8")
    example, figures = use_it_blocks()[:2]
    (tmp_path / "example.py").write_text(example + "\n" + figures, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIJKSTUDIE_")}
    env.update(
        PYTHONPATH=os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])]),
        MPLBACKEND="Agg",
        WIJKSTUDIE_DATA_DIR=os.environ["WIJKSTUDIE_DATA_DIR"],  # the session's cache: the mirror's files read once
    )
    result = subprocess.run(
        [sys.executable, "example.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "['ownership_and_volunteering.png', 'ownership_and_volunteering.svg', 'ownership_and_volunteering.pdf']" in (
        result.stdout
    )
    assert f"mirror in {tmp_path / 'wijkstudie.toml'}" in result.stdout  # print(ws.settings) names the project file
    written = sorted(p.name for p in (tmp_path / "figures").iterdir())
    assert written == [
        f"{n}.{x}" for n in ("ownership_and_volunteering", "volunteering_map") for x in ("pdf", "png", "svg")
    ]
    # the one warning is the one the example explains: RIVM's estimate regressed on its own model's predictor
    warned = [line for line in result.stderr.splitlines() if "Warning" in line]
    assert len(warned) == 1 and "ModelImpliedWarning: model-implied: pct_volunteering" in warned[0], result.stderr[
        -3000:
    ]


def test_the_settings_table_names_every_setting_and_its_variable():
    from wijkstudie.core.settings import SPEC

    section = (REPO / "README.md").read_text(encoding="utf-8").split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    missing = [name for name, spec in SPEC.items() if not any(f"`{name}`" in r and f"`{spec.env}`" in r for r in rows)]
    assert not missing, missing


def test_the_module_map_names_every_module_of_every_folder():
    """The README's table of folders (who answers what) lists each folder's modules: a new or renamed module is
    named there."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    package = REPO / "wijkstudie"
    for folder in ("core", "data", "models", "plotting", "study", "reproduce", "microdata", "synthetic"):
        row = next(line for line in text.splitlines() if line.startswith(f"| `{folder}/` |"))
        named = set(re.findall(r"`(\w+)`", row.split(" | ")[-1]))
        modules = {p.stem for p in (package / folder).glob("*.py") if p.stem != "__init__"}
        assert modules <= named, f"{folder}/: the README's map lacks {sorted(modules - named)}"
