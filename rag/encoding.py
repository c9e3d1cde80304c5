"""Bytes to text for news files: UTF-8 (BOM or not) or GB18030/GBK, else a clear skip.

Chinese newsrooms still export GBK; a decode that merely succeeds is not
proof (GB18030 maps almost any bytes to characters), so each candidate is
checked for plausibility before it is accepted.
"""

from __future__ import annotations

import re


class Skip(Exception):
    """A file-level problem; turned into a Problem by :func:`read_file`."""


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_PRIVATE = re.compile(r"[\ue000-\uf8ff\ud800-\udfff]")
_WIDE = re.compile(r"[^\x00-\u2e7f]")


def _plausible(text: str, gb: bool) -> bool:
    """Reject decodes with control characters or (GB18030) too many rare ones.

    GB18030 maps almost any byte string to *some* characters, so a decode
    that succeeds proves little.  Real Chinese text uses almost only the
    GB2312 repertoire (>= 90% here); random bytes land mostly outside it, or
    in the user-defined (private use) area.  A clean UTF-8 decode is strong
    evidence by itself (emoji, Japanese… are fine there).
    """
    if not gb:
        # Valid UTF-8 is strong evidence; exports do carry a stray DEL or C1
        # character now and then (the CRUD corpus has 7 in 138 MB).
        return len(_CONTROL.findall(text)) <= 0.001 * len(text)
    if _CONTROL.search(text) or _PRIVATE.search(text):
        return False
    wide = "".join(_WIDE.findall(text))
    return wide.encode("gb2312", "replace").count(b"?") <= 0.1 * len(wide)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or GB18030/GBK; anything else raises Skip."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise Skip("UTF-16 text is not supported; save the file as UTF-8")
    if b"\x00" in data:
        raise Skip("binary file (contains NUL bytes; UTF-16 text must be saved as UTF-8)")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible(text, gb=encoding == "gb18030"):
            return _CONTROL.sub("", text)
    raise Skip("cannot decode: not UTF-8 or GB18030 text (binary file or another encoding?)")
