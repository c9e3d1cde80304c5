"""How the FAISS index types trade recall, memory and speed at a million chunks.

    python bench/faiss_scaling.py [--n 1000000] [--queries 500] [--hnsw-n 250000]

Synthetic vectors of the model's dimension (512), clustered like real
embeddings rather than uniform (uniform vectors make every ANN index look bad
and every cluster look alike): a Gaussian mixture with n/50 components, a
power-law spectrum (alpha 0.33) and a shared mean direction. Tuned so that its
statistics match m3e-small's vectors of rgb_zh's 7,466 chunks: random-pair
cosine 0.65 (real 0.64), nearest-neighbour cosine 0.89 (0.89), principal
components for 50/80/90 % of the variance 46/144/255 (42/144/218).

Recall@10 is measured against exact search (Flat) on held-out queries from the
same mixture. Index size is the serialised size; RSS is the growth of this
process while the index is built. Latency is one query at a time, as the app
searches (one thread). HNSW is built on the first --hnsw-n vectors only (its build is the
slowest by far on 2 cores); its bytes per vector do not depend on n.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import tempfile
import time

import faiss
import numpy as np

DIM = 512
THREADS = 2


def mixture(n: int, n_queries: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(database, queries): normalised draws of one clustered distribution."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((DIM, DIM)).astype(np.float32))
    scale = np.arange(1, DIM + 1, dtype=np.float32) ** -0.33
    scale /= np.sqrt((scale ** 2).sum())
    mean = rng.standard_normal(DIM).astype(np.float32)
    mean *= 1.75 / np.linalg.norm(mean)
    centers = (rng.standard_normal((max(1, n // 50), DIM)).astype(np.float32) * scale) @ basis.T

    def draw(m: int) -> np.ndarray:
        out = np.empty((m, DIM), dtype=np.float32)
        for i in range(0, m, 100_000):
            k = min(100_000, m - i)
            x = mean + centers[rng.integers(0, len(centers), k)]
            x += 0.8 * ((rng.standard_normal((k, DIM)).astype(np.float32) * scale) @ basis.T)
            out[i:i + k] = x / np.linalg.norm(x, axis=1, keepdims=True)
        return out

    return draw(n), draw(n_queries)


def rss_mb(field: str = "VmRSS") -> float:
    """VmRSS (resident now) or VmHWM (peak) of this process, in MB."""
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(field + ":")) / 1024


def size_bytes(index: faiss.Index) -> int:
    with tempfile.NamedTemporaryFile(dir=os.environ.get("TMPDIR", "/tmp")) as f:
        faiss.write_index(index, f.name)
        return os.path.getsize(f.name)


def measure(name, index, queries, truth, n, build_s, rss, nprobes=(0,), data=None) -> list[dict]:
    """Recall@10 (and, with ``data``, recall after an exact rerank of the top 40 read
    from the stored vectors, as vectors.npy would serve them), size and latency."""
    rows, size = [], size_bytes(index)
    for nprobe in nprobes:
        if nprobe:
            faiss.extract_index_ivf(index).nprobe = nprobe
        for rerank in ([0, 40] if data is not None else [0]):
            _, found = index.search(queries, rerank or 10)
            if rerank:
                found = [c[np.argsort(-(data[c] @ q))[:10]] for c, q in zip(found, queries)]
            recall = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth)])
            lat = []
            faiss.omp_set_num_threads(1)  # one query, one thread: as a loaded app serves it
            for q in queries[:100]:
                t = time.perf_counter()
                _, c = index.search(q[None], rerank or 10)
                if rerank:
                    np.argsort(-(data[c[0]] @ q))
                lat.append(1000 * (time.perf_counter() - t))
            faiss.omp_set_num_threads(THREADS)
            lat.sort()
            label = name + (f" nprobe={nprobe}" if nprobe else "") + (f" +rerank {rerank}" if rerank else "")
            rows.append({"index": label, "n": n, "recall": recall, "bytes_per_vec": size / n,
                         "mb_per_m": size / n * 1e6 / 2**20, "rss_mb": rss, "build_s": build_s,
                         "p50": statistics.median(lat), "p95": lat[int(0.95 * (len(lat) - 1))]})
            print(rows[-1], flush=True)
    return rows


def ivf_indexes(data, queries, truth, nlist, skip) -> list[dict]:
    """IVF-SQ8 as rag.store.faiss_vectors builds it (nlist = 4 sqrt(n), trained on 100k
    vectors), then IVF-PQ on the same coarse quantizer and coarse assignment
    (their build time counts the shared k-means and assignment too).
    "+rerank 40": the top 40 re-scored exactly from the stored float vectors."""
    n, rows = len(data), []
    train = data[np.random.default_rng(1).choice(n, min(n, 100_000), replace=False)]
    base, t = rss_mb(), time.perf_counter()
    sq8 = faiss.index_factory(DIM, f"IVF{nlist},SQ8", faiss.METRIC_INNER_PRODUCT)
    sq8.train(train)
    kmeans_s = time.perf_counter() - t
    t = time.perf_counter()
    _, assign = sq8.quantizer.search(data, 1)
    assign = np.ascontiguousarray(assign.ravel())
    assign_s = time.perf_counter() - t
    print(f"k-means {nlist} lists {kmeans_s:.0f}s, assignment {assign_s:.0f}s", flush=True)
    variants = [] if "ivf-sq8" in skip else [("SQ8", sq8)]
    if "ivf-pq" not in skip:
        variants.append(("PQ64", faiss.IndexIVFPQ(sq8.quantizer, DIM, nlist, 64, 8,
                                                  faiss.METRIC_INNER_PRODUCT)))
    probes = sorted({16, 32, 64, 128, max(8, nlist // 16)})
    for code, index in variants:
        if code != "SQ8":
            base = rss_mb()  # SQ8's growth includes the shared coarse quantizer, PQ's not
        t = time.perf_counter()
        if not index.is_trained:
            index.train(train[:50_000])  # PQ codebooks only: 200 points per centroid
        index.add_core(n, faiss.swig_ptr(data), None, faiss.swig_ptr(assign))
        build_s = kmeans_s + assign_s + time.perf_counter() - t
        rows += measure(f"IVF{nlist},{code}", index, queries, truth, n, build_s,
                        rss_mb() - base, probes, data)
        index.reset()  # frees its codes; the shared coarse quantizer stays
    return rows


def main() -> None:
    global THREADS
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--hnsw-n", type=int, default=200_000)
    ap.add_argument("--threads", type=int, default=2, help="for building (queries use 1)")
    ap.add_argument("--skip", nargs="*", default=[], help="flat ivf-sq8 ivf-pq hnsw")
    args = ap.parse_args()
    THREADS = args.threads
    faiss.omp_set_num_threads(THREADS)
    t0 = time.time()
    data, queries = mixture(args.n, args.queries)
    print(f"data {data.shape} in {time.time() - t0:.0f}s", flush=True)
    base, t = rss_mb(), time.perf_counter()
    flat = faiss.IndexFlatIP(DIM)
    flat.add(data)
    flat_s, flat_rss = time.perf_counter() - t, rss_mb() - base
    _, truth = flat.search(queries, 10)
    rows = [] if "flat" in args.skip else measure("Flat", flat, queries, truth, args.n, flat_s, flat_rss)
    del flat
    nlist = max(16, min(int(4 * math.sqrt(args.n)), args.n // 39))
    rows += ivf_indexes(data, queries, truth, nlist, args.skip)
    if "hnsw" not in args.skip:
        sub = data[:args.hnsw_n]
        exact = faiss.IndexFlatIP(DIM)
        exact.add(sub)
        _, sub_truth = exact.search(queries, 10)
        del exact
        base, t = rss_mb(), time.perf_counter()
        hnsw = faiss.IndexHNSWFlat(DIM, 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = 80
        hnsw.add(sub)
        s, rss = time.perf_counter() - t, rss_mb() - base
        for ef in (64, 128):
            hnsw.hnsw.efSearch = ef
            rows += measure(f"HNSW32 efC=80 ef={ef}", hnsw, queries, sub_truth, len(sub), s, rss)
    print(f"\n{args.n:,} x {DIM} clustered vectors, {args.queries} queries, "
          f"{THREADS} build threads, 1 query thread, total {time.time() - t0:.0f}s\n")
    print("| index | n | recall@10 | bytes/vector | MB per 1M | RSS growth MB | build s | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['index']} | {r['n']:,} | {r['recall']:.3f} | {r['bytes_per_vec']:.0f} | "
              f"{r['mb_per_m']:.0f} | {r['rss_mb']:.0f} | {r['build_s']:.1f} | {r['p50']:.2f} | "
              f"{r['p95']:.2f} |")


if __name__ == "__main__":
    main()
