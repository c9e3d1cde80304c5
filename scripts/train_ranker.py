"""Fit the answer ranker (``rag/models/reader/ranker.json``) on questions the reader never saw.

    python scripts/train_ranker.py ../shared/train/mrc --out /tmp/ranker --threshold -1.4
    # ~25 min on 2 cores (the reader over 1,126 questions twice); --fit-only refits in a minute

Why this way:
* **Questions**: the 300 CMRC 2018 dev articles that ``scripts/train_reader.py`` holds out
  (same seed), so the reader's margins on them are what it gives on unseen text.
* **Passages as a user meets them**: every CMRC/DRCD paragraph (about 6,000, simplified
  Chinese) is built into a real newsrag index with the default settings, and each question is
  searched like `rag.answer` does (5 hits). Twice: as is, and with the paragraph that answers
  removed from the hits, so the score also learns when the passages do not answer.
* **Labels**: a candidate is right when its short answer holds the gold answer or overlaps it
  (character F1 ≥ 0.6), both with spaces and punctuation removed.
* **Model**: one weight per feature of `rag.answering.span_ranker.FEATURES`, fitted (SciPy
  L-BFGS) to make a right candidate win a softmax over the question's candidates plus "no
  answer" (score 0, the target when no candidate is right), so the score's zero is the refusal
  point; each weight keeps the sign its feature's meaning dictates (`SIGNS`: more of the
  question missing can never help). Five-fold cross-validation by article reports the
  first-candidate accuracy against the hand-set weights of the previous release.
Nothing from the news sets the benchmarks report (rgb_zh, crud, chronoqa) is used. ``--also FILE``
adds rows of news questions held apart from every benchmark sample (`scripts/ranker_chronoqa.py`);
tried in session 12 and not shipped (docs/benchmarks.md, "Fitted on news questions too").
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from train_reader import load_mrc  # noqa: E402

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
# the previous release's hand-set score (margin less what the evidence misses), for comparison
OLD = {"margin": 1.0, "passage_missing": -6.0, "sentence_missing": -4.0, "search_gap": -2.0,
       "other_time": -4.0}


def right(short: str, gold: str) -> bool:
    a, g = _PUNCT.sub("", short).lower(), _PUNCT.sub("", gold).lower()
    if not a or not g:
        return False
    if g in a:
        return True
    common = sum((Counter(a) & Counter(g)).values())
    return common > 0 and 2 * common / (len(a) + len(g)) >= 0.6


def paragraph_ids(examples: list[dict]) -> dict[str, str]:
    """Each distinct paragraph's id in the ranker's index ("p0", "p1", … in order of first use)."""
    paras: dict[str, str] = {}
    for e in examples:
        paras.setdefault(e["context"], f"p{len(paras)}")
    return paras


def dump(mrc: Path, out: Path) -> Path:
    """candidates.jsonl: one row per question and setting — the hits and the reader's spans
    (`rag.answering.span_ranker.snapshot`), so features can be recomputed without the reader."""
    from rag import Config, Index, build_index
    from rag.answering.reader import get_reader
    from rag.answering.span_ranker import reader_input, snapshot

    examples = load_mrc(mrc)
    groups = sorted({e["group"] for e in examples if e["group"].startswith("cmrc2018_dev")})
    held = set(random.Random(0).sample(groups, 300))  # as scripts/train_reader.py
    paras = paragraph_ids(examples)
    corpus = out / "corpus.jsonl"
    with open(corpus, "w", encoding="utf-8") as fh:
        for text, pid in paras.items():
            fh.write(json.dumps({"id": pid, "title": "", "text": text}, ensure_ascii=False) + "\n")
    config = Config()
    build_index([corpus], out / "index", config=config)
    idx = Index.load(out / "index", config=config)
    reader = get_reader()
    rows_path = out / "candidates.jsonl"
    questions = [e for e in examples if e["group"] in held]
    from tqdm import tqdm

    with open(rows_path, "w", encoding="utf-8") as fh:
        for qn, e in enumerate(tqdm(questions, desc="questions", unit="q")):
            gold_id = paras[e["context"]]
            hits = idx.search(e["question"], 10)
            for setting, hs in (("gold", hits[:5]),
                                ("removed", [h for h in hits if h.doc_id != gold_id
                                             and h.metadata.get("id") != gold_id][:5])):
                spans = reader.spans(e["question"], [reader_input(h) for h in hs], per_passage=3)
                fh.write(json.dumps({"q": qn, "group": e["group"], "setting": setting,
                                     "gold": e["answer"], **snapshot(e["question"], hs, spans)},
                                    ensure_ascii=False) + "\n")
    return rows_path


def with_candidates(rows: list[dict]) -> list[dict]:
    """Each row's candidates from its snapshot, labelled against the gold answer."""
    from rag.answering.span_ranker import from_snapshot

    for r in rows:
        gold_ids = set(r.get("gold_ids") or ())  # rows from news: right only from a gold passage
        r["cands"] = [{"short": c.short, "f": c.features, "y": right(c.short, r["gold"]) and
                       (not gold_ids or r["hits"][c.passage]["id"] in gold_ids)}
                      for c in from_snapshot(r)]
    return rows


def matrix(rows: list[dict], names) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, y, owner = [], [], []
    for i, r in enumerate(rows):
        for c in r["cands"]:
            X.append([c["f"].get(n, 0.0) for n in names])
            y.append(c["y"])
            owner.append(i)
    return np.array(X, float), np.array(y, int), np.array(owner)


def outcomes(rows: list[dict], scores: np.ndarray, owner: np.ndarray) -> list[tuple]:
    """Per question and setting: (setting, best score, best is right, any is right)."""
    out = []
    for i, r in enumerate(rows):
        mine = np.flatnonzero(owner == i)
        if not len(mine):
            out.append((r["setting"], -np.inf, False, False))
            continue
        j = mine[np.argmax(scores[mine])]
        out.append((r["setting"], float(scores[j]), bool(r["cands"][j - mine[0]]["y"]),
                    any(c["y"] for c in r["cands"])))
    return out


def table(res: list[tuple], thresholds) -> str:
    lines = ["| threshold | with the answer: right | answered | without it: refused |",
             "|---|---|---|---|"]
    gold = [r for r in res if r[0] == "gold"]
    gone = [r for r in res if r[0] == "removed"]
    for t in thresholds:
        ok = sum(r[2] and r[1] >= t for r in gold) / max(len(gold), 1)
        answered = sum(r[1] >= t for r in gold) / max(len(gold), 1)
        refused = sum(r[1] < t for r in gone) / max(len(gone), 1)
        lines.append(f"| {t:g} | {ok:.3f} | {answered:.3f} | {refused:.3f} |")
    return "\n".join(lines)


THRESHOLD_NOTE = (
    "0 is where 'answer' beats 'no answer' on the reading-comprehension data; news passages on the "
    "same event are harder to refuse, so the shipped engine refuses below -1.4, which keeps RGB's "
    "refusal rate with its gold passages removed at .50, where the previous release had it "
    "(bench/candidates.py; docs/benchmarks.md, 'A learned answer ranker')")
#: the sign each weight must have, from what its feature means (None: the data decides)
SIGNS = {"margin": 1, "passage_missing": -1, "sentence_missing": -1, "passage_missing_idf": -1,
         "sentence_missing_idf": -1, "name_missing": -1, "search_gap": -1,
         "other_time": -1, "agree": 1, "echo": -1, "type_ok": 1, "type_miss": -1, "near": 1}


def _source(row: dict) -> str:
    """Where a row's question comes from: "cmrc2018_dev", "chronoqa" (its group's prefix)."""
    return row["group"].split(":")[0]


def listwise(X: np.ndarray, y: np.ndarray, owner: np.ndarray, names, l2: float = 0.05):
    """(weights, bias) maximising, per question, the probability of a right candidate in a
    softmax over its candidates plus "no answer" (score 0) — the target when none is right —
    so a score above 0 means "answer rather than refuse". Weights keep the signs in `SIGNS`."""
    from scipy.optimize import minimize

    mu, sd = X.mean(0), X.std(0) + 1e-9
    Z = np.hstack([(X - mu) / sd, np.ones((len(X), 1))])
    groups = [np.flatnonzero(owner == q) for q in np.unique(owner)]

    def loss(w):
        total, grad = l2 * w[:-1] @ w[:-1], np.append(2 * l2 * w[:-1], 0.0)
        for i in groups:
            s = np.append(Z[i] @ w, 0.0)  # the last entry: no answer
            m = s.max()
            p = np.exp(s - m)
            p /= p.sum()
            pos = np.append(y[i], 0).astype(bool) if y[i].any() else np.append(np.zeros(len(i)), 1).astype(bool)
            total -= np.log(p[pos].sum() + 1e-12)
            q = np.where(pos, p, 0.0) / (p[pos].sum() + 1e-12)
            grad -= np.vstack([Z[i], np.zeros(Z.shape[1])]).T @ (q - p)
        return total / len(groups), grad / len(groups)

    bounds = [(0, None) if SIGNS.get(n) == 1 else (None, 0) if SIGNS.get(n) == -1 else (None, None)
              for n in names] + [(None, None)]
    w = minimize(loss, np.zeros(Z.shape[1]), jac=True, method="L-BFGS-B", bounds=bounds).x
    weights = w[:-1] / sd
    return weights, float(w[-1] - (mu / sd) @ w[:-1])


def read_rows(path: Path) -> list[dict]:
    rows = []
    for line in path.read_text("utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:  # the last line of a dump cut short
            pass
    return rows


def fit(rows_path: Path, write: Path | None, refuse: float | None, fixed: float | None = None,
        also: list[Path] = ()) -> None:
    from rag.answering.span_ranker import FEATURES

    rows = read_rows(rows_path)
    n_mrc = len(rows) // 2
    for path in also:
        rows += read_rows(path)
    rows = with_candidates(rows)
    X, y, owner = matrix(rows, FEATURES)
    groups = sorted({r["group"] for r in rows})
    fold_of = {g: i % 5 for i, g in enumerate(random.Random(0).sample(groups, len(groups)))}
    row_fold = np.array([fold_of[r["group"]] for r in rows])
    cv = np.zeros(len(y))
    for k in range(5):
        test = row_fold[owner] == k
        w, b = listwise(X[~test], y[~test], owner[~test], FEATURES)
        cv[test] = X[test] @ w + b
    old = sum(X[:, FEATURES.index(n)] * w for n, w in OLD.items())
    print(f"{len(rows)} question-settings, {len(y)} candidates, {y.mean():.1%} right")
    for label, s, ts in (("previous hand-set score", old, (-6, -4, -2.5, -1, 0, 2)),
                         ("learned ranker (5-fold, by article)", cv, (-2, -1, -0.5, 0, 0.5, 1))):
        res = outcomes(rows, s, owner)
        for source in sorted({_source(r) for r in rows}):
            mine = [x for x, r in zip(res, rows) if _source(r) == source]
            gold = [r for r in mine if r[0] == "gold"]
            print(f"\n{label}, {source}: first candidate right {np.mean([r[2] for r in gold]):.3f} "
                  f"(any candidate right {np.mean([r[3] for r in gold]):.3f})\n{table(mine, ts)}")
    weights, bias = listwise(X, y, owner, FEATURES)
    threshold = 0.0  # "answer" beats "no answer"
    if fixed is not None:
        threshold = fixed
    elif refuse is not None:  # or: refuse this share of the questions without their paragraph
        gone = sorted(r[1] for r in outcomes(rows, cv, owner) if r[0] == "removed")
        threshold = float(gone[int(refuse * (len(gone) - 1))])
    print(f"\nthreshold {threshold:.3f}; weights:",
          {n: round(float(w), 3) for n, w in zip(FEATURES, weights)}, "bias", round(bias, 3))
    if write:
        write.write_text(json.dumps({
            "features": list(FEATURES), "weights": [round(float(w), 5) for w in weights],
            "bias": round(bias, 5), "threshold": round(threshold, 4),
            "trained_on": "the 300 CMRC 2018 dev articles held out from the reader's training "
                          f"({n_mrc} questions), asked of a newsrag index over every "
                          "CMRC 2018 / DRCD paragraph, with and without the answering paragraph"
                          + "".join(f"; and the rows of {p} (scripts/ranker_chronoqa.py)" for p in also),
            "objective": "softmax over each question's candidates and 'no answer', sign-constrained",
            "threshold_chosen": THRESHOLD_NOTE if fixed is not None else "0: answering beats 'no answer'"},
            ensure_ascii=False, indent=1) + "\n", "utf-8")
        print(f"wrote {write}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mrc", type=Path, help="folder with cmrc2018_*.json and drcd_*.json")
    ap.add_argument("--out", type=Path, required=True, help="working folder (index, candidates)")
    ap.add_argument("--refuse", type=float, default=None,
                    help="set the threshold to refuse this share of the questions without their "
                         "answering paragraph (default: 0, where answering beats 'no answer')")
    ap.add_argument("--threshold", type=float, default=None,
                    help="the refusal threshold to ship (the shipped file: -1.4, see THRESHOLD_NOTE)")
    ap.add_argument("--write", type=Path, default=ROOT / "rag" / "models" / "reader" / "ranker.json")
    ap.add_argument("--fit-only", action="store_true", help="reuse --out/candidates.jsonl")
    ap.add_argument("--also", nargs="*", type=Path, default=[],
                    help="more candidate rows to fit on (scripts/ranker_chronoqa.py)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = args.out / "candidates.jsonl" if args.fit_only else dump(args.mrc, args.out)
    fit(rows, args.write, args.refuse, args.threshold, args.also)


if __name__ == "__main__":
    main()
