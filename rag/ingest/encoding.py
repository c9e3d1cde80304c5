"""Bytes to text for news files: UTF-8 (BOM or not), UTF-16 with a BOM or
GB18030/GBK, else a clear skip.

Chinese newsrooms still export GBK; a decode that merely succeeds is not
proof (GB18030 maps almost any bytes to characters), so each candidate is
checked for plausibility before it is accepted.

Damage that leaves the text readable keeps the text: a file cut off inside
its last character loses only that character, a few corrupted bytes become
U+FFFD, and terminal colour codes or bells pasted from a console are removed
(:func:`strip_controls`).  Each repair is returned as a note for the report.
"""

from __future__ import annotations

import re


class Skip(Exception):
    """A file-level problem; turned into a Problem by :func:`read_file`."""


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# ANSI/VT100 escape sequences: CSI (colours, cursor moves), OSC (window titles), 2-byte ESC x
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]"
                   r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]?")
_PAGE_BREAK = str.maketrans({"\x0b": "\n", "\x0c": "\n"})
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_PRIVATE = re.compile(r"[\ue000-\uf8ff\ud800-\udfff]")
_WIDE = re.compile(r"[^\x00-\u2e7f]")
#: share of control characters (after removing escape sequences) above which
#: valid UTF-8 is taken for a binary file rather than text with stray junk
BINARY_SHARE = 0.05


def strip_controls(text: str) -> str:
    """Text without terminal escape sequences and control characters.

    Tabs and line breaks stay; vertical tab and form feed (page breaks in
    console and OCR output) become line breaks.
    """
    if _ANSI.search(text):
        text = _ANSI.sub("", text)
    return _CONTROL.sub("", text.translate(_PAGE_BREAK))


def fix_surrogates(text: str) -> tuple[str, int]:
    """(``text`` with lone surrogates replaced by U+FFFD, how many there were).

    A lone surrogate (a JSON escape such as \\ud83d, a broken paste) cannot be encoded as
    UTF-8, so hashing, SQLite, jieba and printing would fail; a surrogate *pair* is joined
    into the character it encodes. The one place every reader, report and query uses.
    """
    if not _SURROGATE.search(text):
        return text, 0
    fixed = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return fixed, fixed.count("\ufffd") - text.count("\ufffd")


def _controls(text: str) -> int:
    return len(_CONTROL.findall(_ANSI.sub("", text)))


def _plausible(text: str, gb: bool) -> bool:
    """Reject decodes with control characters or (GB18030) too many rare ones.

    GB18030 maps almost any byte string to *some* characters, so a decode
    that succeeds proves little.  Real Chinese text uses almost only the
    GB2312 repertoire (>= 90% here); random bytes land mostly outside it, or
    in the user-defined (private use) area.  A clean UTF-8 decode is strong
    evidence by itself (emoji, Japanese… are fine there): it only fails when
    control characters are so many that the file is binary, not text with
    a few stray ones (exports carry a DEL now and then, consoles colour codes).
    """
    if not gb:
        return _controls(text) <= max(16, BINARY_SHARE * len(text))
    if _controls(text) or _PRIVATE.search(text):
        return False
    wide = "".join(_WIDE.findall(text))
    return wide.encode("gb2312", "replace").count(b"?") <= 0.1 * len(wide)


def _decode_cut(data: bytes, encoding: str, notes: list[str]) -> str:
    """Decode strictly, forgiving only a last character cut off by truncation."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        if e.end != len(data) or len(data) - e.start > 3:
            raise
        text = data[: e.start].decode(encoding)
        notes.append(f"the file ends inside a character (cut off?): the last "
                     f"{len(data) - e.start} byte(s) were dropped, the rest was read")
        return text


def decode_notes(data: bytes) -> tuple[str, list[str]]:
    """(text, repairs made) for UTF-8, UTF-16 with BOM or GB18030; else raises Skip."""
    notes: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = _decode_cut(data, "utf-16", notes)
        except UnicodeDecodeError:
            raise Skip("cannot decode: starts with a UTF-16 byte-order mark but is not "
                       "valid UTF-16; save the file as UTF-8") from None
        text = text.lstrip("\ufeff")
        if not _plausible(text, gb=False):
            raise Skip("binary file (UTF-16 byte-order mark, but mostly control characters)")
        return strip_controls(text), notes
    utf8 = None
    for encoding in ("utf-8", "gb18030"):
        try:
            text = _decode_cut(data, encoding, notes)
        except UnicodeDecodeError:
            continue
        if _plausible(text, gb=encoding == "gb18030"):
            return strip_controls(text), notes
        notes.clear()
        if encoding == "utf-8":
            utf8 = text
    if data.count(b"\x00") > max(16, BINARY_SHARE * len(data)):
        raise Skip("binary file (contains NUL bytes; UTF-16 text needs a byte-order mark "
                   "or must be saved as UTF-8)")
    if utf8 is not None:
        share = _controls(utf8) / max(1, len(utf8))
        raise Skip(f"binary file (valid UTF-8, but {share:.0%} control characters)")
    # UTF-8 with a few corrupted bytes: keep the text, mark the damage
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    if bad <= max(3, len(data) // 1000) and _plausible(text, gb=False):
        notes.append(f"{bad} invalid UTF-8 byte sequence(s) replaced with U+FFFD; the rest was read")
        return strip_controls(text), notes
    raise Skip("cannot decode: not UTF-8, UTF-16 or GB18030 text (binary file or another "
               "encoding?)")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM or GB18030/GBK; else raises Skip."""
    return decode_notes(data)[0]
