"""Parameter and query fuzz: odd values through `Index.search`, `rag.search`, `rag.answer`
and the `newsrag` command, over a small real index (real model, real FAISS/SQLite).

The only error allowed is the documented one: a `rag.ParamError` (a ValueError) whose
message starts with the name of a parameter that was actually invalid. Every call with
only valid values must return normally, and its hits must obey the filters (so a filter
that silently stopped working, or a check that rejects valid values, fails here too).
Calls are drawn from a seeded generator: the same calls on every run.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
import time
import warnings
from datetime import date, datetime

import numpy as np
import pytest

from conftest import ROOT
from rag import (Answer, Index, ParamError, TextPiece, answer, answer_stream,
                 build_index, search)

pytestmark = pytest.mark.slow

ARTICLES = [
    ("春季花展开幕", "春季花展展出郁金香三万株，展览持续到四月底。", "2024-03-01", "晨报"),
    ("秋季花展开幕", "秋季花展展出菊花五万株，市民可免费参观。", "2024-10-01", "100%晚报"),
    ("培训班开班", "八里庄街道基层工会干部培训班开班，100余名工会干部参加培训。", "2023-12-20", "工人_日报"),
    ("技能竞赛座谈会", "海淀区总工会召开数字经济领域技能竞赛座谈会，共计596名选手参与竞赛。", None, "Haidian"),
]

QUERIES = [  # odd but valid: each must return normally
    "花展展出多少株花", "😀🌸花展", "花展\ud83d孤立", "\udc00", "\ud83d\ude00", "👨‍👩‍👧 家庭",
    "'; DROP TABLE chunks; --", "%", "_%_", "100% OR 1=1", "\\", "[(.*+?^$|{}", "(?P<x>",
    "a" * 100_000, "展" * 100_000, "\x00\x01\x1b[31m\x07花展\x0c",
    "Café naïve Ελληνικά русский 花展 العربية",
    "\u200b", "\u202e反转文本", "e\u0301\u0301\u0301", "？？？", "1e308", "NaN", "None", "\ufeff培训",
    "花\n展\t", " 培训班 ", "\U0010ffff", "\ufffd", "<script>alert(1)</script>", "昨天的花展", "上个月培训",
]
BAD_QUERIES = [None, b"\xe8\x8a\xb1", 1, 1.5, ["花展"], "", "   ", "\n\t", "\u3000"]

# (valid values, invalid values) per parameter of Index.search
VALUES = {
    "k": ([1, 3, 5, 100, 5.0, np.int64(2)],
          [0, -1, 101, 1.5, math.nan, math.inf, True, False, "5", None, [5], 10**20]),
    "date_from": ([None, "", "2023-01-01", "2024-03-01", date(2024, 6, 1), " 2024-02-01 "],
                  ["2023/07/20", "2023-02-30", "yesterday", ["2023-07-20"], 20230720, "2023-7-20",
                   "２０２３-07-20", b"2023-07-20", True, "2023-07-20T00:00"]),
    "date_to": ([None, "", "2024-12-31", "2024-03-31", datetime(2024, 10, 1, 8, 0)],
                ["2024-13-01", "31/12/2024", 1.5, ("2024-01-01",), "today"]),
    "source": ([None, "", "晨报", "%", "_", "100%", "晚报", "a.jsonl", "'; DROP TABLE articles; --",
                '" or 1=1 --', "\\", "[a-z]*", "a" * 200, "😀", "haidian", "\ud83d"],
               ["a" * 201, "a" * 100_000, 5, b"x", ["晨报"], True]),
    "per_article": ([True, False], [1, 0, "yes", None]),
    "mode": (["hybrid", "dense", "keyword"], ["x", "", None, "HYBRID", 1]),
    "as_of": ([None, "", "2024-03-15", date(2024, 3, 15), "2024-03-15T09:30"],
              ["x", "2023/07/20", 20240816, "2024-02-30", True, ["2024-01-01"]]),
    "prefer": ([None, ("2024-01-01", "2024-03-31"), ["2023-12-01", "2023-12-31"]],
               [("2024-01-01",), ("2024-03-01", "2024-01-01"), "2024-01-01", (None, None),
                ("x", "y"), 5]),
}


def as_day(value) -> str | None:
    if isinstance(value, date):
        return value.isoformat()[:10]
    return value.strip() or None if value else None


def cleaned(text: str) -> str:
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").strip()


def draw(rng: random.Random, names, p_bad: float) -> tuple[dict, set[str]]:
    """Random keyword arguments, and the names of those that are invalid."""
    kwargs, bad = {}, set()
    for name in names:
        good, wrong = VALUES[name]
        if rng.random() < p_bad:
            kwargs[name] = rng.choice(wrong)
            bad.add(name)
        elif rng.random() < 0.6:
            kwargs[name] = rng.choice(good)
    if not bad & {"date_from", "date_to"}:
        lo, hi = as_day(kwargs.get("date_from")), as_day(kwargs.get("date_to"))
        if lo and hi and lo > hi:
            bad.add("date_from")  # valid dates in the wrong order
    return kwargs, bad


def assert_named(exc: BaseException, bad: set[str]) -> None:
    """The documented error: a ParamError whose message names an invalid parameter."""
    assert isinstance(exc, ParamError), f"{type(exc).__name__}: {exc}"
    assert exc.param in bad and str(exc).startswith(exc.param + " "), (str(exc), bad)


def assert_obeys(hits, kwargs: dict) -> None:
    k = int(kwargs.get("k", 5))
    assert len(hits) <= k
    assert len({h.chunk_id for h in hits}) == len(hits)
    if kwargs.get("per_article"):
        assert len({h.doc_id for h in hits}) == len(hits)
    lo, hi = as_day(kwargs.get("date_from")), as_day(kwargs.get("date_to"))
    for h in hits:
        if lo or hi:
            assert h.date and (lo or "") <= h.date <= (hi or "9999"), (h.date, lo, hi)
        if src := cleaned(kwargs.get("source") or ""):
            where = " ".join([h.source, h.metadata.get("path", ""), h.metadata.get("url", "")])
            assert src.lower() in where.lower(), (src, where)


@pytest.fixture(scope="module")
def fuzz_index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    with open(folder / "a.jsonl", "w", encoding="utf-8") as f:
        for i, (title, text, day, source) in enumerate(ARTICLES):
            f.write(json.dumps({"id": str(i), "title": title, "text": text, "date": day,
                                "source": source}, ensure_ascii=False) + "\n")
    build_index([folder / "a.jsonl"], folder / "index", show_progress=False)
    idx = Index.load(folder / "index")
    yield idx
    idx.close()


def test_index_search_fuzz(fuzz_index):
    rng = random.Random(12)
    outcomes = {"ok": 0, "rejected": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "query … truncated"
        for i in range(260):
            kwargs, bad = draw(rng, VALUES, p_bad=0.08)
            if rng.random() < 0.08:
                query, bad = rng.choice(BAD_QUERIES), bad | {"query"}
            else:
                query = QUERIES[i % len(QUERIES)]
            try:
                hits = fuzz_index.search(query, **kwargs)
            except Exception as exc:  # noqa: BLE001 — anything but the documented error fails
                assert bad, f"valid call {query[:20]!r} {kwargs} raised {exc!r}"
                assert_named(exc, bad)
                outcomes["rejected"] += 1
                continue
            assert not bad, f"invalid {bad} accepted: {kwargs}"
            assert_obeys(hits, kwargs)
            outcomes["ok"] += 1
    assert outcomes["ok"] >= 100 and outcomes["rejected"] >= 80, outcomes


def test_reported_cases_are_clear_errors_or_right_answers(fuzz_index):
    """The calls of the issue, one by one."""
    for kwargs, param in [({"date_from": ["2023-07-20"]}, "date_from"),
                          ({"source": "a" * 100_000}, "source"), ({"k": 0}, "k"),
                          ({"k": math.nan}, "k"), ({"mode": "x"}, "mode"),
                          ({"date_from": "2024-02-01", "date_to": "2024-01-01"}, "date_from")]:
        with pytest.raises(ParamError, match=f"^{param} ") as info:
            fuzz_index.search("花展", **kwargs)
        assert "got" in str(info.value) and len(str(info.value)) < 200
    assert [h.source for h in fuzz_index.search("花展", 5, source="%")] == ["100%晚报"]
    assert {h.source for h in fuzz_index.search("培训", 5, source="工人_")} == {"工人_日报"}
    assert fuzz_index.search("花展", 5, source="晨_") == []  # _ is no wildcard
    assert fuzz_index.search("花展\ud83d孤立", 1)[0].title in {"春季花展开幕", "秋季花展开幕"}
    assert len(fuzz_index.search("工会", 100, mode="keyword")) >= 1
    with pytest.raises(ParamError, match="^query "):
        search(b"x", index_dir=fuzz_index.index_dir)
    assert search("竞赛选手", k=1, index_dir=fuzz_index.index_dir)[0].title == "技能竞赛座谈会"


class QuoteEngine:
    """Answers with the first passage verbatim (it passes the check; fast, no reader)."""

    name = "quote"

    def stream(self, question, query, hits, *, embedder, history):
        yield hits[0].text + "[1]"


def test_answer_fuzz(fuzz_index):
    rng = random.Random(7)
    names = ["k", "date_from", "date_to", "source", "as_of"]
    engine_bad = [3, "gpt", b"llm", object()]
    counts = {"ok": 0, "rejected": 0}
    for i in range(80):
        kwargs, bad = draw(rng, names, p_bad=0.12)
        if rng.random() < 0.1:
            kwargs["engine"], bad = rng.choice(engine_bad), bad | {"engine"}
        else:
            kwargs["engine"] = QuoteEngine()
        if rng.random() < 0.1:
            question, bad = rng.choice(BAD_QUERIES), bad | {"question"}
        else:
            question = QUERIES[i % len(QUERIES)]
        try:  # answer_stream checks when called, before the first piece
            got = (answer if i % 2 else answer_stream)(question, index=fuzz_index, **kwargs)
        except Exception as exc:  # noqa: BLE001
            assert bad, f"valid call {question[:20]!r} {kwargs} raised {exc!r}"
            assert_named(exc, bad)
            counts["rejected"] += 1
            continue
        assert not bad, f"invalid {bad} accepted: {kwargs}"
        *pieces, final = [got] if isinstance(got, Answer) else list(got)
        assert isinstance(final, Answer) and all(isinstance(p, TextPiece) for p in pieces)
        assert_obeys(final.hits, kwargs)
        assert len(final.question) <= fuzz_index.config.retrieval.max_query_chars
        counts["ok"] += 1
    assert counts["ok"] >= 20 and counts["rejected"] >= 20, counts


def test_long_question_is_cut_with_a_notice_and_bounded(fuzz_index):
    answer("花展", index=fuzz_index)  # warm the reader
    t = time.perf_counter()
    a = answer("展" * 100_000 + "花展展出多少株", index=fuzz_index)
    assert time.perf_counter() - t < 15  # 53-80 s before questions were cut
    assert a.note == "问题过长，只使用了前 500 个字。" and len(a.question) == 500
    short = answer("秋季花展展出多少株菊花？", index=fuzz_index)
    assert not short.note and "五万株" in short.text
    history = [("展" * 100_000, "答" * 100_000)] * 50
    t = time.perf_counter()
    answer("那这次呢？", index=fuzz_index, history=history, engine=QuoteEngine())
    assert time.perf_counter() - t < 10
    with pytest.raises(ParamError, match="^history "):
        answer("花展", index=fuzz_index, history=5)


def newsrag(*args):
    return subprocess.run([sys.executable, "-m", "rag.cli.main", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("args,code,message", [
    (["search", "花展", "-k", "0"], 1,
     "newsrag: error: -k must be a whole number from 1 to 100 (got 0)"),
    (["search", "花展", "--date-from", "2023/07/20"], 1,
     "newsrag: error: --date-from must be a date"),
    (["search", "花展", "--date-from", "2024-02-01", "--date-to", "2024-01-01"], 1,
     "--date-from must be on or before --date-to (2024-01-01)"),
    (["search", "花展", "--source", "a" * 5000], 1, "--source must be text of at most 200"),
    (["ask", " ", "-k", "3"], 1, "newsrag: error: the question is empty"),
    (["ask", "花展", "-k", "101"], 1, "-k must be a whole number from 1 to 100 (got 101)"),
    (["search", "花展", "-k", "1.5"], 2, "argument -k: invalid int value"),
])
def test_cli_errors_are_one_line(fuzz_index, args, code, message):
    result = newsrag(*args, "--index", str(fuzz_index.index_dir))
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert message in lines[-1] and "Traceback" not in result.stderr
    assert len(lines) == 1 or code == 2  # argparse prints its usage first


def test_cli_odd_query_and_literal_percent(fuzz_index):
    result = newsrag("search", "100% OR 1=1 ' \\ 😀", "--source", "%", "--json",
                     "--index", str(fuzz_index.index_dir))
    assert result.returncode == 0, result.stderr
    assert [h["source"] for h in json.loads(result.stdout)] == ["100%晚报"]
