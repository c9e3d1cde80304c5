"""The SQLite records of an index version: articles, chunks and their join into hits."""

from __future__ import annotations

import sqlite3

import pytest

from rag.store import sqlite_records as records
from rag.types import Article

BRIDGE = Article(key="bridge.txt#0", text="全长1280米的城南大桥今天正式通车。大桥总投资4.6亿元。",
                 title="城南大桥今日通车", date="2024-05-01", source="晨报", path="/data/bridge.txt",
                 url="https://example.com/bridge", metadata={"reporters": ["王明"]})
LIBRARY = Article(key="library.txt#0", text="新图书馆藏书35万册，今天向市民开放。", title="新图书馆开放",
                  source="晚报", path="/data/library.txt")


def chunk_rows(article: Article, first_row: int, cuts: list[tuple[int, int]]) -> list[tuple]:
    return [(first_row + i, f"{article.doc_id}-{i:04d}", article.doc_id, i, a, b,
             article.text[a:b], "词 语", f"h{first_row + i}") for i, (a, b) in enumerate(cuts)]


@pytest.fixture
def db(tmp_path):
    con = records.connect(tmp_path / "meta.sqlite", create=True)
    records.insert_articles(con, [records.article_row(a, a.doc_id) for a in (BRIDGE, LIBRARY)])
    records.insert_chunks(con, chunk_rows(BRIDGE, 0, [(0, 19), (19, 30)]))
    records.insert_chunks(con, chunk_rows(LIBRARY, 2, [(0, 19)]))
    con.commit()
    con.close()
    return tmp_path / "meta.sqlite"


def test_hits_join_chunks_to_their_article_in_the_order_asked(db):
    con = records.connect(db)
    hits = records.hits_for_rows(con, [(2, 0.9), (1, 0.5), (99, 0.4), (0, 0.1)])
    assert [(h.chunk_id, h.score) for h in hits] == [
        (f"{LIBRARY.doc_id}-0000", 0.9), (f"{BRIDGE.doc_id}-0001", 0.5),
        (f"{BRIDGE.doc_id}-0000", 0.1)]  # row 99 does not exist: dropped, not an error
    second = hits[1]
    assert (second.title, second.date, second.source) == ("城南大桥今日通车", "2024-05-01", "晨报")
    assert BRIDGE.text[second.start:second.end] == second.text == "大桥总投资4.6亿元。"
    assert second.metadata == {"reporters": ["王明"], "path": "/data/bridge.txt",
                               "url": "https://example.com/bridge"}
    assert hits[0].date is None and hits[0].metadata["url"] == ""
    assert records.hits_for_rows(con, []) == []


def test_article_lookups_and_counts(db):
    con = records.connect(db)
    assert records.article_text(con, BRIDGE.doc_id) == BRIDGE.text
    assert records.article_text(con, "d-missing") is None
    assert records.article_hashes(con) == {BRIDGE.doc_id: BRIDGE.hash, LIBRARY.doc_id: LIBRARY.hash}
    assert records.counts(con) == (2, 3)
    rows = list(records.chunks_of(con, [LIBRARY.doc_id, BRIDGE.doc_id]))
    assert [r[0] for r in rows] == [0, 1, 2]  # by row, whatever the order asked
    assert rows[0][7:] == ("词 语", "h0")  # tokens and embedded-text hash, kept for reuse
    assert list(records.chunks_of(con, [])) == []


def test_copy_carries_articles_to_the_next_version_in_batches(db, tmp_path):
    src = records.connect(db)
    dst = records.connect(tmp_path / "next.sqlite", create=True)
    many = [f"d-nothing-{i}" for i in range(1200)] + [BRIDGE.doc_id]  # over the 500 per query
    records.copy_articles(src, dst, many)
    assert records.article_hashes(dst) == {BRIDGE.doc_id: BRIDGE.hash}
    assert len(list(records.chunks_of(src, many))) == 2


def test_a_loaded_version_is_read_only(db):
    con = records.connect(db)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        con.execute("DELETE FROM chunks")
    assert records.counts(con) == (2, 3)


def test_a_file_without_the_tables_is_refused(tmp_path):
    sqlite3.connect(tmp_path / "other.sqlite").execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        records.connect(tmp_path / "other.sqlite")
