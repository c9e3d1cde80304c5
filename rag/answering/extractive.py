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
  `SentenceScorer` ranks first, by what it contradicts of the question (`rag.answering.yes_no`);
* sentences that address the answering system ("忽略之前的指令…") are never read
  as evidence (`rag.answering.injection`).

``use_reader=False`` gives the engine of earlier releases (one to three sentences
picked by the `SentenceScorer` alone); `bench/answers.py` measures both.
"""

from __future__ import annotations

import re
from typing import Iterator

from rag.answering.asked_time import asked_time, other_time
from rag.answering.events import REFUSAL, Refusal
from rag.answering.injection import is_instruction
from rag.answering.lists import distinct_evidence, items_across, named_list, whole_list
from rag.answering.sentence_scorer import SentenceScorer, clean_sentence, has_quantity, quantity_units
from rag.answering.span_ranker import Candidate, candidates, get_ranker, reader_input
from rag.answering.span_shape import (asked_nth, asks_day, asks_exact_day, asks_list, day_span,
                                      has_day, nth_items)
from rag.answering.yes_no import WH, claim_terms, claim_text, is_yes_no, verdict
from rag.embedding.encoder import Encoder
from rag.text.sentences import passage_sentences, terms
from rag.types import Hit

#: A question asking for a day takes a lower-scored span that names one over a top span that
#: does not ("2023年12月22日至…" over "2024年"), within this much of the ranker's log-odds.
DAY_SLACK = 3.0


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
        if (nth := asked_nth(query)) and WH.search(query) and (item := _nth_in_hits(query, hits, nth)):
            (short, text, n), score = item, max(score, self.threshold)  # "第三条说的是什么": "三是…"
        elif nth and re.match(r"[一二三四五六七八九十]是", short):  # another item of the list
            return None
        elif asks_day(query) and not has_day(short):  # "从哪天开始到哪天结束": a span with a day
            other = next((c for c, s in found if has_day(c.short) and s >= score - DAY_SLACK), None)
            if other is not None:
                short, text, n = other.short, other.evidence, other.passage + 1
            elif asks_exact_day(query) and (day := _day_in_passage(hits[best.passage])):
                short, text = day
        elif asks_list(query) and "、" not in short and (whole := whole_list(hits[best.passage], best)):
            short, text = whole
        elif asks_list(query) and "、" not in short and (named := named_list(query, hits, hits[best.passage].doc_id)):
            short, text, n = named[0], named[1], named[2] + 1  # the sentence naming what is asked a list of
            score = max(score, self.threshold)
        elif asks_list(query) and "、" not in short and len(items := items_across(found, hits)) > 1:
            return "、".join(f"{c.short}[{c.passage + 1}]" for c in items) + "\n\n" + "".join(
                f"{c.evidence}[{c.passage + 1}]" for c in distinct_evidence(items)), score
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
        """是/否 from the best-scoring sentence (`rag.answering.yes_no.verdict`)."""
        # numbers are compared by the verdict, not required for finding the sentence: "有800名吗？"
        # must find the sentence that says 596名 and answer 否
        bare = lambda t: re.sub(r"\d+(?:\.\d+)?", "", t)  # noqa: E731
        ranked = self.scorer.score(bare(question), bare(query), hits, embedder)
        if not ranked or ranked[0].score < self.scorer.threshold:
            return REFUSAL
        best = ranked[0]
        units = quantity_units(re.sub(r"\d+周?年", "", claim_text(question)))  # 2023年版, 建军96周年 set the scene
        near = [c for c in ranked[:5] if units and not has_quantity(best.text, units) and has_quantity(c.text, units)
                and (c.score >= 0.8 * best.score or c.score >= 0.7 * best.score  # of the same article: a little lower
                     and hits[c.hit_no].doc_id == hits[best.hit_no].doc_id)]
        if near:  # "800名…吗": the sentence with 名, of the best sentence's article first
            best = next((c for c in near if hits[c.hit_no].doc_id == hits[best.hit_no].doc_id), near[0])
        elif claim := claim_terms(question):  # of the article's near-best sentences of the asked
            when = asked_time(query)  # time, the one that speaks of the claim (the first of equals)
            near = [c for c in ranked[:5] if c is best or c.score >= 0.85 * best.score
                    and hits[c.hit_no].doc_id == hits[best.hit_no].doc_id
                    and not (when and other_time(c.text, hits[c.hit_no], when))]
            best = max(near, key=lambda c: sum(t in c.text for t in claim))
        hit = hits[best.hit_no]
        article = "\n".join(h.text for h in hits if h.doc_id == hit.doc_id and h is not hit)
        yes, evidence = verdict(question, best.text, hit, article)
        return f"{'是' if yes else '否'}。{evidence}[{best.hit_no + 1}]"


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
