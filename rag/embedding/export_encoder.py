"""The exported embedding model, run without torch: tokenizers + ONNX Runtime / OpenVINO + numpy.

Why: importing torch, transformers and sentence-transformers costs about six
seconds per process, more than everything else a search or an answer does.
Everything sentence-transformers adds around the encoder is small and fixed
per model (tokenizer, max length, prompts, pooling, normalisation), so it is
read once from the live sentence-transformers model when the export is made
and written beside the export as a *recipe* (``newsrag-runtime.json`` plus the
tokenizer as ``runtime-tokenizer.json``). The same step encodes fixed check
sentences with torch (saved as ``check-vectors.npy``) and records how closely
each backend reproduces them; later processes only read those files.

A model whose modules are not Transformer -> Pooling (cls/mean/max/
mean_sqrt_len) -> [Normalize] gets a recipe saying so, and keeps running
through sentence-transformers (see `rag.embedding.embedder`).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from rag.errors import ConfigError
from rag.embedding.session_encoder import BlockRunner

RECIPE = "newsrag-runtime.json"
TOKENIZER_FILE = "runtime-tokenizer.json"
CHECK_FILE = "check-vectors.npy"
RECIPE_FORMAT = 1
POOLING = ("cls", "mean", "max", "mean_sqrt_len_tokens")
#: Minimum cosine to the torch model's vectors, per backend (openvino: bf16 or f32).
MIN_COS = {"onnx": 0.9999, "onnx-int8": 0.97, "openvino": 0.999}
FILES = {"onnx": "model.onnx", "onnx-int8": "model_qint8.onnx", "openvino": "model.onnx"}


def read_recipe(folder: Path) -> dict | None:
    """The recipe beside an export, or None when there is none (of this format)."""
    try:
        recipe = json.loads((Path(folder) / RECIPE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return recipe if recipe.get("format") == RECIPE_FORMAT else None


def _write_atomic(target: Path, write) -> None:
    """Write via a temporary file renamed into place: readers never see half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _save_recipe(folder: Path, recipe: dict) -> None:
    _write_atomic(folder / RECIPE, lambda p: Path(p).write_text(
        json.dumps(recipe, indent=1, ensure_ascii=False), "utf-8"))


def make_recipe(model_path: Path, folder: Path, st=None) -> dict:
    """Read the runtime recipe off the sentence-transformers model and check every
    backend against torch; once per export (this is the one place that needs torch)."""
    from rag.embedding.onnx_backend import CHECK_SENTENCES

    if st is None:
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()  # no "Loading weights" bar
        st = SentenceTransformer(str(model_path), device="cpu")
    import sentence_transformers
    import torch

    started = time.time()
    folder = Path(folder)
    recipe = {"format": RECIPE_FORMAT, "model": str(model_path), "torch": torch.__version__,
              "sentence_transformers": sentence_transformers.__version__}
    modules = [type(m).__name__ for m in st]
    pooling = st[1] if len(st) > 1 else None
    mode = getattr(pooling, "pooling_mode", None)
    why = None
    if modules[:2] != ["Transformer", "Pooling"] or set(modules[2:]) - {"Normalize"}:
        why = f"modules {modules} (only Transformer, Pooling, Normalize run without torch)"
    elif mode not in POOLING:
        why = f"pooling {mode!r} (only {', '.join(POOLING)} run without torch)"
    elif not pooling.include_prompt and any(_prompts(st).values()):
        why = "pooling that excludes the prompt tokens"
    elif getattr(st.tokenizer, "backend_tokenizer", None) is None:
        why = "a tokenizer that the tokenizers library cannot load"
    if why:
        recipe.update(supported=False, why=why)
        _save_recipe(folder, recipe)
        return recipe
    backend_tok = st.tokenizer.backend_tokenizer
    tok = type(backend_tok).from_str(backend_tok.to_str())
    tok.no_truncation()
    tok.no_padding()
    _write_atomic(folder / TOKENIZER_FILE, lambda p: tok.save(p))
    recipe.update(
        supported=True, dim=int(st.get_embedding_dimension()),
        max_seq_length=int(st.max_seq_length or 512), do_lower_case=bool(st[0].do_lower_case),
        pooling=mode, pad_id=int(st.tokenizer.pad_token_id or 0),
        pad_token=str(st.tokenizer.pad_token or "[PAD]"), prompts=_prompts(st), checks={})
    kw = dict(batch_size=4, normalize_embeddings=True, convert_to_numpy=True,
              show_progress_bar=False)
    ref = np.concatenate([st.encode_query(CHECK_SENTENCES, **kw),
                          st.encode_document(CHECK_SENTENCES, **kw)]).astype(np.float32)
    _write_atomic(folder / CHECK_FILE, lambda p: _save_array(p, ref))
    for backend in ("onnx", "onnx-int8", "openvino"):
        if (folder / FILES[backend]).is_file():
            try:
                enc = ExportEncoder(folder, backend, threads=None, recipe=recipe,
                                    compiled_cache=False)
            except ConfigError:  # openvino not installed: checked when first used
                continue
            recipe["checks"][enc.check_key] = enc.check_cosine()
    recipe["seconds"] = round(time.time() - started, 1)
    _save_recipe(folder, recipe)
    return recipe


def _save_array(path: str, array: np.ndarray) -> None:
    with open(path, "wb") as fh:  # a file object: np.save would add ".npy" to a name
        np.save(fh, array)


def _prompts(st) -> dict[str, str]:
    """The prompts `encode_query` / `encode_document` apply (sentence-transformers' rules)."""
    prompts, default = dict(st.prompts or {}), st.default_prompt_name
    fallback = prompts.get(default) if default else None
    doc = next((prompts[n] for n in ("document", "passage", "corpus") if n in prompts), fallback)
    return {"query": prompts.get("query", fallback) or "", "document": doc or ""}


def _session(folder: Path, backend: str, threads: int, compiled_cache: bool = True):
    if backend == "openvino":
        from rag.embedding.openvino_backend import OpenVINOSession

        # OpenVINO keys its cache by the model's path: none while the export is
        # still in its temporary folder (the blob is as large as the model)
        cache = folder / "openvino-cache" if compiled_cache else None
        return OpenVINOSession(folder / FILES[backend], streams=threads, threads=threads,
                               cache_dir=cache)
    from rag.embedding.onnx_backend import make_session

    return make_session(folder / FILES[backend], 1)


class ExportEncoder:
    """Encodes like ``SentenceTransformer.encode_query`` / ``encode_document`` with
    ``normalize_embeddings=True``, from the export folder alone (thread-safe)."""

    def __init__(self, folder: str | Path, backend: str, *, threads: int | None = None,
                 max_seq_length: int | None = None, recipe: dict | None = None,
                 compiled_cache: bool = True):
        from tokenizers import Tokenizer

        self.folder = Path(folder)
        r = recipe or read_recipe(self.folder)
        if not r or not r.get("supported"):
            raise ConfigError(f"{self.folder} has no runtime recipe (made with the export)")
        self.recipe, self.backend = r, backend
        self.dim, self.pooling, self.prompts = r["dim"], r["pooling"], r["prompts"]
        self.max_seq_length = min(max_seq_length or r["max_seq_length"], r["max_seq_length"])
        self.tokenizer = Tokenizer.from_file(str(self.folder / TOKENIZER_FILE))
        self.tokenizer.enable_truncation(self.max_seq_length)
        self.tokenizer.enable_padding(pad_id=r["pad_id"], pad_token=r["pad_token"])
        threads = int(threads or os.cpu_count() or 1)
        self.session = _session(self.folder, backend, threads, compiled_cache)
        self.runner = BlockRunner(self.session, workers=threads)
        precision = getattr(self.session, "precision", None)
        self.check_key = f"{backend}-{precision}" if precision else backend

    def encode(self, texts: list[str], kind: str = "document", batch_size: int = 32) -> np.ndarray:
        """Unit vectors of ``texts`` (``kind`` "query" or "document" picks the prompt)."""
        prompt = self.prompts.get(kind, "")
        texts = [prompt + t for t in texts]
        if self.recipe.get("do_lower_case"):
            texts = [t.lower() for t in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        for lo in range(0, len(texts), batch_size):
            idx = order[lo:lo + batch_size]
            encs = self.tokenizer.encode_batch([texts[i] for i in idx])
            feed = {"input_ids": np.array([e.ids for e in encs], dtype=np.int64),
                    "attention_mask": np.array([e.attention_mask for e in encs], dtype=np.int64),
                    "token_type_ids": np.array([e.type_ids for e in encs], dtype=np.int64)}
            out[idx] = self._pool(self.runner(feed).astype(np.float32), feed["attention_mask"])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def _pool(self, hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """sentence-transformers' Pooling (right padding, prompt included)."""
        m = mask[:, :, None].astype(np.float32)
        if self.pooling == "cls":
            return hidden[:, 0]
        if self.pooling == "max":
            return np.where(m > 0, hidden, -np.inf).max(axis=1)
        count = np.maximum(m.sum(axis=1), 1e-9)
        total = (hidden * m).sum(axis=1)
        return total / (count if self.pooling == "mean" else np.sqrt(count))

    def check_cosine(self) -> float:
        """Least cosine between this backend's and torch's vectors of the check sentences."""
        from rag.embedding.onnx_backend import CHECK_SENTENCES

        ref = np.load(self.folder / CHECK_FILE)
        got = np.concatenate([self.encode(CHECK_SENTENCES, "query", 4),
                              self.encode(CHECK_SENTENCES, "document", 4)])
        return round(float(np.min(np.sum(got * ref, axis=1))), 6)

    def verify(self) -> None:
        """Refuse a backend that disagrees with torch: the recorded check, or (a
        precision not seen when the export was made) a new one against the saved
        torch vectors, recorded for the next process."""
        cos = self.recipe.get("checks", {}).get(self.check_key)
        if cos is None:
            cos = self.check_cosine()
            fresh = read_recipe(self.folder) or self.recipe
            fresh.setdefault("checks", {})[self.check_key] = cos
            _save_recipe(self.folder, fresh)
        floor = MIN_COS[self.backend]
        if not cos >= floor:
            raise ConfigError(
                f"the {self.check_key} run of the export in {self.folder} disagrees with the torch "
                f"model (cosine {cos:.4f} < {floor}); use NEWSRAG_BACKEND=torch for this model")
