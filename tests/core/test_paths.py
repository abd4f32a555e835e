"""The paths of the settings (core/paths.py): a mirror setting that cannot be used is named with its variable."""

from __future__ import annotations

import pytest

import wijkstudie as ws

from helpers import one_line


@pytest.mark.parametrize("where", ["under-a-file", "loop", "a-file"])
def test_an_unusable_mirror_setting_is_named(tmp_path, monkeypatch, where):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    if where == "loop":
        (tmp_path / "l1").symlink_to(tmp_path / "l2")
        (tmp_path / "l2").symlink_to(tmp_path / "l1")
    mirror = {"under-a-file": blocker / "mirror", "loop": tmp_path / "l1", "a-file": blocker}[where]
    monkeypatch.setenv("WIJKSTUDIE_MIRROR", str(mirror))
    with pytest.raises(ws.WijkstudieError) as exc:
        ws.load("kwb", year=2017)
    expected = {"under-a-file": "lies under the file", "loop": "a symlink loop", "a-file": "a file, not a folder"}
    one_line(exc, f"WIJKSTUDIE_MIRROR={mirror}", expected[where])
