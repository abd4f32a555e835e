"""A map's polygon layer: geopandas' own drawing against ``plotting.polygon_layer.draw_polygons``, in one run.

    python benchmarks/bench_maps.py [--areas 3600] [--repeat 5]

Synthetic areas (a grid of rounded squares, each with a hole: about a national map of wijken at 3,600) drawn in one
colour, as a map layer is: CPU seconds per layer (the least of ``--repeat`` runs), both ways, and whether the two
collections hold the same paths. Measured on 2 shared cores (issue 28, round two): 3,600 areas 0.43 s with geopandas,
0.06 s built at once; a two-map ``map_figure`` of them 0.81 s before, 0.17 s after.
"""

from __future__ import annotations

import argparse
import time

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402

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


if __name__ == "__main__":
    main()
