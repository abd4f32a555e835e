"""YAML read with libyaml's C parser when PyYAML has it (ten times faster on the catalogue and the variable dictionary).

Else with the pure-Python one; both are the safe loader: plain data, never objects.

A file a user gives (a microdata mapping) is read with ``load_user_yaml``, which refuses aliases (``*name``): a few
hundred bytes of nested aliases ("billion laughs") expand to billions of values once the data is walked, and a
mapping needs none. It refuses a key that occurs twice in one mapping too (``Koop: owner`` and later ``Koop:
social_rent``): YAML's loaders keep the last silently, which would turn every owner into a social renter.
"""

from __future__ import annotations

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class AliasError(ValueError):
    """A YAML file from a user holds an alias (``*name``); ``line`` is where (1-based)."""

    def __init__(self, line: int):
        super().__init__(f"YAML aliases are not allowed (line {line})")
        self.line = line


class DuplicateKeyError(ValueError):
    """A YAML file from a user holds a key twice in one mapping; ``line`` is where the second one is (1-based)."""

    def __init__(self, key: str, line: int, first: int):
        super().__init__(f"the key {key!r} occurs twice in one mapping (line {first} and line {line})")
        self.key, self.line, self.first = key, line, first


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


def load_user_yaml(text: str):
    """Parse YAML a user wrote (plain data only, no aliases).

    The events are read first, and an alias stops it before anything is built.

    Parameters
    ----------
    text : str
        the YAML text

    Returns
    -------
    object
        the parsed data

    Raises
    ------
    AliasError
        for an alias (``*name``), with its line.
    DuplicateKeyError
        for a key that occurs twice in one mapping, with both lines.
    yaml.YAMLError
        for text that is not valid YAML.
    """
    for event in yaml.parse(text, Loader=SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise AliasError(event.start_mark.line + 1 if event.start_mark else 0)
    _refuse_duplicate_keys(yaml.compose(text, Loader=SafeLoader))
    return load_yaml(text)


def _refuse_duplicate_keys(root) -> None:
    """Walk the composed nodes (without recursion; there are no aliases) and raise at a key seen twice in a mapping.

    Keys compare as YAML reads them: ``1`` and ``'1'`` differ, ``Koop`` and ``Koop`` do not.
    """
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    ident = (key.tag, key.value)
                    line = key.start_mark.line + 1
                    if ident in seen:
                        raise DuplicateKeyError(key.value, line, seen[ident])
                    seen[ident] = line
                stack += [key, value]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
