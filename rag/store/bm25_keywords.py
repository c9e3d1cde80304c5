"""The BM25 side of an index folder (bm25s), built once per build, never per query.

Documents are the keyword terms of each chunk (jieba words with the title, and
character bigrams: `rag.text.tokenizer.document_terms`); row ``i`` is row ``i`` of the
chunk table, like the FAISS index.

The matrix bm25s searches is made here in two passes over the documents (terms
and document frequencies, then each document's scores written straight into
their column), not by ``bm25s.BM25.index``: that one holds every document's
token list and three scratch arrays at once — over 2 GB for the 200,000
passages of a 69,549-document build — where this holds the finished matrix
and one document. The scores are bm25s' own (its default Lucene variant,
``k1=1.2, b=0.75``), checked against its ``index`` in tests/store/test_bm25_keywords.py.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from pathlib import Path
from typing import Iterable

import bm25s
import numpy as np

logging.getLogger("bm25s").setLevel(logging.ERROR)
K1, B = 1.2, 0.75


def build(docs: Iterable[str | list[str]]) -> bm25s.BM25:
    """A BM25 index of ``docs``: each a space-joined term string or a list of terms.
    ``docs`` is read twice, so it must iterate afresh each time (a list, or an
    object whose ``__iter__`` runs its query again)."""
    if iter(docs) is docs:
        raise TypeError("bm25_keywords.build reads the documents twice: give a list or a "
                        "re-iterable object, not a one-shot iterator")
    vocab: dict[str, int] = {}
    df: list[int] = []
    lengths: list[int] = []
    for doc in docs:  # pass 1: the vocabulary, document frequencies and lengths
        terms = _terms(doc)
        lengths.append(len(terms))
        for t in set(terms):
            i = vocab.setdefault(t, len(vocab))
            if i == len(df):
                df.append(0)
            df[i] += 1
    # bm25s cannot index an empty vocabulary; a placeholder term no query can
    # produce (tokenize drops control characters) keeps the shapes valid.
    if not vocab:
        return _placeholder(max(1, len(lengths)))
    n_docs = len(lengths)
    avg_len = np.array(lengths).mean()
    idf = np.array([math.log(1 + (n_docs - d + 0.5) / (d + 0.5)) for d in df], dtype=np.float32)
    indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    data = np.empty(indptr[-1], dtype=np.float32)
    indices = np.empty(indptr[-1], dtype=np.int32)
    filled = indptr[:-1].copy()
    for row, doc in enumerate(docs):  # pass 2: each document's scores into their columns
        counts = Counter(vocab[t] for t in _terms(doc))
        cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        # the same arithmetic (and dtypes) as bm25s' Lucene scorer, so the floats agree
        tfc = tf / (K1 * ((1 - B) + B * lengths[row] / avg_len) + tf)
        at = filled[cols]
        data[at] = idf[cols] * tfc
        indices[at] = row
        filled[cols] += 1
    return _retriever(data, indices, indptr, n_docs, vocab)


def _terms(doc: str | list[str]) -> list[str]:
    return [t for t in (doc.split(" ") if isinstance(doc, str) else doc) if t]


def _retriever(data, indices, indptr, n_docs: int, vocab: dict[str, int]) -> bm25s.BM25:
    """A bm25s retriever holding this matrix, with the four attributes its ``index`` sets
    (bm25s is pinned in pyproject.toml; the equality test catches a change)."""
    retriever = bm25s.BM25(k1=K1, b=B)
    retriever.nonoccurrence_array = None  # the Lucene variant has none
    retriever.scores = {"data": data, "indices": indices, "indptr": indptr, "num_docs": n_docs}
    retriever.vocab_dict = {**vocab, "": len(vocab)}  # bm25s adds its empty term last
    retriever.unique_token_ids_set = set(retriever.vocab_dict.values())
    return retriever


def _placeholder(n_docs: int) -> bm25s.BM25:
    return build(["\x00"] * n_docs)


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
