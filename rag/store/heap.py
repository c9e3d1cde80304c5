"""Hand memory the process has freed back to the operating system, between build phases.

Why: glibc keeps what Python and native libraries free (a build's passage strings once
they are stored, an embedding model's scratch buffers) in its heap for reuse, so without
this a large build's resident size only grows and each later phase (FAISS, BM25) stacks
on the largest earlier one. ``malloc_trim`` returns the free pages (measured: 220 MB after
embedding 1,024 passages with m3e-small, 330 MB with e5-small). Elsewhere (musl, macOS) it
does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache


@lru_cache(maxsize=1)
def _libc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def trim() -> None:
    """Return free heap pages to the system (glibc); a no-op where that is unavailable."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
