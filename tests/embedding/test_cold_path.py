"""The everyday commands start without the training stack (issue 13).

Search, answers and a build with nothing to embed run the cached export through
OpenVINO / ONNX Runtime and the tokenizers library; torch, transformers and
sentence-transformers are imported only to make the export (once). The
torch-free encoder must give sentence-transformers' vectors (real models).
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import SAMPLE
from samples import EMBED_QUESTIONS, SENTENCES

TRAINING_STACK = ("torch", "transformers", "sentence_transformers")
# texts that exercise prompts, truncation (> 512 tokens), padding and stray spaces
TEXTS = SENTENCES + EMBED_QUESTIONS + ["  前后有空格的句子  ", "长" * 2000, "混合 English 和中文 123"]


def _run(code: str, *args: str) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter with ``-X importtime`` (the import log on stderr)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _imported(importtime_log: str) -> set[str]:
    """Top-level package names in a ``-X importtime`` log."""
    return {line.rsplit("|", 1)[-1].strip().split(".")[0]
            for line in importtime_log.splitlines() if line.startswith("import time:")}


@pytest.fixture(scope="module")
def own_index(tmp_path_factory):
    """The sample page indexed with the default backend, for this module alone
    (a no-op build below writes a new version of it)."""
    from rag import build_index

    index_dir = tmp_path_factory.mktemp("cold") / "index"
    build_index([SAMPLE], index_dir, show_progress=False)
    return index_dir


@pytest.mark.slow
def test_search_answer_and_noop_build_import_no_torch(own_index):
    code = """
import json, sys
import rag
index = sys.argv[1]
hits = rag.search("本次展览共展出多少件作品？", k=3, index_dir=index)
ans = rag.answer("本次展览共展出多少件作品？", index_dir=index)
report = rag.build_index([sys.argv[2]], index, show_progress=False)
stack = sorted(m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules)
print(json.dumps({"hits": len(hits), "top": hits[0].title, "answer": ans.text,
                  "embedded": report.embedded, "unchanged": report.unchanged, "stack": stack}))
"""
    done = _run(code, str(own_index), str(SAMPLE))
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["stack"] == [], out
    assert not set(TRAINING_STACK) & _imported(done.stderr)
    assert out["hits"] == 3 and "展" in out["top"]
    assert "70" in out["answer"]
    assert out["embedded"] == 0 and out["unchanged"] > 0


@pytest.mark.slow
def test_cli_search_imports_no_torch(own_index):
    code = "import sys; from rag.cli.main import main; sys.exit(main(sys.argv[1:]))"
    done = _run(code, "search", "培训班有多少人参加", "--index", str(own_index), "-k", "2")
    assert "[1]" in done.stdout
    assert not set(TRAINING_STACK) & _imported(done.stderr)


@pytest.mark.slow
@pytest.mark.parametrize("model", [pytest.param("m3e-small", marks=pytest.mark.extended), "e5-small"])
def test_export_encoder_matches_sentence_transformers(model):
    """Tokenizer, truncation, prompts, pooling and normalisation reproduced exactly:
    every backend's vectors against sentence-transformers' own encode_query/encode_document."""
    from sentence_transformers import SentenceTransformer

    from rag.embedding.embedder import _export, resolve_model
    from rag.embedding.export_encoder import ExportEncoder

    folder, recipe = _export(model, "onnx")
    assert recipe["supported"] and recipe["pooling"] == "mean" and recipe["dim"] == 384 + 128 * (
        model == "m3e-small")
    want_prompts = {"query": "query: ", "document": "passage: "} if model == "e5-small" \
        else {"query": "", "document": ""}
    assert recipe["prompts"] == want_prompts
    st = SentenceTransformer(resolve_model(model), device="cpu")
    # batches of 8, sorted by length: only the batch with the 2,000-character text pads to 512
    refs = {"query": st.encode_query(TEXTS, batch_size=8, normalize_embeddings=True),
            "document": st.encode_document(TEXTS, batch_size=8, normalize_embeddings=True)}
    for backend, floor in (("onnx", 0.9999), ("openvino", 0.999), ("onnx-int8", 0.97)):
        enc = ExportEncoder(folder, backend, threads=2)
        got = {kind: enc.encode(TEXTS, kind, batch_size=8) for kind in refs}
        for kind, ref in refs.items():
            cos = np.sum(got[kind] * ref, axis=1)
            if backend == "onnx-int8":  # quantisation error, largest on the freak texts
                cos = cos[:len(SENTENCES + EMBED_QUESTIONS)]
            assert cos.min() >= floor, (model, backend, kind, float(cos.min()))
        one = enc.encode(TEXTS[3:4], "query")  # alone (no padding) = in a padded batch
        assert float(one[0] @ got["query"][3]) >= floor
    if model == "e5-small":  # the prompt matters: without it the vectors differ
        assert float(np.min(np.sum(refs["query"] * refs["document"], axis=1))) < 0.99


@pytest.mark.slow
def test_export_check_is_recorded_beside_the_export():
    from rag.embedding.embedder import _export
    from rag.embedding.export_encoder import CHECK_FILE, RECIPE, TOKENIZER_FILE

    folder, recipe = _export("m3e-small", "openvino")
    on_disk = json.loads((folder / RECIPE).read_text("utf-8"))
    assert on_disk["supported"] and (folder / TOKENIZER_FILE).is_file()
    assert np.load(folder / CHECK_FILE).shape[1] == on_disk["dim"] == 512
    checks = on_disk["checks"]
    assert checks["onnx"] >= 0.9999 and checks["onnx-int8"] >= 0.97
    assert any(k.startswith("openvino-") and v >= 0.999 for k, v in checks.items()), checks


@pytest.mark.slow
def test_a_model_the_export_cannot_run_is_recorded_as_such(tmp_path, model_path):
    """A Dense head (or another module) after pooling: the recipe says why, writes
    nothing else, and the embedder keeps such a model on sentence-transformers."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Dense, Pooling, Transformer

    from rag.embedding.export_encoder import RECIPE, make_recipe, read_recipe

    st = SentenceTransformer(modules=[Transformer(str(model_path)), Pooling(512, "mean"),
                                      Dense(512, 8)], device="cpu")
    recipe = make_recipe(model_path, tmp_path, st)
    assert recipe["supported"] is False and "Dense" in recipe["why"]
    assert read_recipe(tmp_path) == recipe
    assert [p.name for p in tmp_path.iterdir()] == [RECIPE]
