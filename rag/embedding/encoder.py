"""What answering needs from an embedding model: the `Encoder` protocol.

The engines, the sentence scorer and the citation checker only encode questions and
passage sentences; typing them against this protocol (rather than `Embedder`, which
also loads, exports and batches for builds) says exactly what a substitute must do —
a test can hand them a small deterministic encoder instead of the real model.
"""

from __future__ import annotations

from typing import Protocol, Sequence

import numpy as np


class Encoder(Protocol):
    """Normalised sentence vectors for queries and passages (`rag.embedding.embedder.Embedder`)."""

    #: identifies the model: cached vectors of one model are never served for another
    name: str

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, unit length, with the model's query prompt applied."""
        ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, unit length, with the model's passage prompt applied."""
        ...
