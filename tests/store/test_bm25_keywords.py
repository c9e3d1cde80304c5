"""The BM25 side of an index folder (bm25s): ranking, filters, empty corpora, save and load."""

from __future__ import annotations

import numpy as np
import pytest

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


def test_the_two_pass_matrix_scores_exactly_as_bm25s_own_indexing():
    """The matrix is built here (memory: see the module doc); its scores must be bit for
    bit those of bm25s indexing the same token lists itself, saved and loaded too."""
    import random

    import bm25s

    rng = random.Random(0)
    words = ["大桥", "通车", "作品", "展览", "亿元", "开放", "城南", "总投资", "图书馆", "x"]
    docs = DOCS + [["大桥", "大桥", "通车"], ["作品"] * 7 + ["展览"]] + [
        [rng.choice(words) for _ in range(rng.randint(0, 40))] for _ in range(300)]
    own = bm25s.BM25(k1=1.2, b=0.75)
    own.index(docs, show_progress=False)
    ours = bm25_keywords.build([" ".join(d) for d in docs])  # as stored: space-joined
    for query in (["大桥"], ["作品", "大桥"], ["开放", "月球"], ["展览", "通车", "亿元", "x"]):
        assert np.array_equal(ours.get_scores(query), own.get_scores(query)), query
    with pytest.raises(TypeError, match="twice"):
        bm25_keywords.build(" ".join(d) for d in docs)  # a generator cannot be read twice
