"""What a report says of itself — when, where and by whom it was filed — is never an answer
about the news it reports, unless the question asks about the report.

"2023-08-07 15:13:55，正文：…" (the timestamp an article opens with), "新华社北京7月20日电" (its
dateline: the agency, the place it was filed from and the day) and "（记者/刘灏）", "全媒记者
马明玉", "新华社记者 肖艺九 摄" (bylines and photo credits) name times, places and people a
reader never asks about: "会谈在北京哪个场所举行" is not answered by 新华社, "谁战胜了青岛海牛队" not by
the photographer.
"""

from __future__ import annotations

import re

from rag.answering.asked_time import DATELINE

# a timestamp an article opens with ("2023-08-07 15:13:55，正文：…", "07/29 07:45，…")
_STAMP = re.compile(r"\s*(?:发稿时间[：:]\s*)?(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}/\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_PUBLISHED = re.compile(r"发布|发稿|刊发|刊登|报道|发表")


def _in_dateline(text: str, a: int, b: int) -> bool:
    """The span [a, b) is (in) a dateline: its date ("中新网7月29日电"), or the agency and place
    right before it ("新华社" and "北京" of "新华社北京7月20日电": who filed it, and from where)."""
    return any(m.start() < b and m.end() > a or m.start() >= b and not _APART_DATELINE.search(text, b, m.start())
               for m in DATELINE.finditer(text, max(0, a - 12), b + 10))


# a byline: the span starts right after 记者 / 通讯员 / 摄影 ("记者/刘灏", "全媒记者 马明玉")
_BYLINE = re.compile(r"(?:记者|通讯员|摄影|编辑|撰稿)[\s/：:]*(?:[\u4e00-\u9fff]{2,4}[\s、，]+)*$")
_BYLINE_IN = re.compile(r"(?:记者|通讯员|摄影)[\s/：:]*[\u4e00-\u9fff]{2,4}$")


def _byline(text: str, a: int, b: int) -> bool:
    """The span [a, b) is a byline's name, or ends with one ("湖北日报全媒记者 马明玉")."""
    return bool(_BYLINE.search(text, max(0, a - 12), a) or _BYLINE_IN.search(text, a, b))


_REPORTER_Q = re.compile(r"记者|通讯员|摄影|编辑|撰稿|报道|作者")
_APART_DATELINE = re.compile(r"[\s，。；：、！？（）()“”,;:]")


def _stamp_end(text: str) -> int:
    """Where the timestamp the passage opens with ends (0 without one)."""
    m = _STAMP.match(text)
    return m.end() if m else 0


def of_the_report(text: str, a: int, b: int, query: str) -> bool:
    """The span [a, b) of ``text`` is the report's timestamp or dateline (and the question asks
    nothing about when it was published) or a byline (and it asks nothing about who wrote it)."""
    return ((b <= _stamp_end(text) or _in_dateline(text, a, b)) and not _PUBLISHED.search(query)
            or _byline(text, a, b) and not _REPORTER_Q.search(query))
