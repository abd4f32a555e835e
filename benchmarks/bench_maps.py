"""A map's polygon layer: geopandas' own drawing against ``plotting.polygon_layer.draw_polygons``, in one run; and
saving a map figure with ``save_figure``'s shortcuts (the PNG encoded in a worker thread, PNG encodings and the PDF's
font subsets kept) against without them.

    python benchmarks/bench_maps.py [--areas 3600] [--repeat 5]

Synthetic areas (a grid of rounded squares, each with a hole: about a national map of wijken at 3,600) drawn in one
colour, as a map layer is: CPU seconds per layer (the least of ``--repeat`` runs), both ways, and whether the two
collections hold the same paths. Measured on 2 shared cores (issue 28, round two): 3,600 areas 0.43 s with geopandas,
0.06 s built at once; a two-map ``map_figure`` of them 0.81 s before, 0.17 s after.

Saving: wall seconds (the median of ``--repeat``) of ``save_figure`` of a new two-map figure of the areas (PNG, SVG
and PDF) with no shortcut, with them and the caches empty (a first save), and kept (the font subsets in memory; and
read from the data cache's ``fonts/`` and ``png/``); the seconds of a PDF alone, without the caches and with them
warm; and whether every file has the same bytes every way.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402

from wijkstudie.plotting import font_subsets, png_writer, save_figure  # noqa: E402
from wijkstudie.plotting.maps import map_figure  # noqa: E402
from wijkstudie.plotting.polygon_layer import draw_polygons  # noqa: E402


def areas(count: int) -> gpd.GeoSeries:
    """About ``count`` rounded squares with a hole each, in a square grid (metres, RD New)."""
    side = max(1, round(count**0.5))
    cells = [
        shapely.box(i, j, i + 1, j + 1).buffer(0.3, quad_segs=4).difference(shapely.Point(i + 0.5, j + 0.5).buffer(0.2))
        for i in range(side)
        for j in range(side)
    ]
    return gpd.GeoSeries(cells, crs=28992)


def least_cpu(draw, repeat: int):
    """The least CPU time of ``repeat`` draws on a new axes each, and the last axes' collection."""
    times = []
    for _ in range(repeat):
        fig, ax = plt.subplots()
        start = time.process_time()
        draw(ax)
        times.append(time.process_time() - start)
        layer = ax.collections[0]
        plt.close(fig)
    return min(times), layer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=3600)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    shapes = areas(args.areas)
    style = {"edgecolor": "white", "linewidth": 0.1, "rasterized": True}
    theirs, their_layer = least_cpu(lambda ax: shapes.plot(ax=ax, color="#cccccc", **style), args.repeat)
    ours, our_layer = least_cpu(lambda ax: draw_polygons(ax, shapes, colour="#cccccc", **style), args.repeat)
    same = all(
        np.array_equal(a.vertices, b.vertices) and np.array_equal(a.codes, b.codes)
        for a, b in zip(their_layer.get_paths(), our_layer.get_paths(), strict=True)
    )
    print(f"{len(shapes)} areas, {int(shapely.get_num_coordinates(shapes.to_numpy()).sum())} points")
    print(f"  geopandas' layer       {theirs:6.3f} s CPU")
    print(f"  built at once          {ours:6.3f} s CPU  ({theirs / max(ours, 1e-9):.1f} x faster)")
    print(f"  the same paths: {same}")
    saving(shapes, args.repeat)


@contextlib.contextmanager
def without_shortcuts():
    """``save_figure`` as before the shortcuts: as with a matplotlib they were not tested with."""
    kept = png_writer.TESTED_MATPLOTLIB, font_subsets.TESTED_MATPLOTLIB
    png_writer.TESTED_MATPLOTLIB = font_subsets.TESTED_MATPLOTLIB = ("untested",)
    try:
        yield
    finally:
        png_writer.TESTED_MATPLOTLIB, font_subsets.TESTED_MATPLOTLIB = kept


def saved(shapes, folder: Path, formats=("png", "svg", "pdf")) -> tuple[float, list[bytes]]:
    """Wall seconds of ``save_figure`` of a new two-map figure of ``shapes``, and the files' bytes."""
    table = gpd.GeoDataFrame({"a": np.arange(len(shapes)) % 37, "b": np.arange(len(shapes)) % 11}, geometry=shapes)
    fig = map_figure(table, ["a", "b"], titles=["Vrijwilligerswerk, 2020", "Woningbezit, 2022"])
    start = time.perf_counter()
    paths = save_figure(fig, "map", source="CBS, Kerncijfers wijken en buurten 2020", folder=folder, formats=formats)
    seconds = time.perf_counter() - start
    plt.close(fig)
    return seconds, [p.read_bytes() for p in paths]


def saving(shapes, repeat: int) -> None:
    """Print the seconds of saving a map figure with and without the shortcuts (a data cache of its own)."""
    from wijkstudie.core.settings import settings

    with tempfile.TemporaryDirectory() as scratch, settings.using(data_dir=Path(scratch) / "cache"):
        folder = Path(scratch) / "figures"
        folder.mkdir()
        with without_shortcuts():
            plain = [saved(shapes, folder) for _ in range(repeat)]
            plain_pdf = [saved(shapes, folder, ("pdf",))[0] for _ in range(repeat)]
        first = saved(shapes, folder)
        warm = [saved(shapes, folder) for _ in range(repeat)]
        kept_pdf = [saved(shapes, folder, ("pdf",))[0] for _ in range(repeat)]
        disk = []
        for _ in range(repeat):  # as in a new kernel: nothing kept in memory, all read from the data cache
            font_subsets.forget_in_memory()
            disk.append(saved(shapes, folder))
    same = all(run[1] == plain[0][1] for run in [*plain, first, *warm, *disk])
    print(f"saving a two-map figure of {len(shapes)} areas (PNG, SVG, PDF; wall seconds, median of {repeat})")
    print(f"  no shortcut                           {statistics.median(t for t, _ in plain):6.3f} s")
    print(f"  shortcuts, caches empty               {first[0]:6.3f} s  (a first save)")
    print(f"  shortcuts, caches warm                {statistics.median(t for t, _ in warm):6.3f} s")
    print(f"  ... read from the data cache only     {statistics.median(t for t, _ in disk):6.3f} s  (a new kernel)")
    made, kept = statistics.median(plain_pdf), statistics.median(kept_pdf)
    print(f"  its PDF alone: no shortcut {made:.3f} s, caches warm {kept:.3f} s ({made - kept:.3f} s less)")
    print(f"  the same bytes every way: {same}")


if __name__ == "__main__":
    main()
