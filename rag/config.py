"""One frozen configuration object, in sections, passed everywhere.

Values come from keyword arguments, then the environment, then defaults. This is
the only module that reads ``NEWSRAG_*`` variables, so every setting has one
name, one default and one check. Each setting can be given as

* a section: ``Config(embedding={"model": "e5-small"})``, ``NEWSRAG_EMBEDDING__MODEL``;
* its short name, the documented shorthand (`SHORT_NAMES`): ``Config(model="e5-small")``,
  ``NEWSRAG_MODEL``; LLM settings are ``NEWSRAG_LLM_<FIELD>`` as before.

The short names stay first-class (no warning) because every short name maps to
exactly one field, the README and users' scripts use them, and the environment
names are the same words. Reading ``config.model`` still works but warns: code
reads the section (``config.embedding.model``), so a reader sees where it lives.

Settings that change what is stored in an index (model, backend, chunking) are
recorded in its manifest (`rag.store.manifest`); loading an index takes the ones
not set explicitly from there.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

#: Bumped whenever the keyword tokeniser changes what it emits.
TOKENIZER_VERSION = 1

_SECTION = ConfigDict(frozen=True, extra="forbid")


class EmbeddingSettings(BaseModel):
    model_config = _SECTION

    model: str = Field("e5-small", description="sentence-transformers model: a short name "
                       "(e5-small: multilingual-e5-small, MIT, the default; m3e-small: "
                       "non-commercial research only), a hub name or a local folder")
    backend: Literal["torch", "onnx", "onnx-int8", "openvino"] = Field(
        "openvino", description="openvino (default: bf16/fp32 via OpenVINO), torch (plain "
        "sentence-transformers), onnx (fp32) or onnx-int8 (ONNX Runtime)")
    batch_size: int = Field(8, ge=1, description="passages per encoder call; 8 is as fast "
                            "as 32 on 2 cores and needs 430 MB less while embedding with "
                            "e5-small (bench/build_memory.py)")
    threads: int | None = Field(None, ge=1, description="torch/onnx threads; default = cores")
    max_seq_length: int = Field(512, ge=16)


class ChunkingSettings(BaseModel):
    model_config = _SECTION

    chunk_size: int = Field(350, ge=50, description="target characters per chunk")
    chunk_overlap: int = Field(1, ge=0, description="sentences repeated between chunks")
    title_context: bool = Field(True, description="prefix chunks with title and date")
    # a 50 MB one-line "article" would otherwise make 70,000 chunks (half an hour of
    # embedding) of what is almost surely junk; 2,000 chunks of 350 characters are a book.
    # Not in the manifest's chunking: a change does not force a full rebuild.
    max_chunks_per_article: int = Field(2000, ge=1, description="passages kept per article; "
                                        "longer ones are cut and reported")


class RetrievalSettings(BaseModel):
    model_config = _SECTION

    fusion: Literal["cosine", "score", "rrf"] = Field(
        "cosine", description="how the two legs are fused: cosine (a cosine gap counts the same "
        "in every query), score (cosine min-max scaled per query) or rrf (by rank)")
    keyword_weight: float = Field(0.8, ge=0, description="share of the keyword leg")
    dense_weight: float = Field(0.2, ge=0, description="share of the dense leg")
    dense_window: float | None = Field(
        None, gt=0, le=2, description="cosine fusion: the cosine gap below the closest passage "
        "that costs the dense leg its whole weight; None = the model's measured window "
        "(e5-small 0.0225); a model without one is fused by min-max scaling (score)")
    rrf_k: int = Field(60, ge=1, description="rank offset of reciprocal rank fusion")
    candidates: int = Field(50, ge=1, description="hits per leg before fusion")
    max_query_chars: int = Field(500, ge=10)
    approx_threshold: int = Field(
        200_000, ge=1, description="chunks above which FAISS uses a compressed IVF index")


class StoreSettings(BaseModel):
    model_config = _SECTION

    kind: Literal["faiss", "milvus"] = "faiss"
    milvus_uri: str = "http://127.0.0.1:19530"
    milvus_collection: str = "newsrag"
    milvus_token: str = Field("", repr=False, description="never shown in errors or repr")


class LLMSettings(BaseModel):
    """Where the chat model of the llm engine is (`rag.answering.llm`)."""

    model_config = _SECTION

    base_url: str | None = Field(None, description="e.g. http://127.0.0.1:11434/v1 (Ollama)")
    model: str = Field("", description="model name; empty = the first one the server lists")
    api_key: str = Field("not-needed", repr=False,
                         description="hosted APIs need one; local servers ignore it")
    timeout: float = Field(60.0, gt=0, description="seconds the server may stay silent")
    connect_timeout: float = Field(3.0, gt=0)
    total_timeout: float = Field(600.0, gt=0, description="limit for one whole answer")
    max_tokens: int = Field(512, ge=16)
    temperature: float = Field(0.1, ge=0)
    max_passage_chars: int = Field(1200, ge=50, description="longer passages are cut")
    context_chars: int = Field(600, ge=100, description="characters of evidence the model reads: "
                               "the sentences around each passage's best match, so a small local "
                               "model's first token comes within seconds on a CPU")
    extra_body: dict = Field(default_factory=dict, description="server-specific request fields "
                             "(JSON), e.g. llama.cpp's grammar or Ollama's options")


class ServerSettings(BaseModel):
    """The app's web server (`newsrag serve`, app.py)."""

    model_config = _SECTION

    host: str = Field("127.0.0.1", description="127.0.0.1: this machine only; 0.0.0.0 = all")
    port: int = Field(7860, ge=1, le=65535)
    auth: str | None = Field(None, repr=False, description="user:password required to log in")


SECTIONS = {"embedding": EmbeddingSettings, "chunking": ChunkingSettings,
            "retrieval": RetrievalSettings, "store": StoreSettings, "llm": LLMSettings,
            "server": ServerSettings}

#: short name (keyword and ``NEWSRAG_<NAME>``) -> (section, field)
SHORT_NAMES: dict[str, tuple[str, str]] = {
    **{f: (s, f) for s in ("embedding", "chunking", "retrieval") for f in SECTIONS[s].model_fields},
    "store": ("store", "kind"), "milvus_uri": ("store", "milvus_uri"),
    "milvus_collection": ("store", "milvus_collection"), "milvus_token": ("store", "milvus_token"),
    **{f"llm_{f}": ("llm", f) for f in LLMSettings.model_fields},
    "host": ("server", "host"), "port": ("server", "port"), "auth": ("server", "auth"),
}
#: environment names kept from before NEWSRAG_ named everything, read when NEWSRAG_* is unset
OTHER_ENV = {"MILVUS_TOKEN": ("store", "milvus_token")}


class Config(BaseSettings):
    """Every setting of newsrag; see the module doc for the ways to give one."""

    model_config = SettingsConfigDict(frozen=True, extra="forbid")

    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    timezone: str = Field("Asia/Shanghai", description="where 'today' is: the default as_of of "
                          "answers and the app's date")
    cache: Path = Field(Path("~/.cache/newsrag"), description="prepared models and exports "
                        "(never inside the repo)")

    def __init__(self, **values: Any):
        try:
            super().__init__(**_nested(values))
        except ValidationError as exc:  # one line naming the setting, still a ValueError
            raise ValueError(_describe(exc)) from None

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings,
                                   dotenv_settings, file_secret_settings):
        return (init_settings, _Environment(settings_cls))

    def __getattr__(self, name: str) -> Any:
        if name in SHORT_NAMES:
            section, field = SHORT_NAMES[name]
            warnings.warn(f"Config.{name} is deprecated: read Config.{section}.{field}",
                          DeprecationWarning, stacklevel=2)
            return getattr(getattr(self, section), field)
        return super().__getattr__(name)

    @property
    def cache_dir(self) -> Path:
        return self.cache.expanduser()

    def embedding_id(self) -> str:
        """Model and numeric backend: vectors are reused or resumed only under the same id.

        fp32 backends (torch, onnx) give the same vectors; int8 and bf16 differ
        slightly (cosine >= 0.996 / 0.9999), so they never mix in one build.
        """
        e = self.embedding
        kind = {"torch": "", "onnx": "", "onnx-int8": "@int8", "openvino": "@openvino"}[e.backend]
        return e.model + kind

    def chunking_params(self) -> dict:
        """The settings whose change invalidates stored chunks and vectors."""
        c = self.chunking
        return {"chunk_size": c.chunk_size, "chunk_overlap": c.chunk_overlap,
                "title_context": c.title_context, "tokenizer_version": TOKENIZER_VERSION}

    def explicit(self, section: str) -> set[str]:
        """The fields of ``section`` given by a keyword or the environment (not defaults)."""
        return set(getattr(self, section).model_fields_set)


def _nested(values: dict[str, Any]) -> dict[str, Any]:
    """Keywords as sections: ``model="e5-small"`` -> ``{"embedding": {"model": ...}}``.

    Done before the environment is merged in, so a keyword replaces one field, never
    a whole section (``store="milvus"`` keeps NEWSRAG_MILVUS_URI); a section given as
    an object counts only the fields it was given."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name in SECTIONS and isinstance(value, (dict, BaseModel)):
            if isinstance(value, BaseModel):
                value = value.model_dump(exclude_unset=True)
            out[name] = {**out.get(name, {}), **value}
        elif name in SHORT_NAMES:
            section, field = SHORT_NAMES[name]
            out[section] = {**out.get(section, {}), field: value}
        else:
            out[name] = value
    return out


class _Environment(PydanticBaseSettingsSource):
    """``NEWSRAG_<SECTION>__<FIELD>``, the short ``NEWSRAG_<NAME>`` and `OTHER_ENV`, as sections.

    A section's own name wins over a short name, which wins over `OTHER_ENV`.
    """

    def get_field_value(self, field, field_name):  # required by the base class; unused
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        env = {k.upper(): v for k, v in os.environ.items()}
        out: dict[str, dict[str, Any]] = {}

        def put(var: str, section: str, field: str) -> None:
            if var in env:
                out.setdefault(section, {})[field] = _parse(var, section, field, env[var])

        for var, (section, field) in OTHER_ENV.items():
            put(var, section, field)
        for name, (section, field) in SHORT_NAMES.items():
            put(f"NEWSRAG_{name.upper()}", section, field)
        for section, model in SECTIONS.items():
            for field in model.model_fields:
                put(f"NEWSRAG_{section.upper()}__{field.upper()}", section, field)
        top = {f: env[f"NEWSRAG_{f.upper()}"] for f in ("timezone", "cache")
               if f"NEWSRAG_{f.upper()}" in env}
        return {**out, **top}


def _parse(var: str, section: str, field: str, value: str) -> Any:
    """An environment string as the field wants it: JSON for a dict, else as written
    (pydantic converts "300" and "true")."""
    if SECTIONS[section].model_fields[field].annotation is dict:
        try:
            return json.loads(value)
        except ValueError:
            raise ValueError(f"{var} must be a JSON object, e.g. '{{\"key\": 1}}'") from None
    return value


def _describe(exc: ValidationError) -> str:
    """Each error as ``section.field (NEWSRAG_NAME): problem``, never the value of a secret."""
    lines = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in err["loc"])
        short = next((n for n, target in SHORT_NAMES.items()
                      if ".".join(target) == loc), loc.split(".")[-1])
        lines.append(f"setting {loc} (NEWSRAG_{short.upper()}): {err['msg']}")
    return "invalid settings: " + "; ".join(lines)


def cache_dir() -> Path:
    """Where prepared models and exports live (``Config.cache``, NEWSRAG_CACHE)."""
    return Config().cache_dir
