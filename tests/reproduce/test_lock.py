"""One run at a time (reproduce/lock.py): the main command and the site command refuse while a run holds the build
folder."""

from __future__ import annotations

import fcntl
import json
import os
import time

from wijkstudie.reproduce import run as reproduce
from wijkstudie.reproduce import site

from helpers import executed_notebook, run_of, tiny_project


def test_a_second_run_refuses_while_one_holds_the_build_folder(tmp_path, monkeypatch, capsys):
    folder, readme = tiny_project(tmp_path, monkeypatch)
    build = tmp_path / "build"
    build.mkdir()
    fd = os.open(build / "reproduce.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, b"4242\n")
        start = time.perf_counter()
        code = reproduce.main(["--build", str(build)])
        assert time.perf_counter() - start < 10
    finally:
        os.close(fd)
    err = capsys.readouterr().err
    assert code != 0 and "4242" in err and "another run" in err and len(err.strip().splitlines()) == 1, err
    assert not (build / "notebooks").exists() and "\nold\n" in readme.read_text()


def test_the_site_command_refuses_too_while_a_run_holds_the_build_folder(tmp_path, capsys):
    build = tmp_path / "build"
    executed = executed_notebook(build / "notebooks" / "02_x.ipynb", [])
    (build / "runs.json").write_text(
        json.dumps({"statement": "s", "banner": "b", "synthetic": False, "runs": [run_of("02_x", executed).to_json()]})
    )
    fd = os.open(build / "reproduce.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, b"4343\n")
        assert site.main([str(build)]) == 1
    finally:
        os.close(fd)
    assert "another run (pid 4343)" in capsys.readouterr().err and not (build / "site").exists()
