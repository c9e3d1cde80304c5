"""Embedding speed of the build: plain sentence-transformers vs newsrag's variants.

    python bench/embed_speed.py ../shared/eval [--limit N] [--repeat R]
        [--variants ...] [--no-retrieval] [--corpus-limit M] [--questions Q]

Part 1 (speed): the same chunks -- newsrag's chunking (readers, sentence
chunks, title/date header) of a seeded sample of N crud articles and N rgb
passages -- are embedded by each variant. Rounds are interleaved (every
variant once per round, in alternating order, R rounds). The table gives
chunks/s and characters/s of each variant's fastest round; the speed-up over
the baseline (one plain `model.encode` call, which already sorts by length
inside) as the median over rounds of the baseline's time in that round divided
by the variant's (paired rounds, so load from other processes that comes and
goes hurts both sides alike); CPU time per chunk (all threads; less sensitive
to a busy machine than wall time) and the largest cosine difference to the
baseline's fp32 vectors.

Part 2 (retrieval): Hit@1/5/10 and MRR@10 of newsrag dense and fused, built
and queried with the torch backend and with onnx-int8 (separate index
folders), on rgb and crud, via bench/compare.py's newsrag pipeline
(rag.build_index + rag.Index, rag.evaluation.data metrics). --corpus-limit and
--questions shrink it for quick checks; without them it is the full sets.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from rag import Config  # noqa: E402
from rag.text.chunking import chunk_article, context_header  # noqa: E402
from rag.evaluation.data import retrieval_metrics, write_corpus  # noqa: E402
from rag.ingest.readers import read_paths  # noqa: E402

BASELINE = "plain encode (one call)"
VARIANTS = {
    "plain-fixed": "plain encode, input order, fixed batches",
    "plain": BASELINE,
    "embedder": "Embedder length-sorted (torch)",
    "torch-1t": "Embedder torch, 1 thread",
    "onnx": "Embedder onnx fp32",
    "onnx-int8": "Embedder onnx-int8",
    "onnx-int8-1t": "Embedder onnx-int8, 1 thread",
    "onnx-int8-intra": "Embedder onnx-int8, intra-op threads",
    "onnx-int8-b16": "Embedder onnx-int8, batch 16",
    "onnx-int8-b64": "Embedder onnx-int8, batch 64",
    "openvino": "Embedder openvino (bf16 where the CPU has it)",
    "openvino-intra": "Embedder openvino, one stream with intra-op threads",
}


def sample_chunks(eval_dir: Path, work: Path, limit: int, config: Config, seed: int = 0) -> list[str]:
    """newsrag's chunk texts (header + chunk, as the build embeds them) of a seeded sample."""
    texts: list[str] = []
    for fmt, sub in (("crud", "crud"), ("rgb", "rgb_zh")):
        corpus = write_corpus(eval_dir / sub, fmt, work / "corpus")
        articles, _ = read_paths([corpus])
        articles = sorted(articles, key=lambda a: a.key)
        if limit and limit < len(articles):
            articles = random.Random(seed).sample(articles, limit)
        for a in articles:
            header = context_header(a.title, a.date) if config.chunking.title_context else ""
            for c in chunk_article(a, a.doc_id, size=config.chunking.chunk_size, overlap=config.chunking.chunk_overlap):
                texts.append(f"{header}\n{c.text}" if header else c.text)
    return texts


def _embedder(model, batch_size: int):
    """An Embedder around an already loaded model (same encode_passages code as the build)."""
    from rag.embedding.embedder import Embedder

    e = Embedder.__new__(Embedder)
    e.name, e.batch_size, e.model = "m3e-small", batch_size, model
    e.dim = int(model.get_embedding_dimension())
    return e


def make_variants(names: list[str], batch_size: int, cores: int) -> dict:
    """name -> (encode function, torch threads to set or None)."""
    import torch
    from sentence_transformers import SentenceTransformer

    from rag.embedding.embedder import m3e_small_path
    from rag.embedding.onnx_backend import load_onnx_model
    from rag.embedding.openvino_backend import load_openvino_model

    path = str(m3e_small_path())
    st = SentenceTransformer(path, device="cpu")
    st.max_seq_length = min(Config().embedding.max_seq_length, st.max_seq_length or 512)
    onnx_models: dict = {}

    def onnx(backend, threads=None, split=True):
        key = (backend, threads, split)
        if key not in onnx_models:
            load = (lambda: load_openvino_model(path, threads=threads, split_batches=split)) \
                if backend == "openvino" else \
                (lambda: load_onnx_model(path, backend, threads=threads, split_batches=split))
            onnx_models[key] = load()
            onnx_models[key].max_seq_length = st.max_seq_length
        return onnx_models[key]

    def plain_fixed(texts):
        return np.concatenate([st.encode(texts[i:i + batch_size], batch_size=batch_size,
                                         normalize_embeddings=True, show_progress_bar=False)
                               for i in range(0, len(texts), batch_size)])

    def plain(texts):
        return st.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                         show_progress_bar=False)

    table = {
        "plain-fixed": (plain_fixed, cores),
        "plain": (plain, cores),
        "embedder": (_embedder(st, batch_size).encode_passages, cores),
        "torch-1t": (_embedder(st, batch_size).encode_passages, 1),
        "onnx": (lambda: _embedder(onnx("onnx"), batch_size).encode_passages, None),
        "onnx-int8": (lambda: _embedder(onnx("onnx-int8"), batch_size).encode_passages, None),
        "onnx-int8-1t": (lambda: _embedder(onnx("onnx-int8", 1), batch_size).encode_passages, None),
        "onnx-int8-intra": (lambda: _embedder(onnx("onnx-int8", split=False), batch_size).encode_passages,
                            None),
        "onnx-int8-b16": (lambda: _embedder(onnx("onnx-int8"), 16).encode_passages, None),
        "onnx-int8-b64": (lambda: _embedder(onnx("onnx-int8"), 64).encode_passages, None),
        "openvino": (lambda: _embedder(onnx("openvino"), batch_size).encode_passages, None),
        "openvino-intra": (lambda: _embedder(onnx("openvino", split=False), batch_size).encode_passages,
                           None),
    }
    out = {}
    for n in names:
        fn, threads = table[n]
        if n.startswith(("onnx", "openvino")):
            fn = fn()  # load (and on first use export) outside the timing
        out[n] = (fn, threads)
    torch.set_num_threads(cores)
    return out


def speed(texts: list[str], names: list[str], repeat: int, batch_size: int) -> list[dict]:
    import torch

    cores = os.cpu_count() or 1
    variants = make_variants(names, batch_size, cores)
    best: dict[str, float] = {}
    cpu: dict[str, float] = {}
    rounds: dict[str, list[float]] = {n: [] for n in variants}
    vecs: dict[str, np.ndarray] = {}
    for n, (fn, threads) in variants.items():  # warm-up: first-call allocations, thread pools
        torch.set_num_threads(threads or cores)
        fn(texts[:8])
    for r in range(repeat):
        order = list(variants) if r % 2 == 0 else list(reversed(variants))
        for n in order:
            fn, threads = variants[n]
            torch.set_num_threads(threads or cores)
            gc.collect()
            t0, c0 = time.perf_counter(), time.process_time()
            v = fn(texts)
            dt, dc = time.perf_counter() - t0, time.process_time() - c0
            torch.set_num_threads(cores)
            best[n] = min(best.get(n, dt), dt)
            cpu[n] = min(cpu.get(n, dc), dc)
            rounds[n].append(dt)
            vecs.setdefault(n, np.asarray(v, dtype=np.float32))
            print(f"  round {r + 1}: {VARIANTS[n]}: {dt:.1f}s (load average "
                  f"{os.getloadavg()[0]:.1f})", file=sys.stderr)
    ref = vecs.get("plain", next(iter(vecs.values())))
    base = rounds.get("plain")
    chars = sum(len(t) for t in texts)
    rows = []
    for n in variants:
        cos = np.sum(vecs[n] * ref, axis=1) / (np.linalg.norm(vecs[n], axis=1) * np.linalg.norm(ref, axis=1))
        rows.append({"variant": VARIANTS[n], "chunks_s": len(texts) / best[n],
                     "chars_s": chars / best[n], "ratio": (statistics.median(b / t for b, t in zip(base, rounds[n]))
                               if base else None),
                     "cpu_ms": 1000 * cpu[n] / len(texts),
                     "max_cos_diff": float(np.max(np.abs(1 - cos)))})
    return rows


def retrieval(eval_dir: Path, work: Path, sets: list[str], backends: list[str],
              qlimit: int | None, corpus_limit: int | None) -> list[dict]:
    """Hit@k of newsrag dense and fused per backend (compare.py's newsrag pipeline, in process)."""
    from compare import newsrag_pipeline, prepare_set

    rows = []
    for fmt in sets:
        corpus, questions = prepare_set(eval_dir, fmt, work, limit=qlimit, corpus_limit=corpus_limit)
        for backend in backends:
            build_s, info, searches = newsrag_pipeline(corpus, work / f"index-{fmt}-{backend}", backend)
            for label in ("newsrag dense", "newsrag fused"):
                ranked, lat = [], []
                searches[label]("预热")
                for q in questions:
                    t = time.perf_counter()
                    ranked.append(searches[label](q.question))
                    lat.append(time.perf_counter() - t)
                m = retrieval_metrics(ranked, [q.gold_ids for q in questions])
                rows.append({"set": fmt, "backend": backend, "mode": label.split()[1], **m,
                             "build_s": build_s, "chunks": info["chunks"],
                             "p50_ms": 1000 * statistics.median(lat), "n_q": len(questions)})
            print(f"[{fmt}] {backend}: built {info['chunks']} chunks in {build_s:.0f}s", file=sys.stderr)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("eval_dir", type=Path, help="path of shared/eval")
    ap.add_argument("--limit", type=int, default=150,
                    help="articles sampled from each of crud and rgb for the speed table")
    ap.add_argument("--repeat", type=int, default=5, help="interleaved rounds")
    ap.add_argument("--batch-size", type=int, default=Config().embedding.batch_size)
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--no-retrieval", action="store_true")
    ap.add_argument("--sets", nargs="+", default=["rgb", "crud"], choices=["rgb", "crud"])
    ap.add_argument("--backends", nargs="+", default=["torch", "onnx-int8", "openvino"],
                    choices=["torch", "onnx", "onnx-int8", "openvino"])
    ap.add_argument("--questions", type=int, help="retrieval check: seeded sample of questions")
    ap.add_argument("--corpus-limit", type=int, help="retrieval check: at most M documents per set")
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "results" / "embed_speed")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    load0 = os.getloadavg()[0]
    if not args.no_speed:
        texts = sample_chunks(args.eval_dir, args.work, args.limit, Config())
        print(f"{len(texts)} chunks, {sum(map(len, texts)):,} characters", file=sys.stderr)
        rows = speed(texts, args.variants, args.repeat, args.batch_size)
        print(f"\n{len(texts)} chunks ({sum(map(len, texts)):,} characters; {args.limit} crud "
              f"articles + {args.limit} rgb passages), batch size {args.batch_size} unless noted, "
              f"{os.cpu_count()} cores, {args.repeat} interleaved rounds, load average "
              f"{load0:.1f} at start / {os.getloadavg()[0]:.1f} at end\n")
        print("| variant | chunks/s | characters/s | × plain encode | CPU ms/chunk "
              "| max abs cos diff vs fp32 |")
        print("|---|---|---|---|---|---|")
        for r in rows:
            ratio = f"{r['ratio']:.2f}×" if r["ratio"] else "–"
            print(f"| {r['variant']} | {r['chunks_s']:.1f} | {r['chars_s']:,.0f} | {ratio} "
                  f"| {r['cpu_ms']:.0f} | {r['max_cos_diff']:.4f} |")
    if not args.no_retrieval:
        rows = retrieval(args.eval_dir, args.work, args.sets, args.backends, args.questions,
                         args.corpus_limit)
        print("\n| set | backend | retrieval | Hit@1 | Hit@5 | Hit@10 | MRR@10 | build s | chunks "
              "| p50 ms |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['set']} ({r['n_q']} q) | {r['backend']} | {r['mode']} | {r['hit@1']:.3f} "
                  f"| {r['hit@5']:.3f} | {r['hit@10']:.3f} | {r['mrr@10']:.3f} "
                  f"| {r['build_s']:.0f} | {r['chunks']:,} | {r['p50_ms']:.1f} |")
        by = {(r["set"], r["backend"], r["mode"]): r for r in rows}
        for fmt in args.sets:
            for mode in ("dense", "fused"):
                for other in args.backends[1:]:
                    a, b = by.get((fmt, args.backends[0], mode)), by.get((fmt, other, mode))
                    if a and b:
                        d = b["hit@5"] - a["hit@5"]
                        verdict = ("within 0.01" if abs(d) <= 0.01 + 1e-9
                                   else "better" if d > 0 else "WORSE by more than 0.01")
                        print(f"{fmt} {mode}: Hit@5 {other} - {args.backends[0]} = {d:+.3f} ({verdict})")

if __name__ == "__main__":
    main()
