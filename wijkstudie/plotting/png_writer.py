"""A figure's PNG encoded in a worker thread while the main thread draws its SVG and PDF.

matplotlib writes a PNG in two steps: the Agg canvas draws the figure (with the dpi, tight box and metadata
``savefig`` was given), then ``matplotlib.image.imsave`` hands the pixels to Pillow, whose zlib encoding takes about as
long as the drawing and releases the GIL. ``background_png()`` lets ``savefig`` draw as always, catches the finished
pixels at ``imsave`` (a copy, with the very arguments matplotlib passed) and runs matplotlib's own ``imsave`` on them in
a worker thread, which writes the file atomically: the same bytes as ``fig.savefig(path)``. Leaving the block waits
for every PNG it started, so the files exist when ``save_figure`` returns.

Only a matplotlib whose Agg canvas was seen to save this way (``TESTED_MATPLOTLIB``) is intercepted; with any other
version each PNG is written in the main thread, as before.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import matplotlib.image
import numpy as np

from ..core.atomic import write_atomic
from .patching import patched

TESTED_MATPLOTLIB = ("3.11.",)  # versions whose FigureCanvasAgg._print_pil ends in mpl.image.imsave(file, pixels, ...)

_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    """The one worker thread that encodes PNGs (made when first needed)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wijkstudie-png")
        return _POOL


def intercepts() -> bool:
    """Whether this matplotlib saves PNGs the way ``background_png`` intercepts.

    Returns
    -------
    bool
    """
    return matplotlib.__version__.startswith(TESTED_MATPLOTLIB)


class _Pixels:
    """What ``savefig`` is given instead of a file: it keeps the pixels and arguments ``imsave`` was called with."""

    def __init__(self):
        self.call: tuple[memoryview, dict] | None = None

    def write(self, imsave, path: Path) -> None:
        """``imsave`` the kept pixels to ``path`` with the kept arguments."""
        pixels, options = self.call
        imsave(path, pixels, **options)


def _catching(original):
    """``imsave`` that keeps a copy of the pixels for a ``_Pixels`` target and saves as before for any other."""

    def imsave(fname, arr, *args, **kwargs):
        if not isinstance(fname, _Pixels):
            return original(fname, arr, *args, **kwargs)
        if args:  # the Agg canvas passes everything but the file and the pixels by keyword
            raise TypeError("png_writer: imsave was called with positional options")
        # a copy: the canvas draws the next figure into the same buffer; a memoryview of it takes imsave's Agg path
        fname.call = (memoryview(np.array(arr, copy=True)), kwargs)
        return None

    return imsave


class BackgroundPng:
    """The PNGs of one ``background_png()`` block and the threads that write them."""

    def __init__(self, intercepting: bool):
        self.intercepting = intercepting
        self.started: list[tuple[Path, Future]] = []

    def save(self, fig, path: Path, **options) -> None:
        """Draw ``fig`` as a PNG now and write it to ``path`` in the worker thread (or here, without interception).

        Parameters
        ----------
        fig : matplotlib Figure
        path : Path
            the file (written through a temporary file and a rename)
        **options
            passed to ``fig.savefig`` (dpi, metadata, bbox_inches, ...)

        Raises
        ------
        OSError
            in the main thread, without interception, when the file cannot be written
        """
        if not self.intercepting:
            write_atomic(path, lambda tmp: fig.savefig(tmp, format="png", **options))
            return
        pixels = _Pixels()
        fig.savefig(pixels, format="png", **options)
        if pixels.call is None:
            raise RuntimeError(f"png_writer: savefig did not pass {path.name}'s pixels to matplotlib.image.imsave")
        imsave = matplotlib.image.imsave  # the interceptor: a path goes through to matplotlib's own
        self.started.append((path, _pool().submit(write_atomic, path, lambda tmp: pixels.write(imsave, tmp))))

    def wait(self) -> list[tuple[Path, BaseException]]:
        """Wait for every PNG started; the ones that failed, with why.

        Returns
        -------
        list of (Path, exception)
        """
        failed = []
        for path, future in self.started:
            error = future.exception()
            if error is not None:
                failed.append((path, error))
        self.started = []
        return failed


@contextmanager
def background_png() -> Iterator[BackgroundPng]:
    """PNGs drawn in this thread and encoded in a worker thread; leaving the block waits for them all.

    Yields
    ------
    BackgroundPng
        ``save(fig, path, **options)`` for each PNG; ``wait()`` for the failures (also waited for, failures dropped,
        when the block ends, so that no file is still being written after it even when the block raised)
    """
    if not intercepts():
        yield BackgroundPng(intercepting=False)
        return
    writer = BackgroundPng(intercepting=True)
    with patched(matplotlib.image, "imsave", _catching):
        try:
            yield writer
        finally:
            writer.wait()
