"""Shape the reader's span into the short answer a person expects.

The reader picks a span by its start and end scores alone, so it sometimes stops a
token early or late: "80余" without its 次, "2023年" of "2023年12月22日至2024年2月15日",
"四个赛道" without the four tracks listed just before it, or a whole clause ending in the
place a 哪里 question asks for. These functions repair exactly those cuts, using the
passage text around the span and what the question asks; they never invent text.
"""

from __future__ import annotations

import re

from rag.answering.sentence_scorer import complete_number

_DAY_Q = re.compile(r"哪天|哪一天|几号|几日|几月几|日期|起止|开始.{0,8}结束|从.{0,6}到|截止|截至|什么时候|何时|什么时间")
_EXACT_DAY_Q = re.compile(r"哪天|哪一天|几号|几日|几月几|日期|起止|开始|结束|截止|截至|从.{0,6}到")
_LIST_Q = re.compile(r"哪些|哪几|包括什么|包括哪|有什么|分别是|都有")
_PLACE_Q = re.compile(r"哪里|哪儿|什么地方|什么地点|在哪|何地|地点")
# a date written out, possibly a range: 2023年12月22日至2024年2月15日, 12月22日—25日
_DATE_RUN = re.compile(r"(?:\d{4}年)?(?:\d{1,2}月)?(?:\d{1,2}[日号])?"
                       r"(?:(?:至|到|—|－|-|~|～)(?:\d{4}年)?(?:\d{1,2}月)?(?:\d{1,2}[日号])?)?")
_DAY = re.compile(r"\d{1,2}月\d{1,2}[日号]|\d{4}-\d{1,2}-\d{1,2}")
_LIST_BEFORE = re.compile(r"((?:[^，。；：、“”\s]{1,16}、)+[^，。；：、“”\s]{1,16}(?:和|及|与|、)?[^，。；：、“”\s]{0,16})$")


def asks_day(question: str) -> bool:
    return bool(_DAY_Q.search(question))


def asks_exact_day(question: str) -> bool:
    """A day or the ends of a period, not just "when" ("什么时候举行" may be "元旦春节期间")."""
    return bool(_EXACT_DAY_Q.search(question))


def has_day(text: str) -> bool:
    return bool(_DAY.search(text))


def day_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The longest written date naming a day in ``text[start:end]`` — a range
    ("2023年12月22日至2024年2月15日") is one run — or None."""
    best = None
    for m in _DATE_RUN.finditer(text, start, end):
        if m.end() > m.start() and _DAY.search(m.group()) and (
                best is None or m.end() - m.start() > best[1] - best[0]):
            best = (m.start(), m.end())
    return best


def shape(text: str, a: int, b: int, question: str) -> tuple[int, int]:
    """The span [a, b) of ``text`` repaired for what ``question`` asks."""
    b = complete_number(text, b)
    m = _DATE_RUN.match(text, a)
    if re.match(r"\d", text[a:b]) and m and m.end() > b:  # a date cut short
        b = m.end()
    if _LIST_Q.search(question) and re.match(r"[一二两三四五六七八九十\d]+[个项类种条门]", text[a:b]):
        lst = _LIST_BEFORE.search(text[max(0, a - 120):a])  # "…四个赛道": the four, named before
        if lst:  # without a leading verb: "共开展数据分析、云计算…" -> "数据分析、云计算…"
            items = re.sub(r"^(?:共计|总共|共|并)?(?:开展|设有|设置|设立|包括|包含|分为|涵盖|设|有|为)", "",
                           lst.group(1))
            a -= len(items)
    if _PLACE_Q.search(question) and b - a > 12:  # "…活动在中央美术学院校史馆西厅"
        cut = text.rfind("在", a, b)
        if cut != -1 and b - cut - 1 >= 2:
            a = cut + 1
    return a, b
