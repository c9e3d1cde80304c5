"""The BM25 side of an index folder (bm25s), built once per build, never per query.

Documents are the jieba tokens of each chunk with its title; row ``i`` is row
``i`` of the chunk table, like the FAISS index.
"""

from __future__ import annotations

import logging
from pathlib import Path

import bm25s
import numpy as np

logging.getLogger("bm25s").setLevel(logging.ERROR)


def build(token_lists: list[list[str]]) -> bm25s.BM25:
    # bm25s cannot index an empty vocabulary; a placeholder token no query can
    # produce (tokenize drops control characters) keeps the shapes valid.
    if not any(token_lists):
        token_lists = [["\x00"]] * max(1, len(token_lists))
    retriever = bm25s.BM25(k1=1.2, b=0.75)
    retriever.index(token_lists, show_progress=False)
    return retriever


def save(retriever: bm25s.BM25, folder: Path) -> None:
    retriever.save(str(folder), show_progress=False)


def load(folder: Path) -> bm25s.BM25:
    return bm25s.BM25.load(str(folder), mmap=False, show_progress=False)


def search(
    retriever: bm25s.BM25, tokens: list[str], k: int, n_rows: int,
    allowed: np.ndarray | None = None,
) -> list[tuple[int, float]]:
    """Top ``k`` (row, score) with a positive score; ``allowed`` restricts rows."""
    if not tokens or n_rows == 0 or k <= 0:
        return []
    scores = np.asarray(retriever.get_scores(tokens), dtype=np.float32)[:n_rows]
    if allowed is not None:
        mask = np.zeros(n_rows, dtype=bool)
        mask[allowed] = True
        scores = np.where(mask, scores, 0.0)
    k = min(k, n_rows)
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(r), float(scores[r])) for r in top if scores[r] > 0]
