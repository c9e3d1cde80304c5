"""Loaders for evaluation question sets and retrieval metrics.

Formats: ``rgb`` (RGB zh_refine / zh_int: queries.jsonl + passages.jsonl),
``crud`` (CRUD-RAG: questions.jsonl + articles.jsonl [+ corpus.jsonl.gz]) and
plain ``jsonl`` (question, answers, optional gold_doc_id / gold_ids). The data
stays where it is; a corpus is written as JSONL into a work folder so it goes
through the same readers as any user's export.
"""

from __future__ import annotations

import gzip
import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

from rag.errors import NewsragError


@dataclass
class Question:
    qid: str
    question: str
    answers: list = field(default_factory=list)  # [] = unanswerable; a part may be a list
    gold_ids: list[str] = field(default_factory=list)


def _jsonl(path: Path) -> Iterator[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def load_questions(path: Path, fmt: str, *, limit: int | None = None, seed: int = 0,
                   int_set: bool = False) -> list[Question]:
    """Questions of an eval set; ``limit`` takes a seeded random sample."""
    path = Path(path)
    if fmt == "rgb":
        f = path / ("int_queries.jsonl" if int_set else "queries.jsonl")
        qs = [Question(r["qid"], r["query"], list(r["answer"]), list(r["positive_ids"]))
              for r in _jsonl(f)]
    elif fmt == "crud":
        qs = [Question(r["qid"], r["question"], [r["answer"]], [r["gold_doc_id"]])
              for r in _jsonl(path / "questions.jsonl")]
    elif fmt == "chronoqa":  # every dev question; gold = the passages it was written from
        qs = [Question(str(r["qid"]), r["question"], [r["answer"]], list(r["gold_ids"]))
              for r in _jsonl(path / "dev.jsonl")]
    elif fmt == "jsonl":
        qs = []
        for i, r in enumerate(_jsonl(path)):
            if "question" not in r:
                raise NewsragError(f"{path}:{i + 1}: a record needs a 'question' field")
            gold = r.get("gold_ids") or ([r["gold_doc_id"]] if r.get("gold_doc_id") else [])
            qs.append(Question(str(r.get("qid", i)), r["question"], list(r.get("answers", [])),
                               [str(g) for g in gold]))
    else:
        raise NewsragError(f"unknown eval format {fmt!r} (expected rgb, crud, chronoqa or jsonl)")
    if limit and limit < len(qs):
        qs = random.Random(seed).sample(qs, limit)
    return qs


def write_corpus(path: Path, fmt: str, out_dir: Path, *, distractors: int = 0,
                 seed: int = 0, int_set: bool = False) -> Path:
    """Write the set's documents as JSONL (fields id, title, time, text) into ``out_dir``.

    For crud, ``distractors`` > 0 adds a fixed random sample of that many
    documents of corpus.jsonl.gz (-1: all of them).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{fmt}{'_int' if int_set else ''}{f'_{distractors}' if distractors else ''}.jsonl"
    if out.exists():
        return out
    tmp = out.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for rec in _corpus_records(Path(path), fmt, distractors, seed, int_set):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    tmp.replace(out)
    return out


def _corpus_records(path: Path, fmt: str, distractors: int, seed: int, int_set: bool):
    if fmt == "rgb":
        for r in _jsonl(path / ("int_passages.jsonl" if int_set else "passages.jsonl")):
            yield {"id": r["id"], "text": r["text"]}
    elif fmt == "crud":
        for r in _jsonl(path / "articles.jsonl"):
            yield {"id": r["id"], "title": r["title"], "time": r["time"], "url": r.get("url", ""),
                   "text": r["text"]}
        if distractors:
            docs = list(_jsonl(path / "corpus.jsonl.gz"))
            if 0 < distractors < len(docs):
                docs = random.Random(seed).sample(docs, distractors)
            for r in docs:
                yield {"id": r["id"], "time": r.get("date"), "text": r["text"]}
    elif fmt == "chronoqa":
        for r in _jsonl(path / "corpus.jsonl"):
            yield {"id": r["id"], "title": r["title"], "time": r.get("date"), "text": r["text"]}
    else:
        raise NewsragError(f"no corpus loader for format {fmt!r}; pass --index with a built index")


def retrieval_metrics(ranked_ids: Sequence[Sequence[str]], gold: Sequence[Sequence[str]],
                      ks: Sequence[int] = (1, 5, 10)) -> dict[str, float]:
    """Hit@k, MRR@10 and nDCG@10 (binary relevance) over questions with gold ids."""
    pairs = [(r, set(g)) for r, g in zip(ranked_ids, gold) if g]
    if not pairs:
        return {}
    out = {f"hit@{k}": sum(any(x in g for x in r[:k]) for r, g in pairs) / len(pairs) for k in ks}
    mrr = ndcg = 0.0
    for r, g in pairs:
        first = next((i for i, x in enumerate(r[:10]) if x in g), None)
        mrr += 0 if first is None else 1 / (first + 1)
        dcg = sum(1 / math.log2(i + 2) for i, x in enumerate(r[:10]) if x in g)
        ideal = sum(1 / math.log2(i + 2) for i in range(min(len(g), 10)))
        ndcg += dcg / ideal
    out["mrr@10"] = mrr / len(pairs)
    out["ndcg@10"] = ndcg / len(pairs)
    return out
