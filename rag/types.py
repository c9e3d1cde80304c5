"""Plain data records passed between pipeline stages.

They are dataclasses (not pydantic models) because they are created by the
hundred thousand during a build and must stay cheap; validation happens once,
at the reader boundary.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from rag.ingest.encoding import fix_surrogates


def content_hash(*parts: str | None) -> str:
    """Stable hex digest of text parts; the basis of idempotent ids."""
    h = hashlib.sha256()
    for part in parts:
        h.update((part or "").encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:24]


@dataclass
class Article:
    """One cleaned news article, as produced by the readers.

    ``key`` identifies the article across builds (same file + position, or the
    record's own id); ``hash`` says whether its content changed.
    """

    key: str
    text: str
    title: str = ""
    date: str | None = None  # ISO "YYYY-MM-DD", never invented
    source: str = ""  # outlet name, URL or file path shown to the user
    path: str = ""  # file the article was read from
    url: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def hash(self) -> str:
        return content_hash(self.title, self.text, self.date, self.source, self.url)

    @property
    def doc_id(self) -> str:
        return "d" + content_hash(self.key)[:16]


@dataclass
class Chunk:
    """A passage of an article with its character offsets in ``Article.text``."""

    doc_id: str
    text: str
    start: int
    end: int
    ordinal: int

    @property
    def chunk_id(self) -> str:
        return f"{self.doc_id}-{self.ordinal:04d}"


def _printable(s: str) -> str:
    return fix_surrogates(s)[0]


@dataclass
class Problem:
    """An input that was skipped or partly read, reported at the end of a build."""

    path: str
    reason: str
    line: int | None = None

    def __post_init__(self) -> None:
        # A name or message may carry undecodable bytes (surrogates): a report
        # must always print and serialise, so show them as U+FFFD.
        self.path = _printable(str(self.path))
        self.reason = _printable(str(self.reason))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


@dataclass
class Hit:
    """One retrieved passage: what `rag.search` returns and answers cite."""

    doc_id: str
    chunk_id: str
    title: str
    date: str | None
    source: str
    text: str
    score: float
    start: int
    end: int
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class BuildReport:
    """What a build did, with the inputs it had to skip and why."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    chunks: int = 0
    embedded: int = 0
    skipped: list[Problem] = field(default_factory=list)
    rebuilt_because: str | None = None
    seconds: float = 0.0
    # articles read from each file of this build (path -> count): what became of each file
    per_file: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        lines = [
            f"articles: {self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged; {self.chunks} chunks, {self.embedded} embedded "
            f"in {self.seconds:.1f}s"
        ]
        if self.rebuilt_because:
            lines.insert(0, f"full rebuild: {self.rebuilt_because}")
        if self.skipped:
            lines.append(f"skipped {len(self.skipped)} input(s):")
            lines.extend(f"  - {p}" for p in self.skipped)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["skipped"] = [str(p) for p in self.skipped]
        return d


@dataclass
class Citation:
    """A numbered source of an answer: the passage, the sentence(s) it supports, checked."""

    number: int
    hit: Hit
    quote: str  # the supporting sentence(s) of the passage
    supported: bool  # result of the citation check
    quote_start: int = 0  # offsets of `quote` in the article (for highlighting)
    quote_end: int = 0
    reason: str = ""  # why the check failed, shown to the user

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Answer:
    """What `rag.answer` returns: text with [n] markers, its citations, all hits."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    refused: bool = False
    question: str = ""
    query: str = ""  # the standalone query actually searched (after follow-up rewriting)
    flags: list[str] = field(default_factory=list)  # unsupported numbers/names found by the check
    engine: str = ""
    note: str = ""  # why the engine's own text was replaced (failed check, instruction), shown

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
