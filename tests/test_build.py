"""Index folder behaviour: incremental updates, crash safety, clear errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, SAMPLE
from samples import write_article
from rag import Config, Index, build_index
from rag.errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError, NewsragError

pytestmark = pytest.mark.slow

def test_incremental_add_change_delete(corpus, tmp_path):
    index_dir = tmp_path / "index"
    first = build_index([corpus], index_dir, show_progress=False)
    assert (first.added, first.updated, first.removed) == (7, 0, 0)
    assert first.embedded == first.chunks > 0

    again = build_index([corpus], index_dir, show_progress=False)
    assert again.embedded == 0 and again.unchanged == 7 and again.added == 0

    write_article(corpus, "library.txt", "新图书馆开放", "新图书馆藏书35万册，今天向市民开放。")
    write_article(corpus, "bridge.txt", "城南大桥今日通车",
                  "全长1280米的城南大桥今天正式通车。大桥总投资5.2亿元，历时三年建成。")
    (corpus / "page.txt").unlink()
    report = build_index([corpus], index_dir, show_progress=False)
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 6, 0)
    assert 0 < report.embedded <= 3  # only the new and the changed article

    idx = Index.load(index_dir)
    assert idx.info()["articles"] == 2
    top = idx.search("大桥总投资多少钱？", 1)[0]
    assert "5.2亿元" in top.text and "4.6亿元" not in top.text
    assert idx.search("本次展览共展出多少件作品？", 5, per_article=True)[0].title != (
        "“劳动颂——首都职工纪念改革开放45周年主题创作展”开放日活动举办")


def test_building_one_file_keeps_the_rest(corpus, tmp_path):
    index_dir = tmp_path / "index"
    build_index([corpus], index_dir, show_progress=False)
    upload = tmp_path / "upload.txt"
    upload.write_text("地铁新线开通\n\n地铁19号线北延段今天开通，新增4座车站。", encoding="utf-8")
    report = build_index([upload], index_dir, show_progress=False)
    assert (report.added, report.removed) == (1, 0)
    assert Index.load(index_dir).info()["articles"] == 8


def test_changed_chunking_or_flag_triggers_full_rebuild(corpus, tmp_path):
    index_dir = tmp_path / "index"
    build_index([corpus], index_dir, show_progress=False)
    report = build_index([corpus], index_dir, show_progress=False, config=Config(chunk_size=200))
    assert "chunking settings changed" in report.rebuilt_because
    assert report.updated == 7 and report.added == 0  # every article re-chunked …
    assert 0 < report.embedded < report.chunks  # … but unchanged chunk texts keep their vectors
    forced = build_index([corpus], index_dir, rebuild=True, show_progress=False,
                         config=Config(chunk_size=200))
    assert forced.rebuilt_because == "--rebuild was given"
    assert forced.embedded == forced.chunks


def test_bad_inputs_are_reported_and_the_rest_indexed(corpus, tmp_path):
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    (corpus / "notes.docx").write_bytes(b"PK\x03\x04 binary")
    (corpus / "feed.jsonl").write_text(
        '{"title": "好记录", "text": "好记录的正文，讲述了春节灯会。"}\n{broken\n{"title": "无正文"}\n',
        encoding="utf-8")
    report = build_index([corpus], tmp_path / "index", show_progress=False)
    assert report.added == 8
    reasons = "\n".join(str(p) for p in report.skipped)
    assert "empty.txt" in reasons and "notes.docx" in reasons
    assert "feed.jsonl:2" in reasons and "feed.jsonl:3" in reasons


def test_load_errors_name_the_problem_and_the_fix(corpus, tmp_path):
    with pytest.raises(IndexNotFoundError, match="newsrag build"):
        Index.load(tmp_path / "nothing")
    index_dir = tmp_path / "index"
    build_index([corpus], index_dir, show_progress=False)
    with pytest.raises(IndexMismatchError, match="e5-small.*rebuild"):
        Index.load(index_dir, config=Config(model="BAAI/bge-small-zh-v1.5"))
    version = index_dir / (index_dir / "CURRENT").read_text().strip()
    manifest = json.loads((version / "manifest.json").read_text())
    (version / "manifest.json").write_text(json.dumps({**manifest, "format_version": 99}))
    with pytest.raises(IndexCorruptError, match="newer"):
        Index.load(index_dir)
    (version / "manifest.json").write_text(json.dumps(manifest))
    (version / "dense.faiss").write_bytes(b"garbage")
    with pytest.raises(IndexCorruptError, match="--rebuild"):
        Index.load(index_dir)
    (version / "dense.faiss").unlink()
    with pytest.raises(IndexCorruptError, match="dense.faiss is missing"):
        Index.load(index_dir)
    # a damaged index is replaced by a full rebuild, which says why
    report = build_index([corpus], index_dir, show_progress=False)
    assert "could not be read" in report.rebuilt_because
    assert Index.load(index_dir).info()["articles"] == 7


def test_missing_input_path_is_an_error(tmp_path):
    with pytest.raises(NewsragError, match="no such file"):
        build_index([tmp_path / "nope"], tmp_path / "index", show_progress=False)


def test_killed_build_leaves_old_index_and_resumes(corpus, tmp_path):
    """A real `newsrag build` process killed with SIGKILL mid-embedding."""
    index_dir = tmp_path / "index"
    build_index([corpus], index_dir, show_progress=False)
    before = Index.load(index_dir).info()
    sentences = (SAMPLE.read_text(encoding="utf-8").replace("\n", "")).split("。")
    for i in range(30):
        body = "。".join(f"第{i}篇第{j}句：{s}" for j, s in enumerate(sentences[i:i + 12])) + "。"
        write_article(corpus, f"extra{i:02d}.txt", f"增补稿件第{i}号", body)
    env = {**os.environ, "NEWSRAG_BATCH_SIZE": "2", "NEWSRAG_THREADS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli.main", "build", str(corpus), "--index", str(index_dir), "--quiet"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    cache = index_dir / ".embcache"
    deadline = time.time() + 300  # a loaded CI machine loads the model slowly
    while time.time() < deadline and not list(cache.glob("*/part-*.npz")):
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert list(cache.glob("*/part-*.npz")), "the build should have checkpointed a batch"

    after = Index.load(index_dir)  # the previous version, loadable and unchanged
    assert after.info() == before
    assert after.search("本次展览共展出多少件作品？", 1)[0].title.startswith("“劳动颂")

    resumed = build_index([corpus], index_dir, show_progress=False)
    assert resumed.added == 30
    assert resumed.embedded < resumed.chunks - before["chunks"]  # finished batches reused
    assert not cache.exists() and not list(index_dir.glob(".staging-*"))
    assert Index.load(index_dir).info()["articles"] == 37
