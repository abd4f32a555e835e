"""The synthetic world, and its mirror: the same files the publishers publish, filled with the world's numbers.

A synthetic session is an ordinary session pointed at that mirror (``ws.use_synthetic()``: it writes the mirror
and sets ``data = "synthetic"`` and ``synthetic_mirror``): every table comes through the real readers, and the
mirror's manifest marks every number from it as synthetic.

    from wijkstudie import synthetic
    world = synthetic.generate(seed=1)      # neighbourhoods and residents from scenarios/default.yaml
    folder = synthetic.mirror()             # the mirror of the default world (written once, then reused)
"""

from .mirror_writer import mirror, mirror_folder, use_synthetic, write_mirror
from .world import World, default_world, generate, load_scenario, neighbourhood_table, parameters, regions

__all__ = [
    "World",
    "default_world",
    "generate",
    "load_scenario",
    "mirror",
    "mirror_folder",
    "neighbourhood_table",
    "parameters",
    "regions",
    "use_synthetic",
    "write_mirror",
]
