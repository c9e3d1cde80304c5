"""Resident memory of each phase of a build, at full scale, in minutes instead of hours.

    python bench/build_memory.py bench/results/corpus/crud_-1.jsonl --index /tmp/idx-mem
    python bench/build_memory.py bench/results/corpus/crud_-1.jsonl --index /tmp/idx-mem --model e5-small --real

By default the embedding model is replaced by a stand-in that returns random unit vectors
of the model's dimension (the build's own code runs unchanged around it), so a
69,549-document build's chunking, vector files, SQLite, FAISS and BM25 phases are measured
in about ten minutes; the model's own share is measured beside it (loaded, then after
embedding 1,024 of the corpus' passages, then after the heap is trimmed as the build does)
and added to the phase it is alive in. ``--real`` runs the real model through the whole
build instead (hours at this scale on 2 cores). Prints one table: phase, peak RSS (MB) of
the build and any process it started (a build of `rag.embedding.embed_process.CHILD_FROM`
passages or more embeds in a child process, so the model's share is counted while it embeds
and not in the commit).
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import rag.build as build_module  # noqa: E402
from rag.config import Config  # noqa: E402
from rag.embedding import embed_process  # noqa: E402
from rag.embedding.embedder import Embedder  # noqa: E402
from rag.store import bm25_keywords, faiss_vectors, folder_store, heap, sqlite_records, vector_file  # noqa: E402


def rss_mb(pid: str = "self") -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) // 1024
    except (OSError, StopIteration):  # gone meanwhile
        return 0


def tree_rss_mb(pid: str = "self") -> int:
    """Resident MB of this process and every process below it (a build's embedding child)."""
    total = rss_mb(pid)
    for tasks in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            kids = tasks.read_text().split()
        except OSError:
            continue
        total += sum(tree_rss_mb(k) for k in kids)
    return total


class PhasePeaks:
    """Samples RSS every 50 ms and keeps the peak per named phase."""

    def __init__(self):
        self.phase, self.peaks, self.order = "start", {}, ["start"]
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self):
        while True:
            self.peaks[self.phase] = max(self.peaks.get(self.phase, 0), tree_rss_mb())
            time.sleep(0.05)

    def wrap(self, owner, name: str, label: str) -> None:
        inner = getattr(owner, name)

        def timed(*args, **kwargs):
            outer, self.phase = self.phase, label
            if label not in self.order:
                self.order.append(label)
            try:
                return inner(*args, **kwargs)
            finally:
                self.peaks[label] = max(self.peaks.get(label, 0), tree_rss_mb())
                self.phase = outer
        setattr(owner, name, timed)


class StandIn:
    """Random unit vectors of the model's dimension, batch by batch like `Embedder`."""

    def __init__(self, config: Config):
        self.dim = Embedder(config).dim

    def passage_batches(self, texts):
        rng = np.random.default_rng(0)
        for lo in range(0, len(texts), 256):
            idx = list(range(lo, min(lo + 256, len(texts))))
            v = rng.standard_normal((len(idx), self.dim)).astype(np.float32)
            yield idx, v / np.linalg.norm(v, axis=1, keepdims=True)


def model_share(config: Config, corpus: Path) -> dict[str, int]:
    """MB the model adds: loaded, after embedding 1,024 passages, after `heap.trim`."""
    texts = []
    with corpus.open(encoding="utf-8") as f:
        for line in f:
            texts.append(str(json.loads(line).get("text", ""))[:400])
            if len(texts) == 1024:
                break
    gc.collect()
    heap.trim()
    base = rss_mb()
    embedder = Embedder(config)
    _ = embedder.model
    loaded = rss_mb() - base
    for _ in embedder.passage_batches(texts):
        pass
    embedding = rss_mb() - base
    heap.trim()
    return {"loaded": loaded, "embedding": embedding, "after trim": rss_mb() - base}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", type=Path, help="a JSONL file of articles")
    ap.add_argument("--index", type=Path, required=True, help="a scratch index folder (replaced)")
    ap.add_argument("--model", default="m3e-small")
    ap.add_argument("--real", action="store_true", help="embed with the real model throughout")
    args = ap.parse_args()
    config = Config(model=args.model)
    peaks = PhasePeaks()
    child_from = embed_process.CHILD_FROM  # where the real model would run: a child from here on
    if not args.real:
        build_module.Embedder = StandIn
        embed_process.CHILD_FROM = 10**12  # the stand-in runs in this process
    for owner, name, label in [
        (build_module, "read_paths", "read files"), (build_module, "_chunk", "chunk + tokenise"),
        (build_module, "_embed", "embed (vector file)"),
        (sqlite_records, "insert_articles", "commit: articles to SQLite"),
        (sqlite_records, "insert_chunks", "commit: chunks to SQLite"),
        (vector_file, "save", "commit: vectors.npy"), (faiss_vectors, "build", "commit: FAISS"),
        (bm25_keywords, "build", "commit: BM25"), (folder_store.FaissWriter, "commit", "commit (rest)"),
    ]:
        peaks.wrap(owner, name, label)
    shutil.rmtree(args.index, ignore_errors=True)
    started = time.time()
    report = build_module.build_index([args.corpus], args.index, config=config, show_progress=False)
    seconds = time.time() - started
    with open("/proc/self/status") as f:
        hwm = next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) // 1024
    share = None if args.real else model_share(config, args.corpus)
    in_child = report.embedded >= child_from
    print(f"{report.chunks:,} passages of {args.corpus.name}, {args.model}, "
          f"{'real model' if args.real else 'stand-in encoder'}, {seconds:.0f} s\n")
    print("| phase | peak RSS (MB) |" + (" with the model (MB) |" if share else ""))
    print("|---|---|" + ("---|" if share else ""))
    for label in peaks.order[1:]:
        cell = ""
        if share:  # alive from its first batch on; scratch freed by the trim after embedding;
            # gone before the commit when it ran in a child process
            extra = share["embedding"] if label == "embed (vector file)" else (
                share["after trim"] if label.startswith("commit") and not in_child else 0)
            cell = f" {peaks.peaks.get(label, 0) + extra:,} |"
        print(f"| {label} | {peaks.peaks.get(label, 0):,} |{cell}")
    where = ("a child process" if in_child else "this process") if args.real else (
        f"a stand-in here; the real model would run in {'a child process' if in_child else 'this process'}")
    print(f"\nwhole build: peak {hwm:,} MB (VmHWM of this process); {report.embedded:,} passages "
          f"embedded in {where}; phase peaks are of the whole process tree (resident sizes summed, "
          "so pages shared by parent and child count twice: an upper bound)")
    if share:
        print(f"model {args.model}: +{share['loaded']} MB loaded, +{share['embedding']} MB while "
              f"embedding, +{share['after trim']} MB after the heap is trimmed")


if __name__ == "__main__":
    main()
