"""Where a build finds vectors it does not have to compute again.

Checkpoint files that an interrupted build wrote after each finished batch
(the live index version is the other source: `StoreWriter.cached_vectors`). Checkpoints are keyed by model, so a build with another
model never picks up foreign vectors.
"""

from __future__ import annotations

import os
import secrets
import zipfile
from pathlib import Path

import numpy as np

from rag.types import content_hash


class EmbeddingCache:
    def __init__(self, root: Path, model: str):
        self.folder = root / content_hash(model)[:12]
        self._mem: dict[str, np.ndarray] = {}
        self._loaded = False

    def lookup(self, hashes: list[str]) -> dict[str, np.ndarray]:
        self._load_checkpoints()
        return {h: self._mem[h] for h in hashes if h in self._mem}

    def save_batch(self, hashes: list[str], vectors: np.ndarray) -> None:
        """Persist one finished batch atomically (a torn file is never read)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"part-{secrets.token_hex(6)}"
        tmp = self.folder / f"{name}.tmp.npz"
        np.savez(tmp, hashes=np.array(hashes), vectors=np.asarray(vectors, dtype=np.float32))
        os.replace(tmp, self.folder / f"{name}.npz")

    def _load_checkpoints(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for part in sorted(self.folder.glob("part-*.npz")):
            if part.name.endswith(".tmp.npz"):
                continue
            try:
                with np.load(part) as data:
                    for h, v in zip(data["hashes"], data["vectors"]):
                        self._mem.setdefault(str(h), v)
            # cut short: BadZipFile; empty: EOFError; foreign keys: KeyError
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
                continue  # a damaged checkpoint only costs re-embedding its batch
