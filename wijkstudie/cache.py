"""Processed tables cached as (Geo)Parquet, keyed by the raw file's content hash and the reader version.

A changed raw file (or a new reader version) gets a new key, so stale tables are never served. The load
report (suppressed cells, warnings, identification) is kept in a JSON file beside the table. Both are written
to a temporary name first and moved into place.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from .download import file_sha256
from .paths import processed_dir

READER_VERSION = 3


INDEX = "fingerprints.json"


def _index() -> dict:
    try:
        return json.loads((processed_dir() / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def cache_key(path: Path) -> str:
    """Content hash of the raw file (+ reader version). The hash is remembered per path, size and mtime (see
    ``remember``), so an unchanged file is not hashed again; a change of size or modification time means a new
    hash."""
    path = Path(path).resolve()
    stat = path.stat()
    entry = _index().get(str(path))
    digest = entry[2] if entry and entry[:2] == [stat.st_size, stat.st_mtime_ns] else file_sha256(path)[:24]
    return f"{digest}-v{READER_VERSION}"


def remember(path: Path, key: str) -> None:
    """Record the fingerprint of a raw file after it loaded successfully (a failed load writes nothing)."""
    path = Path(path).resolve()
    stat = path.stat()
    index = _index()
    entry = [stat.st_size, stat.st_mtime_ns, key.split("-v")[0]]
    if index.get(str(path)) != entry:
        index[str(path)] = entry
        _write_atomic(processed_dir() / INDEX, lambda p: Path(p).write_text(json.dumps(index), encoding="utf-8"))


def _write_atomic(target: Path, write) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _paths(key: str) -> tuple[Path, Path]:
    folder = processed_dir()
    return folder / f"{key}.parquet", folder / f"{key}.json"


def load_cached(key: str):
    table_path, meta_path = _paths(key)
    if not (table_path.is_file() and meta_path.is_file()):
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("geometry"):
            import geopandas as gpd

            frame = gpd.read_parquet(table_path)
        else:
            frame = pd.read_parquet(table_path)
    except Exception:  # a damaged cache entry is rebuilt from the raw file
        return None
    return frame, meta


def store(key: str, frame: pd.DataFrame, meta: dict) -> None:
    table_path, meta_path = _paths(key)
    meta = dict(meta, geometry="geometry" in frame.columns and hasattr(frame, "crs"))
    _write_atomic(table_path, lambda p: frame.to_parquet(p, index=False))
    _write_atomic(meta_path, lambda p: Path(p).write_text(json.dumps(meta, indent=1, default=_plain), encoding="utf-8"))


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    return str(value)
