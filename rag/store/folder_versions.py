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

The version just replaced is kept until the next publish: a reader that read
``CURRENT`` a moment before the swap still finds every file of the version it
is opening (deleting it at once made about 1 in 900 loads during builds fail
as "damaged"). A reader that still meets a missing file re-reads ``CURRENT``
and retries, so only a folder that stays broken is reported as damaged.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import time
from datetime import datetime
from pathlib import Path
from typing import Iterator

from rag.errors import IndexCorruptError, IndexNotFoundError, NewsragError
from rag.store.manifest import FORMAT_VERSION, Manifest

REQUIRED_FILES = ("manifest.json", "dense.faiss", "vectors.npy", "bm25", "meta.sqlite")


def current_version(index_dir: Path) -> Path | None:
    pointer = index_dir / "CURRENT"
    if not pointer.is_file():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    return index_dir / name if name else None


def read_manifest(index_dir: Path) -> tuple[Path, Manifest]:
    """The live version folder and its manifest, checked; clear errors otherwise."""
    return retry_while_moving(Path(index_dir), lambda: _read_manifest(Path(index_dir)))


def retry_while_moving(index_dir: Path, load, attempts: int = 5):
    """``load()``, retried while a concurrent build moves ``CURRENT`` under it.

    A failure is real only if ``CURRENT`` still names the same version after it.
    """
    for attempt in range(attempts):
        before = live_name(index_dir)
        try:
            return load()
        except (IndexCorruptError, OSError):
            if attempt == attempts - 1 or live_name(index_dir) == before:
                raise
            time.sleep(0.05 * (attempt + 1))


def live_name(index_dir: Path) -> str | None:
    """The name ``CURRENT`` holds now, or ``None`` (no folder index, e.g. Milvus); never raises."""
    try:
        return (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _read_manifest(index_dir: Path) -> tuple[Path, Manifest]:
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
        stored = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
        fmt = stored.get("format_version") if isinstance(stored, dict) else None
        if isinstance(fmt, int) and fmt <= FORMAT_VERSION:
            manifest = Manifest.from_dict(stored)
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(
            f"{version / 'manifest.json'} is missing or damaged ({exc.__class__.__name__}): "
            f"rebuild with `newsrag build PATHS --index {index_dir} --rebuild`"
        ) from None
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


class BuildBusyError(NewsragError):
    """Another build holds the folder's lock (the app waits and retries on this)."""


@contextlib.contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One build at a time per index folder (a second one fails fast)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildBusyError(f"another build is running on {index_dir}; wait for it") from None
        try:
            _drop_leftovers(index_dir)
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _drop_leftovers(index_dir: Path) -> None:
    """What killed builds left behind, removed by the next build (even one that changes nothing).

    Runs under the build lock, so no other build is publishing: a staging folder, a
    ``.CURRENT.*`` pointer file or a ``v-…`` folder that is neither live nor the one
    kept for readers can only be a leftover.
    """
    for old in index_dir.glob(".staging-*"):
        shutil.rmtree(old, ignore_errors=True)
    for tmp in index_dir.glob(".CURRENT.*"):
        tmp.unlink(missing_ok=True)
    _drop_old_versions(index_dir, keep=2)


def new_staging(index_dir: Path) -> Path:
    """A fresh staging folder (leftovers were removed when the lock was taken)."""
    path = index_dir / f".staging-{secrets.token_hex(4)}"
    path.mkdir()
    return path


def embcache_dir(index_dir: Path) -> Path:
    return index_dir / ".embcache"


def publish(index_dir: Path, staging: Path, manifest: Manifest) -> Path:
    """Make ``staging`` the live version atomically, then drop older versions."""
    (staging / "manifest.json").write_text(
        json.dumps(manifest.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    _fsync_tree(staging)
    # microseconds in the name: versions sort by age even when builds follow in the same second
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
    version = index_dir / f"v-{stamp}-{secrets.token_hex(3)}"
    os.rename(staging, version)
    tmp = index_dir / f".CURRENT.{secrets.token_hex(3)}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(version.name)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / "CURRENT")
    _fsync_dir(index_dir)
    _drop_old_versions(index_dir, keep=2)
    return version


def _drop_old_versions(index_dir: Path, keep: int) -> None:
    """Delete version folders but the live one and the newest others (``keep`` in all).

    Names start with the build time, so sorting orders them by age.
    """
    live = current_version(index_dir)
    others = sorted((v for v in index_dir.glob("v-*") if v != live), reverse=True)
    for old in others[keep - 1:]:
        shutil.rmtree(old, ignore_errors=True)


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
