"""Newspaper PDF pages: the sample page's six articles laid out in columns, printed to PDF
by Debian's headless Chromium, must read back as the same six articles as the text page."""

from __future__ import annotations

import html
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import SAMPLE
from rag.ingest.newspaper import split_page
from rag.ingest.readers import read_paths

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium")
ARTICLES = split_page(SAMPLE.read_text("utf-8"))
HEADER = "<header><span>劳动午报</span><span>2023年12月28日 星期四 第3版</span></header>"
BANNER = '<div class="banner">深入学习贯彻党的二十大精神 奋力开拓首都工会工作新局面</div>'
STYLE = """@page {{ size: A3; margin: 12mm; }}
body {{ font-family: 'Noto Serif CJK SC', 'Noto Sans CJK SC'; font-size: 10pt; }}
header {{ display: flex; justify-content: space-between; font-size: 9pt; }}
.banner {{ font-size: 22pt; font-weight: bold; text-align: center; margin: 4mm 0; }}
main {{ column-count: {columns}; column-gap: 6mm; }}
h2 {{ font-size: 15pt; font-weight: bold; margin: 2mm 0; }}
h2.wide {{ column-span: all; }}
h3 {{ font-size: 11pt; font-weight: normal; margin: 1mm 0; }}
p {{ text-indent: 2em; margin: 0; text-align: justify; }}
.caption {{ font-size: 8pt; }}
.page {{ break-after: page; }}"""


def article_html(a, wide: bool = False, tail: str = "") -> str:
    paras = "".join(f"<p>{html.escape(t)}</p>" for t in a.text.split("\n"))
    sub = f"<h3>{html.escape(a.subtitle)}</h3>" if a.subtitle else ""
    return f"<h2{' class=wide' if wide else ''}>{html.escape(a.title)}</h2>{sub}{paras}{tail}"


def print_pdf(tmp_path: Path, name: str, body: str, columns: int = 3) -> Path:
    page = (f"<!doctype html><html><head><meta charset='utf-8'><style>"
            f"{STYLE.format(columns=columns)}</style></head><body>{body}</body></html>")
    src, out = tmp_path / f"{name}.html", tmp_path / f"{name}.pdf"
    src.write_text(page, encoding="utf-8")
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-pdf-header-footer", f"--print-to-pdf={out}", src.as_uri()],
                   check=True, capture_output=True, timeout=120)
    return out


def same_text(text: str) -> str:
    """Text as a reader sees it. Noto CJK draws 户 and 戶 with one glyph, which the PDF's text
    layer names 戶; and a space where a line wraps ("通讯员 | 张莹") is not drawn, so the
    text layer does not have it (spaces between Chinese words carry no meaning)."""
    return "\n".join(" ".join(line.split()).replace(" ", "") for line in
                     text.replace("戶", "户").split("\n"))


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is needed to print the test PDFs")
    tmp = tmp_path_factory.mktemp("pdf")
    made = {}
    for columns in (2, 3, 5):
        body = HEADER + BANNER + "<main>" + "".join(map(article_html, ARTICLES)) + "</main>"
        made[columns] = print_pdf(tmp, f"cols{columns}", body, columns)
    wide = "".join(article_html(a, wide=i == 1) for i, a in enumerate(ARTICLES))
    made["wide"] = print_pdf(tmp, "wide", HEADER + "<main>" + wide + "</main>")
    first, rest = ARTICLES[3].text.split("\n", 1)
    cont = type(ARTICLES[3])(ARTICLES[3].title, first, ARTICLES[3].subtitle)
    two = (f"<div class=page>{HEADER}<main>{article_html(ARTICLES[0])}{article_html(cont)}"
           f"<p class=caption>图为活动现场。</p><p>（下转第4版）</p></main></div>"
           f"<header><span>劳动午报</span><span>2023年12月28日 星期四 第4版</span></header>"
           "<main><p>（上接第3版）</p>"
           + "".join(f"<p>{html.escape(t)}</p>" for t in rest.split("\n"))
           + article_html(ARTICLES[4]) + "</main>")
    made["jump"] = print_pdf(tmp, "jump", two)
    made["nojump"] = print_pdf(tmp, "nojump", two.replace("<p>（下转第4版）</p>", "")
                               .replace("<p>（上接第3版）</p>", ""))
    ad = ("<h2>盛夏家电节 全场空调5折起</h2><p>即日起至8月31日，以旧换新再送好礼。咨询热线：010-84561234"
          "　地址：北京市朝阳区建国路88号</p>")
    made["ad"] = print_pdf(tmp, "ad", HEADER + "<main>" + article_html(ARTICLES[0]) + ad
                           + "".join(map(article_html, ARTICLES[1:])) + "</main>")
    made["scan"] = print_pdf(tmp, "scan", "<div style='width:80mm;height:60mm;background:#888'>"
                                          "</div>")
    return tmp, made


@pytest.mark.parametrize("layout", [2, 3, 5, "wide"])
def test_columns_read_as_the_text_pages_articles(pages, layout):
    articles, problems = read_paths([pages[1][layout]])
    assert problems == []
    assert [a.title for a in articles] == [a.title for a in ARTICLES]
    for got, want in zip(articles, ARTICLES):
        assert same_text(got.text) == same_text(want.text)  # no word cut, paragraphs kept
        assert got.date == "2023-12-28"  # from the page header
        assert got.metadata["page"] == 1
    assert articles[3].metadata["subtitle"] == ARTICLES[3].subtitle
    assert articles[0].metadata["reporters"] == ["盛丽"]  # bylines as for text pages


def test_jump_lines_join_an_article_across_pages_captions_left_out(pages):
    articles, problems = read_paths([pages[1]["jump"]])
    assert problems == []
    assert [a.title for a in articles] == [ARTICLES[i].title for i in (0, 3, 4)]
    assert same_text(articles[1].text) == same_text(ARTICLES[3].text)
    assert "下转" not in articles[1].text and "图为活动现场" not in articles[1].text
    assert [a.metadata["page"] for a in articles] == [1, 1, 2]


def test_text_no_jump_line_ties_to_an_article_is_not_glued_on(pages):
    articles, problems = read_paths([pages[1]["nojump"]])
    assert same_text(articles[1].text) == same_text(ARTICLES[3].text.split("\n")[0])
    assert [p.reason for p in problems] == [
        "page 2: text before the first headline, which no jump line (下转/上接) ties to an "
        "article, was not read"]


def test_a_scan_and_a_broken_file_are_reported(pages, tmp_path):
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n not really")
    shutil.copy(pages[1]["scan"], tmp_path / "scan.pdf")
    articles, problems = read_paths([tmp_path])
    assert articles == []
    reasons = {Path(p.path).name: p.reason for p in problems}
    assert reasons["scan.pdf"].startswith("page 1 has no text layer")
    assert "PDF" in reasons["broken.pdf"]


def test_answers_from_the_pdf_match_the_text_page(pages, tmp_path):
    import rag

    rag.build_index([pages[1][3]], tmp_path / "index", show_progress=False)
    idx = rag.Index.load(tmp_path / "index")
    for question, expected in (("本次展览共展出多少件作品？", "70件"),
                               ("海淀工匠杯竞赛共有多少名选手参赛？", "596名"),
                               ("北京市教育工会主席是谁？", "宋丽静")):
        answer = rag.answer(question, index=idx)
        assert expected in answer.text.partition("\n\n")[0], answer.text
        assert answer.citations[0].hit.source.endswith("cols3.pdf")


def test_an_advertisement_is_left_out_and_said(pages):
    articles, problems = read_paths([pages[1]["ad"]])
    assert [a.title for a in articles] == [a.title for a in ARTICLES]
    assert [p.reason for p in problems] == ["page 1: “盛夏家电节 全场空调5折起” reads as an "
                                            "advertisement; left out"]
