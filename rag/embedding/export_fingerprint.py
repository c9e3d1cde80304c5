"""Where a model's ONNX export is cached: a fingerprint of the model's files and the recipe.

Why a module of its own: the fingerprint decides whether an export can be reused, and every
process that embeds asks for it, so it must be cheap — the hash of the weights is remembered
by the files' stamps (name, size, mtime) and only recomputed when they change — and it must
change whenever the model files or the export recipe (`EXPORT_FORMAT`, `OPSET`) do, so a
changed model is never served from an old export.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from rag.config import cache_dir
from rag.errors import ConfigError

#: Bump when the export recipe changes, so caches made by an older recipe are redone.
EXPORT_FORMAT = 2  # 2: int8 weights in 7 bits (no saturation on CPUs without VNNI)
OPSET = 17


def _model_files(path: Path) -> list[Path]:
    """The files of a model folder that decide what its export contains."""
    return sorted(p for p in path.iterdir()
                  if p.is_file() and p.suffix in {".json", ".bin", ".safetensors", ".txt", ".model"}
                  and not p.name.startswith("newsrag-"))  # our own markers, not the model


@lru_cache(maxsize=8)
def _fingerprint_cached(path: str, stamp: tuple) -> str:
    known = _stamp_file()
    try:
        seen = json.loads(known.read_text("utf-8")).get(path)
    except (OSError, ValueError):
        seen = None
    if seen and seen.get("stamp") == json.loads(json.dumps(stamp)) \
            and seen.get("recipe") == EXPORT_FORMAT:
        return seen["fingerprint"]
    h = hashlib.sha256(f"newsrag-onnx-export/{EXPORT_FORMAT}/opset{OPSET}".encode())
    for f in _model_files(Path(path)):
        h.update(f.name.encode() + b"\x1f")
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    digest = h.hexdigest()[:16]
    _remember(known, path, {"stamp": stamp, "recipe": EXPORT_FORMAT, "fingerprint": digest})
    return digest


def _stamp_file() -> Path:
    return cache_dir() / "onnx" / "fingerprints.json"


def _remember(known: Path, path: str, entry: dict) -> None:
    """Record a fingerprint by file stamps (name, size, mtime), so later processes skip
    hashing the weights (0.1-0.4 s); best effort, replaced atomically."""
    try:
        known.parent.mkdir(parents=True, exist_ok=True)
        try:
            table = json.loads(known.read_text("utf-8"))
        except (OSError, ValueError):
            table = {}
        table.pop(path, None)
        table[path] = entry
        for old in list(table)[:-64]:  # bounded: test runs fingerprint many temp folders
            del table[old]
        fd, tmp = tempfile.mkstemp(prefix=".fingerprints.", dir=known.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(table, fh)
        os.chmod(tmp, 0o644)
        os.replace(tmp, known)
    except OSError:
        pass


def fingerprint(path: str | Path) -> str:
    """Hash of the model folder's files and the export recipe (remembered per file stamps)."""
    path = Path(path)
    if not path.is_dir():
        raise ConfigError(
            f"backend onnx / onnx-int8 needs a local model folder, got {str(path)!r}; "
            "set NEWSRAG_MODEL to a folder (or m3e-small / e5-small) or use NEWSRAG_BACKEND=torch"
        )
    stamp = tuple((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in _model_files(path))
    return _fingerprint_cached(str(path.resolve()), stamp)


def export_dir(path: str | Path) -> Path:
    """Where the export of the model folder ``path`` is (or will be) cached."""
    path = Path(path)
    return cache_dir() / "onnx" / f"{path.name}-{fingerprint(path)}"
