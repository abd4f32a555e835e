"""The main command observes its kernels (``wijkstudie.reproduce.kernel_audit``): an audit hook installed before the
first cell notes what a kernel read, wrote and imported, and the notebook cache's inputs are chosen from that."""

import json
import subprocess
import sys
from pathlib import Path

from wijkstudie.core import code_trace
from wijkstudie.core.provenance import INPUT_EVENT
from wijkstudie.reproduce import kernel_audit
from wijkstudie.reproduce.kernel_audit import Observed, module_file, observed
from wijkstudie.reproduce.run import code_inputs, input_files

from helpers import REPO

PACKAGE = Path(kernel_audit.__file__).resolve().parents[1]


def run_observed(tmp_path, code: str) -> Observed:
    """Run ``code`` in a new Python process with the hook installed as the main command installs it (the code of its
    start-up line), and read what the hook noted."""
    log = tmp_path / "audit.jsonl"
    [argument] = kernel_audit.hook_arguments(log)
    [line] = json.loads(argument.split("=", 1)[1])
    subprocess.run(
        [sys.executable, "-c", f"{line}\n{code}"],
        check=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        timeout=120,
    )
    return observed(log, PACKAGE)


def test_the_hook_notes_reads_writes_renames_imports_and_announced_inputs(tmp_path):
    (tmp_path / "data.csv").write_text("a\n1\n")
    seen = run_observed(
        tmp_path,
        "import os\n"
        "from wijkstudie.reproduce import notebook_cache\n"
        "from wijkstudie.core.provenance import announce_input\n"
        "open('data.csv').read()\n"
        "open('out.txt', 'w').write('x')\n"
        "os.replace('out.txt', 'figure.png')\n"
        "announce_input('elsewhere.xlsx', 'kwb', 2023)\n"
        "announce_input('code.py')\n",
    )
    assert str(tmp_path / "data.csv") in seen.read
    assert {str(tmp_path / "out.txt"), str(tmp_path / "figure.png")} <= set(seen.wrote)
    assert str(PACKAGE / "reproduce" / "notebook_cache.py") in seen.modules
    assert str(PACKAGE / "__init__.py") in seen.modules
    assert all(Path(m).is_relative_to(PACKAGE) for m in seen.modules)  # the package's modules only: no pandas
    assert str(PACKAGE / "reproduce" / "site.py") not in seen.modules  # not imported
    assert seen.inputs == [[str(tmp_path / "elsewhere.xlsx"), "kwb", 2023], [str(tmp_path / "code.py"), None, None]]
    assert str(tmp_path / "audit.jsonl") not in seen.wrote  # the hook's own log is not noted


def test_a_linked_input_is_announced_by_its_own_path_and_a_moved_link_is_a_changed_input(tmp_path):
    from wijkstudie.reproduce.notebook_cache import fingerprint, unchanged

    (tmp_path / "annex").mkdir()
    (tmp_path / "annex" / "SHA256E-one.xlsx").write_bytes(b"one")
    (tmp_path / "annex" / "SHA256E-two.xlsx").write_bytes(b"two, another year")
    link = tmp_path / "kwb-2023.xlsx"
    link.symlink_to(tmp_path / "annex" / "SHA256E-one.xlsx")  # a mirror of links: git-annex, DataLad
    seen = run_observed(tmp_path, "from wijkstudie.core.provenance import announce_input\n"
                        "announce_input('kwb-2023.xlsx', 'kwb', 2023)\n")  # fmt: skip
    assert seen.inputs == [[str(link), "kwb", 2023]]  # its own name, not the annex's
    recorded = [fingerprint(p) for p, _, _ in seen.inputs]
    assert unchanged(recorded)
    link.unlink()
    link.symlink_to(tmp_path / "annex" / "SHA256E-two.xlsx")  # the link names another file now
    assert not unchanged(recorded)


def test_the_hook_listens_to_the_event_the_package_raises():
    assert kernel_audit.EVENT == INPUT_EVENT


def test_a_module_name_gives_its_file_or_none():
    assert module_file("wijkstudie", PACKAGE) == PACKAGE / "__init__.py"
    assert module_file("wijkstudie.data", PACKAGE) == PACKAGE / "data" / "__init__.py"
    assert module_file("wijkstudie.data.loading", PACKAGE) == PACKAGE / "data" / "loading.py"
    assert module_file("wijkstudie.no_such_module", PACKAGE) is None


def test_a_log_line_that_is_not_the_hooks_is_skipped(tmp_path):
    log = tmp_path / "audit.jsonl"
    log.write_text('["read", "/a"]\nnot json\n[1]\n["other", "/b"]\n["read", "/a"]\n["module", "wijkstudie.x"]\n')
    assert observed(log, PACKAGE) == Observed(read=["/a"])
    assert observed(tmp_path / "missing.jsonl", PACKAGE) == Observed()


def test_the_inputs_are_what_was_announced_the_modules_imported_and_files_read_in_the_notebooks_folders(tmp_path):
    inside, outside, announced = tmp_path / "figures" / "value.json", tmp_path / "lib" / "site.py", tmp_path / "k.csv"
    for path in (inside, outside, announced):
        path.parent.mkdir(exist_ok=True)
        path.write_text("x")
    seen = Observed(
        read=[str(inside), str(outside), str(PACKAGE / "data" / "variables.yaml"), str(tmp_path / "gone.json")],
        modules=[str(PACKAGE / "__init__.py")],
        inputs=[[str(announced), "kwb", 2023]],
    )
    assert input_files(seen, [tmp_path / "figures", None]) == [
        str(announced),
        str(PACKAGE / "__init__.py"),
        str(inside),
    ]  # not what the libraries read elsewhere (the package's data descriptions are in the key), nor a file gone
    everything = input_files(Observed(), [])  # no module seen (the hook never ran): every module counts
    assert str(PACKAGE / "reproduce" / "site.py") in everything


def test_the_hook_notes_modules_imported_by_name_and_the_code_records_the_package_announces(tmp_path):
    seen = run_observed(
        tmp_path,
        "import importlib\n"
        "importlib.import_module('wijkstudie.reproduce.escape')\n"  # as the lazy study namespace: no import event
        "from wijkstudie.core import code_trace\n"
        "code_trace.announce({'data/join.py': {'sha256': 'a', 'functions': {'join_regions': 'b'}}})\n"
        "code_trace.announce({'data/join.py': {'sha256': 'a', 'functions': {'<module>': 'c'}}})\n",
    )
    assert str(PACKAGE / "reproduce" / "escape.py") in seen.modules
    assert str(PACKAGE / "reproduce" / "site.py") not in seen.modules
    assert all(Path(m).is_relative_to(PACKAGE) for m in seen.modules)
    joined = {"sha256": "a", "functions": {"join_regions": "b", "<module>": "c"}}  # one record per file, joined
    assert seen.code == {str(PACKAGE / "data" / "join.py"): joined}
    assert kernel_audit.CODE_EVENT == code_trace.CODE_EVENT


def test_a_code_line_of_another_shape_is_skipped(tmp_path):
    log = tmp_path / "audit.jsonl"
    log.write_text('["code", "/a.py", "not json"]\n["code", "/b.py", "{\\"sha256\\": 1}"]\n["code", "/c.py"]\n')
    assert observed(log, PACKAGE) == Observed()


def test_a_module_of_derived_tables_counts_without_its_builders_and_the_announced_code_with_it():
    samples, national = str(PACKAGE / "study" / "samples.py"), str(PACKAGE / "study" / "national.py")
    announced = {samples: {"sha256": "s", "functions": {"_residents_table": "h", "<module>": "m"}}}
    seen = Observed(modules=[str(PACKAGE / "__init__.py"), samples, national], code=announced)
    assert input_files(seen, []) == [str(PACKAGE / "__init__.py")]  # the modules with builders are code records
    code = code_inputs(seen)
    assert set(code) == {samples, national}
    assert set(code[samples]["functions"]) == {"_residents_table", "<module>", "<imported>"}
    # "s" is not the file's SHA-256 (that of its import record): joined, the record is checked unit by unit
    assert code[samples]["sha256"] == code_trace.MIXED and announced[samples]["functions"] == {
        "_residents_table": "h",
        "<module>": "m",
    }
    assert list(code[national]["functions"]) == ["<imported>"]
    assert code_trace.unchanged({national: code[national]})
