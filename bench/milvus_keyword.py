"""Milvus store vs FAISS store on rgb_zh, and which keyword analysis to keep.

    python bench/milvus_keyword.py ../shared/eval --faiss-index bench/results/index-rgb-m3e-small
        [--limit N] [--uri http://127.0.0.1:19530] [--work /tmp/milvus-bench]

Copies a built FAISS index (vectors, chunks, articles: nothing is re-embedded)
into Milvus through `MilvusWriter.commit`, then runs the questions against:
the FAISS store and the Milvus store (keyword, dense, hybrid legs), and, for
the keyword leg, Milvus' own jieba analyzer on the raw chunk text (with and
without newsrag's stop words), queried with the raw question. Prints a
Markdown table (Hit@1/5/10, MRR@10 by gold passage, latency p50/p95) and how
often the two stores return the same top article and the same top-10 list. Without --uri a
`milvus-lite server` is started on a free local port and stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag import Config, Index  # noqa: E402
from rag.store import folder_versions  # noqa: E402
from rag.text.chunking import context_header  # noqa: E402
from rag.evaluation.data import load_questions, retrieval_metrics  # noqa: E402
from rag.store.milvus_store import MilvusWriter, chunk_key  # noqa: E402
from rag.store.protocol import ChunkRow  # noqa: E402
from rag.text.tokenizer import STOPWORDS  # noqa: E402
from rag.types import Article  # noqa: E402


def start_server(work: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "milvus_lite", "server", "--data-dir",
                             str(work / "milvus"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"http://127.0.0.1:{port}"
        time.sleep(0.1)
    raise SystemExit("milvus-lite server did not start")


def copy_into_milvus(faiss_index: Path, config: Config) -> tuple[dict, float]:
    """The FAISS index's articles, chunks and vectors committed as a Milvus build would."""
    folder, manifest = folder_versions.read_manifest(faiss_index)
    con = sqlite3.connect(folder / "meta.sqlite")
    articles = [Article(key=r[1], title=r[3] or "", date=r[4], source=r[5] or "", path=r[6] or "",
                        url=r[7] or "", text=r[8], metadata=json.loads(r[9] or "{}"))
                for r in con.execute("SELECT * FROM articles")]
    chunks = [ChunkRow(*r[1:]) for r in con.execute("SELECT * FROM chunks ORDER BY row")]
    vectors = np.load(folder / "vectors.npy")
    writer = MilvusWriter(faiss_index, config)
    writer.open(config, rebuild=True)
    t = time.perf_counter()
    writer.commit(keep=[], articles=articles, chunks=chunks, vectors=vectors,
                  manifest=manifest.committed(faiss=None, counts=None, articles=None))
    seconds = time.perf_counter() - t
    writer.close()
    return {a.doc_id: a for a in articles}, seconds


def jieba_collection(client, name: str, chunks: list[tuple], docs: dict) -> None:
    """Chunks with Milvus-side jieba analysis of the raw text (the alternative design)."""
    from pymilvus import DataType, Function, FunctionType, MilvusClient

    if client.has_collection(name):
        client.drop_collection(name)
    s = MilvusClient.create_schema(auto_id=False)
    s.add_field("pk", DataType.INT64, is_primary=True)
    s.add_field("v", DataType.FLOAT_VECTOR, dim=2)
    stop = [{"type": "stop", "stop_words": sorted(STOPWORDS)}]
    ix = MilvusClient.prepare_index_params()
    ix.add_index("v", index_type="FLAT", metric_type="L2")
    for field, params in (("jieba", {"tokenizer": "jieba"}),
                          ("jieba_stop", {"tokenizer": "jieba", "filter": stop})):
        s.add_field(field, DataType.VARCHAR, max_length=65535, enable_analyzer=True,
                    analyzer_params=params)
        s.add_field(f"{field}_sparse", DataType.SPARSE_FLOAT_VECTOR)
        s.add_function(Function(name=f"{field}_bm25", function_type=FunctionType.BM25,
                                input_field_names=[field], output_field_names=[f"{field}_sparse"]))
        ix.add_index(f"{field}_sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                     params={"bm25_k1": 1.2, "bm25_b": 0.75})
    client.create_collection(name, schema=s, index_params=ix)
    rows = []
    for chunk_id, doc_id, text in chunks:
        a = docs[doc_id]
        raw = f"{context_header(a.title, a.date)} {text}".strip()
        rows.append({"pk": chunk_key(chunk_id), "v": [0.0, 0.0], "jieba": raw, "jieba_stop": raw})
    for i in range(0, len(rows), 500):
        client.insert(name, rows[i:i + 500])
    client.flush(name)


def evaluate(name: str, questions, search) -> dict:
    """``search(question) -> ranked gold ids``; metrics plus latency."""
    ranked, lat = [], []
    for q in questions:
        t = time.perf_counter()
        ranked.append(search(q.question))
        lat.append(time.perf_counter() - t)
    lat.sort()
    return {"run": name, **retrieval_metrics(ranked, [q.gold_ids for q in questions]),
            "p50_ms": 1000 * statistics.median(lat), "p95_ms": 1000 * lat[int(0.95 * (len(lat) - 1))],
            "ranked": ranked}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("--faiss-index", type=Path, required=True, help="a built rgb_zh FAISS index")
    ap.add_argument("--limit", type=int, help="a seeded sample of the questions")
    ap.add_argument("--uri", help="a running Milvus (default: start milvus-lite)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/milvus-bench"))
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    proc, uri = (None, args.uri) if args.uri else start_server(args.work)
    try:
        faiss_idx = Index.load(args.faiss_index)
        config = Config(store="milvus", milvus_uri=uri, milvus_collection="kwbench",
                        model=faiss_idx.manifest.model)
        docs, commit_s = copy_into_milvus(args.faiss_index, config)
        n_chunks = faiss_idx.manifest.counts["chunks"]
        print(f"committed {n_chunks} chunks into Milvus in {commit_s:.1f}s "
              f"({n_chunks / commit_s:.0f} chunks/s)", file=sys.stderr)
        milvus_idx = Index.load(args.faiss_index, config=config)
        questions = load_questions(args.eval_dir / "rgb_zh", "rgb", limit=args.limit)
        client = milvus_idx.reader.db.client
        con = sqlite3.connect(folder_versions.read_manifest(args.faiss_index)[0] / "meta.sqlite")
        chunks = list(con.execute("SELECT chunk_id, doc_id, text FROM chunks"))
        gold_of = {chunk_key(c): docs[d].metadata.get("id") for c, d, _ in chunks}
        jieba_collection(client, "kwbench_jieba", chunks, docs)
        client.load_collection("kwbench_jieba")

        def native(field: str):
            def search(question: str) -> list:
                res = client.search("kwbench_jieba", data=[question], anns_field=f"{field}_sparse",
                                    limit=50, output_fields=["pk"], search_params={"metric_type": "BM25"})
                return list(dict.fromkeys(gold_of[h["pk"]] for h in res[0]))[:10]
            return search

        def store(idx: Index, mode: str):
            return lambda q: [h.metadata.get("id") for h in idx.search(q, 10, per_article=True, mode=mode)]

        rows = []
        for mode in ("keyword", "dense", "hybrid"):
            rows.append(evaluate(f"FAISS store {mode}", questions, store(faiss_idx, mode)))
            rows.append(evaluate(f"Milvus store {mode}", questions, store(milvus_idx, mode)))
            pairs = list(zip(rows[-2]["ranked"], rows[-1]["ranked"]))
            rows[-1]["same"] = (sum(a[:1] == b[:1] for a, b in pairs) / len(pairs),
                                sum(a == b for a, b in pairs) / len(pairs))
        for field in ("jieba", "jieba_stop"):
            rows.append(evaluate(f"Milvus {field} analyzer keyword (raw question)", questions,
                                 native(field)))
        print(f"\n{len(questions)} questions, {n_chunks} chunks\n")
        print("| run | Hit@1 | Hit@5 | Hit@10 | MRR@10 | p50 ms | p95 ms | same top-1 / top-10 as FAISS |")
        print("|---|---|---|---|---|---|---|---|")
        for r in rows:
            same = "{:.3f} / {:.3f}".format(*r["same"]) if "same" in r else ""
            print(f"| {r['run']} | {r['hit@1']:.3f} | {r['hit@5']:.3f} | {r['hit@10']:.3f} | "
                  f"{r['mrr@10']:.3f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {same} |")
        milvus_idx.close()
        faiss_idx.close()
    finally:
        if proc:
            proc.terminate()
            proc.wait(30)


if __name__ == "__main__":
    main()
