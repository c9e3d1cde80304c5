"""Talking to Milvus: one client with timeouts and one-line errors, the collection
schemas, and the filter expressions. :mod:`rag.store.milvus_store` builds the store on it.
"""

from __future__ import annotations

import json
import logging
from itertools import islice
from typing import Iterable, Iterator
from urllib.parse import urlsplit

import grpc
from pymilvus import DataType, Function, FunctionType, MilvusClient
from pymilvus.exceptions import MilvusException

from rag.config import Config
from rag.errors import IndexCorruptError, NewsragError
from rag.store.manifest import Manifest
from rag.store.protocol import Filters, like_pattern
from rag.types import Article, content_hash

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


class Milvus:
    """One client and its collection names; turns every failure into a NewsragError."""

    def __init__(self, config: Config, hint: str):
        parts = urlsplit(config.store.milvus_uri)  # never show the user:password@ of a URI
        self.uri = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        self.names = {k: f"{config.store.milvus_collection}_{k}" for k in ("chunks", "articles", "manifest")}
        self.hint = hint
        self._secret = config.store.milvus_token
        try:
            self.client = MilvusClient(uri=config.store.milvus_uri, token=self._secret,
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

    def manifest(self) -> Manifest | None:
        if not self("has_collection", "manifest"):
            return None
        rows = self("get", "manifest", ids=["manifest"], output_fields=["data"])
        if not rows:
            return None
        try:
            return Manifest.from_dict(dict(rows[0]["data"]))
        except ValueError as exc:
            raise IndexCorruptError(f"Milvus at {self.uri}: the manifest of "
                                    f"{self.names['manifest']} is damaged ({exc}); "
                                    "rebuild with --rebuild") from None

    def put_manifest(self, manifest: Manifest) -> None:
        self("upsert", "manifest", data=[{"name": "manifest", "data": manifest.to_dict(),
                                          "v": [0.0, 0.0]}])
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


def literal(value: str) -> str:
    """A string literal for a filter expression (user text cannot break out of it)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def in_expr(field: str, values: list[str]) -> str:
    return f"{field} in [{', '.join(map(literal, values))}]"


def batches(items: list, n: int = IN_BATCH) -> Iterator[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def article_fields(a: Article | None) -> dict:
    if a is None:
        return {"title": "", "date": None, "source": "", "path": "", "url": "", "metadata": {}}
    meta = json.loads(json.dumps(a.metadata, ensure_ascii=False, default=str))
    return {"title": a.title or "", "date": a.date, "source": a.source or "",
            "path": a.path or "", "url": a.url or "", "metadata": meta}


def article_rows(a: Article, n_chunks: int) -> list[dict]:
    """Part 0 holds the hash and fields, later parts only text; part 0 comes last."""
    texts = [a.text[i:i + PART_CHARS] for i in range(0, len(a.text), PART_CHARS)] or [""]
    rows = [{"pk": f"{a.doc_id}/{i}", "doc_id": a.doc_id, "part": i, "text": t, "hash": "",
             "key": "", "n_chunks": 0, "v": [0.0, 0.0], **article_fields(None)}
            for i, t in enumerate(texts)]
    rows[0].update(hash=a.hash, key=a.key, n_chunks=n_chunks, **article_fields(a))
    return rows[1:] + rows[:1]


def filter_expr(f: Filters) -> str:
    """Filters as a Milvus expression; articles without a date fail a date filter (NULL)."""
    parts = []
    if f.date_from:
        parts.append(f"date >= {literal(f.date_from)}")
    if f.date_to:
        parts.append(f"date <= {literal(f.date_to)}")
    if f.source:  # a plain substring, as in the FAISS store: % and _ escaped
        like = literal(like_pattern(f.source))
        parts.append(f"(source like {like} or path like {like} or url like {like})")
    return " and ".join(parts)
