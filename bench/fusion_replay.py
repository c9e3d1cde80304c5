"""Fusion rules replayed on both legs' top 50, without querying again.

    python bench/fusion_replay.py ../shared/eval --sets rgb crud chronoqa [--work bench/results]
        [--model e5-small] [--cache legs.pkl]

For every question of each set the index `bench/retrieval.py` built is asked once per leg
(keyword and dense, 50 candidates each, as `Index.search` asks them); the lists and each
chunk's article id are kept (``--cache`` saves them for the next run), then every rule below
fuses them in memory with `rag.retrieval.fusion.score_fusion` and is scored by gold article
(Hit@1/5/10, MRR@10). The ``kw 0.8`` row is the product's default and reproduces
`Index.search`. "flat τ, hi": the dense weight rises from 0.2 towards *hi* as the keyword leg's
relative gap between its 1st and 5th hit falls below τ (lexical evidence that does not separate
the candidates hands the choice to meaning). Results: docs/benchmarks.md, "Every pipeline on
the default e5-small".
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag import Config, Index  # noqa: E402
from rag.evaluation.data import load_questions, retrieval_metrics  # noqa: E402
from rag.retrieval.fusion import score_fusion  # noqa: E402
from rag.store.protocol import Filters  # noqa: E402
from rag.text.tokenizer import query_terms  # noqa: E402


def legs(eval_dir: Path, fmt: str, work: Path, model: str) -> list[tuple]:
    """(keyword list, dense list, gold ids, chunk key -> article id) per question."""
    from tqdm import tqdm

    src = eval_dir / {"rgb": "rgb_zh"}.get(fmt, fmt)
    idx = Index.load(work / f"index-{fmt}-{model}", config=Config())
    rows = []
    for q in tqdm(load_questions(src, fmt), desc=fmt, unit="q"):
        qv = idx.embedder.encode_queries([q.question])[0]
        kw, dense = idx.reader.candidates(qv, query_terms(q.question), 50, Filters(None, None, None))
        keys = {k for k, _ in kw} | {k for k, _ in dense}
        # each hit carries its key as its score, so keys map back to articles
        doc = {int(h.score): h.metadata.get("id") for h in idx.reader.hits([(k, float(k)) for k in keys])}
        rows.append(([(int(k), float(s)) for k, s in kw], [(int(k), float(s)) for k, s in dense],
                     q.gold_ids, doc))
    idx.close()
    return rows


def fixed(w: float):
    return lambda kw, dn: score_fusion(kw, dn, w, 1 - w)


def flat(tau: float, hi: float, lo: float = 0.2, nth: int = 4):
    def fuse(kw, dn):
        gap = (kw[0][1] - kw[nth][1]) / kw[0][1] if len(kw) > nth and kw[0][1] > 0 else 1.0
        wd = lo + (hi - lo) * (1 - min(1.0, gap / tau))
        return score_fusion(kw, dn, 1 - wd, wd)
    return fuse


RULES = {"kw 0.8 : dense 0.2 (default)": fixed(0.8), "0.5 : 0.5": fixed(0.5), "0.3 : 0.7": fixed(0.3),
         "dense only": fixed(0.0), "keyword only": fixed(1.0),
         **{f"flat τ {t}, hi {h}": flat(t, h) for t in (0.2, 0.3, 0.5) for h in (0.6, 0.8)}}


def articles(fused, doc) -> list:
    out = []
    for key, _ in fused:
        d = doc.get(key)
        if d is not None and d not in out:
            out.append(d)
            if len(out) == 10:
                break
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("--sets", nargs="+", default=["rgb", "crud", "chronoqa"])
    ap.add_argument("--work", type=Path, default=Path("bench/results"))
    ap.add_argument("--model", default="e5-small")
    ap.add_argument("--cache", type=Path, help="keep the legs here and reuse them")
    args = ap.parse_args()
    data = pickle.loads(args.cache.read_bytes()) if args.cache and args.cache.exists() else {}
    for fmt in args.sets:
        if fmt not in data:
            data[fmt] = legs(args.eval_dir, fmt, args.work, args.model)
    if args.cache:
        args.cache.write_bytes(pickle.dumps(data))
    print("| fusion (H@1 / H@5 / H@10 / MRR@10) | " + " | ".join(args.sets) + " |")
    print("|---" * (len(args.sets) + 1) + "|")
    for name, rule in RULES.items():
        cells = []
        for fmt in args.sets:
            rows = data[fmt]
            m = retrieval_metrics([articles(rule(kw, dn), doc) for kw, dn, _, doc in rows],
                                  [gold for _, _, gold, _ in rows])
            cells.append(" / ".join(f"{m[x]:.3f}" for x in ("hit@1", "hit@5", "hit@10", "mrr@10")))
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
