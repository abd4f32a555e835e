"""The notebooks are stored clean: no outputs, the python3 kernel, and each says what data it uses."""

import json
import re

import pytest

from helpers import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_there_is_a_notebook_for_every_topic():
    assert [p.name[:2] for p in NOTEBOOKS] == [f"{i:02d}" for i in range(10)]


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
