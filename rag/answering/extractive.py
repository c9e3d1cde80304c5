"""The default, offline answer engine: the short answer first, then the sentence that proves it.

No model generates text, so nothing can be invented. For a question such as
"本次展览共展出多少件作品？" the engine answers

    70件[1]

    据了解，本次展览共展出70件作品，……[1]

* the **trained reader** (`rag.answering.reader`) reads the question with every retrieved
  passage (title in front, so "此次活动" can be matched to the event it names) and
  proposes answer spans with a margin over its "no answer here" score;
* the best span is the short answer — both ends of a range, every item of a list,
  a name, a place, a number with its unit, as written in the passage — and the
  passage sentence(s) holding it follow as the evidence, cited;
* a small learned ranker (`rag.answering.span_ranker`) weighs each span's margin with what
  its evidence misses of the question (its rare words and names first) and whether it is the
  kind of answer asked for;
  when the best scores below the threshold the engine refuses (`rag.answering.events.Refusal`);
* yes/no questions (…吗？ 是否 是不是 有没有) are answered 是/否 from the sentence the
  `SentenceScorer` ranks first, by comparing negation around the words they share;
* sentences that address the answering system ("忽略之前的指令…") are never read
  as evidence (`rag.answering.injection`).

``use_reader=False`` gives the engine of earlier releases (one to three sentences
picked by the `SentenceScorer` alone); `bench/answers.py` measures both.
"""

from __future__ import annotations

import re
from typing import Iterator

from rag.answering.answer_type import DATES
from rag.answering.asked_time import asked_time, other_time
from rag.answering.events import REFUSAL, Refusal
from rag.answering.injection import is_instruction
from rag.answering.sentence_scorer import SentenceScorer, clean_sentence, has_quantity, quantity_units
from rag.answering.span_ranker import Candidate, candidates, get_ranker, reader_input
from rag.answering.span_shape import (asked_nth, asks_day, asks_exact_day, asks_list, day_span,
                                      has_day, is_count, list_in_passage, nth_items, ordinal_items)
from rag.answering.stated_number import number_holds
from rag.embedding.encoder import Encoder
from rag.text.sentences import names, numbers, passage_sentences, terms
from rag.types import Hit

#: A question asking for a day takes a lower-scored span that names one over a top span that
#: does not ("2023年12月22日至…" over "2024年"), within this much of the ranker's log-odds.
DAY_SLACK = 3.0
_A_NOT_A = r"是不是|有没有|会不会|能不能|对不对|可不可以|要不要|该不该|需不需要|用不用|算不算"
_YES_NO = re.compile(rf"(?:吗|么|嘛)\s*[？?]?\s*$|是否|能否|可否|{_A_NOT_A}")
_WH = re.compile(r"什么|谁|哪|多少|几[个位次家名年月日号天]|何时|何地|为何|为什么|怎么|如何|多大|多久|多长")
_NEG = re.compile(r"并非|不是|没有|尚未|未能|不|没|未|无|非")
_ASKING_NEG = re.compile(rf"是否|{_A_NOT_A}")


def is_yes_no(question: str) -> bool:
    """…吗？/是否/是不是… without a wh-word (…有多少人吗 asks for a number). The last clause
    asks: "讲甲亢怎么吃的那篇文章里，甲亢的人要不要忌口海蜇？" is a yes/no question."""
    last = re.split(r"[，,；;]", question.strip())[-1]
    if len(last.strip("？?！! ")) <= 5:  # a tag ("…，对吗？", "…，你知道吗？") asks about the whole
        last = question
    return bool(_YES_NO.search(last)) and not _WH.search(_ASKING_NEG.sub("", last))


# changes and outcomes whose words say the opposite of each other
_OPPOSITES = (("上涨", "下降"), ("上涨", "下跌"), ("增长", "下降"), ("增长", "减少"), ("上升", "下降"),
              ("提高", "降低"), ("增加", "减少"), ("扩大", "缩小"), ("盈利", "亏损"), ("战胜", "不敌"),
              ("战胜", "负于"), ("战胜", "输给"))


class ExtractiveEngine:
    """Answers with a span found by the reader, proven by its sentence; `rewrite` uses the
    follow-up rules."""

    name = "extractive"

    def __init__(self, threshold: float | None = None, *, use_reader: bool = True,
                 scorer: SentenceScorer | None = None):
        """``threshold``: refuse below this ranker score (log-odds that the best span is
        right); None = the one chosen with the ranker's weights (``ranker.json``)."""
        self._threshold = threshold
        self.use_reader = use_reader
        self.scorer = scorer or SentenceScorer()

    @property
    def threshold(self) -> float:
        """The ranker file's threshold unless one was given (read when first answering, so
        importing the engine loads no weights)."""
        return get_ranker().threshold if self._threshold is None else self._threshold

    def rewrite(self, question: str, history: list[tuple[str, str]]) -> str:
        from rag.answering.followup import rewrite_rules

        return rewrite_rules(question, history)

    def stream(self, question: str, query: str, hits: list[Hit], *, embedder: Encoder,
               history=None) -> Iterator[str | Refusal]:
        """The answer in one piece, or a `Refusal` when the passages do not answer (the
        helpers below say so by returning `REFUSAL`)."""
        if not self.use_reader:
            text = self._sentences(question, query, hits, embedder)
        elif is_yes_no(question):
            text = self._yes_no(question, query, hits, embedder)
        else:
            found = self.propose(query, hits)
            text = found[0] if found and found[1] >= self.threshold else REFUSAL
        yield Refusal() if text == REFUSAL else text

    # ------------------------------------------------------------------
    def _sentences(self, question: str, query: str, hits: list[Hit], embedder) -> str:
        chosen = self.scorer.select(question, query, hits, embedder)
        return "".join(f"{c.text}[{c.hit_no + 1}]" for c in chosen) or REFUSAL

    def propose(self, query: str, hits: list[Hit]) -> tuple[str, float] | None:
        """("short[n]\\n\\nsentence[n]", score) of the best candidate span by the learned
        ranker (`rag.answering.span_ranker`: the reader's margin weighed with what its evidence
        misses of the question and the answer type asked for), before the
        refusal threshold is applied (`bench/answers.py` sets it from these). Asked for item N
        of a list, a day or a whole list, the answer is completed from the passages (below)."""
        found = self.ranked(query, hits)
        if not found:
            return None
        (best, score) = found[0]
        short, text, n = best.short, best.evidence, best.passage + 1
        if (nth := asked_nth(query)) and _WH.search(query) and (item := _nth_in_hits(query, hits, nth)):
            (short, text, n), score = item, max(score, self.threshold)  # "第三条说的是什么": "三是…"
        elif nth and re.match(r"[一二三四五六七八九十]是", short):  # another item of the list
            return None
        elif asks_day(query) and not has_day(short):  # "从哪天开始到哪天结束": a span with a day
            other = next((c for c, s in found if has_day(c.short) and s >= score - DAY_SLACK), None)
            if other is not None:
                short, text, n = other.short, other.evidence, other.passage + 1
            elif asks_exact_day(query) and (day := _day_in_passage(hits[best.passage])):
                short, text = day
        elif asks_list(query) and "、" not in short and (whole := _whole_list(hits[best.passage], best)):
            short, text = whole
        if len(short) >= 0.75 * len(text):
            return f"{text}[{n}]", score
        return f"{short}[{n}]\n\n{text}[{n}]", score

    def ranked(self, query: str, hits: list[Hit], spans=None) -> list[tuple[Candidate, float]]:
        """The reader's candidate spans (``spans``: already read; else `read`) with the
        ranker's scores, best first."""
        if spans is None:
            spans = self.read(query, hits)
        ranker = get_ranker()
        return sorted(((c, ranker.score(c.features)) for c in candidates(query, hits, spans)),
                      key=lambda f: -f[1])  # stable: the reader's order among equals

    @staticmethod
    def read(query: str, hits: list[Hit]) -> list:
        """The reader's spans for ``query`` over the hits, best margin first."""
        from rag.answering.reader import get_reader

        return get_reader().spans(query, [reader_input(h) for h in hits], per_passage=3)

    def _yes_no(self, question: str, query: str, hits: list[Hit], embedder) -> str:
        """是/否 from the best-scoring sentence: the same polarity around the shared words
        is 是, a negation on one side only is 否."""
        # numbers are compared below, not required for finding the sentence: "有800名吗？"
        # must find the sentence that says 596名 and answer 否
        bare = lambda t: re.sub(r"\d+(?:\.\d+)?", "", t)  # noqa: E731
        ranked = self.scorer.score(bare(question), bare(query), hits, embedder)
        if not ranked or ranked[0].score < self.scorer.threshold:
            return REFUSAL
        best = ranked[0]
        units = quantity_units(question)
        if units and not has_quantity(best.text, units):  # "800名…吗": the sentence with 名
            best = next((c for c in ranked[:5] if c.score >= 0.8 * best.score
                         and has_quantity(c.text, units)), best)
        asked = _ASKING_NEG.sub("", question)
        hit = hits[best.hit_no]
        shared = [t for t in terms(asked) if t in best.text]
        q_neg = bool(_NEG.search(asked))
        s_neg = any(_NEG.search(best.text[max(0, i - 4):i])
                    for t in shared for i in [best.text.find(t)] if i >= 0)
        # a number, a time or a name the question states that the evidence contradicts: quantities
        # are compared in their measure word ("超过300条" against "航线250余条"), other numbers as
        # written, dates as times ("8月2日的通话…吗" is not contradicted by "普京2日将…通电话")
        undated = DATES.sub("", asked)
        holds = number_holds(undated, best.text)
        other_number = (not holds) if holds is not None else (
            bool(numbers(undated) - numbers(best.text)) and bool(numbers(best.text)))
        when = asked_time(asked)
        shared_dates = set(DATES.findall(asked)) & set(DATES.findall(best.text))  # "自6月底以来" in both
        days_only = {int(d) for d in re.findall(r"(?<![月\d])(\d{1,2})[日号]", best.text)}  # "普京2日将…"
        other_day = (not shared_dates and other_time(best.text, hit, when)) or bool(
            days_only and when.days and not days_only & {d for _, d in when.days})
        other_name = any(n not in f"{hit.title}{hit.text}" for n in names(asked))
        # "环比是否上涨？" against "环比下降0.2%": the opposite change, not a negation
        opposite = any(x in asked and y in best.text and x not in best.text
                       for a, b in _OPPOSITES for x, y in ((a, b), (b, a)))
        yes = q_neg == s_neg and not other_number and not other_day and not other_name and not opposite
        return f"{'是' if yes else '否'}。{best.text}[{best.hit_no + 1}]"


def _nth_in_hits(query: str, hits: list[Hit], nth: str) -> tuple[str, str, int] | None:
    """Asked about item ``nth`` of a list ("第三条要求是什么？"): (the item, its sentence, the
    passage's number) from the first passage that says "三是…" in a list whose opening ("…提出要求：
    一是…", in that passage or, for the first article's passages, another of its passages) shares
    a word with the question; None otherwise (an article may hold several lists)."""
    asked = terms(re.sub(r"第[一二三四五六七八九十]\S?|几[条点项个]", "", query))

    def opens_list(text: str, at: int) -> bool:  # the words just before "一是"
        return at != -1 and bool(asked & terms(text[max(0, at - 20):at]))

    for no, hit in enumerate(hits, 1):
        for a, b in nth_items(hit.text, nth):
            first = hit.text.rfind("一是", 0, a)
            ok = opens_list(hit.text, first) if first != -1 else hit.doc_id == hits[0].doc_id and any(
                h.doc_id == hit.doc_id and opens_list(h.text, h.text.find("一是")) for h in hits)
            sents = [s for s in passage_sentences(hit) if s.end > a and s.start < b]
            if ok and sents and not is_instruction(hit.text[a:b]):
                return hit.text[a:b].strip(), clean_sentence(hit.text[sents[0].start:sents[-1].end]), no
    return None


def _whole_list(hit: Hit, best: Candidate) -> tuple[str, str] | None:
    """Asked for a list (哪些/哪几…) and given one item or a count: (every item, the sentences
    naming them) from the same passage — the enumeration the item belongs to ("奥林匹克塔" ->
    "国家速滑馆“冰丝带”、奥林匹克塔、首开书院"), or the items a count introduces ("三类：一是…
    二是…三是…"); None when the passage lists nothing more."""
    text = hit.text
    ordinal = ordinal_items(text, best.end) if is_count(best.short) else None
    if ordinal:
        items, end = ordinal
        short, a, b = f"{best.short}：{'、'.join(items)}", best.start, end
    else:
        found = list_in_passage(text, best.short)
        if found is None:
            return None
        a, b = found
        short = text[a:b]
    sents = [s for s in passage_sentences(hit) if s.end > a and s.start < b]
    return (short, clean_sentence(text[sents[0].start:sents[-1].end])) if sents else None


def _day_in_passage(hit: Hit) -> tuple[str, str] | None:
    """When no candidate names a day, the passage the reader chose may still say it in another
    sentence ("…将在2024年元旦春节期间开展…" then "此次活动时间为2023年12月22日至2024年2月15日"):
    (its longest written date naming a day, that sentence)."""
    runs = [(span, s) for s in passage_sentences(hit) if not is_instruction(s.text)
            for span in [day_span(hit.text, s.start, s.end)] if span]
    if not runs:
        return None
    (a, b), s = max(runs, key=lambda r: r[0][1] - r[0][0])
    return hit.text[a:b], clean_sentence(s.text)
