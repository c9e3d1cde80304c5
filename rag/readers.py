"""Read news files (.txt .md .json .jsonl .html) into :class:`Article` records.

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
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from .newspaper import (
    date_from_filename,
    date_from_header,
    parse_byline,
    parse_date,
    split_page,
)
from .encoding import Skip, decode
from .types import Article, Problem

SUFFIXES = (".txt", ".md", ".json", ".jsonl", ".html", ".htm")
TEXT_FIELDS = ("text", "content", "body")
TITLE_FIELDS = ("title", "headline")
DATE_FIELDS = ("date", "time", "published", "published_at", "publish_time", "pubdate", "pub_date")


# ---------------------------------------------------------------- file walks
def _files(paths: Sequence[str | Path], problems: list[Problem]) -> Iterator[Path]:
    """Files under ``paths``: folders recursively, sorted, hidden entries skipped."""
    seen: set[Path] = set()
    for given in paths:
        root = Path(given).expanduser()
        if root.is_dir():
            found = sorted(
                p
                for p in root.rglob("*")
                if p.is_file() and not any(x.startswith(".") for x in p.relative_to(root).parts)
            )
        elif root.is_file():
            found = [root]
        else:
            problems.append(Problem(str(given), "no such file or folder"))
            continue
        for p in found:
            p = p.resolve()
            if p not in seen:
                seen.add(p)
                yield p


def read_paths(
    paths: Sequence[str | Path], *, default_date: str | None = None, progress: bool = False
) -> tuple[list[Article], list[Problem]]:
    """Read every supported file under ``paths``; return (articles, problems)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    default_date = parse_date(default_date) if default_date else None
    articles: list[Article] = []
    problems: list[Problem] = []
    files = list(_files(paths, problems))
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
    return articles, problems


def read_file(
    path: str | Path, *, default_date: str | None = None
) -> tuple[list[Article], list[Problem]]:
    """Read one file; all failures are returned as Problems, never raised."""
    path = Path(path).resolve()
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        kind = suffix or "(no extension)"
        expected = "(expected .txt, .md, .json, .jsonl, .html)"
        return [], [Problem(str(path), f"unsupported file type {kind} {expected}")]
    problems: list[Problem] = []
    try:
        text = decode(path.read_bytes())
        if not text.strip():
            raise Skip("empty file")
        readers = {".txt": _read_txt, ".md": _read_md, ".json": _read_json, ".jsonl": _read_jsonl}
        articles = readers.get(suffix, _read_html)(path, text, problems)
    except Skip as e:
        return [], [Problem(str(path), str(e))]
    except OSError as e:
        return [], [Problem(str(path), f"cannot read: {e.strerror or e}")]
    except Exception as e:  # a reader bug on odd input must not stop the build
        return [], [Problem(str(path), f"could not be read ({type(e).__name__}: {e})")]
    fallback = date_from_filename(path.name) or default_date
    for a in articles:
        a.date = a.date or fallback
        for role, names in parse_byline(a.text).items():
            if names:
                a.metadata.setdefault(role, names)
    if not articles and not problems:
        problems.append(Problem(str(path), "no article text found"))
    return articles, problems


def _article(path: Path, n: int, text: str, title: str, date: str | None, **kw: Any) -> Article:
    """Article keyed ``path#n``; source defaults to the URL, else the path."""
    kw.setdefault("source", kw.get("url") or str(path))
    return Article(key=f"{path}#{n}", text=text, title=title, date=date, path=str(path), **kw)


def _clean(text: str) -> str:
    """Strip each line, drop blank ones: paragraphs separated by a single \\n."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(ln.strip() for ln in text.split("\n") if ln.strip())


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


def _as_text(value: Any) -> str | None:
    """A text field: a string, or a list of paragraph strings."""
    if isinstance(value, list) and value and all(isinstance(x, str) for x in value):
        value = "\n".join(value)
    return _clean(value) if isinstance(value, str) else None


def _as_str(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _as_id(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value).strip() or None


def _take(rec: dict[str, Any], names: Sequence[str], parse: Any = _as_str) -> Any:
    """Pop the first field of ``names`` that ``parse`` accepts; others stay in metadata."""
    for name in names:
        if name in rec and (value := parse(rec[name])):
            del rec[name]
            return value
    return None


def _record(path: Path, n: int, rec: Any, line: int | None, problems: list[Problem]) -> Article | None:
    """One JSON record -> Article; unknown fields go to ``metadata``."""
    if not isinstance(rec, dict):
        kind = type(rec).__name__
        problems.append(Problem(str(path), f"record is not a JSON object (got {kind})", line))
        return None
    rec = dict(rec)
    text = _take(rec, TEXT_FIELDS, _as_text)
    if not text:
        reason = "record has no text (expected a 'text', 'content' or 'body' field)"
        problems.append(Problem(str(path), reason, line))
        return None
    title, url, source = _take(rec, TITLE_FIELDS), _take(rec, ("url", "link")), _take(rec, ("source",))
    date = _take(rec, DATE_FIELDS, parse_date) or date_from_header(text)
    rid = _take(rec, ("id",), _as_id)
    art = _article(path, n, text, title or "", date, url=url or "", source=source or url or str(path), metadata=rec)
    if rid:
        art.key = f"{path}#id={rid}"
        art.metadata["id"] = rid  # evaluation and users match hits back to their records
    return art


def _dedupe(path: Path, arts: list[tuple[Article, int | None, int]], problems: list[Problem]) -> list[Article]:
    """Two records with the same id would collide: key the later one by position."""
    seen: dict[str, int | None] = {}
    for art, line, n in arts:
        if art.key in seen:
            reason = f"duplicate id (first at line {seen[art.key]}); keyed by position"
            problems.append(Problem(str(path), reason, line))
            art.key = f"{path}#{n}"
        seen[art.key] = line
    return [a for a, _, _ in arts]


def _read_jsonl(path: Path, text: str, problems: list[Problem]) -> list[Article]:
    """One record per line; a bad line is reported with its number and skipped."""
    arts = []
    n = 0
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        n += 1  # position counts bad lines too, so fixing one does not shift keys
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(Problem(str(path), f"invalid JSON: {e.msg} (column {e.colno})", lineno))
            continue
        if art := _record(path, n, rec, lineno, problems):
            arts.append((art, lineno, n))
    return _dedupe(path, arts, problems)


def _read_json(path: Path, text: str, problems: list[Problem]) -> list[Article]:
    """An object (one article) or a list of objects, each record with its line."""
    decoder, ws = json.JSONDecoder(), re.compile(r"\s*")
    records: list[tuple[Any, int]] = []
    try:
        pos = ws.match(text).end()
        if not text.startswith("[", pos):
            records.append((decoder.decode(text), text.count("\n", 0, pos) + 1))
        else:
            pos, line, counted = ws.match(text, pos + 1).end(), 1, 0
            while not text.startswith("]", pos):
                line, counted = line + text.count("\n", counted, pos), pos
                rec, end = decoder.raw_decode(text, pos)
                records.append((rec, line))
                pos = ws.match(text, end).end()
                if text.startswith(",", pos):
                    pos = ws.match(text, pos + 1).end()
                elif not text.startswith("]", pos):
                    raise json.JSONDecodeError("expected ',' or ']'", text, pos)
    except json.JSONDecodeError as e:
        problems.append(Problem(str(path), f"invalid JSON: {e.msg}", e.lineno))
    arts = []
    for n, (rec, line) in enumerate(records, 1):
        if art := _record(path, n, rec, line, problems):
            arts.append((art, line, n))
    return _dedupe(path, arts, problems)


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

