"""JSON and JSON Lines exports -> Articles, one record at a time.

Exports are produced by scrapers and scripts, so anything can be in them:
lone surrogate escapes, fields nested a thousand levels deep, 5,000-digit
ids, a line of 100,000 "[", garbage after the closing "]".  Each record is
parsed, cleaned and converted on its own: a bad one becomes a Problem with
its line and never costs its neighbours.  Cleaning happens here, at read
time, so that nothing which reaches the index can fail later (hashing,
SQLite, the manifest): strings are valid UTF-8 without control characters,
values are plain JSON types, nesting is bounded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rag.ingest.json_values import MAX_DEPTH, LongNumber, TooDeep, clean_value, parse_int
from rag.ingest.article_header import date_from_header, parse_date
from rag.types import Article, Problem

TEXT_FIELDS = ("text", "content", "body")
TITLE_FIELDS = ("title", "headline")
DATE_FIELDS = ("date", "time", "published", "published_at", "publish_time", "pubdate", "pub_date")
#: a JSON list whose records fail this often is given up (each retry rescans)
MAX_RESYNCS = 1000


_DECODER = json.JSONDecoder(parse_int=parse_int)


def _article(path: Path, n: int, text: str, title: str, date: str | None, **kw: Any) -> Article:
    """Article keyed ``path#n``; source defaults to the URL, else the path."""
    kw.setdefault("source", kw.get("url") or str(path))
    return Article(key=f"{path}#{n}", text=text, title=title, date=date, path=str(path), **kw)


def _clean(text: str) -> str:
    """Strip each line, drop blank ones: paragraphs separated by a single \\n."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(ln.strip() for ln in text.split("\n") if ln.strip())


# ------------------------------------------------------------------ records
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


def _as_date(value: Any) -> str | None:
    try:
        return parse_date(value)
    except (ValueError, OverflowError, TypeError):  # e.g. a 400-digit "timestamp"
        return None


def _take(rec: dict[str, Any], names: Sequence[str], parse: Any = _as_str) -> Any:
    """Pop the first field of ``names`` that ``parse`` accepts; others stay in metadata."""
    for name in names:
        if name in rec and (value := parse(rec[name])):
            del rec[name]
            return value
    return None


_KINDS = {str: "text", LongNumber: "a number", int: "a number", float: "a number",
          bool: "true/false", type(None): "null", list: "a list", dict: "an object"}


def _no_text_reason(rec: dict[str, Any]) -> str:
    for name in TEXT_FIELDS:
        if name in rec:
            got = rec[name]
            empty = isinstance(got, str) or got == []
            kind = "empty text" if empty else _KINDS.get(type(got), type(got).__name__)
            return f"record has no usable text (field {name!r} holds {kind})"
    return "record has no text (expected a 'text', 'content' or 'body' field)"


def _record(path: Path, n: int, rec: Any, line: int | None, problems: list[Problem]) -> Article | None:
    """One JSON record -> Article; unknown fields go to ``metadata``."""
    if not isinstance(rec, dict):
        kind = _KINDS.get(type(rec), type(rec).__name__)
        problems.append(Problem(str(path), f"record is not a JSON object (got {kind})", line))
        return None
    try:
        rec, notes = clean_value(rec)
    except TooDeep as e:
        problems.append(Problem(str(path), f"record skipped: {e}", line))
        return None
    problems.extend(Problem(str(path), f"{note}; record kept", line) for note in notes)
    text = _take(rec, TEXT_FIELDS, _as_text)
    if not text:
        problems.append(Problem(str(path), _no_text_reason(rec), line))
        return None
    title, url, source = _take(rec, TITLE_FIELDS), _take(rec, ("url", "link")), _take(rec, ("source",))
    date = _take(rec, DATE_FIELDS, _as_date) or date_from_header(text)
    rid = _take(rec, ("id",), _as_id)
    art = _article(path, n, text, title or "", date, url=url or "", source=source or url or str(path), metadata=rec)
    if rid:
        art.key = f"{path}#id={rid}"
        art.metadata["id"] = rid  # evaluation and users match hits back to their records
    return art


def _safe_record(path: Path, n: int, rec: Any, line: int | None, problems: list[Problem]) -> Article | None:
    """:func:`_record`, with any failure on odd input reported for this record only."""
    try:
        return _record(path, n, rec, line, problems)
    except Exception as e:  # noqa: BLE001 - one odd record must not cost the file
        problems.append(Problem(str(path), f"record could not be read ({type(e).__name__}: {e}); "
                                           "skipped", line))
        return None


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


def _json_error(e: Exception) -> str:
    """A reason a person understands for a value json could not parse."""
    if isinstance(e, RecursionError):
        return f"record skipped: nested too deeply (more than {MAX_DEPTH} levels of [ ] or {{ }})"
    if isinstance(e, json.JSONDecodeError):
        return f"invalid JSON: {e.msg} (column {e.colno})"
    return f"invalid JSON: {e}"


# -------------------------------------------------------------------- files
def read_jsonl(path: Path, text: str, problems: list[Problem]) -> list[Article]:
    """One record per line; every line stands alone, a bad one is reported with its number."""
    arts = []
    n = 0
    for lineno, line in enumerate(text.split("\n"), 1):
        line = line.lstrip("\ufeff")  # files concatenated with `cat` keep their BOMs
        if not line.strip():
            continue
        n += 1  # position counts bad lines too, so fixing one does not shift keys
        try:
            rec = _DECODER.decode(line)
        except (ValueError, RecursionError) as e:
            problems.append(Problem(str(path), _json_error(e), lineno))
            continue
        if art := _safe_record(path, n, rec, lineno, problems):
            arts.append((art, lineno, n))
    return _dedupe(path, arts, problems)


_WS = re.compile(r"\s*")
_NEXT_RECORD = re.compile(r"[}\]]\s*,\s*(?=\{)|\n\s*(?=\{)")


def read_json(path: Path, text: str, problems: list[Problem]) -> list[Article]:
    """An object (one article), a list of objects, or objects one per line."""
    pos = _WS.match(text).end()
    line_of = _LineCounter(text)
    if not text.startswith("[", pos):
        try:
            rec, end = _DECODER.raw_decode(text, pos)
        except (ValueError, RecursionError) as e:
            problems.append(Problem(str(path), _json_error(e), line_of(getattr(e, "pos", pos))))
            return []
        rest = _WS.match(text, end).end()
        if text.startswith("{", rest):  # JSON Lines saved as .json
            return read_jsonl(path, text, problems)
        _trailing(path, text, rest, line_of, problems)
        art = _safe_record(path, 1, rec, line_of(pos), problems)
        return [art] if art else []
    records = _list_records(path, text, pos, line_of, problems)
    arts = []
    for n, (rec, line) in enumerate(records, 1):
        if art := _safe_record(path, n, rec, line, problems):
            arts.append((art, line, n))
    return _dedupe(path, arts, problems)


def _list_records(path: Path, text: str, pos: int, line_of: _LineCounter,
                  problems: list[Problem]) -> list[tuple[Any, int]]:
    """The records of a JSON list; after a bad one, resume at the next ``{``."""
    records: list[tuple[Any, int]] = []
    pos = _WS.match(text, pos + 1).end()
    resyncs = 0
    while pos < len(text) and not text.startswith("]", pos):
        try:
            rec, end = _DECODER.raw_decode(text, pos)
            records.append((rec, line_of(pos)))
            pos = _WS.match(text, end).end()
            if pos >= len(text):
                break
            if text.startswith(",", pos):
                pos = _WS.match(text, pos + 1).end()
            elif not text.startswith("]", pos):
                raise json.JSONDecodeError("expected ',' or ']'", text, pos)
        except (ValueError, RecursionError) as e:
            at = getattr(e, "pos", pos)
            m = _NEXT_RECORD.search(text, pos + 1)
            resyncs += 1
            if m is None or resyncs > MAX_RESYNCS:
                problems.append(Problem(str(path), f"{_json_error(e)}; the rest of the file "
                                                   "could not be read", line_of(at)))
                return records
            pos = m.end()
            problems.append(Problem(str(path), f"{_json_error(e)}; reading resumed with the next record "
                                               f"at line {line_of(pos)}", line_of(at)))
    if pos >= len(text):
        problems.append(Problem(str(path), "the JSON list is not closed with ']' (file cut "
                                           "off?); the records before the end were read",
                                line_of(len(text))))
    else:
        _trailing(path, text, _WS.match(text, pos + 1).end(), line_of, problems)
    return records


def _trailing(path: Path, text: str, pos: int, line_of: _LineCounter, problems: list[Problem]) -> None:
    if pos < len(text):
        problems.append(Problem(str(path), f"unexpected text after the end of the JSON data "
                                           f"({text[pos:pos + 20]!r}…) ignored", line_of(pos)))


class _LineCounter:
    """Line numbers of increasing offsets without rescanning from the start."""

    def __init__(self, text: str):
        self.text, self.pos, self.line = text, 0, 1

    def __call__(self, pos: int) -> int:
        if pos < self.pos:
            self.pos, self.line = 0, 1
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line
