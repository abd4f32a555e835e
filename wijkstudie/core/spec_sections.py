"""A specification (a YAML file of the package) whose sections say that they were read, as they are read.

``load_sections`` reads a file of ``SECTIONED`` into ``Sections``: a mapping like the file's (its top-level sections,
and the entries of a section that holds entries, e.g. findings.yaml's ``findings`` and ``samples``) that notes each
section as it is read (``code_trace.note_unit``: its name and the hash of its content), and the names of the entries
when they are listed (``["findings", null]``). So a derived table's build records the sections it read, and a notebook
depends on the sections it read: an edit to one finding runs again only the notebooks that read that finding (or
list the findings), not every notebook (the notebook runner keys a run on the other YAML files whole).

A section is noted when it is read through the mapping (``[]``, ``get``, ``in``, iterating, ``items``, ``values``,
``len``); a section given out whole (a finding's entry) is plain data, noted once when it was given out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import MutableMapping
from pathlib import Path

from . import code_trace
from .settings import PACKAGE_DIR
from .yamlfile import load_yaml

DESCRIPTIONS = ("*.yaml", "*.yml", "*.json", "*.csv")  # the package's data descriptions (its modules are code)
SECTIONED = ("study/findings.yaml",)  # the package's specifications read section by section (relative to it)


class Sections(MutableMapping):
    """A specification's sections (or a section's entries), noted as they are read (see the module docstring).

    Writing (``[key] = value``, ``del``) changes the data given out (a test that replaces a finding), and notes nothing.
    """

    def __init__(self, data: dict, path: str, sha256: str, keys: tuple = (), depth: int = 2):
        self._data, self._path, self._sha256, self._keys, self._depth = data, path, sha256, keys, depth
        self._inner: dict = {}  # the sections of entries given out, each made once
        self._digests: dict = {}  # key -> (the value, its hash): each hashed once

    def _note(self, key, value) -> None:
        held = self._digests.get(key)
        if held is None or held[0] is not value:
            held = self._digests[key] = (value, code_trace.digest(value))
        code_trace.note_unit(self._path, self._sha256, json.dumps([*self._keys, key]), held[1])

    def _names(self) -> None:
        self._note(None, list(self._data))

    def __getitem__(self, key):
        try:
            value = self._data[key]
        except KeyError:
            self._names()  # what is missing depends on the names there are
            raise
        if self._depth > 1 and isinstance(value, dict):
            if key not in self._inner or self._inner[key]._data is not value:
                self._inner[key] = Sections(value, self._path, self._sha256, (*self._keys, key), self._depth - 1)
            return self._inner[key]
        self._note(key, value)
        return value

    def __contains__(self, key) -> bool:
        self._names()
        return key in self._data

    def __iter__(self):
        self._names()
        return iter(self._data)

    def __len__(self) -> int:
        self._names()
        return len(self._data)

    def __setitem__(self, key, value) -> None:
        self._data[key] = value
        self._inner.pop(key, None)

    def __delitem__(self, key) -> None:
        del self._data[key]
        self._inner.pop(key, None)

    def __repr__(self) -> str:
        return f"Sections({self._path}, {list(self._keys)})"


def load_sections(relative: str) -> Sections:
    """Read one of the package's specifications (``SECTIONED``) as ``Sections``.

    Parameters
    ----------
    relative : str
        the file, relative to the package (e.g. ``"study/findings.yaml"``)

    Returns
    -------
    Sections
    """
    if relative not in SECTIONED:
        raise ValueError(f"{relative!r} is not read section by section; these are: {', '.join(SECTIONED)}")
    content = (PACKAGE_DIR / relative).read_bytes()
    return Sections(load_yaml(content), relative, hashlib.sha256(content).hexdigest())


def description_files() -> list[Path]:
    """The package's data descriptions (its YAML and other data files) that count whole, in a fixed order.

    Not those read section by section (``SECTIONED``): whoever reads one records the sections it read.

    Returns
    -------
    list of Path
    """
    found = {p for pattern in DESCRIPTIONS for p in PACKAGE_DIR.rglob(pattern) if "__pycache__" not in p.parts}
    return sorted(found - {PACKAGE_DIR / name for name in SECTIONED})
