"""PNG encodings kept: the same pixels, encoded by the same Pillow and zlib with the same options, are read back.

Saving a figure encodes PNGs three times: the PNG file itself, and the images an SVG and a PDF hold (the polygons of a
detailed map, drawn at ``RASTER_DPI``: a PNG inside the SVG, a PNG's compressed rows inside the PDF). Their zlib
encoding is much of what saving a map costs, and a figure whose data did not change has the same pixels on every run.
``kept_png_encodings()`` puts a caching PNG writer in Pillow's table of savers (``PIL.Image.SAVE["PNG"]``) while a
block runs: an image is looked up by

- the SHA-256 of its pixels, its mode, size and palette,
- the options it is written with (``dpi``, the text chunks of ``pnginfo``; an image with any other option, or with
  ``info`` of its own, is written as always, uncached),
- the versions of Pillow and of the zlib it encodes with (``pillow_zlib``: its wheels bundle zlib-ng, not the zlib of
  Python's ``zlib`` module), which decide the bytes,

and served from ``<data_dir>/png/<key>.png-entry`` when the entry's header names that key and its bytes have the hash
it records (``kept_entries``); else Pillow's own writer encodes it and the entry is written. The most recently used
``KEPT_ON_DISK`` entries are kept. A PNG, SVG or PDF is byte-identical with and without the cache.

The saver is replaced only while the block runs, and only for a Pillow whose PNG saver takes ``(im, fp, filename)``.
"""

from __future__ import annotations

import hashlib
import inspect
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import PIL
import PIL.Image
import PIL.PngImagePlugin

from .kept_entries import cache_folder, identity_key, read_entry, write_entry
from .patching import patched

FORMAT = "wijkstudie png encoding 1"
FOLDER, SUFFIX = "png", ".png-entry"  # <data_dir>/png/<key>.png-entry
KEPT_ON_DISK = 400  # encodings kept, the most recently used (a full run of the notebooks writes about 55, 13 MB)
MODES = ("1", "L", "LA", "P", "RGB", "RGBA")
_LOCK = threading.Lock()


def caching_possible() -> bool:
    """Whether Pillow's PNG saver is the one this module wraps: ``SAVE["PNG"](im, fp, filename, ...)``.

    Returns
    -------
    bool
    """
    saver = PIL.Image.SAVE.get("PNG")
    try:
        return saver is not None and list(inspect.signature(saver).parameters)[:3] == ["im", "fp", "filename"]
    except (TypeError, ValueError):
        return False


def pillow_zlib() -> list:
    """The zlib Pillow encodes a PNG with: its ``zlib_version`` and ``zlib_ng_version`` (None where it has none).

    Returns
    -------
    list
        two texts or None
    """
    return [getattr(PIL.Image.core, name, None) for name in ("zlib_version", "zlib_ng_version")]


def encoding_identity(im) -> dict | None:
    """What a PNG encoding of ``im`` depends on, or None for an image written with options this cache does not know.

    Parameters
    ----------
    im : PIL.Image.Image
        an image being saved (its ``encoderinfo`` holds the options)

    Returns
    -------
    dict or None
    """
    options = dict(getattr(im, "encoderinfo", {}))
    if im.mode not in MODES or im.info or set(options) - {"dpi", "pnginfo"}:
        return None
    dpi = options.get("dpi")
    if dpi is not None and not (isinstance(dpi, tuple) and all(isinstance(v, (int, float)) for v in dpi)):
        return None
    chunks = []
    pnginfo = options.get("pnginfo")
    if pnginfo is not None:
        if type(pnginfo) is not PIL.PngImagePlugin.PngInfo:
            return None
        for chunk in pnginfo.chunks:
            if not (isinstance(chunk, tuple) and len(chunk) == 3 and all(isinstance(c, bytes) for c in chunk[:2])):
                return None
            chunks.append([chunk[0].hex(), chunk[1].hex(), bool(chunk[2])])
    return {
        "format": FORMAT,
        "mode": im.mode,
        "size": list(im.size),
        "palette": [im.palette.mode, im.getpalette(im.palette.mode)] if im.mode == "P" and im.palette else None,
        "pixels_sha256": hashlib.sha256(im.tobytes()).hexdigest(),
        "dpi": list(dpi) if dpi is not None else None,
        "chunks": chunks,
        "pillow": PIL.__version__,
        "zlib": pillow_zlib(),
    }


def _kept(original):
    """Pillow's PNG saver, serving a kept encoding where there is one and keeping what it encodes."""

    def save(im, fp, filename, *args, **kwargs):
        if args or kwargs:  # an animated PNG (save_all) or a chunk writer of its own: as always
            return original(im, fp, filename, *args, **kwargs)
        identity = encoding_identity(im)
        if identity is None:
            return original(im, fp, filename)
        key = identity_key(identity)
        folder = cache_folder(FOLDER)
        kept = read_entry(folder, key, identity, SUFFIX)
        if kept is None:
            buffer = io.BytesIO()
            original(im, buffer, filename)
            data = buffer.getvalue()
            with _LOCK:
                write_entry(folder, key, identity, data, None, SUFFIX, KEPT_ON_DISK)
        else:
            data = kept[0]
        fp.write(data)
        return None

    return save


@contextmanager
def kept_png_encodings() -> Iterator[bool]:
    """PNG encodings served from the cache while the block runs (when ``caching_possible()``).

    Yields
    ------
    bool
        whether the cache is in use
    """
    if not caching_possible():
        yield False
        return
    with patched(PIL.Image.SAVE, "PNG", _kept):
        yield True
