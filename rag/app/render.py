"""HTML for the chat app: answers, their numbered sources, status and errors.

Everything that comes from a document or an answer is untrusted: an article
may contain ``<script>``, ``<img onerror=…>`` or a Markdown link to
``javascript:``. So every such string goes through :func:`esc`, which
HTML-escapes it *and* turns Markdown/LaTeX syntax characters into numeric
entities, and the whole message is emitted on one line starting with
``<div``: Gradio's Markdown renderer then treats it as a raw HTML block and
never re-interprets the escaped text. Gradio's own sanitiser
(``sanitize_html=True``) is only the second line of defence.

Gradio strips ``data-*`` attributes but keeps ``id`` and ``class``, so a
citation marker is ``<a class="nr-cite" href="#nr-UID-N">`` and its source a
closed ``<details id="nr-UID-N">``; a small page script (see `rag.app.ui.JS`)
opens the details when the marker is clicked.
"""

from __future__ import annotations

import html
import os
import re
import secrets
from datetime import datetime, timezone
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from rag.types import Answer, Citation

UNSUPPORTED = "⚠ 未通过核验"
REFUSAL_NOTE = "未找到依据：检索到的资料不足以回答这个问题，因此没有作答。"
SOURCES_MARK = '<div class="nr-sources">'  # where the sources start in a chat message

_ESCAPES = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    # Markdown / LaTeX syntax: as entities they are shown, never interpreted
    "\\": "&#92;", "`": "&#96;", "*": "&#42;", "_": "&#95;", "[": "&#91;", "]": "&#93;",
    "(": "&#40;", ")": "&#41;", "{": "&#123;", "}": "&#125;", "$": "&#36;", "~": "&#126;",
    "|": "&#124;", "#": "&#35;", "!": "&#33;", "=": "&#61;",
    # no raw newline may end the HTML block (a blank line would re-enable Markdown)
    "\n": "<br>", "\r": "",
})
_MARKER = re.compile(r"&#91;(\d+(?:[,，]\s*\d+)*)&#93;")


def esc(text: Any) -> str:
    """HTML-escape ``text`` and neutralise Markdown; newlines become ``<br>``."""
    return str(text if text is not None else "").translate(_ESCAPES)


def new_uid() -> str:
    """A per-answer prefix so source anchors of several answers never clash."""
    return secrets.token_hex(4)


def anchor(uid: str, number: int) -> str:
    return f"nr-{uid}-{number}"


def render_partial(text: str) -> str:
    """The answer while it streams: escaped text, markers not yet linked."""
    return f'<div class="nr-answer nr-streaming">{esc(text)}</div>'


def render_error(message: str) -> str:
    """A user-fixable problem (bad date, empty question, missing index) as a chat message."""
    return f'<div class="nr-error">⚠ {esc(message)}</div>'


def render_answer(answer: Answer, uid: str | None = None) -> str:
    """The final chat message: linked answer text, warnings, then numbered sources."""
    uid = uid or new_uid()
    replaced = f'<div class="nr-flags">⚠ {esc(answer.note)}</div>' if answer.note else ""
    if answer.refused:
        return (f'<div class="nr-answer nr-refused">{esc(answer.text)}'
                f'<div class="nr-note">{esc(REFUSAL_NOTE)}</div></div>{replaced}')
    cites = sorted(answer.citations, key=lambda c: c.number)
    numbers = {c.number for c in cites}
    short, sep, evidence = answer.text.partition("\n\n")
    if sep:  # the short answer, then the sentence that proves it
        body = (f'<div class="nr-short">{link_markers(esc(short), uid, numbers)}</div>'
                f'<div class="nr-evidence">{link_markers(esc(evidence), uid, numbers)}</div>')
    else:
        body = link_markers(esc(answer.text), uid, numbers)
    parts = [f'<div class="nr-answer">{body}</div>', replaced]
    if answer.flags:
        parts.append(f'<div class="nr-flags">⚠ 以下内容未在引用资料中找到：'
                     f'{esc("、".join(map(str, answer.flags)))}</div>')
    if cites:
        parts.append(SOURCES_MARK + '<div class="nr-sources-title">来源</div>')
        parts.extend(render_source(c, uid) for c in cites)
        parts.append("</div>")
    return "".join(parts)


def link_markers(escaped: str, uid: str, numbers: set[int]) -> str:
    """Turn escaped ``[1]`` / ``[1,2]`` markers into links to their sources."""

    def repl(m: re.Match) -> str:
        nums = [int(n) for n in re.findall(r"\d+", m.group(1))]
        if not nums or any(n not in numbers for n in nums):
            return m.group(0)
        links = "".join(f'<a class="nr-cite" href="#{anchor(uid, n)}">[{n}]</a>' for n in nums)
        return f'<sup class="nr-cites">{links}</sup>'

    return _MARKER.sub(repl, escaped)


def render_source(c: Citation, uid: str) -> str:
    """One collapsible source: header line, passage with the quote in ``<mark>``."""
    h = c.hit
    head = " · ".join(esc(x) for x in (h.title or "（无标题）", h.date, display_source(h.source)) if x)
    cls = "nr-src" if c.supported else "nr-src nr-unsupported"
    warn = "" if c.supported else f' <span class="nr-warn">{esc(UNSUPPORTED)}</span>'
    body = f'<div class="nr-passage">{highlight(h.text, h.start, c)}</div>'
    if not c.supported:
        reason = f"：{c.reason}" if c.reason else ""
        body += f'<div class="nr-reason">{esc(UNSUPPORTED + reason)}</div>'
    return (f'<details id="{anchor(uid, c.number)}" class="{cls}"><summary>'
            f'<span class="nr-num">[{c.number}]</span> {head}{warn}</summary>{body}</details>')


def highlight(passage: str, passage_start: int, c: Citation) -> str:
    """Escape ``passage`` with the cited sentence wrapped in ``<mark>``.

    The quote's article offsets are preferred; if they do not match the
    passage (an engine that quotes across chunks), the quote text is searched
    for, and as a last resort shown on its own under the passage.
    """
    quote = c.quote or ""
    lo, hi = c.quote_start - passage_start, c.quote_end - passage_start
    span = None
    if 0 <= lo < hi <= len(passage) and (not quote or passage[lo:hi].strip() == quote.strip()):
        span = (lo, hi)
    elif quote.strip() and quote.strip() in passage:
        lo = passage.index(quote.strip())
        span = (lo, lo + len(quote.strip()))
    elif c.quote_end > c.quote_start and lo < len(passage) and hi > 0:  # overlaps: clip
        span = (max(lo, 0), min(hi, len(passage)))
    if span is None:
        extra = f'<div class="nr-quote"><mark>{esc(quote)}</mark></div>' if quote.strip() else ""
        return esc(passage) + extra
    a, b = span
    return f"{esc(passage[:a])}<mark>{esc(passage[a:b])}</mark>{esc(passage[b:])}"


def display_source(source: str | None) -> str:
    """Outlet or URL as stored; a local file path is shortened to its file name."""
    if source and os.path.isabs(source):
        return os.path.basename(source)
    return source or ""


def api_data(answer: Answer) -> dict:
    """``Answer.to_dict()`` made safe to send through the Gradio API.

    gradio_client treats every dict with a string ``path`` as a file to
    download (and the server rightly refuses to serve indexed files), so a hit's
    ``metadata.path`` is sent as ``file``: the file name, not the server path.
    """

    def fix(obj: Any) -> Any:
        if isinstance(obj, dict):
            out = {k: fix(v) for k, v in obj.items()}
            if isinstance(out.get("path"), str):
                out["file"] = os.path.basename(out.pop("path"))
            return out
        if isinstance(obj, list):
            return [fix(x) for x in obj]
        return obj

    return fix(answer.to_dict())


def message_text(content: Any) -> str:
    """Text of a Gradio message ``content`` (a string or a list of typed parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, Iterable):
        return "".join(message_text(p) for p in content)
    return ""


def local_time(iso: str, tz: str) -> str:
    """"2024-01-01T00:00:00+00:00" -> "2024-01-01 08:00" in ``tz`` (the manifest stores UTC)."""
    try:
        stamp = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def clean_history(history: list | None, answers: dict[str, str]) -> list[dict[str, str]]:
    """Gradio's messages history as the text of each turn, for follow-up questions.

    An answer is shown as HTML; the text the engine wrote is kept beside it in the
    session (``answers``: shown message -> `Answer.text`, filled by `rag.app.ui.make_chat`)
    and looked up here — the markup is never read back. An assistant message without an
    entry (an error) is left out.
    """
    out = []
    for msg in history or []:
        if isinstance(msg, dict) and msg.get("role") in ("user", "assistant"):
            text = message_text(msg.get("content"))
            if msg["role"] == "assistant":
                text = answers.get(text, "")
            else:  # shown escaped (rag.app.ui.QuestionChat): back to what the user typed
                text = html.unescape(text)
            if text:
                out.append({"role": msg["role"], "content": text})
    return out


def render_status(info: dict | None, error: str | None = None, tz: str = "Asia/Shanghai") -> str:
    """The one-line index status shown above the upload box (build time in ``tz``)."""
    if error:
        return f'<div class="nr-status nr-error">⚠ {esc(error)}</div>'
    info = info or {}
    built = local_time(str(info.get("built_at", "")), tz)
    text = (f"索引：{info.get('articles', 0)} 篇文章 · {info.get('chunks', 0)} 个段落 · "
            f"模型 {info.get('model', '?')} · 最后构建 {built}")
    return f'<div class="nr-status">{esc(text)}</div>'
