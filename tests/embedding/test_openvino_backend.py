"""The OpenVINO backend (the default): faithful to torch, searchable, clear when missing."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from conftest import SAMPLE
from samples import SENTENCES, assert_same_top_articles

from rag.embedding import openvino_backend
from rag.errors import ConfigError


@pytest.mark.slow
@pytest.mark.extended  # m3e-small; the default model's OpenVINO vectors: test_cold_path
@pytest.mark.parametrize("split", [True, False], ids=["row-block-streams", "intra-op-threads"])
def test_openvino_embeddings_match_torch(onnx_cache, model_path, split):
    from sentence_transformers import SentenceTransformer

    ref = SentenceTransformer(str(model_path), device="cpu").encode(
        SENTENCES, normalize_embeddings=True)
    model = openvino_backend.load_openvino_model(model_path, threads=2, split_batches=split)
    encoder = model[0].model
    # bf16 exactly when the CPU has it (read independently of OpenVINO's own report)
    flags = set(open("/proc/cpuinfo").read().split())
    want = "bf16" if flags & {"amx_bf16", "avx512_bf16"} else "f32"
    assert encoder.session.precision == want
    vecs = model.encode(SENTENCES, batch_size=8, normalize_embeddings=True)
    cos = np.sum(vecs * ref, axis=1)
    assert cos.min() >= 0.999, float(cos.min())
    # a single query runs on the calling thread and gives the batch's vector
    one = model.encode(SENTENCES[3:4], normalize_embeddings=True)
    assert float(one[0] @ vecs[3]) >= 0.999


@pytest.mark.slow
def test_default_backend_index_finds_the_same_articles_as_torch(loaded_index, tmp_path):
    from rag import Config, Index, build_index

    assert Config().embedding.backend == "openvino"
    assert loaded_index.info()["backend"] == "openvino"  # the session's sample index
    assert loaded_index.embedder.model.session.__class__.__name__ == "OpenVINOSession"
    torch_config = Config(backend="torch")
    build_index([SAMPLE], tmp_path / "torch", config=torch_config, show_progress=False)
    torch_idx = Index.load(tmp_path / "torch", config=torch_config)
    try:
        assert_same_top_articles(torch_idx, loaded_index)
    finally:
        torch_idx.close()


def test_missing_openvino_is_a_clear_error(monkeypatch, model_path):
    monkeypatch.setitem(sys.modules, "openvino", None)  # import openvino -> ImportError
    with pytest.raises(ConfigError, match="needs OpenVINO: pip install openvino"):
        openvino_backend.OpenVINOSession("unused.onnx", streams=1, threads=1)
