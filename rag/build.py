"""Build or update an index folder incrementally and crash-safely.

An article is re-chunked and re-embedded only when its content hash changed;
a chunk's vector is reused whenever the exact text embedded with the same
model was embedded before (in the live version or in a killed build's
checkpoint), so a second build of unchanged data embeds nothing and a killed
build resumes without redoing finished batches.
"""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from tqdm.auto import tqdm

from rag.store import folder_versions, heap, vector_file
from rag.text.chunking import chunk_article, context_header
from rag.config import Config
from rag.embedding import embed_process
from rag.embedding.embed_cache import EmbeddingCache
from rag.embedding.embedder import Embedder
from rag.errors import NewsragError
from rag.ingest.file_walk import safe_resolve
from rag.ingest.readers import read_paths
from rag.store.manifest import FORMAT_VERSION, Manifest
from rag.store.protocol import ChunkRow, Previous, StoreWriter, open_writer
from rag.text.tokenizer import tokenize
from rag.types import Article, BuildReport, Problem, content_hash

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class _Run:
    """What every step of one build shares: where it writes, with which settings, who watches."""

    writer: StoreWriter
    index_dir: Path
    config: Config
    show_progress: bool
    on_progress: Progress | None


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
    with folder_versions.build_lock(index_dir):
        writer = open_writer(index_dir, config)
        try:
            run = _Run(writer, index_dir, config, show_progress, on_progress)
            report = _build(run, paths, rebuild=rebuild, date=date)
        finally:
            writer.close()
        shutil.rmtree(folder_versions.embcache_dir(index_dir), ignore_errors=True)
    report.seconds = time.time() - started
    return report


def _build(run: _Run, paths, *, rebuild: bool, date: str | None) -> BuildReport:
    writer, config, show_progress = run.writer, run.config, run.show_progress
    prev = writer.open(config, rebuild)
    rebuilding = prev.rebuild_reason is not None
    root_dates = _roots(paths, date, prev, rescan_previous=rebuilding)
    articles, problems, found = [], [], []
    for day in dict.fromkeys(root_dates.values()):  # one read per default date
        group = [Path(r) for r, d in root_dates.items() if d == day]
        found, issues = read_paths(group, default_date=day, progress=show_progress)
        articles += found
        problems += issues
    report = BuildReport(skipped=problems, rebuilt_because=prev.rebuild_reason,
                         per_file=dict(Counter(a.path for a in articles)))
    fresh = {a.doc_id: a for a in articles}
    if rebuilding:  # every article re-chunked; nothing carried over as is
        keep, todo, unchanged = [], list(fresh.values()), []
    else:
        keep = _kept_old_articles(prev, [Path(r) for r in root_dates], fresh)
        todo = [a for d, a in fresh.items() if prev.hashes.get(d) != a.hash]
        unchanged = [d for d, a in fresh.items() if prev.hashes.get(d) == a.hash]
    report.added = sum(1 for a in todo if a.doc_id not in prev.hashes)
    report.updated = len(todo) - report.added
    report.unchanged = len(unchanged)
    report.removed = len(set(prev.hashes) - set(fresh) - set(keep))
    roots = {r: d for r, d in {**_previous_roots(prev), **root_dates}.items() if Path(r).exists()}
    if _nothing_changed(prev, config, todo, report, roots):
        report.chunks = int(prev.manifest.counts["chunks"])
        return report  # the live version already is this index: publishing it again costs seconds
    chunks, texts = _chunk(todo, config, show_progress, problems)  # drops unchunkable articles
    report.added = sum(1 for a in todo if a.doc_id not in prev.hashes)
    report.updated = len(todo) - report.added
    report.removed = len(set(prev.hashes) - {a.doc_id for a in todo} - set(unchanged) - set(keep))
    vectors, dim = _embed(run, prev, texts, report)
    # the writer takes the articles and chunks over (StoreWriter.commit) and may free them
    # once stored; nothing here may keep them alive through the commit
    del texts, articles, fresh, found
    manifest = Manifest.for_build(config, dim, roots)
    report.chunks = writer.commit(keep=unchanged + keep, articles=todo, chunks=chunks,
                                  vectors=vectors, manifest=manifest)
    return report


def _nothing_changed(prev: Previous, config: Config, todo: list[Article], report: BuildReport,
                     roots: dict[str, str | None]) -> bool:
    """True when committing would write the live version again, identical but for its date.

    Only for the FAISS folder: there a commit rewrites every file.  (A Milvus
    commit also repairs rows left by an interrupted one, so it always runs.)
    """
    m = prev.manifest
    return (config.store.kind == "faiss" and m is not None and prev.rebuild_reason is None
            and bool(prev.hashes) and not todo and report.removed == 0 and m.counts is not None
            and m.format_version == FORMAT_VERSION and m.matches(config) is None
            and m.backend == config.embedding.backend
            and m.approx_threshold == config.retrieval.approx_threshold and m.roots == roots)


def _roots(paths, date: str | None, prev: Previous, *, rescan_previous: bool) -> dict[str, str | None]:
    """The files/folders to scan, each with its default date.

    A full rebuild rescans the previous builds' folders too, so rebuilding
    while adding one file does not drop the rest.
    """
    previous = {r: d for r, d in _previous_roots(prev).items() if Path(r).exists()}
    if paths:
        given = {str(safe_resolve(p)): date for p in paths}
        root_dates = {**previous, **given} if rescan_previous else given
    else:
        root_dates = previous or {str(Path("data").resolve()): date}
    # a broken or looping link, a FIFO… exists: the readers report it and the build goes on
    missing = [r for r in root_dates if not os.path.lexists(r)]
    if missing:
        raise NewsragError(f"no such file or folder: {', '.join(missing)}")
    return root_dates


def _previous_roots(prev: Previous) -> dict[str, str | None]:
    """Folders/files scanned by earlier builds, with the --date each was given."""
    roots = prev.manifest.roots if prev.manifest else {}
    return dict(roots) if isinstance(roots, dict) else {}


def _kept_old_articles(prev: Previous, roots: list[Path], fresh: dict[str, Article]) -> list[str]:
    """Old articles outside the scanned paths whose file still exists."""
    keep = []
    for doc_id, path in prev.paths.items():
        if doc_id in fresh:
            continue
        p = Path(path)
        under_scan = any(p == r or r in p.parents for r in roots)
        if not under_scan and p.exists():
            keep.append(doc_id)
    return keep


def _chunk(articles: list[Article], config: Config, show_progress: bool = False,
           problems: list[Problem] | None = None) -> tuple[list[ChunkRow], list[str]]:
    """Chunks of new/changed articles, with tokens and the exact text to embed.

    An article longer than ``max_chunks_per_article`` chunks keeps its first
    ones and is reported; one that cannot be chunked at all is reported and
    left out (removed from ``articles``, so it is not stored without chunks).
    """
    rows: list[ChunkRow] = []
    headers: dict[str, str] = {}
    cap = config.chunking.max_chunks_per_article
    problems = problems if problems is not None else []
    failed: set[int] = set()
    seen_tokens: dict[str, str] = {}  # emb_hash -> tokens: repeated passages tokenised once
    # chunking + jieba run at ~500 articles/s: a bar matters from a few thousand up
    bar_off = not show_progress or len(articles) < 1000
    for i, a in enumerate(tqdm(articles, unit="article", desc="chunking", disable=bar_off)):
        try:
            header = context_header(a.title, a.date) if config.chunking.title_context else ""
            made = chunk_article(a, a.doc_id, size=config.chunking.chunk_size,
                                 overlap=config.chunking.chunk_overlap, max_chunks=cap)
            new = [(c, f"{header}\n{c.text}" if header else c.text) for c in made]
            new_rows = []
            for c, text in new:
                h = content_hash(config.embedding_id(), text)  # same hash: same header and text
                if (tokens := seen_tokens.get(h)) is None:
                    tokens = seen_tokens[h] = " ".join(tokenize(f"{header} {c.text}"))
                new_rows.append(ChunkRow(c.chunk_id, c.doc_id, c.ordinal, c.start, c.end,
                                         c.text, tokens, h))
        except Exception as e:  # noqa: BLE001 - one odd article must not stop the build
            problems.append(Problem(a.path or a.key, f"article {_where(a)} could not be split "
                                                     f"into passages ({type(e).__name__}: {e}); skipped"))
            failed.add(i)
            continue
        if len(made) >= cap and made[-1].end < len(a.text.rstrip()):
            problems.append(Problem(a.path or a.key, (
                f"article {_where(a)} is too long: only its first {cap} passages "
                f"(characters 1-{made[-1].end:,} of {len(a.text):,}) are indexed")))
        rows += new_rows
        if header:
            headers[a.doc_id] = header
    if failed:
        articles[:] = [a for i, a in enumerate(articles) if i not in failed]
    return rows, _EmbeddedTexts(rows, headers)


class _EmbeddedTexts(Sequence[str]):
    """The exact text embedded for each chunk (its article's context header, then its
    text), made when asked: a list of them held a third copy of every passage
    (150 MB at 69,549 documents) through embedding."""

    def __init__(self, rows: list[ChunkRow], headers: dict[str, str]):
        self.rows, self.headers = rows, headers

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i):  # type: ignore[override] - rows by position only
        row = self.rows[i]
        header = self.headers.get(row.doc_id)
        return f"{header}\n{row.text}" if header else row.text

    def subset(self, positions: list[int]) -> _EmbeddedTexts:
        return _EmbeddedTexts([self.rows[i] for i in positions], self.headers)


def _where(a: Article) -> str:
    """How a report names one article of a file: its record id, position or title."""
    frag = a.key.rsplit("#", 1)[-1]
    frag = frag if len(frag) <= 40 else frag[:37] + "…"
    title = f" “{a.title[:30]}”" if a.title else ""
    return f"{frag}{title}"


def _embed(run: _Run, prev: Previous, texts: _EmbeddedTexts,
           report: BuildReport) -> tuple[np.ndarray, int]:
    """Vectors for ``texts`` (one float32 row each, in a memory-mapped file of the build's
    cache folder: `rag.store.vector_file`) and their dimension: reused where possible,
    else encoded in checkpointed batches written straight into place."""
    writer, config, index_dir, on_progress = run.writer, run.config, run.index_dir, run.on_progress
    cache_root = folder_versions.embcache_dir(index_dir)
    cache = EmbeddingCache(cache_root, config.embedding_id())
    hashes = [r.emb_hash for r in texts.rows]
    live = writer.cached_vectors(hashes)  # views of the live version's mapped vectors
    found = {**cache.lookup(hashes), **live}
    mapped = next(iter(live.values()), None)
    # identical texts (repeated records, boilerplate passages) are embedded once
    first: dict[str, int] = {}
    need = [first.setdefault(h, i) for i, h in enumerate(hashes) if h not in found and h not in first]
    embedder = Embedder(config)
    dim = len(next(iter(found.values()))) if found and not need else embedder.dim
    for stale in cache_root.glob("vectors-*.npy"):  # a killed build's (the lock says it is gone)
        stale.unlink(missing_ok=True)
    out = vector_file.create(cache_root / f"vectors-{os.getpid()}.npy", len(hashes), int(dim))
    if need:
        bar = tqdm(total=len(need), unit="chunk", desc="embedding", disable=not run.show_progress)
        done = 0
        # a large build embeds in a child process, whose memory leaves with it
        for positions, vectors in embed_process.passage_batches(config, texts.subset(need),
                                                                 embedder=embedder):
            rows_at = [need[p] for p in positions]
            out[rows_at] = vectors
            vector_file.release(out)
            cache.save_batch([hashes[r] for r in rows_at], vectors)
            done += len(positions)
            bar.update(len(positions))
            if on_progress:
                on_progress(done, len(need))
        bar.close()
        report.embedded = len(need)
    for i, h in enumerate(hashes):
        if h in found:
            out[i] = found[h]
        elif first[h] != i:
            out[i] = out[first[h]]
        if i % vector_file.BLOCK_ROWS == vector_file.BLOCK_ROWS - 1:  # written: off the RSS
            vector_file.release(out)
            if mapped is not None:
                vector_file.release(mapped)
    out.flush()
    vector_file.release(out)
    heap.trim()  # the model's scratch buffers and the chunking's temporaries
    return out, int(dim)
