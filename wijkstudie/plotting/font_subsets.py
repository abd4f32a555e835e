"""The font subsets a PDF embeds, made once and kept: in this process and under the data cache (``fonts/``).

With ``pdf.fonttype`` 42 (the house style) matplotlib embeds in every PDF a subset of each font it uses, holding just
the glyphs drawn: ``matplotlib.backends._backend_pdf_ps.get_glyphs_subset`` reads the whole font with fontTools and
subsets it, about 0.05-0.3 s a PDF, the same work for the same figure on every run. ``cached_font_subsets()`` puts a
caching version of that function in place while a block runs (``patching.patched``): a subset is looked up by

- the font file's content (SHA-256, hashed once per file and modification in a process), its face index,
- the glyphs asked for,
- the versions of matplotlib and fontTools (which decide how a subset is made),

and served from memory, else from ``<data_dir>/fonts/<key>.subset`` after checking that the file's header names the
same key and its font bytes have the SHA-256 the header records; anything else (no file, another key, a damaged file)
is made again by matplotlib's own function and written over it atomically. An entry is a line of JSON (the key, the
hash, matplotlib's glyph map) and the subset's bytes: no pickle (``kept_entries``); the most recently used
``KEPT_ON_DISK`` are kept. Only a subset that matplotlib would write back
unchanged (``font_as_file``) is kept, so a PDF is byte-identical with and without the cache.

The function is replaced only for a matplotlib whose ``get_glyphs_subset`` was seen to behave as this module expects
(``TESTED_MATPLOTLIB`` and its signature); for any other the block changes nothing.
"""

from __future__ import annotations

import functools
import inspect
import io
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib

from ..core.hashing import cached_file_sha256, forget_file_hashes
from .kept_entries import cache_folder, identity_key, read_entry, write_entry
from .patching import patched

TESTED_MATPLOTLIB = ("3.11.",)  # get_glyphs_subset(fontfile, glyphs) -> context manager of SubsetResults
FORMAT = "wijkstudie font subset 1"
FOLDER, SUFFIX = "fonts", ".subset"  # <data_dir>/fonts/<key>.subset
KEPT_IN_MEMORY = 64  # subsets kept in this process (a few tens of kilobytes each)
KEPT_ON_DISK = 2000  # subsets kept on disk, the most recently used (a few tens of kilobytes each)

_LOCK = threading.Lock()
_MEMORY: OrderedDict[str, tuple[bytes, dict[int, int]]] = OrderedDict()


def _backend():
    from matplotlib.backends import _backend_pdf_ps

    return _backend_pdf_ps


def caching_possible() -> bool:
    """Whether this matplotlib's font subsetting is the one this module was tested with.

    Returns
    -------
    bool
    """
    if not matplotlib.__version__.startswith(TESTED_MATPLOTLIB):
        return False
    backend = _backend()
    function = getattr(backend, "get_glyphs_subset", None)
    if function is None or not all(hasattr(backend, n) for n in ("SubsetResults", "font_as_file")):
        return False
    try:
        return list(inspect.signature(function).parameters) == ["fontfile", "glyphs"]
    except (TypeError, ValueError):
        return False


def subset_key(fontfile, glyphs) -> tuple[str, dict]:
    """The key of the subset of ``glyphs`` of ``fontfile``, and what it is made of.

    Parameters
    ----------
    fontfile : matplotlib FontPath or str
        the font file (and, for a FontPath, its face index)
    glyphs : iterable of int
        the glyph indices

    Returns
    -------
    (str, dict)
        the key (SHA-256 of the identity, as JSON) and the identity: font hash, face index, glyphs, versions

    Raises
    ------
    OSError
        when the font file cannot be read
    """
    import fontTools

    identity = {
        "format": FORMAT,
        "font_sha256": cached_file_sha256(str(fontfile)),
        "face_index": int(getattr(fontfile, "face_index", 0)),
        "glyphs": sorted({int(g) for g in glyphs}),
        "matplotlib": matplotlib.__version__,
        "fonttools": fontTools.version,
    }
    return identity_key(identity), identity


def _load_font(data: bytes):
    """A fontTools font of a subset's bytes that writes them back unchanged (no new timestamp or bounds)."""
    from fontTools.ttLib import TTFont

    return TTFont(io.BytesIO(data), recalcTimestamp=False, recalcBBoxes=False)


def _remember(key: str, entry: tuple[bytes, dict[int, int]]) -> None:
    with _LOCK:
        _MEMORY[key] = entry
        _MEMORY.move_to_end(key)
        while len(_MEMORY) > KEPT_IN_MEMORY:
            _MEMORY.popitem(last=False)


def _entry(kept: tuple[bytes, dict]) -> tuple[bytes, dict[int, int]] | None:
    """A subset and its glyph map from a kept entry's bytes and fields (None for a glyph map that is not one)."""
    data, fields = kept
    try:
        return data, {int(glyph): int(index) for glyph, index in fields["glyph_map"]}
    except (KeyError, TypeError, ValueError):
        return None


def _made(original, fontfile, glyphs) -> tuple[bytes, dict[int, int]] | None:
    """The subset made by matplotlib's own function, or None when it would not be written back unchanged."""
    backend = _backend()
    with original(fontfile, glyphs) as made:
        data = backend.font_as_file(made.font).getvalue()
        glyph_map = {int(glyph): int(index) for glyph, index in made.glyph_index_map.items()}
    if backend.font_as_file(_load_font(data)).getvalue() != data:
        return None
    return data, glyph_map


def _cached(original):
    """``get_glyphs_subset`` that serves a kept subset, else makes it with ``original`` and keeps it."""

    @functools.wraps(original)
    def get_glyphs_subset(fontfile, glyphs):
        glyphs = list(glyphs)
        try:
            key, identity = subset_key(fontfile, glyphs)
        except OSError:
            return original(fontfile, glyphs)
        with _LOCK:
            entry = _MEMORY.get(key)
        if entry is None:
            folder = cache_folder(FOLDER)
            kept = read_entry(folder, key, identity, SUFFIX)
            entry = _entry(kept) if kept is not None else None
            if entry is None:
                entry = _made(original, fontfile, glyphs)
                if entry is None:
                    return original(fontfile, glyphs)
                data, glyph_map = entry
                write_entry(folder, key, identity, data, {"glyph_map": sorted(glyph_map.items())}, SUFFIX, KEPT_ON_DISK)
            _remember(key, entry)
        data, glyph_map = entry
        return _backend().SubsetResults(_load_font(data), dict(glyph_map))._as_cm()

    return get_glyphs_subset


@contextmanager
def cached_font_subsets() -> Iterator[bool]:
    """PDF font subsets served from the cache while the block runs (when ``caching_possible()``).

    Yields
    ------
    bool
        whether the cache is in use
    """
    if not caching_possible():
        yield False
        return
    with patched(_backend(), "get_glyphs_subset", _cached):
        yield True


def forget_in_memory() -> None:
    """Drop the subsets and font hashes kept in this process (the disk cache stays)."""
    with _LOCK:
        _MEMORY.clear()
    forget_file_hashes()
