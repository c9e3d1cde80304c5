"""How far can fusion go? Per-question oracle over many rankings.

    python bench/ceiling.py ../shared/eval [--models m3e-small e5-small]
        [--weights 0 0.3 0.5 0.8 1] [--work bench/results]

For every question it ranks articles with each model and each keyword weight
(0 = dense only, 1 = keyword only, score fusion in between) and counts the
question as a hit if *any* of those rankings hits.  No single fusion rule,
however adaptive, can beat that oracle, so it bounds what re-weighting the
two legs can give.  It reuses the indexes `bench/retrieval.py` keeps in
--work (built here if missing; e5-small needs `newsrag models prepare e5-small`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag import Config, Index, build_index  # noqa: E402
from rag.evaluation.data import load_questions, write_corpus  # noqa: E402


def rankings(eval_dir: Path, fmt: str, work: Path, model: str, weights: list[float]):
    """{label: [ranked article ids per question]} for one model on one set."""
    src = eval_dir / ("rgb_zh" if fmt == "rgb" else "crud")
    config = Config(model=model)
    index_dir = work / f"index-{fmt}-{model.replace('/', '_')}"
    build_index([write_corpus(src, fmt, work / "corpus")], index_dir, config=config)
    questions = load_questions(src, fmt)
    out = {}
    for w in weights:
        mode = "keyword" if w == 1 else "dense" if w == 0 else "hybrid"
        idx = Index.load(index_dir, config=config.model_copy(
            update={"fusion": "score", "keyword_weight": w, "dense_weight": 1 - w}))
        out[f"{model} kw={w:g}"] = [
            [h.metadata.get("id") for h in idx.search(q.question, 10, per_article=True, mode=mode)]
            for q in questions]
        idx.close()
    return [q.gold_ids for q in questions], out


def hit(ranked: list[str], gold: set[str], k: int) -> bool:
    return bool(gold & set(ranked[:k]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("eval_dir", type=Path, help="path of shared/eval")
    ap.add_argument("--sets", nargs="+", default=["rgb", "crud"], choices=["rgb", "crud"])
    ap.add_argument("--models", nargs="+", default=["m3e-small", "e5-small"])
    ap.add_argument("--weights", nargs="+", type=float, default=[0, 0.3, 0.5, 0.8, 1])
    ap.add_argument("--work", type=Path, default=Path("bench/results"))
    args = ap.parse_args()
    print("| set | ranking | Hit@1 | Hit@5 |\n|---|---|---|---|")
    for fmt in args.sets:
        runs: dict[str, list[list[str]]] = {}
        for model in args.models:
            gold, found = rankings(args.eval_dir, fmt, args.work, model, args.weights)
            runs.update(found)
        pairs = [(i, set(g)) for i, g in enumerate(gold) if g]
        for label, ranked in [*runs.items(), ("**oracle: best of all rows**", None)]:
            h = {k: sum(any(hit(r[i], g, k) for r in (runs.values() if ranked is None else [ranked]))
                        for i, g in pairs) / len(pairs) for k in (1, 5)}
            print(f"| {fmt} | {label} | {h[1]:.3f} | {h[5]:.3f} |", flush=True)


if __name__ == "__main__":
    main()
