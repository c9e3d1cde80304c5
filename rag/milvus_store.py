"""The Milvus store: a server or cluster instead of a local index folder.

Chunks carry their vector, their jieba tokens (Milvus computes BM25 from them,
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

import json
import logging
import os
from collections import Counter
from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import urlsplit

import grpc
import numpy as np
from pymilvus import DataType, Function, FunctionType, MilvusClient
from pymilvus.exceptions import MilvusException

from .config import Config
from .errors import IndexCorruptError, IndexNotFoundError, NewsragError
from .faiss_store import rebuild_reason
from .index_folder import FORMAT_VERSION
from .store import ChunkRow, Filters, Previous
from .types import Article, Hit, content_hash

# pymilvus logs a traceback for every failed call; ours become one-line errors.
logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
FAILURES = (MilvusException, grpc.RpcError, OSError)

CONNECT_TIMEOUT = 5.0  # seconds: an unreachable server fails fast
TIMEOUT = 10.0  # every search, get, query and small write
WRITE_TIMEOUT = 120.0  # upsert batches, flush, index creation
BATCH = 256  # rows per upsert (~1.5 MB with 512-dim vectors and tokens)
IN_BATCH = 200  # values per `in [...]` filter
PART_CHARS = 16_000  # article text per record: VARCHAR holds 65,535 bytes
MAX = 65_535
NOT_LOADED = 101  # error code of a collection released by a server restart
# pymilvus pings every 10 s; servers with gRPC's default policy (Milvus Lite) answer
# "too_many_pings" and drop the connection. Our timeouts already bound every call.
GRPC_OPTIONS = {"grpc.keepalive_time_ms": 300_000, "grpc.keepalive_permit_without_calls": False}
HNSW = {"M": 16, "efConstruction": 200}
EF = 64  # HNSW search breadth (at least the number of candidates)


def chunk_key(chunk_id: str) -> int:
    """The chunk's INT64 primary key: 63 bits of a hash of its id (stable across builds)."""
    return int(content_hash(chunk_id)[:16], 16) >> 1


class _Milvus:
    """One client and its collection names; turns every failure into a NewsragError."""

    def __init__(self, config: Config, hint: str):
        parts = urlsplit(config.milvus_uri)  # never show the user:password@ of a URI
        self.uri = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        self.names = {k: f"{config.milvus_collection}_{k}" for k in ("chunks", "articles", "manifest")}
        self.hint = hint
        self._secret = os.environ.get("NEWSRAG_MILVUS_TOKEN") or os.environ.get("MILVUS_TOKEN") or ""
        try:
            self.client = MilvusClient(uri=config.milvus_uri, token=self._secret,
                                       timeout=CONNECT_TIMEOUT, grpc_options=GRPC_OPTIONS)
        except FAILURES as exc:
            raise self._error("connecting", exc) from None

    def _error(self, what: str, exc: Exception) -> NewsragError:
        if isinstance(exc, grpc.RpcError) and callable(getattr(exc, "code", None)):
            reason = f"{exc.code().name}: {exc.details()}"  # e.g. DEADLINE_EXCEEDED: a hung server
        else:
            reason = getattr(exc, "message", "") or str(exc) or exc.__class__.__name__
        if self._secret:
            reason = reason.replace(self._secret, "***")
        reason = " ".join(reason.split())[:300]
        return NewsragError(f"Milvus at {self.uri}: {what} failed ({reason}); {self.hint}")

    def __call__(self, method: str, kind: str | None = None, timeout: float | None = None, **kw):
        args, timeout = ([self.names[kind]] if kind else []), timeout or TIMEOUT
        fn = getattr(self.client, method)
        try:
            try:
                return fn(*args, timeout=timeout, **kw)
            except MilvusException as exc:
                if not kind or exc.code != NOT_LOADED:
                    raise
                self.client.load_collection(args[0], timeout=WRITE_TIMEOUT)
                return fn(*args, timeout=timeout, **kw)
        except FAILURES as exc:
            raise self._error(f"{method} {args[0] if args else ''}".strip(), exc) from None

    def scan(self, kind: str, filter: str, fields: list[str]) -> Iterator[dict]:
        """All matching rows, paged (a plain query is capped at 16,384 rows)."""
        it = self("query_iterator", kind, batch_size=2000, filter=filter, output_fields=fields)
        try:
            while batch := it.next():
                yield from batch
        except FAILURES as exc:
            raise self._error(f"reading {self.names[kind]}", exc) from None
        finally:
            it.close()

    def manifest(self) -> dict | None:
        if not self("has_collection", "manifest"):
            return None
        rows = self("get", "manifest", ids=["manifest"], output_fields=["data"])
        return dict(rows[0]["data"]) if rows else None

    def put_manifest(self, manifest: dict) -> None:
        self("upsert", "manifest", data=[{"name": "manifest", "data": manifest, "v": [0.0, 0.0]}])
        self("flush", "manifest", timeout=WRITE_TIMEOUT)

    def upsert(self, kind: str, rows: Iterable[dict]) -> None:
        """In acknowledged batches: a lost connection loses at most the batch in flight."""
        rows = iter(rows)
        while batch := list(islice(rows, BATCH)):
            self("upsert", kind, WRITE_TIMEOUT, data=batch)

    def drop_all(self) -> None:
        for kind in self.names:
            if self("has_collection", kind):
                self("drop_collection", kind)

    def create_missing(self, dim: int) -> None:
        """Create the collections (with their indexes) that do not exist yet."""
        for kind in self.names:
            if self("has_collection", kind):
                self("load_collection", kind, WRITE_TIMEOUT)
                continue
            # Milvus has a "whitespace" tokenizer; Milvus Lite only "standard", which
            # splits the space-joined tokens the same way (\w+; on Milvus it would cut
            # Chinese into single characters, hence not first).
            for tokenizer in ("whitespace", "standard"):
                schema, index = _schema(kind, dim, tokenizer)
                try:
                    self("create_collection", kind, WRITE_TIMEOUT, schema=schema, index_params=index)
                    break
                except NewsragError as exc:
                    if tokenizer == "standard" or "tokenizer" not in str(exc):
                        raise


_TEXT = {"datatype": DataType.VARCHAR, "max_length": MAX}
_ID = {"datatype": DataType.VARCHAR, "max_length": 128}
_INT = {"datatype": DataType.INT64}
_ARTICLE = {"title": _TEXT, "date": {**_TEXT, "max_length": 10, "nullable": True}, "source": _TEXT,
            "path": _TEXT, "url": _TEXT, "metadata": {"datatype": DataType.JSON}}
_FIELDS = {
    "chunks": {"pk": {**_INT, "is_primary": True}, "chunk_id": _ID, "doc_id": _ID, "doc_hash": _ID,
               "emb_hash": _ID, "ordinal": _INT, "char_start": _INT, "char_end": _INT,
               "text": _TEXT, "tokens": {**_TEXT, "enable_analyzer": True},
               "sparse": {"datatype": DataType.SPARSE_FLOAT_VECTOR}, **_ARTICLE},
    # article text is split into parts of PART_CHARS; part 0 carries hash and fields
    "articles": {"pk": {**_ID, "is_primary": True}, "doc_id": _ID, "hash": _ID, "part": _INT,
                 "n_chunks": _INT, "key": _TEXT, "text": _TEXT, **_ARTICLE},
    "manifest": {"name": {**_ID, "is_primary": True}, "data": {"datatype": DataType.JSON}},
}
HIT_FIELDS = ["chunk_id", "doc_id", "char_start", "char_end", "text", *_ARTICLE]


def _schema(kind: str, dim: int, tokenizer: str):
    s = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    ix = MilvusClient.prepare_index_params()
    for name, spec in _FIELDS[kind].items():
        extra = {"analyzer_params": {"tokenizer": tokenizer}} if name == "tokens" else {}
        s.add_field(name, **spec, **extra)
    if kind == "chunks":
        s.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        s.add_function(Function(name="bm25", function_type=FunctionType.BM25,
                                input_field_names=["tokens"], output_field_names=["sparse"]))
        ix.add_index("vector", index_type="HNSW", metric_type="IP", params=HNSW)
        ix.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                     params={"bm25_k1": 1.2, "bm25_b": 0.75})  # bm25s' defaults
        ix.add_index("emb_hash", index_type="INVERTED")
    else:  # Milvus wants a vector field in every collection
        s.add_field("v", DataType.FLOAT_VECTOR, dim=2)
        ix.add_index("v", index_type="FLAT", metric_type="L2")
    if kind != "manifest":
        ix.add_index("doc_id", index_type="INVERTED")
    return s, ix


def _lit(value: str) -> str:
    """A string literal for a filter expression (user text cannot break out of it)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _in(field: str, values: list[str]) -> str:
    return f"{field} in [{', '.join(map(_lit, values))}]"


def _batches(items: list, n: int = IN_BATCH) -> Iterator[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _article_fields(a: Article | None) -> dict:
    if a is None:
        return {"title": "", "date": None, "source": "", "path": "", "url": "", "metadata": {}}
    meta = json.loads(json.dumps(a.metadata, ensure_ascii=False, default=str))
    return {"title": a.title or "", "date": a.date, "source": a.source or "",
            "path": a.path or "", "url": a.url or "", "metadata": meta}


def _article_rows(a: Article, n_chunks: int) -> list[dict]:
    """Part 0 holds the hash and fields, later parts only text; part 0 comes last."""
    texts = [a.text[i:i + PART_CHARS] for i in range(0, len(a.text), PART_CHARS)] or [""]
    rows = [{"pk": f"{a.doc_id}/{i}", "doc_id": a.doc_id, "part": i, "text": t, "hash": "",
             "key": "", "n_chunks": 0, "v": [0.0, 0.0], **_article_fields(None)}
            for i, t in enumerate(texts)]
    rows[0].update(hash=a.hash, key=a.key, n_chunks=n_chunks, **_article_fields(a))
    return rows[1:] + rows[:1]


class MilvusWriter:
    def __init__(self, index_dir: Path, config: Config):
        self.db = _Milvus(config, "the build stopped: run it again once Milvus is reachable; "
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
        reason = rebuild_reason(manifest, config, rebuild)
        if reason:  # dropped at commit time, so searches keep working while embedding
            self.reset = True
            return Previous(manifest=manifest, rebuild_reason=reason)
        self.db.create_missing(int(manifest["dim"]))
        self.counts, self.newest = manifest.get("counts"), manifest.get("newest_date")
        records = {r["doc_id"]: r for r in self.db.scan(
            "articles", "part == 0", ["doc_id", "hash", "path", "n_chunks", "date"])}
        self.stored = set(records)
        if not manifest.get("complete"):  # an interrupted commit: trust complete articles only
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

    def cached_vectors(self, emb_hashes: list[str]) -> dict[str, np.ndarray]:
        if self.reset or not self.stored:
            return {}
        out: dict[str, np.ndarray] = {}
        for part in _batches(sorted(set(emb_hashes))):
            for r in self.db("query", "chunks", filter=_in("emb_hash", part),
                             output_fields=["emb_hash", "vector"]):
                out[r["emb_hash"]] = np.asarray(r["vector"], dtype=np.float32)
        return out

    def commit(self, *, keep: list[str], articles: list[Article], chunks: list[ChunkRow],
               vectors: np.ndarray, manifest: dict) -> int:
        db = self.db
        if self.reset:
            db.drop_all()
        db.create_missing(int(manifest["dim"]))
        pending = {**manifest, "complete": False}
        if self.counts and not self.reset:  # readers keep showing the last complete state
            pending.update(counts=self.counts, newest_date=self.newest)
        db.put_manifest(pending)
        docs = {a.doc_id: a for a in articles}
        fields = {d: _article_fields(a) for d, a in docs.items()}
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(chunks), int(manifest["dim"]))
        db.upsert("chunks", (
            {"pk": chunk_key(c.chunk_id), "chunk_id": c.chunk_id, "doc_id": c.doc_id,
             "doc_hash": docs[c.doc_id].hash, "ordinal": c.ordinal, "char_start": c.start,
             "char_end": c.end, "text": c.text, "tokens": c.tokens, "emb_hash": c.emb_hash,
             "vector": v.tolist(), **fields[c.doc_id]}
            for c, v in zip(chunks, vectors)))
        per_doc = Counter(c.doc_id for c in chunks)
        new_rows = [r for a in articles for r in _article_rows(a, per_doc.get(a.doc_id, 0))]
        self._delete_stale("chunks", list(docs), {chunk_key(c.chunk_id) for c in chunks})
        db.upsert("articles", sorted(new_rows, key=lambda r: r["part"] == 0))
        self._delete_stale("articles", list(docs), {r["pk"] for r in new_rows})
        gone = sorted(self.stored - set(keep) - set(docs))
        for kind in ("chunks", "articles"):  # chunks first: a record outlives its chunks
            for part in _batches(gone):
                db("delete", kind, WRITE_TIMEOUT, filter=_in("doc_id", part))
        for kind in ("chunks", "articles"):
            db("flush", kind, WRITE_TIMEOUT)
        n_chunks = sum(self.n_chunks.get(d, 0) for d in keep) + len(chunks)
        dates = [self.dates[d] for d in keep if d in self.dates] + [a.date for a in articles if a.date]
        db.put_manifest({**manifest, "complete": True, "newest_date": max(dates, default=None),
                         "counts": {"articles": len(set(keep) | set(docs)), "chunks": n_chunks},
                         "milvus": {"dense": f"HNSW M={HNSW['M']}", "keyword": "BM25 on jieba tokens"}})
        return n_chunks

    def _delete_stale(self, kind: str, doc_ids: list[str], wanted: set) -> None:
        """Rows of these articles left from an older version (e.g. an article got shorter)."""
        for part in _batches(doc_ids):
            stale = [r["pk"] for r in self.db.scan(kind, _in("doc_id", part), ["pk"])
                     if r["pk"] not in wanted]
            for ids in _batches(stale, 1000):
                self.db("delete", kind, WRITE_TIMEOUT, ids=ids)

    def close(self) -> None:
        self.db.client.close()


class MilvusReader:
    def __init__(self, index_dir: Path, config: Config):
        self.db = _Milvus(config, "check that the Milvus server is running and reachable "
                                  "(--milvus-uri / NEWSRAG_MILVUS_URI)")
        manifest = self.db.manifest()
        where = f"Milvus collection {config.milvus_collection!r} at {self.db.uri}"
        if manifest is None or "counts" not in manifest:
            state = "no index" if manifest is None else "no finished build"
            raise IndexNotFoundError(f"{state} in {where}: build one with `newsrag build data/ "
                                     f"--store milvus --milvus-uri {self.db.uri}`")
        fmt = manifest.get("format_version")
        if not isinstance(fmt, int) or fmt > FORMAT_VERSION:
            raise IndexCorruptError(f"{where} has index format {fmt!r}, newer than this newsrag "
                                    "understands: upgrade newsrag or rebuild with --rebuild")
        self.manifest = manifest
        for kind in ("chunks", "articles"):
            self.db("load_collection", kind, WRITE_TIMEOUT)

    def candidates(self, query_vec, tokens, n, filters: Filters):
        expr = _filter(filters)
        kw = dense = []
        if tokens:
            kw = self._search([" ".join(tokens)], "sparse", n, expr, {"metric_type": "BM25"})
        if query_vec is not None:
            dense = self._search([np.asarray(query_vec, dtype=np.float32).tolist()], "vector", n,
                                 expr, {"metric_type": "IP", "params": {"ef": max(EF, n)}})
        return kw, dense

    def _search(self, data, field, n, expr, params) -> list[tuple[int, float]]:
        res = self.db("search", "chunks", data=data, anns_field=field, limit=n, filter=expr,
                      output_fields=["pk"], search_params=params)
        # Milvus Lite returns BM25 scores negated; fusion wants them positive, best first.
        sign = -1.0 if field == "sparse" and res[0] and res[0][0]["distance"] < 0 else 1.0
        return [(int(h["pk"]), sign * float(h["distance"])) for h in res[0]]

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
        return out

    def newest_date(self) -> str | None:
        """Kept in the manifest at commit time: Milvus has no MAX() query."""
        return self.manifest.get("newest_date")

    def article_text(self, doc_id: str) -> str | None:
        rows = self.db("query", "articles", filter=f"doc_id == {_lit(doc_id)}",
                       output_fields=["part", "text"])
        return "".join(r["text"] for r in sorted(rows, key=lambda r: r["part"])) if rows else None

    def close(self) -> None:
        self.db.client.close()


def _filter(f: Filters) -> str:
    """Filters as a Milvus expression; articles without a date fail a date filter (NULL)."""
    parts = []
    if f.date_from:
        parts.append(f"date >= {_lit(f.date_from)}")
    if f.date_to:
        parts.append(f"date <= {_lit(f.date_to)}")
    if f.source:
        like = _lit(f"%{f.source}%")
        parts.append(f"(source like {like} or path like {like} or url like {like})")
    return " and ".join(parts)
