"""Newspaper-page text: layout repair, article splitting, bylines and dates.

Text copied out of a newspaper PDF/e-paper has three problems this module
solves with plain, documented rules (no tuning to particular strings):

1. The column layout cuts words in half across paragraph breaks
   ("中央美术" / "学院").  :func:`repair_lines` rejoins them.
2. One page holds several articles plus page furniture (slogan banners,
   date lines).  :func:`split_page` cuts the page into articles.
3. Bylines and dates sit in the article header, never in the body:
   :func:`parse_byline`, :func:`date_from_header`.  Dates are never guessed
   from body text and never get an invented year.

All functions are pure (text in, data out) so they are unit-tested directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

LAYOUT_WIDTH = 40  # a line this long that stops mid-sentence was cut by the layout
HEADING_MAX = 40  # longest ordinary heading line
LONG_TITLE_MAX = 64  # a title directly above a byline may be longer
CN_TZ = timezone(timedelta(hours=8))  # epoch timestamps are read as Beijing time

# A paragraph ending in one of these is complete; anything else may continue.
_FINAL = set("。！？!?…；;：:」』”’）)】.\"'")
_CLAUSE = set("，、；：;")
_CJK = re.compile(r"[\u3400-\u9fff]")
_INDENT = re.compile(r"^(?:\u3000|[ \t\u00a0]{2,})")

# Openings that only an article's first paragraph has: 本报讯, agency datelines
# ("新华社北京7月28日电"), "XX日报讯", "据XX报道", "【XX网报道】", a bracketed or
# stand-alone reporter byline.  "记者近日从…" or "据了解" are ordinary sentences, not bylines.
_BYLINE_START = re.compile(
    r"^(?:本报讯|本报[\u4e00-\u9fff]{0,6}(?:\d{4}年)?\d{1,2}月\d{1,2}日?[电讯]"
    r"|[\u4e00-\u9fff]{2,8}[\u4e00-\u9fff\d年]{0,12}\d{1,2}月\d{1,2}日电"
    r"|[\u4e00-\u9fff]{2,8}(?:报|网|台)讯|据[\u4e00-\u9fff]{2,12}(?:报道|消息)"
    r"|【[^】]{1,16}(?:报道|讯|电|消息)】"
    r"|[（(](?:本报)?(?:实习|见习|特约|首席)?(?:记者|通讯员)"
    r"|(?:本报)?(?:实习|见习|特约|首席)?(?:记者|通讯员)[ \u3000]+[\u4e00-\u9fff·]{2,8}(?:[ \u3000、，,]|$))"
)
_SLOGAN = re.compile(r"[\u4e00-\u9fff“”]{4,}(?:[ \u3000]+[\u4e00-\u9fff“”]{4,})+")
_PAGE_NO = re.compile(r"第\s*[0-9０-９一二三四五六七八九十]+\s*版")
_YMD = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?")
_DATE_TOKEN = re.compile(r"^(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)(?=$|[\s|｜·/])")
_DATELINE = re.compile(r"^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2})[ T]\d{1,2}:\d{2}")
# a first paragraph that opens with its full date: "2019年7月23日，COTODAMA推出…"
_OPENING_DATE = re.compile(r"^(\d{4}年\d{1,2}月\d{1,2}日)(?:[上下]午|晚间?|凌晨|早间|傍晚)?[，,]")


@dataclass
class PageArticle:
    """One article cut out of a page; ``position`` counts from 1 on the page."""

    title: str
    text: str
    subtitle: str = ""
    kicker: str = ""  # 引题: the line above the main title, when there is one
    position: int = 1


# ---------------------------------------------------------------- line shapes
def is_byline_start(par: str) -> bool:
    """True when ``par`` opens an article (本报讯, 新华社…电, （记者 …）, …)."""
    return bool(_BYLINE_START.match(par))


def heading_like(line: str, max_len: int = HEADING_MAX) -> bool:
    """A short line that can be a title: no full stop, no dangling clause mark.

    Titles may end in ！？ or a closing quote, but not in 。，、；：…, and never
    contain 。.  Lines wholly in brackets ("（完）", "（本报记者 张三 摄）")
    are notes, not titles.
    """
    line = line.strip()
    if not line or len(line) > max_len or "。" in line:
        return False
    if line[0] in "（(" and line[-1] in "）)":
        return False
    if line[-1] in "，、；：…,;:":
        return False
    return not (line[-1] in "”’」』" and len(line) > 1 and line[-2] in "。！？!?…")


def is_furniture(line: str) -> bool:
    """Page furniture: a date/issue line or a slogan banner of parallel phrases.

    Slogan banners are written as two or more phrases separated by spaces
    ("深入学习贯彻… 奋力开拓…"); article titles use punctuation instead.
    """
    line = line.strip()
    if _DATE_TOKEN.match(line) and not set(line) & set("，。"):
        return True
    return bool(_PAGE_NO.search(line) and len(line) <= 30) or bool(_SLOGAN.fullmatch(line))


# ------------------------------------------------------------- layout repair
_jieba = None


def _word_spans(left: str, right: str) -> bool:
    """True if a dictionary word runs across the break (jieba: "水|墨" -> 水墨)."""
    global _jieba
    if not (_CJK.match(left[-1]) and _CJK.match(right[0])):
        return False
    if _jieba is None:
        try:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            _jieba = jieba
        except ImportError:  # without jieba: trust clause punctuation alone
            _jieba = False
    if not _jieba:
        return sum(ch in _CLAUSE for ch in left) >= 2
    tail, head = left[-4:], right[:4]
    pos = 0
    for tok in _jieba.lcut(tail + head, HMM=False):
        if pos < len(tail) < pos + len(tok):
            return True
        pos += len(tok)
    return False


def _starts_heading_block(pieces: list[str], i: int) -> bool:
    """pieces[i] and up to two more heading lines sit right above a byline."""
    for j in range(i, min(i + 3, len(pieces))):
        if is_byline_start(pieces[j]):
            return j > i
        if not heading_like(pieces[j], LONG_TITLE_MAX):
            return False
    return False


def _continues(prev: str, nxt: str, indented: bool, pieces: list[str], i: int) -> bool:
    if prev[-1] in _FINAL or indented or is_byline_start(nxt) or _starts_heading_block(pieces, i):
        return False
    if len(prev) >= LAYOUT_WIDTH:
        return True
    # A short piece is a cut column end only if it reads like a sentence (has
    # clause punctuation) and a word visibly runs across the break.
    return any(ch in _CLAUSE for ch in prev) and _word_spans(prev, nxt)


def repair_lines(text: str) -> str:
    """Rejoin paragraphs cut by the page layout; return one paragraph per line.

    A paragraph is continued by the next one when it does not end in
    sentence-final punctuation and either is layout-wide (>= 40 chars) or is
    a short sentence fragment whose last word runs on into the next line.
    Never joined: indented lines (real paragraph starts), bylines, and heading
    lines standing right above a byline.  Blank lines are dropped.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "").replace("\u200b", "")
    raw = [ln for ln in text.split("\n") if ln.strip()]
    pieces = [ln.strip() for ln in raw]
    out: list[str] = []
    for i, piece in enumerate(pieces):
        if out and _continues(out[-1], piece, bool(_INDENT.match(raw[i])), pieces, i):
            ascii_pair = out[-1][-1].isascii() and piece[0].isascii()
            out[-1] += " " + piece if ascii_pair and not out[-1][-1].isdigit() else piece
        else:
            out.append(piece)
    return "\n".join(out)


# ------------------------------------------------------------ page splitting
def _read_heading(lines: list[str], top: bool) -> tuple[str, str, str]:
    """(kicker, title, subtitle) from a heading block of 1-3 lines.

    Page furniture at the top of the page is dropped.  Two lines are title +
    subtitle, unless the first is a slogan (then it is the kicker, 引题);
    three lines are kicker + title + subtitle, the usual newspaper order.
    """
    if top:
        lines = [ln for ln in lines if not is_furniture(ln)]
    if len(lines) == 2 and not lines[1].startswith(("—", "－")) and is_furniture(lines[0]):
        return lines[0], lines[1], ""
    if len(lines) >= 3:
        return lines[0], lines[1], "\n".join(lines[2:]).lstrip("—－ ")
    if not lines:
        return "", "", ""
    return "", lines[0], "\n".join(lines[1:]).lstrip("—－ ")


def split_page(text: str) -> list[PageArticle]:
    """Split page text into articles (one article when it has no bylines).

    Rules: an article starts at a paragraph that opens like a news item
    (本报讯, 新华社…电, （记者 …）, …); the 1-3 heading lines right above it
    are its title block.  Heading lines before the first title block and
    after the last article's body are page banners and are dropped (on
    multi-article pages).  Body text before the first title block becomes an
    untitled article.  Text without any byline is one article whose title is
    the heading block at its very top, if any.
    """
    paras = repair_lines(text).split("\n")
    if paras == [""]:
        return []
    starts = [i for i, p in enumerate(paras) if is_byline_start(p)]
    blocks: list[tuple[int, int]] = []  # (heading start, body start)
    prev = 0
    for s in starts:
        h = s
        while h > prev and s - h < 3 and heading_like(paras[h - 1], LONG_TITLE_MAX if h == s else HEADING_MAX):
            h -= 1
        blocks.append((h, s))
        prev = s + 1
    if not blocks:  # one article: a heading block at the top, then the body
        h = 0
        while h < min(3, len(paras) - 1) and heading_like(paras[h]):
            h += 1
        blocks = [(0, h)]
    pieces: list[PageArticle] = []
    lead = [p for p in paras[: blocks[0][0]] if not heading_like(p)]
    if lead:
        pieces.append(PageArticle(title="", text="\n".join(lead)))
    for n, (h, s) in enumerate(blocks):
        end = blocks[n + 1][0] if n + 1 < len(blocks) else len(paras)
        body = paras[s:end]
        if n + 1 == len(blocks) and len(blocks) > 1:
            while len(body) > 1 and heading_like(body[-1]):
                body.pop()  # bottom-of-page banner
        kicker, title, subtitle = _read_heading(paras[h:s], top=(n == 0))
        if not body:
            body, title = [title], ""
        pieces.append(PageArticle(title, "\n".join(body), subtitle, kicker))
    for i, piece in enumerate(pieces, 1):
        piece.position = i
    return pieces


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
        if (m := _DATE_TOKEN.match(line)) and not set(line) & set("，。"):
            return parse_date(m.group(1))
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
