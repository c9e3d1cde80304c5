"""The citation check's logic in the fast tier: hand-built passages, the fake encoder.

The same judgements as test_citation_check (real model, real index) — numbers, names,
word overlap, two sources, refusals, quote offsets — decided here without m3e-small:
what makes a citation supported must not hinge on which model is loaded.
"""

from __future__ import annotations

import pytest

from fake_encoder import FakeEncoder
from sample_passages import article, passage

from rag.answering.citation_check import check_answer
from rag.answering.events import REFUSAL


@pytest.fixture
def hits():
    """[exhibition paragraph with 70件, warmth-fund paragraph with the dates]."""
    return [passage("本次展览共展出70件作品"), passage("2023年12月22日")]


def test_a_sentence_from_the_passage_is_supported_with_a_quote_in_the_article(hits):
    r = check_answer("本次展览共展出70件作品。[1]", hits, FakeEncoder())
    (c,) = r.citations
    assert (c.supported, c.reason, c.hit, r.flags) == (True, "", hits[0], [])
    assert c.quote.startswith("据了解，本次展览共展出70件作品")
    assert article(c.hit.doc_id).text[c.quote_start:c.quote_end] == c.quote


def test_the_wrong_passage_is_unsupported_and_renumbered(hits):
    r = check_answer("本次展览共展出70件作品。[2]", hits, FakeEncoder())
    assert r.text == "本次展览共展出70件作品。[1]"  # the only source is now [1]
    (c,) = r.citations
    assert c.hit is hits[1] and not c.supported and "70" in c.reason
    assert r.flags == []  # 70 is in a retrieved passage, only not in the cited one


def test_a_reworded_sentence_needs_the_passage_to_say_it(hits):
    encoder = FakeEncoder()
    ok = check_answer("温暖基金会的活动在元旦春节期间开展。[2]", hits, encoder)
    assert ok.citations[0].supported
    assert any(kind == "passage" for kind, _ in encoder.calls)  # not verbatim: embedded
    bad = check_answer("温暖基金会的活动在元旦春节期间开展。[1]", hits, encoder)
    assert not bad.citations[0].supported and "不符" in bad.citations[0].reason


@pytest.mark.parametrize("claim,invented,reason", [
    ("本次展览共展出95件作品。[1]", "95", "没有数字 95"),
    ("展览由王建国策划，共展出70件作品。[1]", "王建国", "没有提到 王建国"),
])
def test_an_invented_number_or_name_is_flagged_and_unsupported(hits, claim, invented, reason):
    r = check_answer(claim, hits, FakeEncoder())
    assert not r.citations[0].supported and reason in r.citations[0].reason
    assert len(r.flags) == 1 and invented in r.flags[0]


def test_two_sources_for_one_sentence_each_carry_a_part(hits):
    r = check_answer("展览共展出70件作品，温暖基金会活动从2023年12月22日开始。[1][2]", hits,
                     FakeEncoder())
    assert [(c.number, c.supported) for c in r.citations] == [(1, True), (2, True)]
    assert "70件" in r.citations[0].quote and "2023年12月22日" in r.citations[1].quote


def test_a_refusal_and_out_of_range_markers_cite_nothing(hits):
    assert check_answer(REFUSAL, hits, FakeEncoder()).citations == []
    r = check_answer("本次展览共展出70件作品。[7]", hits, FakeEncoder())
    assert (r.text, r.citations) == ("本次展览共展出70件作品。", [])


def test_the_fake_encoder_is_deterministic_and_graded():
    enc = FakeEncoder()
    a, b, c = enc.encode_passages(["本次展览共展出70件作品。", "展览共展出70件作品", "台风明天登陆。"])
    assert (enc.encode_queries(["本次展览共展出70件作品。"])[0] == a).all()
    assert abs(float(a @ a) - 1.0) < 1e-6 and float(a @ b) > 0.8 > 0.2 > float(a @ c)
