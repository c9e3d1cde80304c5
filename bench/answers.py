"""Answer benchmark: every engine on ChronoQA, RGB and CRUD in one run, with plain search beside it.

    python bench/answers.py ../shared/eval [--sets chronoqa rgb crud] [--limit N]
        [--engines sentences reader llm] [--chronoqa-types absolute relative aggregate]
        [--calibrate] [--work bench/results] [--rows out.jsonl]

What is measured (the answers and time issues' definitions):
* chronoqa: dev.jsonl, each question asked on its ``question_date`` (``as_of``; --no-as-of
  for the old behaviour). absolute / relative: single-reference questions; right = lenient
  match of the gold answer (spaces and punctuation removed: it contains the gold, or the
  gold's numbers, or at least 60% of the gold's character bigrams) AND a gold passage cited.
  aggregate: right = lenient match, or for 是/否 questions the right 是/否 first.
* rgb: zh_refine accuracy (every answer part in the answer) with the retrieved passages,
  and the refusal rate with every gold passage removed from the hits.
* crud: the 870 questions whose answer occurs in the gold article; right = the answer
  string in the answer. rgb/crud questions are asked "as of" the newest article's date.
* latency p50/p95 of each engine's whole answer, of plain `Index.search`, and the time to
  the first text piece (what a user waits for with the LLM engine).

Engines: ``sentences`` = the sentence scorer alone (the engine before the trained reader),
``reader`` = the default extractive engine, ``llm`` = the LLM engine against
NEWSRAG_LLM_BASE_URL, ``default`` = whatever the installed ``rag`` answers with (to measure
an older checkout with this script). ``--calibrate`` makes the reader never refuse on its
margin and prints what each refusal threshold would give. Indexes are built once under --work.
"""

from __future__ import annotations

import argparse
import inspect
import json
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag import Answer, Config, Index, build_index  # noqa: E402
from rag.answering.pipeline import answer, answer_stream  # noqa: E402
from rag.evaluation.data import load_questions, write_corpus  # noqa: E402
from rag.evaluation.measure import ExcludingIndex, answer_parts, contains_all, record_id  # noqa: E402

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_TAKES_AS_OF = "as_of" in inspect.signature(answer).parameters  # False on releases before it


def lenient(text: str, gold: str) -> bool:
    """ChronoQA's gold answers are model-written phrases: match them leniently."""
    a, g = _PUNCT.sub("", re.sub(r"\[\d+\]", "", text)).lower(), _PUNCT.sub("", gold).lower()
    if not g:
        return False
    if g in a:
        return True
    nums = re.findall(r"\d+(?:\.\d+)?", g)
    if nums and all(n in a for n in nums):
        return True
    grams = {g[i:i + 2] for i in range(len(g) - 1)}
    return bool(grams) and sum(x in a for x in grams) / len(grams) >= 0.6


def engines(names: list[str], calibrate: bool = False) -> dict[str, object]:
    if names == ["default"]:
        return {"default": None}
    from rag.answering.extractive import ExtractiveEngine

    class Calibrating(ExtractiveEngine):
        """Never refuses on the margin; remembers the last one (None: a yes/no question)."""

        def __init__(self):
            super().__init__(threshold=-1e9)
            self.last = None

        def stream(self, *a, **kw):
            self.last = None
            yield from super().stream(*a, **kw)

        def propose(self, query, hits):
            found = super().propose(query, hits)
            self.last = found[1] if found else float("-inf")
            return found

    out = {}
    for n in names:
        if calibrate and n == "reader":
            out[n] = Calibrating()
            continue
        if n == "default":  # whatever the installed rag answers with (for before/after runs)
            out[n] = None
        elif n == "sentences":
            out[n] = ExtractiveEngine(use_reader=False)
        elif n == "reader":
            out[n] = ExtractiveEngine()
        elif n == "llm":
            from rag.answering.llm import LLMEngine

            out[n] = LLMEngine()
        else:
            raise SystemExit(f"unknown engine {n!r}")
    return out


def chronoqa_questions(src: Path, types=("absolute", "relative"), limit: int | None = None) -> list[dict]:
    """The dev questions of ``types`` this benchmark asks (absolute/relative: single-reference
    ones only), a seeded sample of ``limit`` per type when given."""
    qs = [json.loads(l) for l in open(src / "dev.jsonl", encoding="utf-8")]
    qs = [q for q in qs if q["temporal_type"] in types and
          (q["temporal_type"] == "aggregate" or q["reference_document_count"] == "single")]
    if limit:
        by_type: dict[str, list] = {}
        for q in qs:
            by_type.setdefault(q["temporal_type"], []).append(q)
        qs = [q for t in by_type.values() for q in random.Random(0).sample(t, min(limit, len(t)))]
    return qs


def chronoqa_index(src: Path, work: Path, config: Config) -> Path:
    index_dir = work / f"index-chronoqa-{config.embedding.model}"
    build_index([write_corpus(src, "chronoqa", work / "corpus")], index_dir, config=config)
    return index_dir


FIRST_PIECE: dict[str, list[float]] = {}  # engine name -> seconds to the first text piece


def timed(idx, question: str, eng, k: int, as_of=None, label: str = ""):
    """`rag.answer_stream` to its end: (Answer, seconds); the first piece's time is kept in
    FIRST_PIECE. rgb/crud questions were asked while their news was current, so "today" is
    the newest article's date where the set has dates."""
    as_of = as_of or idx.newest_date()
    extra = {"as_of": as_of} if as_of and _TAKES_AS_OF else {}
    if hasattr(eng, "last"):
        eng.last = None  # a comparison answers without the reader: no margin of its own
    t = time.perf_counter()
    first = None
    for item in answer_stream(question, index=idx, k=k, engine=eng, **extra):
        if first is None:
            first = time.perf_counter() - t
        if isinstance(item, Answer):
            ans = item
    FIRST_PIECE.setdefault(label or ans.engine, []).append(first)
    return ans, time.perf_counter() - t


def _judgement(gold: str) -> bool | None:
    """是的/不是 gold answers of ChronoQA's yes/no questions (None: not one)."""
    g = gold.strip("。！ ")
    if g in ("是", "是的", "对", "对的", "正确", "是同一年", "是同一个月", "是同一天"):
        return True
    if g.startswith(("不是", "否", "不对", "没有", "不")):
        return False
    return None


def chronoqa_right(q: dict, ans) -> bool:
    """Single-reference: lenient match AND a gold passage cited. Aggregate: lenient match, or
    for 是/否 questions the right 是/否 at the start of the answer."""
    if ans.refused:
        return False
    if q["temporal_type"] == "aggregate":
        yes = _judgement(q["answer"])
        if yes is not None:
            head = re.sub(r"^[\s“”\"]+", "", ans.text)[:2]
            return head.startswith("是") if yes else head.startswith(("否", "不"))
        return lenient(ans.text, q["answer"])
    cited = {record_id(c.hit) for c in ans.citations}
    return lenient(ans.text, q["answer"]) and bool(cited & set(q["gold_ids"]))


def run_chronoqa(eval_dir: Path, work: Path, config: Config, engs: dict, limit, k, rows,
                 types=("absolute", "relative"), as_of: bool = True) -> dict:
    """``types``: absolute/relative (single-reference questions) and aggregate (all)."""
    src = eval_dir / "chronoqa"
    idx = Index.load(chronoqa_index(src, work, config), config=config)
    qs = chronoqa_questions(src, types, limit)
    out = {}
    for name, eng in engs.items():
        res: dict[str, list] = {"lat": []}
        for q in qs:
            ans, sec = timed(idx, q["question"], eng, k, q["question_date"] if as_of else None, name)
            res["lat"].append(sec)
            ok = chronoqa_right(q, ans)
            res.setdefault(q["temporal_type"], []).append(ok)
            rows.append({"set": "chronoqa", "engine": name, "qid": q["qid"], "question": q["question"],
                         "gold": q["answer"], "answer": ans.text, "refused": ans.refused, "right": ok,
                         "type": q["temporal_type"], "margin": getattr(eng, "last", None)})
        single = res.get("absolute", []) + res.get("relative", [])
        out[name] = {"n": len(single), "right": _mean(single), "lat": res["lat"],
                     **{t: _mean(res[t]) for t in ("absolute", "relative", "aggregate") if t in res},
                     **{f"n_{t}": len(res[t]) for t in ("absolute", "relative", "aggregate") if t in res}}
    return out


def built(src: Path, fmt: str, work: Path, config: Config) -> Index:
    """The set's index under ``work`` (built once; later runs find nothing to embed)."""
    corpus = write_corpus(src, fmt, work / "corpus")
    index_dir = work / f"index-{fmt}-{config.embedding.model}"
    build_index([corpus], index_dir, config=config)
    return Index.load(index_dir, config=config)


def run_rgb(eval_dir: Path, work: Path, config: Config, engs: dict, limit, k, rows) -> dict:
    src = eval_dir / "rgb_zh"
    idx = built(src, "rgb", work, config)
    qs = load_questions(src, "rgb", limit=limit)
    out = {}
    for name, eng in engs.items():
        acc, refused, lat = [], [], []
        for q in qs:
            parts = answer_parts(q.answers, "rgb")
            ans, sec = timed(idx, q.question, eng, k, label=name)
            acc.append(not ans.refused and contains_all(ans.text, parts))
            lat.append(sec)
            margin = getattr(eng, "last", None)
            neg, _ = timed(ExcludingIndex(idx, q.gold_ids), q.question, eng, k, label=name)
            refused.append(neg.refused)
            rows.append({"set": "rgb", "engine": name, "qid": q.qid, "question": q.question,
                         "gold": q.answers, "answer": ans.text, "right": acc[-1], "margin": margin,
                         "negative_answer": neg.text, "negative_refused": neg.refused,
                         "negative_margin": getattr(eng, "last", None)})
        out[name] = {"n": len(qs), "right": _mean(acc), "refuse_neg": _mean(refused), "lat": lat}
    return out


def run_crud(eval_dir: Path, work: Path, config: Config, engs: dict, limit, k, rows) -> dict:
    src = eval_dir / "crud"
    idx = built(src, "crud", work, config)
    meta = {json.loads(l)["qid"]: json.loads(l) for l in open(src / "questions.jsonl", encoding="utf-8")}
    qs = [q for q in load_questions(src, "crud") if meta[q.qid].get("answer_in_gold_doc")]
    if limit and limit < len(qs):
        qs = random.Random(0).sample(qs, limit)
    out = {}
    for name, eng in engs.items():
        acc, lat = [], []
        for q in qs:
            ans, sec = timed(idx, q.question, eng, k, label=name)
            acc.append(not ans.refused and contains_all(ans.text, [[q.answers[0]]]))
            lat.append(sec)
            rows.append({"set": "crud", "engine": name, "qid": q.qid, "question": q.question,
                         "gold": q.answers[0], "answer": ans.text, "right": acc[-1],
                         "margin": getattr(eng, "last", None)})
        out[name] = {"n": len(qs), "right": _mean(acc), "lat": lat}
    return out


def search_latency(work: Path, config: Config, sets: list[str], k: int) -> list[float]:
    """Plain search over the same questions' index (the baseline of the latency columns)."""
    lat = []
    for s in sets:
        idx = Index.load(work / f"index-{s}-{config.embedding.model}", config=config)
        for q in ["本次展览共展出多少件作品？", "谁当选为新总理？", "货机是哪家航空公司的？"] * 20:
            t = time.perf_counter()
            idx.search(q, k)
            lat.append(time.perf_counter() - t)
    return lat


def threshold_table(rows: list[dict], thresholds=None) -> str:
    """What each refusal threshold would give, from one run that never refused on the score
    (by default: around the shipped threshold, which is marked)."""
    from rag.answering.span_ranker import get_ranker

    default = get_ranker().threshold
    if thresholds is None:
        thresholds = sorted({-1e9, -4, -2, default - 0.5, default, default + 0.5, 0, 1, 2})
    def kept(m, t):  # answered at threshold t (None: a yes/no question, not thresholded)
        return m is None or m >= t

    r = [x for x in rows if x["engine"] == "reader"]
    lines = ["| threshold | chronoqa right | rgb accuracy | rgb refusals (gold removed) | crud found |",
             "|---|---|---|---|---|"]
    for t in thresholds:
        cells = []
        for s, key in (("chronoqa", "right"), ("rgb", "right")):
            xs = [x for x in r if x["set"] == s]
            cells.append(_f(_mean([x[key] and kept(x["margin"], t) for x in xs])))
        neg = [x for x in r if x["set"] == "rgb"]
        cells.append(_f(_mean([x["negative_refused"] or not kept(x["negative_margin"], t) for x in neg])))
        xs = [x for x in r if x["set"] == "crud"]
        cells.append(_f(_mean([x["right"] and kept(x["margin"], t) for x in xs])))
        label = "never refuse" if t <= -1e9 else f"**{t:g} (default)**" if t == default else f"{t:g}"
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _mean(xs) -> float | None:
    return sum(xs) / len(xs) if xs else None


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")


def _f(x) -> str:
    return "–" if x is None else f"{x:.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("eval_dir", type=Path, help="shared/eval")
    ap.add_argument("--sets", nargs="+", default=["chronoqa", "rgb", "crud"])
    ap.add_argument("--engines", nargs="+", default=["sentences", "reader"])
    ap.add_argument("--limit", type=int, default=None, help="seeded sample per set")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--work", type=Path, default=Path("bench/results"))
    ap.add_argument("--rows", type=Path, default=None, help="write per-question rows here")
    ap.add_argument("--chronoqa-types", nargs="+", default=["absolute", "relative"],
                    choices=["absolute", "relative", "aggregate"])
    ap.add_argument("--no-as-of", action="store_true",
                    help="do not pass each ChronoQA question's date as as_of")
    ap.add_argument("--calibrate", action="store_true",
                    help="the reader never refuses on its margin; print what each threshold gives")
    args = ap.parse_args()
    config = Config()
    engs = engines(args.engines, args.calibrate)
    rows: list[dict] = []
    runners = {"chronoqa": run_chronoqa, "rgb": run_rgb, "crud": run_crud}
    results = {}
    for s in args.sets:
        extra = {"types": args.chronoqa_types, "as_of": not args.no_as_of} if s == "chronoqa" else {}
        results[s] = runners[s](args.eval_dir, args.work, config, engs, args.limit, args.k, rows, **extra)
    if args.rows:
        args.rows.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    lat_search = search_latency(args.work, config, args.sets, args.k)
    print("| engine | chronoqa absolute | chronoqa relative | chronoqa aggregate | rgb accuracy "
          "| rgb refusals (gold removed) | crud answer found | answer p50 / p95 s |")
    print("|---|---|---|---|---|---|---|---|")
    for name in engs:
        c, r, d = (results.get(s, {}).get(name, {}) for s in ("chronoqa", "rgb", "crud"))
        lat = sum((x.get("lat", []) for x in (c, r, d)), [])
        cells = [f"{_f(c.get(t))} (n={c.get('n_' + t, 0)})" for t in ("absolute", "relative", "aggregate")]
        print(f"| {name} | {' | '.join(cells)} | {_f(r.get('right'))} | {_f(r.get('refuse_neg'))} | "
              f"{_f(d.get('right'))} (n={d.get('n', 0)}) | {_pct(lat, .5):.2f} / {_pct(lat, .95):.2f} |")
    print(f"| plain search | | | | | | | {_pct(lat_search, .5):.3f} / {_pct(lat_search, .95):.3f} |")
    for name, xs in FIRST_PIECE.items():
        print(f"\nfirst text piece, {name}: p50 {_pct(xs, .5):.2f} s, p95 {_pct(xs, .95):.2f} s")
    if args.calibrate:
        print()
        print(threshold_table(rows))


if __name__ == "__main__":
    main()
