"""Embedding in a child process: the same vectors, the same clear errors, a dead child reported."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import SAMPLE
from samples import SENTENCES

from rag import Config, build_index
from rag.embedding import embed_process
from rag.embedding.embedder import Embedder
from rag.errors import ConfigError, NewsragError


@pytest.fixture
def always_in_child(monkeypatch):
    monkeypatch.setattr(embed_process, "CHILD_FROM", 0)


def embedding_children() -> list[int]:
    """Pids of this process's children that run rag.embedding.embed_process."""
    kids = [int(k) for t in Path("/proc/self/task").glob("*/children") for k in t.read_text().split()]
    return [k for k in kids if b"rag.embedding.embed_process" in Path(f"/proc/{k}/cmdline").read_bytes()]


def test_the_child_gives_the_vectors_this_process_gives(always_in_child):
    config = Config()
    texts = [s * (1 + i % 3) for i, s in enumerate(SENTENCES)] * 12  # more than one batch
    got = np.zeros((len(texts), Embedder(config).dim), dtype=np.float32)
    seen, children = [], set()
    for positions, vectors in embed_process.passage_batches(config, texts):
        got[positions] = vectors
        seen += positions
        children.update(embedding_children())
    assert len(children) == 1  # it did run in a child
    assert sorted(seen) == list(range(len(texts)))
    want = Embedder(config).encode_passages(texts)
    assert np.allclose(got, want, atol=1e-5)
    assert not embedding_children()


def test_a_model_the_child_cannot_load_is_the_usual_clear_error(always_in_child, tmp_path):
    config = Config(model=str(tmp_path / "no-such-model"))
    with pytest.raises(ConfigError, match="no-such-model"):
        list(embed_process.passage_batches(config, ["一句话。"]))


def test_a_child_that_dies_stops_the_build_with_a_message(always_in_child):
    config = Config()
    texts = [f"第{i}条新闻的正文。" for i in range(Embedder(config).batch_size * 8 * 3)]
    batches = embed_process.passage_batches(config, texts)
    next(batches)
    (child,) = embedding_children()
    os.kill(child, signal.SIGKILL)
    with pytest.raises(NewsragError, match="embedding process stopped"):
        next(batches)
    assert not embedding_children()


def test_a_build_embedded_in_a_child_stores_the_same_vectors(always_in_child, sample_index, tmp_path):
    build_index([SAMPLE], tmp_path / "idx", config=Config(), show_progress=False)
    (want,) = sample_index.glob("**/vectors.npy")
    (got,) = (tmp_path / "idx").glob("**/vectors.npy")
    a, b = np.load(want), np.load(got)
    assert a.shape == b.shape
    assert np.allclose(a, b, atol=1e-5)


def test_a_child_left_early_is_stopped(always_in_child):
    texts = [f"第{i}条新闻的正文。" for i in range(Embedder(Config()).batch_size * 8 * 3)]
    batches = embed_process.passage_batches(Config(), texts)
    next(batches)
    assert embedding_children()
    batches.close()  # what an error in the build's loop, or Ctrl-C, does to the generator
    assert not embedding_children()


def test_a_script_without_a_main_guard_is_not_run_again_in_the_child(tmp_path):
    """...and the child never imports a folder named rag from the current directory."""
    (tmp_path / "rag").mkdir()
    (tmp_path / "rag" / "__init__.py").write_text("raise ImportError('the wrong rag')\n")
    (tmp_path / "scripts").mkdir()
    script = tmp_path / "scripts" / "unguarded.py"
    script.write_text(
        "from rag import Config\n"
        "from rag.embedding import embed_process\n"
        "embed_process.CHILD_FROM = 0\n"
        "print('started', flush=True)\n"
        "got = sum(len(p) for p, _ in embed_process.passage_batches(Config(), ['一句话。'] * 70))\n"
        "print('embedded', got)\n", encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                         cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split("\n")[:2] == ["started", "embedded 70"]
