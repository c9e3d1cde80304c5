"""How much a huge question delays a normal one answered beside it (the app's promise that no
request holds it for other users, measured; the test checks the behaviour, not the time).

    python bench/beside_huge.py [--index DIR] [--rounds 5]

Builds the sample page into a temporary index unless ``--index`` is given, then times
``rag.answer`` for a normal question alone, beside another normal question, and beside a
100,000-character one (each in its own thread, started 0.3 s before), and prints one Markdown
table of medians with the ratio to "alone". The huge question is cut to
``retrieval.max_query_chars`` (500), so the last two rows should be close.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import rag  # noqa: E402

QUESTION = "本次展览共展出多少件作品？"
HUGE = "展览作品" * 25_000


def timed(index) -> float:
    start = time.perf_counter()
    rag.answer(QUESTION, index=index)
    return time.perf_counter() - start


def beside(index, question: str) -> float:
    worker = threading.Thread(target=rag.answer, args=(question,), kwargs={"index": index})
    worker.start()
    time.sleep(0.3)
    took = timed(index)
    worker.join()
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, help="a built index (default: the sample page, built now)")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.index
        if folder is None:
            folder = Path(tmp) / "index"
            rag.build_index([ROOT / "data" / "sample_page.txt"], folder, show_progress=False)
        index = rag.Index.load(folder)
        try:
            timed(index)  # warm-up: models loaded, kernels compiled
            rows = {"alone": [timed(index) for _ in range(args.rounds)],
                    "beside a normal question": [beside(index, QUESTION) for _ in range(args.rounds)],
                    "beside a 100,000-character question": [beside(index, HUGE)
                                                            for _ in range(args.rounds)]}
        finally:
            index.close()
    base = statistics.median(rows["alone"])
    print(f"| normal question ({args.rounds} rounds) | median s | × alone |\n|---|---|---|")
    for name, times in rows.items():
        med = statistics.median(times)
        print(f"| {name} | {med:.2f} | {med / base:.2f}× |")


if __name__ == "__main__":
    main()
