"""The public sets' loaders: ChronoQA's questions and corpus in the shapes the benchmarks use."""

from __future__ import annotations

import json

import pytest

from rag.errors import NewsragError
from rag.evaluation.data import load_questions, write_corpus


def test_chronoqa_questions_and_corpus(tmp_path):
    src = tmp_path / "chronoqa"
    src.mkdir()
    (src / "dev.jsonl").write_text(json.dumps({
        "qid": 7, "question": "2024年8月16日，谁当选为泰国新总理？", "answer": "佩通坦",
        "question_date": "2024-08-30", "gold_ids": ["c00012"]}, ensure_ascii=False) + "\n", "utf-8")
    (src / "corpus.jsonl").write_text(json.dumps({
        "id": "c00012", "title": "泰国国会选出新总理", "date": "2024-08-16",
        "text": "泰国国会16日投票选举佩通坦为新总理。"}, ensure_ascii=False) + "\n", "utf-8")
    (q,) = load_questions(src, "chronoqa")
    assert (q.qid, q.answers, q.gold_ids) == ("7", ["佩通坦"], ["c00012"])
    corpus = write_corpus(src, "chronoqa", tmp_path / "work")
    (doc,) = [json.loads(line) for line in corpus.read_text("utf-8").splitlines()]
    assert doc == {"id": "c00012", "title": "泰国国会选出新总理", "time": "2024-08-16",
                   "text": "泰国国会16日投票选举佩通坦为新总理。"}


def test_an_unknown_format_names_the_ones_there_are(tmp_path):
    with pytest.raises(NewsragError, match="rgb, crud, chronoqa or jsonl"):
        load_questions(tmp_path, "squad")
