"""SQLite metadata store: articles and chunks of one index version.

Chunk ``row`` numbers are the FAISS and BM25 row numbers. Each chunk also keeps
its keyword tokens and the hash of the exact text that was embedded, so an
incremental build can reuse both without re-tokenising or re-embedding.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Iterable, Iterator, Sequence


from rag.types import Article, Hit

SCHEMA = """
CREATE TABLE articles (
    doc_id TEXT PRIMARY KEY, key TEXT NOT NULL, hash TEXT NOT NULL, title TEXT, date TEXT,
    source TEXT, path TEXT, url TEXT, text TEXT NOT NULL, metadata TEXT
);
CREATE TABLE chunks (
    row INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL,
    ordinal INTEGER, start INTEGER, "end" INTEGER, text TEXT NOT NULL,
    tokens TEXT NOT NULL, emb_hash TEXT NOT NULL
);
CREATE INDEX chunks_doc ON chunks(doc_id);
CREATE INDEX articles_date ON articles(date);
"""


def connect(path: Path, *, create: bool = False) -> sqlite3.Connection:
    if create:
        con = sqlite3.connect(path, check_same_thread=False)
        con.executescript(SCHEMA)
        return con
    # Read-only URI: a shared, loaded index can never be modified by a query.
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    con.execute("SELECT 1 FROM chunks LIMIT 1")
    return con


def insert_articles(con: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    con.executemany("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?)", rows)


def article_row(a: Article, doc_id: str) -> tuple:
    return (doc_id, a.key, a.hash, a.title, a.date, a.source, a.path, a.url, a.text,
            json.dumps(a.metadata, ensure_ascii=False, default=str))


def insert_chunks(con: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    con.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?)", rows)


def article_hashes(con: sqlite3.Connection) -> dict[str, str]:
    return dict(con.execute("SELECT doc_id, hash FROM articles"))


def copy_articles(src: sqlite3.Connection, dst: sqlite3.Connection, doc_ids: Sequence[str]) -> None:
    for i in range(0, len(doc_ids), 500):
        part = doc_ids[i : i + 500]
        q = f"SELECT * FROM articles WHERE doc_id IN ({','.join('?' * len(part))})"
        insert_articles(dst, src.execute(q, part))


def chunks_of(con: sqlite3.Connection, doc_ids: Sequence[str]) -> Iterator[tuple]:
    """(row, chunk_id, doc_id, ordinal, start, end, text, tokens, emb_hash) of these articles,
    read as they are consumed (an update of a large archive copies most of its passages)."""
    for i in range(0, len(doc_ids), 500):
        part = doc_ids[i : i + 500]
        q = f"SELECT * FROM chunks WHERE doc_id IN ({','.join('?' * len(part))}) ORDER BY row"
        yield from con.execute(q, part)


def hits_for_rows(con: sqlite3.Connection, scored: Sequence[tuple[int, float]]) -> list[Hit]:
    """Join scored chunk rows to their chunk and article data, keeping the order."""
    if not scored:
        return []
    rows = [r for r, _ in scored]
    q = (
        "SELECT c.row, c.chunk_id, c.doc_id, c.start, c.\"end\", c.text, a.title, a.date, "
        "a.source, a.path, a.url, a.metadata FROM chunks c JOIN articles a USING (doc_id) "
        f"WHERE c.row IN ({','.join('?' * len(rows))})"
    )
    by_row = {r[0]: r for r in con.execute(q, rows)}
    hits = []
    for row, score in scored:
        r = by_row.get(row)
        if r is None:
            continue
        meta = json.loads(r[11] or "{}")
        meta.update(path=r[9], url=r[10])
        hits.append(Hit(doc_id=r[2], chunk_id=r[1], title=r[6] or "", date=r[7], source=r[8] or "",
                        text=r[5], score=float(score), start=r[3], end=r[4], metadata=meta))
    return hits


def article_text(con: sqlite3.Connection, doc_id: str) -> str | None:
    row = con.execute("SELECT text FROM articles WHERE doc_id = ?", (doc_id,)).fetchone()
    return row[0] if row else None


def counts(con: sqlite3.Connection) -> tuple[int, int]:
    (a,) = con.execute("SELECT COUNT(*) FROM articles").fetchone()
    (c,) = con.execute("SELECT COUNT(*) FROM chunks").fetchone()
    return a, c
