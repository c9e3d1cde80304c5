"""Read news files (.txt .md .json .jsonl .html .docx .pdf) into :class:`Article` records.

The build calls :func:`read_paths`.  Bad input never stops a build: every file
or record that cannot be read becomes a :class:`Problem` (file, reason, line)
and the rest is read.  Keys are stable across builds (file path + record id or
position) so an unchanged corpus re-indexes to the same documents.

Dates come from, in order: the record's own field, the page/article header,
the file name, ``default_date``; never from body text, never with an
invented year.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from rag.ingest.article_header import date_from_filename, date_from_header, parse_byline, parse_date
from rag.ingest.docx_reader import read_docx
from rag.ingest.pdf_reader import read_pdf
from rag.ingest.encoding import Skip, decode_notes, fix_surrogates
from rag.ingest.file_walk import files_under, read_regular, safe_resolve
from rag.ingest.json_reader import _article, _clean, read_json, read_jsonl
from rag.ingest.json_values import TooDeep, clean_value
from rag.ingest.newspaper import split_page
from rag.types import Article, Problem

SUFFIXES = (".txt", ".md", ".json", ".jsonl", ".html", ".htm", ".docx", ".pdf")


def read_paths(
    paths: Sequence[str | Path], *, default_date: str | None = None, progress: bool = False
) -> tuple[list[Article], list[Problem]]:
    """Read every supported file under ``paths``; return (articles, problems)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    default_date = parse_date(default_date) if default_date else None
    articles: list[Article] = []
    problems: list[Problem] = []
    files = list(files_under(paths, problems))
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(files), desc="reading", unit="file", file=sys.stderr)
    for path in files:
        got, bad = read_file(path, default_date=default_date)
        articles.extend(got)
        problems.extend(bad)
        if bar:
            bar.update()
    if bar:
        bar.close()
    # the same entry can be met twice (given as a path and inside a given folder): say it once
    unique = list({(p.path, p.line, p.reason): p for p in problems}.values())
    return articles, unique


def read_file(
    path: str | Path, *, default_date: str | None = None
) -> tuple[list[Article], list[Problem]]:
    """Read one file; all failures are returned as Problems, never raised."""
    path = safe_resolve(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        kind = suffix or "(no extension)"
        expected = "(expected .txt, .md, .json, .jsonl, .html, .docx, .pdf)"
        return [], [Problem(str(path), f"unsupported file type {kind} {expected}")]
    problems: list[Problem] = []
    try:
        data = read_regular(path)
        if suffix == ".pdf":  # laid-out pages: their own reader
            found, notes = read_pdf(data)
            problems += [Problem(str(path), note) for note in notes]
            articles = [_article(path, n, "\n".join(a.paragraphs), a.title, a.date,
                                 metadata={"page": a.page, **({"subtitle": a.subtitle}
                                                              if a.subtitle else {})})
                        for n, a in enumerate(found, 1)]
        elif suffix == ".docx":  # a zip of XML, not text: its own reader
            title, body, meta = read_docx(data)
            body = _clean(body)
            articles = [_article(path, 1, body, title or path.stem, date_from_header(body),
                                 metadata=meta)]
        else:
            text, notes = decode_notes(data)
            problems += [Problem(str(path), note) for note in notes]
            if not text.strip():
                raise Skip("empty file")
            readers = {".txt": _read_txt, ".md": _read_md, ".json": read_json,
                       ".jsonl": read_jsonl}
            articles = readers.get(suffix, _read_html)(path, text, problems)
    except Skip as e:
        return [], problems + [Problem(str(path), str(e))]
    except OSError as e:
        return [], problems + [Problem(str(path), f"cannot read: {e.strerror or e}")]
    except Exception as e:  # a reader bug on odd input must not stop the build
        return [], problems + [Problem(str(path), f"could not be read ({type(e).__name__}: {e})")]
    fallback = date_from_filename(path.name) or default_date
    out = []
    for a in articles:
        a.date = a.date or fallback
        try:
            for role, names in parse_byline(a.text).items():
                if names:
                    a.metadata.setdefault(role, names)
            out.append(_safe_article(a, problems))
        except Exception as e:  # noqa: BLE001 - one odd article must not cost the file
            problems.append(Problem(str(path), f"article {a.key.rsplit('#', 1)[-1]} could not "
                                               f"be read ({type(e).__name__}: {e}); skipped"))
    if not out and not problems:
        problems.append(Problem(str(path), "no article text found"))
    return out, problems


def _safe_article(a: Article, problems: list[Problem]) -> Article:
    """Every string valid UTF-8, metadata plain bounded JSON: commit can never fail on it.

    JSON records are cleaned when read; this covers the other formats
    (HTML character references, front matter) and anything a reader adds.
    """
    fixed = 0
    for name in ("key", "text", "title", "source", "url"):
        value, n = fix_surrogates(getattr(a, name) or "")
        if n:
            setattr(a, name, value)
            fixed += n
    if a.date is not None and not isinstance(a.date, str):
        a.date = None
    try:
        a.metadata, notes = clean_value(a.metadata if isinstance(a.metadata, dict) else {})
    except TooDeep as e:
        a.metadata, notes = {}, [f"metadata dropped: {e}"]
    if fixed:
        notes.append("lone surrogate characters replaced with U+FFFD")
    where = a.key.rsplit("#", 1)[-1]
    problems.extend(Problem(a.path, f"article {where}: {n}") for n in notes)
    json.dumps(a.metadata, ensure_ascii=False)  # proves it serialises (raises here, not at commit)
    return a


# -------------------------------------------------------------------- formats
def _read_txt(path: Path, text: str, problems: list[Problem]) -> list[Article]:
    """A newspaper page (several articles) or a single article."""
    pieces = split_page(text)
    # the articles of a page share the page's date line, not one article's dateline
    page_date = date_from_header(text, datelines=len(pieces) == 1)
    out = []
    for p in pieces:
        meta: dict[str, Any] = parse_byline(p.text)
        if len(pieces) > 1:
            meta["page_position"] = p.position
        if p.subtitle:
            meta["subtitle"] = p.subtitle
        if p.kicker:
            meta["kicker"] = p.kicker
        date = date_from_header(p.text) or page_date
        out.append(_article(path, p.position, p.text, p.title or path.stem, date, metadata=meta))
    return out


def _read_md(path: Path, text: str, problems: list[Problem]) -> list[Article]:
    """One article: title from the first "# " heading; heading markers removed."""
    front: dict[str, str] = {}
    if m := re.match(r"\A---\s*\n(.*?)\n---\s*\n", text, re.S):  # YAML-style front matter
        front = dict(re.findall(r"^(\w+):\s*[\"']?(.*?)[\"']?\s*$", m.group(1), re.M))
        text = text[m.end() :]
    title = front.get("title", "")
    lines = []
    for line in text.split("\n"):
        if not title and re.match(r"^#\s+\S", line):
            title = line.lstrip("#").strip()
            continue
        lines.append(re.sub(r"^\s{0,3}#{1,6}\s+|\s+#+\s*$", "", line))
    body = _clean("\n".join(lines))
    if not body:
        raise Skip("no article text (only a heading)")
    date = parse_date(front.get("date")) or date_from_header(body)
    meta = {k: v for k, v in front.items() if k not in ("title", "date")}
    return [_article(path, 1, body, title or path.stem, date, metadata=meta)]


@lru_cache(maxsize=1)
def _trafilatura_config() -> Any:
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")  # a three-line news item is still news
    config.set("DEFAULT", "MIN_OUTPUT_SIZE", "1")
    return config


def _read_html(path: Path, text: str, problems: list[Problem]) -> list[Article]:
    """Main text, title and date via trafilatura.

    The date comes only from the page's metadata/markup: htmldate's
    "extensive search" (which scans the visible text) is switched off.
    """
    import trafilatura

    params = {"extensive_search": False, "original_date": True}
    out = trafilatura.extract(
        text, output_format="json", with_metadata=True, include_comments=False,
        include_tables=True, favor_precision=True, date_extraction_params=params,
        config=_trafilatura_config(),
    )  # fmt: skip
    doc = json.loads(out) if out else {}
    body = _clean(doc.get("text") or "")
    title = (doc.get("title") or "").strip()
    if not body:
        raise Skip("no article text found in HTML")
    lines = body.split("\n")
    if len(lines) > 1 and lines[0] == title:
        body = "\n".join(lines[1:])
    url = doc.get("url") or ""
    keep = ("author", "sitename", "hostname", "description", "categories", "tags")
    meta = {k: doc[k] for k in keep if doc.get(k)}
    date = parse_date(doc.get("date")) or date_from_header(body)
    return [_article(path, 1, body, title or path.stem, date, url=url, metadata=meta)]

