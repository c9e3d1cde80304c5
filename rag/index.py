"""A loaded index: hybrid search over one index folder, loaded once, read-only.

`Index.load(path)` reads the live version's FAISS file, BM25 files and
metadata store; `.search()` can then be called any number of times (and from
several threads: the app shares one Index between users).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import warnings
from pathlib import Path
from typing import Literal

import numpy as np

from . import dense_index, index_folder, keyword_index, metadata
from .config import Config
from .embedder import Embedder
from .errors import IndexCorruptError, IndexMismatchError
from .fusion import rrf
from .tokenizer import tokenize
from .types import Hit

log = logging.getLogger(__name__)
Mode = Literal["hybrid", "dense", "keyword"]


class Index:
    def __init__(self, index_dir: Path, version: Path, manifest: dict, config: Config):
        self.index_dir = index_dir
        self.version = version
        self.manifest = manifest
        self.config = config
        self._lock = threading.Lock()
        try:
            self._con = metadata.connect(version / "meta.sqlite")
            self._dense = dense_index.load(version / "dense.faiss", manifest["faiss"]["nprobe"])
            self._bm25 = keyword_index.load(version / "bm25")
        except (sqlite3.Error, RuntimeError, OSError, ValueError, KeyError) as exc:
            raise IndexCorruptError(
                f"the index in {index_dir} is damaged ({exc.__class__.__name__}: {exc}); "
                f"rebuild with `newsrag build PATHS --index {index_dir} --rebuild`"
            ) from None
        self.n_chunks = int(manifest["counts"]["chunks"])
        if self._dense.ntotal != self.n_chunks:
            raise IndexCorruptError(
                f"the index in {index_dir} is damaged (FAISS holds {self._dense.ntotal} vectors, "
                f"the metadata {self.n_chunks} chunks); rebuild with --rebuild"
            )
        self._embedder: Embedder | None = None

    @classmethod
    def load(cls, index_dir: str | Path = "index", *, config: Config | None = None) -> "Index":
        """Open the live version of ``index_dir``; errors say what is wrong and how to fix it."""
        index_dir = Path(index_dir)
        config = config or Config()
        version, manifest = index_folder.read_manifest(index_dir)
        if manifest.get("model") != config.model:
            raise IndexMismatchError(
                f"the index in {index_dir} was built with embedding model "
                f"{manifest.get('model')!r} but {config.model!r} is configured: rebuild it with "
                f"`newsrag build --index {index_dir}` (which re-embeds everything) or set "
                f"NEWSRAG_MODEL={manifest.get('model')}"
            )
        return cls(index_dir, version, manifest, config)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = Embedder(self.config)
        return self._embedder

    def info(self) -> dict:
        m = self.manifest
        return {"index": str(self.index_dir), "articles": m["counts"]["articles"],
                "chunks": m["counts"]["chunks"], "model": m["model"], "dim": m["dim"],
                "faiss": m["faiss"]["factory"], "chunking": m["chunking"],
                "built_at": m["built_at"], "roots": m.get("roots", [])}

    def search(
        self, query: str, k: int = 5, *, date_from: str | None = None, date_to: str | None = None,
        source: str | None = None, per_article: bool = False, mode: Mode = "hybrid",
    ) -> list[Hit]:
        """Top ``k`` passages for ``query``, keyword and dense lists fused by RRF."""
        query = _check_query(query, self.config.max_query_chars)
        allowed = None
        if date_from or date_to or source:
            with self._lock:
                allowed = metadata.filtered_rows(self._con, date_from, date_to, source)
        n = max(self.config.candidates, k * 4 if per_article else k)
        legs, weights = [], []
        if mode in ("hybrid", "keyword"):
            legs.append(keyword_index.search(self._bm25, tokenize(query), n, self.n_chunks, allowed))
            weights.append(self.config.keyword_weight if mode == "hybrid" else 1.0)
        if mode in ("hybrid", "dense"):
            qv = self.embedder.encode_queries([query])[0]
            legs.append(dense_index.search(self._dense, qv, n, allowed))
            weights.append(self.config.dense_weight if mode == "hybrid" else 1.0)
        fused = rrf(legs, weights, self.config.rrf_k)
        with self._lock:
            hits = metadata.hits_for_rows(self._con, fused[: n * 2])
        return _dedupe(hits, k, per_article)

    def article_text(self, doc_id: str) -> str | None:
        with self._lock:
            return metadata.article_text(self._con, doc_id)

    def close(self) -> None:
        self._con.close()


def _check_query(query: str, limit: int) -> str:
    if not isinstance(query, str) or not query.strip():
        raise ValueError("the query is empty: ask a question or give keywords")
    query = query.strip()
    if len(query) > limit:
        warnings.warn(f"query of {len(query)} characters truncated to {limit}", stacklevel=3)
        query = query[:limit]
    return query


def _dedupe(hits: list[Hit], k: int, per_article: bool) -> list[Hit]:
    """Drop repeated passages (same text) and, if asked, all but each article's best."""
    seen_text: set[str] = set()
    seen_doc: set[str] = set()
    out = []
    for h in hits:
        if h.text in seen_text or (per_article and h.doc_id in seen_doc):
            continue
        seen_text.add(h.text)
        seen_doc.add(h.doc_id)
        out.append(h)
        if len(out) == k:
            break
    return out


def search(
    query: str, k: int = 5, *, index_dir: str | Path = "index", date_from: str | None = None,
    date_to: str | None = None, source: str | None = None, per_article: bool = False,
) -> list[Hit]:
    """One-off search; loads the index each call (use `Index.load` for many queries)."""
    idx = Index.load(index_dir)
    try:
        return idx.search(query, k, date_from=date_from, date_to=date_to, source=source,
                          per_article=per_article)
    finally:
        idx.close()
