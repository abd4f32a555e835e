"""Session settings: where the data come from, which language figures speak, where files go.

One object, ``wijkstudie.settings``, holds them all. Each setting is taken, in this order, from an override
for a block of code, an override for the session, its environment variable, or its default::

    import wijkstudie as ws
    print(ws.settings)                       # every setting, its value and where the value came from
    ws.settings.language = "nl"              # for the rest of the session
    with ws.settings.using(data="synthetic"):  # for a block of code only
        ws.load("kwb", year=2022)
    del ws.settings.language                 # back to the environment variable or the default

Reading a setting never touches the network or the disk.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import ArgumentError, os_reason


@dataclass(frozen=True)
class Setting:
    """One setting: its environment variable, default, meaning, allowed values and kind (text or path)."""

    env: str
    default: object
    doc: str
    choices: tuple = ()
    kind: str = "text"  # text or path


SPEC = {
    "data": Setting(
        "WIJKSTUDIE_DATA",
        "real",
        "which data a session loads: 'real' (the publishers, or the "
        "mirror) or 'synthetic' (a mirror of the synthetic world, written on first use)",
        ("real", "synthetic"),
    ),
    "mirror": Setting(
        "WIJKSTUDIE_MIRROR",
        None,
        "a local folder laid out like the publishers' mirror; every "
        "fetch reads from there and nothing is written into it",
        kind="path",
    ),
    "data_dir": Setting(
        "WIJKSTUDIE_DATA_DIR",
        None,
        "the cache: raw/ downloads and processed/ tables (default: data/ of the checkout, or the user cache folder)",
        kind="path",
    ),
    "build_dir": Setting(
        "WIJKSTUDIE_BUILD_DIR",
        None,
        "where the main command keeps executed notebooks, its cache of them, logs and the report site "
        "(default: build/ of the checkout)",
        kind="path",
    ),
    "figures_dir": Setting(
        "WIJKSTUDIE_FIGURES_DIR",
        None,
        "where figures, the scorecard and recorded results go (default: figures/ of the checkout)",
        kind="path",
    ),
    "language": Setting("WIJKSTUDIE_LANGUAGE", "en", "labels, legends and captions of figures", ("en", "nl")),
    "microdata": Setting(
        "WIJKSTUDIE_MICRODATA", None, "a survey file (.sav, .dta, .csv) for the resident-level notebooks", kind="path"
    ),
    "microdata_mapping": Setting(
        "WIJKSTUDIE_MICRODATA_MAPPING", None, "the mapping of that survey file onto the resident schema", kind="path"
    ),
    "max_sheet_cells": Setting(
        "WIJKSTUDIE_MAX_SHEET_CELLS",
        5_000_000,
        "the largest workbook sheet read (rows x columns, from its own XML, checked before it is parsed)",
    ),
    "max_columns": Setting(
        "WIJKSTUDIE_MAX_COLUMNS", 20_000, "the most columns a sheet or a CSV header may have (checked before parsing)"
    ),
}


class Settings:
    """The session's settings (see the module docstring): each has a value, where the value comes from (a block, the
    session, its environment variable or the default) and an environment variable.

    Examples
    --------
    >>> import wijkstudie as ws
    >>> ws.settings.language
    'en'
    >>> with ws.settings.using(language="nl"):
    ...     ws.label("pct_volunteering")
    'Doet vrijwilligerswerk'
    >>> print(ws.settings)  # doctest: +SKIP
    """

    def __init__(self):
        object.__setattr__(self, "_session", {})
        object.__setattr__(self, "_blocks", [])

    def _check(self, name: str, value):
        if name not in SPEC:
            raise ArgumentError(f"unknown setting {name!r}; settings: {', '.join(SPEC)}")
        spec = SPEC[name]
        if value is None or value == "":
            return None
        if spec.kind == "path":
            try:
                return Path(value).expanduser().resolve()
            except (RuntimeError, OSError) as exc:  # a symlink loop
                raise ArgumentError(f"{spec.env}={value}: {os_reason(exc)}") from None
        text = str(value).strip().lower()
        if spec.choices and text not in spec.choices:
            raise ArgumentError(f"{spec.env}={value!r}: use {' or '.join(repr(c) for c in spec.choices)}")
        return text

    def origin(self, name: str) -> str:
        """Where the value of a setting comes from.

        Parameters
        ----------
        name : str
            a setting's name

        Returns
        -------
        str
            ``"block"``, ``"session"``, the environment variable, or ``"default"``

        Raises
        ------
        ArgumentError
            for an unknown setting.
        """
        if name not in SPEC:
            raise ArgumentError(f"unknown setting {name!r}; settings: {', '.join(SPEC)}")
        if any(name in block for block in self._blocks):
            return "block"
        if name in self._session:
            return "session"
        if os.environ.get(SPEC[name].env, "").strip():
            return SPEC[name].env
        return "default"

    def __getattr__(self, name: str):
        if name.startswith("_") or name not in SPEC:
            raise AttributeError(name)
        for block in reversed(self._blocks):
            if name in block:
                return block[name]
        if name in self._session:
            return self._session[name]
        raw = os.environ.get(SPEC[name].env, "").strip()
        return self._check(name, raw) if raw else self._check(name, SPEC[name].default)

    def __setattr__(self, name: str, value) -> None:
        self._session[name] = self._check(name, value)

    def __delattr__(self, name: str) -> None:
        self._check(name, None)
        self._session.pop(name, None)

    @contextlib.contextmanager
    def using(self, **values):
        """Override settings for a block of code: ``with settings.using(language="nl"): ...``.

        Parameters
        ----------
        **values
            setting name -> value for the block

        Returns
        -------
        context manager
            yields the settings object

        Raises
        ------
        ArgumentError
            for an unknown setting or a value it does not allow.
        """
        block = {name: self._check(name, value) for name, value in values.items()}
        self._blocks.append(block)
        try:
            yield self
        finally:
            self._blocks.remove(block)

    def as_dict(self) -> dict:
        """Every setting's current value.

        Returns
        -------
        dict
            name -> value
        """
        return {name: getattr(self, name) for name in SPEC}

    def __repr__(self) -> str:
        lines = ["wijkstudie settings (value, and where it comes from):"]
        for name, spec in SPEC.items():
            value = getattr(self, name)
            lines.append(
                f"  {name:<18} {str(value) if value is not None else '-':<40} {self.origin(name)}"
                f"  ({spec.env}: {spec.doc})"
            )
        return "\n".join(lines)

    __str__ = __repr__


settings = Settings()
