"""Build or update an index folder incrementally and crash-safely.

An article is re-chunked and re-embedded only when its content hash changed;
a chunk's vector is reused whenever the exact text embedded with the same
model was embedded before (in the live version or in a killed build's
checkpoint), so a second build of unchanged data embeds nothing and a killed
build resumes without redoing finished batches.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from tqdm.auto import tqdm

from . import dense_index, index_folder, keyword_index, metadata
from .chunking import chunk_article, context_header
from .config import Config
from .embed_cache import EmbeddingCache
from .embedder import Embedder
from .errors import NewsragError
from .readers import read_paths
from .tokenizer import tokenize
from .types import Article, BuildReport, content_hash

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]


@dataclass
class _Old:
    """The live version a build starts from (or nothing)."""

    folder: Path | None = None
    manifest: dict | None = None
    con: sqlite3.Connection | None = None
    vectors: np.ndarray | None = None


def build_index(
    paths: Sequence[str | Path] | None = None, index_dir: str | Path = "index", *,
    rebuild: bool = False, date: str | None = None, config: Config | None = None,
    show_progress: bool = True, on_progress: Progress | None = None,
) -> BuildReport:
    """Index ``paths`` (files or folders) into ``index_dir``; see the module doc.

    Articles read from files under ``paths`` replace what the index held for
    those files; articles of other files are kept while their file exists, so
    adding one uploaded file never drops the rest. With no ``paths`` the
    folders of the previous build are scanned again.
    """
    config = config or Config()
    index_dir = Path(index_dir)
    started = time.time()
    with index_folder.build_lock(index_dir):
        old, reason = _open_old(index_dir, config, rebuild)
        if paths:
            root_dates = {str(Path(p).resolve()): date for p in paths}
        else:
            previous = {r: d for r, d in _previous_roots(old).items() if Path(r).exists()}
            root_dates = previous or {str(Path("data").resolve()): date}
        roots = [Path(r) for r in root_dates]
        missing = [str(r) for r in roots if not r.exists()]
        if missing:
            raise NewsragError(f"no such file or folder: {', '.join(missing)}")
        articles, problems = [], []
        for day in dict.fromkeys(root_dates.values()):  # one read per default date
            group = [Path(r) for r, d in root_dates.items() if d == day]
            found, issues = read_paths(group, default_date=day, progress=show_progress)
            articles += found
            problems += issues
        report = BuildReport(skipped=problems, rebuilt_because=reason)
        fresh = {a.doc_id: a for a in articles}
        keep = _kept_old_articles(old, roots, fresh)
        old_hashes = metadata.article_hashes(old.con) if old.con else {}
        todo = [a for d, a in fresh.items() if old_hashes.get(d) != a.hash]
        unchanged = [d for d, a in fresh.items() if old_hashes.get(d) == a.hash]
        report.added = sum(1 for a in todo if a.doc_id not in old_hashes)
        report.updated = len(todo) - report.added
        report.unchanged = len(unchanged)
        report.removed = len(set(old_hashes) - set(fresh) - set(keep))
        staging = index_folder.new_staging(index_dir)
        try:
            manifest = _write_version(staging, config, old, todo, unchanged + keep, index_dir,
                                      report, show_progress, on_progress)
            manifest["roots"] = {r: d for r, d in {**_previous_roots(old), **root_dates}.items()
                                 if Path(r).exists()}
            index_folder.publish(index_dir, staging, manifest)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        finally:
            if old.con:
                old.con.close()
        shutil.rmtree(index_folder.embcache_dir(index_dir), ignore_errors=True)
    report.seconds = time.time() - started
    return report


def _open_old(index_dir: Path, config: Config, rebuild: bool) -> tuple[_Old, str | None]:
    """The live version to update, or why a full rebuild is needed instead."""
    if index_folder.current_version(index_dir) is None:
        return _Old(), None
    try:
        folder, manifest = index_folder.read_manifest(index_dir)
    except NewsragError as exc:
        return _Old(), f"the previous index could not be read ({exc})"
    if rebuild:
        return _Old(manifest=manifest), "--rebuild was given"
    if manifest.get("model") != config.model:
        return _Old(manifest=manifest), (
            f"embedding model changed from {manifest.get('model')} to {config.model}"
        )
    if manifest.get("chunking") != config.chunking_params():
        return _Old(manifest=manifest), (
            f"chunking settings changed from {manifest.get('chunking')} "
            f"to {config.chunking_params()}"
        )
    try:
        con = metadata.connect(folder / "meta.sqlite")
        vectors = np.load(folder / "vectors.npy", mmap_mode="r")
    except (sqlite3.Error, OSError, ValueError) as exc:
        return _Old(manifest=manifest), f"the previous index is damaged ({exc})"
    return _Old(folder, manifest, con, vectors), None


def _previous_roots(old: _Old) -> dict[str, str | None]:
    """Folders/files scanned by earlier builds, with the --date each was given."""
    return dict((old.manifest or {}).get("roots", {}))


def _kept_old_articles(old: _Old, roots: list[Path], fresh: dict[str, Article]) -> list[str]:
    """Old articles outside the scanned paths whose file still exists."""
    if not old.con:
        return []
    keep = []
    for doc_id, path in old.con.execute("SELECT doc_id, path FROM articles"):
        if doc_id in fresh:
            continue
        p = Path(path)
        under_scan = any(p == r or r in p.parents for r in roots)
        if not under_scan and p.exists():
            keep.append(doc_id)
    return keep


def _write_version(
    staging: Path, config: Config, old: _Old, todo: list[Article], reuse: list[str],
    index_dir: Path, report: BuildReport, show_progress: bool, on_progress: Progress | None,
) -> dict:
    con = metadata.connect(staging / "meta.sqlite", create=True)
    rows: list[tuple] = []  # chunk rows in final order
    vec_parts: list[np.ndarray] = []
    # 1. unchanged articles: copy rows, tokens and vectors from the live version
    if old.con and reuse:
        metadata.copy_articles(old.con, con, reuse)
        old_chunks = metadata.chunks_of(old.con, reuse)
        rows.extend((i,) + tuple(r[1:]) for i, r in enumerate(old_chunks))
        vec_parts.append(np.asarray(old.vectors[[r[0] for r in old_chunks]], dtype=np.float32))
    # 2. new and changed articles: chunk, tokenise, embed what is not cached
    new_rows, embed_texts = [], []
    for a in todo:
        metadata.insert_articles(con, [metadata.article_row(a, a.doc_id)])
        header = context_header(a.title, a.date) if config.title_context else ""
        for c in chunk_article(a, a.doc_id, size=config.chunk_size, overlap=config.chunk_overlap):
            text = f"{header}\n{c.text}" if header else c.text
            emb_hash = content_hash(config.model, text)
            new_rows.append([None, c.chunk_id, c.doc_id, c.ordinal, c.start, c.end, c.text,
                             " ".join(tokenize(f"{header} {c.text}")), emb_hash])
            embed_texts.append(text)
    vectors_new = _embed(config, old, index_dir, new_rows, embed_texts, report, show_progress,
                         on_progress)
    for r in new_rows:
        r[0] = len(rows)
        rows.append(tuple(r))
    vec_parts.append(vectors_new)
    metadata.insert_chunks(con, rows)
    con.commit()
    n_articles, n_chunks = metadata.counts(con)
    con.close()
    dim = vectors_new.shape[1]
    vectors = np.concatenate([v.reshape(-1, dim) for v in vec_parts]) if rows else np.zeros((0, dim), np.float32)
    np.save(staging / "vectors.npy", vectors)
    factory, nprobe = dense_index.choose_factory(len(vectors), config.approx_threshold)
    dense_index.save(dense_index.build(vectors, factory, nprobe), staging / "dense.faiss")
    tokens = [r[7].split(" ") if r[7] else [] for r in rows]
    keyword_index.save(keyword_index.build(tokens), staging / "bm25")
    report.chunks = n_chunks
    return {
        "format_version": index_folder.FORMAT_VERSION,
        "model": config.model,
        "dim": int(dim),
        "chunking": config.chunking_params(),
        "faiss": {"factory": factory, "nprobe": nprobe},
        "counts": {"articles": n_articles, "chunks": n_chunks},
        "articles": {a: h for a, h in _hashes(staging)},
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _hashes(staging: Path) -> list[tuple[str, str]]:
    con = metadata.connect(staging / "meta.sqlite")
    try:
        return sorted(metadata.article_hashes(con).items())
    finally:
        con.close()


def _embed(
    config: Config, old: _Old, index_dir: Path, rows: list[list], texts: list[str],
    report: BuildReport, show_progress: bool, on_progress: Progress | None,
) -> np.ndarray:
    """Vectors for ``texts``: reused where possible, encoded (and checkpointed) otherwise."""
    cache = EmbeddingCache(index_folder.embcache_dir(index_dir), config.model)
    hashes = [r[8] for r in rows]
    if old.con:
        cache.add_from_version(old.con, old.vectors, hashes)
    found = cache.lookup(hashes)
    need = [i for i, h in enumerate(hashes) if h not in found]
    if need:
        embedder = Embedder(config)
        bar = tqdm(total=len(need), unit="chunk", desc="embedding", disable=not show_progress)
        done = 0

        def progress(n: int) -> None:
            nonlocal done
            done += n
            bar.update(n)
            if on_progress:
                on_progress(done, len(need))

        vecs = embedder.encode_passages(
            [texts[i] for i in need],
            on_batch=lambda pos, v: cache.save_batch([hashes[need[p]] for p in pos], v),
            progress=progress,
        )
        bar.close()
        for i, v in zip(need, vecs):
            found[hashes[i]] = v
        report.embedded = len(need)
    if not hashes:
        dim = old.manifest.get("dim") if old.con else None
        return np.zeros((0, dim or Embedder(config).dim), dtype=np.float32)
    return np.stack([found[h] for h in hashes]).astype(np.float32)
