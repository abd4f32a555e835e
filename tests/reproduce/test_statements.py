"""What a run says about itself (reproduce/statements.py): the README is replaced whole or not at all."""

from __future__ import annotations

import contextlib
import os

from wijkstudie.reproduce import statements
from wijkstudie.study import scorecard as sc

from helpers import finding_test


def test_the_readme_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    readme = tmp_path / "README.md"
    before = f"intro\n{statements.README_START}\nold\n{statements.README_END}\nrest\n"
    readme.write_text(before, encoding="utf-8")
    monkeypatch.setattr(statements, "project_dir", lambda: tmp_path)
    table = sc.scorecard([finding_test()])

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with contextlib.suppress(OSError):
        statements.update_readme(table, "statement")
    assert readme.read_text(encoding="utf-8") == before
    assert [p.name for p in tmp_path.iterdir()] == ["README.md"]
