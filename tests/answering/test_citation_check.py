"""The citation check on real passages of the sample page (real embedder, real jieba)."""

from __future__ import annotations

import pytest

from rag.answering.citation_check import check_answer, claims
from rag.answering.events import REFUSAL
from rag.answering.markers import Renumberer, renumber
from rag.text.sentences import numbers

EXHIBITION = "“劳动颂——首都职工纪念改革开放45周年主题创作展”开放日活动举办"


# ---------------------------------------------------------------- pure text handling
def test_out_of_range_numbers_removed_and_rest_renumbered_by_first_use():
    text, order = renumber("甲。[7] 乙。[2] 丙。[1][2] 丁。[0]", 2)
    assert text == "甲。 乙。[1] 丙。[2][1] 丁。"
    assert order == [1, 0]  # new [1] = second passage, new [2] = first


def test_marker_variants_are_normalised():
    text, order = renumber("甲【2】乙[1,3]丙[^3]丁[1、1]", 3)
    assert text == "甲[1]乙[2][3]丙[3]丁[2]"
    assert order == [1, 0, 2]


def test_renumbering_works_across_stream_pieces():
    r = Renumberer(5)
    pieces = ["据了解，共展出70件作品。[", "3", "]其中[1", "2]27件来自央美。[", "1]"]
    out = "".join(r.feed(p) for p in pieces) + r.flush()
    assert out == "据了解，共展出70件作品。[1]其中27件来自央美。[2]"
    assert r.order == [2, 0]


def test_claims_attach_markers_after_the_full_stop_to_their_sentence():
    cs = claims("展览共展出70件作品。[1]其中27件来自中央美术学院[2]，43件来自太庙艺术馆[1]。没有来源的一句。")
    assert [(c.text, c.numbers) for c in cs] == [
        ("展览共展出70件作品。", [1]),
        ("其中27件来自中央美术学院", [2]),
        ("43件来自太庙艺术馆", [1]),
        ("没有来源的一句。", []),
    ]


def test_numbers_ignore_thousands_separators():
    assert numbers("交付1,313,851辆，增长6.4%，第07名") == {"1313851", "6.4", "7"}


# ---------------------------------------------------------------- the check (real model)
@pytest.fixture(scope="module")
def hits(loaded_index):
    """[exhibition passage with 70件, warmth-fund passage with the dates]."""
    a = loaded_index.search("本次展览共展出多少件作品？", 1)[0]
    b = loaded_index.search("温暖基金会爱心互助行动活动时间", 1)[0]
    assert "70件" in a.text and "2023年12月22日" in b.text
    return [a, b]


@pytest.mark.slow
def test_correct_citation_is_supported_with_quote_offsets(hits, loaded_index):
    r = check_answer("本次展览共展出70件作品。[1]", hits, loaded_index.embedder)
    (c,) = r.citations
    assert c.supported and c.reason == "" and c.hit.title == EXHIBITION
    assert "70件作品" in c.quote
    article = loaded_index.article_text(c.hit.doc_id)
    assert article[c.quote_start : c.quote_end] == c.quote
    assert r.flags == []


@pytest.mark.slow
def test_wrong_passage_cited_is_unsupported(hits, loaded_index):
    r = check_answer("本次展览共展出70件作品。[2]", hits, loaded_index.embedder)
    assert r.text == "本次展览共展出70件作品。[1]"  # renumbered: the only source is now [1]
    (c,) = r.citations
    assert c.hit is hits[1] and not c.supported
    assert "70" in c.reason
    assert r.flags == []  # 70 is in a retrieved passage, just not the cited one


@pytest.mark.slow
def test_reworded_sentence_without_numbers_needs_matching_content(hits, loaded_index):
    ok = check_answer("温暖基金会的活动在元旦春节期间开展。[2]", hits, loaded_index.embedder)
    assert ok.citations[0].supported
    bad = check_answer("温暖基金会的活动在元旦春节期间开展。[1]", hits, loaded_index.embedder)
    assert not bad.citations[0].supported and bad.citations[0].reason


@pytest.mark.slow
def test_invented_number_is_flagged_and_unsupported(hits, loaded_index):
    r = check_answer("本次展览共展出95件作品。[1]", hits, loaded_index.embedder)
    assert not r.citations[0].supported and "95" in r.citations[0].reason
    assert len(r.flags) == 1 and "95" in r.flags[0]


@pytest.mark.slow
def test_invented_name_is_flagged(hits, loaded_index):
    r = check_answer("展览由王建国策划，共展出70件作品。[1]", hits, loaded_index.embedder)
    assert any("王建国" in f for f in r.flags)
    assert not r.citations[0].supported


@pytest.mark.slow
def test_two_sources_for_one_sentence_each_carry_a_part(hits, loaded_index):
    r = check_answer("展览共展出70件作品，温暖基金会活动从2023年12月22日开始。[1][2]", hits,
                     loaded_index.embedder)
    assert [c.supported for c in r.citations] == [True, True]


@pytest.mark.slow
def test_refusal_text_is_not_checked(hits, loaded_index):
    r = check_answer(REFUSAL, hits, loaded_index.embedder)
    assert r.citations == [] and r.flags == []
