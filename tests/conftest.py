"""Shared fixtures: one real index of the sample page, one Milvus Lite server and one live
app (python app.py on the sample page, driven by Debian's Chromium) per test session."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
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


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A small article folder: the sample page and one extra article."""
    from samples import write_article

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(SAMPLE, data / "page.txt")
    write_article(data, "bridge.txt", "城南大桥今日通车",
                  "全长1280米的城南大桥今天正式通车。大桥总投资4.6亿元，历时三年建成。")
    return data


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory) -> Path:
    """The sample newspaper page built with the default model (e5-small) and backend (openvino)."""
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
    from rag.embedding.embedder import m3e_small_path

    return m3e_small_path()


# ---------------------------------------------------------------- a Milvus Lite server
class MilvusServer:
    """A real `milvus-lite server` process on 127.0.0.1 (free port, tmp data dir).

    `stop` and `start` again reuse the port and the data dir, as an operator would
    restart a server; every test keeps to its own collection name."""

    def __init__(self, data_dir: Path):
        self.data_dir, self.port, self.proc = data_dir, free_port(), None
        self.uri = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(self.data_dir),
             "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            assert self.proc.poll() is None, "milvus-lite server exited"
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("milvus-lite server did not open its port")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        self.proc.send_signal(sig)
        self.proc.wait(30)

    def config(self, name: str, **kw):
        from rag import Config

        return Config(store="milvus", milvus_uri=self.uri, milvus_collection=name, **kw)


@pytest.fixture(scope="session")
def milvus_server(tmp_path_factory):
    """One server for the session: the Milvus tests and the store contract suite share it."""
    need("pymilvus", "the Milvus store")
    need("milvus_lite", "the Milvus Lite test server")
    srv = MilvusServer(tmp_path_factory.mktemp("milvus") / "data")
    srv.start()
    yield srv
    if srv.proc.poll() is None:
        srv.stop()


# ---------------------------------------------------------------- the live app
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The app as a user starts it; yields (url, launched URL line, output lines, tmp dir)."""
    tmp = tmp_path_factory.mktemp("app")
    (tmp / "data").mkdir()
    shutil.copy(SAMPLE, tmp / "data" / SAMPLE.name)
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1", GRADIO_ANALYTICS_ENABLED="False",
               HF_HUB_OFFLINE="1", GRADIO_TEMP_DIR=str(tmp / "gradio-cache"))
    env.pop("GRADIO_SERVER_NAME", None)
    env.pop("NEWSRAG_AUTH", None)
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--index", str(tmp / "index"),
         "--data", str(tmp / "data"), "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    launched, deadline = None, time.time() + 150
    while launched is None and time.time() < deadline and proc.poll() is None:
        launched = next((m.group(1) for ln in list(lines)
                         if (m := re.search(r"Running on local URL:\s+(\S+)", ln))), None)
        time.sleep(0.2)
    if launched is None:
        proc.kill()
        pytest.fail("app did not start:\n" + "".join(lines)[-3000:])
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
    yield f"http://127.0.0.1:{port}", launched, lines, tmp
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    (ROOT / "test-output").mkdir(exist_ok=True)  # the server's output, for failures
    (ROOT / "test-output" / "app.log").write_text("".join(lines), encoding="utf-8")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def ask(page, url: str, question: str):
    """Ask in a fresh session (no history); return the final answer's message locator."""
    from playwright.sync_api import expect

    page.goto(url)
    box = page.locator("#nr-input textarea")
    box.fill(question)
    box.press("Enter")
    final = page.locator("#nr-chat .nr-sources, #nr-chat .nr-refused, #nr-chat .nr-error")
    expect(final.first).to_be_visible(timeout=60_000)
    return page.locator("#nr-chat .nr-answer").last
