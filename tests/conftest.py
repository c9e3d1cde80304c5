"""Shared fixtures: one real index of the sample page per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample_page.txt"
EVAL_DIR = Path(os.environ.get("NEWSRAG_EVAL_DIR", ROOT.parent / "shared" / "eval"))

# titles of the sample page's articles, as the page splitter reads them
EXHIBITION = "“劳动颂——首都职工纪念改革开放45周年主题创作展”开放日活动举办"
WARMTH = "市温暖基金会“两节”期间将开展爱心互助行动"
CONTEST = "海淀区总工会召开数字经济领域技能竞赛座谈会"
TRAINING = "八里庄街道基层工会干部培训班开班"
TEACHERS = "20多所高校青年教师开展学习实践活动"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory) -> Path:
    """The sample newspaper page built with the default model (m3e-small) and backend (openvino)."""
    from rag import build_index

    index_dir = tmp_path_factory.mktemp("sample") / "index"
    build_index([SAMPLE], index_dir, show_progress=False)
    return index_dir


@pytest.fixture(scope="session")
def loaded_index(sample_index):
    from rag import Index

    idx = Index.load(sample_index)
    yield idx
    idx.close()


def unavailable(reason: str):
    """Skip locally, but fail in CI, where `scripts/setup.sh --test` installs
    everything, so a missing install step can never hide behind a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; run scripts/setup.sh --test")
    pytest.skip(reason, allow_module_level=True)


def need(module: str, why: str):
    """Import an optional component, or `unavailable`."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        unavailable(f"{module} is not installed ({why})")


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory):
    """A fresh NEWSRAG_CACHE holding one export of m3e-small, made by the first use."""
    cache = tmp_path_factory.mktemp("newsrag-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEWSRAG_CACHE", str(cache))
        yield cache


@pytest.fixture(scope="module")
def model_path():
    from rag.embedder import m3e_small_path

    return m3e_small_path()
