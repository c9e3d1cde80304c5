"""Reciprocal rank fusion of the keyword and dense result lists.

RRF uses ranks, not scores, so BM25 scores and cosines need no calibration;
per-leg weights let the stronger leg lead (measured in bench/retrieval.py).
"""

from __future__ import annotations

from typing import Sequence


def rrf(
    lists: Sequence[Sequence[tuple[int, float]]], weights: Sequence[float], k: int = 60
) -> list[tuple[int, float]]:
    """Fuse ranked ``(row, score)`` lists; returns ``(row, fused score)`` best first."""
    fused: dict[int, float] = {}
    for hits, w in zip(lists, weights):
        if w <= 0:
            continue
        for rank, (row, _) in enumerate(hits):
            fused[row] = fused.get(row, 0.0) + w / (k + rank + 1)
    return sorted(fused.items(), key=lambda x: (-x[1], x[0]))
