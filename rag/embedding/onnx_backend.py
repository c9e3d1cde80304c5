"""ONNX Runtime backends for the embedding model: ``onnx`` (fp32) and ``onnx-int8``.

Why not sentence-transformers' own ``backend="onnx"``: it needs optimum-onnx,
whose releases pin ``transformers<4.58`` and so cannot be installed next to
transformers 5. The model is a plain encoder (BertModel), so we export it
ourselves, once, with ``torch.onnx.export``, let ONNX Runtime's transformer
optimiser fuse it (attention, LayerNorm, GELU), and quantise the fused graph
with ONNX Runtime's dynamic int8 quantisation (weights int8, activations
quantised per batch; no calibration data).

The exports live in ``cache_dir() / "onnx" / <model folder name>-<fingerprint>``
(never in the repo, nothing downloaded; `rag.embedding.export_fingerprint`), so a
changed model or a changed recipe exports afresh. A folder is written under a temporary name, checked
against the torch model, and renamed into place (``os.replace``), so a killed
export leaves nothing half-written behind and concurrent processes never see
a partial folder.

The same export step writes the recipe of the torch-free query path
(`rag.embedding.export_encoder`: tokenizer, pooling, prompts, and each backend's
agreement with torch), so later processes never import torch.
`load_onnx_model` builds a full sentence-transformers model around the export
instead (for models the torch-free path cannot run, and for benchmarks).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from rag.errors import ConfigError
from rag.embedding.export_encoder import make_recipe
from rag.embedding.export_fingerprint import EXPORT_FORMAT, OPSET, export_dir
from rag.embedding.session_encoder import swap_in_session


FP32_FILE = "model.onnx"
INT8_FILE = "model_qint8.onnx"
MARKER = "newsrag-onnx.json"  # written last: its presence means "complete"
BACKENDS = ("onnx", "onnx-int8")
_INSTALL_HINT = "pip install onnx onnxruntime  (core dependencies of newsrag)"
#: Minimum cosine between ONNX and torch embeddings accepted when exporting.
MIN_COS = {"onnx": 0.9999, "onnx-int8": 0.97}

# Chinese and mixed sentences of different lengths: the export is checked on
# them (padding included) before it is published.
CHECK_SENTENCES = [
    "国家统计局今天发布了上半年国民经济运行数据。",
    "台风“杜苏芮”预计将于明天上午在福建沿海登陆，气象部门已发布红色预警，"
    "沿海地区的渔船全部回港避风，部分航班和列车停运。",
    "北京",
    "2023年7月，某市新能源汽车销量同比增长45.6%，其中纯电动车型占比超过七成。",
    "What is the GDP growth rate of China in 2023?",
    "研究人员表示，这项技术有望在未来五年内实现大规模商业应用，但成本问题仍需解决。"
    "专家建议加强基础研究投入，完善产学研合作机制，推动科技成果转化。" * 3,
]


def _require_ort():
    try:
        import onnx  # noqa: F401
        import onnxruntime
    except ImportError:
        raise ConfigError(f"backend onnx / onnx-int8 needs ONNX Runtime: {_INSTALL_HINT}") from None
    return onnxruntime


def onnx_file(path: str | Path, backend: str) -> Path:
    """The exported ONNX file for ``backend``, exporting it first if needed."""
    if backend not in BACKENDS:
        raise ConfigError(f"unknown ONNX backend {backend!r} (expected one of {BACKENDS})")
    folder = ensure_export(path)
    return folder / (INT8_FILE if backend == "onnx-int8" else FP32_FILE)


def ensure_export(path: str | Path) -> Path:
    """Export (fp32 + int8) into the cache unless a complete export is already there."""
    path = Path(path)
    final = export_dir(path)
    if (final / MARKER).is_file():  # the everyday case: no onnx import needed
        return final
    _require_ort()
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():  # an incomplete folder from an older, non-atomic writer: redo it
        shutil.rmtree(final, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    os.chmod(tmp, 0o755)
    try:
        # the first build is otherwise silent for the ~15 s this takes
        print(f"newsrag: preparing the embedding model {path.name} for this machine "
              "(ONNX export and check, once, under a minute) ...", file=sys.stderr, flush=True)
        _export(path, tmp)
        try:
            os.replace(tmp, final)
        except OSError:
            if not (final / MARKER).is_file():  # not a concurrent exporter that won the race
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


# --------------------------------------------------------------------------- export

def _export(path: Path, out: Path) -> None:
    """Write model.onnx (fused fp32) and model_qint8.onnx into ``out``, checked, marker last."""
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model
    from sentence_transformers import SentenceTransformer
    from transformers import AutoModel

    started = time.time()
    st = SentenceTransformer(str(path), device="cpu")
    reference = st.encode(CHECK_SENTENCES, batch_size=4, normalize_embeddings=True,
                          convert_to_numpy=True, show_progress_bar=False)
    input_names = _input_names(st)
    config = st[0].model.config
    hf = AutoModel.from_pretrained(str(path), attn_implementation="eager").eval()
    raw = out / "raw.onnx"
    _torch_export(hf, input_names, raw)
    del hf

    with _quiet_logs():
        opt = optimize_model(str(raw), model_type="bert", num_heads=int(config.num_attention_heads),
                             hidden_size=int(config.hidden_size))
        fused = {k: v for k, v in opt.get_fused_operator_statistics().items() if v}
        opt.save_model_to_file(str(out / FP32_FILE))
    del opt
    raw.unlink()
    # Per-channel int8 weights of the matrix products (MatMul, fused Attention); the
    # embedding tables stay fp32. On m3e-small this keeps the largest cosine error
    # near 0.004 (0.015 with per-tensor weights, 0.005 with int8 embeddings) at
    # the same speed. Weights in 7 bits (reduce_range): on CPUs without VNNI (AVX2
    # only, e.g. some AMD EPYC) 8-bit products saturate and m3e-small's vectors fell
    # to cosine 0.706 against torch.
    with _quiet_logs():  # the quantiser logs every tensor (and advice) on the root logger
        quantize_dynamic(out / FP32_FILE, out / INT8_FILE, weight_type=QuantType.QInt8,
                         per_channel=True, reduce_range=True, op_types_to_quantize=["MatMul", "Attention"],
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    # what the torch-free query path needs, checked against torch (rag.embedding.export_encoder)
    make_recipe(path, out, st)

    checks = {}
    for backend, name in (("onnx", FP32_FILE), ("onnx-int8", INT8_FILE)):
        swap_in_session(st, make_session(out / name, threads=None))
        vecs = st.encode(CHECK_SENTENCES, batch_size=4, normalize_embeddings=True,
                         convert_to_numpy=True, show_progress_bar=False)
        cos = float(np.min(np.sum(vecs * reference, axis=1)))
        checks[backend] = round(cos, 6)
        if not cos >= MIN_COS[backend]:
            raise ConfigError(
                f"the {backend} export of {path} disagrees with the torch model (cosine {cos:.4f} "
                f"< {MIN_COS[backend]}); use NEWSRAG_BACKEND=torch for this model"
            )
    meta = {"format": EXPORT_FORMAT, "model": str(path), "inputs": input_names, "opset": OPSET,
            "fused_operators": fused, "min_cosine_vs_torch": checks,
            "torch": torch.__version__, "onnxruntime": _require_ort().__version__,
            "seconds": round(time.time() - started, 1)}
    (out / MARKER).write_text(json.dumps(meta, indent=1), encoding="utf-8")


@contextmanager
def _quiet_logs():
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(previous)


def _input_names(st) -> list[str]:
    names = list(getattr(st.tokenizer, "model_input_names", None) or ["input_ids", "attention_mask"])
    return [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in names]


def _torch_export(hf, input_names: list[str], target: Path) -> None:
    import torch

    class _Body(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            kw = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              **kw).last_hidden_state

    # a padded dummy batch, so the mask path is traced with real padding
    ids = torch.full((2, 16), 101, dtype=torch.long)
    mask = torch.ones(2, 16, dtype=torch.long)
    mask[1, 9:] = 0
    args = (ids, mask) + ((torch.zeros_like(ids),) if "token_type_ids" in input_names else ())
    axes = {n: {0: "batch", 1: "sequence"} for n in input_names + ["last_hidden_state"]}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(_Body(hf).eval(), args, str(target), dynamo=False,
                          input_names=input_names, output_names=["last_hidden_state"],
                          dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)


# --------------------------------------------------------------------------- runtime

def make_session(file: str | Path, threads: int | None = None):
    """An ONNX Runtime CPU session; ``threads`` = intra-op threads (None: all cores)."""
    ort = _require_ort()
    so = ort.SessionOptions()
    so.intra_op_num_threads = int(threads or os.cpu_count() or 1)
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3
    return ort.InferenceSession(str(file), so, providers=["CPUExecutionProvider"])


def load_onnx_model(path: str | Path, backend: str, *, threads: int | None = None,
                    split_batches: bool = True):
    """A SentenceTransformer for the model folder ``path`` running on ONNX Runtime.

    ``backend`` is ``"onnx"`` (fused fp32) or ``"onnx-int8"`` (dynamic int8);
    the export is made on first use and cached (see the module doc).
    ``threads`` (default: all cores) are used by running row blocks of a
    batch in parallel, one thread each (``split_batches``), or else as
    ONNX Runtime intra-op threads.
    """
    from sentence_transformers import SentenceTransformer

    file = onnx_file(path, backend)
    threads = int(threads or os.cpu_count() or 1)
    st = SentenceTransformer(str(path), device="cpu")
    if split_batches:
        swap_in_session(st, make_session(file, 1), workers=threads)
    else:
        swap_in_session(st, make_session(file, threads))
    return st
