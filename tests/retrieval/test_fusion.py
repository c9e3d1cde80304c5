"""Fusion of the keyword and dense lists: what each method keeps and what it ignores."""

from __future__ import annotations

import pytest

from rag.retrieval.fusion import rrf, score_fusion


def test_score_fusion_keeps_how_much_better_the_first_keyword_hit_is():
    keyword = [(1, 30.0), (2, 3.0), (3, 2.9)]  # one clear keyword winner
    dense = [(3, 0.90), (2, 0.89), (1, 0.88)]  # dense barely prefers 3
    fused = dict(score_fusion(keyword, dense, 0.8, 0.2))
    assert fused[1] == pytest.approx(0.8)  # 0.8 * 30/30 + 0.2 * (0.88-0.88)/0.02
    assert fused[3] == pytest.approx(0.8 * 2.9 / 30 + 0.2)
    assert max(fused, key=fused.get) == 1
    # rank fusion forgets the tenfold gap: the dense leg's reversed order ties 1 with 3
    by_rank = dict(rrf([keyword, dense], (0.5, 0.5), k=1))
    assert by_rank[1] == pytest.approx(by_rank[3]) == pytest.approx(0.5 / 2 + 0.5 / 4)


def test_missing_keys_weights_and_ties():
    fused = score_fusion([(7, 2.0)], [(8, 0.5), (9, 0.1)], 0.5, 0.5)
    assert fused == [(7, 0.5), (8, 0.5), (9, 0.0)]  # ties broken by key, absent legs count 0
    assert score_fusion([(1, 1.0)], [(2, 1.0)], 1.0, 0.0) == [(1, 1.0)]  # a zero weight drops a leg
    assert score_fusion([], [(4, 0.3)], 0.8, 0.2) == [(4, 0.0)]  # one dense hit: no span
    assert score_fusion([(5, 0.0)], [], 0.8, 0.2) == [(5, 0.0)]  # a zero best BM25 is not /0


def test_rrf_adds_weighted_reciprocal_ranks():
    fused = dict(rrf([[(1, 9.0), (2, 8.0)], [(2, 0.9), (3, 0.8)]], (1.0, 2.0), k=60))
    assert fused[1] == pytest.approx(1 / 61)
    assert fused[2] == pytest.approx(1 / 62 + 2 / 61)
    assert fused[3] == pytest.approx(2 / 62)
    assert rrf([[(1, 1.0)]], (0.0,)) == []
