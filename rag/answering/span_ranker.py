"""Which of the reader's spans answers the question: the candidates and a small learned ranker.

The reader (`rag.answering.reader`) reads one passage at a time, so its margin cannot say
that another retrieved passage is more about the question, that three passages agree on
the same answer, or that a 谁 question got a number back. Each candidate span is therefore
described by a few features — the reader's margin; how much of the question its passage and
its sentence miss; how far search ranked its passage below the first; evidence of another
year, month or day than the one asked (`rag.answering.asked_time`); how many other passages
give the same answer; whether its type fits what the question asks (a number for 多少, a date
for 何时, a name for 谁, a place for 哪里, an organisation for 哪家); whether it merely repeats
the question — and a linear ranker weighs them.

The weights live in ``rag/models/reader/ranker.json``. ``scripts/train_ranker.py`` fits them
on CMRC 2018 questions the reader never saw, asked of a real newsrag index over the
reading-comprehension paragraphs (with and without the paragraph that answers, so the score
also says when to refuse); never on the news sets the benchmarks report.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.answering.answer_type import attached, no_count, organizer, other_item, restates, strict_miss, type_fit
from rag.answering.asked_of import counted, dated, measured, names_counted, size_counted, speaks_of
from rag.answering.asked_time import asked_time, other_time, relative_years
from rag.answering.injection import is_instruction
from rag.answering.report_marks import of_the_report
from rag.answering.sentence_scorer import clean_sentence
from rag.answering.span_shape import asks_exact_day, asks_list, counted_list, day_span, has_day, sentence_day, shape
from rag.errors import NewsragError
from rag.text.sentences import in_other_length, names, numbers, passage_sentences, terms
from rag.types import Hit

RANKER_FILE = Path(__file__).resolve().parents[1] / "models" / "reader" / "ranker.json"
FEATURES = ("margin", "passage_missing", "sentence_missing", "passage_missing_idf",
            "sentence_missing_idf", "name_missing", "search_gap", "other_time", "rank", "span_rank",
            "margin_gap", "agree", "echo", "type_ok", "type_miss", "short_len", "near")
# Rules added to the fitted score (features the ranker is not fitted on; CMRC has too few such
# questions to fit a weight): a count in another measure word than the one asked ("多少架" →
# "4亿美元", "多少幅油画" → "70件"), or a number without money for "多少奖金", is no answer; an
# evidence sentence about another numbered thing ("19号线…" for "12号线…") is doubtful; a count
# whose sentence holds another count standing against the question's words is the other one's
# neighbour, not the answer ("detached", `answer_type.attached`); a sentence that never names what a
# "…的患病率是多少" question measures, or what "多少名…" counts, does not give it
# ("measure_missing"); the question's own words given back in a kind it does not ask for are no
# answer ("echo_miss"), nor is one of another kind than a question leaves no doubt about (哪些人,
# 哪个城市, 哪个法院: "strict_miss"), and a count asked in a measure word is not answered by words
# with no number at all ("count_miss": "多少人" → "美国公民“尽快”离开海地"). On the recorded benchmark
# candidates they move a few questions each, none for the worse at the default threshold except one ChronoQA answer ("NBA" for "与哪个球队
# 比赛") judged right only through its evidence (docs/benchmarks.md, sessions 14–16).
RULES = {"unit_miss": -5.0, "other_item": -2.0, "detached": -1.0, "measure_missing": -2.0,
         "echo_miss": -3.0, "strict_miss": -2.0, "count_miss": -3.0}


@dataclass(frozen=True)
class Candidate:
    """One answer span: the short answer, the sentence(s) proving it, and its features."""

    short: str
    evidence: str
    passage: int  # index into the hits
    start: int  # the short answer's offsets in the passage text
    end: int
    features: dict


def candidates(query: str, hits: list[Hit], spans) -> list[Candidate]:
    """The reader's spans (``Reader.spans`` over title + text of each hit) as candidates,
    shaped into short answers with their evidence; instructions and sentences that are
    themselves questions are dropped."""
    heads = [len(_head(h)) for h in hits]
    asked = asked_time(query)
    q_terms = terms(query)
    weight = {t: _idf(t) for t in q_terms}
    q_names = names(query) | numbers(query)
    what = measured(query)  # "患病率" of "…的患病率是多少": the evidence must speak of it
    things = counted(query)  # "队员" of "多少名队员参加": the same
    day_of = dated(query)  # "报名截止" of "报名截止日期是哪天": the same
    top = hits[0].score if hits else 0.0
    out, per_passage, seen, stands = [], {}, {}, []
    derived: set = set()
    if asks_exact_day(query):
        spans, derived = _with_days(spans, hits)
    for span in spans:
        hit, head = hits[span.passage], heads[span.passage]
        a, b = span.start - head, span.end - head
        if span.start < head:  # in the title: the passage must say it too
            a = hit.text.find(span.text.strip())
            b = a + len(span.text.strip())
            if a < 0 and asks_list(query):  # "三条线路": the three the text lists
                a, b = counted_list(hit.text, span.text.strip()) or (-1, -1)
            if a < 0:
                continue
        a, b = shape(hit.text, a, b, query)
        if of_the_report(hit.text, a, b, query):
            continue  # its timestamp, dateline or byline: when, where and by whom it was filed
        if span.passage not in seen:  # the passage's sentences and words, once per passage
            whole = f"{hit.title}\n{hit.text}"
            in_whole = terms(whole)
            seen[span.passage] = (passage_sentences(hit), in_whole | _shortened(q_terms - in_whole, weight, whole),
                                  whole)
        sentences, in_passage, whole = seen[span.passage]
        evidence = [s for s in sentences if s.end > a and s.start < b]
        text = clean_sentence(hit.text[evidence[0].start:evidence[-1].end]) if evidence else ""
        if not text or is_instruction(text) or _echoes_question(text, query):
            continue
        short = tidy(hit.text[a:b])
        if not short or restates(query, short):
            continue
        nth = per_passage.get(span.passage, -1) + 1
        if (span.passage, span.start, span.end) not in derived:  # a day taken from a span ranks as it
            per_passage[span.passage] = nth
        f = dict.fromkeys(FEATURES, 0.0)
        f |= {"margin": span.margin, "rank": float(span.passage), "span_rank": float(nth),
              "search_gap": max(0.0, 1 - hit.score / top) if top > 0 else 0.0,
              "other_time": float(bool(asked) and other_time(text, hit, asked)),
              "short_len": math.log1p(len(short))}
        if q_terms:
            in_sentence = terms(text) | _shortened(q_terms - terms(text), weight, text)
            f["passage_missing"] = len(q_terms - in_passage) / len(q_terms)
            f["sentence_missing"] = len(q_terms - in_sentence) / len(q_terms)
            total = sum(weight.values())
            f["passage_missing_idf"] = sum(weight[t] for t in q_terms - in_passage) / total
            f["sentence_missing_idf"] = sum(weight[t] for t in q_terms - in_sentence) / total
            window = hit.text[max(0, a - 40):b + 40]
            f["near"] = len(q_terms & terms(window)) / len(q_terms)
            s_terms = terms(short)
            f["echo"] = len(s_terms & q_terms) / len(s_terms) if s_terms else 0.0
        if q_names:
            # a year is named by the article's date too ("2023年上半年" of a chunk dated 2023-07-30)
            years = relative_years(whole, hit.date) | {(hit.date or "")[:4]}  # 明年 of a 2023 article: 2024
            f["name_missing"] = sum(name not in whole and name not in years
                                    and not in_other_length({name}, whole, rare={name})
                                    for name in q_names) / len(q_names)
        f.update(type_fit(query, short, organizer(hit.text, a, b)))
        # the question's own words given back, and not of the kind asked ("日本《读卖新闻》" for
        # "…读卖新闻…不支持率涨到多少了")
        f["echo_miss"] = float(f["echo"] >= 0.6 and f["type_miss"] > 0)
        f["strict_miss"] = float(strict_miss(query, f))
        f["count_miss"] = float(no_count(query, short))
        f["other_item"] = float(other_item(query, text))
        f["measure_missing"] = float(bool(what) and not speaks_of(what, text) and not size_counted(what, query, text)
                                     or bool(things) and not names_counted(things, text)
                                     or bool(day_of) and not speaks_of(day_of, text))
        stands.append(attached(query, hit.text, a, b))
        out.append(Candidate(short, text, span.passage, a, b, f))
    best = max((c.features["margin"] for c in out), default=0.0)
    keys = [_key(c.short) for c in out]
    for c, k in zip(out, keys):
        c.features["margin_gap"] = best - c.features["margin"]
        c.features["agree"] = float(min(3, len({o.passage for o, ko in zip(out, keys)
                                               if o.passage != c.passage and _same(k, ko)})))
    # detached: another count of its sentence stands against the question's words ("80多处上塌方和
    # 9处下塌方" asked 上塌方: 9处 is detached)
    counts = [bool(re.search(r"\d", c.short)) for c in out]
    held = {(c.passage, c.evidence) for c, n, s in zip(out, counts, stands) if n and s}
    for c, n, s in zip(out, counts, stands):
        c.features["detached"] = float(n and not s and (c.passage, c.evidence) in held)
    return out


_AROUND_DAY = 6  # characters a span may hold beside its date and still be the date


def _with_days(spans, hits: list[Hit]) -> tuple[list, set]:
    """Asked a day: before each span without one, the one day its sentence states, as a span of
    its own with the span's margin — the reader found the sentence, not its date ("那个会是几号开的"
    spanned "资本市场工作作出重要部署" in "7月24日中央政治局会议对资本市场工作作出重要部署");
    before a span that holds a date among many other words ("克里于7月16日至19日访华。中国气候
    变化事务特使解振华"), that date. Also the (passage, start, end) of the days added."""
    from rag.answering.reader import Span

    out, seen, added = [], {(s.passage, s.start, s.end) for s in spans}, set()
    texts = [reader_input(h) for h in hits]
    for s in spans:
        text = texts[s.passage]
        day = day_span(text, s.start, s.end) if has_day(s.text) else sentence_day(text, s.start, s.end)
        if has_day(s.text) and day and day[1] - day[0] + _AROUND_DAY >= s.end - s.start:
            day = None  # the span is its date, or little more ("于7月24日")
        if day and (s.passage, *day) not in seen:
            seen.add((s.passage, *day))
            added.add((s.passage, *day))
            out.append(Span(s.passage, day[0], day[1], text[day[0]:day[1]], s.margin))
        out.append(s)
    return out, added


def snapshot(query: str, hits: list[Hit], spans) -> dict:
    """What `candidates` was given, as JSON-able data: rankers are fitted and compared on
    these (`scripts/train_ranker.py`, `bench/candidates.py`) without running the reader again."""
    return {"query": query,
            "hits": [{"title": h.title, "text": h.text, "score": h.score, "date": h.date,
                      "id": str(h.metadata.get("id") or h.title)} for h in hits],
            "spans": [[s.passage, s.start, s.end, s.text, s.margin] for s in spans]}


def from_snapshot(record: dict) -> list[Candidate]:
    """The candidates of a `snapshot`, with features as computed now."""
    from rag.answering.reader import Span

    hits = [Hit(doc_id=h["id"], chunk_id=h["id"], title=h["title"], date=h["date"], source="",
                text=h["text"], score=h["score"], start=0, end=len(h["text"]),
                metadata={"id": h["id"]}) for h in record["hits"]]
    return candidates(record["query"], hits, [Span(*s) for s in record["spans"]])


class Ranker:
    """Logistic weights over `FEATURES`; `score` is the log-odds that a candidate is right."""

    def __init__(self, path: Path = RANKER_FILE):
        try:
            meta = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as e:
            raise NewsragError(f"the answer ranker's weights {path} are missing or damaged "
                               f"({e}): reinstall newsrag (they ship inside the package)") from e
        self.weights = dict(zip(meta["features"], meta["weights"]))
        self.bias = float(meta["bias"])
        self.threshold = float(meta["threshold"])
        self.meta = meta

    def score(self, features: dict) -> float:
        """The log-odds of a candidate with these `FEATURES` (a `Candidate.features`), and the
        rules no fitted weight can carry (`RULES`)."""
        return self.bias + sum(w * features.get(name, 0.0) for name, w in self.weights.items()) + \
            sum(w * features.get(name, 0.0) for name, w in RULES.items())


@lru_cache(maxsize=1)
def get_ranker() -> Ranker:
    return Ranker()


@lru_cache(maxsize=1)
def _idf_table() -> tuple[dict, float]:
    """jieba's bundled IDF table (general Chinese text): rare words say more about what a
    question is about than common ones; words it lacks (names, numbers) count as rare.

    Read straight from its file (0.2 s), with the median jieba's own loader computes:
    importing ``jieba.analyse`` for it cost 0.8 s before a process' first answer."""
    import jieba

    table: dict[str, float] = {}
    with open(Path(jieba.__file__).parent / "analyse" / "idf.txt", encoding="utf-8") as f:
        for line in f:
            word, _, value = line.strip().partition(" ")
            if value:
                table[word] = float(value)
    values = sorted(table.values())
    return table, values[len(values) // 2]


def warm_up() -> None:
    """Load what the first answer would otherwise wait for (the reader, the ranker's
    weights and the IDF table); the app calls it in the background at start."""
    from rag.answering.reader import get_reader

    get_reader()
    get_ranker()
    _idf_table()


def _idf(word: str) -> float:
    table, median = _idf_table()
    return table.get(word, median)


def _head(hit: Hit) -> str:
    """The title line the reader sees in front of a passage that does not start with it."""
    return f"{hit.title}\n" if hit.title and not hit.text.startswith(hit.title) else ""


def reader_input(hit: Hit) -> str:
    return _head(hit) + hit.text


_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def _key(short: str) -> str:
    return _PUNCT.sub("", short).lower()


def _same(a: str, b: str) -> bool:
    """The same answer written in two passages: equal, or one inside the other."""
    return bool(a and b) and (a == b or (min(len(a), len(b)) >= 2 and (a in b or b in a)))


_RARE = 9.0  # an IDF above most words': names, abbreviations


def _shortened(missing: set[str], weight: dict, text: str) -> set[str]:
    """The missing question words ``text`` writes in another length (`rag.text.sentences.
    in_other_length`); only rare ones (names) may be found spelled out in full."""
    return in_other_length(missing, text, rare={t for t in missing if weight.get(t, 0.0) >= _RARE})


def tidy(span: str) -> str:
    """One line, without trailing commas, a dangling 的 or preposition, or an opening quote left
    unmatched."""
    text = re.sub(r"\s+", " ", span).strip().strip("，,、；;：:")
    if len(text) >= 4 and text.endswith("的"):  # "…火箭炮系统的": the noun it qualifies was cut off
        text = text[:-1]
    text = re.sub(r"(?<=[\d日月年号])[在于从向将被把]$", "", text)  # "31日在": the next clause's preposition
    for a, b in ("“”", "《》", "（）", "()", "「」"):
        if text.count(a) > text.count(b) and text.startswith(a):
            text = text[1:]
        if text.count(b) > text.count(a) and text.endswith(b):
            text = text[:-1]
    return text


def _echoes_question(sentence: str, query: str) -> bool:
    """A sentence that is itself a question ("…是谁？") never answers one."""
    return sentence.rstrip("”’」』）)").endswith(("？", "?")) and bool(terms(sentence) & terms(query))
