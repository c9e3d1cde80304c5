"""Loaded indexes, kept: the one way the API, the app and `newsrag serve` load an index.

Loading FAISS and the embedding model takes seconds, so a loaded `Index` is
kept per folder and settings and reused until a build publishes a new version
(the mtime of ``CURRENT`` changes). The new version is then loaded with the
embedding model handed over (`Index.reload`), never loaded twice. A question
already running keeps the `Index` it started with; the old one is closed by
garbage collection once nothing uses it.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import NamedTuple

from rag.config import Config
from rag.retrieval.index import Index


class _Loaded(NamedTuple):
    stamp: int | None  # mtime of CURRENT; None for a store without one (Milvus)
    config: Config | None  # as asked for (None: the environment)
    index: Index


_lock = threading.Lock()
_loaded: dict[str, _Loaded] = {}


def load_index(index_dir: str | Path = "index", *, config: Config | None = None,
               current: Index | None = None) -> Index:
    """The loaded index of ``index_dir``, reused until a build swaps its version.

    ``config`` as in `Index.load`. ``current`` is an index the caller already
    serves from this folder: a new version takes over its embedding model. A store
    without a ``CURRENT`` file (Milvus) is kept once per folder name; a FAISS folder
    without one raises the "build an index first" error of `Index.load`.
    """
    key = str(Path(index_dir).resolve())
    stamp = version_stamp(index_dir)
    with _lock:
        kept = _loaded.get(key)
    if kept and kept.config == config:
        if kept.stamp == stamp:
            return kept.index
        current = current or kept.index
    # as given: messages name the folder the way the user did
    index = current.reload() if current is not None else Index.load(index_dir, config=config)
    with _lock:
        _loaded[key] = _Loaded(stamp, config, index)
    return index


def version_stamp(index_dir: str | Path) -> int | None:
    """When ``CURRENT`` last changed (a build published), or None when there is none."""
    try:
        return (Path(index_dir) / "CURRENT").stat().st_mtime_ns
    except OSError:
        return None
