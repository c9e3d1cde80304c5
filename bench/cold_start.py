"""Cold-process timings of the everyday commands, next to ``python -c "import rag"``.

    python bench/cold_start.py [--runs 3] [--index DIR] [--data data] [--pythonpath DIR]

Each command runs in a fresh interpreter (the OS file cache is warm, as it is
for a user's second command; nothing is kept between processes): ``import rag``,
``newsrag search``, ``newsrag ask``, ``newsrag build`` of unchanged data (a
no-op build), and the chat app (``python app.py``) until its page answers.
Runs are interleaved (one of each command, then again) so a busy machine
slows all commands alike; the table gives the median, the fastest and the
median as a multiple of ``import rag`` measured in the same run, which stays
comparable when other work shares the CPU.

Without ``--index`` the sample data is indexed into a temporary folder first
(not timed; this also makes the model export once if the cache has none).
``--pythonpath`` runs the commands on another checkout (e.g. an older
version exported with ``git archive``) for before/after figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "本次展览共展出多少件作品？"
TARGETS = {"search": 1.5, "ask": 2.5, "app ready": 4.0, "no-op build": 2.0}


def _newsrag() -> list[str]:
    """The installed console script (not a pyenv shim), else the same entry point."""
    script = Path(sys.executable).parent / "newsrag"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from rag.cli.main import main; sys.exit(main())"]


def _home(env: dict) -> Path:
    """The checkout whose rag/ runs: a script's folder and ``-c``'s working directory
    come before PYTHONPATH on sys.path, so commands run from there."""
    return Path(env.get("PYTHONPATH") or ROOT)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _timed(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=_home(env), capture_output=True, text=True,
                          timeout=600)
    took = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return took


def _app_ready(index: Path, data: Path, env: dict) -> float:
    """Seconds from starting ``python app.py`` until its page answers HTTP 200."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    t0 = time.perf_counter()
    home = _home(env)
    proc = subprocess.Popen([sys.executable, str(home / "app.py"), "--index", str(index),
                             "--data", str(data), "--port", str(port)], env=env, cwd=home,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        while time.perf_counter() - t0 < 300:
            if proc.poll() is not None:
                raise SystemExit(f"app.py exited: {proc.stderr.read()[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=1) as resp:
                    if resp.status == 200:
                        return time.perf_counter() - t0
            except OSError:
                time.sleep(0.05)
        raise SystemExit("app.py did not answer within 300 s")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def commands(index: Path, data: Path) -> dict[str, list[str] | None]:
    nr = _newsrag()
    return {
        "import rag": [sys.executable, "-c", "import rag"],
        "search": nr + ["search", QUESTION, "--index", str(index)],
        "ask": nr + ["ask", QUESTION, "--index", str(index)],
        "no-op build": nr + ["build", str(data), "--index", str(index), "--quiet"],
        "app ready": None,  # _app_ready
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--index", type=Path, help="an index of --data (default: build one in a temp dir)")
    ap.add_argument("--data", type=Path, default=ROOT / "data")
    ap.add_argument("--pythonpath", type=Path, help="run the commands on this checkout of rag/")
    ap.add_argument("--skip", nargs="*", default=[], help="commands to leave out, e.g. 'app ready'")
    args = ap.parse_args()

    args.data = args.data.resolve()
    env = dict(os.environ, HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")
    if args.pythonpath:
        env["PYTHONPATH"] = str(args.pythonpath.resolve())
    tmp = None
    index = args.index.resolve() if args.index else None
    if index is None:
        tmp = Path(tempfile.mkdtemp(prefix="newsrag-cold-"))
        index = tmp / "index"
        print(f"indexing {args.data} into {index} (not timed) ...", file=sys.stderr, flush=True)
        _timed(_newsrag() + ["build", str(args.data), "--index", str(index), "--quiet"], env)
    try:
        cmds = {k: v for k, v in commands(index, args.data).items() if k not in args.skip}
        times: dict[str, list[float]] = {k: [] for k in cmds}
        for run in range(args.runs):
            for name, cmd in cmds.items():
                took = _app_ready(index, args.data, env) if cmd is None else _timed(cmd, env)
                times[name].append(took)
                print(f"run {run + 1}: {name} {took:.2f} s", file=sys.stderr, flush=True)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    base = statistics.median(times["import rag"]) if "import rag" in times else None
    print(f"\n{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
          f"{args.runs} cold runs each, seconds\n")
    print("| command | median | fastest | runs | × import rag | target |")
    print("|---|---|---|---|---|---|")
    for name, ts in times.items():
        ratio = f"{statistics.median(ts) / base:.1f}" if base else ""
        target = f"≤ {TARGETS[name]}" if name in TARGETS else ""
        runs = " / ".join(f"{t:.2f}" for t in ts)
        print(f"| {name} | **{statistics.median(ts):.2f}** | {min(ts):.2f} | {runs} | {ratio} "
              f"| {target} |")


if __name__ == "__main__":
    main()
