"""Questions that compare or combine events in time, answered from each event's own article.

"A和B哪个先发生？", "A、B、C这三个事件中哪个最早？", "A和B是同一年发生的吗？",
"X当天，…？", "A和B分别是什么时候？" need more than one search: `plan` splits such a
question into its events, `answer_plan` retrieves each event on its own, reads the date
each article gives (its date field, else the first full date its passage states), and
compares. The answer is short — 是/否 with both dates, or the earlier event named — and
cites the passage that states each date, so every date can be checked. An event the news
does not cover is said plainly. "X当天/当年/当月，Q" finds X's date, then answers Q
preferring articles of that day (month, year) with the default engine.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date

from rag.answering.dates import date_in_text
from rag.answering.events import Refusal, engine_text
from rag.answering.sentence_scorer import clean_sentence
from rag.store.protocol import Filters
from rag.text.sentences import passage_sentences, terms
from rag.types import Hit

_WHICH = re.compile(r"[，,]?\s*(?:(?:这|以上|上述)?[两二三四五六七八九]个(?:事件|事情|活动)?中?|其中|二者中?|两者中?)?"
                    r"\s*哪(?![里儿些位家种])(?:一)?(?:个|件|项|一个)?(?:事件|事情|活动|事)?")  # not 哪里, 哪些 …
_EARLY = re.compile(r"早|先")
_LATE = re.compile(r"晚(?![上间会宴])|后|最近|最新")  # 哪天晚上 asks when, it compares nothing
_SAME = re.compile(r"[，,]?\s*(?:是否|都)?(?:是)?(?:在|发生在|于)?同(?:一)?(?:个)?(年度|年份|年|月份|个月|月|天|日)")
_EACH = re.compile(r"[，,]?\s*(?:的时间)?分别(?:是)?(?:在)?(?:什么时候|何时|哪一?年|哪一?天|什么时间)")
_AFTER = re.compile(r"(?:之后|以后)(?:过了|隔了)?(?:多久|多长时间|几天|多少天|几个月|多少个月)")
_GAP = re.compile(r"[，,]?\s*(?:之间)?(?:相隔|相差|间隔|隔了)(?:了)?(?:多久|多长时间|几天|多少天|几个月|多少个月|几年|多少年)")
_ON = re.compile(r"^(?P<anchor>.{4,80}?)(?P<scope>当天|当日|同一天|同日|当年|同年|当月|同月|那天|那一天)[，,]\s*(?P<rest>.{2,})$")
_SPLIT = re.compile(r"[、；;]|(?:，|,)?(?:以及|还有)")
_AND = re.compile(r"和|与|跟|及|同")
_SCOPE = {"年": "year", "年度": "year", "年份": "year", "月": "month", "月份": "month", "个月": "month",
          "天": "day", "日": "day", "当天": "day", "当日": "day", "同一天": "day", "同日": "day",
          "那天": "day", "那一天": "day", "当年": "year", "同年": "year", "当月": "month", "同月": "month"}


@dataclass
class Plan:
    """``kind``: order (which first/last), same (same year/month/day?), each (when was each),
    gap (how long between), on (X当天，Q)."""

    kind: str
    events: list[str]
    latest: bool = False  # order: which happened last
    scope: str = "day"  # same / on: year, month or day
    question: str = ""  # on: the question to answer on the anchor's date


@dataclass
class Dated:
    event: str
    hit: Hit | None = None
    when: date | None = None
    grain: str = "day"
    sentence: str = ""


_LEAD = re.compile(r"^(?:请问|问)?[，,\s]*(?:在)?(?:以下|下列)?(?:[两二三四五六七八九几]个)?(?:(?:事件|事情|活动)中?)?[：:，,]?\s*")
_TAIL = re.compile(r"[，,]?\s*(?:(?:这|以上|上述|这些)[两二三四五六七八九几]?(?:个|件)?(?:事件|事情|事|活动)?)?(?:都|同时|均)?$")


def split_events(text: str) -> list[str]:
    """"A、B和C" -> [A, B, C]; "A和B" is cut at the 和/与 that balances the two sides;
    "A，B，这两件事" -> [A, B]."""
    text = _TAIL.sub("", _LEAD.sub("", text.strip("，,。 "))).strip("，,。 ")
    parts = [p.strip("，, ") for p in _SPLIT.split(text) if p.strip("，, ")]
    if len(parts) == 1 and text.count("，") == 1:
        parts = [p.strip() for p in text.split("，")]
    parts = [re.sub(r"^(?:和|与|及|跟|以及)", "", p).strip() for p in parts]
    last = parts[-1] if parts else ""
    cuts = [m.start() for m in _AND.finditer(last) if 2 <= m.start() <= len(last) - 3]
    if cuts:  # "A和B", or the "B和C" that ends "A、B和C"
        c = min(cuts, key=lambda i: abs(len(last) - 2 * i)) if len(parts) == 1 else cuts[-1]
        parts[-1:] = [last[:c], last[c + 1:]]
    return [p for p in parts if len(p) >= 2]


def plan(question: str) -> Plan | None:
    """The comparison a question asks for, or None for an ordinary question."""
    q = question.strip().rstrip("？?。 ")
    if m := _ON.match(q):
        return Plan("on", [m.group("anchor").strip("，, ")], scope=_SCOPE[m.group("scope")],
                    question=m.group("rest"))
    if (m := _SAME.search(q)) and re.search(r"吗|是否|么$", q[m.start():] + q):
        events = split_events(q[:m.start()])
        if len(events) >= 2:
            return Plan("same", events, scope=_SCOPE[m.group(1)])
    if m := _AFTER.search(q):  # "A之后多久B"
        a, b = q[:m.start()].strip("，, "), re.sub(r"^[，,\s]*(?:才|就)?", "", q[m.end():])
        if len(a) >= 2 and len(b) >= 2:
            return Plan("gap", [a, b])
    if (m := _GAP.search(q)) and len(events := split_events(q[:m.start()])) == 2:
        return Plan("gap", events)
    if m := _EACH.search(q):
        events = split_events(q[:m.start()])
        if len(events) >= 2:
            return Plan("each", events)
    if (m := _WHICH.search(q)) and (_EARLY.search(q[m.end():]) or _LATE.search(q[m.end():])):
        after = re.split(r"[：:？?]", q[m.end():], maxsplit=1)  # "哪个最早发生：A、B、C"
        events = split_events(q[:m.start()]) if len(after) == 1 or len(q[:m.start()]) > 8 \
            else split_events(after[1])
        if len(events) >= 2:
            return Plan("order", events, latest=bool(_LATE.search(q[m.end():])) and not _EARLY.search(q[m.end():]))
    return None


def date_of(event: str, idx, filters: Filters, k: int = 3) -> Dated:
    """The event's best passage and the date it gives (None when the news lacks either)."""
    want = terms(event)
    hits = idx.search(event, k, **asdict(filters))
    best = max(hits, key=lambda h: (len(want & terms(f"{h.title}{h.text}")), h.score), default=None)
    if best is None or len(want & terms(f"{best.title}{best.text}")) < max(1, len(want) // 3):
        return Dated(event)
    found = None
    if best.date:
        try:
            found = (date.fromisoformat(best.date[:10]), "day")
        except ValueError:
            found = None
    found = date_in_text(best.text) or found
    sents = passage_sentences(best)
    dated = [s for s in sents if date_in_text(s.text)]
    sentence = clean_sentence((dated or sents)[0].text) if sents else best.text
    if not found:
        return Dated(event, best, sentence=sentence)
    return Dated(event, best, found[0], found[1], sentence)


def _text(d: date, grain: str) -> str:
    return f"{d.year}年{d.month}月" + (f"{d.day}日" if grain == "day" else "")


def answer_plan(p: Plan, idx, *, k: int = 5, engine=None,
                filters: Filters = Filters()) -> tuple[str | Refusal, list[Hit]]:
    """(answer text with [n] markers into the returned hits — a `Refusal` when no event is
    in the news — , hits)."""
    if p.kind == "on":
        return _on(p, idx, k=k, engine=engine, filters=filters)
    dated = [date_of(e, idx, filters) for e in p.events]
    hits: list[Hit] = []
    lines = []
    for d in dated:
        if d.hit is not None:
            if d.hit not in hits:
                hits.append(d.hit)
            lines.append(f"{d.sentence}[{hits.index(d.hit) + 1}]")
    missing = [d.event for d in dated if d.when is None]
    if missing:
        head = f"资料中没有找到“{'”“'.join(missing)}”的日期，无法比较。"
        return (head + "\n\n" + "\n".join(lines)) if lines else Refusal(), hits
    dates = "，".join(f"{d.event}为{_text(d.when, d.grain)}" for d in dated)
    if p.kind == "same":
        grain = {"year": 1, "month": 2, "day": 3}[p.scope]
        if any(d.grain == "month" for d in dated) and grain == 3:
            grain = 2
        keys = {(d.when.year, d.when.month, d.when.day)[:grain] for d in dated}
        head = f"{'是' if len(keys) == 1 else '否'}。{dates}。"
    elif p.kind == "each":
        head = f"{dates}。"
    elif p.kind == "gap":
        days = abs((dated[1].when - dated[0].when).days)
        months = f"（约{days // 30}个月）" if days >= 60 else ""
        head = f"相隔{days}天{months}。{dates}。"
    else:
        pick = (max if p.latest else min)(dated, key=lambda d: d.when)
        if sum(d.when == pick.when for d in dated) > 1:
            head = f"资料显示它们发生在同一天：{dates}。"
        else:
            head = f"{pick.event}{'更晚' if p.latest else '更早'}。{dates}。"
    return head + "\n\n" + "\n".join(lines), hits


def _on(p: Plan, idx, *, k: int, engine, filters: Filters) -> tuple[str, list[Hit]]:
    from calendar import monthrange

    from rag.answering.pipeline import get_engine

    anchor = date_of(p.events[0], idx, filters)
    if anchor.when is None:
        return f"资料中没有找到“{p.events[0]}”的日期。", [anchor.hit] if anchor.hit else []
    d = anchor.when
    lo, hi = {"day": (d, d), "month": (d.replace(day=1), d.replace(day=monthrange(d.year, d.month)[1])),
              "year": (date(d.year, 1, 1), date(d.year, 12, 31))}[p.scope if anchor.grain == "day" else "month"]
    hits = idx.search(f"{_text(d, anchor.grain)}，{p.question}", k, prefer=(lo.isoformat(), hi.isoformat()),
                      **asdict(filters))
    eng = get_engine(engine)
    body, _ = engine_text(eng.stream(p.question, f"{_text(d, anchor.grain)}，{p.question}", hits,
                                     embedder=idx.embedder, history=[]))
    if anchor.hit not in hits:
        hits = hits + [anchor.hit]
    n = hits.index(anchor.hit) + 1
    return f"{body}\n\n（{p.events[0]}：{anchor.sentence}[{n}]）", hits
