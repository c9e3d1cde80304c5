"""A large build's passages embedded in a child process, so the model's memory leaves with it.

Why: OpenVINO keeps what it allocated for the model (weights, compiled kernels, scratch)
until the process exits — freeing the model object gives nothing back (measured) — and a
build commits (SQLite, FAISS, BM25) after it embeds, so in one process the two add up
(2.81 GB at 69,549 documents, docs/benchmarks.md). A child process that loads the model,
embeds and exits leaves the commit to a parent that never held it. Small builds (the app's
uploads, the sample page) stay in the process: starting a child and loading the model
there costs seconds, and an app that serves queries has the model loaded already.

The child gets one batch at a time (longest texts first, as `Embedder.passage_batches`
orders them) and sends its vectors back before it reads the next, so neither side can
block on a full pipe. Its errors come back as the same clear messages; if it dies, the
build stops with a message saying so and the checkpointed batches are kept for the rerun.
"""

from __future__ import annotations

import multiprocessing
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
    context = multiprocessing.get_context("spawn")  # never fork a process that runs threads
    ours, theirs = context.Pipe()
    child = context.Process(target=_serve, args=(config, theirs), name="newsrag-embed", daemon=True)
    child.start()
    theirs.close()
    try:
        for lo in range(0, len(order), step):
            idx = order[lo : lo + step]
            yield idx, _exchange(ours, child, [texts[i] for i in idx])
        ours.send(None)
        child.join(timeout=60)
    finally:
        ours.close()
        if child.is_alive():  # stopped early (an error, Ctrl-C, a closed generator)
            child.terminate()
            child.join()


def _exchange(conn, child, texts: list[str]) -> np.ndarray:
    """Send one batch, wait for its vectors."""
    try:
        conn.send(texts)
        reply = conn.recv()
    except (EOFError, OSError):  # the child is gone: closed, reset or broken pipe
        child.join(timeout=5)
        raise NewsragError(f"the embedding process stopped (exit code {child.exitcode}); "
                           "the batches embedded so far are kept: run the build again") from None
    if reply[0] == "ok":
        return reply[1]
    kind, message = reply[1], reply[2]
    raise (ConfigError if kind == "ConfigError" else NewsragError)(
        message if kind == "ConfigError" else f"embedding failed ({kind}: {message})")


def _serve(config: Config, conn) -> None:
    """The child: embed each batch it is sent until it is sent None (or the parent is gone)."""
    embedder = Embedder(config)
    while True:
        try:
            texts = conn.recv()
        except EOFError:  # the parent was killed
            return
        if texts is None:
            return
        try:
            conn.send(("ok", embedder.encode_passages(texts)))
        except Exception as exc:  # noqa: BLE001 - sent to the parent, which raises it
            conn.send(("error", type(exc).__name__, str(exc)))
            return
