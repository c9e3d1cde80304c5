"""Measure retrieval and answers on a question set: the engine of `newsrag eval`.

Per question it records where the gold documents rank (Hit@k, MRR, nDCG via
`rag.evaluation.data.retrieval_metrics`), whether an acceptable answer string occurs in
the top-k text at all (CRUD's corpus has other outlets covering the same
event, so "gold article missed" does not mean "answer missed"), and for each
engine what `rag.answer` said: correct, refused, and whether its citations
point at passages that hold the fact.

Answers go through `rag.answering.pipeline.answer` unchanged, so the evaluation measures
exactly what users get. The rejection test (``exclude_gold``) hands `answer`
an `ExcludingIndex` instead of the index: a thin wrapper whose `search` drops
the gold records, so the answer pipeline runs as usual on what remains.

Answer strings: every question's answers become *parts*, each a list of
alternatives; an answer is correct when every part has an alternative in it
(RGB's rule, case-insensitive). RGB lists are parts ("张丹", "张昊": both must
be named; a nested list is alternatives); CRUD has one string; a plain JSONL
``answers`` list of strings is alternatives of one part, and a list holding
lists is parts.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any, Sequence

from rag.errors import NewsragError
from rag.evaluation.data import Question, load_questions, retrieval_metrics, write_corpus
from rag.types import Hit

FETCH_EXTRA = 40  # extra hits fetched so k remain after dropping a gold article's chunks
_MARKERS = re.compile(r"\[\d+\]")


# ---------------------------------------------------------------- answer strings
def answer_parts(answers: Sequence, fmt: str) -> list[list[str]]:
    """Normalise a question's answers to parts (lists of alternatives); [] = unanswerable."""
    answers = [a for a in answers if a not in ("", None, [])]
    if fmt == "jsonl" and all(isinstance(a, str) for a in answers):
        return [list(answers)] if answers else []
    return [[str(x) for x in a] if isinstance(a, list) else [str(a)] for a in answers]


def contains_all(text: str, parts: list[list[str]]) -> bool:
    """True when every part has an alternative in ``text`` (citation markers ignored)."""
    low = _MARKERS.sub("", text).lower()
    return bool(parts) and all(any(alt.lower() in low for alt in part) for part in parts)


def contains_any(text: str, parts: list[list[str]]) -> bool:
    """True when ``text`` holds any alternative of any part: it supports (part of) the answer."""
    low = text.lower()
    return any(alt.lower() in low for part in parts for alt in part)


def record_id(hit: Hit) -> str:
    """The id gold ids refer to: the record's own ``id``, else the article title."""
    return str(hit.metadata.get("id") or hit.title)


class ExcludingIndex:
    """An index whose `search` never returns the excluded records; all else is delegated.

    Passed to `rag.answering.pipeline.answer(index=...)`, it makes the gold passages
    unreachable without touching the answer pipeline.
    """

    def __init__(self, index: Any, exclude: Sequence[str]):
        self._index = index
        self._exclude = set(exclude)

    def search(self, query: str, k: int = 5, **kw: Any) -> list[Hit]:
        hits = self._index.search(query, k + FETCH_EXTRA, **kw)
        return [h for h in hits if record_id(h) not in self._exclude][:k]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._index, name)


# ---------------------------------------------------------------- inputs
def load_eval_questions(path: str | Path, fmt: str, *, limit: int | None = None, seed: int = 0,
                        int_set: bool = False) -> list[Question]:
    """`load_questions` with the user's mistakes turned into `NewsragError`s."""
    path = Path(path)
    if not path.exists():
        raise NewsragError(f"question file or folder {path} does not exist")
    if fmt in ("rgb", "crud") and not path.is_dir():
        raise NewsragError(f"--format {fmt} expects the {fmt} folder (e.g. shared/eval/"
                           f"{'rgb_zh' if fmt == 'rgb' else 'crud'}), not the file {path}")
    if fmt == "jsonl" and path.is_dir():
        raise NewsragError(f"--format jsonl expects a .jsonl file, not the folder {path}")
    try:
        qs = load_questions(path, fmt, limit=limit, seed=seed, int_set=int_set)
    except FileNotFoundError as exc:
        raise NewsragError(f"{path} is not a {fmt} question set: {exc.filename} is missing "
                           f"(check --format)") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise NewsragError(f"{path} is not a {fmt} question set ({type(exc).__name__}: {exc}); "
                           f"check --format") from None
    if not qs:
        raise NewsragError(f"{path} holds no questions")
    return qs


def prepare_index(path: str | Path, fmt: str, work: Path, *, config: Any = None,
                  int_set: bool = False, show_progress: bool = True) -> Path:
    """Index the rgb/crud corpus into ``work`` once; later runs reuse the finished index."""
    from rag.build import build_index
    from rag.config import Config

    config = config or Config()
    model = config.embedding.model.replace('/', '_')
    index_dir = work / f"index-{fmt}{'_int' if int_set else ''}-{model}"
    if not (index_dir / "CURRENT").exists():  # a build swaps CURRENT in last: present = complete
        corpus = write_corpus(Path(path), fmt, work / "corpus", int_set=int_set)
        build_index([corpus], index_dir, config=config, show_progress=show_progress)
    return index_dir


# ---------------------------------------------------------------- per question
def evaluate_question(index: Any, q: Question, parts: list[list[str]], *, k: int = 5,
                      engines: Sequence[Any] = (), exclude_gold: bool = False) -> dict:
    """One JSONL row: ranking of the gold ids, answer in top-k text, each engine's answer."""
    from rag.answering.pipeline import answer

    idx = ExcludingIndex(index, q.gold_ids) if exclude_gold else index
    ranked = idx.search(q.question, max(10, k), per_article=True)
    ids = [record_id(h) for h in ranked]
    rank = next((i + 1 for i, x in enumerate(ids) if x in set(q.gold_ids)), None)
    topk_text = " ".join(h.text for h in ranked[:k])
    row: dict[str, Any] = {
        "qid": q.qid, "question": q.question, "answers": q.answers, "gold_ids": q.gold_ids,
        "retrieved": ids, "gold_rank": rank, "excluded_gold": exclude_gold,
        "answer_in_topk": contains_all(topk_text, parts) if parts else None,
        "engines": {},
    }
    for eng in engines:
        t0 = time.perf_counter()
        ans = answer(q.question, index=idx, k=k, engine=eng)
        cits = ans.citations
        row["engines"][ans.engine] = {
            "text": ans.text, "refused": ans.refused,
            "correct": (not ans.refused and contains_all(ans.text, parts)) if parts else None,
            "citations": len(cits),
            "citations_with_fact":
                sum(contains_any(c.hit.text, parts) for c in cits) if parts else None,
            "citations_supported": sum(c.supported for c in cits),
            "cited_ids": [record_id(c.hit) for c in cits],
            "seconds": round(time.perf_counter() - t0, 3),
        }
    return row


# ---------------------------------------------------------------- summary
def _rate(num: float, den: float) -> float | None:
    return num / den if den else None


def summarize(rows: list[dict]) -> dict:
    """Retrieval metrics over questions with gold ids; answer metrics per engine."""
    ranked = [r["retrieved"] for r in rows]
    gold = [r["gold_ids"] for r in rows]
    answerable = [r for r in rows if r["answer_in_topk"] is not None]
    out: dict[str, Any] = {
        "questions": len(rows), "answerable": len(answerable),
        "with_gold": sum(bool(g) for g in gold),
        "excluded_gold": bool(rows and rows[0]["excluded_gold"]),
        "retrieval": retrieval_metrics(ranked, gold),
        "answer_in_topk": _rate(sum(r["answer_in_topk"] for r in answerable), len(answerable)),
        "engines": {},
    }
    for name in rows[0]["engines"] if rows else []:
        es = [(r, r["engines"][name]) for r in rows]
        ok = [e for r, e in es if e["correct"] is not None]
        # with the gold passages excluded every question's honest answer is a refusal
        refuse = [e for r, e in es if out["excluded_gold"] or e["correct"] is None]
        should_answer = [e for e in ok if not out["excluded_gold"]]
        spoke = [e for _, e in es if not e["refused"]]
        cited = [e for e in ok if e["citations"]]
        out["engines"][name] = {
            "accuracy": _rate(sum(e["correct"] for e in ok), len(ok)),
            "false_refusals": _rate(sum(e["refused"] for e in should_answer), len(should_answer)),
            "refusal_rate": _rate(sum(e["refused"] for e in refuse), len(refuse)),
            "refusal_n": len(refuse),
            "citation_precision": _rate(sum(e["citations_with_fact"] for e in cited),
                                        sum(e["citations"] for e in cited)),
            "cited_answers": _rate(sum(bool(e["citations"]) for e in spoke), len(spoke)),
            "citations_supported": _rate(sum(e["citations_supported"] for _, e in es),
                                         sum(e["citations"] for _, e in es)),
            "seconds": _rate(sum(e["seconds"] for _, e in es), len(es)),
        }
    return out


def _f(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def format_table(s: dict, k: int = 5) -> str:
    """The summary as Markdown: one retrieval table, one row per engine."""
    r = s["retrieval"]
    metrics = ("hit@1", "hit@5", "hit@10", "mrr@10", "ndcg@10")
    gold = "gold excluded" if s["excluded_gold"] else f"{s['with_gold']} with gold ids"
    lines = [f"{s['questions']} questions ({s['answerable']} answerable, {gold})", "",
             f"| Hit@1 | Hit@5 | Hit@10 | MRR@10 | nDCG@10 | answer in top-{k} |",
             "|---|---|---|---|---|---|",
             "| " + " | ".join(_f(r.get(m)) for m in metrics)
             + f" | {_f(s['answer_in_topk'])} |"]
    if s["engines"]:
        refusal = ("refusals (all, gold excluded)" if s["excluded_gold"]
                   else "refusals (unanswerable)")
        lines += ["", f"| engine | accuracy | false refusals | {refusal} | citation precision "
                  "| cited answers | check ✓ | s/question |", "|---|---|---|---|---|---|---|---|"]
        for name, e in s["engines"].items():
            lines.append(f"| {name} | {_f(e['accuracy'])} | {_f(e['false_refusals'])} | "
                         f"{_f(e['refusal_rate'])} (n={e['refusal_n']}) | "
                         f"{_f(e['citation_precision'])} | {_f(e['cited_answers'])} | "
                         f"{_f(e['citations_supported'])} | {_f(e['seconds'], 2)} |")
    return "\n".join(lines)


def run_eval(index: Any, questions: list[Question], fmt: str, *, k: int = 5,
             engines: Sequence[Any] = (), exclude_gold: bool = False, out: Path | None = None,
             progress: bool = True) -> tuple[list[dict], dict]:
    """Evaluate every question (tqdm bar with counts/ETA); write rows to ``out`` as they finish."""
    from tqdm import tqdm

    from rag.answering.pipeline import get_engine

    engs = [get_engine(e) for e in engines]
    rows: list[dict] = []
    fh = open(out, "w", encoding="utf-8") if out else None
    try:
        bar = tqdm(questions, desc="eval", unit="q", disable=not progress, dynamic_ncols=True)
        for q in bar:
            row = evaluate_question(index, q, answer_parts(q.answers, fmt), k=k, engines=engs,
                                    exclude_gold=exclude_gold)
            rows.append(row)
            if fh:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                fh.flush()
            hits = sum(r["gold_rank"] == 1 for r in rows if r["gold_ids"])
            bar.set_postfix_str(f"hit@1 {hits}/{sum(bool(r['gold_ids']) for r in rows)}")
    finally:
        if fh:
            fh.close()
    return rows, summarize(rows)
