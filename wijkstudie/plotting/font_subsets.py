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
hash, matplotlib's glyph map) and the subset's bytes: no pickle. Only a subset that matplotlib would write back
unchanged (``font_as_file``) is kept, so a PDF is byte-identical with and without the cache.

The function is replaced only for a matplotlib whose ``get_glyphs_subset`` was seen to behave as this module expects
(``TESTED_MATPLOTLIB`` and its signature); for any other the block changes nothing.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import io
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import matplotlib

from ..core.atomic import write_atomic
from ..core.errors import WijkstudieError
from .patching import patched

TESTED_MATPLOTLIB = ("3.11.",)  # get_glyphs_subset(fontfile, glyphs) -> context manager of SubsetResults
FORMAT = "wijkstudie font subset 1"
KEPT_IN_MEMORY = 64  # subsets kept in this process (a few tens of kilobytes each)

_LOCK = threading.Lock()
_MEMORY: OrderedDict[str, tuple[bytes, dict[int, int]]] = OrderedDict()
_FONT_HASHES: dict[tuple, str] = {}  # (path, size, mtime_ns, inode) -> SHA-256 of the file's bytes


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


def fonts_folder() -> Path | None:
    """Where subsets are kept on disk: ``<data_dir>/fonts``, or None when there is no usable data cache.

    Returns
    -------
    Path or None
    """
    from ..core.paths import data_dir

    try:
        return data_dir() / "fonts"
    except (WijkstudieError, OSError):
        return None


def _font_hash(path: str) -> str:
    """The SHA-256 of a font file, hashed once per path, size, modification time and inode in a process."""
    stat = os.stat(path)
    identity = (path, stat.st_size, stat.st_mtime_ns, stat.st_ino)
    known = _FONT_HASHES.get(identity)
    if known is None:
        known = _FONT_HASHES[identity] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return known


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
        "font_sha256": _font_hash(str(fontfile)),
        "face_index": int(getattr(fontfile, "face_index", 0)),
        "glyphs": sorted({int(g) for g in glyphs}),
        "matplotlib": matplotlib.__version__,
        "fonttools": fontTools.version,
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest(), identity


def encode_entry(identity: dict, data: bytes, glyph_map: dict[int, int]) -> bytes:
    """A subset as it is kept on disk: a line of JSON (identity, hash, glyph map), then the font's bytes.

    Parameters
    ----------
    identity : dict
        from ``subset_key``
    data : bytes
        the subset font, as ``font_as_file`` writes it
    glyph_map : dict
        matplotlib's ``glyph_index_map`` (a glyph index of the font -> its index in the subset)

    Returns
    -------
    bytes
    """
    header = {"identity": identity, "sha256": hashlib.sha256(data).hexdigest(), "glyph_map": sorted(glyph_map.items())}
    return json.dumps(header, sort_keys=True).encode() + b"\n" + data


def decode_entry(content: bytes, identity: dict) -> tuple[bytes, dict[int, int]] | None:
    """The subset an entry holds, or None unless it is whole and is the subset of ``identity``.

    Parameters
    ----------
    content : bytes
        the file's bytes
    identity : dict
        the identity the entry must name

    Returns
    -------
    (bytes, dict) or None
    """
    line, _, data = content.partition(b"\n")
    try:
        header = json.loads(line)
        if header["identity"] != identity or hashlib.sha256(data).hexdigest() != header["sha256"]:
            return None
        return data, {int(glyph): int(index) for glyph, index in header["glyph_map"]}
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


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


def _read(folder: Path | None, key: str, identity: dict) -> tuple[bytes, dict[int, int]] | None:
    if folder is None:
        return None
    try:
        content = (folder / f"{key}.subset").read_bytes()
    except OSError:
        return None
    return decode_entry(content, identity)


def _write(folder: Path | None, key: str, identity: dict, data: bytes, glyph_map: dict[int, int]) -> None:
    if folder is None:
        return
    content = encode_entry(identity, data, glyph_map)
    with suppress(OSError):  # a cache that cannot be written is only slower
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / f"{key}.subset", lambda tmp: tmp.write_bytes(content))


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
            folder = fonts_folder()
            entry = _read(folder, key, identity)
            if entry is None:
                entry = _made(original, fontfile, glyphs)
                if entry is None:
                    return original(fontfile, glyphs)
                _write(folder, key, identity, *entry)
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
        _FONT_HASHES.clear()
