"""The default store: a versioned index folder (FAISS + bm25s + SQLite).

A commit writes a complete new version into a staging folder and publishes it
atomically (see `rag.store.folder_versions`); readers only ever open a published
version, read-only. Chunk keys are row numbers shared by FAISS, BM25 and the
chunk table.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
from itertools import chain
from pathlib import Path
from typing import Iterator

import numpy as np

from rag.store import bm25_keywords, faiss_vectors, folder_versions, heap, sqlite_records, vector_file
from rag.config import Config
from rag.errors import IndexCorruptError, NewsragError
from rag.store.manifest import Manifest
from rag.store.protocol import ChunkRow, Filters, Previous, like_pattern, unique_hits
from rag.text.tokenizer import document_terms
from rag.types import Article, Hit


class FaissWriter:
    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        self.con: sqlite3.Connection | None = None
        self.vectors: np.ndarray | None = None

    def open(self, config: Config, rebuild: bool) -> Previous:
        """The live version to update, or why a full rebuild is needed instead."""
        if folder_versions.current_version(self.index_dir) is None:
            return Previous()
        try:
            folder, manifest = folder_versions.read_manifest(self.index_dir)
        except NewsragError as exc:
            return Previous(rebuild_reason=f"the previous index could not be read ({exc})")
        reason = manifest.rebuild_reason(config, rebuild)
        if rebuild or manifest.model != config.embedding.model:
            return Previous(manifest, dict(manifest.articles or {}), {}, reason)
        try:
            self.con = sqlite_records.connect(folder / "meta.sqlite")
            self.vectors = np.load(folder / "vectors.npy", mmap_mode="r")
            paths = dict(self.con.execute("SELECT doc_id, path FROM articles"))
            hashes = sqlite_records.article_hashes(self.con)
        except (sqlite3.Error, OSError, ValueError) as exc:
            self.close()
            return Previous(manifest=manifest, rebuild_reason=f"the previous index is damaged ({exc})")
        # On a chunking change everything is re-chunked, but vectors of identical
        # embedded text (same model: the hash covers it) stay valid and are reused.
        return Previous(manifest, hashes, paths, reason)

    def cached_vectors(self, emb_hashes: list[str]) -> dict[str, np.ndarray]:
        if not self.con:
            return {}
        wanted, out = set(emb_hashes), {}
        for row, h in self.con.execute("SELECT row, emb_hash FROM chunks"):
            if h in wanted and h not in out:
                out[h] = np.asarray(self.vectors[row], dtype=np.float32)
        return out

    def commit(self, *, keep: list[str], articles: list[Article], chunks: list[ChunkRow],
               vectors: np.ndarray, manifest: Manifest) -> int:
        """Write the new version beside the live one and publish it.

        Rows go into SQLite, ``articles`` and ``chunks`` are emptied once there, and BM25
        reads its terms back from SQLite, so a large build holds no copy of its passages
        while its indexes are made; vectors (kept articles' first) go block by block into
        ``vectors.npy`` and FAISS (`rag.store.vector_file`), so only FAISS's own copy is
        ever resident.
        """
        staging = folder_versions.new_staging(self.index_dir)
        try:
            con = sqlite_records.connect(staging / "meta.sqlite", create=True)
            old_rows: list[int] = []  # the kept chunks' rows in the live version, in order

            def kept_chunks() -> Iterator[tuple]:
                for r in sqlite_records.chunks_of(self.con, keep) if self.con and keep else ():
                    old_rows.append(r[0])
                    yield r[1:]

            if self.con and keep:
                sqlite_records.copy_articles(self.con, con, keep)
            # each row is dropped as soon as it is stored (see StoreWriter.commit): binding
            # a string gives it a cached UTF-8 copy, which would otherwise live on with it
            sqlite_records.insert_articles(con, (sqlite_records.article_row(a, a.doc_id)
                                                 for a in _drained(articles)))
            sqlite_records.insert_chunks(con, ((i,) + tuple(r) for i, r in enumerate(
                chain(kept_chunks(), _drained(chunks)))))
            con.commit()
            heap.trim()
            n_articles, n_chunks = sqlite_records.counts(con)
            hashes = sqlite_records.article_hashes(con)
            kept = [(self.vectors, old_rows)] if old_rows else []
            vectors = vector_file.save(staging / "vectors.npy",
                                       kept + [(np.asarray(vectors).reshape(-1, manifest.dim), None)],
                                       manifest.dim)
            factory, nprobe = faiss_vectors.choose_factory(len(vectors), manifest.approx_threshold)
            faiss_vectors.save(faiss_vectors.build(vectors, factory, nprobe), staging / "dense.faiss")
            del vectors
            heap.trim()
            bm25_keywords.save(bm25_keywords.build(_StoredTerms(con)), staging / "bm25")
            con.close()
            manifest = manifest.committed(faiss={"factory": factory, "nprobe": nprobe},
                                          counts={"articles": n_articles, "chunks": n_chunks},
                                          articles=dict(sorted(hashes.items())))
            folder_versions.publish(self.index_dir, staging, manifest)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return n_chunks

    def close(self) -> None:
        if self.con:
            self.con.close()
            self.con = None


def _drained(items: list) -> Iterator:
    """The items of ``items`` in order, each let go of by the list once handed out; the
    list is empty at the end."""
    for i in range(len(items)):
        item, items[i] = items[i], None
        yield item
    items.clear()


class _StoredTerms:
    """The keyword terms of every stored chunk in row order, read from SQLite afresh on
    each iteration (the BM25 build reads them twice and never holds them all)."""

    def __init__(self, con: sqlite3.Connection):
        self.con = con

    def __iter__(self):
        for tokens, title, text in self.con.execute(
                "SELECT c.tokens, a.title, c.text FROM chunks c JOIN articles a USING (doc_id) "
                "ORDER BY c.row"):
            yield document_terms(tokens, title or "", text)


class FaissReader:
    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        self.version, self.manifest = folder_versions.read_manifest(index_dir)
        self._lock = threading.Lock()
        try:
            self._con = sqlite_records.connect(self.version / "meta.sqlite")
            self._dense = faiss_vectors.load(self.version / "dense.faiss",
                                           self.manifest.faiss["nprobe"])
            self._vectors = np.load(self.version / "vectors.npy", mmap_mode="r")
            self._bm25 = bm25_keywords.load(self.version / "bm25")
            self.n_chunks = int(self.manifest.counts["chunks"])
        except (sqlite3.Error, RuntimeError, OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexCorruptError(
                f"the index in {index_dir} is damaged ({exc.__class__.__name__}: {exc}); "
                f"rebuild with `newsrag build PATHS --index {index_dir} --rebuild`"
            ) from None
        if not self._dense.ntotal == len(self._vectors) == self.n_chunks:
            raise IndexCorruptError(
                f"the index in {index_dir} is damaged (FAISS holds {self._dense.ntotal} vectors, "
                f"vectors.npy {len(self._vectors)}, the metadata {self.n_chunks} chunks); "
                "rebuild with --rebuild"
            )

    def candidates(self, query_vec, tokens, n, filters: Filters):
        allowed = None
        if filters:
            with self._lock:
                allowed = filtered_rows(self._con, filters)
        kw = bm25_keywords.search(self._bm25, tokens, n, self.n_chunks, allowed) if tokens else []
        dense = (faiss_vectors.search(self._dense, query_vec, n, allowed, vectors=self._vectors)
                 if query_vec is not None else [])
        return kw, dense

    def hits(self, scored: list[tuple[int, float]]) -> list[Hit]:
        with self._lock:
            return unique_hits(sqlite_records.hits_for_rows(self._con, scored))

    def article_text(self, doc_id: str) -> str | None:
        with self._lock:
            return sqlite_records.article_text(self._con, doc_id)

    def newest_date(self) -> str | None:
        with self._lock:
            return self._con.execute("SELECT MAX(date) FROM articles").fetchone()[0]

    def close(self) -> None:
        self._con.close()


def filtered_rows(con: sqlite3.Connection, f: Filters) -> np.ndarray:
    """Chunk rows whose article passes the filters; an undated article fails a date filter.

    The source is a plain substring of source, path or URL (`like_pattern` escapes
    LIKE's wildcards; ASCII letters match in either case, as SQLite's LIKE does)."""
    where, args = [], []
    if f.date_from:
        where.append("a.date >= ?")
        args.append(f.date_from)
    if f.date_to:
        where.append("a.date <= ?")
        args.append(f.date_to)
    if f.source:
        like = "LIKE ? ESCAPE '\\'"
        where.append(f"(a.source {like} OR a.path {like} OR a.url {like})")
        args += [like_pattern(f.source)] * 3
    q = "SELECT c.row FROM chunks c JOIN articles a USING (doc_id) WHERE " + " AND ".join(where)
    return np.fromiter((r for (r,) in con.execute(q, args)), dtype=np.int64)
