"""A small deterministic stand-in for the embedding model (`rag.embedding.encoder.Encoder`).

Answering code only encodes questions and passage sentences; with this encoder its
logic (sentence scoring, the citation check, the engines) runs in the fast tier
without loading m3e-small. A text's vector is its hashed character unigrams and
bigrams, L2-normalised: texts sharing wording are close, unrelated texts are near 0,
and the same text always gets the same vector, in every process (crc32, not `hash`).
The real-model tests stay; this only makes the logic around the model testable alone.
"""

from __future__ import annotations

import zlib
from typing import Sequence

import numpy as np

DIM = 256


class FakeEncoder:
    """Character n-gram vectors; ``calls`` records what was encoded, for tests that care."""

    #: its own cache key in `rag.answering.sentence_vectors`: never mixed with a real model's
    name = "fake-char-bigrams"
    dim = DIM

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(("query", list(texts)))
        return _vectors(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(("passage", list(texts)))
        return _vectors(texts)


def _vectors(texts: Sequence[str]) -> np.ndarray:
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for row, text in enumerate(texts):
        chars = [c for c in text if not c.isspace()]
        grams = chars + [a + b for a, b in zip(chars, chars[1:])]
        for gram in grams:
            out[row, zlib.crc32(gram.encode("utf-8")) % DIM] += 1.0
        norm = np.linalg.norm(out[row])
        if norm:
            out[row] /= norm
    return out
