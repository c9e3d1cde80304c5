"""Which passage sentences answer the question: the extractive engine's sentence scorer.

The trained reader (`rag.answering.reader`) finds the answer span; this scorer ranks
whole sentences, which the engine uses to pick the sentence that supports a
span, to answer yes/no questions, and (``use_reader=False``) as the engine of
earlier releases that quotes one to three sentences. A sentence is scored by

* ``cov``  – weighted share of the query's words it contains (rarer words in
  the candidate pool weigh more, words of the user's own question weigh
  double those carried over from the previous turn; a word found only in the
  title counts .7, only elsewhere in the passage .4, only as characters .3);
* ``sim``  – cosine of question and sentence embeddings (m3e-small), rescaled
  from its useful range [0.5, 0.9] to [0, 1];
* ``kind`` – whether it holds what the question asks for: 多少/几 a number
  with a measure word, 谁 a person name, 何时/什么时候 a date, 哪里 a place.
  A sentence without it keeps only `MISSING_KIND` of its score.

``score = (W_COV*cov + W_SIM*sim) * kind factor``; questions found inside
passages ("…是谁？") are skipped and sentences that themselves ask (什么,
多少 …) are discounted. The best score decides whether to answer at all:
below `THRESHOLD` the engine refuses (`rag.answering.events.REFUSAL`).

Threshold, measured on RGB zh_refine (two seeded samples of 100 questions,
seeds 0 and 1, 168 distinct questions; the m3e-small index of its 7,337
passages built by ``bench/retrieval.py``; k=5). Unanswerable = the same
questions searched with every gold passage removed from the hits (130 of them
have no gold string left in the 5 passages). Accuracy = the answer contains
a gold string:

    threshold  accuracy  answered  wrongly   refused:      refused:
                         wrong     refused   gold removed  no answer left
    0.00       0.74      0.26      0.00      0.00          0.00
    0.50       0.73      0.26      0.02      0.07          0.09
    0.55       0.72      0.26      0.02      0.16          0.19
    0.60       0.70      0.23      0.07      0.26          0.31
    0.65       0.68      0.22      0.10      0.33          0.38
    0.70       0.62      0.21      0.17      0.42          0.48

0.55 is the chosen point: 2 points of accuracy for refusing a fifth of the
unanswerable questions; above it answerable questions start being refused
quickly. RGB's distractors are on-topic (same event, other year), so this
is the hard case: on the sample page, off-topic questions (特斯拉的股价,
2024年巴黎奥运会金牌) score below 0.2 and its factual questions 0.58-0.99.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from rag.answering.injection import is_instruction
from rag.answering.sentence_vectors import passage_vectors
from rag.embedding.embedder import on_reference_scale
from rag.embedding.encoder import Encoder
from rag.text.chunking import CLOSING, SENTENCE_FINAL
from rag.text.sentences import numbers, passage_sentences, terms
from rag.text.tokenizer import tagged
from rag.types import Hit

THRESHOLD = 0.55
W_COV, W_SIM = 0.6, 0.4
MISSING_KIND = 0.5
TITLE_WEIGHT = 0.7  # a query word found only in the article title
CONTEXT_WEIGHT = 0.4  # … only elsewhere in the sentence's passage (the topic set up earlier)
CHAR_WEIGHT = 0.3  # … nowhere, but its characters are in the sentence
ASKING_PENALTY = 0.8
MAX_SENTENCES = 3
WINDOW = 48  # characters of a long sentence's clause window (see _window)
SHORTLIST = 12  # sentences embedded per question (lexical pre-ranking keeps it fast)

_COUNT_Q = re.compile(r"多少|几(?!乎)|多大|多高|多长|多重|多远|人数|数量|总数|票房|产量|销量|规模|比例|增长")
_TIME_Q = re.compile(r"何时|什么时候|什么时间|哪天|哪一天|哪年|哪一年|几月|几号|几日|时间|日期|何日|多久")
_PERSON_Q = re.compile(r"谁|哪位|什么人|哪些人|姓名|名字叫")
_PLACE_Q = re.compile(r"哪里|哪儿|在哪|何地|什么地方|地点|哪个城市|哪座城市|哪个国家")
_UNIT = (r"(?:余|多|万|亿|千|百)*\s*(?:%|‰|％|人次|平方米|平方公里|公里|千米|米|吨|斤|公斤|元|美元|"
         r"欧元|亿元|万元|辆|名|件|人|个月|个|次|家|所|位|项|台|场|部|架|艘|座|幅|篇|本|届|岁|倍|户|套|只|"
         r"头|枚|块|支|种|类|批|期|条|张|份|间|层|天|小时|分钟|秒|周|年|公顷|亩|立方米|千瓦|瓦|册|首|"
         r"棵|门|款|集|页|例|起|宗|笔|轮|票|股|克|升|厘米|毫米|港元|日元|英镑|卢布|韩元|桶|架次|班|趟)")
_NUM = r"(\d[\d,.]*|[一二两三四五六七八九十百千万]+)"
# not inside a number or an ordinal: 第十五届 holds no "五届"
_NOT_INSIDE = r"(?<![第\d.一二两三四五六七八九十百千万])"
_QUANTITY = re.compile(_NOT_INSIDE + _NUM + r"\s*(" + _UNIT + ")")
_DATE_EXACT = re.compile(r"\d{4}年\d{1,2}月|\d{1,2}月\d{1,2}[日号]|\d{4}-\d{1,2}-\d{1,2}")
_DATE = re.compile(r"\d{4}年|\d{1,2}月|\d{1,2}[日号]|[今去前明]年|[昨今前明]天|近日|日前|当天|"
                   r"上午|下午|凌晨|晚间|元旦|春节|[上下本]周|星期.|周[一二三四五六日]")
# units a question asks for: 多少名 -> 名; 多大 -> an area or size …
# the measure word after 多少/几, listed or not ("多少盏花灯" -> 盏)
_ASKED_UNIT = re.compile(r"(?:多少|几)\s*(" + _UNIT + r"|[\u4e00-\u9fff])")
_SIZE_UNITS = {"多大": "平方米 平方公里 公顷 亩 米 岁", "多高": "米 公里 千米", "多长": "米 公里 千米 天 年 小时",
               "多远": "米 公里 千米", "多重": "吨 斤 公斤", "多久": "天 年 个月 小时 分钟 周"}
_SAME = {"人": "人 名 位 人次", "名": "名 人 位", "位": "位 名 人", "钱": "元 美元 欧元 亿元 万元"}
_QUESTION = re.compile("[？?][\"”’」』）)]*$")  # a question in a passage never answers one
_ASKING = re.compile(r"什么|多少|哪些|哪个|是谁|如何|怎么|为何|为什么|是否|吗[？?，。]")
_BYLINE = re.compile(r"^(?:[^，。]{0,24}?[讯电]\s*[（(][^）)]{0,40}[）)]|本报讯|本报电|本刊讯)\s*")


@dataclass
class Candidate:
    hit_no: int  # 0-based position of its passage in the hits
    text: str
    offset: int  # start of the sentence in the article
    score: float = 0.0
    cov: float = 0.0


def question_kind(question: str) -> str | None:
    """What the question asks for; the time test runs first (几月 is a date, not a count)."""
    for kind, pattern in (("time", _TIME_Q), ("person", _PERSON_Q), ("place", _PLACE_Q),
                          ("count", _COUNT_Q)):
        if pattern.search(question):
            return kind
    return None


def wanted_units(question: str) -> set[str]:
    """Measure words the question asks for ("多少名选手" -> 名/人/位), empty if none."""
    units: set[str] = set()
    for m in _ASKED_UNIT.finditer(question):
        unit = m.group(1).lstrip("余多万亿千百").strip()
        units.update(_SAME.get(unit, unit).split())
    for word, listed in _SIZE_UNITS.items():
        if word in question:
            units.update(listed.split())
    if "多少钱" in question:
        units.update(_SAME["钱"].split())
    return units


@lru_cache(maxsize=256)
def _quantity_of(units: frozenset[str]) -> re.Pattern:
    """A number followed by one of ``units`` (longest first, so 人次 wins over 人)."""
    alts = "|".join(sorted(units, key=len, reverse=True))
    return re.compile(_NOT_INSIDE + _NUM + r"\s*(?:余|多|万|亿|千|百)*\s*(?:" + alts + ")")


_UNIT_AFTER = re.compile(r"^(?:余|多|万|亿|千|百)*\s*" + _UNIT)


_PER_TIME = re.compile(r"\s*(?:/|每)\s*(?:小时|时|秒|分钟|天|年)")


def complete_number(text: str, end: int) -> int:
    """``end`` moved past the measure word a span cut off: "80余" -> "80余次", "120公里" ->
    "120公里/小时"."""
    if end and (text[end - 1].isdigit() or text[end - 1] in "余多万亿千百十两一二三四五六七八九"):
        m = _UNIT_AFTER.match(text[end:end + 8])
        if m:
            end += m.end()
    if re.search(r"\d\s*(?:公里|千米|米|立方米|吨|元|次)$", text[max(0, end - 8):end]):
        m = _PER_TIME.match(text[end:end + 6])
        if m:
            end += m.end()
    return end


def quantity_units(text: str) -> set[str]:
    """Measure words of the quantities in ``text`` ("共有800名选手" -> {"名"})."""
    return {m.group(2).lstrip("余多万亿千百").strip() for m in _QUANTITY.finditer(text)}


def has_quantity(text: str, units: set[str]) -> bool:
    """Whether ``text`` holds a number with one of ``units``."""
    return bool(units) and bool(_quantity_of(frozenset(units)).search(text))


def kind_strength(text: str, kind: str | None, units: set[str] = frozenset()) -> float:
    """How well ``text`` holds what the question asks for: 1 clearly, 0 not at all."""
    if kind is None:
        return 1.0
    if kind == "count":
        if units and _quantity_of(frozenset(units)).search(text):
            return 1.0
        best = 0.0
        for m in _QUANTITY.finditer(text):
            unit = m.group(2).lstrip("余多万亿千百").strip()
            arabic = m.group(1)[0].isdigit()
            if unit == "年" and len(m.group(1)) == 4:  # 2023年 is a date, not a count
                continue
            best = max(best, (0.5 if units else 0.85) if arabic else (0.3 if units else 0.6))
        return best
    if kind == "time":
        return 1.0 if _DATE_EXACT.search(text) else 0.8 if _DATE.search(text) else 0.0
    tags = {"person": {"nr", "nrfg", "nrt"}, "place": {"ns"}}[kind]
    return 1.0 if any(w.flag in tags for w in tagged(text)) else 0.0


class SentenceScorer:
    """Scores and selects passage sentences (``threshold`` on the score's 0..1 scale)."""

    def __init__(self, threshold: float = THRESHOLD, max_sentences: int = MAX_SENTENCES):
        self.threshold = threshold
        self.max_sentences = max_sentences

    def score(self, question: str, query: str, hits: list[Hit],
              embedder: Encoder) -> list[Candidate]:
        """All candidate sentences, best first, with their scores."""
        cands, seen = [], set()
        for i, h in enumerate(hits):
            for s in passage_sentences(h):
                text = clean_sentence(s.text)
                key = (h.doc_id, h.start + s.start)
                if (len(text) >= 6 and key not in seen and not _QUESTION.search(text)
                        and not is_instruction(text)):
                    seen.add(key)
                    cands.append((Candidate(i, text, key[1]), f"{h.title}\n", h.text))
        if not cands:
            return []
        q_terms = terms(query) or terms(question)
        focus = terms(question)
        df = {t: sum(t in c.text.lower() for c, *_ in cands) for t in q_terms}
        weight = {t: math.log(1 + (len(cands) + 1) / (df[t] + 0.5)) * (2.0 if t in focus else 1.0)
                  for t in q_terms}
        total = sum(weight.values()) or 1.0
        q_nums = numbers(question)
        for c, title, passage in cands:
            low, tlow, plow = c.text.lower(), title.lower(), passage.lower()
            got = sum(w * (1.0 if t in low else TITLE_WEIGHT if t in tlow else
                           CONTEXT_WEIGHT if t in plow else _chars(t, low))
                      for t, w in weight.items())
            c.cov = got / total
            if q_nums - numbers(c.text) - numbers(title):
                c.cov *= 0.7  # a year or count named in the question is absent
            if _ASKING.search(c.text):
                c.cov *= ASKING_PENALTY  # "…使用什么处理器…" repeats a question, rarely answers it
        cands.sort(key=lambda ct: -ct[0].cov)
        short = [c for c, *_ in cands[:SHORTLIST]]
        kind, units = question_kind(question), wanted_units(question)
        qv = embedder.encode_queries([query])[0]
        windows = [_window(c.text, weight) for c in short]
        vecs = passage_vectors(embedder, [c.text for c in short] + [w for w in windows if w])
        sims, extra = list(vecs[: len(short)] @ qv), iter(vecs[len(short):] @ qv)
        sims = [max(sim, next(extra)) if w else sim for sim, w in zip(sims, windows)]
        sims = on_reference_scale(sims, embedder.name, "query")  # the threshold's scale
        for c, sim in zip(short, sims):
            sim_n = float(np.clip((sim - 0.5) / 0.4, 0.0, 1.0))
            strength = kind_strength(c.text, kind, units)
            factor = MISSING_KIND + (1 - MISSING_KIND) * strength
            c.score = (W_COV * c.cov + W_SIM * sim_n) * factor
        return sorted(short, key=lambda c: -c.score)

    def select(self, question: str, query: str, hits: list[Hit],
               embedder: Encoder) -> list[Candidate]:
        """The best sentence, plus up to two more that add words of the query it lacks."""
        ranked = self.score(question, query, hits, embedder)
        if not ranked or ranked[0].score < self.threshold:
            return []
        chosen = [ranked[0]]
        covered = terms(ranked[0].text)
        wanted = terms(query)
        for c in ranked[1:]:
            if len(chosen) >= self.max_sentences:
                break
            if c.score < max(self.threshold, 0.85 * chosen[0].score):
                break
            new = (terms(c.text) & wanted) - covered
            if new and not any(_similar(c.text, o.text) for o in chosen):
                chosen.append(c)
                covered |= terms(c.text)
        # read in article order: sentences of one article stay together, as they were written
        first = {}
        for c in chosen:
            first.setdefault(hits[c.hit_no].doc_id, len(first))
        return sorted(chosen, key=lambda c: (first[hits[c.hit_no].doc_id], c.offset))


def clean_sentence(sentence: str) -> str:
    """One line, without the 本报讯（记者 …） byline, ending in a full stop. Phrase lines
    joined into one sentence (`rag.text.sentences.passage_sentences`) keep a space between them."""
    # the line breaks of joined phrase lines (not one after a full stop: two sentences quoted)
    text = re.sub(rf"(?<=[^\s…{SENTENCE_FINAL}{re.escape(CLOSING)}])\s*\n\s*", "\x00", sentence.strip())
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])", "", text).replace("\x00", " ")
    text = _BYLINE.sub("", text)
    text = text.rstrip("，,；;：:、")
    if text and text[-1] not in "。！？!?…”’」』）)】》":
        text += "。"
    return text


def _window(sentence: str, weight: dict[str, float], size: int = WINDOW) -> str | None:
    """For a long sentence, its run of clauses (up to ``size`` characters) richest in query
    words: a long sentence dilutes its embedding, the clause holding the answer does not."""
    if len(sentence) <= size:
        return None
    clauses = re.findall(r"[^，；：,;:]+[，；：,;:]?", sentence)
    best, best_gain = None, -1.0
    for i in range(len(clauses)):
        text = ""
        for clause in clauses[i:]:
            if text and len(text) + len(clause) > size:
                break
            text += clause
        gain = sum(w for t, w in weight.items() if t in text.lower())
        if gain > best_gain:
            best, best_gain = text, gain
    return best if best and len(best) < len(sentence) else None


def _chars(term: str, text: str) -> float:
    """Partial credit for a reworded term: 参赛 in "参与竞赛" (its characters, not the word)."""
    if len(term) < 2 or term.isascii():
        return 0.0
    return CHAR_WEIGHT * sum(ch in text for ch in term) / len(term)


def _similar(a: str, b: str) -> bool:
    """Near-duplicates (the same fact from two outlets) by character-bigram Jaccard."""
    ga, gb = {a[i : i + 2] for i in range(len(a) - 1)}, {b[i : i + 2] for i in range(len(b) - 1)}
    return len(ga & gb) / max(len(ga | gb), 1) > 0.5

