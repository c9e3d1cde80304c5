"""Questions typed the way readers speak, with and without `rag.text.spoken`.

    python bench/spoken.py ../shared/eval [--work bench/results]

``bench/data/spoken_crud.jsonl``: 80 CRUD questions rewritten by hand (session 11, by a
helper who had not seen `rag.text.spoken`'s table) as a reader would type them into a chat —
40 colloquial ("…头五个月食品出口一共卖了几多钱？"), 40 paraphrased — each naming its event
and keeping CRUD's gold answer. Every question is asked of the CRUD index three ways: CRUD's
own written question, the spoken one as typed (`formal` switched off), and the spoken one
through `formal` (the product). Right = the gold answer string in the answer (CRUD's rule,
`bench/answers.py`); "today" is the newest article's date, as for CRUD there.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from answers import built  # noqa: E402

import rag.answering.pipeline as pipeline  # noqa: E402
from rag import Config  # noqa: E402
from rag.evaluation.data import load_questions  # noqa: E402
from rag.text.spoken import formal  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "spoken_crud.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("--work", type=Path, default=Path("bench/results"))
    ap.add_argument("--show", action="store_true", help="list the spoken questions missed that "
                    "the written one gets right")
    args = ap.parse_args()
    config = Config()
    idx = built(args.eval_dir / "crud", "crud", args.work, config)
    written = {q.qid: q.question for q in load_questions(args.eval_dir / "crud", "crud")}
    rows = [json.loads(line) for line in DATA.open(encoding="utf-8")]
    as_of = idx.newest_date()
    ways = {"written (CRUD's question)": (lambda r: written[r["qid"]], True),
            "spoken, as typed": (lambda r: r["question"], False),
            "spoken, through formal (product)": (lambda r: r["question"], True)}
    right: dict[tuple[str, str], int] = {}
    got: dict[tuple[str, str], str] = {}
    for name, (pick, on) in ways.items():
        pipeline.formal = formal if on else (lambda q: q)
        for r in rows:
            a = pipeline.answer(pick(r), index=idx, k=5, as_of=as_of)
            key = (name, r["style"])
            right[key] = right.get(key, 0) + (r["answer"] in a.text)
            got[(name, r["qid"])] = a.text
    pipeline.formal = formal
    if args.show:  # what the spoken question missed, beside what the written one got
        first, last = list(ways)[0], list(ways)[-1]
        for r in rows:
            if r["answer"] not in got[(last, r["qid"])]:
                said = [got[(w, r["qid"])].split("\n")[0][:40] for w in (last, first)]
                print(f"{r['style']}: {formal(r['question'])}\n  gold {r['answer']} | spoken: "
                      f"{said[0]} | written: {said[1]}")
    styles = sorted({r["style"] for r in rows})
    count = {s: sum(r["style"] == s for r in rows) for s in styles}
    changed = {s: sum(r["style"] == s and formal(r["question"]) != r["question"] for r in rows)
               for s in styles}
    print("| asked | " + " | ".join(f"{s} ({count[s]})" for s in styles) + " | all |")
    print("|---" * (len(styles) + 2) + "|")
    for name in ways:
        cells = [f"{right.get((name, s), 0) / count[s]:.3f}" for s in styles]
        total = sum(right.get((name, s), 0) for s in styles) / len(rows)
        print(f"| {name} | " + " | ".join(cells) + f" | {total:.3f} |")
    print("questions `formal` changes: " + ", ".join(f"{s} {changed[s]}" for s in styles))


if __name__ == "__main__":
    main()
