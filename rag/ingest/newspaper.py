"""Newspaper-page text: layout repair, article splitting, bylines and dates.

Text copied out of a newspaper PDF/e-paper has three problems this module
solves with plain, documented rules (no tuning to particular strings):

1. The column layout cuts words in half across paragraph breaks
   ("中央美术" / "学院").  :func:`repair_lines` rejoins them.
2. One page holds several articles plus page furniture (slogan banners,
   date lines).  :func:`split_page` cuts the page into articles.
3. Bylines and dates sit in the article header, never in the body: they are
   read by `rag.ingest.article_header`, with the line shapes defined here.

All functions are pure (text in, data out) so they are unit-tested directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LAYOUT_WIDTH = 40  # a line this long that stops mid-sentence was cut by the layout
HEADING_MAX = 40  # longest ordinary heading line
LONG_TITLE_MAX = 64  # a title directly above a byline may be longer

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
_DATE_LINE = re.compile(r"^(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)(?=$|[\s|｜·/])")


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


def date_line(line: str) -> str | None:
    """The date of a line that is only a date plus furniture ("2023年12月28日 星期四 第3版"),
    never of a sentence that starts with one (it has a comma or a full stop)."""
    line = line.strip()
    m = _DATE_LINE.match(line)
    return m.group(1) if m and not set(line) & set("，。") else None


def is_furniture(line: str) -> bool:
    """Page furniture: a date/issue line or a slogan banner of parallel phrases.

    Slogan banners are written as two or more phrases separated by spaces
    ("深入学习贯彻… 奋力开拓…"); article titles use punctuation instead.
    """
    line = line.strip()
    if date_line(line):
        return True
    return bool(_PAGE_NO.search(line) and len(line) <= 30) or bool(_SLOGAN.fullmatch(line))


# ------------------------------------------------------------- layout repair
def _word_spans(left: str, right: str) -> bool:
    """True if a dictionary word runs across the break (jieba: "水|墨" -> 水墨)."""
    if not (_CJK.match(left[-1]) and _CJK.match(right[0])):
        return False
    from rag.text.tokenizer import words  # jieba loads only when a page needs its breaks read

    tail, head = left[-4:], right[:4]
    pos = 0
    for tok in words(tail + head, hmm=False):
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
