"""Newspaper PDF pages (text layer) into their articles, in reading order.

Each page is laid out by `rag.ingest.pdf_layout`; then, by what the PDF says of each line:

* a **headline** is set at least 1.25× the body size (consecutive headline lines of one
  column are one title); an article runs from its headline to the next one;
* a line right under a headline, larger than the body but smaller than the headline,
  is its **subtitle**;
* the **page header** is what stands above the first full-width line or headline —
  its "2023年12月28日 星期四 第3版" gives every article of the page its date — and a
  full-width line set larger than any headline before the first article is the page
  **banner**; neither is an article;
* lines set smaller than the body (captions, folios) and jump lines ("下转第5版",
  "上接第1版") are not article text; a short block without a byline that speaks like an
  advertisement (a contact number, a price or offer, a call to act: two of the three) is
  left out and reported;
* body lines are joined without a break (a column's line end is not a word end) and a
  new paragraph starts where a line is indented or the line before it ends short.

A page without any text is reported as a scan (no OCR here). An article continued on the
next page ("下转第4版" at its end, or "上接第3版" before the next page's first headline) is
joined with the body text that page opens with; text before a page's first headline that
no jump line ties to an article is reported, not glued on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.ingest.article_header import date_from_header
from rag.ingest.encoding import Skip
from rag.ingest.newspaper import is_byline_start
from rag.ingest.pdf_layout import Line, body_size, columns, page_lines, reading_order

HEADLINE = 1.25  # x the body size
_JUMP = re.compile(r"^[（(]?\s*(?:下转|上接|转|接)第?[\d一二三四五六七八九十]+版\s*[）)]?$")


@dataclass
class PdfArticle:
    title: str
    page: int
    subtitle: str = ""
    paragraphs: list[str] = field(default_factory=list)
    date: str | None = None
    continued: bool = False  # a "下转第N版" line closes it on this page


def read_pdf(data: bytes) -> tuple[list[PdfArticle], list[str]]:
    """The articles of every page, and notes on pages that held none (scans)."""
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pages = page_lines(data)
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise Skip(f"not a readable PDF ({type(exc).__name__})") from None
    articles: list[PdfArticle] = []
    notes = []
    for number, (_, lines) in enumerate(pages, 1):
        if not lines:
            notes.append(f"page {number} has no text layer (a scanned image?); it was not read "
                         "(no OCR here)")
            continue
        carried, found = _page_articles(lines, number)
        ads = [a for a in found if is_advertisement(a)]
        notes += [f"page {number}: “{a.title}” reads as an advertisement; left out" for a in ads]
        found = [a for a in found if a not in ads]
        if carried.paragraphs and articles and (articles[-1].continued or carried.continued):
            articles[-1].paragraphs += carried.paragraphs  # 下转 / 上接: the article goes on
        elif carried.paragraphs:
            notes.append(f"page {number}: text before the first headline, which no jump line "
                         "(下转/上接) ties to an article, was not read")
        articles += found
    if not articles and not notes:
        raise Skip("no article text found in the PDF (no headline: text set larger than "
                   "the body)")
    return articles, notes


def _page_articles(lines: list[Line], page: int) -> tuple[PdfArticle, list[PdfArticle]]:
    """(the body before the page's first headline — a continuation, ``continued`` when an
    "上接" line says so —, the page's articles, ``continued`` when a "下转" line ends one)."""
    body = body_size(lines)
    cols = columns(lines, body)
    order = reading_order(lines, cols, body)
    headline = body * HEADLINE
    # the page header: the lines above the first line of content (set at least as large as
    # the body, the banner aside) — "2023年12月28日 星期四 第3版" dates the page's articles
    banners = _banners(order)
    content = [ln.top for ln in order if ln.size >= body - 0.6 and id(ln) not in banners]
    header = sorted((ln for ln in order if ln.bottom <= min(content, default=0) + 0.5),
                    key=lambda ln: (round(ln.top), ln.x0))
    date = date_from_header("\n".join(ln.text for ln in header))
    lead = PdfArticle("", page)
    out: list[PdfArticle] = []
    prev: Line | None = None
    for ln in order:
        if _JUMP.match(ln.text):
            (out[-1] if out else lead).continued = True
            continue
        if ln.size < body - 0.6:
            continue  # caption, folio, page header
        if ln.size >= headline:
            if id(ln) in banners:
                continue
            if (out and prev is not None and prev.size >= headline and not out[-1].paragraphs
                    and not out[-1].subtitle and abs(prev.size - ln.size) < 0.6):
                out[-1].title += ln.text  # the headline's next line
            else:
                out.append(PdfArticle(ln.text, page, date=date))
        elif out and ln.size > body + 0.6 and not out[-1].paragraphs:
            out[-1].subtitle += ln.text
        elif abs(ln.size - body) <= 0.6:
            _add_body(out[-1] if out else lead, ln, prev, body, cols)
        prev = ln
    return lead, [a for a in out if a.paragraphs]


# what advertisements say and news does not: a telephone number, a price or discount, a call
_AD_CUES = [re.compile(p) for p in (
    r"(?:电话|热线|咨询|订购|报名)[:：]?\s*[\d\-－ ]{7,}|\b400[-－]?\d{3}[-－]?\d{4}\b|1[3-9]\d{9}",
    r"\d+(?:\.\d+)?\s*(?:元起|折起|元/|元／)|优惠|特价|限时|促销|抢购|免费领取",
    r"欢迎(?:垂询|来电|选购|洽谈)|扫码|二维码|详询|地址[:：]")]
AD_MAX_CHARS = 300


def is_advertisement(article: PdfArticle) -> bool:
    """Short, without a byline, and speaking like an advertisement (two kinds of cue of the
    three: contact number, price or offer, call to act) — a display ad set in headline type
    reads as an "article" by layout alone, so what it says decides."""
    text = "".join(article.paragraphs)
    if len(text) > AD_MAX_CHARS or is_byline_start(text):
        return False
    return sum(bool(cue.search(article.title + text)) for cue in _AD_CUES) >= 2


def _banners(order: list[Line]) -> set[int]:
    """Full-width lines set larger than every in-column line: the page's banner (by id)."""
    top = max((o.size for o in order if o.column != -1), default=0) + 0.6
    return {id(ln) for ln in order if ln.column == -1 and ln.size > top}


def _add_body(article: PdfArticle, ln: Line, prev: Line | None, body: float,
              cols: list[tuple[float, float]]) -> None:
    """A body line starts a paragraph when it is indented or the line before it ended
    short of its column's right edge; otherwise it continues the paragraph, also across
    a column break (a column's line end is not a word end)."""
    left, _ = cols[ln.column] if ln.column >= 0 else (ln.x0, ln.x1)
    indented = ln.x0 > left + body
    ended = prev is None or prev.size < body - 0.6 or prev.size > body + 0.6 or (
        prev.x1 < (cols[prev.column][1] if prev.column >= 0 else prev.x1) - 1.5 * body)
    if not article.paragraphs or indented or ended:
        article.paragraphs.append(ln.text)
    else:  # a space the source had at the line break survives the join
        gap = " " if (prev is not None and prev.space_after) or ln.space_before else ""
        article.paragraphs[-1] += gap + ln.text
