"""The BM25 side of an index folder (bm25s): ranking, filters, empty corpora, save and load."""

from __future__ import annotations

import numpy as np

from rag.store import bm25_keywords
from rag.text.tokenizer import tokenize

DOCS = [
    ["城南", "大桥", "今天", "通车"],
    ["大桥", "总投资", "亿元"],
    ["图书馆", "藏书", "开放"],
    ["展览", "展出", "作品"],
    [],  # a chunk with no keyword tokens (all punctuation)
]


def test_rows_that_hold_the_words_rank_by_bm25():
    bm = bm25_keywords.build(DOCS)
    got = bm25_keywords.search(bm, ["大桥", "总投资"], 10, len(DOCS))
    assert [r for r, _ in got] == [1, 0]  # both words beat one; no score for the rest
    assert got[0][1] > got[1][1] > 0
    assert bm25_keywords.search(bm, ["月球"], 10, len(DOCS)) == []
    assert bm25_keywords.search(bm, [], 10, len(DOCS)) == []
    assert bm25_keywords.search(bm, ["大桥"], 0, len(DOCS)) == []
    assert [r for r, _ in bm25_keywords.search(bm, ["大桥", "总投资"], 1, len(DOCS))] == [1]


def test_allowed_rows_restrict_the_result():
    bm = bm25_keywords.build(DOCS)
    assert [r for r, _ in bm25_keywords.search(bm, ["大桥"], 10, len(DOCS), np.array([0, 2]))] == [0]
    assert bm25_keywords.search(bm, ["大桥"], 10, len(DOCS), np.array([], dtype=np.int64)) == []


def test_a_corpus_without_words_is_searchable_and_finds_nothing():
    for docs in ([], [[]], [[], []]):
        bm = bm25_keywords.build(docs)
        assert bm25_keywords.search(bm, ["大桥"], 5, len(docs)) == []
    # the placeholder a wordless corpus is built with is not a word any query has
    assert "\x00" not in "".join(tokenize("城南\x00大桥"))


def test_saved_and_loaded_gives_the_same_scores(tmp_path):
    bm = bm25_keywords.build(DOCS)
    bm25_keywords.save(bm, tmp_path / "bm25")
    loaded = bm25_keywords.load(tmp_path / "bm25")
    for words in (["大桥"], ["图书馆", "开放"], ["展览", "大桥", "作品"]):
        assert bm25_keywords.search(loaded, words, 5, len(DOCS)) == bm25_keywords.search(
            bm, words, 5, len(DOCS))
