"""The encoder inside a sentence-transformers model, run by an inference session.

The ``onnx``/``onnx-int8`` backends (ONNX Runtime) and ``openvino`` all keep
the ordinary sentence-transformers model (tokenizer, pooling, prompts, max
length) and replace only its transformer body with a session that has ONNX
Runtime's ``run(names, feeds)`` / ``get_inputs()`` interface.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np


def encoder_class():
    """The module class, built on first use so importing this file needs no torch."""
    import torch

    class SessionEncoder(torch.nn.Module):
        """Stands in for the HF encoder inside sentence-transformers' Transformer module.

        With ``workers`` > 1 a batch is cut into ``workers`` row blocks that run
        concurrently on single-threaded session calls (ONNX Runtime and OpenVINO
        release the GIL while they run). On small CPUs this beats intra-op threading,
        whose per-operator synchronisation costs a large share of a small
        model's time; a batch of one (a query) runs on the calling thread.
        """

        def __init__(self, session, config, workers: int = 1):
            super().__init__()
            self.session = session
            self.config = config
            self.inputs = [i.name for i in session.get_inputs()]
            self.workers = max(1, int(workers))
            self._pool = None
            # a parameter-free buffer so `.to(device)` / device queries keep working
            self.register_buffer("_marker", torch.zeros(0), persistent=False)

        def _run(self, arrays: dict) -> np.ndarray:
            return self.session.run(["last_hidden_state"], arrays)[0]

        def forward(self, input_ids, attention_mask=None, token_type_ids=None, **_: Any):
            feed = {"input_ids": input_ids, "attention_mask": attention_mask,
                    "token_type_ids": token_type_ids}
            if feed["attention_mask"] is None:
                feed["attention_mask"] = torch.ones_like(input_ids)
            if feed["token_type_ids"] is None:
                feed["token_type_ids"] = torch.zeros_like(input_ids)
            arrays = {n: feed[n].detach().cpu().numpy().astype(np.int64, copy=False)
                      for n in self.inputs}
            rows = arrays["input_ids"].shape[0]
            parts = min(self.workers, rows)
            if parts <= 1:
                hidden = self._run(arrays)
            else:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="newsrag-encode")
                cuts = np.linspace(0, rows, parts + 1).astype(int)
                futures = [self._pool.submit(self._run, {n: a[lo:hi] for n, a in arrays.items()})
                           for lo, hi in zip(cuts[:-1], cuts[1:])]
                hidden = np.concatenate([f.result() for f in futures])
            return {"last_hidden_state": torch.from_numpy(hidden)}

    return SessionEncoder


def swap_in_session(st, session, workers: int = 1) -> None:
    module = st[0]
    module.model = encoder_class()(session, module.model.config, workers)
    module.unpad_inputs = False  # flattened (unpadded) batches are for torch flash attention only
