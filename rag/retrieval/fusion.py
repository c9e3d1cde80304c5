"""Fusion of the keyword and dense result lists.

Two methods, chosen by ``Config.fusion``:

* ``score`` (default): a weighted sum of normalised scores — BM25 divided by
  the best BM25 score of the query, cosine min-max scaled over the dense
  candidates. Unlike rank fusion it keeps *how much* better the first keyword
  hit is, which is what lets fusion beat its best leg when one leg is weak
  (measured in bench/retrieval.py; see README "What moved the numbers").
* ``rrf``: weighted reciprocal rank fusion, which ignores score gaps.
"""

from __future__ import annotations

from typing import Sequence

Ranked = Sequence[tuple[int, float]]


def rrf(lists: Sequence[Ranked], weights: Sequence[float], k: int = 60) -> list[tuple[int, float]]:
    """Fuse ranked ``(key, score)`` lists by rank; returns ``(key, fused)`` best first."""
    fused: dict[int, float] = {}
    for hits, w in zip(lists, weights):
        if w <= 0:
            continue
        for rank, (key, _) in enumerate(hits):
            fused[key] = fused.get(key, 0.0) + w / (k + rank + 1)
    return _sorted(fused)


def score_fusion(keyword: Ranked, dense: Ranked, keyword_weight: float,
                 dense_weight: float) -> list[tuple[int, float]]:
    """Weighted sum of normalised scores; a key missing from a list gets 0 there."""
    fused: dict[int, float] = {}
    if keyword and keyword_weight > 0:
        top = keyword[0][1] or 1.0
        for key, s in keyword:
            fused[key] = fused.get(key, 0.0) + keyword_weight * s / top
    if dense and dense_weight > 0:
        hi, lo = dense[0][1], dense[-1][1]
        span = (hi - lo) or 1.0
        for key, s in dense:
            fused[key] = fused.get(key, 0.0) + dense_weight * (s - lo) / span
    return _sorted(fused)


def _sorted(fused: dict[int, float]) -> list[tuple[int, float]]:
    return sorted(fused.items(), key=lambda x: (-x[1], x[0]))
