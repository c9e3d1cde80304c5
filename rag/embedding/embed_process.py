"""A large build's passages embedded in a child process, so the model's memory leaves with it.

Why: OpenVINO keeps what it allocated for the model (weights, compiled kernels, scratch)
until the process exits — freeing the model object gives nothing back (measured) — and a
build commits (SQLite, FAISS, BM25) after it embeds, so in one process the two add up
(2.81 GB at 69,549 documents, docs/benchmarks.md). A child process that loads the model,
embeds and exits leaves the commit to a parent that never held it. Small builds (the app's
uploads, the sample page) stay in the process: starting a child and loading the model
there costs seconds, and an app that serves queries has the model loaded already.

The child is ``python -m rag.embedding.embed_process`` started with two pipes of its own, not
a `multiprocessing` child: a spawned child would import the caller's main script again, and a
user's script that calls `rag.build_index` without an ``if __name__ == "__main__"`` guard
would then build again inside the child. The child gets one batch at a time (longest texts
first, as `Embedder.passage_batches` orders them) and sends its vectors back before it reads
the next, so neither side can block on a full pipe. Its errors come back as the same clear messages; if it dies, the
build stops with a message saying so and the checkpointed batches are kept for the rerun.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from multiprocessing.connection import Connection
from typing import Iterator, Sequence

import numpy as np

from rag.config import Config
from rag.embedding.embedder import Embedder
from rag.errors import ConfigError, NewsragError

#: Passages to embed from which a build embeds them in a child process.
CHILD_FROM = 20_000


def passage_batches(config: Config, texts: Sequence[str], *,
                    embedder: Embedder | None = None) -> Iterator[tuple[list[int], np.ndarray]]:
    """(positions in ``texts``, their vectors) batch by batch, like
    `Embedder.passage_batches`; in a child process from `CHILD_FROM` texts on."""
    embedder = embedder or Embedder(config)
    if len(texts) < CHILD_FROM:
        yield from embedder.passage_batches(texts)
        return
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
    step = embedder.batch_size * 8
    child, to_child, from_child = _start()
    try:
        to_child.send(config)
        for lo in range(0, len(order), step):
            idx = order[lo : lo + step]
            yield idx, _exchange(to_child, from_child, child, [texts[i] for i in idx])
        to_child.send(None)
        child.wait(timeout=60)
    finally:
        to_child.close()
        from_child.close()
        if child.poll() is None:  # stopped early (an error, Ctrl-C, a closed generator)
            child.kill()
            child.wait()


def _start() -> tuple[subprocess.Popen, Connection, Connection]:
    down_r, down_w = os.pipe()
    up_r, up_w = os.pipe()
    child = subprocess.Popen([sys.executable, "-m", "rag.embedding.embed_process", str(down_r), str(up_w)],
                             pass_fds=(down_r, up_w), stdin=subprocess.DEVNULL)
    os.close(down_r)
    os.close(up_w)
    return child, Connection(down_w, readable=False), Connection(up_r, writable=False)


def _exchange(to_child: Connection, from_child: Connection, child: subprocess.Popen,
              texts: list[str]) -> np.ndarray:
    """Send one batch, wait for its vectors."""
    try:
        to_child.send(texts)
        reply = from_child.recv()
    except (EOFError, OSError):  # the child is gone: closed, reset or broken pipe
        try:
            code = child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        raise NewsragError(f"the embedding process stopped (exit code {code}); "
                           "the batches embedded so far are kept: run the build again") from None
    if reply[0] == "ok":
        return reply[1]
    kind, message = reply[1], reply[2]
    raise (ConfigError if kind == "ConfigError" else NewsragError)(
        message if kind == "ConfigError" else f"embedding failed ({kind}: {message})")


def _serve(down: Connection, up: Connection) -> None:
    """The child: embed each batch it is sent until it is sent None or the parent is gone.
    Ctrl-C is the parent's to handle (it stops the child), so the child ignores it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        embedder = Embedder(down.recv())
        while (texts := down.recv()) is not None:
            try:
                reply = ("ok", embedder.encode_passages(texts))
            except Exception as exc:  # noqa: BLE001 - sent to the parent, which raises it
                reply = ("error", type(exc).__name__, str(exc))
            up.send(reply)
            if reply[0] == "error":
                return
    except (EOFError, OSError):  # the parent was killed or closed the pipe
        return


if __name__ == "__main__":
    _serve(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))
