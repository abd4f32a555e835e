"""save_figure's SVG and PDF drawn in a forked process (plotting.side_process) while it draws the PNG."""

import logging
import os
import re
import signal
import sys
import time
import warnings
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from shapely.geometry import box

import wijkstudie as ws
from wijkstudie.core.errors import ArgumentError
from wijkstudie.plotting import choropleth, scatter_panels, side_process, use_house_style
from wijkstudie.plotting.style import legend_outside

pytestmark = pytest.mark.skipif(not side_process.available(), reason="needs Linux and two cores (side_process)")


def panels():
    """Two scatter panels whose constrained layout moves by a hair when it is run again after another format's draw."""
    use_house_style()
    rng = np.random.default_rng(1)
    panels = []
    for title, n in (("Rotterdam wijken 2014-2024\n(2024)", 70), ("Amsterdam gebieden 2005-2017\n(2016)", 22)):
        data = pd.DataFrame({"x": rng.uniform(5, 80, n), "y": rng.uniform(8, 36, n)})
        panels.append({"data": data, "x": "x", "y": "y", "title": title})
    return scatter_panels(panels)


def chart_and_map():
    """A constrained layout with a legend below its chart, and a map (drawn as an image inside the SVG and PDF)."""
    use_house_style()
    fig, (ax, map_ax) = plt.subplots(1, 2, figsize=(7, 3.2), layout="constrained")
    rng = np.random.default_rng(3)
    ax.scatter(rng.uniform(0, 80, 60), rng.uniform(5, 35, 60), label="wijken")
    ax.plot([0, 80], [12, 20], label="fit")
    ax.set(title="Rotterdam wijken 2014-2024\n(2024)", xlabel="Owner-occupied dwellings (%)", ylabel="Active (%)")
    legend_outside(ax, where="below")
    areas = gpd.GeoDataFrame(
        {"v": rng.uniform(0, 10, 40)},
        geometry=[box(i % 8, i // 8, i % 8 + 1, i // 8 + 1) for i in range(40)],
        crs=28992,
    )
    choropleth(areas, "v", ax=map_ax, k=3)
    return fig


def saved(folder: Path, setting: str, name="figure", make=chart_and_map) -> dict[str, bytes]:
    fig = make()
    with ws.settings.using(figure_process=setting):
        written = ws.save_figure(fig, name, source="CBS, KWB 2022", folder=folder)
    plt.close(fig)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in written)  # no temporary file left
    return {p.suffix: p.read_bytes() for p in written}


def in_the_child(monkeypatch, effect):
    """Figure.savefig doing ``effect(format)`` in a forked child only; the formats drawn in this process, listed."""
    parent, original, here = os.getpid(), Figure.savefig, []

    def savefig(self, fname, *args, **kwargs):
        if os.getpid() != parent:
            effect(kwargs.get("format"))
        else:
            here.append(kwargs.get("format"))
        return original(self, fname, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", savefig)
    return here


@pytest.mark.parametrize("make", [chart_and_map, panels])
def test_the_files_are_the_same_bytes_whichever_process_draws_them(tmp_path, monkeypatch, make):
    """Drawn after the PNG, the SVG is laid out from the PNG's layout; the child, which never draws the PNG, runs
    that layout first (style._laid_out_as_by_the_png). Without it ``panels`` moved by a hair (its SVG's clip ids
    differed)."""
    forks = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    here = saved(tmp_path / "forked", "auto", make=make)
    assert len(forks) == 1  # one child drew the SVG and the PDF
    forks.clear()
    alone = saved(tmp_path / "alone", "off", make=make)
    assert forks == []
    assert set(here) == {".png", ".svg", ".pdf"} and here == alone


@pytest.mark.parametrize("default", ["svg", "pdf"])
def test_the_same_bytes_whatever_format_savefig_makes_by_default(tmp_path, monkeypatch, default):
    """The child's layout pass measures text with the default format's renderer: the PNG's, not the user's choice
    (rcParams savefig.format: with svg or pdf, ``panels`` moved by a hair)."""
    files = {}
    for setting in ("auto", "off"):
        fig = panels()
        monkeypatch.setitem(plt.rcParams, "savefig.format", default)
        with ws.settings.using(figure_process=setting):
            written = ws.save_figure(fig, "figure", source="CBS", folder=tmp_path / setting)
        plt.close(fig)
        files[setting] = {p.suffix: p.read_bytes() for p in written}
    assert files["auto"] == files["off"]


def test_a_figure_saved_again_or_drawn_after_is_the_same_bytes(tmp_path):
    """Each draw lays the figure out from where the last one left it: this process, which drew only the PNG, runs the
    layout passes of the SVG and PDF the child drew (style._laid_out_as_by). Without them ``panels`` saved a second
    time (or shown in a notebook) moved by a hair."""
    files = {}
    for setting in ("auto", "off"):
        fig = panels()
        with ws.settings.using(figure_process=setting):
            first = ws.save_figure(fig, "first", source="CBS", folder=tmp_path / setting)
            again = ws.save_figure(fig, "again", source="CBS", folder=tmp_path / setting)
        shown = tmp_path / setting / "shown.png"
        fig.savefig(shown)  # what a notebook's inline backend draws after the cell
        plt.close(fig)
        files[setting] = {p.name: p.read_bytes() for p in [*first, *again, shown]}
    assert files["auto"] == files["off"]


def test_the_child_draws_the_vector_files_and_this_process_the_png(tmp_path, monkeypatch):
    here = in_the_child(monkeypatch, lambda fmt: None)
    saved(tmp_path, "auto")
    assert here == ["png"]


@pytest.mark.parametrize(
    "trouble",
    [
        lambda fmt: (_ for _ in ()).throw(RuntimeError("broken")) if fmt == "svg" else None,  # an error
        lambda fmt: warnings.warn("odd", UserWarning, stacklevel=1) if fmt == "svg" else None,  # a warning
        lambda fmt: logging.getLogger("matplotlib").warning("odd") if fmt == "svg" else None,  # a logged warning
    ],
    ids=["error", "warning", "logged-warning"],
)
def test_a_file_the_child_did_not_write_cleanly_is_drawn_here(tmp_path, monkeypatch, trouble):
    here = in_the_child(monkeypatch, trouble)
    files = saved(tmp_path / "forked", "auto")
    assert here == ["png", "svg"]  # the PDF came from the child; the SVG drawn again here
    monkeypatch.undo()
    assert files == saved(tmp_path / "alone", "off")


def test_a_killed_child_leaves_no_file_behind_and_everything_is_drawn_here(tmp_path, monkeypatch):
    here = in_the_child(monkeypatch, lambda fmt: os.kill(os.getpid(), signal.SIGKILL) if fmt == "pdf" else None)
    files = saved(tmp_path / "forked", "auto")  # asserts that no temporary file is left
    assert here == ["png", "svg", "pdf"]
    monkeypatch.undo()
    assert files == saved(tmp_path / "alone", "off")


def test_what_the_child_prints_goes_nowhere(tmp_path, capfd):
    def noisy(tmp):
        print("from the child")
        print("to stderr", file=sys.stderr)
        os.write(2, b"straight to the descriptor\n")
        Path(tmp).write_text("content", encoding="utf-8")

    side = side_process.start([(tmp_path / "a.txt", noisy)])
    assert side.finish() == {tmp_path / "a.txt"}
    side.put_in_place(tmp_path / "a.txt")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "content"
    out, err = capfd.readouterr()
    assert "child" not in out + err and "descriptor" not in out + err


def test_an_abandoned_child_stops_and_removes_its_temporary_file(tmp_path):
    def slow(tmp):
        Path(tmp).write_text("half", encoding="utf-8")
        time.sleep(30)

    side = side_process.start([(tmp_path / "slow.svg", slow)])
    deadline = time.monotonic() + 10
    while not list(tmp_path.iterdir()) and time.monotonic() < deadline:  # the child is writing
        time.sleep(0.01)
    start = time.monotonic()
    side.abandon()
    assert time.monotonic() - start < 5
    assert list(tmp_path.iterdir()) == []  # neither the file nor its temporary one


@pytest.mark.parametrize("blocked", ["figure.svg", "figure.pdf"])
def test_an_error_writing_a_vector_file_is_the_one_line_error_and_the_files_as_before(tmp_path, blocked):
    """The child writes aside and this process moves its files into place in order: a PDF is not written when the
    SVG before it could not be (the child had already put it in place)."""
    outcome = {}
    for setting in ("auto", "off"):
        folder = tmp_path / setting
        folder.mkdir()
        (folder / "figure.pdf").write_text("the old PDF", encoding="utf-8")
        (folder / blocked).unlink(missing_ok=True)
        (folder / blocked).mkdir()  # a folder where the file should go: cannot be replaced
        fig = chart_and_map()
        with ws.settings.using(figure_process=setting), pytest.raises(ArgumentError) as error:
            ws.save_figure(fig, "figure", source="CBS", folder=folder)
        plt.close(fig)
        files = {p.name: p.is_file() and p.read_bytes() for p in folder.iterdir()}
        outcome[setting] = (str(error.value).replace(str(folder), ""), files)
    assert outcome["auto"] == outcome["off"]
    message, files = outcome["auto"]
    assert re.match(rf"^cannot write /{blocked} \(setting figures_dir", message)
    assert not [name for name in files if name.endswith(".tmp")]
    assert (files["figure.pdf"] == b"the old PDF") == (blocked == "figure.svg")


def test_this_process_moves_the_childs_files_into_place(tmp_path, monkeypatch):
    """Where a kernel's audit hook sees it and the runner learns the figures were written (kernel_audit)."""
    renamed, real = [], os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (renamed.append((os.getpid(), Path(b).name)), real(a, b))[1])
    here = in_the_child(monkeypatch, lambda fmt: None)
    saved(tmp_path, "auto")
    assert here == ["png"]  # the child drew the SVG and PDF
    assert (os.getpid(), "figure.svg") in renamed and (os.getpid(), "figure.pdf") in renamed


def test_without_the_png_first_every_file_is_drawn_here(tmp_path, monkeypatch):
    here = in_the_child(monkeypatch, lambda fmt: None)
    fig = chart_and_map()
    ws.save_figure(fig, "figure", source="CBS", folder=tmp_path, formats=("svg", "png", "pdf"))
    plt.close(fig)
    assert here == ["svg", "png", "pdf"]  # in the order asked: a child would draw the SVG from another layout


def test_where_no_child_is_made(monkeypatch):
    assert side_process.available()
    with ws.settings.using(figure_process="off"):
        assert not side_process.available()
        assert side_process.start([(Path("never"), lambda tmp: None)]) is None
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert not side_process.available()  # one core: nothing to gain
    monkeypatch.undo()
    monkeypatch.setattr(sys, "platform", "darwin")
    assert not side_process.available()  # a forked child may not use macOS's system libraries
    with pytest.raises(ArgumentError, match="figure_process"):
        with ws.settings.using(figure_process="sometimes"):
            pass


def test_a_handler_made_before_the_fork_gets_nothing_from_the_child(tmp_path, monkeypatch):
    """In a kernel, a handler of ``logging.basicConfig()`` holds the kernel's stderr, which forwards a forked child's
    writes to the notebook: a warning the child logged showed there, and again when the file was drawn here."""
    log = tmp_path / "log.txt"
    stream = log.open("a", encoding="utf-8")
    handler = logging.StreamHandler(stream)
    quiet = logging.getLogger("wijkstudie-test-quiet")  # does not propagate: the child still sees its warnings
    monkeypatch.setattr(quiet, "propagate", False)
    for logger in (logging.getLogger(), quiet):
        logger.addHandler(handler)
        monkeypatch.setattr(logger, "handlers", logger.handlers)  # put back after the test

    def trouble(fmt):
        {"svg": logging.getLogger("matplotlib"), "pdf": quiet}[fmt].warning("logged in the child")

    try:
        here = in_the_child(monkeypatch, trouble)
        saved(tmp_path / "forked", "auto")
    finally:
        logging.getLogger().removeHandler(handler)
        quiet.removeHandler(handler)
        stream.close()
    assert here == ["png", "svg", "pdf"]  # both logged warnings seen: both files drawn again here
    assert "logged in the child" not in log.read_text(encoding="utf-8")


@pytest.mark.parametrize("sigchld", [signal.SIG_IGN, lambda *_: None], ids=["ignored", "handled"])
def test_a_killed_child_leaves_no_file_behind_when_its_status_is_unknown(tmp_path, monkeypatch, sigchld):
    """SIGCHLD ignored (the system reaps the child) or reaped by the program: no status, and no report."""

    def killed(fmt):
        if fmt == "svg":
            time.sleep(0.05)  # the temporary file is older than the child's start by less than a second
            os.kill(os.getpid(), signal.SIGKILL)

    if callable(sigchld):  # a handler that reaps every child, as some programs install
        sigchld = lambda *_: _reap_all()  # noqa: E731
    previous = signal.signal(signal.SIGCHLD, sigchld)
    try:
        here = in_the_child(monkeypatch, killed)
        saved(tmp_path, "auto")  # asserts that no temporary file is left
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert here == ["png", "svg", "pdf"]


def _reap_all():
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def test_an_interrupted_finish_closes_the_pipe_once(tmp_path, monkeypatch):
    """An interrupt while ``finish`` waits, then ``abandon`` (save_figure's exit): the pipe's number, by then another
    file's (a kernel's socket), is not closed again."""
    side = side_process.start([(tmp_path / "a.txt", lambda tmp: Path(tmp).write_text("x", encoding="utf-8"))])
    pid, pipe = side.pid, side.pipe
    real = side_process._reap

    def interrupted(pid):
        raise KeyboardInterrupt

    monkeypatch.setattr(side_process, "_reap", interrupted)
    with pytest.raises(KeyboardInterrupt):
        side.finish()
    monkeypatch.setattr(side_process, "_reap", real)
    other = os.open(os.devnull, os.O_RDONLY)
    try:
        assert other == pipe  # the lowest free number: the pipe's
        side.abandon()
        os.fstat(other)  # still open
    finally:
        os.close(other)
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no zombie


def test_a_layout_that_warns_in_the_child_leaves_every_vector_file_to_this_process(tmp_path, monkeypatch):
    from wijkstudie.plotting import style

    parent, layout = os.getpid(), style._laid_out_as_by_the_png

    def warning_layout(fig):
        if os.getpid() != parent:
            warnings.warn("odd layout", UserWarning, stacklevel=1)
        layout(fig)

    monkeypatch.setattr(style, "_laid_out_as_by_the_png", warning_layout)
    here = in_the_child(monkeypatch, lambda fmt: None)
    saved(tmp_path, "auto")
    assert here == ["png", "svg", "pdf"]


def test_an_error_drawing_the_png_stops_the_child_before_it_writes(tmp_path, monkeypatch):
    """save_figure leaves (the error) while the child draws: it is stopped and reaped, and writes nothing after."""
    children, real_fork = [], os.fork

    def fork():
        pid = real_fork()
        children.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    parent, original = os.getpid(), Figure.savefig

    def savefig(self, fname, *args, **kwargs):
        if os.getpid() != parent:
            time.sleep(5)  # still drawing when this process fails
        elif kwargs.get("format") == "png":
            raise RuntimeError("the PNG failed")
        return original(self, fname, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", savefig)
    fig = chart_and_map()
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="the PNG failed"):
        ws.save_figure(fig, "figure", source="CBS", folder=tmp_path)
    plt.close(fig)
    assert time.monotonic() - start < 4  # not waited for
    assert len(children) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(children[0], os.WNOHANG)  # reaped: no zombie
    assert list(tmp_path.iterdir()) == []  # nor its temporary file


def test_an_untried_matplotlib_draws_every_file_here(tmp_path, monkeypatch):
    """The layout passes repeat matplotlib's own savefig (style.LAYOUT_PASS_MATPLOTLIB): another version, no child."""
    import matplotlib

    monkeypatch.setattr(matplotlib, "__version__", "3.99.0")
    here = in_the_child(monkeypatch, lambda fmt: None)
    saved(tmp_path, "auto")
    assert here == ["png", "svg", "pdf"]


def test_the_warning_of_a_fork_with_threads_is_not_an_error(tmp_path, monkeypatch):
    """Python 3.12+ warns (DeprecationWarning) in the parent, after the fork, when it has threads (a kernel always
    does): under ``-W error`` it would leave a child whose pid was lost, still writing."""
    real_fork, children = os.fork, []

    def fork():
        pid = real_fork()
        if pid:
            children.append(pid)
            warnings.warn(
                "This process is multi-threaded, use of fork() may lead to deadlocks", DeprecationWarning, stacklevel=2
            )
        return pid

    monkeypatch.setattr(os, "fork", fork)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        files = saved(tmp_path, "auto")
    assert set(files) == {".png", ".svg", ".pdf"} and len(children) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(children[0], os.WNOHANG)  # reaped
