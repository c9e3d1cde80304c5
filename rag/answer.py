"""Answer a question from the index with numbered, checked citations.

One pipeline for every engine, so all answers are held to the same rules:

1. follow-ups are rewritten into a standalone query (the engine decides how)
   and relative dates are resolved against the newest article date;
2. the index is searched (hybrid, ``k`` passages);
3. the engine writes text whose ``[n]`` markers point at the n-th passage —
   streamed through `Renumberer`, so what the user sees already carries the
   final numbers (in order of first use, out-of-range ones dropped);
4. `citation_check.check` judges every cited sentence against its passage.

`answer_stream` yields text pieces and then the `Answer`; `answer` returns
just the `Answer`. Loaded indexes are cached per folder and version (the
mtime of ``CURRENT``), so repeated calls do not reload FAISS or the model.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Iterator, Protocol

from .citation_check import REFUSAL, Renumberer, check
from .extractive import ExtractiveEngine
from .followup import normalize_history, resolve_dates, rewrite_rules
from .index import Index
from .types import Answer, Hit


class Engine(Protocol):
    """What `answer` needs from an engine; `ExtractiveEngine` and `LLMEngine` implement it."""

    name: str

    def rewrite(self, question: str, history: list[tuple[str, str]]) -> str: ...

    def stream(self, question: str, query: str, hits: list[Hit], *, embedder,
               history: list[tuple[str, str]]) -> Iterator[str]: ...


_lock = threading.Lock()
_indexes: dict[str, tuple[int | None, Index]] = {}
_extractive = ExtractiveEngine()


def load_index(index_dir: str | Path = "index") -> Index:
    """The loaded index of ``index_dir``, reused until a build swaps its version.

    A store without a ``CURRENT`` file (Milvus) is cached once per folder name;
    a FAISS folder without one raises the "build an index first" error.
    """
    path = Path(index_dir).resolve()
    try:
        mtime: int | None = (path / "CURRENT").stat().st_mtime_ns
    except OSError:
        mtime = None
    with _lock:
        cached = _indexes.get(str(path))
    if cached and cached[0] == mtime:
        return cached[1]
    idx = Index.load(path)
    with _lock:
        _indexes[str(path)] = (mtime, idx)  # the old one is closed by GC once no call uses it
    return idx


def get_engine(engine: Any = None) -> Engine:
    if engine is None or engine == "extractive":
        return _extractive
    if engine == "llm":
        from .llm import LLMEngine

        return LLMEngine()
    if isinstance(engine, str):
        raise ValueError(f"unknown engine {engine!r}: use 'extractive' or 'llm'")
    if not callable(getattr(engine, "stream", None)):
        raise TypeError("an engine object needs a .stream() method (see rag.answer.Engine)")
    return engine


def answer_stream(
    question: str, *, history: Any = None, index_dir: str | Path = "index",
    index: Index | None = None, k: int = 5, engine: Any = None, date_from: str | None = None,
    date_to: str | None = None, source: str | None = None,
) -> Iterator[str | Answer]:
    """Yield the answer text piece by piece, then the finished `Answer` as the last item."""
    if not isinstance(question, str) or not question.strip():
        raise ValueError("the question is empty: type a question about the indexed news")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    question = question.strip()
    eng = get_engine(engine)
    idx = index if index is not None else load_index(index_dir)
    pairs = normalize_history(history)
    query = (getattr(eng, "rewrite", None) or rewrite_rules)(question, pairs) if pairs else question
    query, hits = _search(idx, query, k, date_from, date_to, source)
    name = getattr(eng, "name", type(eng).__name__)
    if not hits:
        yield REFUSAL
        yield Answer(text=REFUSAL, refused=True, question=question, query=query, engine=name)
        return
    renum = Renumberer(len(hits))
    parts: list[str] = []
    for piece in eng.stream(question, query, hits, embedder=idx.embedder, history=pairs):
        out = renum.feed(piece)
        if out:
            parts.append(out)
            yield out
    tail = renum.flush()
    if tail:
        parts.append(tail)
        yield tail
    text = "".join(parts).strip()
    if not text:  # an engine that wrote nothing has found nothing
        text = REFUSAL
        yield REFUSAL
    cited = [hits[i] for i in renum.order]
    result = check(text, cited, hits, idx.embedder)
    refused = not cited and REFUSAL.rstrip("。") in text
    yield Answer(text=text, citations=result.citations, hits=hits, refused=refused,
                 question=question, query=query, flags=result.flags, engine=name)


def _search(idx: Index, query: str, k: int, date_from, date_to, source) -> tuple[str, list[Hit]]:
    """(query searched, hits): a relative date in the query becomes the date filter when the
    caller gave none; if that range holds nothing, the search is repeated without it."""
    if date_from or date_to:
        return query, idx.search(query, k, date_from=date_from, date_to=date_to, source=source)
    res = resolve_dates(query, idx.newest_date())
    if res.query == query:
        return query, idx.search(query, k, source=source)
    hits = idx.search(res.query, k, date_from=res.date_from, date_to=res.date_to, source=source)
    return res.query, hits or idx.search(res.query, k, source=source)


def answer(
    question: str, *, history: Any = None, index_dir: str | Path = "index",
    index: Index | None = None, k: int = 5, engine: Any = None, date_from: str | None = None,
    date_to: str | None = None, source: str | None = None,
) -> Answer:
    """The finished `Answer` (`answer_stream` without the pieces)."""
    *_, result = answer_stream(question, history=history, index_dir=index_dir, index=index, k=k,
                               engine=engine, date_from=date_from, date_to=date_to, source=source)
    return result
