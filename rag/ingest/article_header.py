"""Bylines and dates from an article's header, never from its body.

A newspaper article says who wrote it and when in its first lines: a bracketed byline
("（本报记者 王小明 通讯员 李红）"), an agency dateline ("新华社北京2023年7月28日电"), a
date line above the title ("2023年12月28日 星期四"), a leading timestamp of an export
("2023-07-20 10:02，正文：…"). A date inside a sentence ("此次活动时间为2023年12月22日…")
is what the article reports, not when it was published, so it is never taken; and a
date without a year is never given one. Records' own date fields (epoch seconds, RFC 2822,
"2023年7月20日" …) are read by `parse_date`; file names by `date_from_filename`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from rag.ingest.newspaper import LONG_TITLE_MAX, date_line, heading_like, is_byline_start

CN_TZ = timezone(timedelta(hours=8))  # epoch timestamps are read as Beijing time
_YMD = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?")
_DATELINE = re.compile(r"^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2})[ T]\d{1,2}:\d{2}")
# a first paragraph that opens with its full date: "2019年7月23日，COTODAMA推出…"
_OPENING_DATE = re.compile(r"^(\d{4}年\d{1,2}月\d{1,2}日)(?:[上下]午|晚间?|凌晨|早间|傍晚)?[，,]")


# -------------------------------------------------------------------- bylines
_BRACKET = re.compile(r"[（(]([^（）()]{0,80}?(?:记者|通讯员)[^（）()]{0,80})[）)]")
_ROLE = re.compile(r"((?:本报|实习|见习|特约|首席)*(?:记者|通讯员))")
_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff·]{1,10}|[A-Z][A-Za-z.'-]{1,30}")
_NOT_NAMES = {"报道", "摄影", "摄", "电", "讯", "等", "文", "图", "综合", "整理", "北京"}


def parse_byline(text: str) -> dict[str, list[str]]:
    """Reporter and correspondent names from the byline at the article's top.

    Handles "本报讯（记者 任洁 通讯员 曹薇）", "新华社北京7月28日电（记者刘仲华、
    张慧中）" and a bare "本报记者 张三 李四" line; names are split on spaces,
    、 and ，.  Only the first paragraph is looked at, so "记者近日从…" in the
    body is never read as a byline.
    """
    found: dict[str, list[str]] = {"reporters": [], "correspondents": []}
    first = text.strip().split("\n", 1)[0] if text.strip() else ""
    m = _BRACKET.search(first)
    if m and m.start() <= 30:
        inner, strict = m.group(1), False
    elif is_byline_start(first) and _ROLE.match(first):
        inner, strict = re.split(r"[，。：:]", first, 1)[0], True
    else:
        return found
    role = None
    for part in _ROLE.split(inner):
        if _ROLE.fullmatch(part):
            role = "reporters" if part.endswith("记者") else "correspondents"
            continue
        if role is None:
            continue
        for tok in re.split(r"[\s\u3000、，,；;/]+", part.strip()):
            if tok and _NAME.fullmatch(tok) and tok not in _NOT_NAMES:
                if tok not in found[role]:
                    found[role].append(tok)
            elif tok and strict:
                break
    return found


# ---------------------------------------------------------------------- dates
def _iso(y: int | str, m: int | str, d: int | str) -> str | None:
    try:
        day = date(int(y), int(m), int(d))
    except ValueError:
        return None
    return day.isoformat() if 1900 <= day.year <= 2100 else None


def parse_date(value: object) -> str | None:
    """ISO ``YYYY-MM-DD`` from a record's date field, or None.

    Accepts date/datetime objects, epoch seconds or milliseconds (read in
    Beijing time), "2023-07-20 10:02", "2023/7/20", "2023年7月20日",
    "20230720", RFC 2822 and "July 20, 2023".  A date without a year
    ("12月27日") gives None: a year is never invented.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and re.fullmatch(r"\s*\d{9,13}(\.\d+)?\s*", value):
        value = float(value)
    if isinstance(value, (int, float)):
        secs = value / 1000 if value > 1e11 else value
        if not 1e8 <= secs < 4.1e9:  # 1973..2099; a bare 2023 is a year, not a timestamp
            return None
        return datetime.fromtimestamp(secs, CN_TZ).date().isoformat()
    if not isinstance(value, str):
        return None
    s = value.strip()
    if m := re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s):
        return _iso(*m.groups())
    if m := _YMD.search(s):
        return _iso(*m.groups())
    try:
        return parsedate_to_datetime(s).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%b. %d, %Y", "%d %B %Y", "%d %b %Y"):
        try:
            return datetime.strptime(s, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def date_from_header(text: str, max_lines: int = 4, datelines: bool = True) -> str | None:
    """Publication date from the header of a page or article, never the body.

    Looked at: the heading lines at the top and the first body paragraph's
    opening.  Accepted: a line that is a date plus furniture ("2023年12月28日
    星期四"), a leading timestamp ("2023-07-20 10:02，…"), or a dated
    agency/本报 dateline with a year ("新华社北京2023年7月28日电"), or a first
    paragraph opening with its full date ("2019年7月23日，…").  A date
    inside a sentence ("此次活动时间为2023年12月22日…") is body text.
    With ``datelines=False`` only a date line counts (a page's articles
    share the page date line, not the first article's dateline).
    """
    for line in [ln.strip() for ln in text.split("\n") if ln.strip()][:max_lines]:
        if day := date_line(line):
            return parse_date(day)
        if datelines and (m := _DATELINE.match(line) or _OPENING_DATE.match(line)):
            return parse_date(m.group(1))
        if datelines and is_byline_start(line):
            head = re.split(r"[电讯（(]", line, 1)[0]
            return parse_date(head) if re.search(r"\d{4}年", head) else None
        if not heading_like(line, LONG_TITLE_MAX):
            return None
    return None


def date_from_filename(name: str) -> str | None:
    """Date written in a file name: 2023-12-28_page.txt, 20231228.txt, 2023_12_28."""
    base = re.split(r"[\\/]", str(name))[-1]
    m = re.search(r"(?<!\d)((?:19|20)\d{2})([-_.])(\d{1,2})\2(\d{1,2})(?!\d)", base)
    if m:
        return _iso(m.group(1), m.group(3), m.group(4))
    m = re.search(r"(?<!\d)((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)", base)
    return _iso(*m.groups()) if m else None
