"""Map one embedding model's question-sentence cosines onto m3e-small's scale.

    python bench/cosine_scale.py ../shared/eval [--model e5-small] [--limit 300]

The answer side's similarity thresholds (the sentence scorer, the citation check)
were measured on m3e-small's cosines; another model puts the same pairs
elsewhere (e5-small's cosines of barely related sentences sit above 0.8). For the RGB
questions this takes the sentences of the top 5 passages search finds, embeds
question and sentences with both models (and, for the citation check, one sentence
against the others, all as passages) and maps one scale onto the other by
matching their spread (``m3e ≈ a · other + b``); ``rag.embedding.embedder.COSINE_SCALE`` holds the
result. Prints the scale, the correlation, and how often both sides of a threshold agree.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag import Config, Index  # noqa: E402
from rag.embedding.embedder import Embedder  # noqa: E402
from rag.evaluation.data import load_questions, write_corpus  # noqa: E402
from rag.text.sentences import passage_sentences  # noqa: E402


def cosines(embedder: Embedder, questions: list[str], sentences: list[list[str]], kind: str) -> np.ndarray:
    """query: each question against its sentences (the sentence scorer); passage: each
    list's first sentence, encoded as a passage, against the rest (the citation check)."""
    qv = embedder.encode_queries(questions) if kind == "query" else None
    out = []
    for i, sents in enumerate(sentences):
        vecs = embedder.encode_passages(sents)
        out.extend(vecs @ qv[i] if kind == "query" else vecs[1:] @ vecs[0])
    return np.asarray(out)


def scale(m3e: np.ndarray, other: np.ndarray, label: str) -> None:
    # matching the distributions (mean and spread) keeps the share of pairs above any
    # threshold; a least-squares fit would pull both tails toward the mean
    a = float(np.std(m3e) / np.std(other))
    b = float(np.mean(m3e) - a * np.mean(other))
    mapped = a * other + b
    print(f"\n{label}: {len(m3e):,} pairs")
    for name, c in (("m3e-small", m3e), ("other", other), ("other mapped", mapped)):
        print(f"  {name} cosines: p10 {np.percentile(c, 10):.3f}, median {np.median(c):.3f}, "
              f"p90 {np.percentile(c, 90):.3f}")
    print(f"  scale: m3e ≈ {a:.3f} · other {b:+.3f}   (Pearson r {np.corrcoef(other, m3e)[0, 1]:.3f})")
    for t in (0.6, 0.7, 0.8, 0.85):
        agree = np.mean((m3e >= t) == (mapped >= t))
        print(f"  cosine {t}: m3e above for {np.mean(m3e >= t):.1%} of pairs, mapped above for "
              f"{np.mean(mapped >= t):.1%}; the same side for {agree:.1%}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("--model", default="e5-small")
    ap.add_argument("--limit", type=int, default=300)
    ap.add_argument("--work", type=Path, default=Path("bench/results"))
    args = ap.parse_args()
    src = args.eval_dir / "rgb_zh"
    base = Config(model="m3e-small")
    corpus = write_corpus(src, "rgb", args.work / "corpus")
    index_dir = args.work / "index-rgb-m3e-small"
    from rag import build_index

    build_index([corpus], index_dir, config=base, show_progress=False)
    idx = Index.load(index_dir, config=base)
    questions = load_questions(src, "rgb", limit=args.limit)
    texts = [q.question for q in questions]
    sentences = [[s for h in idx.search(q, 5) for s in (x.text for x in passage_sentences(h)) if s][:40]
                 for q in texts]
    sentences = [s for s in sentences if len(s) > 1]
    texts = texts[: len(sentences)]
    for kind in ("query", "passage"):
        m3e = cosines(Embedder(base), texts, sentences, kind)
        other = cosines(Embedder(Config(model=args.model)), texts, sentences, kind)
        scale(m3e, other, f"{args.model}, {kind} pairs")

if __name__ == "__main__":
    main()
