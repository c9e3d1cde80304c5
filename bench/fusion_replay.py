"""Fusion rules replayed on both legs' top 50, without querying again.

    python bench/fusion_replay.py ../shared/eval --sets rgb crud chronoqa [--work bench/results]
        [--model e5-small] [--cache legs.pkl] [--dev rgb_int cmrc --mrc-index MRC_DIR INDEX]

For every question of each set the index `bench/retrieval.py` built is asked once per leg
(keyword and dense, 50 candidates each, as `Index.search` asks them); the lists and each
chunk's article id are kept (``--cache`` saves them for the next run), then every rule below
fuses them in memory with `rag.retrieval.fusion.score_fusion` and is scored by gold article
(Hit@1/5/10, MRR@10). The ``kw 0.8`` row is the product's default and reproduces
`Index.search`. "flat τ, hi": the dense weight rises from 0.2 towards *hi* as the keyword leg's
relative gap between its 1st and 5th hit falls below τ (lexical evidence that does not separate
the candidates hands the choice to meaning). ``--dev`` names sets that no retrieval table
reports (`dev_set`); the rule with the best mean MRR@10 on them is named, so a rule can be
chosen there and judged on the reported sets. Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import pickle
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag import Config, Index, build_index  # noqa: E402
from rag.evaluation.data import load_questions, retrieval_metrics, write_corpus  # noqa: E402
from rag.embedding.embedder import fusion_window  # noqa: E402
from rag.retrieval.fusion import cosine_fusion, score_fusion  # noqa: E402
from rag.store.protocol import Filters  # noqa: E402
from rag.text.tokenizer import query_terms  # noqa: E402


def legs(idx, questions) -> list[tuple]:
    """(keyword list, dense list, gold ids, chunk key -> article id) per (question, gold ids)."""
    from tqdm import tqdm

    rows = []
    for text, gold in tqdm(questions, unit="q"):
        qv = idx.embedder.encode_queries([text])[0]
        kw, dense = idx.reader.candidates(qv, query_terms(text), 50, Filters(None, None, None))
        keys = {k for k, _ in kw} | {k for k, _ in dense}
        # each hit carries its key as its score, so keys map back to articles
        doc = {int(h.score): h.metadata.get("id") for h in idx.reader.hits([(k, float(k)) for k in keys])}
        rows.append(([(int(k), float(s)) for k, s in kw], [(int(k), float(s)) for k, s in dense],
                     gold, doc))
    idx.close()
    return rows


def reported_set(eval_dir: Path, fmt: str, work: Path, model: str) -> tuple:
    """A reported set: the index `bench/retrieval.py` built, every question."""
    src = eval_dir / {"rgb": "rgb_zh"}.get(fmt, fmt)
    idx = Index.load(work / f"index-{fmt}-{model}", config=Config(model=model))
    return idx, [(q.question, q.gold_ids) for q in load_questions(src, fmt)]


def dev_set(name: str, eval_dir: Path, work: Path, model: str, mrc: tuple[Path, Path] | None) -> tuple:
    """A set no retrieval table reports, to choose a rule on. ``rgb_int``: RGB's 100 zh_int
    questions over their own 5,177 passages (news, like zh_refine, but another pool);
    ``cmrc``: 1,000 CMRC 2018 / DRCD questions over every paragraph (the index
    `scripts/train_ranker.py` builds under --out, passed as --mrc-index)."""
    config = Config(model=model)
    if name == "rgb_int":
        src = eval_dir / "rgb_zh"
        corpus = write_corpus(src, "rgb", work / "corpus", int_set=True)
        build_index([corpus], work / f"index-rgb_int-{model}", config=config)
        idx = Index.load(work / f"index-rgb_int-{model}", config=config)
        return idx, [(q.question, q.gold_ids) for q in load_questions(src, "rgb", int_set=True)]
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    from train_ranker import paragraph_ids
    from train_reader import load_mrc

    examples = load_mrc(mrc[0])
    paras = paragraph_ids(examples)
    picked = random.Random(0).sample(examples, 1000)
    return Index.load(mrc[1], config=config), [(e["question"], [paras[e["context"]]]) for e in picked]


def fixed(w: float):
    return lambda kw, dn: score_fusion(kw, dn, w, 1 - w)


def flat(tau: float, hi: float, lo: float = 0.2, nth: int = 4):
    def fuse(kw, dn):
        gap = (kw[0][1] - kw[nth][1]) / kw[0][1] if len(kw) > nth and kw[0][1] > 0 else 1.0
        wd = lo + (hi - lo) * (1 - min(1.0, gap / tau))
        return score_fusion(kw, dn, 1 - wd, wd)
    return fuse


def window(w: float):
    return lambda kw, dn: cosine_fusion(kw, dn, 0.8, 0.2, w)


def rules(model: str) -> dict:
    """Every rule; the model's own window (`FUSION_WINDOW`) or min-max fusion is the default."""
    own = fusion_window(model)
    return {**{f"cosine window {w}" + (" (default)" if w == own else ""): window(w)
               for w in sorted({0.015, 0.02, 0.0225, 0.03, 0.04, 0.06, 0.08, 0.1} | ({own} - {None}))},
            "kw 0.8 : dense 0.2 (min-max)" + ("" if own else " (default)"): fixed(0.8),
            "0.7 : 0.3": fixed(0.7), "0.5 : 0.5": fixed(0.5),
            "0.3 : 0.7": fixed(0.3), "dense only": fixed(0.0), "keyword only": fixed(1.0),
            **{f"flat τ {t}, hi {h}": flat(t, h) for t in (0.1, 0.2, 0.3, 0.5) for h in (0.5, 0.6, 0.8)}}


METRICS = ("hit@1", "hit@5", "hit@10", "mrr@10")


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
    ap.add_argument("--dev", nargs="*", default=[], choices=["rgb_int", "cmrc"],
                    help="sets to choose a rule on (none of them is in a reported table)")
    ap.add_argument("--mrc-index", nargs=2, type=Path, metavar=("MRC_DIR", "INDEX"),
                    help="for --dev cmrc: ../shared/train/mrc and scripts/train_ranker.py's --out/index")
    args = ap.parse_args()
    if "cmrc" in args.dev and not args.mrc_index:
        ap.error("--dev cmrc needs --mrc-index MRC_DIR INDEX (scripts/train_ranker.py builds INDEX)")
    data = pickle.loads(args.cache.read_bytes()) if args.cache and args.cache.exists() else {}
    for fmt in args.sets + args.dev:
        if fmt not in data:
            data[fmt] = legs(*(reported_set(args.eval_dir, fmt, args.work, args.model) if fmt in args.sets
                               else dev_set(fmt, args.eval_dir, args.work, args.model, args.mrc_index)))
    if args.cache:
        args.cache.write_bytes(pickle.dumps(data))
    names = args.dev + args.sets
    RULES = rules(args.model)  # noqa: N806
    scores = {name: {fmt: score(rule, data[fmt]) for fmt in names} for name, rule in RULES.items()}
    print("| fusion (H@1 / H@5 / H@10 / MRR@10) | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for name in RULES:
        print(f"| {name} | " + " | ".join(" / ".join(f"{scores[name][f][x]:.3f}" for x in METRICS)
                                        for f in names) + " |")
    if args.dev:
        best = max(RULES, key=lambda n: sum(scores[n][f]["mrr@10"] for f in args.dev))
        print(f"\nbest mean MRR@10 on {', '.join(args.dev)} (chosen there, reported on the rest): {best}")


def score(rule, rows) -> dict:
    return retrieval_metrics([articles(rule(kw, dn), doc) for kw, dn, _, doc in rows],
                             [gold for _, _, gold, _ in rows])


if __name__ == "__main__":
    main()
