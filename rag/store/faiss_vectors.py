"""The FAISS side of an index folder: exact for small corpora, IVF above a threshold.

Vectors are L2-normalised, so inner product is cosine similarity. Row ``i`` of
the FAISS index is row ``i`` of the chunk table, which is how hits are joined
back to their text.
"""

from __future__ import annotations

import math
from pathlib import Path

import faiss
import numpy as np

from rag.store import vector_file


def choose_factory(n: int, threshold: int) -> tuple[str, int]:
    """FAISS factory string and nprobe for ``n`` vectors.

    Below ``threshold`` a flat index is exact and fast enough (a 200k x 512
    scan takes ~20 ms). Above it an inverted file with 8-bit scalar quantisation
    keeps a quarter of the memory; nprobe is set for recall@10 above 0.95.
    """
    if n < threshold:
        return "Flat", 0
    nlist = int(4 * math.sqrt(n))
    nlist = max(16, min(nlist, n // 39))
    return f"IVF{nlist},SQ8", max(8, nlist // 16)


def build(vectors: np.ndarray, factory: str, nprobe: int) -> faiss.Index:
    """The index of ``vectors`` (in memory or memory-mapped: added block by block, so a
    mapped file is never resident as a whole beside FAISS's own copy)."""
    dim = vectors.shape[1]
    index = faiss.index_factory(dim, factory, faiss.METRIC_INNER_PRODUCT)
    if isinstance(index, faiss.IndexFlat):
        return _flat(index, vectors)
    if not index.is_trained:
        rng = np.random.default_rng(0)
        rows = None
        if len(vectors) > 100_000:
            rows = np.sort(rng.choice(len(vectors), 100_000, replace=False))
        index.train(np.concatenate(list(vector_file.blocks(vectors, rows))))
    for block in vector_file.blocks(vectors):
        index.add(block)
    if nprobe:
        faiss.extract_index_ivf(index).nprobe = nprobe
    return index


def _flat(index: faiss.IndexFlat, vectors: np.ndarray) -> faiss.IndexFlat:
    """A flat index filled block by block into storage sized once: ``add`` grows FAISS's
    buffer by doubling, which for 200,000 vectors held the old and the new buffer at once
    (+260 MB over the final 400 MB)."""
    n, dim = vectors.shape
    index.codes.resize(n * index.code_size)
    stored = faiss.rev_swig_ptr(index.codes.data(), n * index.code_size)
    rows = stored.view(np.float32).reshape(n, dim)
    at = 0
    for block in vector_file.blocks(vectors):
        rows[at : at + len(block)] = block
        at += len(block)
    index.ntotal = n
    return index


def save(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def load(path: Path, nprobe: int = 0) -> faiss.Index:
    index = faiss.read_index(str(path))
    if nprobe:
        faiss.extract_index_ivf(index).nprobe = nprobe
    return index


EXACT_ROWS = 2048  # allowed rows scored exactly below this: ~1 ms for 512 dimensions


def search(
    index: faiss.Index, query: np.ndarray, k: int, allowed: np.ndarray | None = None, *,
    vectors: np.ndarray,
) -> list[tuple[int, float]]:
    """Top ``k`` (row, cosine) for one query; ``allowed`` restricts rows (filters).

    ``vectors`` are the stored vectors (row ``i`` of the index is ``vectors[i]``; the
    version's vectors.npy). An IVF index filters only inside the lists it probes, so a
    narrow filter whose rows lie in other lists would find nothing although they exist:
    allowed rows fewer than the probed lists hold (or than `EXACT_ROWS`) are scored
    exactly, as are those of a filter the probed lists could not fill ``k`` from.
    """
    if index.ntotal == 0 or k <= 0:
        return []
    query = query.reshape(1, -1).astype(np.float32)
    ivf = faiss.try_extract_index_ivf(index)
    ivf = ivf if isinstance(ivf, faiss.IndexIVF) else None
    params = None
    if allowed is not None:
        if len(allowed) == 0:
            return []
        allowed = np.asarray(allowed, dtype=np.int64)
        sel = faiss.IDSelectorBatch(allowed)
        if ivf is None:  # a flat index checks every row: the selector alone is exact
            params = faiss.SearchParameters(sel=sel)
        elif len(allowed) < max(EXACT_ROWS, ivf.ntotal * ivf.nprobe / ivf.nlist):
            return _exact(vectors, query, k, allowed)
        else:
            params = faiss.SearchParametersIVF(sel=sel, nprobe=ivf.nprobe)
    scores, rows = index.search(query, min(k, index.ntotal), params=params)
    found = [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]
    if ivf is not None and allowed is not None and len(found) < min(k, len(allowed)):
        return _exact(vectors, query, k, allowed)
    return found


def _exact(vectors: np.ndarray, query: np.ndarray, k: int, allowed: np.ndarray
           ) -> list[tuple[int, float]]:
    """Top ``k`` of the ``allowed`` rows by exact cosine (read in row order from the mmap)."""
    rows = np.unique(allowed)
    scores = np.asarray(vectors[rows], dtype=np.float32) @ query[0]
    top = np.argsort(-scores, kind="stable")[:k]
    return [(int(rows[i]), float(scores[i])) for i in top]
