"""YAML read with libyaml's C parser when PyYAML has it (ten times faster on the catalogue and the variable
dictionary), else with the pure-Python one; both are the safe loader: plain data, never objects."""

from __future__ import annotations

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(stream):
    """Parse YAML safely (plain data only).

    Parameters
    ----------
    stream : str or file object
        the YAML text or an open file

    Returns
    -------
    object
        the parsed data (dicts, lists, strings, numbers, ...)
    """
    return yaml.load(stream, Loader=SafeLoader)  # noqa: S506 (a safe loader: the C or Python SafeLoader)
