"""A newspaper PDF page's text layer, laid out: lines with their size, weight and column.

What the PDF says about each line — font size, bold face, position — decides what it is;
the text alone is never used to guess a headline. pdfminer.six (MIT) gives the lines
(``char_margin`` small enough that a column gap always splits a line); this module finds
the columns, the reading order (full-width lines cut the page into bands; within a band,
columns left to right, each top to bottom) and repairs the characters some PDF producers
map to radicals instead of the ideographs they draw (⻓ for 长, ⽉ for 月).
"""

from __future__ import annotations

import io
import logging
import unicodedata
from collections import Counter
from dataclasses import dataclass

# glyphs shared by a radical and an ideograph, mapped back to the ideograph; the Kangxi
# radicals (U+2F00-2FD5) are done by NFKC, these supplement forms have no decomposition
_RADICALS = dict(zip("⺟⺠⻁⻄⻅⻆⻈⻉⻋⻐⻓⻔⻘⻙⻚⻛⻜⻝⻠⻢⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳",
                     "母民虎西见角讠贝车钅长门青韦页风飞食饣马鱼鸟卤麦黄黾齐齿龙龟"))
_DASHES = {"⸺": "——", "⸻": "———"}


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    space_before: bool = False  # the PDF has a space at the line's start / end: a line
    space_after: bool = False   # break fell on a real space ("通讯员 | 张莹")
    column: int = -1  # -1: spans several columns


def clean_chars(text: str) -> str:
    out = []
    for ch in text:
        if "\u2f00" <= ch <= "\u2fdf":
            ch = unicodedata.normalize("NFKC", ch)
        out.append(_RADICALS.get(ch) or _DASHES.get(ch) or ch)
    return "".join(out)


def page_lines(data: bytes) -> list[tuple[float, list[Line]]]:
    """(page width, its text lines) for every page; an empty list for a page without text."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTTextContainer, LTTextLineHorizontal

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font-descriptor chatter
    pages = []
    for page in extract_pages(io.BytesIO(data), laparams=LAParams(char_margin=1.0,
                                                                    line_margin=0.3)):
        lines = []
        for box in page:
            if not isinstance(box, LTTextContainer):
                continue
            for line in box:
                if not isinstance(line, LTTextLineHorizontal):
                    continue
                chars = [c for c in line if isinstance(c, LTChar) and c.get_text().strip()]
                raw = _line_text(line, LTChar).rstrip("\n")
                text = clean_chars(" ".join(raw.split()))
                if not chars or not text:
                    continue
                size = Counter(round(c.size, 1) for c in chars).most_common(1)[0][0]
                bold = sum("bold" in c.fontname.lower() for c in chars) * 2 > len(chars)
                lines.append(Line(text, line.x0, line.x1, page.height - line.y1,
                                  page.height - line.y0, size, bold,
                                  space_before=raw[:1].isspace(), space_after=raw[-1:].isspace()))
        pages.append((page.width, lines))
    return pages


def _line_text(line, char_type) -> str:
    """The line's characters with the spaces the PDF holds; a space pdfminer infers from
    a gap is kept only between Latin letters or digits — justified Chinese is letter-spaced,
    and those gaps are not word breaks ("本 报 讯" must read 本报讯)."""
    items = list(line)
    out = []
    for i, item in enumerate(items):
        text = item.get_text()
        if isinstance(item, char_type) or text != " ":
            out.append(text)
            continue
        before = next((x.get_text() for x in reversed(items[:i]) if isinstance(x, char_type)), "")
        after = next((x.get_text() for x in items[i + 1:] if isinstance(x, char_type)), "")
        if _latin(before[-1:]) and _latin(after[:1]):
            out.append(" ")
    return "".join(out)


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def body_size(lines: list[Line]) -> float:
    """The font size most characters are set in."""
    weights = Counter()
    for ln in lines:
        weights[ln.size] += len(ln.text)
    return weights.most_common(1)[0][0]


def columns(lines: list[Line], body: float) -> list[tuple[float, float]]:
    """Column extents from the body lines: lines that overlap horizontally share a column."""
    ranges: list[list[float]] = []
    for ln in sorted((ln for ln in lines if abs(ln.size - body) < 0.6), key=lambda ln: ln.x0):
        for r in ranges:
            if ln.x0 < r[1] - body and ln.x1 > r[0] + body:
                r[0], r[1] = min(r[0], ln.x0), max(r[1], ln.x1)
                break
        else:
            ranges.append([ln.x0, ln.x1])
    return sorted((a, b) for a, b in ranges)


def reading_order(lines: list[Line], cols: list[tuple[float, float]], body: float) -> list[Line]:
    """Lines in reading order; each gets its column, or -1 when it spans several.

    A line set larger than the body with nothing beside it in the other columns spans
    them too, however short its text: a headline over the full width ("column-span")."""
    for ln in lines:
        overlaps = [min(ln.x1, b) - max(ln.x0, a) for a, b in cols]
        inside = [i for i, o in enumerate(overlaps) if o > 0.3 * (cols[i][1] - cols[i][0])]
        ln.column = inside[0] if len(inside) == 1 else (
            max(range(len(cols)), key=overlaps.__getitem__) if not inside else -1)
    for ln in lines:
        if ln.column >= 0 and ln.size > body + 0.6 and len(cols) > 1 and not any(
                o.column not in (ln.column, -1) and o.top < ln.bottom and o.bottom > ln.top
                for o in lines):
            ln.column = -1
    out: list[Line] = []
    band: list[Line] = []
    for ln in sorted(lines, key=lambda ln: (ln.top, ln.x0)):
        if ln.column == -1:  # a full-width line closes the band above it
            out += _band(band)
            band = []
            out.append(ln)
        else:
            band.append(ln)
    return out + _band(band)


def _band(lines: list[Line]) -> list[Line]:
    return sorted(lines, key=lambda ln: (ln.column, ln.top, ln.x0))
