"""Side-by-side retrieval benchmark: newsrag vs LangChain, LlamaIndex, their hybrid recipes and plain BM25.

    python bench/compare.py ../shared/eval [--sets rgb crud chronoqa] [--limit N]
        [--crud-distractors 10000] [--corpus-limit M] [--work bench/results/compare]
        [--pipelines newsrag langchain llamaindex chatchat llamaindex-hybrid bm25]
        [--backend openvino|torch|onnx|onnx-int8] [--model m3e-small|e5-small]

Same machine, one run, same embedding model (--model: m3e-small, or e5-small with its
"query: " / "passage: " prompts, each from its local folder; bench/peers.py),
same documents, same questions. Each pipeline builds its index and answers
every question in its own subprocess, so build time, peak memory (ru_maxrss)
and query latency are its own. Results are scored at article level: the
retrieved chunks are mapped to their document id and de-duplicated in rank
order, then Hit@1/5/10 and MRR@10 against the gold ids (rag.evaluation.data).

Pipelines (the peers are set up the way their documentation teaches them):
  newsrag     rag.build_index + rag.Index: fused, and each leg alone (dense, keyword)
  langchain   RecursiveCharacterTextSplitter() defaults + HuggingFaceEmbeddings
              (langchain-huggingface) + FAISS (langchain-community) similarity_search
  llamaindex  VectorStoreIndex.from_documents (default SentenceSplitter, in-memory
              vector store) + HuggingFaceEmbedding, Settings.llm = None
  chatchat    Langchain-Chatchat's hybrid recipe: RecursiveCharacterTextSplitter with
              Chinese separators (750/150), EnsembleRetriever([BM25Retriever with
              jieba.lcut_for_search, FAISS retriever], weights [0.5, 0.5])
  llamaindex-hybrid
              the llamaindex pipeline's index + BM25Retriever (llama-index-retrievers-bm25)
              fused by QueryFusionRetriever(num_queries=1, mode="reciprocal_rerank")
  bm25        bm25s over character bigrams of whole documents (no chunking)

Settings: rgb (300 questions over 7,337 passages), crud (1,181 questions over
the 1,328 articles), chronoqa (4,626 dev questions over 6,351 passages) and, with --crud-distractors N > 0, crud over those
articles plus a fixed seeded sample of N corpus.jsonl.gz documents.
--limit takes a seeded sample of the questions; --corpus-limit M (for quick
checks only) keeps the gold documents of the sampled questions plus random
others, M documents in all. The peers need `pip install -e '.[bench]'`;
a pipeline that cannot run is reported as skipped, with the reason.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import peers  # noqa: E402  (bench/peers.py: the pipelines)
from peers import records  # noqa: E402

PIPELINES = ["newsrag", "langchain", "llamaindex", "chatchat", "llamaindex-hybrid", "bm25"]
WARMUP = "预热查询"


# --------------------------------------------------------------------------- data

def prepare_set(eval_dir: Path, fmt: str, work: Path, *, limit: int | None = None,
                distractors: int = 0, corpus_limit: int | None = None, seed: int = 0):
    """(corpus JSONL path, questions) for one setting, written under ``work/corpus``.

    The corpus is rag.evaluation.data.write_corpus's file; with ``corpus_limit`` a
    smaller file holding the sampled questions' gold documents plus random
    others is written next to it (for quick checks).
    """
    from rag.evaluation.data import load_questions, write_corpus

    src = eval_dir / {"rgb": "rgb_zh", "crud": "crud", "chronoqa": "chronoqa"}[fmt]
    corpus = write_corpus(src, fmt, work / "corpus", distractors=distractors, seed=seed)
    questions = load_questions(src, fmt, limit=limit, seed=seed)
    if corpus_limit:
        gold = {g for q in questions for g in q.gold_ids}
        out = corpus.with_name(f"{corpus.stem}_sub{corpus_limit}_q{limit or 'all'}.jsonl")
        if not out.exists():
            recs = list(records(corpus))
            keep = [r for r in recs if r["id"] in gold]
            rest = [r for r in recs if r["id"] not in gold]
            keep += random.Random(seed).sample(rest, max(0, min(len(rest), corpus_limit - len(keep))))
            tmp = out.with_suffix(".tmp")
            with open(tmp, "w", encoding="utf-8") as fh:
                for r in keep:
                    fh.write(json.dumps(r, ensure_ascii=False) + "\n")
            tmp.replace(out)
        corpus = out
    return corpus, questions


# --------------------------------------------------------------------------- pipelines
# Each returns (build seconds, chunks, {label: search function}); search(question) -> doc ids.

def worker(args) -> None:
    """Build one pipeline and answer every question; write timings and rankings as JSON."""
    import logging

    logging.disable(logging.WARNING)
    questions = json.loads(Path(args.questions).read_text(encoding="utf-8"))
    corpus = Path(args.corpus)
    model = peers.peer_model(args.model)
    if args.pipeline == "newsrag":
        build_s, info, searches = peers.newsrag_pipeline(corpus, Path(args.index_dir), args.backend, model)
    elif args.pipeline == "bm25":
        build_s, info, searches = peers.bm25_pipeline(corpus)
    else:
        run = {"langchain": peers.langchain_pipeline, "llamaindex": peers.llamaindex_pipeline,
               "chatchat": peers.chatchat_pipeline,
               "llamaindex-hybrid": peers.llamaindex_hybrid_pipeline}[args.pipeline]
        build_s, info, searches = run(corpus, model)
    runs = {}
    for label, search in searches.items():
        search(WARMUP)  # first-call costs (lazy model load, caches) stay out of the latencies
        ranked, lat = [], []
        for q in questions:
            t = time.perf_counter()
            ranked.append(search(q))
            lat.append(time.perf_counter() - t)
        runs[label] = {"ranked": ranked, "lat": lat}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    Path(args.out).write_text(json.dumps({"build_s": build_s, "peak_mb": peak_mb, **info,
                                          "runs": runs}), encoding="utf-8")


# --------------------------------------------------------------------------- driver

def run_pipeline(name: str, corpus: Path, questions, work: Path, tag: str, backend: str | None,
                 python: str, model: str) -> dict:
    qfile = work / f"questions-{tag}.json"
    qfile.write_text(json.dumps([q.question for q in questions], ensure_ascii=False), encoding="utf-8")
    out = work / f"result-{tag}-{name}.json"
    log = work / f"log-{tag}-{name}.txt"
    out.unlink(missing_ok=True)
    cmd = [python, str(Path(__file__).resolve()), "_worker", name, "--corpus", str(corpus),
           "--questions", str(qfile), "--out", str(out), "--index-dir", str(work / f"index-{tag}"),
           "--model", model]
    if backend:
        cmd += ["--backend", backend]
    t0 = time.time()
    with open(log, "w") as fh:
        proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=str(ROOT))
    if proc.returncode != 0 or not out.exists():
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        reason = " / ".join(tail) or f"exit code {proc.returncode}"
        if "ModuleNotFoundError" in reason:
            reason += "  (install the peers: pip install -e '.[bench]')"
        print(f"[{tag}] {name}: FAILED after {time.time() - t0:.0f}s: {reason} (log: {log})",
              file=sys.stderr)
        return {"error": reason}
    res = json.loads(out.read_text(encoding="utf-8"))
    print(f"[{tag}] {name}: built in {res['build_s']:.1f}s ({res['chunks']} chunks), "
          f"peak {res['peak_mb']:.0f} MB, total {time.time() - t0:.0f}s", file=sys.stderr)
    return res


def score(res: dict, questions) -> list[dict]:
    from rag.evaluation.data import retrieval_metrics

    rows = []
    for label, run in res["runs"].items():
        m = retrieval_metrics(run["ranked"], [q.gold_ids for q in questions])
        lat = sorted(run["lat"])
        rows.append({"pipeline": label, **m, "build_s": res["build_s"], "peak_mb": res["peak_mb"],
                     "chunks": res["chunks"], "p50_ms": 1000 * statistics.median(lat),
                     "p95_ms": 1000 * lat[int(0.95 * (len(lat) - 1))]})
    return rows


def _ratio(x: float, base: float | None) -> str:
    if not base:
        return "–"
    r = x / base
    return f"{r:.2f}×" if r >= 0.1 else f"{r:.1g}×"


def _num(x: float) -> str:
    return f"{x:.1f}" if x >= 1 else f"{x:.2g}"


def print_table(setting: str, n_docs: int, n_q: int, rows: list[dict], skipped: dict) -> None:
    base = next((r for r in rows if r["pipeline"] == "newsrag fused"), None)
    print(f"\n### {setting}: {n_q} questions over {n_docs:,} documents\n")
    print("| pipeline | Hit@1 | Hit@5 | Hit@10 | MRR@10 | chunks | build s | build × | "
          "peak MB | memory × | p50 ms | p95 ms | p50 × | p95 × |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['pipeline']} | {r['hit@1']:.3f} | {r['hit@5']:.3f} | {r['hit@10']:.3f} "
              f"| {r['mrr@10']:.3f} | {r['chunks']:,} | {_num(r['build_s'])} "
              f"| {_ratio(r['build_s'], base and base['build_s'])} | {r['peak_mb']:.0f} "
              f"| {_ratio(r['peak_mb'], base and base['peak_mb'])} | {_num(r['p50_ms'])} "
              f"| {_num(r['p95_ms'])} | {_ratio(r['p50_ms'], base and base['p50_ms'])} "
              f"| {_ratio(r['p95_ms'], base and base['p95_ms'])} |")
    for name, reason in skipped.items():
        print(f"| {name} | skipped: {reason[:120]} " + "| " * 12 + "|")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("eval_dir", type=Path, help="path of shared/eval")
    ap.add_argument("--sets", nargs="+", default=["rgb", "crud"], choices=["rgb", "crud", "chronoqa"])
    ap.add_argument("--limit", type=int, help="seeded sample of N questions per set")
    ap.add_argument("--crud-distractors", type=int, default=10000,
                    help="also run crud over the articles plus N corpus documents (0: skip)")
    ap.add_argument("--corpus-limit", type=int, help="quick checks: at most M documents per corpus")
    ap.add_argument("--pipelines", nargs="+", default=PIPELINES, choices=PIPELINES)
    ap.add_argument("--backend", choices=["openvino", "torch", "onnx", "onnx-int8"],
                    help="newsrag's embedding backend (default: its Config default)")
    ap.add_argument("--model", default="m3e-small", choices=["m3e-small", "e5-small"],
                    help="the embedding model of every pipeline (with its own prompts)")
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "results" / "compare")
    ap.add_argument("--python", default=sys.executable, help="interpreter for the pipeline workers")
    ap.add_argument("--distracted-only", action="store_true",
                    help="with --sets crud, run only crud + the distractors (plain crud measured before)")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)

    settings = []
    for fmt in args.sets:
        if not (fmt == "crud" and args.distracted_only and args.crud_distractors):
            settings.append((fmt, fmt, 0))
        if fmt == "crud" and args.crud_distractors:
            settings.append((f"crud+{args.crud_distractors}", fmt, args.crud_distractors))
    started = time.time()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start",
          file=sys.stderr)
    tables = []
    for setting, fmt, distractors in settings:
        corpus, questions = prepare_set(args.eval_dir, fmt, args.work, limit=args.limit,
                                        distractors=distractors, corpus_limit=args.corpus_limit)
        n_docs = sum(1 for _ in records(corpus))
        tag = re.sub(r"[^\w]+", "_", setting)
        rows, skipped = [], {}
        for name in args.pipelines:
            res = run_pipeline(name, corpus, questions, args.work, tag, args.backend, args.python,
                               args.model)
            if "error" in res:
                skipped[name] = res["error"]
            else:
                rows += score(res, questions)
        tables.append((setting, n_docs, len(questions), rows, skipped))
    print(f"\nmodel {args.model} (local folder, its own prompts) for every pipeline; article-level scoring; "
          f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the end; "
          f"run took {(time.time() - started) / 60:.1f} min")
    for t in tables:
        print_table(*t)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_worker":
        wp = argparse.ArgumentParser()
        wp.add_argument("pipeline", choices=PIPELINES)
        wp.add_argument("--corpus", required=True)
        wp.add_argument("--questions", required=True)
        wp.add_argument("--out", required=True)
        wp.add_argument("--index-dir", required=True)
        wp.add_argument("--backend")
        wp.add_argument("--model", default="m3e-small")
        worker(wp.parse_args(sys.argv[2:]))
    else:
        main()
