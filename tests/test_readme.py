"""The README cannot lie: its Python and shell examples run, in order, against the sample data.

Every ```python block runs in one namespace, every ```bash block line by line (the two
set-up commands are left to CI, which runs them on a clean clone), in a scratch folder
holding a copy of ``data/``, the way a new user copies them from the page. Blocks
that only show syntax are marked ```text in the README and are not run.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow
README = ROOT / "README.md"
SETUP = re.compile(r"scripts/setup\.sh")


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README.read_text("utf-8"), re.M | re.S)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "data", folder / "data",
                    ignore=shutil.ignore_patterns("uploads"))
    return folder


def test_python_examples_run_and_say_what_they_print(scratch, monkeypatch):
    monkeypatch.chdir(scratch)
    code = blocks("python")
    assert len(code) >= 2
    namespace: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for block in code:
            exec(compile(block, str(README), "exec"), namespace)  # noqa: S102 - our own README
    printed = out.getvalue()
    assert "6 added" in printed  # the build's summary
    assert "70件" in namespace["ans"].text and namespace["ans"].citations
    assert namespace["hits"] and namespace["filtered"], "the filter example found nothing"


def test_shell_examples_run(scratch):
    lines = [ln.split("  #")[0].strip() for block in blocks("bash") for ln in block.splitlines()]
    commands = [ln for ln in lines if ln and not SETUP.search(ln)]
    assert any(c.startswith("newsrag ask") for c in commands)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    for command in commands:
        argv = shlex.split(command)
        assert argv[0] == "newsrag", f"README shell example is not a newsrag command: {command}"
        done = subprocess.run([sys.executable, "-m", "rag.cli.main", *argv[1:]], cwd=scratch,
                              env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, command
