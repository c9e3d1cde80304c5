"""Parsed JSON values made safe to hash, store and print, whatever the export held.

Scrapers write lone surrogate escapes (half an emoji), thousand-level nesting,
5,000-digit numbers.  Python's json accepts most of that, but the build fails
on it later (UTF-8 encoding in hashes and SQLite, recursion in ``json.dumps``
at commit, ``int`` limits), after all the embedding work.  Cleaning each
record once, when it is read, keeps every later step safe.
"""

from __future__ import annotations

import sys
from typing import Any

from rag.ingest.encoding import fix_surrogates, strip_controls

#: levels of [ ] and { } a record may nest (news records use two or three)
MAX_DEPTH = 64
#: longest number Python converts to int by default (sys.get_int_max_str_digits)
MAX_INT_DIGITS = getattr(sys, "get_int_max_str_digits", lambda: 4300)() or 4300


class TooDeep(ValueError):
    """A value nested past MAX_DEPTH: its record is skipped and reported."""


class LongNumber(str):
    """A number too long for int(): kept as its digits and reported."""


def parse_int(digits: str) -> int | str:
    if len(digits) > MAX_INT_DIGITS:
        return LongNumber(digits)
    return int(digits)


def clean_value(value: Any, max_depth: int = MAX_DEPTH) -> tuple[Any, list[str]]:
    """A copy of a parsed JSON value that is safe to hash, store and print.

    Iterative (no recursion limit): lone surrogates become U+FFFD, control
    characters are removed, over-long numbers stay text, anything that is not
    a JSON type becomes its ``str``.  Raises TooDeep past ``max_depth``.
    Returns the copy and one note per kind of repair and top-level field.
    """
    holder: list[Any] = [None]
    notes: dict[str, None] = {}
    stack: list[tuple[Any, Any, Any, int, str]] = [(value, holder, 0, 0, "")]
    while stack:
        item, parent, slot, depth, field = stack.pop()
        if isinstance(item, LongNumber):
            notes[f"a {len(item)}-digit number{_in(field)} was kept as text"] = None
            parent[slot] = str(item)
        elif isinstance(item, str):
            parent[slot] = _clean_str(item, field, notes)
        elif item is None or isinstance(item, (bool, int, float)):
            parent[slot] = item
        elif isinstance(item, (dict, list, tuple)):
            if depth >= max_depth:
                raise TooDeep(f"nested too deeply{_in(field)} (more than {max_depth} levels of "
                              "[ ] or { })")
            if isinstance(item, dict):
                keys = [(k, _clean_str(str(k), field, notes)) for k in item]
                new: Any = dict.fromkeys(k2 for _, k2 in keys)
                for k, k2 in keys:
                    stack.append((item[k], new, k2, depth + 1, field or k2))
            else:
                new = [None] * len(item)
                stack.extend((v, new, i, depth + 1, field) for i, v in enumerate(item))
            parent[slot] = new
        else:
            parent[slot] = _clean_str(str(item), field, notes)
    return holder[0], list(notes)


def _in(field: str) -> str:
    return f" in field {field!r}" if field else ""


def _clean_str(s: str, field: str, notes: dict[str, None]) -> str:
    s, n = fix_surrogates(s)
    if n:
        notes[f"lone surrogate escape{_in(field)} replaced with U+FFFD"] = None
    return strip_controls(s)
