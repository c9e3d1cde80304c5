"""The `newsrag` command as a user runs it: real processes, exit codes, no tracebacks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, SAMPLE

pytestmark = pytest.mark.slow


def newsrag(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "rag.cli.main", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_build_search_info_round_trip(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(SAMPLE, data / "page.txt")
    index = str(tmp_path / "index")
    built = newsrag("build", str(data), "--index", index, "--date", "2023-12-28", "--quiet")
    assert built.returncode == 0, built.stderr
    assert "6 added" in built.stdout

    found = newsrag("search", "本次展览共展出多少件作品？", "-k", "2", "--index", index, "--json")
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert len(hits) == 2 and "70件作品" in hits[0]["text"]
    assert hits[0]["date"] == "2023-12-28"
    assert {"doc_id", "chunk_id", "title", "source", "score", "start", "end", "metadata"} <= set(hits[0])

    text = newsrag("search", "培训班", "--index", index)
    assert text.returncode == 0 and "[1] 八里庄街道基层工会干部培训班开班" in text.stdout

    info = newsrag("info", "--index", index, "--json")
    shown = json.loads(info.stdout)
    assert shown["articles"] == 6 and shown["model"] == "e5-small"  # the licence-clean default
    assert shown["model_licence"].startswith("MIT") and "bigrams" in shown["keywords"]

    again = newsrag("build", "--index", index, "--quiet")  # no paths: the previous folders
    assert again.returncode == 0 and "6 unchanged" in again.stdout and "0 embedded" in again.stdout


@pytest.mark.parametrize("args,message", [
    (["search", "展览", "--index", "missing-index"], "no index in missing-index"),
    (["search", "  ", "--index", "IDX"], "query is empty"),
    (["build", "no/such/folder", "--index", "IDX"], "no such file or folder"),
    (["build", "data", "--date", "28/12/2023", "--index", "IDX"], "expected YYYY-MM-DD"),
    (["search", "展览", "--index", "IDX", "--model", "other-model"], "was built with embedding model"),
])
def test_user_errors_are_one_line_with_exit_1(sample_index, args, message):
    args = [str(sample_index) if a == "IDX" else a for a in args]
    result = newsrag(*args)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
