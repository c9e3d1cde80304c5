"""What every session of the app shares: the loaded index and the upload folder.

Searches only read :attr:`SharedIndex.index`. A build — an upload in the app,
or ``newsrag build`` run beside it — writes a new version on disk and never
touches the live one; the app notices the new ``CURRENT`` within a second and
swaps the reference in one assignment, so a question asked meanwhile finishes
on the old version. Loading goes through `rag.retrieval.loader`, like the API's:
the embedding model is handed over, not loaded again.

Uploads are saved under names that cannot collide (two names that differ only
in characters a file name cannot keep get a short hash of the original), and a
saved file stays *pending* until a build has indexed it: an upload that meets a
build running outside the app waits for it instead of failing, and a file whose
build failed is indexed with the next upload.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import threading
import time
from pathlib import Path
from typing import Callable

from rag.app.render import render_status
from rag.build import build_index
from rag.config import Config
from rag.retrieval.index import Index
from rag.retrieval.loader import load_index
from rag.store.folder_versions import BuildBusyError, live_name
from rag.app.upload_log import upload_lines

log = logging.getLogger(__name__)

WAIT_FOR_BUILD_S = 30 * 60  # an outside build of a large archive can take this long
RECHECK_S = 1.0


class SharedIndex:
    """The one loaded Index all sessions search, kept at the folder's live version."""

    def __init__(self, index_dir: str | Path, upload_dir: str | Path, index: Index | None = None,
                 *, local_only: bool = True, config: Config | None = None):
        """``index``: the index of ``index_dir`` already loaded with ``config`` (None:
        the environment), or None to load it."""
        self.index_dir = Path(index_dir)
        self.upload_dir = Path(upload_dir)
        # served to this machine only: its URL field may fetch local addresses too
        self.local_only = local_only
        self.config = config
        self._index = index or load_index(self.index_dir, config=config)
        self._pointer = live_name(self.index_dir)
        self._checked = time.monotonic()
        self._swap_lock = threading.Lock()
        self._build_lock = threading.Lock()
        self.pending: set[Path] = set()

    @property
    def index(self) -> Index:
        """The live index; reloaded when a build outside the app published a new version."""
        now = time.monotonic()
        if now - self._checked >= RECHECK_S and self._swap_lock.acquire(blocking=False):
            try:
                self._checked = now
                if live_name(self.index_dir) != self._pointer:
                    self._reload()
            except Exception:  # keep answering from the version already loaded; say it once
                self._pointer = live_name(self.index_dir)
                log.exception("could not load the new index version; still serving the old one")
            finally:
                self._swap_lock.release()
        return self._index

    def _reload(self) -> None:
        pointer = live_name(self.index_dir)
        new = load_index(self.index_dir, config=self.config, current=self._index)
        self._index, self._pointer = new, pointer  # one assignment each: readers never wait

    def status_html(self) -> str:
        try:
            idx = self.index
            return render_status(idx.info(), tz=idx.config.timezone)
        except Exception as exc:  # a status line must never break the page
            return render_status(None, f"索引状态暂不可用：{exc}")

    def add_files(self, files: dict[Path, str], progress: Callable) -> list[str]:
        """Index ``files`` (saved path -> the name the user gave) and every still-pending
        upload, swap in the new version; one line per file for the upload log."""
        self.pending.update(files)
        if not self._build_lock.acquire(blocking=False):
            progress(None, desc="等待另一个上传完成…")
            self._build_lock.acquire()
        try:
            todo = sorted(p for p in self.pending if p.exists())
            if not todo:
                return ["这些文件已由同时进行的另一个上传一并索引。"]
            report = self._build_waiting(todo, progress)
            self.pending.difference_update(todo)
            with self._swap_lock:
                self._reload()
            names = {p: files.get(p, p.name) for p in todo}
            return upload_lines(names, report) + [
                f"索引已更新：新增 {report.added} 篇，更新 {report.updated} 篇，"
                f"未变 {report.unchanged} 篇。可以提问了。"]
        finally:
            self._build_lock.release()

    def _build_waiting(self, files: list[Path], progress: Callable):
        """``build_index``, waiting while another process (``newsrag build``) holds the lock."""
        def on_progress(done: int, total: int) -> None:
            progress((done, total), desc="正在向量化新文章", unit="段落")

        deadline = time.monotonic() + WAIT_FOR_BUILD_S
        while True:
            try:
                return build_index(files, self.index_dir, show_progress=False,
                                   on_progress=on_progress, config=self._index.config)
            except BuildBusyError:
                if time.monotonic() > deadline:
                    raise
                progress(None, desc="另一个构建正在进行，完成后会自动索引这些文件…")
                time.sleep(1.0)

    def save_upload(self, src: Path, name: str) -> Path:
        """Copy an uploaded file into the upload folder under a name no other upload maps to."""
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        dest = self.upload_dir / upload_name(name)
        shutil.copyfile(src, dest)
        return dest.resolve()


def upload_name(name: str) -> str:
    """A safe file name for an upload, one-to-one with the name the user gave.

    Folders and characters that are awkward in file names become ``_``; when
    that changed the name, a hash of the original is appended, so "报告 一.txt"
    and "报告_一.txt" are two files — while re-uploading the same name still
    replaces the earlier copy (the article is updated, not duplicated).
    """
    base = os.path.basename(name.replace("\\", "/"))
    stem, suffix = Path(base).stem, Path(base).suffix  # the suffix the upload was checked by
    safe = re.sub(r"[^\w\-.]+", "_", stem).strip("._")[:80] or "upload"
    if safe + suffix.lower() != base:
        safe += "-" + hashlib.sha1(base.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return safe + suffix.lower()
