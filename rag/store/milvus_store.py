"""The Milvus store: a server or cluster instead of a local index folder.

Chunks carry their vector, their keyword terms (jieba words and character bigrams: Milvus computes BM25 from them,
so keyword search behaves like the FAISS store's bm25s) and a copy of their
article's fields, so date/source filters run inside both searches and a hit
needs one lookup. Milvus has no atomic publish, so a commit is made
restartable instead: keys derive from chunk ids (upserts are idempotent),
chunks carry their article's content hash, article records follow their
chunks, and the manifest record is marked incomplete first, complete last.
Every call has a timeout; every failure is a `NewsragError` naming the server,
never the token. Design, limits and measurements: docs/scaling.md.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from rag.config import Config
from rag.errors import IndexCorruptError, IndexNotFoundError
from rag.store.manifest import FORMAT_VERSION, Manifest
from rag.store.milvus_client import (
    EF,
    HIT_FIELDS,
    HNSW,
    WRITE_TIMEOUT,
    Milvus,
    article_fields,
    article_rows,
    batches,
    chunk_key,
    filter_expr,
    in_expr,
    literal,
)
from rag.store.protocol import ChunkRow, Filters, Previous, unique_hits
from rag.text.tokenizer import document_terms
from rag.types import Article, Hit


class MilvusWriter:
    def __init__(self, index_dir: Path, config: Config):
        self.db = Milvus(config, "the build stopped: run it again once Milvus is reachable; "
                                  "it resumes without duplicates or re-embedding stored chunks")
        self.reset = False
        self.stored: set[str] = set()  # every doc_id with a record or a chunk
        self.n_chunks: dict[str, int] = {}
        self.counts: dict | None = None
        self.newest: str | None = None
        self.dates: dict[str, str] = {}  # doc_id -> date of the stored articles

    def open(self, config: Config, rebuild: bool) -> Previous:
        manifest = self.db.manifest()
        if manifest is None:  # nothing usable: leftovers of a first build that never committed
            self.reset = True
            return Previous()
        reason = manifest.rebuild_reason(config, rebuild)
        if reason:  # dropped at commit time, so searches keep working while embedding
            self.reset = True
            return Previous(manifest, self._stored_hashes(), {}, reason)
        self.db.create_missing(manifest.dim)
        self.counts, self.newest = manifest.counts, manifest.newest_date
        records = {r["doc_id"]: r for r in self.db.scan(
            "articles", "part == 0", ["doc_id", "hash", "path", "n_chunks", "date"])}
        self.stored = set(records)
        if not manifest.complete:  # an interrupted commit: trust complete articles only
            present = Counter((r["doc_id"], r["doc_hash"])
                              for r in self.db.scan("chunks", "", ["doc_id", "doc_hash"]))
            self.stored.update(d for d, _ in present)
            for r in records.values():  # "" never matches: redone, reported as updated
                if present.get((r["doc_id"], r["hash"]), 0) != r["n_chunks"]:
                    r["hash"] = ""
        self.n_chunks = {d: int(r["n_chunks"]) for d, r in records.items()}
        self.dates = {d: r["date"] for d, r in records.items() if r["date"]}
        return Previous(manifest, {d: r["hash"] for d, r in records.items()},
                        {d: r["path"] for d, r in records.items() if r["hash"]})

    def _stored_hashes(self) -> dict[str, str]:
        """doc_id -> content hash of the stored articles. A rebuild redoes every article
        anyway (nothing is kept, no vector reused, the collections are dropped at commit);
        these only let its report count the articles it had as updated, not added, as the
        folder store does with its manifest's list."""
        if not self.db("has_collection", "articles"):
            return {}
        return {r["doc_id"]: r["hash"] for r in self.db.scan("articles", "part == 0",
                                                             ["doc_id", "hash"])}

    def cached_vectors(self, emb_hashes: list[str]) -> dict[str, np.ndarray]:
        if self.reset or not self.stored:
            return {}
        out: dict[str, np.ndarray] = {}
        for part in batches(sorted(set(emb_hashes))):
            for r in self.db("query", "chunks", filter=in_expr("emb_hash", part),
                             output_fields=["emb_hash", "vector"]):
                out[r["emb_hash"]] = np.asarray(r["vector"], dtype=np.float32)
        return out

    def commit(self, *, keep: list[str], articles: list[Article], chunks: list[ChunkRow],
               vectors: np.ndarray, manifest: Manifest) -> int:
        db = self.db
        if self.reset:
            db.drop_all()
        db.create_missing(manifest.dim)
        pending = manifest.committed(complete=False)
        if self.counts and not self.reset:  # readers keep showing the last complete state
            pending = pending.committed(counts=self.counts, newest_date=self.newest)
        db.put_manifest(pending)
        docs = {a.doc_id: a for a in articles}
        fields = {d: article_fields(a) for d, a in docs.items()}
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(chunks), manifest.dim)
        db.upsert("chunks", (
            {"pk": chunk_key(c.chunk_id), "chunk_id": c.chunk_id, "doc_id": c.doc_id,
             "doc_hash": docs[c.doc_id].hash, "ordinal": c.ordinal, "char_start": c.start,
             "char_end": c.end, "text": c.text, "emb_hash": c.emb_hash,
             "tokens": " ".join(document_terms(c.tokens, docs[c.doc_id].title or "", c.text)),
             "vector": v.tolist(), **fields[c.doc_id]}
            for c, v in zip(chunks, vectors)))
        per_doc = Counter(c.doc_id for c in chunks)
        new_rows = [r for a in articles for r in article_rows(a, per_doc.get(a.doc_id, 0))]
        self._delete_stale("chunks", list(docs), {chunk_key(c.chunk_id) for c in chunks})
        db.upsert("articles", sorted(new_rows, key=lambda r: r["part"] == 0))
        self._delete_stale("articles", list(docs), {r["pk"] for r in new_rows})
        gone = sorted(self.stored - set(keep) - set(docs))
        for kind in ("chunks", "articles"):  # chunks first: a record outlives its chunks
            for part in batches(gone):
                db("delete", kind, WRITE_TIMEOUT, filter=in_expr("doc_id", part))
        for kind in ("chunks", "articles"):
            db("flush", kind, WRITE_TIMEOUT)
        n_chunks = sum(self.n_chunks.get(d, 0) for d in keep) + len(chunks)
        dates = [self.dates[d] for d in keep if d in self.dates] + [a.date for a in articles if a.date]
        db.put_manifest(manifest.committed(
            complete=True, newest_date=max(dates, default=None),
            counts={"articles": len(set(keep) | set(docs)), "chunks": n_chunks},
            milvus={"dense": f"HNSW M={HNSW['M']}", "keyword": "BM25 on jieba words and character bigrams"}))
        return n_chunks

    def _delete_stale(self, kind: str, doc_ids: list[str], wanted: set) -> None:
        """Rows of these articles left from an older version (e.g. an article got shorter)."""
        for part in batches(doc_ids):
            stale = [r["pk"] for r in self.db.scan(kind, in_expr("doc_id", part), ["pk"])
                     if r["pk"] not in wanted]
            for ids in batches(stale, 1000):
                self.db("delete", kind, WRITE_TIMEOUT, ids=ids)

    def close(self) -> None:
        self.db.client.close()


class MilvusReader:
    def __init__(self, index_dir: Path, config: Config):
        self.db = Milvus(config, "check that the Milvus server is running and reachable "
                                  "(--milvus-uri / NEWSRAG_MILVUS_URI)")
        manifest = self.db.manifest()
        where = f"Milvus collection {config.store.milvus_collection!r} at {self.db.uri}"
        if manifest is None or manifest.counts is None:
            state = "no index" if manifest is None else "no finished build"
            raise IndexNotFoundError(f"{state} in {where}: build one with `newsrag build data/ "
                                     f"--store milvus --milvus-uri {self.db.uri}`")
        fmt = manifest.format_version
        if not isinstance(fmt, int) or fmt > FORMAT_VERSION:
            raise IndexCorruptError(f"{where} has index format {fmt!r}, newer than this newsrag "
                                    "understands: upgrade newsrag or rebuild with --rebuild")
        self.manifest = manifest
        for kind in ("chunks", "articles"):
            self.db("load_collection", kind, WRITE_TIMEOUT)

    def candidates(self, query_vec, tokens, n, filters: Filters):
        expr = filter_expr(filters)
        kw = dense = []
        if tokens:
            kw = self._search([" ".join(tokens)], "sparse", n, expr, {"metric_type": "BM25"})
        if query_vec is not None:
            dense = self._search([np.asarray(query_vec, dtype=np.float32).tolist()], "vector", n,
                                 expr, {"metric_type": "IP", "params": {"ef": max(EF, n)}})
        return kw, dense

    def _search(self, data, field, n, expr, params) -> list[tuple[int, float]]:
        """(key, score) best first, each chunk once: a server killed mid-commit can hold a
        chunk twice until the next build, and fusion would count it twice."""
        res = self.db("search", "chunks", data=data, anns_field=field, limit=n, filter=expr,
                      output_fields=["pk", "chunk_id"], search_params=params)
        # Milvus Lite returns BM25 scores negated; fusion wants them positive, best first.
        sign = -1.0 if field == "sparse" and res[0] and res[0][0]["distance"] < 0 else 1.0
        out, seen = [], set()
        for h in res[0]:
            chunk_id = (h.get("entity") or {}).get("chunk_id") or h["pk"]
            if chunk_id not in seen:
                seen.add(chunk_id)
                out.append((int(h["pk"]), sign * float(h["distance"])))
        return out

    def hits(self, scored: list[tuple[int, float]]) -> list[Hit]:
        if not scored:
            return []
        rows = self.db("get", "chunks", ids=[k for k, _ in scored], output_fields=HIT_FIELDS)
        by_key = {r["pk"]: r for r in rows}
        out = []
        for key, score in scored:
            if (r := by_key.get(key)) is None:
                continue
            meta = {**(r["metadata"] or {}), "path": r["path"], "url": r["url"]}
            out.append(Hit(doc_id=r["doc_id"], chunk_id=r["chunk_id"], title=r["title"] or "",
                           date=r["date"], source=r["source"] or "", text=r["text"],
                           score=float(score), start=r["char_start"], end=r["char_end"],
                           metadata=meta))
        return unique_hits(out)

    def newest_date(self) -> str | None:
        """Kept in the manifest at commit time: Milvus has no MAX() query."""
        return self.manifest.newest_date

    def article_text(self, doc_id: str) -> str | None:
        rows = self.db("query", "articles", filter=f"doc_id == {literal(doc_id)}",
                       output_fields=["part", "text"])
        return "".join(r["text"] for r in sorted(rows, key=lambda r: r["part"])) if rows else None

    def close(self) -> None:
        self.db.client.close()
