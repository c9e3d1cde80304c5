"""One frozen configuration object passed everywhere.

Values come from keyword arguments, then environment variables prefixed
``NEWSRAG_`` (e.g. ``NEWSRAG_MODEL=BAAI/bge-small-zh-v1.5``), then defaults.
Settings that change what is stored in an index (model, chunking, tokeniser)
are recorded in the manifest; a build that sees them change rebuilds fully.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Bumped whenever the keyword tokeniser changes what it emits.
TOKENIZER_VERSION = 1


class Config(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSRAG_", frozen=True, extra="forbid")

    # --- embedding -----------------------------------------------------
    model: str = Field(
        "m3e-small",
        description="sentence-transformers model: a short name (m3e-small, e5-small), "
        "a hub name or a local folder",
    )
    backend: Literal["torch", "onnx", "onnx-int8", "openvino"] = Field(
        "openvino", description="openvino (default: bf16/fp32 via OpenVINO), torch (plain "
        "sentence-transformers), onnx (fp32) or onnx-int8 (ONNX Runtime)")
    batch_size: int = Field(32, ge=1)
    threads: int | None = Field(None, ge=1, description="torch/onnx threads; default = cores")
    max_seq_length: int = Field(512, ge=16)

    # --- chunking (stored in the manifest) -----------------------------
    chunk_size: int = Field(350, ge=50, description="target characters per chunk")
    chunk_overlap: int = Field(1, ge=0, description="sentences repeated between chunks")
    title_context: bool = Field(True, description="prefix chunks with title and date")
    # a 50 MB one-line "article" would otherwise make 70,000 chunks (half an hour of
    # embedding) of what is almost surely junk; 2,000 chunks of 350 characters are a book.
    # Not in the manifest's chunking: a change does not force a full rebuild.
    max_chunks_per_article: int = Field(2000, ge=1, description="passages kept per article; "
                                        "longer ones are cut and reported")

    # --- retrieval -----------------------------------------------------
    fusion: Literal["score", "rrf"] = Field("score", description="how the two legs are fused")
    keyword_weight: float = Field(0.8, ge=0, description="share of the keyword leg")
    dense_weight: float = Field(0.2, ge=0, description="share of the dense leg")
    rrf_k: int = Field(60, ge=1, description="rank offset of reciprocal rank fusion")
    candidates: int = Field(50, ge=1, description="hits per leg before fusion")
    max_query_chars: int = Field(500, ge=10)
    approx_threshold: int = Field(
        200_000, ge=1, description="chunks above which FAISS uses a compressed IVF index"
    )

    # --- time ----------------------------------------------------------
    timezone: str = Field("Asia/Shanghai", description="where 'today' is: the default as_of of "
                          "answers and the app's date")

    # --- storage -------------------------------------------------------
    store: Literal["faiss", "milvus"] = "faiss"
    milvus_uri: str = "http://127.0.0.1:19530"
    milvus_collection: str = "newsrag"

    def embedding_id(self) -> str:
        """Model and numeric backend: vectors are reused or resumed only under the same id.

        fp32 backends (torch, onnx) give the same vectors; int8 and bf16 differ
        slightly (cosine >= 0.996 / 0.9999), so they never mix in one build.
        """
        kind = {"torch": "", "onnx": "", "onnx-int8": "@int8", "openvino": "@openvino"}[self.backend]
        return self.model + kind

    def chunking_params(self) -> dict:
        """The settings whose change invalidates stored chunks and vectors."""
        return {
            "chunk_size": self.chunk_size,
            "chunk_overlap": self.chunk_overlap,
            "title_context": self.title_context,
            "tokenizer_version": TOKENIZER_VERSION,
        }


def cache_dir() -> Path:
    """Where prepared models and exports live (never inside the repo)."""
    return Path(os.environ.get("NEWSRAG_CACHE", "~/.cache/newsrag")).expanduser()
