"""A large build's passages embedded in a child process, so the model's memory leaves with it.

Why: OpenVINO keeps what it allocated for the model (weights, compiled kernels, scratch)
until the process exits — freeing the model object gives nothing back (measured) — and a
build commits (SQLite, FAISS, BM25) after it embeds, so in one process the two add up
(2.81 GB at 69,549 documents, docs/benchmarks.md). A child process that loads the model,
embeds and exits leaves the commit to a parent that never held it. Small builds (the app's
uploads, the sample page) stay in the process: starting a child and loading the model
there costs seconds; so does a process that has loaded the model already (an app serving
queries, or a backend whose dimension is only known from the loaded model).

The child is a fresh Python running `main` with two pipes of its own, not
a `multiprocessing` child: a spawned child would import the caller's main script again, and a
user's script that calls `rag.build_index` without an ``if __name__ == "__main__"`` guard
would then build again inside the child. The child gets one batch at a time (longest texts
first, as `Embedder.passage_batches` orders them) and sends its vectors back before it reads
the next, so neither side can block on a full pipe. A configuration error in the child (a model it cannot load) comes
back as the same `ConfigError`; any other error there comes back as a `NewsragError` naming
the original exception; if the child dies, the build stops with a message saying so and the
checkpointed batches are kept for the rerun. The child runs in its own process group (Ctrl-C
is the parent's to handle; the parent then stops it) and imports newsrag from where this
process did, never from the current directory.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

import rag
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
    if len(texts) < CHILD_FROM or embedder.loaded:
        yield from embedder.passage_batches(texts)
        return
    child, to_child, from_child = _start()
    try:
        to_child.send(config)
        for idx in embedder.batch_positions(texts):
            yield idx, _exchange(to_child, from_child, child, [texts[i] for i in idx])
        try:  # every vector is in hand: a child that does not leave cleanly is stopped below
            to_child.send(None)
            child.wait(timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            pass
    finally:
        to_child.close()
        from_child.close()
        if child.poll() is None:  # stopped early (an error, Ctrl-C, a closed generator)
            child.kill()
            child.wait()


def _start() -> tuple[subprocess.Popen, Connection, Connection]:
    down_r, down_w = os.pipe()
    up_r, up_w = os.pipe()
    try:
        child = subprocess.Popen(
            [sys.executable, "-P", "-c", _CHILD, _home(), str(down_r), str(up_w)],
            pass_fds=(down_r, up_w), stdin=subprocess.DEVNULL, process_group=0)
    except OSError as exc:
        for fd in (down_r, down_w, up_r, up_w):
            os.close(fd)
        raise NewsragError(f"cannot start the embedding process ({exc})") from None
    os.close(down_r)
    os.close(up_w)
    return child, Connection(down_w, readable=False), Connection(up_r, writable=False)


# -P: never the current directory on the path (a folder named rag there is not newsrag);
# newsrag's own folder is added only when the path lacks it (a checkout used without install)
_CHILD = ("import sys; home = sys.argv[1]; home in sys.path or sys.path.insert(0, home); "
          "from rag.embedding.embed_process import main; main(sys.argv[2:])")


def _home() -> str:
    """The folder this process imported newsrag from."""
    return str(Path(rag.__file__).resolve().parents[1])


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


def main(fds: list[str]) -> None:
    """The child's entry point (see `_CHILD`): serve on the two pipes it was given."""
    _serve(Connection(int(fds[0]), writable=False), Connection(int(fds[1]), readable=False))
