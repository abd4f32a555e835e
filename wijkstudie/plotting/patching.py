"""A library function replaced while a block runs, and put back after it, for ``save_figure``'s shortcuts.

``patched(owner, name, wrap)`` sets ``owner.name`` (or ``owner[name]`` for a dict) to ``wrap(original)`` for the
length of a ``with`` block. The replacements ``save_figure`` installs (``png_writer``, ``font_subsets``) behave as
the original for every call they were not made for, so another thread that calls the function meanwhile sees no
difference. Blocks may nest and run in
several threads at once: the first block in puts the replacement in place, the last one out puts the original back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
_ACTIVE: dict[tuple[int, str], list] = {}  # (id(owner), name) -> [blocks inside, the original]


@contextmanager
def patched(owner, name: str, wrap: Callable[[Callable], Callable]) -> Iterator[None]:
    """``owner.<name>`` replaced by ``wrap(original)`` while the block runs.

    Parameters
    ----------
    owner : module, class or dict
        what holds the function (an attribute, or a dict's item)
    name : str
        the attribute
    wrap : callable
        ``wrap(original)`` returns the replacement (called once, by the first block in)

    Yields
    ------
    None
    """
    key = (id(owner), name)
    with _LOCK:
        if key in _ACTIVE:
            _ACTIVE[key][0] += 1
        else:
            original = _get(owner, name)
            _set(owner, name, wrap(original))
            _ACTIVE[key] = [1, original]
    try:
        yield
    finally:
        with _LOCK:
            _ACTIVE[key][0] -= 1
            if not _ACTIVE[key][0]:
                _set(owner, name, _ACTIVE.pop(key)[1])


def _get(owner, name: str):
    return owner[name] if isinstance(owner, dict) else getattr(owner, name)


def _set(owner, name: str, value) -> None:
    if isinstance(owner, dict):
        owner[name] = value
    else:
        setattr(owner, name, value)
