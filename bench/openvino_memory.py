"""Resident memory of the embedding model under OpenVINO as it meets new input shapes.

    python bench/openvino_memory.py bench/results/corpus/crud_-1.jsonl --passages 8192

OpenVINO's CPU plugin keeps compiled kernels per input shape (``CPU_RUNTIME_CACHE_CAPACITY``,
5,000 shapes by default). A build meets every batch length once, longest first, so with the
default those kernels pile up for shapes that never return. This runs the default model
(``Config()``) over the first ``--passages`` 350-character passages of a corpus, in blocks
of 512 sorted longest-first as a build sorts them, once per cache size, each in a fresh
process (OpenVINO does not return memory to the system within one), heap trimmed after each
block, and prints one table: cache size, resident MB when loaded and after the passages,
growth, passages/s, and the lowest cosine of its vectors to the first setting's
(5,000 = OpenVINO's own default, the baseline).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from build_memory import rss_mb  # noqa: E402


def passages(corpus: Path, n: int) -> list[str]:
    out: list[str] = []
    with corpus.open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            text = record.get("text") or record.get("body") or ""
            out.extend(text[i : i + 350] for i in range(0, len(text), 350))
            if len(out) >= n:
                break
    return out[:n]


def child(corpus: Path, n: int, shapes: int, out: Path) -> None:
    """One setting, in this (fresh) process: prints a JSON line of figures."""
    import rag.embedding.openvino_backend as ov_backend
    from rag.config import Config
    from rag.embedding.embedder import Embedder
    from rag.store import heap

    ov_backend.RUNTIME_CACHE_SHAPES = shapes
    texts = passages(corpus, n)
    embedder = Embedder(Config())
    embedder.encode_passages(texts[:8])
    heap.trim()
    loaded = rss_mb()
    t0 = time.perf_counter()
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for lo in range(0, len(texts), 512):
        vectors[lo : lo + 512] = embedder.encode_passages(texts[lo : lo + 512])
        heap.trim()
    seconds = time.perf_counter() - t0
    np.save(out, vectors)
    print(json.dumps({"loaded": loaded, "after": rss_mb(), "per_s": len(texts) / seconds}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path, help="a JSONL corpus (records with 'text')")
    ap.add_argument("--passages", type=int, default=8192)
    ap.add_argument("--shapes", type=int, nargs="+", default=[5000, 16])
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        child(args.corpus, args.passages, args.child, args.out)
        return
    rows, base = [], None
    with tempfile.TemporaryDirectory() as tmp:
        for shapes in args.shapes:
            out = Path(tmp) / f"v{shapes}.npy"
            run = subprocess.run([sys.executable, __file__, str(args.corpus), "--passages", str(args.passages),
                                  "--child", str(shapes), "--out", str(out)],
                                 capture_output=True, text=True, check=True)
            figures = json.loads(run.stdout.strip().splitlines()[-1])
            vectors = np.load(out)
            base = vectors if base is None else base
            cos = float(np.min(np.sum(vectors * base, axis=1)))
            rows.append((shapes, figures, cos))
    print(f"{args.passages} passages, blocks of 512, longest first")
    print("| cache shapes | loaded MB | after MB | growth MB | passages/s | min cos to first |")
    print("|---|---|---|---|---|---|")
    for shapes, f, cos in rows:
        print(f"| {shapes} | {f['loaded']} | {f['after']} | {f['after'] - f['loaded']} | {f['per_s']:.1f} | {cos:.6f} |")


if __name__ == "__main__":
    main()
