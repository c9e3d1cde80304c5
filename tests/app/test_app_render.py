"""Rendering of answers into chat HTML: escaping, highlighting, order, warnings.

Fast (no model, no server): the browser test in test_app.py checks the same
HTML survives Gradio; here we pin down exactly what we emit.
"""

from __future__ import annotations

import re

from rag.app.render import (
    SOURCES_MARK, UNSUPPORTED, clean_history, esc, highlight, render_answer,
    render_error, render_partial, render_status,
)
from rag.types import Answer, Citation, Hit

ARTICLE = "前言。据了解，本次展览共展出70件作品。结尾。"
EVIL = '<script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3))'


def hit(text: str, start: int = 0, title: str = "展览", source: str = "北京日报") -> Hit:
    return Hit(doc_id="d1", chunk_id="d1-0000", title=title, date="2023-12-28", source=source,
               text=text, score=1.0, start=start, end=start + len(text))


def cite(n: int, h: Hit, quote: str, supported: bool = True, reason: str = "",
         offset: int | None = None) -> Citation:
    qs = h.start + h.text.index(quote) if offset is None else offset
    return Citation(number=n, hit=h, quote=quote, supported=supported, quote_start=qs,
                    quote_end=qs + len(quote), reason=reason)


def no_raw_markup(html: str) -> None:
    """No tag or link we did not write ourselves can appear."""
    assert "<script" not in html and "<img" not in html
    assert "](" not in html and "onerror=" not in html


def test_esc_neutralises_html_and_markdown():
    out = esc(EVIL + "\n*b* `c` $x$")
    assert "<" not in out.replace("<br>", "") and ">" not in out.replace("<br>", "")
    for ch in "[]()*`$":
        assert ch not in out
    assert "\n" not in out and "<br>" in out


def test_passage_and_title_are_escaped():
    h = hit("前文。" + EVIL + "。后文。", title="<img src=x onerror=alert(9)>[t](javascript:x)")
    c = cite(1, h, "后文。")
    out = render_answer(Answer(text="答案[1]", citations=[c]), "u1")
    no_raw_markup(out)
    assert "&lt;script&gt;alert&#40;1&#41;&lt;/script&gt;" in out
    assert "&lt;img src&#61;x onerror&#61;&quot;alert&#40;2&#41;&quot;&gt;" in out
    assert "&#91;x&#93;&#40;javascript:alert&#40;3&#41;&#41;" in out
    assert "&#91;t&#93;&#40;javascript:x&#41;" in out  # the title
    assert "\n" not in out  # one HTML block: Markdown never re-reads the text


def test_answer_text_is_escaped_but_markers_link():
    h = hit(ARTICLE)
    out = render_answer(Answer(text="<b>70</b>件[1]，[2]", citations=[cite(1, h, "本次展览共展出70件作品。")]),
                        "abc")
    assert "&lt;b&gt;70&lt;/b&gt;" in out
    assert '<a class="nr-cite" href="#nr-abc-1">[1]</a>' in out
    assert '<details id="nr-abc-1"' in out
    assert "&#91;2&#93;" in out  # a marker without a citation stays text


def test_quote_is_highlighted_by_offsets():
    h = hit(ARTICLE[3:], start=3)
    quote = "本次展览共展出70件作品。"
    c = cite(1, h, quote)
    out = highlight(h.text, h.start, c)
    assert out == "据了解，<mark>本次展览共展出70件作品。</mark>结尾。"


def test_quote_found_by_text_when_offsets_are_off():
    h = hit(ARTICLE, start=100)
    c = cite(1, h, "本次展览共展出70件作品。", offset=5)  # offsets outside the passage
    assert "<mark>本次展览共展出70件作品。</mark>" in highlight(h.text, h.start, c)


def test_quote_outside_passage_is_shown_separately_and_escaped():
    h = hit("别的段落。", start=0)
    c = Citation(number=1, hit=h, quote="<i>引文</i>", supported=True, quote_start=500,
                 quote_end=510)
    out = highlight(h.text, h.start, c)
    assert out.startswith("别的段落。") and "<mark>&lt;i&gt;引文&lt;/i&gt;</mark>" in out


def test_highlighted_quote_with_markup_is_escaped():
    text = "甲。<script>x()</script>乙。"
    h = hit(text)
    out = highlight(text, 0, cite(1, h, "<script>x()</script>乙。"))
    assert "<mark>&lt;script&gt;x&#40;&#41;&lt;/script&gt;乙。</mark>" in out


def test_sources_in_citation_order_and_unsupported_marked():
    h1, h2, h3 = hit("一。", title="甲"), hit("二。", title="乙"), hit("三。", title="丙")
    cites = [cite(3, h3, "三。"), cite(1, h1, "一。"),
             cite(2, h2, "二。", supported=False, reason="数字 99 不在引文中 <b>")]
    out = render_answer(Answer(text="a[1] b[2] c[3]", citations=cites), "u")
    ids = re.findall(r'<details id="nr-u-(\d+)"', out)
    assert ids == ["1", "2", "3"]
    block2 = out[out.index('id="nr-u-2"'):out.index('id="nr-u-3"')]
    assert "nr-unsupported" in block2 and UNSUPPORTED in block2
    assert "数字 99 不在引文中 &lt;b&gt;" in block2
    assert UNSUPPORTED not in out[out.index('id="nr-u-1"'):out.index('id="nr-u-2"')]


def test_refusal_is_shown_as_such():
    out = render_answer(Answer(text="资料中没有找到相关信息。", refused=True, hits=[hit("x")]))
    assert "nr-refused" in out and "资料中没有找到相关信息。" in out
    assert SOURCES_MARK not in out


def test_source_path_shortened_and_flags_shown():
    h = hit("一。", source="/srv/data/uploads/a<b>.txt")
    out = render_answer(Answer(text="x[1]", citations=[cite(1, h, "一。")], flags=["99<"]))
    assert "/srv/data" not in out and "a&lt;b&gt;.txt" in out
    assert "99&lt;" in out and "nr-flags" in out


def test_history_takes_each_answer_text_from_the_session_not_from_its_html():
    h = hit(ARTICLE)
    text = "共展出70件[1]\n\n据了解，本次展览共展出70件作品。[1]<ok>"
    rendered = render_answer(Answer(text=text, citations=[cite(1, h, "结尾。")]))
    history = [
        {"role": "user", "content": [{"type": "text", "text": "多少件&lt;b&gt;？"}]},
        {"role": "assistant", "content": [{"type": "text", "text": rendered}]},
        {"role": "user", "content": "再问"},
        {"role": "assistant", "content": render_error("bad date")},
    ]
    assert clean_history(history, {rendered: text}) == [
        {"role": "user", "content": "多少件<b>？"},  # shown escaped, typed as is
        {"role": "assistant", "content": text},  # the engine's text, markers and all
        {"role": "user", "content": "再问"},
    ]
    # an answer the session did not record (an error, or anything else) is never guessed at
    assert [m["role"] for m in clean_history(history, {})] == ["user", "user"]


def test_partial_error_and_status_escape():
    assert render_partial("<x>[1]") == '<div class="nr-answer nr-streaming">&lt;x&gt;&#91;1&#93;</div>'
    assert "&lt;script&gt;" in render_error("<script>")
    s = render_status({"articles": 3, "chunks": 9, "model": "m<3e", "built_at": "2024-01-01T00:00:00"})
    assert "3 篇文章" in s and "9 个段落" in s and "m&lt;3e" in s
    # the manifest's UTC time is shown where the newsroom is
    s = render_status({"built_at": "2024-01-01T23:30:00+00:00"}, tz="Asia/Shanghai")
    assert "2024-01-02 07:30" in s and "+00:00" not in s


def test_short_answer_is_set_apart_from_its_evidence():
    h = hit(ARTICLE)
    text = "70件[1]\n\n据了解，本次展览共展出70件作品。[1]"
    out = render_answer(Answer(text=text, citations=[cite(1, h, "本次展览共展出70件作品。")]))
    short = re.search(r'<div class="nr-short">(.*?)</div>', out).group(1)
    assert short.startswith("70件") and "#" in short  # its marker links to the source
    assert '<div class="nr-evidence">据了解' in out


def test_replaced_llm_answer_says_so():
    h = hit(ARTICLE)
    out = render_answer(Answer(text="70件[1]", citations=[cite(1, h, "本次展览共展出70件作品。")],
                               note="llm 引擎的回答有引用未通过核对，已改用原文摘录的答案。<b>"))
    assert "已改用原文摘录" in out and "<b>" not in out and "&lt;b&gt;" in out
