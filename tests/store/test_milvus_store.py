"""The Milvus store against a real `milvus-lite server` process over gRPC: what only Milvus
can do (duplicates after a crash, a server lost mid-build or hung); what every store does
is in test_store_contract.

The server (`milvus_server`, tests/conftest.py) is shared by the session; each test uses its
own collection prefix. Tests that stop the server start it again on the same port and
data dir, as an operator would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE, MilvusServer, free_port, need  # noqa: E402

need("pymilvus", "the Milvus store")
need("milvus_lite", "the Milvus Lite test server")
from samples import write_article  # noqa: E402
from samples import SAMPLE_QUESTIONS  # noqa: E402
from rag import Config, Index, build_index  # noqa: E402
from rag.build import _chunk  # noqa: E402
from rag.errors import IndexNotFoundError, NewsragError  # noqa: E402
from rag.ingest.readers import read_paths  # noqa: E402

pytestmark = pytest.mark.slow


def count(srv: MilvusServer, name: str) -> tuple[int, int]:
    """(rows, distinct chunk ids) in a chunks collection, straight from the server."""
    from pymilvus import MilvusClient

    client = MilvusClient(uri=srv.uri, timeout=5)
    try:
        client.load_collection(f"{name}_chunks")
        (n,) = client.query(f"{name}_chunks", filter="", output_fields=["count(*)"])
        ids = {r["chunk_id"] for r in client.query(f"{name}_chunks", filter="", limit=10_000,
                                                   output_fields=["chunk_id"])}
        return n["count(*)"], len(ids)
    finally:
        client.close()


def expected_chunks(folder: Path, config: Config) -> int:
    """What the FAISS store holds for the same data: every chunk of every article."""
    return len(_chunk(read_paths([folder])[0], config)[0])




def add_extras(folder: Path, n: int) -> None:
    sentences = SAMPLE.read_text(encoding="utf-8").replace("\n", "").split("。")
    for i in range(n):
        body = "。".join(f"第{i}篇第{j}句：{s}" for j, s in enumerate(sentences[i:i + 12])) + "。"
        write_article(folder, f"extra{i:02d}.txt", f"增补稿件第{i}号", body)


def test_sample_gives_the_same_top_articles_as_faiss(milvus_server, loaded_index, tmp_path):
    config = milvus_server.config("sample")
    report = build_index([SAMPLE], tmp_path / "index", config=config, show_progress=False)
    idx = Index.load(tmp_path / "index", config=config)
    try:
        faiss_info = loaded_index.info()
        assert idx.info()["articles"] == faiss_info["articles"]
        assert idx.info()["chunks"] == faiss_info["chunks"] == report.chunks
        assert count(milvus_server, "sample") == (report.chunks, report.chunks)
        for question, title in SAMPLE_QUESTIONS.items():
            hits = idx.search(question, 3)
            assert hits[0].title == title == loaded_index.search(question, 3)[0].title
        for mode in ("keyword", "dense"):
            assert [h.chunk_id for h in idx.search("共计596名选手参与竞赛", 5, mode=mode)] == [
                h.chunk_id for h in loaded_index.search("共计596名选手参与竞赛", 5, mode=mode)]
        for hit in idx.search("中央美术学院党委书记是谁", 5):
            assert idx.article_text(hit.doc_id)[hit.start:hit.end] == hit.text
            assert hit.metadata["reporters"] and hit.date is None
    finally:
        idx.close()


def test_incremental_add_change_delete_and_rebuild(milvus_server, corpus, tmp_path):
    config, index_dir = milvus_server.config("incr"), tmp_path / "index"
    first = build_index([corpus], index_dir, config=config, show_progress=False)
    assert (first.added, first.updated, first.removed) == (7, 0, 0)
    assert first.embedded == first.chunks > 0
    again = build_index([corpus], index_dir, config=config, show_progress=False)
    assert again.embedded == 0 and again.unchanged == 7 and again.added == 0

    write_article(corpus, "library.txt", "新图书馆开放", "新图书馆藏书35万册，今天向市民开放。")
    write_article(corpus, "bridge.txt", "城南大桥今日通车",
                  "全长1280米的城南大桥今天正式通车。大桥总投资5.2亿元，历时三年建成。")
    (corpus / "page.txt").unlink()
    report = build_index([corpus], index_dir, config=config, show_progress=False)
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 6, 0)
    assert 0 < report.embedded <= 3
    assert count(milvus_server, "incr") == (report.chunks, report.chunks) == (
        expected_chunks(corpus, config),) * 2
    idx = Index.load(index_dir, config=config)
    assert idx.info()["articles"] == 2
    top = idx.search("大桥总投资多少钱？", 1)[0]
    assert "5.2亿元" in top.text and "4.6亿元" not in top.text
    idx.close()

    small = milvus_server.config("incr", chunk_size=200)
    rebuilt = build_index([corpus], index_dir, config=small, show_progress=False)
    assert "chunking settings changed" in rebuilt.rebuilt_because
    assert rebuilt.embedded == rebuilt.chunks == count(milvus_server, "incr")[0]


def test_a_chunk_stored_twice_is_returned_once(milvus_server, tmp_path):
    """A server killed mid-commit can hold a chunk twice until the next build; searches
    must never show it twice (nor count it twice in fusion). The copy is inserted
    straight into the server, under another primary key (Milvus Lite keeps one row per key)."""
    from pymilvus import MilvusClient

    from rag.store.milvus_client import _FIELDS
    from rag.store.protocol import Filters

    config = milvus_server.config("dups")
    build_index([SAMPLE], tmp_path / "index", config=config, show_progress=False)
    client = MilvusClient(uri=milvus_server.uri, timeout=5)
    fields = [f for f in _FIELDS["chunks"] if f != "sparse"] + ["vector"]
    row = client.query("dups_chunks", filter='chunk_id like "%-0001"', limit=1,
                       output_fields=fields)[0]
    client.insert("dups_chunks", [{**row, "pk": row["pk"] ^ 1}])
    client.flush("dups_chunks")
    raw = client.search("dups_chunks", data=[row["vector"]], anns_field="vector", limit=10,
                        output_fields=["chunk_id"])[0]
    client.close()
    assert [h["entity"]["chunk_id"] for h in raw].count(row["chunk_id"]) == 2  # the server has both

    idx = Index.load(tmp_path / "index", config=config)
    try:
        tokens = row["tokens"].split(" ")
        kw, dense = idx.reader.candidates(row["vector"], tokens, 20, Filters())
        for leg in (kw, dense):
            ids = [h.chunk_id for h in idx.reader.hits(leg)]
            assert row["chunk_id"] in ids and len(ids) == len(set(ids)) == len(leg)
        both = idx.reader.hits([(row["pk"], 2.0), (row["pk"] ^ 1, 1.0)])
        assert [h.chunk_id for h in both] == [row["chunk_id"]]
        for mode in ("hybrid", "keyword", "dense"):
            ids = [h.chunk_id for h in idx.search(row["text"], 10, mode=mode)]
            assert row["chunk_id"] in ids and len(ids) == len(set(ids))
    finally:
        idx.close()


@pytest.mark.extended
def test_connection_lost_mid_commit_resumes_without_duplicates(milvus_server, corpus, tmp_path,
                                                                monkeypatch):
    from rag.store import milvus_client
    from rag.store import milvus_store

    config, index_dir = milvus_server.config("midcommit"), tmp_path / "index"
    build_index([corpus], index_dir, config=config, show_progress=False)
    add_extras(corpus, 12)
    write_article(corpus, "bridge.txt", "城南大桥今日通车", "大桥总投资5.2亿元，历时三年建成。")
    monkeypatch.setattr(milvus_client, "BATCH", 8)
    real_call, upserts = milvus_store.Milvus.__call__, []

    def flaky(self, method, kind=None, *args, **kw):
        if method == "upsert" and kind == "chunks":
            upserts.append(1)
            if len(upserts) == 3:
                raise self._error("upsert", ConnectionError("connection reset"))
        return real_call(self, method, kind, *args, **kw)

    monkeypatch.setattr(milvus_store.Milvus, "__call__", flaky)
    with pytest.raises(NewsragError, match="build stopped"):
        build_index([corpus], index_dir, config=config, show_progress=False)
    monkeypatch.setattr(milvus_store.Milvus, "__call__", real_call)

    resumed = build_index([corpus], index_dir, config=config, show_progress=False)
    assert (resumed.added, resumed.updated) == (12, 1)
    assert resumed.embedded == 0  # vectors from Milvus and the build's checkpoints
    assert count(milvus_server, "midcommit") == (resumed.chunks,) * 2
    assert resumed.chunks == expected_chunks(corpus, config)
    idx = Index.load(index_dir, config=config)
    assert "5.2亿元" in idx.search("大桥总投资多少钱？", 1)[0].text
    idx.close()


@pytest.mark.extended
def test_server_killed_during_build_then_build_resumes(milvus_server, corpus, tmp_path):
    """A real `newsrag build` process whose Milvus dies (kill -9) mid-build."""
    config, index_dir = milvus_server.config("killed"), tmp_path / "index"
    build_index([corpus], index_dir, config=config, show_progress=False)
    add_extras(corpus, 12)
    env = {**os.environ, "NEWSRAG_BATCH_SIZE": "2", "NEWSRAG_THREADS": "1",
           "NEWSRAG_STORE": "milvus", "NEWSRAG_MILVUS_URI": milvus_server.uri,
           "NEWSRAG_MILVUS_COLLECTION": "killed"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli.main", "build", str(corpus), "--index", str(index_dir), "--quiet"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not list((index_dir / ".embcache").glob("*/part-*.npz")):
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    milvus_server.stop(signal.SIGKILL)
    try:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 1
        assert f"Milvus at {milvus_server.uri}" in err and "build stopped" in err
        assert "Traceback" not in err
    finally:
        milvus_server.start()
    resumed = build_index([corpus], index_dir, config=config, show_progress=False)
    assert resumed.added == 12 and resumed.embedded == 0  # every batch was checkpointed
    assert count(milvus_server, "killed") == (resumed.chunks,) * 2
    assert resumed.chunks == expected_chunks(corpus, config)


def test_unreachable_server_is_a_quick_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSRAG_MILVUS_TOKEN", "s3cret-token")
    uri = f"http://admin:pw123@127.0.0.1:{free_port()}"
    config = Config(store="milvus", milvus_uri=uri)
    for attempt in (lambda: Index.load(tmp_path, config=config),
                    lambda: build_index([SAMPLE], tmp_path / "i", config=config,
                                        show_progress=False)):
        t = time.time()
        with pytest.raises(NewsragError, match=r"Milvus at http://127\.0\.0\.1:\d+") as err:
            attempt()
        assert time.time() - t < 10
        assert "s3cret" not in str(err.value) and "pw123" not in str(err.value)


def test_search_while_server_down_or_hung_is_a_quick_clear_error(milvus_server, tmp_path,
                                                                   monkeypatch):
    from rag.store import milvus_client

    config = milvus_server.config("down")
    with pytest.raises(IndexNotFoundError, match="no index"):
        Index.load(tmp_path, config=config)
    build_index([SAMPLE], tmp_path / "index", config=config, show_progress=False)
    idx = Index.load(tmp_path / "index", config=config)
    monkeypatch.setattr(milvus_client, "TIMEOUT", 2.0)
    milvus_server.proc.send_signal(signal.SIGSTOP)  # hung: the call times out
    t = time.time()
    try:
        with pytest.raises(NewsragError, match="DEADLINE_EXCEEDED"):
            idx.search("本次展览共展出多少件作品？", 3)
    finally:
        milvus_server.proc.send_signal(signal.SIGCONT)
    assert time.time() - t < 6
    milvus_server.stop()  # gone: the connection is refused
    try:
        t = time.time()
        with pytest.raises(NewsragError, match=f"Milvus at {milvus_server.uri}.*running"):
            idx.search("本次展览共展出多少件作品？", 3)
        assert time.time() - t < 10
    finally:
        milvus_server.start()
    deadline = time.time() + 30  # the client reconnects by itself; collections are reloaded
    while True:
        try:
            assert idx.search("本次展览共展出多少件作品？", 3)[0].title.startswith("“劳动颂")
            break
        except NewsragError:
            if time.time() > deadline:
                raise
            time.sleep(0.5)
    idx.close()
