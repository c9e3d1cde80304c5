"""Find the files a build reads, and say why every other entry was passed over.

A news folder is whatever a user copied together: symbolic links (some broken,
some looping), links back to a parent folder, hidden editor files, a named pipe
left by a tool.  None of these may stop or stall a build, and none may vanish
silently: each becomes one :class:`Problem` naming the entry and the reason.

Folders are walked with an explicit stack (no recursion limit), symbolic links
are followed, and every folder is entered at most once (by device and inode),
so a link loop cannot make the walk endless.  Files are opened with
``O_NONBLOCK`` and checked with ``fstat`` before reading, so a FIFO never blocks.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

from rag.ingest.encoding import Skip
from rag.types import Problem

_SPECIAL = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a folder",
}


def safe_resolve(path: str | Path) -> Path:
    """The real path when it resolves; the absolute path when it does not.

    ``Path.resolve`` raises on a symbolic link loop (RuntimeError in Python
    3.11); a broken link resolves to its missing target.  Either way the
    entry itself is what the user should be told about, so keep it.
    """
    p = Path(path).expanduser()
    try:
        return p.resolve(strict=True)
    except (OSError, RuntimeError):
        return Path(os.path.abspath(p))


def _kind(mode: int) -> str:
    return _SPECIAL.get(stat.S_IFMT(mode), "not a file or folder")


def examine(path: Path) -> tuple[os.stat_result | None, str | None]:
    """(stat of what ``path`` leads to, None) or (None, why it cannot be read)."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return None, "no such file or folder"
    except OSError as e:
        return None, f"cannot read: {e.strerror or e}"
    try:
        st = os.stat(path)
    except OSError as e:
        if e.errno == errno.ELOOP:
            return None, "symbolic link loop (the link leads back to itself); skipped"
        if e.errno == errno.ENOENT:
            try:
                target = os.readlink(path)
            except OSError:
                target = "?"
            return None, f"broken symbolic link (points at {target}, which does not exist); skipped"
        return None, f"cannot read: {e.strerror or e}"
    if stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode):
        return st, None
    return None, f"not a regular file ({_kind(st.st_mode)}); skipped"


def _name_ok(path: Path, problems: list[Problem]) -> bool:
    """Names that are not valid UTF-8 cannot be stored or shown; say so."""
    try:
        str(path).encode("utf-8")
        return True
    except UnicodeEncodeError:
        problems.append(Problem(str(path), "file name is not valid UTF-8 (rename the file); skipped"))
        return False


def files_under(paths: Sequence[str | Path], problems: list[Problem]) -> Iterator[Path]:
    """Regular files under ``paths``, folders in sorted order, each file once.

    Hidden entries (names starting with ".") inside a scanned folder are not
    read and not descended into; each is reported once.
    """
    seen_files: set[str] = set()
    seen_dirs: dict[tuple[int, int], Path] = {}
    for given in paths:
        root = Path(given).expanduser()
        st, why = examine(root)
        if why:
            problems.append(Problem(str(given), why))
            continue
        if not _name_ok(root, problems):
            continue
        if stat.S_ISREG(st.st_mode):
            found: Iterator[Path] = iter([root])
        else:
            found = _walk(root, st, seen_dirs, problems)
        for p in found:
            real = str(safe_resolve(p))
            if real not in seen_files:
                seen_files.add(real)
                yield Path(real)


def _walk(root: Path, st: os.stat_result, seen: dict[tuple[int, int], Path],
          problems: list[Problem]) -> Iterator[Path]:
    """Depth-first, names sorted (the order of ``sorted(root.rglob("*"))``)."""
    key = (st.st_dev, st.st_ino)
    if key in seen:
        return  # the same folder given twice, or given inside another given folder
    seen[key] = root
    stack: list[tuple[Iterator[os.DirEntry], tuple[tuple[int, int], ...]]] = []
    entries = _entries(root, problems)
    if entries is None:
        return
    stack.append((entries, (key,)))
    while stack:
        it, ancestors = stack[-1]
        entry = next(it, None)
        if entry is None:
            stack.pop()
            continue
        path = Path(entry.path)
        if entry.name.startswith("."):
            what = "folder" if _is_dir(entry) else "file"
            problems.append(Problem(str(path), f"hidden {what} not read (names starting with '.' "
                                               "are skipped in scanned folders)"))
            continue
        if not _name_ok(path, problems):
            continue
        st, why = examine(path)
        if why:
            problems.append(Problem(str(path), why))
            continue
        if stat.S_ISREG(st.st_mode):
            yield path
            continue
        key = (st.st_dev, st.st_ino)
        if key in ancestors:
            problems.append(Problem(str(path), f"folder loop: leads back to {seen[key]}, which "
                                               "contains it; not read again"))
            continue
        if key in seen:
            problems.append(Problem(str(path), f"same folder as {seen[key]}, already read; "
                                               "not read again"))
            continue
        seen[key] = path
        sub = _entries(path, problems)
        if sub is not None:
            stack.append((sub, ancestors + (key,)))


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _entries(folder: Path, problems: list[Problem]) -> Iterator[os.DirEntry] | None:
    try:
        with os.scandir(folder) as it:
            return iter(sorted(it, key=lambda e: e.name))
    except OSError as e:
        problems.append(Problem(str(folder), f"cannot open folder: {e.strerror or e}"))
        return None


def read_regular(path: Path) -> bytes:
    """The bytes of a regular file; anything else raises Skip without blocking.

    ``O_NONBLOCK`` makes opening a FIFO return at once (plain ``open`` would
    wait for a writer forever); ``fstat`` on the open descriptor then checks
    what was actually opened, so a file swapped for a pipe mid-build is caught.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Skip(f"not a regular file ({_kind(st.st_mode)}); skipped")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    finally:
        os.close(fd)
