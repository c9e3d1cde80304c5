"""Searching the sample page from Python: the right article comes first."""

from __future__ import annotations

import pytest

from rag import Index, build_index, search
from samples import SAMPLE_QUESTIONS

pytestmark = pytest.mark.slow

@pytest.mark.parametrize("question,title", SAMPLE_QUESTIONS.items())
def test_top_hit_is_the_right_article(loaded_index, question, title):
    hits = loaded_index.search(question, 3)
    assert hits[0].title == title


def test_hits_carry_offsets_into_the_article(loaded_index):
    for hit in loaded_index.search("中央美术学院党委书记是谁", 5):
        article = loaded_index.article_text(hit.doc_id)
        assert article[hit.start:hit.end] == hit.text
        assert hit.chunk_id.startswith(hit.doc_id)
        assert hit.metadata["reporters"]
        assert hit.date is None  # the sample page has no date; none is invented


def test_per_article_returns_distinct_articles(loaded_index):
    hits = loaded_index.search("工会", 6, per_article=True)
    assert len({h.doc_id for h in hits}) == len(hits) == 6


def test_each_leg_alone_and_fused(loaded_index):
    q = "共计596名选手参与竞赛"
    for mode in ("keyword", "dense", "hybrid"):
        assert loaded_index.search(q, 1, mode=mode)[0].title == SAMPLE_QUESTIONS[
            "数字经济职业技能竞赛有多少名选手参加？"]


def test_empty_and_overlong_queries(loaded_index):
    for bad in ("", "   \n"):
        with pytest.raises(ValueError, match="empty"):
            loaded_index.search(bad)
    with pytest.warns(UserWarning, match="truncated"):
        hits = loaded_index.search("展览作品" * 400, 2)
    assert hits


def test_date_and_source_filters(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.jsonl").write_text(
        '{"id": "1", "title": "春季花展开幕", "text": "春季花展展出郁金香三万株。", "date": "2024-03-01", "source": "晨报"}\n'
        '{"id": "2", "title": "秋季花展开幕", "text": "秋季花展展出菊花五万株。", "date": "2024-10-01", "source": "晚报"}\n',
        encoding="utf-8")
    build_index([data], tmp_path / "index", show_progress=False)
    idx = Index.load(tmp_path / "index")
    assert {h.title for h in idx.search("花展展出多少株花", 5)} == {"春季花展开幕", "秋季花展开幕"}
    only = idx.search("花展展出多少株花", 5, date_from="2024-06-01")
    assert [h.title for h in only] == ["秋季花展开幕"] and only[0].date == "2024-10-01"
    assert [h.title for h in idx.search("花展", 5, date_to="2024-06-01")] == ["春季花展开幕"]
    assert [h.source for h in idx.search("花展", 5, source="晚报")] == ["晚报"]
    assert idx.search("花展", 5, date_from="2030-01-01") == []


def test_module_level_search(sample_index):
    hits = search("八里庄街道培训班有多少人参加", k=2, index_dir=sample_index)
    assert "100余名" in hits[0].text
