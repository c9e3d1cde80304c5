"""`newsrag eval` on the sample page: real index and model, a tiny question set of our own.

The sample page's articles have no record ids, so gold ids are article titles
(`rag.evaluation.measure.record_id` falls back to the title).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from rag.errors import NewsragError
from rag.evaluation.measure import answer_parts, contains_all, contains_any, load_eval_questions, run_eval

EXHIBITION = "“劳动颂——首都职工纪念改革开放45周年主题创作展”开放日活动举办"
CONTEST = "海淀区总工会召开数字经济领域技能竞赛座谈会"
TRAINING = "八里庄街道基层工会干部培训班开班"
QUESTIONS = [
    {"qid": "works", "question": "本次展览共展出多少件作品？", "answers": ["70件"],
     "gold_ids": [EXHIBITION]},
    {"qid": "trainees", "question": "八里庄街道基层工会干部培训班有多少人参加？",
     "answers": [["100余名", "一百余名"]], "gold_doc_id": TRAINING},
    {"qid": "contest", "question": "海淀工匠杯竞赛共有多少名选手参赛？", "answers": ["596名"],
     "gold_ids": [CONTEST]},
    {"qid": "mars", "question": "火星基地今年招募了多少名厨师？", "answers": []},
]


def _write_questions(path):
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUESTIONS),
                    encoding="utf-8")
    return path


@pytest.fixture
def qfile(tmp_path):
    return _write_questions(tmp_path / "questions.jsonl")


# ---------------------------------------------------------------- answer strings (no model)
def test_answer_parts_follow_each_formats_meaning():
    assert answer_parts(["张丹", "张昊"], "rgb") == [["张丹"], ["张昊"]]  # RGB: all parts
    assert answer_parts([["5月31日", "5/31"]], "rgb") == [["5月31日", "5/31"]]
    assert answer_parts(["70件", "七十件"], "jsonl") == [["70件", "七十件"]]  # alternatives
    assert answer_parts([["1月3日"], "1月12日"], "jsonl") == [["1月3日"], ["1月12日"]]
    assert answer_parts([], "jsonl") == [] and answer_parts([""], "crud") == []


def test_contains_all_needs_every_part_and_ignores_markers():
    parts = answer_parts(["1月7日", ["2月15日", "二月十五日"]], "rgb")
    assert contains_all("春运从1月7日开始，到二月十五日结束。[1]", parts)
    assert not contains_all("春运从1月7日开始。[1]", parts)
    assert contains_all("共展出70[1]件作品", [["70件"]])
    assert not contains_all("任何文字", [])  # unanswerable: nothing is "correct"
    assert contains_any("到2月15日结束", parts) and not contains_any("无关", parts)


def test_input_errors_are_newsrag_errors(tmp_path, qfile):
    with pytest.raises(NewsragError, match="does not exist"):
        load_eval_questions(tmp_path / "nope.jsonl", "jsonl")
    with pytest.raises(NewsragError, match="check --format"):
        load_eval_questions(tmp_path, "rgb")  # a folder without queries.jsonl
    with pytest.raises(NewsragError, match="expects the crud folder"):
        load_eval_questions(qfile, "crud")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"query": "x"}\n', encoding="utf-8")
    with pytest.raises(NewsragError, match="question"):
        load_eval_questions(bad, "jsonl")


def _parser():
    from rag.cli.evaluate import register

    p = argparse.ArgumentParser(prog="newsrag")
    register(p.add_subparsers(dest="command", required=True))
    return p


def test_cli_errors(tmp_path, qfile):
    args = _parser().parse_args(["eval", str(qfile), "--format", "jsonl", "--quiet"])
    with pytest.raises(NewsragError, match="need --index"):
        args.func(args)
    args = _parser().parse_args(["eval", str(qfile), "--format", "jsonl", "--quiet",
                                 "--index", str(tmp_path / "missing")])
    with pytest.raises(NewsragError):
        args.func(args)


# ---------------------------------------------------------------- real index
@pytest.fixture(scope="module")
def plain_run(loaded_index, tmp_path_factory):
    d = tmp_path_factory.mktemp("eval")
    qs = load_eval_questions(_write_questions(d / "q.jsonl"), "jsonl")
    rows, summary = run_eval(loaded_index, qs, "jsonl", engines=["extractive"],
                             out=d / "rows.jsonl", progress=False)
    return qs, rows, summary, d / "rows.jsonl"


@pytest.mark.slow
def test_retrieval_metrics_on_easy_questions(plain_run):
    _, rows, s, _ = plain_run
    assert s["with_gold"] == 3 and s["answerable"] == 3
    assert s["retrieval"]["hit@1"] == 1.0 and s["retrieval"]["mrr@10"] == 1.0
    assert s["answer_in_topk"] == 1.0
    assert [r["gold_rank"] for r in rows] == [1, 1, 1, None]


@pytest.mark.slow
def test_answer_metrics_count_right_answers_and_refusals(plain_run):
    _, rows, s, _ = plain_run
    by = {r["qid"]: r["engines"]["extractive"] for r in rows}
    assert by["works"]["correct"] and by["trainees"]["correct"]  # "70件", "100余名" in the text
    assert by["mars"]["refused"] and by["mars"]["correct"] is None
    e = s["engines"]["extractive"]
    n_right = sum(bool(by[q]["correct"]) for q in ("works", "trainees", "contest"))
    assert e["accuracy"] == pytest.approx(n_right / 3) and n_right >= 2
    assert e["refusal_rate"] == 1.0 and e["refusal_n"] == 1  # the unanswerable one
    assert e["false_refusals"] == 0.0
    assert by["works"]["citations_with_fact"] >= 1 and e["cited_answers"] == 1.0


@pytest.mark.slow
def test_per_question_jsonl_has_one_line_per_question(plain_run):
    qs, _, _, out = plain_run
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["qid"] for x in lines] == [q.qid for q in qs]
    for x in lines:
        assert {"question", "answers", "gold_ids", "retrieved", "gold_rank", "answer_in_topk",
                "excluded_gold", "engines"} <= set(x)
        assert {"text", "refused", "correct", "citations", "citations_with_fact",
                "cited_ids", "seconds"} <= set(x["engines"]["extractive"])


@pytest.mark.slow
def test_exclude_gold_turns_answers_into_refusals(loaded_index, qfile):
    qs = [q for q in load_eval_questions(qfile, "jsonl") if q.gold_ids]
    rows, s = run_eval(loaded_index, qs, "jsonl", engines=["extractive"], exclude_gold=True,
                       progress=False)
    for r in rows:
        assert not set(r["retrieved"]) & set(r["gold_ids"])
        assert r["engines"]["extractive"]["refused"], r["engines"]["extractive"]["text"]
    assert s["excluded_gold"] and s["engines"]["extractive"]["refusal_rate"] == 1.0
    assert s["engines"]["extractive"]["refusal_n"] == len(qs)


@pytest.mark.slow
def test_cli_prints_the_table_and_writes_rows(sample_index, qfile, tmp_path, capsys):
    out = tmp_path / "rows.jsonl"
    args = _parser().parse_args(["eval", str(qfile), "--format", "jsonl", "--index",
                                 str(sample_index), "--out", str(out), "--quiet", "--limit", "3"])
    assert args.func(args) == 0
    text = capsys.readouterr().out
    assert "| Hit@1 |" in text and "| extractive |" in text
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3


@pytest.mark.slow
def test_newsrag_eval_end_to_end(sample_index, qfile):
    """`newsrag eval` as a user runs it, in a real process."""
    cmd = ["rag.cli.main", "eval"]
    r = subprocess.run([sys.executable, "-m", *cmd, str(qfile), "--format", "jsonl",
                        "--index", str(sample_index), "--no-answers", "--quiet"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "| Hit@1 |" in r.stdout and "| 1.000 |" in r.stdout
