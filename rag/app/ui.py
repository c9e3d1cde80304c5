"""The Gradio chat app: streaming cited answers, filters, uploads, status.

One :class:`~rag.app.state.SharedIndex` serves every session (see there how
builds inside and outside the app are picked up). Questions run
``CHAT_CONCURRENCY`` at a time, uploads one at a time in their own queue, so a
build or a slow question never holds another user's question; each question's
work is bounded (long questions are cut, `rag.answer`).

API (see `newsrag serve` / app.py): ``/chat`` (ChatInterface: message plus
the filter inputs -> (rendered HTML, ``Answer.to_dict()``)) and ``/ask``
(question and filters -> ``Answer.to_dict()`` only).

Each session keeps the text of every answer it showed (a `gr.State`: shown message ->
`Answer.text`), so a follow-up question reads the earlier answers from there, never
from the HTML on the page.
"""

from __future__ import annotations

import html
import logging

import gradio as gr

from rag.app.render import (
    api_data, clean_history, new_uid, render_answer, render_error, render_partial,
)
from rag.app.inputs import ACCEPTED, MAX_UPLOAD_MB, make_fetch, make_upload
from rag.app.state import SharedIndex
from rag.config import Config
from rag.answering.dates import today
from rag.answering.events import TextPiece
from rag.errors import NewsragError
from rag.params import ParamError, answer_args
from rag.types import Answer

log = logging.getLogger(__name__)

# Questions answered at once (chat and /ask together). Each holds a core for
# well under a second or two, so a few in flight keep a slow one from making
# the others queue behind it; many more would only share the 2 cores thinner.
CHAT_CONCURRENCY = 4
EXAMPLES = [
    "本次展览共展出多少件作品？",
    "“暖·2024爱心互助行动”的活动时间是什么时候？",
    "北京市教育工会主席对青年教师提出了什么希望？",
]

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

# Opens the source a clicked [n] marker points at (Gradio strips inline handlers), and
# puts Gradio's fixed English progress words into Chinese.
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
// Gradio's progress line writes "processing | 1.2s" and "queue: 2/3 |" as fixed English
// (not in its translations, app_i18n): say them in Chinese as they appear.
// Text nodes are edited in place: Gradio keeps updating the same nodes (the timer).
new MutationObserver(function () {
  document.querySelectorAll(".progress-text").forEach(function (el) {
    var walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), node;
    while ((node = walk.nextNode())) {
      var z = node.data.replace(/processing/, "处理中").replace(/queue:/, "排队：");
      if (z !== node.data) node.data = z;
    }
  });
}).observe(document.documentElement, {childList: true, subtree: true, characterData: true});
</script>"""


ENGINE_LABELS = {"extractive": "摘录（快速，逐字引用原文）", "llm": "大模型生成（需配置服务）"}


def engines() -> list[str]:
    """"llm" is offered only when an OpenAI-compatible server is configured."""
    return ["extractive", "llm"] if Config().llm.base_url else ["extractive"]


def filters(k, date_from, date_to, source, engine, as_of="") -> dict:
    """The form's options, checked by `rag.params` (the API's own rules), errors in Chinese."""
    if engine not in engines():
        raise NewsragError(f"未知的回答方式“{engine}”，可选：{'、'.join(engines())}")
    try:
        return answer_args(k=k, date_from=date_from, date_to=date_to, source=source,
                           as_of=as_of, engine=engine)
    except ParamError as exc:
        raise NewsragError(exc.zh()) from None


def make_chat(shared: SharedIndex):
    """The ChatInterface function: yields (HTML, answer data, the session's answers) while
    streaming; ``answers`` (shown message -> `Answer.text`) gains each finished answer."""
    from rag.answering.pipeline import answer_stream

    def chat(message, history, k=5, date_from="", date_to="", source="", engine="extractive",
             as_of="", answers=None):
        answers = {} if answers is None else answers
        try:
            opts = filters(k, date_from, date_to, source, engine, as_of)
            text, final = "", None
            for item in answer_stream(message, history=clean_history(history, answers),
                                      index=shared.index, index_dir=shared.index_dir, **opts):
                match item:
                    case TextPiece():
                        text += item  # pieces are deltas of the growing answer text
                        yield render_partial(text), gr.skip(), gr.skip()
                    case Answer():
                        final = item
            shown = render_answer(final, new_uid())
            answers[shown] = final.text
            yield shown, api_data(final), answers
        except ParamError as exc:  # e.g. an empty question, raised by answer_stream itself
            yield render_error(exc.zh()), {"error": exc.zh()}, gr.skip()
        except (NewsragError, ValueError) as exc:
            yield render_error(str(exc)), {"error": str(exc)}, gr.skip()
        except Exception as exc:  # a bug: log it, keep the chat usable
            log.exception("chat failed")
            yield (render_error(f"内部错误（{type(exc).__name__}），请查看服务器日志"),
                   {"error": str(exc)}, gr.skip())

    return chat


def make_ask(shared: SharedIndex):
    """``/ask``: the answer as data (text, citations with quotes and checks, hits); see api_data."""
    from rag.answering.pipeline import answer

    def ask(question: str, k: int = 5, date_from: str = "", date_to: str = "",
            source: str = "", engine: str = "extractive", as_of: str = "") -> dict:
        """Answer a question from the indexed news; returns Answer.to_dict(). ``as_of``:
        the day the question is asked (YYYY-MM-DD; empty = today in NEWSRAG_TIMEZONE)."""
        try:
            opts = filters(k, date_from, date_to, source, engine, as_of)
            return api_data(answer(question, index=shared.index, index_dir=shared.index_dir,
                                   **opts))
        except ParamError as exc:
            raise gr.Error(exc.zh()) from None
        except (NewsragError, ValueError) as exc:
            raise gr.Error(str(exc)) from None

    return ask


class QuestionChat(gr.ChatInterface):
    """The ChatInterface, with the user's own message shown as typed.

    The chatbot renders HTML (our answers are HTML); a question is text, so
    its ``<``/``&`` are escaped before it enters the history — markup in a
    question must never become live elements on the page (`clean_history`
    turns it back into the text the user typed for follow-ups).
    """

    def _message_as_message_dict(self, message, role):
        if role == "user" and isinstance(message, str):
            message = html.escape(message, quote=False)
        return super()._message_as_message_dict(message, role)


def build_ui(shared: SharedIndex) -> gr.Blocks:
    """The page: chat on the left; status, filters and upload on the right."""
    with gr.Blocks(title="newsrag 新闻问答", fill_height=True) as demo:
        gr.HTML("<h2 style='margin:0'>newsrag 新闻问答</h2>"
                "<div style='opacity:.7'>回答只依据已索引的新闻，每句附编号出处；点击 [n] 查看原文。</div>")
        answer_data = gr.JSON(visible=False)
        answers = gr.State({})  # this session's shown answers -> their text (`make_chat`)
        with gr.Row(equal_height=False):
            chat_col = gr.Column(scale=3)
            with gr.Column(scale=1, min_width=280):
                status = gr.HTML(shared.status_html(), elem_id="nr-status")
                k = gr.Slider(1, 10, value=5, step=1, label="参考段落数")
                with gr.Row():
                    date_from = gr.Textbox("", label="起始日期", placeholder="YYYY-MM-DD")
                    date_to = gr.Textbox("", label="结束日期", placeholder="YYYY-MM-DD")
                source = gr.Textbox("", label="来源（包含）", placeholder="例如 北京日报")
                # "today" for 昨天/上个月/三年前…: the real date where the newsroom is, taken
                # anew at each page load; a reader can set another day to ask "as of" it
                as_of = gr.Textbox(lambda: today(Config().timezone).isoformat(), label="提问日期（今天）",
                                   placeholder="YYYY-MM-DD", elem_id="nr-as-of")
                engine = gr.Radio([(ENGINE_LABELS[e], e) for e in engines()], value="extractive",
                                  label="回答方式")
                files = gr.File(label=f"上传文章（{ACCEPTED}，每个 ≤ {MAX_UPLOAD_MB} MB）",
                                file_count="multiple", elem_id="nr-upload")
                with gr.Row():
                    urls = gr.Textbox("", label="抓取网址", placeholder="新闻源（RSS/Atom）或文章网址，可多个",
                                      elem_id="nr-url", scale=3)
                    fetch_btn = gr.Button("抓取", elem_id="nr-fetch", scale=1, min_width=60)
                upload_log = gr.Textbox(label="上传结果", interactive=False, lines=3,
                                        elem_id="nr-upload-log")
        with chat_col:
            chatbot = gr.Chatbot(
                label="对话", sanitize_html=True, render_markdown=True, latex_delimiters=[],
                height=560, elem_id="nr-chat", placeholder="请输入关于已索引新闻的问题",
            )
            QuestionChat(
                make_chat(shared), chatbot=chatbot, api_name="chat",
                concurrency_limit=CHAT_CONCURRENCY,
                additional_inputs=[k, date_from, date_to, source, engine, as_of, answers],
                additional_outputs=[answer_data, answers], examples=[[q] for q in EXAMPLES],
                textbox=gr.Textbox(placeholder="例如：本次展览共展出多少件作品？", elem_id="nr-input",
                                   label="问题", show_label=False,
                                   submit_btn=True, stop_btn=True),
            )
        files.upload(make_upload(shared), [files], [status, upload_log, files],
                     api_name="add_articles", show_progress="full", concurrency_limit=1,
                     concurrency_id="uploads")
        gr.on([fetch_btn.click, urls.submit], make_fetch(shared), [urls], [status, upload_log],
              api_name="fetch", show_progress="full", concurrency_limit=1, concurrency_id="uploads")
        gr.api(make_ask(shared), api_name="ask", concurrency_limit=CHAT_CONCURRENCY)
        demo.load(shared.status_html, None, status, api_visibility="private")
    return demo
