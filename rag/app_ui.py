"""The Gradio chat app: streaming cited answers, filters, uploads, status.

One :class:`SharedIndex` serves every session. Searches only read it; an
upload builds a new index version on disk (never touching the live one) and
then swaps the reference in one assignment, so a question asked meanwhile
finishes on the old version. A lock keeps two uploads from building at once.

API (see `newsrag serve` / app.py): ``/chat`` (ChatInterface: message plus
the filter inputs -> (rendered HTML, ``Answer.to_dict()``)) and ``/ask``
(question and filters -> ``Answer.to_dict()`` only).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
from datetime import date
from pathlib import Path

import gradio as gr

from .app_render import (
    api_data, clean_history, new_uid, render_answer, render_error, render_partial, render_status,
)
from .build import build_index
from .config import Config
from .dates import today
from .errors import NewsragError
from .index import Index
from .readers import SUFFIXES
from .types import Answer

log = logging.getLogger(__name__)

MAX_UPLOAD_MB = 20
EXAMPLES = [
    "本次展览共展出多少件作品？",
    "“暖·2024爱心互助行动”的活动时间是什么时候？",
    "北京市教育工会主席对青年教师提出了什么希望？",
]
ACCEPTED = ", ".join(s for s in SUFFIXES if s != ".htm")

CSS = """
.nr-answer { line-height: 1.7; }
.nr-short { font-weight: 700; font-size: 1.1em; margin-bottom: .35em; }
.nr-evidence { opacity: .9; }
.nr-cites a.nr-cite { text-decoration: none; font-weight: 600; padding: 0 1px; }
.nr-sources { margin-top: .6em; border-top: 1px solid var(--border-color-primary); padding-top: .4em; }
.nr-sources-title { font-size: .85em; opacity: .7; margin-bottom: .2em; }
details.nr-src { margin: .25em 0; padding: .2em .5em; border-radius: 6px;
  border: 1px solid var(--border-color-primary); }
details.nr-src summary { cursor: pointer; }
details.nr-src[open] { background: var(--background-fill-secondary); }
.nr-passage { margin: .4em 0; font-size: .92em; line-height: 1.6; }
.nr-passage mark, .nr-quote mark { background: #ffe58a; color: #000; padding: 0 2px; }
.nr-unsupported { border-color: #e0a000; }
.nr-warn, .nr-reason, .nr-flags { color: #b45309; font-weight: 600; }
.nr-refused { font-style: italic; }
.nr-note { font-size: .85em; opacity: .75; margin-top: .3em; font-style: normal; }
.nr-error { color: #b91c1c; }
.nr-status { font-size: .9em; }
"""

# Opens the source a clicked [n] marker points at (Gradio strips inline handlers).
HEAD = """<script>
document.addEventListener("click", function (e) {
  var a = e.target && e.target.closest ? e.target.closest("a.nr-cite") : null;
  if (!a) return;
  var d = document.getElementById((a.getAttribute("href") || "").slice(1));
  if (!d) return;
  e.preventDefault();
  d.open = true;
  d.scrollIntoView({block: "nearest"});
}, true);
</script>"""


class SharedIndex:
    """The one loaded Index all sessions search; replaced whole after an upload."""

    def __init__(self, index_dir: str | Path, upload_dir: str | Path, index: Index | None = None):
        self.index_dir = Path(index_dir)
        self.upload_dir = Path(upload_dir)
        self.index = index or Index.load(self.index_dir)
        self._build_lock = threading.Lock()

    def status_html(self) -> str:
        try:
            return render_status(self.index.info())
        except Exception as exc:  # a status line must never break the page
            return render_status(None, f"index status unavailable: {exc}")

    def add_files(self, files: list[Path], progress) -> str:
        """Index ``files`` incrementally, then swap in the new version."""
        if not self._build_lock.acquire(blocking=False):
            progress(None, desc="等待另一个上传完成…")
            self._build_lock.acquire()
        try:
            def on_progress(done: int, total: int) -> None:
                progress((done, total), desc="正在向量化新文章", unit="段落")

            report = build_index(files, self.index_dir, show_progress=False,
                                 on_progress=on_progress)
            self.index = Index.load(self.index_dir)  # one assignment: atomic for readers
            return report.summary()
        finally:
            self._build_lock.release()


def engines() -> list[str]:
    """"llm" is offered only when an OpenAI-compatible server is configured."""
    return ["extractive", "llm"] if os.environ.get("NEWSRAG_LLM_BASE_URL") else ["extractive"]


def check_date(value: str | None, name: str) -> str | None:
    """``YYYY-MM-DD`` or empty; anything else is a user error with a clear message."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise NewsragError(f"{name}“{value}”不是有效日期，请输入 YYYY-MM-DD，例如 2023-12-28") from None


def filters(k, date_from, date_to, source, engine, as_of="") -> dict:
    d_from, d_to = check_date(date_from, "起始日期"), check_date(date_to, "结束日期")
    if d_from and d_to and d_from > d_to:
        raise NewsragError(f"起始日期 {d_from} 晚于结束日期 {d_to}")
    if engine not in engines():
        raise NewsragError(f"unknown engine {engine!r}; choose one of {engines()}")
    return {"k": max(1, min(int(k or 5), 20)), "date_from": d_from, "date_to": d_to,
            "as_of": check_date(as_of, "提问日期"),
            "source": (source or "").strip() or None, "engine": engine}


def make_chat(shared: SharedIndex):
    """The ChatInterface function: yields (HTML, answer data) while streaming."""
    from .answer import answer_stream

    def chat(message, history, k=5, date_from="", date_to="", source="", engine="extractive",
             as_of=""):
        try:
            opts = filters(k, date_from, date_to, source, engine, as_of)
            text, final = "", None
            for piece in answer_stream(message, history=clean_history(history),
                                       index=shared.index, index_dir=shared.index_dir, **opts):
                if isinstance(piece, Answer):
                    final = piece
                    continue
                text += piece  # pieces are deltas of the growing answer text
                yield render_partial(text), gr.skip()
            if final is None:
                raise NewsragError("the answer engine returned no answer")
            yield render_answer(final, new_uid()), api_data(final)
        except (NewsragError, ValueError) as exc:
            yield render_error(str(exc)), {"error": str(exc)}
        except Exception as exc:  # a bug: log it, keep the chat usable
            log.exception("chat failed")
            yield render_error(f"内部错误（{type(exc).__name__}），请查看服务器日志"), {"error": str(exc)}

    return chat


def make_ask(shared: SharedIndex):
    """``/ask``: the answer as data (text, citations with quotes and checks, hits); see api_data."""
    from .answer import answer

    def ask(question: str, k: int = 5, date_from: str = "", date_to: str = "",
            source: str = "", engine: str = "extractive", as_of: str = "") -> dict:
        """Answer a question from the indexed news; returns Answer.to_dict(). ``as_of``:
        the day the question is asked (YYYY-MM-DD; empty = today in NEWSRAG_TIMEZONE)."""
        try:
            opts = filters(k, date_from, date_to, source, engine, as_of)
            return api_data(answer(question, index=shared.index, index_dir=shared.index_dir,
                                   **opts))
        except (NewsragError, ValueError) as exc:
            raise gr.Error(str(exc)) from None

    return ask


def make_upload(shared: SharedIndex):
    """Save accepted files into the upload folder, index them, report in the log box."""

    def upload(files, progress=gr.Progress()):
        files = [files] if isinstance(files, str) else list(files or [])
        saved, lines = [], []
        shared.upload_dir.mkdir(parents=True, exist_ok=True)
        for f in files:
            src = Path(getattr(f, "name", f))
            name = safe_name(src.name)
            if Path(name).suffix.lower() not in SUFFIXES:
                lines.append(f"✗ {src.name}：不支持的文件类型（只接受 {ACCEPTED}）")
            elif src.stat().st_size > MAX_UPLOAD_MB * 1024 * 1024:
                lines.append(f"✗ {src.name}：文件超过 {MAX_UPLOAD_MB} MB")
            else:
                dest = shared.upload_dir / name
                shutil.copyfile(src, dest)
                saved.append(dest.resolve())
                lines.append(f"✓ {name} 已保存")
        if saved:
            try:
                lines.append(shared.add_files(saved, progress))
                lines.append("索引已更新，可以提问了。")
            except NewsragError as exc:
                lines.append(f"✗ 索引失败：{exc}")
            except Exception as exc:  # a bug: log it, tell the user, keep serving the old index
                log.exception("indexing uploads failed")
                lines.append(f"✗ 索引失败（内部错误 {type(exc).__name__}），请查看服务器日志")
        return shared.status_html(), "\n".join(lines) or "没有文件", None

    return upload


def safe_name(name: str) -> str:
    """A file name without folders or odd characters (re-uploading a name replaces it)."""
    stem, suffix = os.path.splitext(os.path.basename(name))
    stem = re.sub(r"[^\w\-.]+", "_", stem).strip("._") or "upload"
    return stem[:80] + suffix.lower()


def build_ui(shared: SharedIndex) -> gr.Blocks:
    """The page: chat on the left; status, filters and upload on the right."""
    with gr.Blocks(title="newsrag 新闻问答", fill_height=True) as demo:
        gr.HTML("<h2 style='margin:0'>newsrag 新闻问答</h2>"
                "<div style='opacity:.7'>回答只依据已索引的新闻，每句附编号出处；点击 [n] 查看原文。</div>")
        answer_data = gr.JSON(visible=False)
        with gr.Row(equal_height=False):
            chat_col = gr.Column(scale=3)
            with gr.Column(scale=1, min_width=280):
                status = gr.HTML(shared.status_html(), elem_id="nr-status")
                k = gr.Slider(1, 10, value=5, step=1, label="检索段落数 (k)")
                with gr.Row():
                    date_from = gr.Textbox("", label="起始日期", placeholder="YYYY-MM-DD")
                    date_to = gr.Textbox("", label="结束日期", placeholder="YYYY-MM-DD")
                source = gr.Textbox("", label="来源（包含）", placeholder="例如 北京日报")
                # "today" for 昨天/上个月/三年前…: the real date where the newsroom is, taken
                # anew at each page load; a reader can set another day to ask "as of" it
                as_of = gr.Textbox(lambda: today(Config().timezone).isoformat(), label="提问日期（今天）",
                                   placeholder="YYYY-MM-DD", elem_id="nr-as-of")
                engine = gr.Radio(engines(), value="extractive", label="回答方式")
                files = gr.File(label=f"上传文章（{ACCEPTED}，每个 ≤ {MAX_UPLOAD_MB} MB）",
                                file_count="multiple", elem_id="nr-upload")
                upload_log = gr.Textbox(label="上传结果", interactive=False, lines=3,
                                        elem_id="nr-upload-log")
        with chat_col:
            chatbot = gr.Chatbot(
                label="对话", sanitize_html=True, render_markdown=True, latex_delimiters=[],
                height=560, elem_id="nr-chat", placeholder="请输入关于已索引新闻的问题",
            )
            gr.ChatInterface(
                make_chat(shared), chatbot=chatbot, api_name="chat",
                additional_inputs=[k, date_from, date_to, source, engine, as_of],
                additional_outputs=[answer_data], examples=[[q] for q in EXAMPLES],
                textbox=gr.Textbox(placeholder="例如：本次展览共展出多少件作品？", elem_id="nr-input",
                                   submit_btn=True, stop_btn=True),
            )
        files.upload(make_upload(shared), [files], [status, upload_log, files],
                     api_name="add_articles", show_progress="full")
        gr.api(make_ask(shared), api_name="ask")
        demo.load(shared.status_html, None, status, api_visibility="private")
    return demo
