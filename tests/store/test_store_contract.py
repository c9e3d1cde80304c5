"""The store contract: what build and search rely on, passed by every backend alike.

Each test runs against the index folder (FAISS + bm25s + SQLite) and a real Milvus Lite
server (`milvus_server`, tests/conftest.py), through the public API (`rag.build_index`,
`rag.Index.load`) and, where the interface itself promises something, through the
`StoreReader` (`rag.store.protocol`) an index holds. Expectations are written once,
so the backends cannot drift apart: a result that holds for one must hold for the other.
"""

from __future__ import annotations

import json
import shutil
import uuid
from contextlib import contextmanager

import pytest

from conftest import SAMPLE
from samples import SAMPLE_QUESTIONS, write_article

from rag import Config, Index, build_index
from rag.store.protocol import Filters, like_pattern

pytestmark = pytest.mark.slow


def configs(request, name: str):
    """``configs(**settings)``: a Config of the backend ``request.param``, in collection ``name``."""
    if request.param == "faiss":
        return lambda **kw: Config(store="faiss", **kw)
    server = request.getfixturevalue("milvus_server")
    return lambda **kw: server.config("contract_" + name, **kw)


@pytest.fixture(params=["faiss", "milvus"])
def store(request):
    """``store(**settings)``: a Config of this backend, in a collection of the test's own."""
    return configs(request, request.node.originalname.removeprefix("test_")[:40])


def build(paths, index_dir, config, **kw):
    return build_index(paths, index_dir, config=config, show_progress=False, **kw)


@contextmanager
def opened(index_dir, config):
    idx = Index.load(index_dir, config=config)
    try:
        yield idx
    finally:
        idx.close()


def test_the_sample_page_finds_each_answering_article_first(store, tmp_path):
    config = store()
    report = build([SAMPLE], tmp_path / "index", config)
    assert (report.added, report.chunks) == (6, report.embedded) and report.chunks >= 6
    with opened(tmp_path / "index", config) as idx:
        assert (idx.info()["articles"], idx.info()["chunks"]) == (6, report.chunks)
        for question, title in SAMPLE_QUESTIONS.items():
            for mode in ("hybrid", "dense"):
                assert idx.search(question, 3, mode=mode)[0].title == title, (question, mode)
        hits = idx.search("中央美术学院党委书记是谁", 5)
        assert len(hits) == 5
        for hit in hits:  # offsets into the stored article, which the app highlights
            assert idx.article_text(hit.doc_id)[hit.start:hit.end] == hit.text
            assert hit.source == str(SAMPLE) and hit.date is None
            assert hit.metadata["reporters"]
        assert idx.article_text("d-no-such-article") is None


def test_the_reader_keeps_its_promises(store, tmp_path):
    """Each leg best first, each chunk once; `hits` keeps the order it is given."""
    config = store()
    build([SAMPLE], tmp_path / "index", config)
    with opened(tmp_path / "index", config) as idx:
        reader, question = idx.reader, "共计596名选手参与竞赛"
        qv = idx.embedder.encode_queries([question])[0]
        from rag.text.tokenizer import tokenize

        kw, dense = reader.candidates(qv, tokenize(question), 8, Filters())
        for leg in (kw, dense):
            assert leg and len(leg) <= 8
            scores = [s for _, s in leg]
            assert scores == sorted(scores, reverse=True)
            assert len({key for key, _ in leg}) == len(leg)
        assert reader.candidates(None, tokenize(question), 8, Filters())[1] == []
        assert reader.candidates(qv, None, 8, Filters())[0] == []
        assert "596名" in reader.hits(kw)[0].text
        backwards = list(reversed(dense))
        assert [h.chunk_id for h in reader.hits(backwards)] == [
            h.chunk_id for h in reversed(reader.hits(dense))]
        assert reader.newest_date() is None  # the page has no date


FLOWERS = [
    {"id": "1", "title": "春季花展开幕", "text": "春季花展展出郁金香三万株。", "date": "2024-03-01",
     "source": "晨报"},
    {"id": "2", "title": "秋季花展开幕", "text": "秋季花展展出菊花五万株。", "date": "2024-10-01",
     "source": "晚报"},
    {"id": "3", "title": "冬季花展开幕", "text": "冬季花展展出梅花一万株。"},
    # LIKE's wildcards and escape character as plain characters of a source
    {"id": "4", "title": "夏季花展开幕", "text": "夏季花展展出荷花两万株。", "date": "2024-07-01",
     "source": "100%花讯"},
    {"id": "5", "title": "早春花展开幕", "text": "早春花展展出梅花八千株。", "date": "2024-02-01",
     "source": "花_报\\周刊"},
]


@pytest.fixture(scope="module", params=["faiss", "milvus"])
def flowers_index(request, tmp_path_factory):
    """The articles above built once per store, opened; every filter case only searches it.

    Their folder's path has no ``_``, ``%`` or ``\\`` (a source filter matches the path too;
    pytest's tmp_path carries the test's name, underscores and all)."""
    data = tmp_path_factory.getbasetemp() / f"flowers-{uuid.uuid4().hex}"
    assert not set("_%\\") & set(str(data))
    data.mkdir()
    (data / "flowers.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in FLOWERS), encoding="utf-8")
    config = configs(request, "filters")()
    index_dir = tmp_path_factory.mktemp(f"flowers-index-{request.param}")
    report = build([data], index_dir, config)
    assert (report.added, report.skipped) == (len(FLOWERS), [])
    with opened(index_dir, config) as idx:
        yield idx


@pytest.mark.parametrize("filters,titles", [
    ({}, {"春季花展开幕", "秋季花展开幕", "冬季花展开幕", "夏季花展开幕", "早春花展开幕"}),
    ({"date_from": "2024-06-01"}, {"秋季花展开幕", "夏季花展开幕"}),
    ({"date_from": "2024-10-01"}, {"秋季花展开幕"}),  # both ends included
    ({"date_to": "2024-03-01"}, {"春季花展开幕", "早春花展开幕"}),
    ({"date_from": "2024-03-01", "date_to": "2024-07-01"}, {"春季花展开幕", "夏季花展开幕"}),
    ({"date_from": "2030-01-01"}, set()),
    ({"source": "晚报"}, {"秋季花展开幕"}),
    ({"source": "报"}, {"春季花展开幕", "秋季花展开幕", "早春花展开幕"}),  # a substring
    ({"source": "flowers.jsonl"}, {t["title"] for t in FLOWERS}),  # the file's path counts too
    ({"source": "%"}, {"夏季花展开幕"}),  # a character, not "anything"
    ({"source": "100%"}, {"夏季花展开幕"}),
    ({"source": "_"}, {"早春花展开幕"}),  # a character, not "any one character"
    ({"source": "晨_"}, set()),
    ({"source": "花_报\\周"}, {"早春花展开幕"}),
    ({"source": "\\"}, {"早春花展开幕"}),
    ({"source": '晚" or source like "%'}, set()),  # quoted, never part of the expression
    ({"source": "晚报", "date_from": "2024-01-01", "date_to": "2024-12-31"}, {"秋季花展开幕"}),
    ({"source": "晚报", "date_to": "2024-06-01"}, set()),
], ids=lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else None)
def test_filters_select_the_same_articles(flowers_index, filters, titles):
    for mode in ("hybrid", "keyword", "dense"):
        assert {h.title for h in flowers_index.search("花展展出多少株花", 10, mode=mode,
                                                      **filters)} == titles, mode
    assert flowers_index.newest_date() == "2024-10-01"


def test_like_pattern_escapes_wildcards():
    assert like_pattern("晨报") == "%晨报%"
    assert like_pattern("100%_\\") == "%100\\%\\_\\\\%"


def test_incremental_add_change_delete_then_delete_everything(store, corpus, tmp_path):
    config, index_dir = store(), tmp_path / "index"
    first = build([corpus], index_dir, config)
    assert (first.added, first.updated, first.removed) == (7, 0, 0)
    assert first.embedded == first.chunks > 0
    again = build([corpus], index_dir, config)
    assert (again.added, again.unchanged, again.embedded, again.chunks) == (0, 7, 0, first.chunks)

    write_article(corpus, "library.txt", "新图书馆开放", "新图书馆藏书35万册，今天向市民开放。")
    write_article(corpus, "bridge.txt", "城南大桥今日通车",
                  "全长1280米的城南大桥今天正式通车。大桥总投资5.2亿元，历时三年建成。")
    (corpus / "page.txt").unlink()
    report = build([corpus], index_dir, config)
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 6, 0)
    assert 0 < report.embedded <= 3  # only the new and the changed article
    with opened(index_dir, config) as idx:
        assert (idx.info()["articles"], idx.info()["chunks"]) == (2, report.chunks)
        top = idx.search("大桥总投资多少钱？", 1)[0]
        assert "5.2亿元" in top.text and idx.article_text(top.doc_id).count("4.6亿元") == 0
        assert idx.search("新图书馆藏书多少册？", 1)[0].title == "新图书馆开放"
        assert {h.title for h in idx.search("劳动颂主题创作展", 10)} <= {
            "新图书馆开放", "城南大桥今日通车"}  # the page's articles are gone

    for path in corpus.iterdir():
        path.unlink()
    gone = build([corpus], index_dir, config)
    assert (gone.removed, gone.chunks, gone.embedded) == (2, 0, 0)
    with opened(index_dir, config) as idx:
        assert (idx.info()["articles"], idx.info()["chunks"]) == (0, 0)
        for mode in ("hybrid", "keyword", "dense"):
            assert idx.search("大桥总投资多少钱？", 5, mode=mode) == []
        assert idx.newest_date() is None


def test_a_changed_chunking_or_a_forced_rebuild_rechunks_everything(store, corpus, tmp_path):
    index_dir = tmp_path / "index"
    first = build([corpus], index_dir, store())
    small = store(chunk_size=200)
    rebuilt = build([corpus], index_dir, small)
    assert "chunking settings changed" in rebuilt.rebuilt_because
    # every article chunked anew; a passage whose text did not change may keep its vector
    assert (rebuilt.added + rebuilt.updated, rebuilt.removed, rebuilt.unchanged) == (7, 0, 0)
    assert rebuilt.chunks > first.chunks and rebuilt.chunks - first.chunks <= rebuilt.embedded
    assert rebuilt.embedded <= rebuilt.chunks
    forced = build([corpus], index_dir, small, rebuild=True)
    assert forced.rebuilt_because and forced.added + forced.updated == 7
    # known hashes never make a rebuild keep an article as it was: all 7 are stored anew
    assert (forced.updated, forced.unchanged) == (7, 0)
    assert forced.chunks == rebuilt.chunks
    with opened(index_dir, small) as idx:
        assert (idx.info()["articles"], idx.info()["chunks"]) == (7, forced.chunks)
        assert idx.info()["chunking"]["chunk_size"] == 200
        assert "4.6亿元" in idx.search("大桥总投资多少钱？", 3)[0].text


def test_a_rebuild_counts_the_articles_it_had_as_updated(store, corpus, tmp_path):
    build([corpus], tmp_path / "index", store())
    rebuilt = build([corpus], tmp_path / "index", store(chunk_size=200))
    assert (rebuilt.added, rebuilt.updated, rebuilt.removed, rebuilt.unchanged) == (0, 7, 0, 0)


def test_the_same_sample_gives_the_same_chunks_in_every_store(milvus_server, tmp_path):
    """Chunking and tokens are above the interface: both stores hold identical chunks."""
    shutil.copy(SAMPLE, tmp_path / "page.txt")
    chunks = {}
    for kind, config in (("faiss", Config()), ("milvus", milvus_server.config("contract_same"))):
        build([tmp_path / "page.txt"], tmp_path / kind, config)
        with opened(tmp_path / kind, config) as idx:
            chunks[kind] = {(h.chunk_id, h.start, h.end, h.text)
                            for h in idx.search("工会", 100, mode="keyword")}
    assert chunks["faiss"] == chunks["milvus"] and len(chunks["faiss"]) > 6
