"""Fusion of the keyword and dense result lists.

Three methods, chosen by ``Config.retrieval.fusion``:

* ``cosine`` (default): a weighted sum of BM25 divided by the query's best BM25 score
  and of each passage's cosine measured from the best one in a fixed window of cosine
  (the model's `rag.embedding.embedder.FUSION_WINDOW`, or ``dense_window``): 1 for the
  closest passage, 0 one window below it, less further down. A model with no measured
  window is fused like ``score``.
* ``score``: the same keyword part, cosine min-max scaled over the dense candidates.
* ``rrf``: weighted reciprocal rank fusion, which ignores score gaps.

Why a fixed window: both score methods keep *how much* better the first keyword hit is,
which is what lets fusion beat its best leg when one leg is weak (bench/retrieval.py). But
min-max scaling stretches every query's dense candidates over the same 0..1, so candidates
that are all about as close in meaning differ as much as candidates far apart; where the
keyword leg is flat too (a pool of snippets on one topic) the stretched dense leg decides
by noise, and where the dense leg's best is far ahead the stretch hides how far. A fixed
window keeps the model's own distances: a cosine gap means the same in every query.
Replayed on both legs' top 50 with e5-small (`bench/fusion_replay.py`, docs/benchmarks.md,
session 21): rgb_zh Hit@1 .763 -> .800, ChronoQA .921 -> .928, CRUD .801 -> .803, no
figure of the three sets lower than with min-max scaling. Not yet right for a large archive:
among 69,549 CRUD documents, where the dense leg is weak, the same window costs Hit@1 .015.
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


def cosine_fusion(keyword: Ranked, dense: Ranked, keyword_weight: float, dense_weight: float,
                  window: float) -> list[tuple[int, float]]:
    """Weighted sum of the keyword score over the query's best and of the cosine's distance
    from the best one in units of ``window`` (1 at the best, 0 one window below); a key
    missing from the keyword list gets 0 there, one missing from the dense list the lowest
    cosine of the list (it ranked below all of them)."""
    if window <= 0:
        raise ValueError(f"window must be a positive cosine difference, got {window!r}")
    fused: dict[int, float] = {}
    if keyword and keyword_weight > 0:
        top = keyword[0][1] or 1.0
        for key, s in keyword:
            fused[key] = keyword_weight * s / top
    if dense and dense_weight > 0:
        best, floor = dense[0][1], dense[-1][1]
        near = {key: s for key, s in dense}
        for key in fused.keys() | near.keys():
            fused[key] = fused.get(key, 0.0) + dense_weight * (1 + (near.get(key, floor) - best) / window)
    return _sorted(fused)


def _sorted(fused: dict[int, float]) -> list[tuple[int, float]]:
    return sorted(fused.items(), key=lambda x: (-x[1], x[0]))
