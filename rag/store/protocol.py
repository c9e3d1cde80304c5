"""The storage interface: what build and search need from a backend.

Two implementations: the FAISS index folder (`rag.store.folder_store`, the default)
and Milvus (`rag.store.milvus_store`), chosen by ``Config.store.kind``. Everything above
this interface — reading, chunking, tokenising, embedding with reuse and
checkpoints, diffing by content hash, fusion, answers, the app — is the same
code for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, Protocol

import numpy as np

from rag.config import Config
from rag.store.manifest import Manifest
from rag.types import Article, Hit


class ChunkRow(NamedTuple):
    """A chunk as stored: text, offsets, keyword tokens and the hash of what was embedded."""

    chunk_id: str
    doc_id: str
    ordinal: int
    start: int
    end: int
    text: str
    tokens: str  # space-joined jieba tokens (title context included)
    emb_hash: str


@dataclass(frozen=True)
class Filters:
    date_from: str | None = None
    date_to: str | None = None
    source: str | None = None

    def __bool__(self) -> bool:
        return bool(self.date_from or self.date_to or self.source)


def like_pattern(source: str) -> str:
    """A LIKE pattern matching ``source`` as a plain substring, for SQLite (with
    ``ESCAPE '\\'``) and Milvus alike: ``%``, ``_`` and ``\\`` in it are characters, not
    wildcards — ``source='%'`` must match a "%" in a source, not every article."""
    escaped = source.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def unique_hits(hits: list[Hit]) -> list[Hit]:
    """Hits without repeated chunks, first (best) kept: a store holding a chunk twice
    (Milvus after a server killed mid-commit) must never show it twice."""
    seen: set[str] = set()
    out = []
    for h in hits:
        if h.chunk_id not in seen:
            seen.add(h.chunk_id)
            out.append(h)
    return out


@dataclass
class Previous:
    """What a build starts from: the stored articles, or why it starts from nothing."""

    manifest: Manifest | None = None
    hashes: dict[str, str] = field(default_factory=dict)  # doc_id -> content hash
    paths: dict[str, str] = field(default_factory=dict)  # doc_id -> file it came from
    rebuild_reason: str | None = None


class StoreWriter(Protocol):
    def open(self, config: Config, rebuild: bool) -> Previous: ...

    def cached_vectors(self, emb_hashes: list[str]) -> dict[str, np.ndarray]: ...

    def commit(self, *, keep: list[str], articles: list[Article], chunks: list[ChunkRow],
               vectors: np.ndarray, manifest: Manifest) -> int:
        """Store the new state (kept + new articles); returns the number of chunks.

        The writer owns ``articles`` and ``chunks`` from here: it may empty the lists once
        they are stored (the FAISS folder does, so a 200,000-passage build does not hold
        its texts while FAISS and BM25 are made)."""

    def close(self) -> None: ...


class StoreReader(Protocol):
    manifest: Manifest

    def candidates(self, query_vec: np.ndarray | None, tokens: list[str] | None, n: int,
                   filters: Filters) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        """(keyword list, dense list) of (chunk key, score), best first, each chunk once;
        a leg not asked is []. ``filters`` are checked already (`rag.params`)."""

    def hits(self, scored: list[tuple[int, float]]) -> list[Hit]:
        """The hits of these keys, in order, each chunk once (`unique_hits`)."""

    def article_text(self, doc_id: str) -> str | None: ...

    def newest_date(self) -> str | None:
        """The newest article date: "today" for relative dates in questions."""

    def close(self) -> None: ...


def open_writer(index_dir: Path, config: Config) -> StoreWriter:
    if config.store.kind == "milvus":
        from rag.store.milvus_store import MilvusWriter

        return MilvusWriter(index_dir, config)
    from rag.store.folder_store import FaissWriter

    return FaissWriter(index_dir)


def open_reader(index_dir: Path, config: Config) -> StoreReader:
    if config.store.kind == "milvus":
        from rag.store.milvus_store import MilvusReader

        return MilvusReader(index_dir, config)
    from rag.store.folder_store import FaissReader

    return FaissReader(index_dir)
