"""What an index records about itself: how it was built and what it holds.

One typed record for both stores: the FAISS folder writes it as
``manifest.json`` in each version, Milvus as the one row of its manifest
collection. `Manifest.to_dict` is the only writer of that form and
`Manifest.from_dict` the only reader, so a field is named in one place.

A build makes it with `Manifest.for_build`; the store adds what it knows at
commit time (`Manifest.committed`). Loading an index reads its model, backend
and chunking back (`Manifest.settings`), so an index opens with the settings it
was built with.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timezone
from typing import Any

from rag.config import Config

#: Bumped when the stored layout changes incompatibly (the folder and Milvus alike).
FORMAT_VERSION = 2  # 2: the keyword field holds character bigrams beside jieba's words


@dataclass(frozen=True)
class Manifest:
    model: str
    dim: int
    backend: str = "torch"  # indexes older than the backend setting were built with torch
    chunking: dict = field(default_factory=dict)  # `Config.chunking_params()`
    approx_threshold: int = 200_000
    roots: dict = field(default_factory=dict)  # folder/file scanned -> its default date
    built_at: str = ""  # UTC, ISO
    format_version: int = FORMAT_VERSION
    counts: dict | None = None  # {"articles": n, "chunks": n}; None until committed
    articles: dict | None = None  # FAISS folder: doc_id -> content hash
    faiss: dict | None = None  # FAISS folder: {"factory", "nprobe"}
    milvus: dict | None = None  # Milvus: index descriptions
    complete: bool | None = None  # Milvus: False while a commit is under way
    newest_date: str | None = None  # Milvus: it has no MAX() query

    @classmethod
    def for_build(cls, config: Config, dim: int, roots: dict) -> "Manifest":
        """The record of a build with ``config``, before the store has committed it."""
        return cls(model=config.embedding.model, backend=config.embedding.backend, dim=dim,
                   chunking=config.chunking_params(),
                   approx_threshold=config.retrieval.approx_threshold, roots=roots,
                   built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def committed(self, **stored: Any) -> "Manifest":
        """This record with what the store filled in (counts, its index, …)."""
        return replace(self, **stored)

    def to_dict(self) -> dict:
        """As stored: JSON-ready, fields a store does not use left out."""
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict) -> "Manifest":
        """A stored record read back; ValueError when it is not one (a damaged index)."""
        if not isinstance(data, dict):
            raise ValueError(f"a manifest is a JSON object, not {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        try:
            return cls(**{k: v for k, v in data.items() if k in known})
        except TypeError as exc:  # a required field missing
            raise ValueError(f"manifest incomplete ({exc})") from None

    def rebuild_reason(self, config: Config, rebuild: bool) -> str | None:
        """Why stored chunks/vectors cannot be reused with ``config`` (None: they can);
        both stores ask this before a build."""
        return "--rebuild was given" if rebuild else self.matches(config)

    def matches(self, config: Config) -> str | None:
        """Why stored chunks and vectors cannot be reused with ``config`` (None: they can)."""
        if self.model != config.embedding.model:
            return f"embedding model changed from {self.model} to {config.embedding.model}"
        if self.format_version < FORMAT_VERSION:  # vectors stay valid: only the keywords change
            return (f"the index format changed from {self.format_version} to {FORMAT_VERSION} "
                    "(keywords now include character bigrams)")
        if self.chunking != config.chunking_params():
            return (f"chunking settings changed from {self.chunking} "
                    f"to {config.chunking_params()}")
        return None

    def settings(self, config: Config) -> Config:
        """``config`` with the model, backend and chunking this index was built with, where
        ``config`` does not set them itself (an explicit model is checked by `Index.load`)."""
        def taken(section: str, stored: dict) -> Any:
            current = getattr(config, section)
            keep = config.explicit(section)
            return current.model_copy(update={k: v for k, v in stored.items() if k not in keep})

        chunking = {k: v for k, v in self.chunking.items() if k in type(config.chunking).model_fields}
        return config.model_copy(update={
            "embedding": taken("embedding", {"model": self.model, "backend": self.backend}),
            "chunking": taken("chunking", chunking),
        })
