"""A figure's PNG encoded in a worker thread: the same bytes as savefig, written before save_figure returns."""

import threading

import geopandas as gpd
import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
import pytest
from shapely.geometry import Point

import wijkstudie as ws
from wijkstudie.plotting import png_writer, save_figure
from wijkstudie.plotting.patching import patched
from wijkstudie.plotting.png_writer import BackgroundPng, background_png

OPTIONS = {"dpi": 300, "metadata": {"Software": None}, "bbox_inches": "tight", "pad_inches": 0.1}


def a_map():
    areas = gpd.GeoDataFrame(
        {"pct_volunteering": [float(i % 37) for i in range(400)]},
        geometry=[Point(i % 20, i // 20).buffer(0.45, 16) for i in range(400)],
        crs=28992,
    )
    return ws.map_figure(areas, "pct_volunteering")


def a_scatter():
    rng = np.random.default_rng(3)
    fig, ax = plt.subplots(figsize=(6.5, 3))
    ax.scatter(rng.normal(size=300), rng.normal(size=300), s=4)
    ax.set_title("a scatter")
    return fig


@pytest.mark.parametrize("make", [a_map, a_scatter])
def test_a_png_encoded_in_the_worker_thread_has_the_bytes_of_savefig(tmp_path, make):
    direct = make()  # a figure of its own: a drawing changes a constrained layout, so each is drawn once
    direct.savefig(tmp_path / "direct.png", format="png", **OPTIONS)
    plt.close(direct)
    fig = make()
    threads = []
    original = matplotlib.image.imsave
    with background_png() as writer:
        assert matplotlib.image.imsave is not original  # intercepted while the block runs
        spy = matplotlib.image.imsave
        matplotlib.image.imsave = lambda *a, **k: (threads.append(threading.current_thread().name), spy(*a, **k))[1]
        try:
            writer.save(fig, tmp_path / "background.png", **OPTIONS)
        finally:
            matplotlib.image.imsave = spy
        assert len(writer.started) == 1
    assert matplotlib.image.imsave is original  # put back
    assert threads[0] == threading.current_thread().name  # the pixels were caught here...
    assert (tmp_path / "background.png").read_bytes() == (tmp_path / "direct.png").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["background.png", "direct.png"]  # no temporary file
    plt.close(fig)


def test_the_encoding_runs_in_the_worker_thread(tmp_path, monkeypatch):
    import PIL.Image

    where = []
    real = PIL.Image.Image.save

    def save(self, *args, **kwargs):
        where.append(threading.current_thread().name)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(PIL.Image.Image, "save", save)
    fig = a_scatter()
    with background_png() as writer:
        writer.save(fig, tmp_path / "a.png", **OPTIONS)
    assert len(where) == 1 and where[0].startswith("wijkstudie-png")
    plt.close(fig)


def test_save_figure_writes_the_same_png_with_and_without_the_worker_thread(tmp_path, monkeypatch):
    fig = a_map()
    threaded = save_figure(fig, "map", source="CBS", folder=tmp_path / "threaded")
    plt.close(fig)
    monkeypatch.setattr(png_writer, "TESTED_MATPLOTLIB", ("0.0.",))  # another matplotlib: no interception
    assert not png_writer.intercepts()
    original = matplotlib.image.imsave
    with background_png() as writer:
        assert matplotlib.image.imsave is original and not writer.intercepting
    fig = a_map()
    plain = save_figure(fig, "map", source="CBS", folder=tmp_path / "plain")
    assert [p.read_bytes() for p in threaded] == [p.read_bytes() for p in plain]
    plt.close(fig)


def test_a_png_that_cannot_be_written_is_reported_with_its_path(tmp_path):
    fig = a_scatter()
    missing = tmp_path / "gone" / "a.png"
    with background_png() as writer:
        writer.save(fig, missing, **OPTIONS)
        (failed,) = writer.wait()
    assert failed[0] == missing and isinstance(failed[1], OSError)
    assert writer.wait() == []  # reported once
    plt.close(fig)


def test_without_interception_a_png_is_written_in_this_thread(tmp_path):
    fig = a_scatter()
    writer = BackgroundPng(intercepting=False)
    writer.save(fig, tmp_path / "a.png", **OPTIONS)
    assert writer.started == [] and (tmp_path / "a.png").read_bytes().startswith(b"\x89PNG")
    plt.close(fig)


def test_patched_blocks_nest_and_the_last_one_out_puts_the_original_back():
    class Owner:
        @staticmethod
        def function():
            return "original"

    calls = []

    def wrap(original):
        calls.append(original)
        return lambda: "replaced " + original()

    with patched(Owner, "function", wrap):
        with patched(Owner, "function", wrap):
            assert Owner.function() == "replaced original"
        assert Owner.function() == "replaced original"  # the outer block still runs
    assert Owner.function() == "original" and len(calls) == 1


def test_save_figure_reports_a_png_its_worker_thread_could_not_write_by_its_path(tmp_path, monkeypatch):
    def refuse(path, write):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(png_writer, "write_atomic", refuse)
    fig = a_scatter()
    with pytest.raises(ws.ArgumentError, match=r"cannot write .*a\.png \(setting figures_dir.*[Pp]ermission denied"):
        save_figure(fig, "a", source="CBS", folder=tmp_path)
    assert (tmp_path / "a.svg").exists() and not (tmp_path / "a.png").exists()  # the others were written meanwhile
    plt.close(fig)
