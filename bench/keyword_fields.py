"""Does a character-bigram keyword field beside jieba's words help? Measured on built indexes.

    python bench/keyword_fields.py ../shared/eval --sets rgb crud chronoqa [--work bench/results]
        [--model m3e-small] [--weights 0.8:0.2:0 0.6:0.2:0.2 ...] [--limit N]

jieba cuts some names apart (毛军发 → 毛军 / 发出), and its search mode emits a
name's parts only when its dictionary knows them; overlapping character bigrams
of every Chinese run (`rag.text.tokenizer.char_bigrams`) match any name however it
was cut. This script loads an
index `bench/retrieval.py` built (so nothing is embedded again), builds a BM25
over the bigrams of each stored passage (title line included, as the word field
has it) in memory, and fuses three lists — words, vectors, bigrams — with the
product's score fusion extended to a third leg (each leg normalised as
`rag.retrieval.fusion.score_fusion` does). Weights ``w:d:b``; ``0.8:0.2:0`` is
today's default and must reproduce `Index.search`. Prints Hit@1/5/10 and MRR@10
by gold article, one row per weight triple. ``--mixed`` puts words and bigrams
in one bag instead, as the product's keyword field does since index format 2
(`document_terms` / `query_terms`; weights ``0:d:b`` then measure that field). The
first leg is the index's own keyword field, asked as `Index.search` asks it: on a
format-2 index it already holds bigrams, so the words-only figures in
docs/benchmarks.md came from format-1 indexes (the commit before bigrams).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag import Config, Index  # noqa: E402
from rag.evaluation.data import load_questions, retrieval_metrics  # noqa: E402
from rag.retrieval.fusion import score_fusion  # noqa: E402
from rag.retrieval.index import _dedupe  # noqa: E402
from rag.store import bm25_keywords, folder_versions  # noqa: E402
from rag.text.tokenizer import char_bigrams, document_terms, query_terms  # noqa: E402

def fuse(kw, dense, bi, w: float, d: float, b: float) -> list[tuple[int, float]]:
    """The product's score fusion of words and vectors, plus the bigram list normalised
    the same way as the keyword list (its score over the best)."""
    fused = dict(score_fusion(kw, dense, w, d))
    if bi and b > 0:
        top = bi[0][1] or 1.0
        for key, s in bi:
            fused[key] = fused.get(key, 0.0) + b * s / top
    return sorted(fused.items(), key=lambda x: (-x[1], x[0]))


def run_set(eval_dir: Path, fmt: str, index_dir: Path, config: Config, limit: int | None,
            triples: list[tuple[float, float, float]], mixed: bool = False) -> list[str]:
    src = eval_dir / {"rgb": "rgb_zh"}.get(fmt, fmt)
    idx = Index.load(index_dir, config=config)
    live = folder_versions.read_manifest(index_dir)[0]
    con = sqlite3.connect(f"file:{live / 'meta.sqlite'}?mode=ro", uri=True)
    docs = con.execute("SELECT a.title, c.text, c.tokens FROM chunks c JOIN articles a "
                       "USING (doc_id) ORDER BY c.row")
    # mixed: one bag of jieba words and bigrams, as the product's keyword field holds them
    bi_index = bm25_keywords.build([document_terms(tokens, title or "", text) if mixed
                                    else char_bigrams(f"{title or ''} {text}")
                                    for title, text, tokens in docs])
    n_rows = idx.reader.n_chunks
    questions = load_questions(src, fmt, limit=limit)
    n = config.retrieval.candidates
    legs = []
    for q in questions:
        qv = idx.embedder.encode_queries([q.question])[0]
        kw, dense = idx.reader.candidates(qv, query_terms(q.question), n, _no_filters())
        bi_query = query_terms(q.question) if mixed else char_bigrams(q.question)
        bi = bm25_keywords.search(bi_index, bi_query, n, n_rows)
        legs.append((kw, dense, bi))
    lines = []
    for w, d, b in triples:
        ranked = []
        for kw, dense, bi in legs:
            hits = _dedupe(idx.reader.hits(fuse(kw, dense, bi, w, d, b)[: n * 2]), 10, True)
            ranked.append([h.metadata.get("id") for h in hits])
        m = retrieval_metrics(ranked, [q.gold_ids for q in questions])
        lines.append(f"| {fmt} | {w:g}:{d:g}:{b:g} | {m['hit@1']:.3f} | {m['hit@5']:.3f} "
                     f"| {m['hit@10']:.3f} | {m['mrr@10']:.3f} |")
        print(lines[-1], flush=True)
    idx.close()
    return lines


def _no_filters():
    from rag.store.protocol import Filters

    return Filters()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("--sets", nargs="+", default=["rgb", "crud", "chronoqa"])
    ap.add_argument("--work", type=Path, default=Path("bench/results"))
    ap.add_argument("--model", default="m3e-small")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--mixed", action="store_true",
                    help="the third leg is one BM25 over words and bigrams together")
    ap.add_argument("--weights", nargs="+", default=["0.8:0.2:0", "0.6:0.2:0.2", "0.4:0.2:0.4"])
    args = ap.parse_args()
    config = Config(model=args.model)
    triples = [tuple(float(x) for x in t.split(":")) for t in args.weights]
    print("| set | words:dense:bigrams | Hit@1 | Hit@5 | Hit@10 | MRR@10 |\n|---|---|---|---|---|---|")
    for fmt in args.sets:
        index_dir = args.work / f"index-{fmt}-{args.model}"
        run_set(args.eval_dir, fmt, index_dir, config, args.limit, triples, args.mixed)


if __name__ == "__main__":
    main()
