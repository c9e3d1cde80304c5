"""Passage-sentence vectors, cached across an answer's stages.

The engine ranks a passage's sentences and the citation check then judges claims
against the same sentences: caching their vectors (per model) embeds each once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from rag.embedding.encoder import Encoder

MAX_CACHED = 20_000  # sentences; the oldest are dropped first

_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()


def passage_vectors(encoder: Encoder, texts: list[str]) -> np.ndarray:
    """Normalised passage-side vectors of ``texts``, one row each, in order."""
    key = encoder.name
    with _cache_lock:
        missing = list(dict.fromkeys(t for t in texts if (key, t) not in _cache))
    if missing:
        vecs = encoder.encode_passages(missing)
        with _cache_lock:
            for t, v in zip(missing, vecs):
                _cache[(key, t)] = v
            while len(_cache) > MAX_CACHED:
                _cache.popitem(last=False)
    with _cache_lock:
        if not texts:
            return np.zeros((0, 1), np.float32)
        return np.stack([_cache[(key, t)] for t in texts])
