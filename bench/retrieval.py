"""Retrieval benchmark: keyword-only, dense-only and fused on rgb_zh and crud.

    python bench/retrieval.py ../shared/eval [--sets rgb crud] [--limit N]
        [--work bench/results] [--model m3e-small] [--weights 1:1 2:1]

Prints a Markdown table (Hit@1/5/10, MRR@10 by gold article, query latency
p50/p95) plus build throughput. Indexes are kept under --work so a second run
with other fusion weights embeds nothing; chunking changes rebuild them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag import Config, Index, build_index  # noqa: E402
from rag.evaluation.data import load_questions, retrieval_metrics, write_corpus  # noqa: E402


def run_set(eval_dir: Path, fmt: str, work: Path, config: Config, limit: int | None,
            weight_pairs: list[tuple[float, float]], modes: list[str]) -> list[dict]:
    src = eval_dir / {"rgb": "rgb_zh"}.get(fmt, fmt)
    corpus = write_corpus(src, fmt, work / "corpus")
    index_dir = work / f"index-{fmt}-{config.embedding.model.replace('/', '_')}"
    t0 = time.time()
    report = build_index([corpus], index_dir, config=config)
    build_s = time.time() - t0
    chars = sum(len(l) for l in corpus.read_text(encoding="utf-8").splitlines())
    print(f"[{fmt}] {report.summary()}", file=sys.stderr)
    questions = load_questions(src, fmt, limit=limit)
    rows = []
    for mode in modes:
        for kw, dw in (weight_pairs if mode == "hybrid" else [(1.0, 1.0)]):
            weights = config.retrieval.model_copy(update={"keyword_weight": kw, "dense_weight": dw})
            cfg = config.model_copy(update={"retrieval": weights})
            idx = Index.load(index_dir, config=cfg)
            idx.search("预热", 1, mode=mode)  # load the model outside the timing
            ranked, lat = [], []
            for q in questions:
                t = time.perf_counter()
                hits = idx.search(q.question, 10, per_article=True, mode=mode)
                lat.append(time.perf_counter() - t)
                ranked.append([h.metadata.get("id") for h in hits])
            m = retrieval_metrics(ranked, [q.gold_ids for q in questions])
            lat.sort()
            label = f"fused ({cfg.retrieval.fusion} {kw:g}:{dw:g})"
            rows.append({"set": fmt, "mode": mode if mode != "hybrid" else label,
                         **m, "p50_ms": 1000 * statistics.median(lat),
                         "p95_ms": 1000 * lat[int(0.95 * (len(lat) - 1))],
                         "build_s": build_s, "embedded": report.embedded, "chars": chars})
            idx.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("eval_dir", type=Path, help="path of shared/eval")
    ap.add_argument("--sets", nargs="+", default=["rgb", "crud"],
                    choices=["rgb", "crud", "chronoqa"])
    ap.add_argument("--work", type=Path, default=Path("bench/results"))
    ap.add_argument("--limit", type=int)
    ap.add_argument("--model", default=None)
    ap.add_argument("--weights", nargs="+", default=None,
                    help="keyword:dense weight pairs for the fused rows (default: the config's)")
    ap.add_argument("--modes", nargs="+", default=["keyword", "dense", "hybrid"])
    ap.add_argument("--fusion", choices=["cosine", "score", "rrf"], default=None)
    args = ap.parse_args()
    overrides = {k: v for k, v in (("model", args.model), ("fusion", args.fusion)) if v}
    config = Config(**overrides)
    pairs = ([tuple(float(x) for x in w.split(":")) for w in args.weights] if args.weights
             else [(config.retrieval.keyword_weight, config.retrieval.dense_weight)])
    rows = []
    for fmt in args.sets:
        rows += run_set(args.eval_dir, fmt, args.work, config, args.limit, pairs, args.modes)
    e, c = config.embedding, config.chunking
    print(f"\nmodel {e.model}, backend {e.backend}, chunk_size {c.chunk_size}, "
          f"overlap {c.chunk_overlap}, fusion {config.retrieval.fusion}\n")
    print("| set | retrieval | Hit@1 | Hit@5 | Hit@10 | MRR@10 | nDCG@10 | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['set']} | {r['mode']} | {r['hit@1']:.3f} | {r['hit@5']:.3f} | {r['hit@10']:.3f} "
              f"| {r['mrr@10']:.3f} | {r['ndcg@10']:.3f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} |")
    for fmt in args.sets:
        r = next(x for x in rows if x["set"] == fmt)
        if r["embedded"]:
            print(f"\n{fmt}: built in {r['build_s']:.0f}s, {r['embedded']} chunks embedded, "
                  f"{r['chars'] / r['build_s']:.0f} corpus characters/s")


if __name__ == "__main__":
    main()
