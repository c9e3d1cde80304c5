"""What a sentence says that can be checked: its sentences, content words, numbers and names.

The citation check compares these between a claim and the passage it cites; the
extractive engine, the sentence scorer, follow-up rewriting and comparisons use the
same definitions, so "the same number" or "the same name" means one thing everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text.chunking import CLOSING, SENTENCE_FINAL, split_sentences
from rag.text.tokenizer import tagged, tokenize
from rag.types import Hit

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME_TAGS = {"nr", "nrfg", "nrt", "ns", "nt"}
_TITLE_QUOTE = re.compile(r"《[^》]{1,30}》")


def terms(text: str) -> set[str]:
    """Content words: keyword tokens minus single CJK characters (件, 年 … say little)."""
    return {t for t in tokenize(text) if len(t) > 1 or t.isdigit()}


def numbers(text: str) -> set[str]:
    """Arabic numbers with thousands separators removed ("1,313,851" -> "1313851")."""
    out = set()
    for m in _NUMBER.finditer(text):
        n = m.group().replace(",", "")
        out.add(n.rstrip(".") if "." in n else n.lstrip("0") or "0")
    return out


def names(text: str) -> set[str]:
    """Person, place and organisation names (jieba POS tags) and 《titles》."""
    found = {m.group() for m in _TITLE_QUOTE.finditer(text)}
    for w in tagged(text):
        if w.flag in _NAME_TAGS and 2 <= len(w.word) <= 12:
            found.add(w.word)
    return found


@dataclass(frozen=True)
class Sentence:
    """A sentence of a passage with its offsets in the passage text."""

    text: str
    start: int
    end: int


#: a line that ends a sentence (what ends one in `rag.text.chunking`, a closing quote after it)
_ENDS_SENTENCE = re.compile(rf"(?:[{SENTENCE_FINAL}]|…|\.{{3}})[{re.escape(CLOSING)}]*$")
PHRASE_LINE = 40  # characters: a line this short without a full stop is a phrase, not a sentence
MAX_JOINED = 80  # characters: phrase lines joined into one sentence stop here


def passage_sentences(hit: Hit) -> list[Sentence]:
    """The sentences of a retrieved passage, with offsets a citation can highlight.

    Articles copied from social media often put one phrase per line and no full stop
    ("一名被困车内的小女孩" / "因呛水身体不适" / "辅警康安友将她托举过肩" / "在齐胸的水中"): short lines
    without sentence-final punctuation are joined into one sentence (up to `MAX_JOINED`
    characters), so the evidence for an answer is the statement, not a stray phrase."""
    text, out = hit.text, []
    for s in split_sentences(text):
        if out:
            last = out[-1]
            line = text[last.start:last.end]
            if ("\n" in text[last.end:s.start] and len(line.splitlines()[-1]) <= PHRASE_LINE
                    and s.end - s.start <= PHRASE_LINE and not _ENDS_SENTENCE.search(line)
                    and s.end - last.start <= MAX_JOINED):
                out[-1] = Sentence(text[last.start:s.end], last.start, s.end)
                continue
        out.append(Sentence(text[s.start:s.end], s.start, s.end))
    return out


def in_other_length(words: set[str], text: str, rare: set[str] = frozenset()) -> set[str]:
    """The Chinese ``words`` that ``text`` writes in another length: a long word abbreviated
    (高等院校 as 高校: first and last character, the rest in order), or — for the ``rare`` ones,
    names — a short form written out in full (北理工 in 北京理工大学, 央美 in 中央美术学院: an
    abbreviation keeps characters of the full name in order, a few apart)."""
    found = set()
    for w in words:
        if not re.fullmatch(r"[\u4e00-\u9fff]{2,}", w):
            continue
        if w in rare and len(w) <= 4 and re.search(".{0,3}".join(map(re.escape, w)), text):
            found.add(w)
        elif len(w) >= 3 and any(_abbreviates(text[i:i + n], w) for i in _places(text, w[0])
                                 for n in range(2, len(w))):
            found.add(w)
    return found


def _places(text: str, ch: str):
    i = text.find(ch)
    while i != -1:
        yield i
        i = text.find(ch, i + 1)


def _abbreviates(short: str, word: str) -> bool:
    if len(short) < 2 or short[0] != word[0] or short[-1] != word[-1]:
        return False
    rest = iter(word)
    return all(ch in rest for ch in short)
