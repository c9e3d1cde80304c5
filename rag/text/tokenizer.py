"""Chinese keyword tokenisation with jieba, shared by indexing and queries.

Search mode (``cut_for_search``) also emits the short words inside long
compounds ("北京市总工会" -> 北京, 北京市, 总工会 …), so a question that names
only part of an organisation still matches. Question words (多少, 什么, 哪些 …)
and function words are dropped: they appear in questions, not in answers, and
would otherwise pull in passages that merely ask things. Latin words are
lower-cased; numbers stay whole ("3.5", "2023").

Beside jieba's words, the keyword field holds overlapping character bigrams of
every Chinese run (`document_terms` / `query_terms`): jieba cuts some names apart
(毛军发 → 毛军 / 发出), and a bigram matches a name however it was cut. One field,
so both stores (bm25s, Milvus BM25) index it the same way; measured against words
alone in docs/benchmarks.md ("Character bigrams beside words").

Start-up: jieba loads its whole dictionary (500,000 entries) before the first
cut, 0.5-1 s per process, and ``jieba.posseg`` parses the dictionary file again
for its word tags (0.3-0.4 s) -- longer than a search takes. `rag.text.jieba_lexicon`
gives jieba the same dictionary read on demand, per first character, from a
file made once; the cuts are exactly jieba's own.
"""

from __future__ import annotations

import logging
import re
import threading

import jieba

from rag.text.jieba_lexicon import install

jieba.setLogLevel(logging.WARNING)
_lock = threading.Lock()
_ready = False

STOPWORDS = frozenset(
    """
    多少 什么 哪些 哪个 哪里 哪儿 哪 几 几个 几位 几家 几次 怎么 怎样 如何 为什么 为何 是否 是不是
    吗 呢 吧 啊 呀 么 谁 何时 何地 何 什么样 哪一 哪位 哪年 哪天 多久 多长 多大 多高 多远 请问 请
    的 了 和 与 及 或 在 是 有 为 对 将 把 被 从 到 于 以 而 也 都 就 还 又 并 等 中 上 下 其 之 所
    这 那 这个 那个 这些 那些 这次 那次 本次 此次 该 其中 一个 我们 你们 他们 她们 它们 我 你 他 她 它
    了解 据 称 表示 说 指出 介绍 进行 开展 共 共计 约 近 多 余 个
    """.split()
)
_KEEP = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)

install(build=False)  # when the lexicon file exists: jieba and jieba.posseg start at once


def _ensure_loaded() -> None:
    """Make the on-demand lexicon once (or load jieba's dictionary); thread-safe."""
    global _ready
    if not _ready:
        with _lock:
            if not _ready:
                if not install(build=True):
                    jieba.initialize()
                _ready = True


def words(text: str, *, hmm: bool = True) -> list[str]:
    """jieba's cut of ``text``. Every cut goes through here (or `tagged`), so jieba starts on
    the on-demand lexicon whichever module cuts first; a direct ``jieba.lcut`` before any
    search would load the whole dictionary instead (0.5-1 s)."""
    _ensure_loaded()
    return jieba.lcut(text, HMM=hmm)


def tagged(text: str) -> list:
    """jieba's words of ``text`` with their part-of-speech tags (``.word``, ``.flag``)."""
    _ensure_loaded()
    import jieba.posseg as pseg

    return list(pseg.cut(text))


def word_tag(word: str, default: str | None = None) -> str | None:
    """The dictionary's part-of-speech tag of ``word`` (no cut, no guess for unknown words)."""
    _ensure_loaded()
    import jieba.posseg as pseg

    return pseg.dt.word_tag_tab.get(word, default)


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """jieba's words of ``text`` with their start and end offsets."""
    _ensure_loaded()
    return list(jieba.tokenize(text))


def word_frequency(word: str) -> int:
    """How often jieba's dictionary counts ``word`` (0 when it is not a word there)."""
    _ensure_loaded()
    return jieba.dt.FREQ.get(word) or 0


def tokenize(text: str) -> list[str]:
    """Keyword tokens of ``text`` (search mode, stop words and punctuation removed)."""
    _ensure_loaded()
    out = []
    for tok in jieba.cut_for_search(text):
        tok = tok.strip().lower()
        if not tok or tok in STOPWORDS or not _KEEP.search(tok):
            continue
        out.append(tok)
    return out


_RUN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+(?:\.\d+)?")
# question words are cut out of a question before its bigrams are taken: 多少 or
# 什么 in a passage says nothing about whether it answers
_ASKING = re.compile("|".join(sorted((w for w in STOPWORDS if len(w) > 1), key=len, reverse=True)))


def char_bigrams(text: str) -> list[str]:
    """Overlapping character bigrams of each Chinese run (a lone character stays whole);
    Latin words lower-cased and numbers whole, as `tokenize` has them."""
    out = []
    for run in _RUN.findall(text):
        if "\u4e00" <= run[0] <= "\u9fff":
            out += [run[i : i + 2] for i in range(len(run) - 1)] if len(run) > 1 else [run]
        else:
            out.append(run.lower())
    return out


def document_terms(tokens: str, title: str, text: str) -> list[str]:
    """What the keyword index holds for one passage: its stored words (``ChunkRow.tokens``,
    space-joined) and the bigrams of its title and text."""
    return [t for t in tokens.split(" ") if t] + char_bigrams(f"{title} {text}")


def query_terms(query: str) -> list[str]:
    """What a query looks up in the keyword index: its words and the bigrams of what
    remains once question words are cut out."""
    return tokenize(query) + char_bigrams(_ASKING.sub(" ", query))
