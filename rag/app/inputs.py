"""What the app takes in: uploaded files and fetched URLs, each reported in one Chinese line.

Both run in one queue of their own ("uploads", one at a time), never in the questions'
queue; each saves its files in the upload folder and hands them to
`rag.app.state.SharedIndex.add_files`, which builds and swaps the index.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import gradio as gr

from rag.app.state import SharedIndex
from rag.errors import NewsragError
from rag.ingest.readers import SUFFIXES
from rag.app.upload_log import fetch_lines

log = logging.getLogger(__name__)

MAX_UPLOAD_MB = 20
ACCEPTED = ", ".join(s for s in SUFFIXES if s != ".htm")


def make_upload(shared: SharedIndex):
    """Save accepted files into the upload folder, index them, report in the log box.

    Gradio's own copy of every uploaded file (accepted or not) is deleted once
    handled, so rejected and indexed files do not pile up in its cache.
    """

    def upload(files, progress=gr.Progress()):
        files = [files] if isinstance(files, str) else list(files or [])
        saved: dict[Path, str] = {}
        lines = []
        for f in files:
            src = Path(getattr(f, "name", f))
            shown = src.name  # Gradio keeps the uploaded name (in a folder of its own)
            try:
                if src.suffix.lower() not in SUFFIXES:
                    lines.append(f"✗ {shown}：不支持的文件类型（只接受 {ACCEPTED}）")
                elif src.stat().st_size > MAX_UPLOAD_MB * 1024 * 1024:
                    lines.append(f"✗ {shown}：文件超过 {MAX_UPLOAD_MB} MB")
                else:
                    saved[shared.save_upload(src, shown)] = shown
            finally:
                _drop_gradio_copy(src)
        if saved:
            try:
                lines += shared.add_files(saved, progress)
            except NewsragError as exc:  # e.g. an outside build that did not end in time
                log.warning("indexing uploads failed: %s", exc)
                lines.append("✗ 索引暂时失败（详情见服务器日志）；文件已保存，下次上传时会再次索引")
            except Exception as exc:  # a bug: log it, tell the user, keep serving the old index
                log.exception("indexing uploads failed")
                lines.append(f"✗ 索引失败（内部错误 {type(exc).__name__}），请查看服务器日志")
        return shared.status_html(), "\n".join(lines) or "没有文件", None

    return upload


def make_fetch(shared: SharedIndex):
    """Fetch feeds / article URLs (`rag.ingest.fetch`) into the upload folder and index what is new."""

    def fetch_urls(text: str, progress=gr.Progress()):
        from rag.ingest.fetch import fetch

        urls = (text or "").split()
        if not urls:
            return shared.status_html(), "请输入新闻源（RSS/Atom）或文章网址"
        progress(None, desc="正在抓取…")
        report = fetch(urls, shared.upload_dir / "fetched", private=shared.local_only)
        lines = fetch_lines(report)
        if report.saved:
            titles = {p: json.loads(p.read_text("utf-8")).get("title") or p.name
                      for p in report.saved}
            try:
                lines = shared.add_files(titles, progress) + lines
            except NewsragError as exc:
                log.warning("indexing fetched articles failed: %s", exc)
                lines.append("✗ 索引暂时失败（详情见服务器日志）；文章已保存，下次会再次索引")
        return shared.status_html(), "\n".join(lines) or "没有新文章"

    return fetch_urls


def _drop_gradio_copy(path: Path) -> None:
    """Delete Gradio's cached upload (and its per-upload folder) — never a file outside its cache."""
    cache = Path(gr.utils.get_upload_folder()).resolve()
    try:
        path = path.resolve()
        if cache in path.parents:
            path.unlink(missing_ok=True)
            if path.parent != cache and not any(path.parent.iterdir()):
                path.parent.rmdir()
    except OSError:
        log.warning("could not delete the cached upload %s", path)
