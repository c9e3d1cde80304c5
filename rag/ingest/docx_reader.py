"""Word manuscripts (.docx) into one article: title, body paragraphs and tables, in order.

Press offices and newsrooms write in Word. The title is the first paragraph styled as a
title or heading (Word's own "Title"/"Heading 1…" styles, in any UI language: "标题"), else
the first short paragraph that does not end like a sentence; tables are read where they
stand, a row per line with its cells separated by " | " (merged cells said once). The
document's own properties are kept as metadata (author, subject) but never give the date:
Word's "created" is when the file was made, not when the news happened — the date comes
from a dateline in the text, the file name or ``--date``, as for every format.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Iterator

from rag.ingest.encoding import Skip

_HEADING_STYLE = re.compile(r"^(title|heading|标题)", re.I)
_SENTENCE_END = re.compile(r"[。！？!?；;：:，,]$")
MAX_TITLE = 60


def read_docx(data: bytes) -> tuple[str, str, dict[str, str]]:
    """(title, body, metadata) of a .docx file's bytes; Skip when it is not one."""
    from docx import Document  # python-docx: only files of this kind pay its import

    try:
        doc = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise Skip(f"not a Word .docx file ({type(exc).__name__}); an old .doc must be saved "
                   "as .docx") from None
    blocks = list(_blocks(doc))
    title, body = _title(blocks), [text for _, text in blocks]
    if title is not None:
        body.remove(title)
    if not body:
        raise Skip("no article text found in the Word file")
    props = doc.core_properties
    meta = {k: v.strip() for k, v in (("author", props.author), ("subject", props.subject),
                                       ("keywords", props.keywords)) if v and v.strip()}
    return title or "", "\n".join(body), meta


def _blocks(doc) -> Iterator[tuple[str, str]]:
    """(style name, text) of every non-empty paragraph and table row, in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(child, doc)
            text = " ".join(para.text.split())
            if text:
                yield (para.style.name if para.style is not None else ""), text
        elif tag == "tbl":
            for row in Table(child, doc).rows:
                cells = list(dict.fromkeys(" ".join(c.text.split()) for c in row.cells))
                line = " | ".join(c for c in cells if c)
                if line:
                    yield "table", line


def _title(blocks: list[tuple[str, str]]) -> str | None:
    for style, text in blocks:
        if _HEADING_STYLE.match(style) and len(text) <= MAX_TITLE:
            return text
    style, text = blocks[0] if blocks else ("table", "")
    if style != "table" and len(text) <= MAX_TITLE and not _SENTENCE_END.search(text):
        return text  # a short first line that is not a sentence
    return None
