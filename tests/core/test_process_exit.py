"""What a process that leaves its objects to the operating system at exit still does there, and what it does not."""

import json
import subprocess
import sys

import pytest

# a buffered handle and a NamedTemporaryFile in a reference cycle, a TemporaryDirectory (weakref.finalize) in one, a
# plain handle outside any cycle and a logging handler: all alive until the exit
_PROGRAM = """
import json, logging, sys, tempfile
from pathlib import Path
if sys.argv[2] == "leave":
    from wijkstudie.core.process_exit import leave_objects_at_exit
    leave_objects_at_exit()
out = Path(sys.argv[1])
class Cycle:
    pass
c = Cycle(); c.self = c
c.handle = open(out / "cycle.txt", "w"); c.handle.write("in a cycle")
c.named = tempfile.NamedTemporaryFile(dir=out); c.folder = tempfile.TemporaryDirectory(dir=out)
plain = open(out / "plain.txt", "w"); plain.write("outside any cycle")
logging.basicConfig(filename=out / "log.txt"); logging.warning("logged")
print(json.dumps([c.named.name, c.folder.name]))
"""


@pytest.mark.parametrize("leave", [True, False])
def test_at_exit_only_objects_in_reference_cycles_are_left_unfinalised(tmp_path, leave):
    out = subprocess.run(
        [sys.executable, "-c", _PROGRAM, str(tmp_path), "leave" if leave else "collect"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    named, folder = json.loads(out.stdout)
    # a buffered write in a cycle is lost and a NamedTemporaryFile in one stays, as leave_objects_at_exit says
    assert (tmp_path / "cycle.txt").read_text() == ("" if leave else "in a cycle")
    assert (tmp_path / named.rsplit("/", 1)[-1]).exists() is leave
    # weakref.finalize (TemporaryDirectory), objects outside cycles and logging's handlers are finalised either way
    assert not (tmp_path / folder.rsplit("/", 1)[-1]).exists()
    assert (tmp_path / "plain.txt").read_text() == "outside any cycle"
    assert (tmp_path / "log.txt").read_text() == "WARNING:root:logged\n"


def test_it_is_registered_once_however_often_it_is_called(monkeypatch):
    import gc

    from wijkstudie.core import process_exit

    registered = []  # atexit's own count (atexit._ncallbacks) does not go down on unregister

    class Exit:
        register = staticmethod(registered.append)

        @staticmethod
        def unregister(function):
            registered[:] = [f for f in registered if f != function]

    monkeypatch.setattr(process_exit, "atexit", Exit)
    process_exit.leave_objects_at_exit()
    process_exit.leave_objects_at_exit()
    assert registered == [gc.freeze]
