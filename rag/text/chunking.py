"""Split cleaned articles into passages on Chinese sentence boundaries.

Every sentence and chunk keeps its character offsets in the article text, so a
citation can highlight exactly the span it quotes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rag.types import Article, Chunk

# A sentence ends at 。！？；… (or their ASCII forms, or a line break), followed
# by any closing quotes/brackets that belong to it.
SENTENCE_FINAL = "。！？；!?;"  # and "…" / "...", runs of their own
CLOSING = "”’」』）)]】》"
_SENTENCE_END = re.compile(rf"(?:[{SENTENCE_FINAL}]+|…+|\.{{3,}})[{re.escape(CLOSING)}]*|\n+")
_SOFT_BREAK = re.compile(r"[，、,：:]")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def split_sentences(text: str) -> list[Span]:
    """Sentence spans of ``text`` (whitespace-only spans dropped, offsets kept)."""
    return list(_sentences(text))


def _sentences(text: str) -> Iterator[Span]:
    """Lazily, so chunking a huge text can stop early."""
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        if span := _span(text, pos, m.end()):
            yield span
        pos = m.end()
    if span := _span(text, pos, len(text)):
        yield span


def _span(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


def _limit_length(text: str, spans: Iterable[Span], limit: int) -> Iterator[Span]:
    """Cut sentences longer than ``limit`` at commas, or hard, so no chunk explodes."""
    for s in spans:
        start = s.start
        while s.end - start > limit:
            window = text[start : start + limit]
            cuts = [m.end() for m in _SOFT_BREAK.finditer(window) if m.end() > limit // 2]
            cut = start + (cuts[-1] if cuts else limit)
            yield Span(start, cut)
            start = cut
        yield Span(start, s.end)


def chunk_article(article: Article, doc_id: str, *, size: int, overlap: int,
                  max_chunks: int | None = None) -> list[Chunk]:
    """Group sentences into chunks of about ``size`` characters.

    A chunk closes once adding the next sentence would pass ``size``; the last
    ``overlap`` sentences are repeated at the start of the next chunk so a fact
    that straddles a boundary is still retrievable in one piece.  With
    ``max_chunks``, only the first ``max_chunks`` chunks are made (the caller
    compares the last chunk's ``end`` with the text length to report it).
    """
    text = article.text
    sentences = _limit_length(text, _sentences(text), size)
    chunks: list[Chunk] = []
    group: list[Span] = []
    fresh = 0  # sentences in `group` not yet emitted in an earlier chunk
    for sent in sentences:
        if group and fresh and sent.end - group[0].start > size:
            chunks.append(_make_chunk(text, doc_id, group, len(chunks)))
            if max_chunks is not None and len(chunks) >= max_chunks:
                return chunks
            group = group[-overlap:] if overlap and len(group) > overlap else []
            fresh = 0
        group.append(sent)
        fresh += 1
    if group and fresh and (max_chunks is None or len(chunks) < max_chunks):
        chunks.append(_make_chunk(text, doc_id, group, len(chunks)))
    return chunks


def _make_chunk(text: str, doc_id: str, group: list[Span], ordinal: int) -> Chunk:
    start, end = group[0].start, group[-1].end
    return Chunk(doc_id=doc_id, text=text[start:end], start=start, end=end, ordinal=ordinal)


def context_header(title: str, date: str | None) -> str:
    """The title/date line prepended to a chunk for embedding and keyword search."""
    parts = [p for p in (title, date) if p]
    return " ".join(parts)
