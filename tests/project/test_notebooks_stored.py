"""The notebooks are stored clean: no outputs, the python3 kernel, and each says what data it uses."""

import ast
import json
import re

import pytest

from helpers import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_there_is_a_notebook_for_every_topic():
    numbers = [int(p.name[:2]) for p in NOTEBOOKS]
    assert numbers == list(range(len(numbers))), numbers  # consecutive from 00: no gap, no number twice
    assert 10 <= len(numbers) <= 13, numbers  # 00-09 and the declared samples' 10-12


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs_with_the_python3_kernel(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    source = "".join("".join(c["source"]) for c in code)
    assert "start_notebook(" in source  # says which data (real or synthetic) it uses
    assert "def " not in source  # logic lives in the library
    if not path.name.startswith("00"):
        assert "finding_card(" in source  # ends with its finding card


PLOTTING = re.compile(
    r"\bplt\.|\bax\.|\baxes\b|\bfig\.|\.plot\(|\.plot\.|imshow|set_(?!index)[a-z]+\(|legend\(|axvline|axvspan"
)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_hold_no_plotting_code(path):
    """Figures come from documented functions in wijkstudie.plotting; a notebook only makes and saves them."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    source = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert not PLOTTING.findall(source), PLOTTING.findall(source)


def test_the_breakpoint_of_notebook_07_is_not_typed_into_notebook_08():
    nb = json.loads((REPO / "notebooks" / "08_livability_groups.ipynb").read_text(encoding="utf-8"))
    source = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "recorded_breakpoint(" in source and not re.search(r"years_at_address,\s*\d", source)


CHAPTER = ["The question", "The data", "The method", "The result", "What we found", "Limits"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_reads_as_a_chapter(path):
    """Question, data, method, result, what we found, limits: the sections a student follows, in this order."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    headings = re.findall(r"^## (.+)$", markdown, flags=re.MULTILINE)
    assert [h for h in headings if h in CHAPTER] == CHAPTER, headings
    found = markdown.split("## What we found", 1)[1].split("## Limits", 1)[0]
    cells = nb["cells"]
    start = next(i for i, c in enumerate(cells) if "## What we found" in "".join(c["source"]))
    end = next(i for i, c in enumerate(cells) if "## Limits" in "".join(c["source"]))
    assert any(c["cell_type"] == "code" for c in cells[start:end]), "what we found is computed, not typed"
    assert len(found.split()) < 40, "the sentences of what we found come from a cell, not from prose"


COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _cell_clutter(source: str) -> list[str]:
    """Nested comprehensions and ``**`` unpacking in one cell's code: logic that belongs in a named function."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, COMPREHENSIONS) and any(
            isinstance(inner, COMPREHENSIONS) for inner in ast.walk(node) if inner is not node
        ):
            found.append(f"nested comprehension: {ast.unparse(node)[:60]}")
        if isinstance(node, ast.Dict) and None in node.keys:
            found.append(f"dict unpacking: {ast.unparse(node)[:60]}")
        if isinstance(node, ast.Call) and any(k.arg is None for k in node.keywords):
            found.append(f"keyword unpacking: {ast.unparse(node)[:60]}")
    return found


def test_the_clutter_check_sees_clutter():
    assert len(_cell_clutter("x = {k: [v for v in vs] for k, vs in d.items()}\ny = {**a, 'b': 1}\nf(**kw)")) == 3
    assert _cell_clutter("x = {k: f(v) for k, v in d.items()}") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_nested_comprehension_or_unpacking_in_a_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    clutter = [f for c in nb["cells"] if c["cell_type"] == "code" for f in _cell_clutter("".join(c["source"]))]
    assert not clutter, clutter
