"""A loaded index: hybrid search, loaded once, read-only.

`Index.load(path)` opens the configured store (the FAISS index folder by
default, or Milvus) with the model, backend and chunking its manifest records
(unless the config sets them); `.search()` can then be called any number of
times and from several threads (the app shares one Index between users).
Loaded indexes are cached by `rag.retrieval.loader`.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Literal

from rag import params
from rag.config import Config
from rag.embedding.embedder import Embedder, fusion_window
from rag.errors import IndexMismatchError
from rag.retrieval.fusion import cosine_fusion, rrf, score_fusion
from rag.store.manifest import Manifest
from rag.store.protocol import Filters, StoreReader, open_reader
from rag.text.tokenizer import query_terms
from rag.types import Hit

Mode = Literal["hybrid", "dense", "keyword"]


class Index:
    def __init__(self, index_dir: Path, reader: StoreReader, config: Config):
        self.index_dir = index_dir
        self.reader = reader
        self.manifest: Manifest = reader.manifest
        self.config = config
        self._embedder: Embedder | None = None

    @classmethod
    def load(cls, index_dir: str | Path = "index", *, config: Config | None = None) -> "Index":
        """Open the live index; errors say what is wrong and how to fix it.

        ``config`` (default: `Config()`, the environment) chooses the store; the model,
        backend and chunking it does not set come from the index's manifest, so an
        index opens with the model it was built with. A model set that differs from
        the index's is an `IndexMismatchError`: its vectors would be meaningless."""
        index_dir = Path(index_dir)
        config = config or Config()
        reader = open_reader(index_dir, config)
        built = reader.manifest.model
        if "model" in config.explicit("embedding") and built != config.embedding.model:
            reader.close()
            raise IndexMismatchError(
                f"the index in {index_dir} was built with embedding model "
                f"{built!r} but {config.embedding.model!r} is configured: rebuild it with "
                f"`newsrag build --index {index_dir}` (which re-embeds everything) or set "
                f"NEWSRAG_MODEL={built} (or leave the model unset: the index's own is used)"
            )
        return cls(index_dir, reader, reader.manifest.settings(config))

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = Embedder(self.config)
        return self._embedder

    def reload(self) -> "Index":
        """The folder's live version loaded anew (after a build), with this index's loaded
        embedding model handed over when it is the same model (a server swaps, never reloads)."""
        new = Index.load(self.index_dir, config=self.config)
        if self._embedder is not None and new.manifest.model == self.manifest.model:
            new._embedder = self._embedder
        return new

    def info(self) -> dict:
        from rag.embedding.embedder import model_licence

        m = self.manifest
        keywords = ("BM25 over jieba words and character bigrams" if m.format_version >= 2
                    else "BM25 over jieba words (rebuild to add bigrams)")
        return {"index": str(self.index_dir), "articles": m.counts["articles"],
                "chunks": m.counts["chunks"], "model": m.model,
                "model_licence": model_licence(m.model), "backend": m.backend,
                "dim": m.dim, "store": self.config.store.kind,
                "vector_index": (m.faiss or {}).get("factory") or (m.milvus or {}).get("dense", ""),
                "chunking": m.chunking, "keywords": keywords, "built_at": m.built_at,
                "roots": m.roots}

    def search(
        self, query: str, k: int = 5, *, date_from: str | None = None, date_to: str | None = None,
        source: str | None = None, per_article: bool = False, mode: Mode = "hybrid",
        as_of: str | None = None, prefer: tuple[str, str] | None = None,
    ) -> list[Hit]:
        """Top ``k`` passages for ``query``: keyword and dense lists fused (`rag.retrieval.fusion`).

        ``date_from``/``date_to``/``source`` are hard filters. ``as_of`` ("today", ISO)
        resolves relative dates in the query ("上个月" -> "2024年8月", `rag.answering.dates`) and
        prefers passages of the period they name; ``prefer`` gives such a period directly.
        A preferred period re-ranks, it never filters (see `prefer_period`).

        Every parameter is checked by `rag.params` (a ValueError naming it otherwise):
        ``query`` non-empty text, cut to ``retrieval.max_query_chars`` with a warning (lone
        surrogates replaced); ``k`` a whole number 1..100; dates ``YYYY-MM-DD`` of real
        days, ``date_from`` <= ``date_to``; ``source`` at most 200 characters, a plain
        substring of source, path or URL (``%``/``_`` are no wildcards); ``mode`` hybrid,
        dense or keyword; ``per_article`` True or False; ``prefer`` a (from, to) pair.
        """
        c = self.config.retrieval
        query = _check_query(query, c.max_query_chars)
        p = params.search_args(k=k, date_from=date_from, date_to=date_to, source=source,
                               per_article=per_article, mode=mode, as_of=as_of, prefer=prefer)
        k, per_article, mode, as_of, prefer = (p[n] for n in ("k", "per_article", "mode", "as_of",
                                                             "prefer"))
        filters = Filters(p["date_from"], p["date_to"], p["source"])
        if as_of:
            from rag.answering.dates import resolve_dates

            res = resolve_dates(query, as_of)
            query = res.query
            if res.date_from and not prefer:
                prefer = (res.date_from, res.date_to)
        n = max(c.candidates, k * 4 if per_article else k)
        if prefer:
            n = max(n, PREFER_POOL)  # a deeper pool, so articles of the period are in it
        tokens = query_terms(query) if mode in ("hybrid", "keyword") else None
        qv = self.embedder.encode_queries([query])[0] if mode in ("hybrid", "dense") else None
        kw, dense = self.reader.candidates(qv, tokens, n, filters)
        if mode != "hybrid":
            fused = list(kw or dense)
        elif c.fusion == "rrf":
            fused = rrf([kw, dense], (c.keyword_weight, c.dense_weight), c.rrf_k)
        elif c.fusion == "cosine" and (window := c.dense_window or fusion_window(self.embedder.name)):
            fused = cosine_fusion(kw, dense, c.keyword_weight, c.dense_weight, window)
        else:  # score, or cosine for a model with no measured window
            fused = score_fusion(kw, dense, c.keyword_weight, c.dense_weight)
        hits = self.reader.hits(fused[: n * 2])
        if prefer:
            hits = prefer_period(hits, *prefer)
        return _dedupe(hits, k, per_article)

    def article_text(self, doc_id: str) -> str | None:
        return self.reader.article_text(doc_id)

    def newest_date(self) -> str | None:
        return self.reader.newest_date()

    def close(self) -> None:
        self.reader.close()


PREFER_POOL = 200  # candidates per leg when a period is preferred
IN_PERIOD, NEAR_PERIOD, FAR_FROM_PERIOD = 1.4, 1.15, 0.9  # score factors; undated: 1.0


def prefer_period(hits: list[Hit], date_from: str, date_to: str) -> list[Hit]:
    """Hits re-ranked for a period: inside it x1.4, near it (within its length or a month,
    "截至上周" / "今年7月" said loosely) x1.15, elsewhere x0.9; an undated hit keeps its
    score — dates are evidence, not a wall."""
    lo, hi = date.fromisoformat(date_from[:10]), date.fromisoformat(date_to[:10])
    slack = max(31, (hi - lo).days)
    out = []
    for h in hits:
        f = 1.0
        if h.date:
            try:
                d = date.fromisoformat(h.date[:10])
            except ValueError:
                d = None
            if d is not None:
                gap = (lo - d).days if d < lo else (d - hi).days if d > hi else 0
                f = IN_PERIOD if gap == 0 else NEAR_PERIOD if gap <= slack else FAR_FROM_PERIOD
        out.append(replace(h, score=h.score * f))
    return sorted(out, key=lambda h: -h.score)


def _check_query(query: str, limit: int) -> str:
    """The query checked (`rag.params.check_text`) and cut to ``limit``, with a warning."""
    full = params.check_text(query, "query")
    query, cut = params.truncate(full, limit)
    if cut:
        warnings.warn(f"query of {len(full)} characters truncated to {limit}", stacklevel=3)
    return query


def _dedupe(hits: list[Hit], k: int, per_article: bool) -> list[Hit]:
    """Drop repeated passages (same text) and, if asked, all but each article's best."""
    seen_text: set[str] = set()
    seen_doc: set[str] = set()
    out = []
    for h in hits:
        if h.text in seen_text or (per_article and h.doc_id in seen_doc):
            continue
        seen_text.add(h.text)
        seen_doc.add(h.doc_id)
        out.append(h)
        if len(out) == k:
            break
    return out


def search(
    query: str, k: int = 5, *, index_dir: str | Path = "index", date_from: str | None = None,
    date_to: str | None = None, source: str | None = None, per_article: bool = False,
    as_of: str | None = None, config: Config | None = None,
) -> list[Hit]:
    """One-off search; loads the index each call (use `Index.load` for many queries).

    Parameters as in `Index.search`; they are checked before the index is loaded.
    ``config`` as in `Index.load` (default: the environment)."""
    params.check_text(query, "query")
    params.search_args(k=k, date_from=date_from, date_to=date_to, source=source,
                       per_article=per_article, as_of=as_of)
    idx = Index.load(index_dir, config=config)
    try:
        return idx.search(query, k, date_from=date_from, date_to=date_to, source=source,
                          per_article=per_article, as_of=as_of)
    finally:
        idx.close()
