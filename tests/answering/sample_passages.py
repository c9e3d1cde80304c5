"""Hits built by hand from the sample page's articles, for answering tests without an index.

The articles come from the real reader (no model involved); a passage is the paragraph
that holds a phrase, with its true offsets, so quotes can be checked against the article.
"""

from __future__ import annotations

from functools import lru_cache

from conftest import SAMPLE

from rag.ingest.readers import read_paths
from rag.types import Article, Hit


@lru_cache(maxsize=1)
def articles() -> tuple[Article, ...]:
    found, problems = read_paths([SAMPLE])
    assert not problems
    return tuple(found)


def article(doc_id: str) -> Article:
    return next(a for a in articles() if a.doc_id == doc_id)


def passage(phrase: str) -> Hit:
    """The paragraph holding ``phrase``, as a hit of its article."""
    for a in articles():
        at = a.text.find(phrase)
        if at >= 0:
            start = a.text.rfind("\n", 0, at) + 1
            end = a.text.find("\n", at)
            end = len(a.text) if end < 0 else end
            return Hit(doc_id=a.doc_id, chunk_id=f"{a.doc_id}-{start:04d}", title=a.title,
                       date=a.date, source=a.source, text=a.text[start:end], score=1.0,
                       start=start, end=end, metadata=dict(a.metadata))
    raise LookupError(phrase)
