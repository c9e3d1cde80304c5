"""Every answer candidate the extractive engine weighs, on the news sets, for replaying rankers.

    python bench/candidates.py ../shared/eval --out bench/results/candidates.jsonl [--limit N]
    python bench/candidates.py ../shared/eval --out bench/results/candidates.jsonl --replay \
        rag/models/reader/ranker.json [other-ranker.json …]

The first form asks each rgb_zh question (with the retrieved passages, and with every gold
passage removed), each CRUD question whose answer occurs in its article, and each ChronoQA
single-reference question (on its question date) through `rag.answer_stream`, and writes every
candidate span with its features and whether the answer it would give (short answer +
evidence) holds the gold. ``--replay`` then scores the candidates with each ranker file and
prints what the engine would answer at several thresholds — in seconds, without the reader.
This is how ranker weights are compared; they are never fitted here (`scripts/train_ranker.py`
fits them on reading-comprehension data).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from answers import built, chronoqa_index, chronoqa_questions, lenient  # noqa: E402

from rag import Config, Index  # noqa: E402
from rag.answering.extractive import ExtractiveEngine  # noqa: E402
from rag.answering.pipeline import answer  # noqa: E402
from rag.answering.span_ranker import Ranker, from_snapshot, snapshot  # noqa: E402
from rag.evaluation.data import load_questions  # noqa: E402
from rag.evaluation.measure import ExcludingIndex, answer_parts, contains_all  # noqa: E402


class Recording(ExtractiveEngine):
    """Answers as usual and keeps the last question's candidates."""

    def __init__(self):
        super().__init__()
        self.last = None

    def ranked(self, query, hits, spans=None):
        spans = self.read(query, hits) if spans is None else spans
        self.last = snapshot(query, hits, spans)
        return super().ranked(query, hits, spans)


def record(idx, question: str, gold: dict, eng: Recording, **kw) -> dict:
    """The snapshot of the reader's input and output for ``question`` (None when the engine
    answered without the reader: a yes/no question or a comparison)."""
    eng.last = None
    answer(question, index=idx, engine=eng, k=5, **kw)
    return {"gold": gold, "snap": eng.last}


def judged(row: dict) -> list[tuple[dict, bool]]:
    """(features, would the answer be right) of each candidate of a recorded question."""
    snap, g = row["snap"], row["gold"]
    out = []
    for c in from_snapshot(snap):
        text, hit_id = f"{c.short}\n{c.evidence}", snap["hits"][c.passage]["id"]
        if "parts" in g:
            ok = contains_all(text, g["parts"])
        else:
            ok = lenient(text, g["answer"]) and hit_id in g["gold_ids"]
        out.append((c.features, ok))
    return out


def dump(eval_dir: Path, out: Path, work: Path, limit: int | None, sets: list[str]) -> None:
    config, eng = Config(), Recording()
    with open(out, "w", encoding="utf-8") as fh:
        for name, run in (("rgb", _dump_rgb), ("crud", _dump_crud), ("chronoqa", _dump_chronoqa)):
            if name in sets:
                run(fh, eval_dir, work, config, eng, limit)


def _dump_rgb(fh, eval_dir: Path, work: Path, config: Config, eng: Recording, limit) -> None:
    src = eval_dir / "rgb_zh"
    idx = built(src, "rgb", work, config)
    for q in load_questions(src, "rgb", limit=limit):
        gold = {"parts": answer_parts(q.answers, "rgb")}
        as_of = idx.newest_date()
        for setting, i in (("rgb", idx), ("rgb-removed", ExcludingIndex(idx, q.gold_ids))):
            fh.write(json.dumps({"set": setting, "q": q.question,
                                 **record(i, q.question, gold, eng, as_of=as_of)},
                                ensure_ascii=False) + "\n")


def _dump_crud(fh, eval_dir: Path, work: Path, config: Config, eng: Recording, limit) -> None:
    src = eval_dir / "crud"
    idx = built(src, "crud", work, config)
    meta = {json.loads(l)["qid"]: json.loads(l) for l in open(src / "questions.jsonl", encoding="utf-8")}
    qs = [q for q in load_questions(src, "crud") if meta[q.qid].get("answer_in_gold_doc")]
    for q in random.Random(0).sample(qs, min(limit or len(qs), len(qs))):
        fh.write(json.dumps({"set": "crud", "q": q.question, **record(
            idx, q.question, {"parts": [[q.answers[0]]]}, eng, as_of=idx.newest_date())}, ensure_ascii=False) + "\n")


def _dump_chronoqa(fh, eval_dir: Path, work: Path, config: Config, eng: Recording, limit) -> None:
    src = eval_dir / "chronoqa"
    idx = Index.load(chronoqa_index(src, work, config), config=config)
    qs = chronoqa_questions(src)
    for q in random.Random(0).sample(qs, min(2 * (limit or 200), len(qs))):
        gold = {"answer": q["answer"], "gold_ids": q["gold_ids"]}
        fh.write(json.dumps({"set": "chronoqa", "q": q["question"], **record(
            idx, q["question"], gold, eng, as_of=q["question_date"])}, ensure_ascii=False) + "\n")


def replay(out: Path, rankers: list[Path]) -> None:
    """Per ranker: the figures at its own threshold and around it, and at the thresholds that
    refuse 40 / 50 / 60 % of rgb questions whose gold passages were removed (a like-for-like
    comparison of rankers whose scores are on different scales)."""
    rows = []
    for line in out.read_text("utf-8").splitlines():
        try:
            row = json.loads(line)
        except ValueError:  # the last line of a dump cut short
            continue
        if row["snap"] is not None:
            rows.append({"set": row["set"], "cands": judged(row)})
    for path in rankers:
        r = Ranker(path)
        best = {s: [max((r.score(f), ok) for f, ok in x["cands"]) if x["cands"]
                    else (float("-inf"), False) for x in rows if x["set"] == s]
                for s in ("rgb", "rgb-removed", "crud", "chronoqa")}
        gone = sorted(v for v, _ in best["rgb-removed"])
        matched = [(f"refuses {p:.0%}", gone[int(p * (len(gone) - 1))]) for p in (0.4, 0.5, 0.6)]
        grid = [(f"{t:+.1f}", r.threshold + t) for t in (-2, -1, -0.5, 0, 0.5)]
        print(f"\n{path} (its threshold {r.threshold:g})")
        print("| threshold | rgb acc. | rgb refusals (gold removed) | crud found | chronoqa right |")
        print("|---|---|---|---|---|")
        for label, t in [("never refuse", float("-inf"))] + grid + matched:
            cells = [sum(ok and v >= t for v, ok in best[s]) / max(len(best[s]), 1) if s != "rgb-removed"
                     else sum(v < t for v, _ in best[s]) / max(len(best[s]), 1)
                     for s in ("rgb", "rgb-removed", "crud", "chronoqa")]
            print(f"| {label} ({t:.2f}) | " + " | ".join(f"{c:.3f}" for c in cells) + " |")
        for s in ("rgb", "crud", "chronoqa"):
            mine = [x for x in rows if x["set"] == s]
            print(f"{s}: {len(mine)} questions answered by the reader; any candidate right "
                  f"{sum(any(ok for _, ok in x['cands']) for x in mine) / max(len(mine), 1):.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--work", type=Path, default=Path("bench/results"))
    ap.add_argument("--limit", type=int)
    ap.add_argument("--sets", nargs="+", default=["rgb", "crud", "chronoqa"])
    ap.add_argument("--replay", nargs="+", type=Path, help="ranker files to compare")
    args = ap.parse_args()
    if not args.replay:
        dump(args.eval_dir, args.out, args.work, args.limit, args.sets)
        args.replay = [Path(__file__).resolve().parents[1] / "rag/models/reader/ranker.json"]
    replay(args.out, args.replay)


if __name__ == "__main__":
    main()
