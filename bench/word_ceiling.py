"""How far a large archive lets retrieval go: questions whose words fit many documents.

    python bench/word_ceiling.py ../shared/eval/crud bench/results/corpus/crud_-1.jsonl \
        --index bench/results/index-crud-all [--modes hybrid keyword]

CRUD's questions were written from one article each, and many name no event ("参观的地点有哪些？",
"训练营的时长是多久？"): among 1,328 articles their words single the article out, among
69,549 they fit dozens. For each question this counts the documents of the corpus that hold
every word of the question that its gold article holds (jieba words of two or more
characters, question and function words removed) — ``m``, the gold article included — and
reports Hit@5 of each retrieval mode per band of ``m``. A retriever that only matched words
could do no better among ties than 5 / m, so the mean of min(1, 5 / m) is printed as the
word-only ceiling: what is left above it must come from meaning, not words.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jieba  # noqa: E402

from rag import Index  # noqa: E402
from rag.evaluation.data import load_questions  # noqa: E402
from rag.text.tokenizer import STOPWORDS  # noqa: E402

BANDS = ((1, 5), (6, 20), (21, 100), (101, None))


def fitting_documents(question: str, gold_text: str, texts: list[str]) -> int:
    """How many of ``texts`` hold every word of ``question`` that ``gold_text`` holds (all of
    them when the gold article holds none: nothing in the words points to it)."""
    words = [w for w in dict.fromkeys(jieba.cut(question)) if len(w) >= 2 and w not in STOPWORDS]
    # longest first: a long word is the one most documents lack, so `all` stops soonest
    held = sorted((w for w in words if w in gold_text), key=len, reverse=True)
    if not held:
        return len(texts)
    return sum(all(w in t for w in held) for t in texts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("questions", type=Path, help="shared/eval/crud")
    ap.add_argument("corpus", type=Path, help="the JSONL the index was built from")
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--modes", nargs="+", default=["hybrid", "keyword"])
    args = ap.parse_args()

    docs = {}
    with open(args.corpus, encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            docs[d["id"]] = f"{d.get('title') or ''}\n{d['text']}"
    texts = list(docs.values())
    questions = load_questions(args.questions, "crud")
    idx = Index.load(args.index)
    found = {mode: [any(h.metadata.get("id") in q.gold_ids
                        for h in idx.search(q.question, 5, per_article=True, mode=mode))
                    for q in questions] for mode in args.modes}
    idx.close()
    m = [fitting_documents(q.question, docs.get(q.gold_ids[0], ""), texts) for q in questions]
    n = len(questions)
    print(f"{n} questions over {len(texts):,} documents\n")
    print("| documents holding the question's words (m) | questions | "
          + " | ".join(f"{mode} Hit@5" for mode in args.modes) + " |")
    print("|---|---|" + "---|" * len(args.modes))
    for lo, hi in BANDS + ((1, None),):
        band = [i for i in range(n) if m[i] >= lo and (hi is None or m[i] <= hi)]
        label = "all" if (lo, hi) == (1, None) else f"{lo}–{hi}" if hi else f"over {lo - 1}"
        cells = [f"{sum(found[mode][i] for i in band) / max(len(band), 1):.3f}" for mode in args.modes]
        print(f"| {label} | {len(band)} ({len(band) / n:.1%}) | " + " | ".join(cells) + " |")
    print(f"\nword-only ceiling, mean of min(1, 5/m): {sum(min(1.0, 5 / x) for x in m) / n:.3f}")


if __name__ == "__main__":
    main()
