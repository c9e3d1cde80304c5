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
* when no span clears `THRESHOLD` the engine refuses (`rag.answering.events.Refusal`);
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

from rag.answering.events import REFUSAL, Refusal
from rag.answering.injection import is_instruction
from rag.answering.sentence_scorer import SentenceScorer, clean_sentence, has_quantity, quantity_units
from rag.answering.span_shape import asks_day, asks_exact_day, day_span, has_day, shape
from rag.embedding.encoder import Encoder
from rag.text.sentences import names, numbers, passage_sentences, terms
from rag.types import Hit

#: Refuse below this score (the reader's margin — span score minus no-answer score — less what
#: the evidence misses of the question); chosen on RGB zh_refine and CRUD, tables in
#: docs/benchmarks.md ("Choosing the refusal threshold", "Evidence that covers the question").
THRESHOLD = -2.5
#: A question asking for a day takes a lower-scored span that names one over a top span that
#: does not ("2023年12月22日至…" over "2024年"), within this much margin.
DAY_SLACK = 8.0
#: A span from a passage that speaks only of other years than the one the question names
#: ("2023年…的冠军是谁？" read in a report on 2022) loses this much margin: the same event
#: in another year is the commonest wrong answer among retrieved news.
YEAR_PENALTY = 4.0
#: Evidence that leaves out what the question is about loses margin: a span whose passage
#: (title and text) lacks a share f of the question's words loses PASSAGE_COVER × f, one whose
#: sentence lacks them SENTENCE_COVER × f, and one from a passage search scored below the first
#: loses SEARCH_WEIGHT × (1 − its score / the first's). The reader sees one passage at a time;
#: these say how well that passage is about the question (fitted on RGB, checked on CRUD and
#: ChronoQA: docs/benchmarks.md, "Evidence that covers the question").
PASSAGE_COVER = 6.0
SENTENCE_COVER = 4.0
SEARCH_WEIGHT = 2.0
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_RELATIVE_YEARS = (("今年", 0), ("去年", 1), ("前年", 2))
# a year the question names: "2022年…", and also "2022春运" / "2022赛季" (a year written
# without 年 before a word, never a count: "2000万辆", "2000多名")
_ASKED_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?=\s*年|[^\d.%\s万亿千百元个件人名次条"
                         r"台辆张只项家所米吨度倍分秒位户篇部场多余-])")
_YES_NO = re.compile(r"(?:吗|么|嘛)\s*[？?]?\s*$|是否|是不是|有没有|能否|可否|会不会|能不能|对不对")
_WH = re.compile(r"什么|谁|哪|多少|几[个位次家名年月日号天]|何时|何地|为何|为什么|怎么|如何|多大|多久|多长")
_NEG = re.compile(r"并非|不是|没有|尚未|未能|不|没|未|无|非")
_ASKING_NEG = re.compile(r"是否|是不是|有没有|会不会|能不能|对不对|可不可以|要不要")


def is_yes_no(question: str) -> bool:
    """…吗？/是否/是不是… without a wh-word (…有多少人吗 asks for a number)."""
    return bool(_YES_NO.search(question)) and not _WH.search(_ASKING_NEG.sub("", question))


class ExtractiveEngine:
    """Answers with a span found by the reader, proven by its sentence; `rewrite` uses the
    follow-up rules."""

    name = "extractive"

    def __init__(self, threshold: float = THRESHOLD, *, use_reader: bool = True,
                 scorer: SentenceScorer | None = None):
        self.threshold = threshold
        self.use_reader = use_reader
        self.scorer = scorer or SentenceScorer()

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
        """("short[n]\\n\\nsentence[n]", score) of the best usable span — the reader's margin
        less what its evidence misses of the question (`_unsupported`, `YEAR_PENALTY`) —
        before the refusal threshold is applied (`bench/answers.py` sets it from these)."""
        from rag.answering.reader import get_reader

        contexts, heads = [], []
        for h in hits:
            head = f"{h.title}\n" if h.title and not h.text.startswith(h.title) else ""
            contexts.append(head + h.text)
            heads.append(len(head))
        found = []  # (short, evidence sentence, passage number, score), best first
        asked = set(_ASKED_YEAR.findall(query))
        for span in get_reader().spans(query, contexts, per_passage=3):
            hit, head = hits[span.passage], heads[span.passage]
            a, b = span.start - head, span.end - head
            if span.start < head:  # in the title: the passage must say it too
                a = hit.text.find(span.text.strip())
                if a < 0:
                    continue
                b = a + len(span.text.strip())
            a, b = shape(hit.text, a, b, query)
            evidence = [s for s in passage_sentences(hit) if s.end > a and s.start < b]
            text = clean_sentence(hit.text[evidence[0].start:evidence[-1].end]) if evidence else ""
            if text and not is_instruction(text) and not _echoes_question(text, query):
                score = span.margin - _unsupported(query, text, hit, hits[0].score)
                if asked and other_year(text, hit, asked):
                    score -= YEAR_PENALTY
                found.append((_tidy(hit.text[a:b]), text, span.passage + 1, score))
        if not found:
            return None
        found.sort(key=lambda f: -f[3])  # stable: the reader's order among equals
        best = found[0]
        if asks_day(query) and not has_day(best[0]):  # "从哪天开始到哪天结束": a span with a day
            best = (next((f for f in found if has_day(f[0]) and f[3] >= best[3] - DAY_SLACK), None)
                    or asks_exact_day(query) and _day_in_passage(hits[best[2] - 1], best) or best)
        short, text, n, margin = best
        if len(short) >= 0.75 * len(text):
            return f"{text}[{n}]", margin
        return f"{short}[{n}]\n\n{text}[{n}]", margin

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
        # a number or a name the question states that the evidence contradicts
        other_number = bool(numbers(asked) - numbers(best.text)) and bool(numbers(best.text))
        other_name = any(n not in f"{hit.title}{hit.text}" for n in names(asked))
        yes = q_neg == s_neg and not other_number and not other_name
        return f"{'是' if yes else '否'}。{best.text}[{best.hit_no + 1}]"


def _day_in_passage(hit: Hit, best: tuple) -> tuple | None:
    """When no candidate names a day, the passage the reader chose may still say it in another
    sentence ("…将在2024年元旦春节期间开展…" then "此次活动时间为2023年12月22日至2024年2月15日"):
    its longest written date naming a day, with the reader's margin for that passage."""
    runs = [(span, s) for s in passage_sentences(hit) if not is_instruction(s.text)
            for span in [day_span(hit.text, s.start, s.end)] if span]
    if not runs:
        return None
    (a, b), s = max(runs, key=lambda r: r[0][1] - r[0][0])
    return hit.text[a:b], clean_sentence(s.text), best[2], best[3]


def _unsupported(query: str, sentence: str, hit: Hit, top_score: float) -> float:
    """Margin lost by evidence that is not about the question (see `PASSAGE_COVER`)."""
    asked = terms(query)
    missing = 0.0
    if asked:
        missing += PASSAGE_COVER * len(asked - terms(f"{hit.title}\n{hit.text}")) / len(asked)
        missing += SENTENCE_COVER * len(asked - terms(sentence)) / len(asked)
    if top_score > 0:
        missing += SEARCH_WEIGHT * max(0.0, 1 - hit.score / top_score)
    return missing


def other_year(sentence: str, hit: Hit, asked: set[str]) -> bool:
    """The evidence names years, none of them one the question asks about: the sentence's
    own years decide ("德约科维奇夺得2023年澳网男单冠军" for a 2022 question); a sentence
    without one is judged by its passage (title, text, date)."""
    years = set(_YEAR.findall(sentence))
    if hit.date:  # 今年/去年/前年 in a dated article name a year too
        y = int(hit.date[:4])
        years |= {str(y - back) for word, back in _RELATIVE_YEARS if word in sentence}
    if not years:
        years = set(_YEAR.findall(f"{hit.title}\n{hit.text}"))
        if hit.date:
            years.add(hit.date[:4])
    return bool(years) and not years & asked


def _tidy(span: str) -> str:
    """One line, without trailing commas or an opening quote left unmatched."""
    text = re.sub(r"\s+", " ", span).strip().strip("，,、；;：:")
    for a, b in ("“”", "《》", "（）", "()", "「」"):
        if text.count(a) > text.count(b) and text.startswith(a):
            text = text[1:]
        if text.count(b) > text.count(a) and text.endswith(b):
            text = text[:-1]
    return text


def _echoes_question(sentence: str, query: str) -> bool:
    """A sentence that is itself a question ("…是谁？") never answers one."""
    return sentence.rstrip("”’」』）)").endswith(("？", "?")) and bool(terms(sentence) & terms(query))
