"""Float32 row matrices kept on disk (``.npy``) and read or written block by block.

Why: a 200,000-passage build's vectors are 400 MB, and holding them in memory
while FAISS holds its own copy (and BM25 is built after) took a 69,549-document
build to 7.2 GB. Here the build writes each embedded batch into a memory-mapped
file and drops the mapped pages after each block (``MADV_DONTNEED``: the data
stays in the page cache and the file), so the process keeps at most one block
resident, and FAISS and the index folder's ``vectors.npy`` are filled from
blocks too.
"""

from __future__ import annotations

import mmap
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

BLOCK_ROWS = 16_384  # 32 MB of 512-dimensional vectors


def create(path: Path, rows: int, dim: int) -> np.memmap:
    """A zero-filled ``rows × dim`` float32 ``.npy`` file, mapped for writing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(rows, dim))


def release(array: np.ndarray) -> None:
    """Drop the resident pages of the file mapping under ``array`` (a no-op for an array in
    memory); what was written stays in the file. ``array`` may be a view of a mapped array
    (``np.asarray(memmap)`` is a plain ndarray whose base is the memmap)."""
    mapped = _mapping(array)
    if mapped is not None and not mapped.closed and hasattr(mapped, "madvise"):
        mapped.madvise(mmap.MADV_DONTNEED)


def _mapping(array) -> mmap.mmap | None:
    """The ``mmap`` an array's data lives in, found through its chain of bases."""
    seen = 0
    while array is not None and seen < 32:
        if isinstance(array, mmap.mmap):
            return array
        array = getattr(array, "_mmap", None) or getattr(array, "base", None)
        seen += 1
    return None


def blocks(array: np.ndarray, rows: Sequence[int] | None = None,
           size: int = BLOCK_ROWS) -> Iterator[np.ndarray]:
    """Copies of consecutive blocks of ``array`` (or of its ``rows``, in that order) as
    float32, releasing mapped pages after each."""
    n = len(array) if rows is None else len(rows)
    for lo in range(0, n, size):
        part = slice(lo, lo + size) if rows is None else np.asarray(rows[lo : lo + size])
        block = np.array(array[part], dtype=np.float32)
        release(array)
        yield block


def save(path: Path, parts: Sequence[tuple[np.ndarray, Sequence[int] | None]], dim: int) -> np.memmap:
    """Write the rows of ``parts`` — (array, its rows to take or None for all) — one after
    another into a new ``.npy`` at ``path``; returns it mapped read-only."""
    total = sum(len(a) if rows is None else len(rows) for a, rows in parts)
    out = create(path, total, dim)
    at = 0
    for array, rows in parts:
        for block in blocks(array, rows):
            out[at : at + len(block)] = block
            at += len(block)
            release(out)
    out.flush()
    del out
    return np.load(path, mmap_mode="r")
