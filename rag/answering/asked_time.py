"""The time a question asks about, and whether an answer's evidence speaks of another.

News repeats itself: the same league crowns a champion every year, a health office reports
new cases every day, and a question that names its time ("2024年8月2日在哪场比赛中中国选手
夺得金牌？", "2023年6月6日北京报告了多少例猴痘病例？") is most often answered wrongly with
the same kind of sentence about another day. Relative times are already written out by
then (`rag.answering.dates`: "昨天" -> "2020年8月6日"), so the question's own text says
which year, month or day it asks about, and the evidence is judged at that grain:

* a year: the sentence's years (今年/去年/前年 in a dated article count), or its passage's
  when the sentence names none;
* a month or a day: the sentence's own month-day mentions, when it has any (a passage
  names many days; only the sentence that holds the answer can be held to one). Asked a day,
  a sentence naming other days speaks of them even when it also names the month in passing
  ("2023年8月29日…较6月增长4倍"); a bare month decides only in a sentence naming no day.
  A dateline ("新华社厦门7月20日电") says when the report was filed, not when things happened,
  and a bare day ("19日上午") is of the month last named before it, else of the article's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.types import Hit

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_RELATIVE_YEARS = (("今年", 0), ("去年", 1), ("前年", 2), ("明年", -1), ("后年", -2))
# a year the question names: "2022年…", and also "2022春运" / "2022赛季" (a year written
# without 年 before a word, never a count: "2000万辆", "2000多名")
ASKED_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?=\s*年|[^\d.%\s万亿千百元个件人名次条"
                        r"台辆张只项家所米吨度倍分秒位户篇部场多余-])")
# "8月2日", "12月" (never "3个月": a length, not a month); a day needs its month
_MONTH_DAY = re.compile(r"(?<![\d.])(1[0-2]|0?[1-9])\s*月\s*(?:(3[01]|[12]\d|0?[1-9])\s*[日号])?")
# "中新网7月29日电", "新华社北京8月2日电", "新华社北京24日电": the dateline a report opens with
DATELINE = re.compile(r"(?:\d{1,2}\s*月\s*)?\d{1,2}\s*日\s*电")
# "19日上午": a day without its month (not the 19 of "8月19日", "2019日", "19日元")
_BARE_DAY = re.compile(r"(?<![\d月.])(3[01]|[12]\d|0?[1-9])\s*[日号](?!元)")
# "2月以来" / "8月1日起" / "3月至今" open a period rather than name a point in it
_SINCE = re.compile(r"\s*(?:以来|至今|起|之后|以后|后|开始)")


@dataclass(frozen=True)
class AskedTime:
    """The years, months and days (month, day) a question names."""

    years: frozenset[str]
    months: frozenset[int]
    days: frozenset[tuple[int, int]]

    def __bool__(self) -> bool:
        return bool(self.years or self.months or self.days)


# "比2022年涨了多少", "与2022年同期相比": the time compared with, not the one asked about
_WHEN = r"(?:(?:19|20)\d{2}\s*年|去年|上年|前年|今年)?(?:\s*(?:1[0-2]|0?[1-9])\s*月(?:\s*\d{1,2}\s*[日号])?)?(?:同期|底|初|末)?"
BASELINE = re.compile(rf"(?:比|较)\s*{_WHEN}(?=\s*(?:相比|涨|跌|增|减|上|下|提高|降低|多|少|高|低|翻))|"
                       rf"与\s*{_WHEN}\s*(?=相比|相较)")


def asked_time(query: str) -> AskedTime:
    """What ``query`` names, at every grain it names ("2024年8月2日": 2024, —, (8, 2);
    "2020年2月": 2020, 2, —); a time it compares with ("房租比2022年涨了多少") is no time asked."""
    query = BASELINE.sub("", query)
    months, days = set(), set()
    for found in _MONTH_DAY.finditer(query):
        if _SINCE.match(query, found.end()):
            continue
        m, d = found.groups()
        if d:
            days.add((int(m), int(d)))
        else:
            months.add(int(m))
    return AskedTime(frozenset(ASKED_YEAR.findall(query)), frozenset(months), frozenset(days))


def other_time(sentence: str, hit: Hit, asked: AskedTime) -> bool:
    """The evidence speaks of another time than the one asked: another year
    ("德约科维奇夺得2023年澳网男单冠军" for a 2022 question), or, when the question names
    a month or a day, a sentence that names months or days, none of them the one asked."""
    return (bool(asked.years) and other_year(sentence, hit, asked.years)) or _other_day(sentence, asked, hit.date)


def _other_day(sentence: str, asked: AskedTime, date: str | None = None) -> bool:
    if not (asked.days or asked.months):
        return False
    said = said_days(sentence, date)
    if not said:
        return False  # no verdict: the sentence names no month
    days = {(m, d) for m, d in said if d}
    months = {m for m, _ in said}
    if asked.days:
        if days:  # it names days, none of them the one asked ("8月29日…较6月增长4倍")
            return not days & asked.days
        # "8月" alone in the sentence: judged by the asked day's month
        return not {m for m, _ in asked.days} & months
    return not (months & asked.months)


def bare_days(sentence: str) -> set[int]:
    """The days a sentence names without their month ("普京2日将…"), its dateline left out."""
    return {int(m.group(1)) for m in _BARE_DAY.finditer(DATELINE.sub(lambda m: " " * len(m.group()), sentence))}


def said_days(sentence: str, date: str | None = None) -> list[tuple[int, int | None]]:
    """The (month, day or None) a sentence names, its dateline left out; a bare day ("19日上午")
    takes the month last named before it, else the month of the article's ``date``
    ("2023-07-20"; a day after the article's own is of the month before)."""
    sentence = DATELINE.sub(lambda m: " " * len(m.group()), sentence)
    out, marks = [], []
    for m in _MONTH_DAY.finditer(sentence):
        out.append((int(m.group(1)), int(m.group(2)) if m.group(2) else None))
        marks.append((m.start(), m.end(), int(m.group(1))))
    for m in _BARE_DAY.finditer(sentence):
        if any(a <= m.start() < b for a, b, _ in marks):
            continue
        before = [month for a, b, month in marks if b <= m.start()]
        day = int(m.group(1))
        if before:
            out.append((before[-1], day))
        elif date and len(date) >= 10 and date[4] == "-":
            month, today = int(date[5:7]), int(date[8:10])
            out.append((month if day <= today else (month - 2) % 12 + 1, day))
    return out


def names_year(text: str) -> bool:
    """``text`` names a year, written ("2023年") or relative ("去年")."""
    return bool(ASKED_YEAR.search(text)) or any(word in text for word, _ in _RELATIVE_YEARS)


def relative_years(text: str, date: str | None) -> set[str]:
    """The years 今年/去年/前年/明年/后年 in ``text`` name, in an article dated ``date``."""
    if not date:
        return set()
    y = int(date[:4])
    return {str(y - back) for word, back in _RELATIVE_YEARS if word in text}


def other_year(sentence: str, hit: Hit, asked: set[str] | frozenset[str]) -> bool:
    """The evidence names years, none of them one the question asks about: the sentence's
    own years decide; a sentence without one is judged by its passage (title, text, date)."""
    years = set(_YEAR.findall(sentence)) | relative_years(sentence, hit.date)
    if not years:
        years = set(_YEAR.findall(f"{hit.title}\n{hit.text}"))
        if hit.date:
            years.add(hit.date[:4])
    return bool(years) and not years & asked
