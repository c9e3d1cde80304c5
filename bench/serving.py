"""Serving cost and retrieval quality of an index that is already built.

    newsrag build bench/results/corpus/crud_-1.jsonl --index bench/results/index-crud-all
    python bench/serving.py ../shared/eval/crud bench/results/index-crud-all [--format crud]

Loads the index in this fresh process (no build, so the memory figures are
those of a server), asks every question of the set in each retrieval mode and
prints one Markdown table: Hit@1/5/10, MRR@10, query latency p50/p95, plus the
index size on disk and the process' resident memory after loading and at its
peak.  Used for the 69,549-document CRUD index in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag import Index  # noqa: E402
from rag.evaluation.data import load_questions, retrieval_metrics  # noqa: E402
from faiss_scaling import rss_mb  # noqa: E402  (bench/ is on sys.path as the script folder)


def disk_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("questions", type=Path, help="shared/eval/crud or shared/eval/rgb_zh")
    ap.add_argument("index", type=Path)
    ap.add_argument("--format", default="crud", choices=["crud", "rgb"])
    ap.add_argument("--modes", nargs="+", default=["hybrid", "keyword", "dense"])
    ap.add_argument("--limit", type=int)
    args = ap.parse_args()

    base = rss_mb("VmRSS")
    t0 = time.perf_counter()
    idx = Index.load(args.index)
    idx.search("预热", 1)  # loads the model and the indexes outside the timings
    load_s = time.perf_counter() - t0
    loaded = rss_mb("VmRSS")
    info = idx.info()
    live = args.index / (args.index / "CURRENT").read_text().strip()
    print(f"{info['articles']:,} articles, {info['chunks']:,} chunks, {info['vector_index']}, "
          f"backend {info['backend']}; on disk {disk_mb(live):,.0f} MB; loaded in {load_s:.1f}s; "
          f"RSS {base:.0f} MB before load, {loaded:.0f} MB after")
    questions = load_questions(args.questions, args.format, limit=args.limit)
    print("\n| retrieval | Hit@1 | Hit@5 | Hit@10 | MRR@10 | p50 ms | p95 ms |\n|---|---|---|---|---|---|---|")
    for mode in args.modes:
        ranked, lat = [], []
        for q in questions:
            t = time.perf_counter()
            hits = idx.search(q.question, 10, per_article=True, mode=mode)
            lat.append(1000 * (time.perf_counter() - t))
            ranked.append([h.metadata.get("id") for h in hits])
        m = retrieval_metrics(ranked, [q.gold_ids for q in questions])
        lat.sort()
        print(f"| {mode} | {m['hit@1']:.3f} | {m['hit@5']:.3f} | {m['hit@10']:.3f} | {m['mrr@10']:.3f} "
              f"| {statistics.median(lat):.1f} | {lat[int(0.95 * (len(lat) - 1))]:.1f} |", flush=True)
    print(f"\n{len(questions)} questions; peak RSS {rss_mb('VmHWM'):.0f} MB, "
          f"RSS after the queries {rss_mb('VmRSS'):.0f} MB")
    idx.close()


if __name__ == "__main__":
    main()
