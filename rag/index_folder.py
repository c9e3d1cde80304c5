"""An index is a folder; a build never touches the version being served.

Layout::

    index/
      CURRENT              name of the live version (replaced atomically)
      v-<time>-<rand>/     manifest.json, dense.faiss, vectors.npy, bm25/, meta.sqlite
      .staging-*/          a build in progress (removed if the build dies)
      .embcache/           finished embedding batches of an interrupted build
      .lock                held while a build runs

A build writes a complete new version into a staging folder, renames it to
``v-…`` and then swaps ``CURRENT`` with ``os.replace``, which is atomic: a
build killed at any moment leaves the previous version loadable and unchanged.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import time
from pathlib import Path
from typing import Iterator

from .errors import IndexCorruptError, IndexNotFoundError, NewsragError

FORMAT_VERSION = 1
REQUIRED_FILES = ("manifest.json", "dense.faiss", "vectors.npy", "bm25", "meta.sqlite")


def current_version(index_dir: Path) -> Path | None:
    pointer = index_dir / "CURRENT"
    if not pointer.is_file():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    return index_dir / name if name else None


def read_manifest(index_dir: Path) -> tuple[Path, dict]:
    """The live version folder and its manifest, checked; clear errors otherwise."""
    index_dir = Path(index_dir)
    version = current_version(index_dir)
    if version is None:
        raise IndexNotFoundError(
            f"no index in {index_dir}: build one with `newsrag build data/ --index {index_dir}`"
        )
    if not version.is_dir():
        raise IndexCorruptError(
            f"{index_dir}/CURRENT points at {version.name}, which is missing: "
            f"rebuild with `newsrag build PATHS --index {index_dir} --rebuild`"
        )
    try:
        manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(
            f"{version / 'manifest.json'} is missing or damaged ({exc.__class__.__name__}): "
            f"rebuild with `newsrag build PATHS --index {index_dir} --rebuild`"
        ) from None
    fmt = manifest.get("format_version")
    if not isinstance(fmt, int) or fmt > FORMAT_VERSION:
        raise IndexCorruptError(
            f"{index_dir} has index format {fmt!r}, newer than this newsrag understands "
            f"({FORMAT_VERSION}): upgrade newsrag or rebuild with --rebuild"
        )
    for name in REQUIRED_FILES:
        if not (version / name).exists():
            raise IndexCorruptError(
                f"{version / name} is missing: the index is damaged; rebuild with "
                f"`newsrag build PATHS --index {index_dir} --rebuild`"
            )
    return version, manifest


@contextlib.contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One build at a time per index folder (a second one fails fast)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise NewsragError(f"another build is running on {index_dir}; wait for it") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def new_staging(index_dir: Path) -> Path:
    """A fresh staging folder; leftovers of killed builds are removed first."""
    for old in index_dir.glob(".staging-*"):
        shutil.rmtree(old, ignore_errors=True)
    path = index_dir / f".staging-{secrets.token_hex(4)}"
    path.mkdir()
    return path


def embcache_dir(index_dir: Path) -> Path:
    return index_dir / ".embcache"


def publish(index_dir: Path, staging: Path, manifest: dict) -> Path:
    """Make ``staging`` the live version atomically, then drop older versions."""
    (staging / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    _fsync_tree(staging)
    version = index_dir / f"v-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
    os.rename(staging, version)
    tmp = index_dir / f".CURRENT.{secrets.token_hex(3)}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(version.name)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / "CURRENT")
    _fsync_dir(index_dir)
    for old in index_dir.glob("v-*"):
        if old.name != version.name:
            shutil.rmtree(old, ignore_errors=True)
    return version


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
