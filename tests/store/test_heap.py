"""Freed memory goes back to the system between build phases (`rag.store.heap`)."""

from __future__ import annotations

import gc

from rag.store import heap


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


def test_trim_returns_the_pages_of_freed_strings_that_a_survivor_pins():
    """Like a build's passages once stored: 200 MB of strings freed while every 64th
    survives, so glibc cannot shrink its heap from the top; `trim` gives the pages back."""
    before = _rss_mb()
    texts = [f"{i:08d}" + "新闻" * 1000 for i in range(100_000)]  # ~2 KB each
    survivors = texts[::64]
    grown = _rss_mb() - before
    assert grown > 150
    del texts
    gc.collect()
    held = _rss_mb() - before
    heap.trim()
    trimmed = _rss_mb() - before
    assert held - trimmed > 100, (grown, held, trimmed)
    assert len(survivors) == 1563
