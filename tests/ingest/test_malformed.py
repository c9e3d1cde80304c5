"""Malformed and adversarial input (issue 12): no build aborts, no traceback, no good record lost.

Every case is generated here, mixed with good records, and built twice: through
the API (``rag.build_index``) and through the CLI (a real ``python -m rag.cli.main
build`` process).  Each good record carries a unique marker (MK0001…) that must
be found in the built index; each bad item must be named in the report with its
file, its line where it has one, and a reason.  Kept-but-repaired records are
both: their marker must be indexed and the repair reported.

The builds use the default model (m3e-small through OpenVINO, as test_build and
test_cli do): about 3 s each once the model's export is cached.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from malformed_corpus import Corpus, make_corpus
from rag import build_index
from rag.store import folder_versions
from rag.ingest.readers import read_paths


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Corpus:
    return make_corpus(tmp_path_factory.mktemp("bad"))


# ---------------------------------------------------------------------- checks
def _missing_problems(c: Corpus, reported: list[str], build: bool = True) -> list[tuple]:
    def named(name: str, line: int | None, reason: str) -> bool:
        where = f"/{name}:{line}: " if line else f"/{name}: "
        return any(where in r and reason in r for r in reported)

    return [b for b in c.bad + (c.at_build if build else []) if not named(*b)]


def _indexed_text(index_dir: Path) -> str:
    version, _ = folder_versions.read_manifest(index_dir)
    con = sqlite3.connect(f"file:{version / 'meta.sqlite'}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT title, text FROM articles").fetchall()
    finally:
        con.close()
    return "\n".join(f"{t}\n{x}" for t, x in rows)


def _check_index(c: Corpus, index_dir: Path) -> None:
    text = _indexed_text(index_dir)
    lost = [m for m in c.good if m not in text]
    assert not lost, f"{len(lost)} good records lost: {lost}"
    for m in c.no_escape:
        start = text.index(m)
        assert not any(ch in text[start:start + 200] for ch in "\x1b\x07\x00\x0c\x85"), m


def test_the_corpus_is_big_enough(corpus):
    assert len(corpus.bad) >= 100 and len(corpus.good) >= 100 and len(corpus.odd) >= 40


def test_readers_keep_the_good_and_name_the_bad(corpus):
    articles, problems = read_paths([corpus.data, *corpus.extra_roots])
    reported = [str(p) for p in problems]
    assert _missing_problems(corpus, reported, build=False) == []
    text = "\n".join(a.text for a in articles)
    assert [m for m in corpus.good if m not in text] == []
    assert len(reported) == len(set(reported)), "a problem was reported twice"
    for a in articles:  # everything that reaches the index can be hashed and stored
        for s in (a.key, a.text, a.title, a.source, a.url, json.dumps(a.metadata)):
            s.encode("utf-8")
    # latin1.txt / punct.txt: read or reported, never silent
    seen = {Path(a.path).name for a in articles} | {Path(p.path).name for p in problems}
    assert {"latin1.txt", "punct.txt"} <= seen


@pytest.mark.slow
def test_api_build_survives_every_case(corpus, tmp_path):
    index_dir = tmp_path / "index"
    report = build_index([corpus.data, *corpus.extra_roots], index_dir, show_progress=False)
    reported = [str(p) for p in report.skipped]
    assert _missing_problems(corpus, reported) == []
    assert len(reported) == len(set(reported)), "a problem was reported twice"
    _check_index(corpus, index_dir)
    # the 1.5 MB line was cut at 2,000 passages of a handful of distinct texts, embedded once each
    assert report.embedded < report.chunks - 1900


@pytest.mark.slow
def test_cli_build_survives_every_case_without_traceback(corpus, tmp_path):
    index_dir = tmp_path / "index"
    args = [sys.executable, "-m", "rag.cli.main", "build", str(corpus.data),
            *map(str, corpus.extra_roots), "--index", str(index_dir), "--quiet", "--json"]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr[-3000:]
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert _missing_problems(corpus, report["skipped"]) == []
    _check_index(corpus, index_dir)


@pytest.mark.slow
def test_identical_texts_embedded_once_and_an_unchanged_build_publishes_nothing(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    same = json.dumps({"title": "重复", "text": "完全相同的正文，被导出了两千次。"}, ensure_ascii=False)
    (data / "same.jsonl").write_text("\n".join([same] * 2000), encoding="utf-8")
    index_dir = tmp_path / "index"
    first = build_index([data], index_dir, show_progress=False)
    assert (first.added, first.chunks, first.embedded) == (2000, 2000, 1)
    live = (index_dir / "CURRENT").read_text()
    again = build_index([data], index_dir, show_progress=False)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 2000)
    assert again.chunks == 2000 and again.embedded == 0
    assert (index_dir / "CURRENT").read_text() == live  # the same version, not republished
    (data / "new.jsonl").write_text(same.replace("两千次", "一次"), encoding="utf-8")
    changed = build_index([data], index_dir, show_progress=False)
    assert changed.added == 1 and (index_dir / "CURRENT").read_text() != live
