"""OpenVINO backend for the embedding model (``backend="openvino"``).

Why: on Intel CPUs with AMX or AVX512-BF16 (this project's machines), OpenVINO
runs the encoder in bfloat16 on the matrix units.  Measured on two cores
(bench/embed_speed.py): 4.0x plain sentence-transformers encode, against 2.0x
for ONNX Runtime's dynamic int8, with vectors within cosine 0.99999 of the
torch model (int8: 0.996).  On CPUs without bf16 OpenVINO runs fp32.

It compiles the same fused fp32 ONNX file the ``onnx`` backend exports once
into the cache (see :mod:`rag.embedding.onnx_backend`), and like that backend it only
replaces the encoder inside the ordinary sentence-transformers model, so the
tokenizer, pooling, prompts and max length stay the model's own.

The everyday path (`rag.embedding.export_encoder`) runs the compiled model without torch;
its agreement with torch is checked once, when the export is made, and recorded
beside it. `load_openvino_model` (a full sentence-transformers model, for models
the torch-free path cannot run, and for benchmarks) still checks at every load.
Compiled models are cached by OpenVINO (``cache_dir``): a later process imports
the compiled blob instead of compiling the ONNX graph again (0.1 s against 0.4 s).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from rag.errors import ConfigError

MIN_COS = 0.999

#: How many input shapes the CPU plugin keeps compiled kernels for (its
#: ``CPU_RUNTIME_CACHE_CAPACITY``; OpenVINO's default is 5,000). A build feeds
#: batches longest-first, so each shape is met once and never again, and the
#: default kept a few hundred MB of kernels for shapes that never came back
#: (e5-small over 8,192 CRUD passages, bench/openvino_memory.py: +353 MB and
#: still climbing at 5,000, +154 MB and flat at 16, same vectors, same speed).
#: Sixteen still holds the shapes of consecutive batches and of recent queries.
RUNTIME_CACHE_SHAPES = 16
_INSTALL_HINT = "pip install openvino onnx onnxruntime  (or NEWSRAG_BACKEND=torch)"


def _require_ov():
    try:
        import openvino
    except ImportError:
        raise ConfigError(f"backend openvino needs OpenVINO: {_INSTALL_HINT}") from None
    return openvino


class _Input:
    def __init__(self, name: str):
        self.name = name


class OpenVINOSession:
    """A compiled OpenVINO model behind ONNX Runtime's ``run`` / ``get_inputs`` interface.

    Each calling thread gets its own infer request, so the row-block workers of
    :class:`rag.embedding.session_encoder.BlockRunner` run concurrently, one OpenVINO stream each.
    """

    def __init__(self, file: str | Path, *, streams: int, threads: int,
                 cache_dir: str | Path | None = None):
        ov = _require_ov()
        core = ov.Core()
        if cache_dir:
            core.set_property({"CACHE_DIR": str(cache_dir)})
        caps = core.get_property("CPU", "OPTIMIZATION_CAPABILITIES")
        self.precision = "bf16" if "BF16" in caps else "f32"
        self.compiled = core.compile_model(str(file), "CPU", {
            "INFERENCE_PRECISION_HINT": self.precision,
            "NUM_STREAMS": str(streams),
            "INFERENCE_NUM_THREADS": int(threads),
            "CPU_RUNTIME_CACHE_CAPACITY": str(RUNTIME_CACHE_SHAPES),
        })
        self._local = threading.local()
        # One tiny inference on this thread before any worker thread runs one:
        # pybind11 initialises its numpy bridge in a call_once that deadlocks
        # when two threads reach it first at the same time (seen in a build).
        names = [i.name for i in self.get_inputs()]
        self.run(None, {n: np.ones((1, 2), dtype=np.int64) for n in names})

    def get_inputs(self) -> list[_Input]:
        return [_Input(p.get_any_name()) for p in self.compiled.inputs]

    def run(self, _names, arrays: dict) -> list[np.ndarray]:
        req = getattr(self._local, "request", None)
        if req is None:
            req = self._local.request = self.compiled.create_infer_request()
        # the request reuses its output buffer on the next call: copy it out
        return [np.array(req.infer(arrays)[0], copy=True)]


def load_openvino_model(path: str | Path, *, threads: int | None = None,
                        split_batches: bool = True):
    """A SentenceTransformer for the model folder ``path`` whose encoder runs on OpenVINO.

    ``threads`` (default: all cores) become that many single-threaded streams
    fed with row blocks of each batch (``split_batches``), or one stream with
    that many threads.
    """
    from sentence_transformers import SentenceTransformer

    from rag.embedding.onnx_backend import CHECK_SENTENCES, onnx_file
    from rag.embedding.session_encoder import swap_in_session

    file = onnx_file(path, "onnx")
    threads = int(threads or os.cpu_count() or 1)
    st = SentenceTransformer(str(path), device="cpu")

    def encode():
        return st.encode(CHECK_SENTENCES, batch_size=4, normalize_embeddings=True,
                         convert_to_numpy=True, show_progress_bar=False)

    reference = encode()
    if split_batches:
        session = OpenVINOSession(file, streams=threads, threads=threads)
        swap_in_session(st, session, workers=threads)
    else:
        session = OpenVINOSession(file, streams=1, threads=threads)
        swap_in_session(st, session)
    cos = float(np.min(np.sum(encode() * reference, axis=1)))
    if not cos >= MIN_COS:
        raise ConfigError(
            f"OpenVINO ({session.precision}) disagrees with the torch model {path} "
            f"(cosine {cos:.4f} < {MIN_COS}); use NEWSRAG_BACKEND=torch or onnx-int8 for this model"
        )
    return st
