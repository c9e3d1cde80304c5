"""Run an exported encoder session on a batch, in row blocks on several threads.

The ``onnx``/``onnx-int8`` backends (ONNX Runtime) and ``openvino`` all drive a
session with ONNX Runtime's ``run(names, feeds)`` / ``get_inputs()`` interface.
`BlockRunner` is the numpy-only part (used on the query path, which must not
import torch); `encoder_class` wraps it as a torch module for the places that
still hold a sentence-transformers model (the export check and ``backend=torch``
comparisons in the benchmarks).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np


class BlockRunner:
    """Calls ``session`` on a batch, cut into ``workers`` row blocks run concurrently.

    Why: on small CPUs single-threaded session calls on row blocks (ONNX Runtime
    and OpenVINO release the GIL while they run) beat intra-op threading, whose
    per-operator synchronisation costs a large share of a small model's time.
    A batch of one (a query) runs on the calling thread, so no pool is started.
    """

    def __init__(self, session, workers: int = 1):
        self.session = session
        self.inputs = [i.name for i in session.get_inputs()]
        self.workers = max(1, int(workers))
        self._pool: ThreadPoolExecutor | None = None

    def _run(self, arrays: dict) -> np.ndarray:
        return self.session.run(["last_hidden_state"], arrays)[0]

    def __call__(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        """Last hidden states for ``feed`` (int64 arrays; missing token types are zeros)."""
        ids = feed["input_ids"]
        full = {"attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids), **feed}
        arrays = {n: np.ascontiguousarray(full[n], dtype=np.int64) for n in self.inputs}
        rows = ids.shape[0]
        parts = min(self.workers, rows)
        if parts <= 1:
            return self._run(arrays)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="newsrag-encode")
        cuts = np.linspace(0, rows, parts + 1).astype(int)
        futures = [self._pool.submit(self._run, {n: a[lo:hi] for n, a in arrays.items()})
                   for lo, hi in zip(cuts[:-1], cuts[1:])]
        return np.concatenate([f.result() for f in futures])


def encoder_class():
    """The torch module class, built on first use so importing this file needs no torch."""
    import torch

    class SessionEncoder(torch.nn.Module):
        """Stands in for the HF encoder inside sentence-transformers' Transformer module."""

        def __init__(self, session, config, workers: int = 1):
            super().__init__()
            self.session = session
            self.config = config
            self.runner = BlockRunner(session, workers)
            self.inputs = self.runner.inputs
            # a parameter-free buffer so `.to(device)` / device queries keep working
            self.register_buffer("_marker", torch.zeros(0), persistent=False)

        def forward(self, input_ids, attention_mask=None, token_type_ids=None, **_: Any):
            feed = {"input_ids": input_ids, "attention_mask": attention_mask,
                    "token_type_ids": token_type_ids}
            arrays = {n: t.detach().cpu().numpy() for n, t in feed.items() if t is not None}
            return {"last_hidden_state": torch.from_numpy(self.runner(arrays))}

    return SessionEncoder


def swap_in_session(st, session, workers: int = 1) -> None:
    """Replace the transformer body of the sentence-transformers model ``st`` by ``session``."""
    module = st[0]
    module.model = encoder_class()(session, module.model.config, workers)
    module.unpad_inputs = False  # flattened (unpadded) batches are for torch flash attention only
