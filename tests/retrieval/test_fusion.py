"""Fusion of the keyword and dense lists: what each method keeps and what it ignores."""

from __future__ import annotations

import pytest

from rag.retrieval.fusion import cosine_fusion, rrf, score_fusion


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


def test_cosine_fusion_keeps_the_models_own_distances():
    """Min-max scaling stretches any dense list over 0..1: candidates 0.004 apart in cosine
    (all about as close in meaning) count as far apart as candidates 0.2 apart. A fixed
    window keeps the gap: the near tie stays a near tie, the wide gap decides."""
    keyword = [(1, 10.0), (2, 9.0)]  # the keyword leg slightly prefers 1
    near = [(2, 0.904), (1, 0.900)]  # meaning barely prefers 2
    far = [(2, 0.90), (1, 0.70)]  # meaning clearly prefers 2
    assert score_fusion(keyword, near, 0.8, 0.2)[0][0] == score_fusion(keyword, far, 0.8, 0.2)[0][0] == 2
    assert cosine_fusion(keyword, near, 0.8, 0.2, 0.04)[0][0] == 1
    assert cosine_fusion(keyword, far, 0.8, 0.2, 0.04)[0][0] == 2
    fused = dict(cosine_fusion(keyword, near, 0.8, 0.2, 0.04))
    assert fused[1] == pytest.approx(0.8 + 0.2 * (1 - 0.004 / 0.04))
    assert fused[2] == pytest.approx(0.8 * 0.9 + 0.2)


def test_cosine_fusion_missing_keys_and_a_bad_window():
    fused = dict(cosine_fusion([(7, 2.0), (9, 1.0)], [(8, 0.8), (7, 0.7)], 0.5, 0.5, 0.1))
    assert fused[8] == pytest.approx(0.5)  # no keyword hit: 0 there
    assert fused[7] == pytest.approx(0.5 + 0.5 * (1 - 1.0))
    assert fused[9] == pytest.approx(0.25 + 0.5 * (1 - 1.0))  # not in the dense list: its lowest cosine
    assert cosine_fusion([(1, 1.0)], [(2, 1.0)], 1.0, 0.0, 0.04) == [(1, 1.0)]  # a zero weight drops a leg
    assert cosine_fusion([(5, 0.0)], [], 0.8, 0.2, 0.04) == [(5, 0.0)]  # a zero best BM25 is not /0
    with pytest.raises(ValueError, match="window"):
        cosine_fusion([(1, 1.0)], [(2, 0.5)], 0.8, 0.2, 0.0)
