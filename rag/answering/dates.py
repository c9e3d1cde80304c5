"""Relative time in questions: "三年前的今天", "上个月", "去年6月" become real dates.

News questions are asked at a moment: ``as_of`` ("today", an ISO date; by default the
real current date in ``Config.timezone``). `resolve_dates` rewrites every relative
expression of a question into the period it names — so the query reads naturally
("上个月哪些公司…" -> "2024年8月哪些公司…") and keyword search can match the dates
articles are written with — and returns that period for the search to *prefer*
(`rag.answer` ranks articles inside and near it first; it never drops an article for
its date, and an undated article is never dropped at all).

Expressions are found in one left-to-right scan, longest first, so "三年前天津市" is
"三年前" + "天津市" (never "前天"), and a day word glued to a word ending in 前/先
("以前天气") is not a day. Handled: 今天/今日 昨天 前天 大前天 明天; 本周 上周 上上周
下周 (and 星期) and a day of them (上周五, 这个星期天; 上周一共… is no Monday); 本月 上个月 上上个月 下个月; 今年 去年 前年 大前年 明年; N天前
N周前 N个月前 N年前 (digits or 一…十, 两); N年前的今天 / 去年这个时候 / 去年同期;
今年X月 去年X月X日 三年前四月; 年初 年底 上半年 下半年 第一季度… (after a year word, or
alone: the year the question named before it, else this year); 近日/日前/近期/最近 (recent: the last 30 days, a preference,
never rewritten). 几年前 / 多年前 say no date and are left alone.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

_CN = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_N = r"(?<![0-9])[0-9]{1,2}(?![0-9])|[一二两三四五六七八九十]{1,3}"  # "2023年前三季度" is no "N年前"
_YEAR_WORDS = {"今年": 0, "本年": 0, "去年": 1, "前年": 2, "大前年": 3, "明年": -1}
_PARTS = {"年初": (1, 1, 2, 28), "初": (1, 1, 2, 28), "年底": (11, 1, 12, 31), "底": (11, 1, 12, 31),
          "年末": (11, 1, 12, 31), "末": (11, 1, 12, 31), "上半年": (1, 1, 6, 30),
          "下半年": (7, 1, 12, 31), "第一季度": (1, 1, 3, 31), "第二季度": (4, 1, 6, 30),
          "第三季度": (7, 1, 9, 30), "第四季度": (10, 1, 12, 31)}
_PART = r"年初|年底|年末|上半年|下半年|第?[一二三四1-4]季度"


def _month_day(p: str) -> str:
    """"(的)4月(3日)(底)" with group names prefixed ``p``."""
    return rf"(?:的)?(?P<{p}m>{_N})月(?:份)?(?:(?P<{p}d>{_N})[日号])?(?P<{p}mp>初|底|末|上旬|中旬|下旬)?"


_SCAN = re.compile("|".join([
    rf"(?P<xyear>(?P<xy>(?:19|20)\d{{2}})年?(?:的)?(?P<xfront>前)?(?P<xpart>{_PART}|初|底|末))",  # 2022年上半年: its own year
    rf"(?P<anniv>(?P<an>{_N})年前的?(?:今天|今日|这一天|这天|同一天|这个时候|这时候|同期|这个月|同月))",
    rf"(?P<ago>(?P<n>{_N}|几|多|数|好几)(?P<u>天|周|个星期|个月|年)(?:以)?前(?:{_month_day('a')})?)",
    rf"(?P<yw>大前年|今年|本年|去年|前年|明年)(?:(?:的)?(?P<yw_when>这个时候|这时候|同期|这个月|同月)|"
    rf"{_month_day('y')}|(?:的)?(?P<ypart>{_PART}|初|底|末))?",
    r"(?P<day>大前天|前天|昨天|昨日|今天|今日|明天|明日)",
    r"(?P<week>(?:上上(?:个)?|上(?:个)?|本|这(?:个)?|下(?:个)?)(?:周|星期)"
    r"(?P<wd>一(?![共起直些样定致般切同道边下次个])|[二三四五六日]|天(?!气))?)",  # 上周五: that day
    r"(?P<month>上上个月|上个月|上月|本月|这个月|下个月|下月)",
    rf"(?P<part>{_PART})",
    r"(?P<recent>近日|日前|近期|最近|近来)",
]))
# a day word right after these is the end of another word: 以前|天气, 事先|天…
_GLUED = set("以之提此先目从空史眼门跟面年月日前生")
_GLUED_YEAR = set("过失除")  # 过去年份 is 过去 + 年份
_BASELINE = set("比较与同跟和")  # …去年同期: what a change is measured against


@dataclass(frozen=True)
class DateResolution:
    """The rewritten query and the period it names (ISO, inclusive), if any."""

    query: str
    date_from: str | None = None
    date_to: str | None = None
    recent: bool = False  # 近日/日前: prefer the last weeks, no date named
    found: list[str] = field(default_factory=list)  # the expressions resolved, as written


def to_int(text: str) -> int | None:
    """12, "十二", "两", "二十三" -> int; None if not a number."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in _CN and c != "十" for c in text):
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN.get(tens, 1) if tens else 1) * 10 + (_CN.get(ones, 0) if ones else 0)
    return _CN[text] if len(text) == 1 else None


def _shift_months(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def _month(y: int, m: int) -> tuple[date, date]:
    return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])


def _same_day(d: date, years: int) -> date:
    y = d.year - years
    return date(y, d.month, min(d.day, calendar.monthrange(y, d.month)[1]))


def _ymd(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _month_text(y: int, m: int, day: str | None, part: str | None) -> tuple[str, date, date] | None:
    """"2021年4月" / "2021年4月3日" / "2021年7月底" and its period."""
    mm = to_int(m)
    if not mm or not 1 <= mm <= 12:
        return None
    lo, hi = _month(y, mm)
    if day:
        dd = to_int(day)
        if not dd or dd > hi.day:
            return None
        lo = hi = date(y, mm, dd)
        return _ymd(lo), lo, hi
    if part:
        lo, hi = {"初": (lo, lo.replace(day=10)), "上旬": (lo, lo.replace(day=10)),
                  "中旬": (lo.replace(day=11), lo.replace(day=20)),
                  "底": (lo.replace(day=21), hi), "末": (lo.replace(day=21), hi),
                  "下旬": (lo.replace(day=21), hi)}[part]
    return f"{y}年{mm}月{part or ''}", lo, hi


def _resolve(m: re.Match, today: date) -> tuple[str, date, date] | None:
    """(replacement text, first day, last day) of one expression, or None to leave it."""
    g = m.groupdict()
    if g["xyear"]:  # an explicit year: the words stay, the period is known
        _, lo, hi = _part(int(g["xy"]), g["xpart"])
        if g["xfront"]:  # 前三季度: from January to the end of that quarter
            lo = date(lo.year, 1, 1)
        return m.group(), lo, hi
    if g["anniv"]:
        n = to_int(g["an"])
        if n is None:
            return None
        if m.group().endswith(("这个月", "同月")):
            lo, hi = _month(today.year - n, today.month)
            return f"{lo.year}年{lo.month}月", lo, hi
        d = _same_day(today, n)
        return _ymd(d), d, d
    if g["ago"]:
        n = to_int(g["n"])
        if n is None:
            return None  # 几年前, 多年前: no date said
        unit = g["u"]
        if unit == "天":
            d = today - timedelta(days=n)
            return _ymd(d), d, d
        if unit in ("周", "个星期"):
            return _week(today - timedelta(days=today.weekday() + 7 * n))
        if unit == "个月":
            first = _shift_months(today.replace(day=1), -n)
            lo, hi = _month(first.year, first.month)
            return f"{lo.year}年{lo.month}月", lo, hi
        y = today.year - n
        if y < 1900:
            return None
        if g["am"]:
            return _month_text(y, g["am"], g["ad"], g["amp"])
        return f"{y}年", date(y, 1, 1), date(y, 12, 31)
    if g["yw"]:
        if m.start() and m.string[m.start() - 1] in _GLUED_YEAR:
            return None
        y = today.year - _YEAR_WORDS[g["yw"]]
        if g["yw_when"]:  # 去年这个时候 / 去年同期: that month
            lo, hi = _month(y, today.month)
            return f"{y}年{today.month}月", lo, hi
        if g["ym"]:
            return _month_text(y, g["ym"], g["yd"], g["ymp"])
        if g["ypart"]:
            return _part(y, g["ypart"])
        return f"{y}年", date(y, 1, 1), date(y, 12, 31)
    if g["day"]:
        if m.start() and m.string[m.start() - 1] in _GLUED:
            return None
        back = {"大前天": 3, "前天": 2, "昨天": 1, "昨日": 1, "今天": 0, "今日": 0, "明天": -1, "明日": -1}
        d = today - timedelta(days=back[g["day"]])
        return _ymd(d), d, d
    if g["week"]:
        w = g["week"]
        weeks = -2 if w.startswith("上上") else -1 if w.startswith("上") else 1 if w.startswith("下") else 0
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)
        if g["wd"]:
            d = monday + timedelta(days="一二三四五六".find(g["wd"]) % 7)  # 日/天: -1 % 7 = 6
            return _ymd(d), d, d
        return _week(monday)
    if g["month"]:
        w = g["month"]
        n = -2 if w.startswith("上上") else -1 if w.startswith("上") else 1 if w.startswith("下") else 0
        first = _shift_months(today.replace(day=1), n)
        lo, hi = _month(first.year, first.month)
        return f"{lo.year}年{lo.month}月", lo, hi
    if g["part"]:  # this year's, unless the question named a year before it ("2021年…计划在年底")
        named = re.findall(r"((?:19|20)\d{2})年", m.string[:m.start()])
        return _part(int(named[-1]) if named else today.year, g["part"])
    return None


def _week(monday: date) -> tuple[str, date, date]:
    """"2024年11月4日至10日" / "…10月28日至11月3日" and the week's Monday..Sunday."""
    sunday = monday + timedelta(days=6)
    end = f"{sunday.day}日" if sunday.month == monday.month else f"{sunday.month}月{sunday.day}日"
    return f"{_ymd(monday)}至{end}", monday, sunday


def _part(y: int, part: str) -> tuple[str, date, date]:
    key = part
    if "季度" in part:
        n = to_int(part.strip("第季度")) or 1
        key = f"第{'一二三四'[n - 1]}季度"
    m1, d1, m2, d2 = _PARTS[key]
    d2 = min(d2, calendar.monthrange(y, m2)[1])
    key = key if len(key) > 1 else "年" + key  # 初 -> 年初
    text = f"{y}{key}" if key.startswith("年") else f"{y}年{key}"
    return text, date(y, m1, d1), date(y, m2, d2)


def parse_as_of(value: date | str) -> date:
    """``as_of`` as a date (`rag.params.check_as_of`, the one rule): ParamError otherwise."""
    from rag.params import ParamError, check_as_of

    day = check_as_of(value)
    if day is None:
        raise ParamError("as_of", "a date written YYYY-MM-DD, such as 2024-08-16", value)
    return day


def today(timezone: str = "Asia/Shanghai") -> date:
    """The current date where the newsroom is (``Config.timezone``)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(timezone)).date()


_TEXT_DATE = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(?:(\d{1,2})[日号])?")


def date_in_text(text: str) -> tuple[date, str] | None:
    """The first full date written in ``text`` ("2019年7月23日" or "2019年7月") and its
    granularity ("day"/"month"): when an event happened, as the passage says it."""
    for m in _TEXT_DATE.finditer(text):
        y, mo, d = int(m.group(1)), int(m.group(2)), m.group(3)
        try:
            return (date(y, mo, int(d)), "day") if d else (date(y, mo, 1), "month")
        except ValueError:
            continue
    return None


def resolve_dates(query: str, as_of: date | str | None, *, keep_words: bool = False) -> DateResolution:
    """Every relative expression of ``query`` replaced by the dates it names on ``as_of``,
    and the period covering them. Without ``as_of`` nothing is resolved (never invented).
    ``keep_words``: the expression stays beside its dates ("2026年（今年）"), for articles
    without a date, whose own 今年 may be the question's."""
    if not as_of:
        return DateResolution(query)
    now = parse_as_of(as_of)
    out, pos, lo, hi, recent, found = [], 0, None, None, False, []
    for m in _SCAN.finditer(query):
        if m.group("recent"):
            recent = True
            continue
        if m.group("yw_when") == "同期" and query[max(0, m.start() - 1):m.start()] in _BASELINE:
            continue  # "比去年同期多了百分之几": the baseline of a change, not a time asked about
        got = _resolve(m, now)
        if got is None:
            continue
        text, a, b = got
        out.append(query[pos:m.start()] + (f"{text}（{m.group()}）" if keep_words else text))
        pos = m.end()
        lo, hi = min(lo or a, a), max(hi or b, b)
        found.append(m.group())
    out.append(query[pos:])
    if recent and lo is None:
        lo, hi = now - timedelta(days=30), now
    return DateResolution("".join(out), lo.isoformat() if lo else None,
                          hi.isoformat() if hi else None, recent, found)
