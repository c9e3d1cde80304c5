"""The trained extractive reader: where in the retrieved passages is the answer?

A span-extraction model (multilingual-e5-small, MIT, fine-tuned on CMRC 2018 and
DRCD with made unanswerable pairs by ``scripts/train_reader.py``; exported by
``scripts/export_reader.py``) reads the question with each passage and scores
every token as the start or end of the answer; the first token scores "no
answer here". A span's ``margin`` is its start+end score minus that no-answer
score: above zero the model thinks the passage answers, and the engine's
refusal threshold is set on that scale (see `rag.answering.extractive`).

It runs as int8 ONNX through ONNX Runtime with the ``tokenizers`` library: no
torch, transformers or hub at answer time. The files ship inside the package
(``rag/models/reader/``); ``reader.json`` beside them records how they were
made and the check against the torch model at export.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.errors import NewsragError

READER_DIR = Path(__file__).resolve().parents[1] / "models" / "reader"
MAX_LEN = 384  # tokens per window: <s> question </s></s> passage-part </s>
MAX_QUESTION = 48  # question tokens kept
STRIDE = 160  # passage tokens between window starts when a passage is longer
MAX_ANSWER = 64  # tokens in an answer span (a list of four tracks fits easily)


@dataclass(frozen=True)
class Span:
    """An answer span in passage ``passage`` (index into the passages given)."""

    passage: int
    start: int  # character offsets in the passage text
    end: int
    text: str
    margin: float  # span score minus the window's no-answer score


class Reader:
    """Loaded once per process (`get_reader`); `spans` is thread-safe."""

    def __init__(self, folder: Path = READER_DIR, threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model = folder / "reader.onnx"
        if not model.is_file():
            raise NewsragError(f"the answer reader's model file {model} is missing: reinstall "
                               f"newsrag (it ships inside the package)")
        meta = json.loads((folder / "reader.json").read_text("utf-8"))
        self.special = meta["special_ids"]
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])

    def spans(self, question: str, passages: list[str], *, per_passage: int = 2) -> list[Span]:
        """The best spans of every passage (up to ``per_passage`` each, not overlapping),
        best margin first."""
        if not passages:
            return []
        q = self.tokenizer.encode(question, add_special_tokens=False).ids[:MAX_QUESTION]
        encs = self.tokenizer.encode_batch(passages, add_special_tokens=False)
        bos, eos, pad = self.special["bos"], self.special["eos"], self.special["pad"]
        head, room = len(q) + 3, MAX_LEN - len(q) - 4
        rows, where = [], []  # where: (passage no, first token of the window)
        for p, enc in enumerate(encs):
            n = len(enc.ids)
            for w0 in range(0, max(n, 1), STRIDE):
                rows.append([bos] + q + [eos, eos] + enc.ids[w0:w0 + room] + [eos])
                where.append((p, w0))
                if w0 + room >= n:
                    break
        ids = np.full((len(rows), max(map(len, rows))), pad, np.int64)
        for i, r in enumerate(rows):
            ids[i, :len(r)] = r
        start, end = self.session.run(None, {"input_ids": ids,
                                             "attention_mask": (ids != pad).astype(np.int64)})
        found: dict[int, list[Span]] = {}
        for i, (p, w0) in enumerate(where):
            n_tok = len(rows[i]) - head - 1
            offs = encs[p].offsets
            na = float(start[i, 0] + end[i, 0])
            for sc, s, e in _best(start[i, head:head + n_tok], end[i, head:head + n_tok]):
                a, b = offs[w0 + s][0], offs[w0 + e][1]
                text = passages[p][a:b].strip()
                if text:
                    found.setdefault(p, []).append(Span(p, a, b, text, sc - na))
        out = []
        for p, cands in found.items():
            kept: list[Span] = []
            for s in sorted(cands, key=lambda s: -s.margin):
                if all(s.end <= k.start or s.start >= k.end for k in kept):
                    kept.append(s)
                if len(kept) == per_passage:
                    break
            out += kept
        return sorted(out, key=lambda s: -s.margin)


def _best(start: np.ndarray, end: np.ndarray, top: int = 20, keep: int = 4):
    """(score, start token, end token) of the best spans up to MAX_ANSWER tokens long."""
    s_top = np.argsort(-start)[:top]
    e_top = np.argsort(-end)[:top]
    cands = [(float(start[s] + end[e]), int(s), int(e))
             for s in s_top for e in e_top if s <= e < s + MAX_ANSWER]
    return sorted(cands, reverse=True)[:keep]


_reader: Reader | None = None
_lock = threading.Lock()


def get_reader() -> Reader:
    """The process-wide reader, loaded on first use (about 0.3 s)."""
    global _reader
    with _lock:
        if _reader is None:
            _reader = Reader()
        return _reader
