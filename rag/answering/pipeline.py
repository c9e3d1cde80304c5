"""Answer a question from the index with numbered, checked citations.

One pipeline for every engine, so all answers are held to the same rules:

1. spoken words are put the way articles write them (`rag.text.spoken`: 啥时候 →
   什么时候, 头六个月 → 上半年), follow-ups are rewritten into a standalone query (the
   engine decides how) and relative dates are resolved against ``as_of`` ("today",
   `rag.answering.dates`);
2. the index is searched (hybrid, ``k`` passages), preferring the period a
   relative date names; questions comparing events search each event
   (`rag.answering.compare`);
3. the engine writes text whose ``[n]`` markers point at the n-th passage —
   streamed through `Renumberer`, so what the user sees already carries the
   final numbers (in order of first use, out-of-range ones dropped);
4. `citation_check.check` judges every cited sentence against its passage;
5. an answer from another engine (the LLM) that fails the check, cites nothing,
   or repeats an instruction found in an article is replaced by the extractive
   engine's answer (or its refusal), with `Answer.note` saying so — the final
   `Answer` then carries the replacement, which the app and the CLI show.

`answer_stream` yields `TextPiece` pieces (``str``) and then the `Answer`
(`rag.answering.events`); `answer` returns just the `Answer`. An engine says that it
refused by yielding a `Refusal` — the pipeline never looks for the refusal sentence.
Loaded indexes are cached per folder and version (the mtime of ``CURRENT``), so
repeated calls do not reload FAISS or the model.
"""

from __future__ import annotations

import re
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, Iterator, Protocol

from rag import params
from rag.answering.citation_check import CheckResult, check
from rag.answering.compare import answer_plan, plan
from rag.answering.dates import resolve_dates, today
from rag.answering.events import REFUSAL, AnswerEvent, Refusal, TextPiece, engine_text
from rag.answering.extractive import ExtractiveEngine
from rag.answering.followup import normalize_history, rewrite_rules
from rag.answering.injection import is_instruction
from rag.answering.markers import Renumberer
from rag.embedding.encoder import Encoder
from rag.config import Config
from rag.retrieval.index import Index
from rag.retrieval.loader import load_index
from rag.store.protocol import Filters
from rag.text.spoken import formal
from rag.types import Answer, Hit


class Engine(Protocol):
    """What `answer` needs from an engine; `ExtractiveEngine` and `LLMEngine` implement it."""

    name: str

    def rewrite(self, question: str, history: list[tuple[str, str]]) -> str: ...

    def stream(self, question: str, query: str, hits: list[Hit], *, embedder: Encoder,
               history: list[tuple[str, str]]) -> Iterator[str | Refusal]:
        """Text pieces whose ``[n]`` markers point at ``hits``; a `Refusal` among them when
        the passages do not answer (its text, if any, is shown like a piece)."""


_extractive = ExtractiveEngine()


def get_engine(engine: Any = None, config: Config | None = None) -> Engine:
    """The engine named (or given); anything else is a ValueError (`rag.params.check_engine`)."""
    engine = params.check_engine(engine)
    if engine is None or engine == "extractive":
        return _extractive
    if engine == "llm":
        from rag.answering.llm import LLMEngine

        return LLMEngine((config or Config()).llm)
    return engine


MAX_TURNS = 5  # history turns kept: the rules use 5, the LLM prompt 3
MAX_ANSWER_CHARS = 2000  # of each earlier answer: enough for the names a pronoun refers to


def answer_stream(
    question: str, *, history: Any = None, index_dir: str | Path = "index",
    index: Index | None = None, k: int = 5, engine: Any = None, date_from: str | None = None,
    date_to: str | None = None, source: str | None = None, as_of: Any = None,
    config: Config | None = None,
) -> Iterator[AnswerEvent]:
    """Yield `TextPiece` pieces (``str``) as the answer is written, then the `Answer`.

    ``as_of`` is "today" for the question (an ISO date; default: the current date in
    ``Config.timezone``): relative dates ("上个月", "三年前的今天") are resolved against it.
    ``config`` (default: the environment) loads the index (`rag.retrieval.loader`) and
    sets up the llm engine.

    Parameters are checked when it is called, before anything is yielded (a ValueError
    naming the parameter; bounds in `rag.params`): ``question`` non-empty text, ``k``
    1..100, dates ``YYYY-MM-DD`` in order, ``source`` at most 200 characters, ``engine``
    "extractive", "llm" or an engine object, ``history`` a list of turns. Work is bounded for
    any input: a question longer than ``retrieval.max_query_chars`` (500) is cut, and the
    `Answer` says so in ``note`` ("问题过长，只使用了前 500 个字。"); the history keeps
    its last 5 turns, each question cut the same way and each answer to 2,000 characters.
    """
    question = params.check_text(question, "question")
    opts = params.answer_args(k=k, date_from=date_from, date_to=date_to, source=source,
                              as_of=as_of, engine=engine)
    recent = list(params.check_history(history) or [])[-4 * MAX_TURNS:]  # messages or pairs
    pairs = normalize_history(recent)[-MAX_TURNS:]
    eng = get_engine(opts["engine"], config)
    idx = index if index is not None else load_index(index_dir, config=config)
    return _stream(idx, eng, question, pairs, opts)


def _stream(idx: Index, eng: Engine, question: str, pairs: list[tuple[str, str]],
            opts: dict) -> Iterator[AnswerEvent]:
    """`answer_stream` once its parameters are checked."""
    limit = idx.config.retrieval.max_query_chars
    question, cut = params.truncate(question, limit)
    pairs = [(params.truncate(params.clean_text(u), limit)[0],
              params.clean_text(a)[:MAX_ANSWER_CHARS]) for u, a in pairs]
    cut_note = params.truncated_note(limit) if cut else ""
    now = opts["as_of"] or today(idx.config.timezone)
    asked = formal(question)  # 啥时候 → 什么时候: the words the articles and the reader know
    query = (getattr(eng, "rewrite", None) or rewrite_rules)(asked, pairs) if pairs else asked
    query = params.truncate(query, limit)[0]  # a topic carried over can lengthen it
    filters = Filters(opts["date_from"], opts["date_to"], opts["source"])
    query, hits, pieces = _plan(idx, eng, asked, query, k=opts["k"], filters=filters, now=now,
                                history=pairs)
    name = getattr(eng, "name", type(eng).__name__)
    if not hits and pieces is None:
        yield TextPiece(REFUSAL)
        yield Answer(text=REFUSAL, refused=True, question=question, query=query, engine=name,
                     note=cut_note)
        return
    renum = Renumberer(len(hits))
    parts: list[str] = []
    said_refusal = False
    for piece in pieces:
        if isinstance(piece, Refusal):
            said_refusal, piece = True, piece.text
        out = renum.feed(piece)
        if out:
            parts.append(out)
            yield TextPiece(out)
    tail = renum.flush()
    if tail:
        parts.append(tail)
        yield TextPiece(tail)
    text = "".join(parts).strip()
    if not text:  # an engine that wrote nothing has found nothing
        text, said_refusal = REFUSAL, True
        yield TextPiece(REFUSAL)
    cited = [hits[i] for i in renum.order]
    result = check(text, cited, hits, idx.embedder) if hits else CheckResult(text)
    refused = said_refusal and not cited
    note = ""
    if eng is not _extractive and not refused and (
            not cited or is_instruction(text) or any(not c.supported for c in result.citations)):
        why = ("重复了文章中的指令" if is_instruction(text) else "没有标注出处" if not cited
               else "有引用未通过核对")
        note = f"{name} 引擎的回答{why}，已改用原文摘录的答案。"
        text, cited, result = _extractive_answer(asked, query, hits, idx)
        refused = not cited
    note = " ".join(n for n in (cut_note, note) if n)
    yield Answer(text=text, citations=result.citations, hits=hits, refused=refused,
                 question=question, query=query, flags=result.flags, engine=name, note=note)


ARCHIVE_ENDS = "已收录的新闻截至"
# a question about what is planned for a period (the archive may tell before it comes)
_PLANNED = re.compile(r"打算|计划|拟|预计|准备|定于|有望|将在|将于|将要|要在|安排在")


def _plan(idx: Index, eng: Engine, question: str, query: str, *, k: int, filters: Filters, now,
          history: list[tuple[str, str]]) -> tuple[str, list[Hit], Iterator[str | Refusal] | None]:
    """(query searched, hits, the answer's pieces — None when nothing was found).

    Relative dates are resolved against ``now`` and their period preferred (never a
    filter); a period that starts after the newest indexed article is said plainly (a
    `Refusal` with the reason); comparisons of events (`rag.answering.compare`) search
    each event on its own."""
    res = resolve_dates(query, now)
    as_asked, query = query, res.query
    newest = idx.newest_date() if res.date_from and not res.recent else None
    if newest and res.date_from > newest and _PLANNED.search(as_asked):
        # "论坛打算明年放在哪座城市办？": a plan for that period, reported before it
        res = replace(resolve_dates(as_asked, now, keep_words=True), date_from=None, date_to=None)
        query = res.query
    elif newest and res.date_from > newest:
        said = "、".join(res.found) or "所问时间"
        return query, [], iter([Refusal(f"{ARCHIVE_ENDS} {newest}，早于问题所说的{said}"
                                        f"（{res.date_from} 至 {res.date_to}），"
                                        "资料中没有那段时间的新闻。")])
    p = plan(query)
    if p is not None:
        text, hits = answer_plan(p, idx, k=k, engine=eng, filters=filters)
        return query, hits, iter([text])
    prefer = (res.date_from, res.date_to) if res.date_from else None
    hits = idx.search(query, k, prefer=prefer, **asdict(filters))
    if res.found and hits and not any(h.date for h in hits):
        # undated articles (a newspaper page built without --date) may say 今年 where the question
        # does, or the date it stands for: they are searched and read with both
        query = resolve_dates(as_asked, now, keep_words=True).query
        hits = idx.search(query, k, prefer=prefer, **asdict(filters)) or hits
    if not hits:
        return query, [], None
    return query, hits, eng.stream(question, query, hits, embedder=idx.embedder, history=history)


def _extractive_answer(question: str, query: str, hits: list[Hit], idx: Index):
    """(text, cited hits, check result) of the extractive engine on the same hits."""
    renum = Renumberer(len(hits))
    written, _ = engine_text(_extractive.stream(question, query, hits, embedder=idx.embedder))
    text = renum.feed(written) + renum.flush()
    cited = [hits[i] for i in renum.order]
    return text, cited, check(text, cited, hits, idx.embedder)


def answer(
    question: str, *, history: Any = None, index_dir: str | Path = "index",
    index: Index | None = None, k: int = 5, engine: Any = None, date_from: str | None = None,
    date_to: str | None = None, source: str | None = None, as_of: Any = None,
    config: Config | None = None,
) -> Answer:
    """The finished `Answer` (`answer_stream` without the pieces; same parameters and checks)."""
    *_, final = answer_stream(question, history=history, index_dir=index_dir, index=index, k=k,
                             engine=engine, date_from=date_from, date_to=date_to, source=source,
                             as_of=as_of, config=config)
    return final
