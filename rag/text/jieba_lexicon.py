"""jieba's dictionary, read on demand per first character, for processes that start fast.

Why: before its first cut jieba builds (or unmarshals from its cache) a dict of
all 500,000 words and prefixes -- 0.5-1 s -- and importing ``jieba.posseg``
parses ``dict.txt`` again for the part-of-speech tags (0.3-0.4 s). A search
cuts one short question and an answer a few passages, which touch the words of
a few dozen first characters.

So the dictionary is written once (into ``cache_dir()/jieba``) as one
marshalled bucket per first character -- that character's words with their
frequencies and tags, prefixes included exactly as jieba's ``gen_pfdict``
makes them -- behind an index. `Lexicon` maps the file and unmarshals a bucket
the first time a word starting with its character is looked up. jieba only
ever looks words up (``in``, ``[]``, ``get``), and a word's bucket holds every
entry that starts like it, so every lookup -- and so every cut -- is the same
as with the full dictionary.
"""

from __future__ import annotations

import hashlib
import io
import marshal
import mmap
import os
import struct
import sys
import tempfile
from pathlib import Path

import jieba

from rag.config import cache_dir

MAGIC = b"newsrag-jieba-lexicon-1\n"
_installed = None


def dict_file() -> Path:
    """jieba's bundled dictionary."""
    return Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME


def lexicon_path() -> Path:
    """Where the lexicon of the installed jieba dictionary is cached (by version and stamp)."""
    d = dict_file()
    st = d.stat()
    key = f"{jieba.__version__}|{d}|{st.st_size}|{st.st_mtime_ns}|{MAGIC.decode().strip()}"
    return cache_dir() / "jieba" / f"lexicon-{hashlib.sha256(key.encode()).hexdigest()[:12]}.bin"


def build_lexicon(target: Path) -> None:
    """Write the bucketed lexicon (about 2 s, once per jieba dictionary)."""
    with open(dict_file(), "rb") as fh:
        freq, total = jieba.Tokenizer.gen_pfdict(fh)
    tags = {}
    with open(dict_file(), "rb") as fh:  # as jieba.posseg's load_word_tag reads it
        for line in fh:
            parts = line.strip().decode("utf-8").split(" ")
            if len(parts) == 3:
                tags[parts[0]] = parts[2]
    buckets: dict[str, tuple[dict, dict]] = {}
    for word, f in freq.items():
        buckets.setdefault(word[0], ({}, {}))[0][word] = f
    for word, tag in tags.items():
        buckets.setdefault(word[0], ({}, {}))[1][word] = tag
    payload, index = bytearray(), {}
    for ch, bucket in buckets.items():
        blob = marshal.dumps(bucket)
        index[ch] = (len(payload), len(blob))
        payload += blob
    header = marshal.dumps((total, index))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC + struct.pack("<Q", len(header)) + header + payload)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)  # readers never see half a file
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class Lexicon:
    """Stands in for ``jieba.Tokenizer.FREQ`` (and, as ``tags``, posseg's word tags)."""

    def __init__(self, path: Path):
        with open(path, "rb") as fh:
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        n = len(MAGIC)
        if self._map[:n] != MAGIC:
            raise ValueError(f"{path} is not a newsrag jieba lexicon")
        (size,) = struct.unpack("<Q", self._map[n:n + 8])
        self.total, self._index = marshal.loads(self._map[n + 8:n + 8 + size])
        self._base = n + 8 + size
        self.freq: dict[str, int] = {}
        self.tag_tab: dict[str, str] = {}
        self._loaded: set[str] = set()
        self.tags = _Tags(self)

    def load(self, word: str) -> None:
        """Bring in the bucket of ``word``'s first character (entries first, then the
        mark, so a concurrent reader never sees a marked but empty bucket)."""
        ch = word[:1]
        span = self._index.get(ch)
        if span:
            lo = self._base + span[0]
            freq, tags = marshal.loads(self._map[lo:lo + span[1]])
            self.freq.update(freq)
            self.tag_tab.update(tags)
        self._loaded.add(ch)

    def __contains__(self, word: str) -> bool:
        if word[:1] not in self._loaded:
            self.load(word)
        return word in self.freq

    def __getitem__(self, word: str) -> int:
        if word[:1] not in self._loaded:
            self.load(word)
        return self.freq[word]

    def get(self, word: str, default=None):
        if word[:1] not in self._loaded:
            self.load(word)
        return self.freq.get(word, default)

    def __setitem__(self, word: str, value: int) -> None:  # jieba.add_word
        if word[:1] not in self._loaded:
            self.load(word)
        self.freq[word] = value


class _Tags:
    """posseg's ``word_tag_tab`` view of a `Lexicon`."""

    def __init__(self, lexicon: Lexicon):
        self._lex = lexicon

    def get(self, word: str, default=None):
        if word[:1] not in self._lex._loaded:
            self._lex.load(word)
        return self._lex.tag_tab.get(word, default)

    def __contains__(self, word: str) -> bool:
        return self.get(word) is not None

    def __getitem__(self, word: str) -> str:
        tag = self.get(word)
        if tag is None:
            raise KeyError(word)
        return tag

    def update(self, other: dict) -> None:  # posseg's user-dictionary words
        for word in other:
            self.get(word)
        self._lex.tag_tab.update(other)


def install(*, build: bool) -> bool:
    """Give jieba's default tokenizer (and jieba.posseg's) the lexicon; False when
    jieba already holds its dictionary, uses another one, or (``build`` False)
    the lexicon file is not made yet."""
    global _installed
    if _installed is not None:
        return True
    dt = jieba.dt
    if dt.initialized or dt.dictionary != jieba.DEFAULT_DICT:
        return False
    try:
        path = lexicon_path()
        if not path.is_file():
            if not build:
                return False
            build_lexicon(path)
        lex = Lexicon(path)
    except (OSError, ValueError):
        return False
    with dt.lock:
        if dt.initialized:
            return False
        dt.FREQ, dt.total, dt.initialized = lex, lex.total, True
    if "jieba.posseg" not in sys.modules:  # its import would parse dict.txt for the tags
        dt.get_dict_file = lambda: io.BytesIO(b"")
        try:
            import jieba.posseg as pseg
        finally:
            del dt.get_dict_file
        pseg.dt.word_tag_tab = lex.tags
    _installed = lex
    return True
