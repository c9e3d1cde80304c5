"""Answer-ranker candidates from news questions no benchmark asks (ChronoQA dev, held apart).

    python scripts/ranker_chronoqa.py ../shared/eval --out /tmp/ranker/chronoqa.jsonl [--n 800]
    python scripts/train_ranker.py ../shared/train/mrc --out /tmp/ranker --fit-only \
        --also /tmp/ranker/chronoqa.jsonl --threshold -1.4

Why: the ranker's weights were fitted on reading-comprehension questions, where the passages
without the answer are about other subjects, so refusing is easy there; news passages on the
same kind of event (another day's figure, another year's winner) are what the product has to
refuse or pass over. ChronoQA's single-reference questions are such news questions. Only those
that neither `bench/answers.py --limit 200` nor `bench/candidates.py --limit 300` ask (the
documented benchmark samples) are used, a seeded sample of ``--n``; each is asked through
`rag.answer` on its question date, as is and with its gold passages removed from the hits,
and the reader's candidates are written in `scripts/train_ranker.py`'s row format with the
gold passage ids, so a candidate counts as right only from a gold passage.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from answers import chronoqa_index, chronoqa_questions  # noqa: E402
from candidates import Recording, record  # noqa: E402

from rag import Config, Index  # noqa: E402
from rag.evaluation.measure import ExcludingIndex  # noqa: E402


def held_apart(src: Path, n: int) -> list[dict]:
    """``n`` single-reference questions outside both benchmark samples (seeded)."""
    single = chronoqa_questions(src)
    asked = {q["qid"] for q in chronoqa_questions(src, limit=200)}
    asked |= {q["qid"] for q in random.Random(0).sample(single, min(600, len(single)))}
    rest = [q for q in single if q["qid"] not in asked]
    return random.Random(1).sample(rest, min(n, len(rest)))


def main() -> None:
    from tqdm import tqdm

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--n", type=int, default=800)
    args = ap.parse_args()
    src, config, eng = args.eval_dir / "chronoqa", Config(), Recording()
    idx = Index.load(chronoqa_index(src, args.work, config), config=config)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        for q in tqdm(held_apart(src, args.n), desc="chronoqa", unit="q"):
            gold = {"answer": q["answer"], "gold_ids": q["gold_ids"]}
            for setting, i in (("gold", idx), ("removed", ExcludingIndex(idx, q["gold_ids"]))):
                row = record(i, q["question"], gold, eng, as_of=q["question_date"])
                if row["snap"] is not None:  # None: answered without the reader (yes/no, comparison)
                    fh.write(json.dumps({"q": q["qid"], "group": f"chronoqa:{q['qid']}", "setting": setting,
                                         "gold": q["answer"], "gold_ids": q["gold_ids"], **row["snap"]},
                                        ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
