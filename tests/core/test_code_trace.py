"""Which functions a block ran, as code records (``wijkstudie.core.code_trace``), and the sections of a specification
read (``wijkstudie.core.spec_sections``): an edit to code or a section that ran or was read changes the records; an edit
elsewhere, or a comment, does not."""

import hashlib
import os
import sys
import threading

import pytest

from wijkstudie.core import code_trace
from wijkstudie.core.spec_sections import Sections, load_sections
from wijkstudie.core.yamlfile import load_yaml

from helpers import module_from_source

SOURCE = """import functools

LIMIT = 10  # a constant the functions read


def helper(x):
    return [y * 2 for y in range(x)]  # a comprehension: part of helper


@functools.lru_cache(maxsize=None)
def cached(x):
    return x + 1


def used(x):
    return sum(helper(x)) + cached(x) + LIMIT


def unused(x):
    return x - 1


class Table:
    kind = "t"

    def build(self):
        return used(2)

    def other(self):
        return 0
"""


def _edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # a new version, whatever the clock


@pytest.fixture
def module(tmp_path):
    """A module in a folder standing for the package (``tmp_path``), imported from its file."""
    yield module_from_source(tmp_path, "tables_y", SOURCE)
    sys.modules.pop("tables_y", None)


def _recorded(module, tmp_path, run):
    loaded, _ = module
    loaded.cached(3)  # cached before the block: the block's call is answered by the lru_cache wrapper
    with code_trace.traced() as trace:
        run(loaded)
    return trace, code_trace.records(trace.codes, package_dir=tmp_path)


def test_the_functions_a_block_ran_are_recorded_and_no_others(module, tmp_path):
    trace, recorded = _recorded(module, tmp_path, lambda m: m.Table().build())
    assert list(recorded) == ["tables_y.py"]
    units = recorded["tables_y.py"]["functions"]
    # helper's comprehension counts as helper; cached answered from its cache still counts; <module>: the constants
    assert sorted(units) == ["<module>", "Table.build", "cached", "helper", "used"]
    assert recorded["tables_y.py"]["sha256"] == hashlib.sha256(SOURCE.encode()).hexdigest()
    assert code_trace.unchanged(recorded, tmp_path)
    assert sys.getprofile() is None  # the profiler is gone after the block


@pytest.mark.parametrize(
    "old, new, still",
    [
        ("return x - 1", "return x - 2", True),  # a function the block did not run
        ("return 0", "return 1", True),  # a method it did not run
        ("# a constant the functions read", "# the limit", True),  # a comment
        ("return [y * 2", "return [y * 3", False),  # a function it ran
        ("return x + 1", "return x + 2", False),  # the cached function it was answered by
        ("LIMIT = 10", "LIMIT = 11", False),  # a constant of the module
        ('kind = "t"', 'kind = "u"', False),  # a class attribute
    ],
)
def test_an_edit_changes_the_records_only_when_it_touches_what_ran(module, tmp_path, old, new, still):
    _, recorded = _recorded(module, tmp_path, lambda m: m.Table().build())
    _edit(module[1], old, new)
    assert code_trace.unchanged(recorded, tmp_path) is still


def test_a_block_inside_another_adds_its_functions_to_the_outer_one(module, tmp_path):
    loaded, _ = module
    with code_trace.traced() as outer:
        loaded.unused(1)
        with code_trace.traced() as inner:
            loaded.helper(1)
    names = lambda trace: sorted(code_trace.records(trace.codes, package_dir=tmp_path)["tables_y.py"]["functions"])  # noqa: E731
    assert names(inner) == ["<module>", "helper"]
    assert names(outer) == ["<module>", "helper", "unused"]


def test_nothing_is_traced_under_another_profiler(module):
    sys.setprofile(lambda *a: None)
    try:
        with code_trace.traced() as trace:
            module[0].used(1)
    finally:
        sys.setprofile(None)
    assert trace is None


def test_records_of_a_missing_file_or_another_shape_are_not_unchanged(module, tmp_path):
    _, recorded = _recorded(module, tmp_path, lambda m: m.used(1))
    assert not code_trace.unchanged({"gone.py": recorded["tables_y.py"]}, tmp_path)
    assert not code_trace.unchanged({"tables_y.py": {"functions": {}}}, tmp_path)
    assert not code_trace.unchanged(["tables_y.py"], tmp_path)


SPEC = """findings:
  F1: {claim: one, notebooks: [a]}
  F6: {claim: six, notebooks: [b]}
rivm_waves: [2016, 2020]
rule: a text
"""


def _read(path, read):
    content = path.read_bytes()
    sections = Sections(load_yaml(content), str(path), hashlib.sha256(content).hexdigest())
    with code_trace.traced() as trace:
        read(sections)
    return trace.units


def test_editing_one_section_changes_only_the_records_of_those_that_read_it(tmp_path):
    path = tmp_path / "findings.yaml"
    path.write_text(SPEC)
    reads_f1 = _read(path, lambda s: s["findings"]["F1"]["claim"])
    reads_f6 = _read(path, lambda s: s["findings"]["F6"])
    reads_waves = _read(path, lambda s: tuple(s["rivm_waves"]))
    lists = _read(path, lambda s: list(s["findings"]))
    assert reads_f1 == {
        str(path): {
            "sha256": hashlib.sha256(SPEC.encode()).hexdigest(),
            "functions": {'["findings", "F1"]': code_trace.digest({"claim": "one", "notebooks": ["a"]})},
        }
    }
    assert list(lists[str(path)]["functions"]) == ['["findings", null]']  # the names of the findings
    _edit(path, "claim: six", "claim: six and a half")
    assert code_trace.unchanged(reads_f1) and code_trace.unchanged(reads_waves) and code_trace.unchanged(lists)
    assert not code_trace.unchanged(reads_f6)
    _edit(path, "rule: a text", "rule: another text\nnew_section: 1")  # a section nobody read, and a new one
    assert code_trace.unchanged(reads_f1) and code_trace.unchanged(reads_waves)
    _edit(path, "  F6:", "  F7: {claim: seven}\n  F6:")  # a finding more: what listed them changes
    assert not code_trace.unchanged(lists) and code_trace.unchanged(reads_f1)


def test_sections_read_like_the_file_and_a_missing_key_depends_on_the_names(tmp_path):
    path = tmp_path / "findings.yaml"
    path.write_text(SPEC)
    content = path.read_bytes()
    sections = Sections(load_yaml(content), str(path), "x")
    assert dict(sections["findings"]) == load_yaml(content)["findings"] and len(sections) == 3
    with code_trace.traced() as trace:
        with pytest.raises(KeyError):
            sections["findings"]["F9"]
    assert list(trace.units[str(path)]["functions"]) == ['["findings", null]']
    sections["findings"]["F1"] = {"claim": "replaced"}  # a test replacing a finding
    assert sections["findings"]["F1"] == {"claim": "replaced"}


def test_only_the_declared_specifications_are_read_by_section():
    assert "findings" in load_sections("study/findings.yaml")
    with pytest.raises(ValueError, match="not read section by section"):
        load_sections("data/catalogue.yaml")


def test_a_thread_started_in_a_block_is_traced_and_outlives_it_quietly(module, tmp_path):
    loaded, _ = module
    called, go, done = threading.Event(), threading.Event(), threading.Event()

    def work():
        loaded.unused(1)
        called.set()
        go.wait(10)
        loaded.helper(1)  # after the block ended: no error, nothing noted
        done.set()

    with code_trace.traced() as trace:
        thread = threading.Thread(target=work)
        thread.start()
        assert called.wait(10)
    go.set()
    thread.join(10)
    assert done.is_set()
    assert sorted(code_trace.records(trace.codes, package_dir=tmp_path)["tables_y.py"]["functions"]) == [
        "<module>",
        "unused",
    ]


BUILDERS = """from wijkstudie.data.derived import derived_table


def helper():
    return 1


@derived_table()
def first(key: str):
    return helper()


@derived_table(extra=None)
def second(key: str):
    return 2
"""


@pytest.mark.parametrize(
    "old, new, still",
    [
        ("return helper()", "return helper() + 0", True),  # a builder: its build's records say who depends on it
        ("    return 2", "    # a comment\n    return 2", True),
        ("extra=None", "extra=len", True),  # its decorator too (part of the builder's unit)
        ("return 1", "return 2", False),  # a function the importer may call
        ("from wijkstudie", "# a comment\nfrom wijkstudie", False),  # the text outside the builders
    ],
)
def test_importing_a_module_of_builders_depends_on_it_without_them(tmp_path, old, new, still):
    path = tmp_path / "builders.py"
    path.write_text(BUILDERS)
    record = code_trace.import_record(path)
    assert list(record["functions"]) == ["<imported>"]
    _edit(path, old, new)
    assert code_trace.unchanged({str(path): record}) is still


def test_a_module_without_builders_counts_whole(tmp_path):
    path = tmp_path / "plain.py"
    path.write_text(SOURCE)
    assert code_trace.import_record(path) is None
    assert code_trace.import_record(tmp_path / "missing.py") is None


def test_records_of_two_versions_of_a_file_joined_are_checked_unit_by_unit(module, tmp_path):
    # a table built before an edit to a function it did not run is served after it (its record names the old file's
    # SHA-256); one built after the edit names the new file's: joined, neither SHA-256 vouches for every unit
    loaded, path = module
    _, old = _recorded(module, tmp_path, lambda m: m.unused(1))
    _edit(path, "return [y * 2", "return [y * 3")
    _, new = _recorded(module, tmp_path, lambda m: m.helper(1))  # records helper as it is now
    joined = code_trace.merge(code_trace.merge({}, old), new)
    assert code_trace.unchanged(joined, tmp_path)  # every unit as recorded
    _edit(path, "return [y * 3", "return [y * 2")  # the edit undone: the old file's SHA-256 again
    assert not code_trace.unchanged(joined, tmp_path)  # helper is not the helper that ran


def test_a_unit_recorded_with_two_hashes_is_never_unchanged(module, tmp_path):
    loaded, path = module
    _, old = _recorded(module, tmp_path, lambda m: m.helper(1))
    _edit(path, "return [y * 2", "return [y * 3")
    _, new = _recorded(module, tmp_path, lambda m: m.helper(1))
    joined = code_trace.merge(code_trace.merge({}, old), new)
    assert not code_trace.unchanged(joined, tmp_path)  # the old helper ran too
    _edit(path, "return [y * 3", "return [y * 2")
    assert not code_trace.unchanged(joined, tmp_path)  # and the new one


CACHED = """import functools


def inner(x):
    return x * 2


def other(x):
    return x - 1


@functools.lru_cache(maxsize=None)
def cached(x):
    return inner(x) + 1


def build():
    return cached(3)
"""


@pytest.fixture
def cached_module(tmp_path):
    """A module whose build is answered by a cached function that calls another."""
    yield module_from_source(tmp_path, "cached_y", CACHED)
    sys.modules.pop("cached_y", None)


def test_a_cached_answer_counts_the_code_its_computation_ran(cached_module, tmp_path):
    """A build answered by a cache depends on what computing the answer ran: an edit inside ``inner`` (which only the
    computation runs) must invalidate a build that was answered from the cache."""
    loaded, path = cached_module
    with code_trace.traced() as first:  # computed here: inner runs
        loaded.build()
    with code_trace.traced() as second:  # answered from the cache: inner does not run
        loaded.build()
    for trace in (first, second):
        units = trace.records(package_dir=tmp_path)["cached_y.py"]["functions"]
        assert sorted(units) == ["<module>", "build", "cached", "inner"]
    recorded = second.records(package_dir=tmp_path)
    _edit(path, "return x - 1", "return x - 9")  # a function neither ran
    assert code_trace.unchanged(recorded, tmp_path)
    _edit(path, "return x * 2", "return x * 3")
    assert not code_trace.unchanged(recorded, tmp_path)


def test_a_cache_filled_before_any_traced_block_counts_its_whole_file(cached_module, tmp_path):
    loaded, path = cached_module
    loaded.cached(3)  # filled untraced (e.g. by a cell before the build): what it ran is unknown
    with code_trace.traced() as trace:
        loaded.build()
    units = trace.records(package_dir=tmp_path)["cached_y.py"]["functions"]
    assert sorted(units) == ["<module>", "build", "cached", "inner", "other"]  # the whole file stands for it
    loaded.cached.cache_clear()
    with code_trace.traced() as computed:  # a call that computes: what it ran is known, the file is not whole
        loaded.build()
    assert "other" not in computed.records(package_dir=tmp_path)["cached_y.py"]["functions"]
