"""`newsrag ask "问题"`: a cited answer on the command line.

`register(subparsers)` is called by `rag.cli.main.parser()`; errors are raised as
`NewsragError` / `ValueError` and printed in one line by `rag.cli.main`.
The text output streams the answer, then lists the numbered sources with
their check result (✓ supported, ✗ with the reason), then any flags.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from rag import params
from rag.cli.settings import add_settings_options, config_from_args
from rag.answering.events import TextPiece
from rag.types import Answer


def cmd_ask(args: argparse.Namespace) -> int:
    from rag.answering.pipeline import answer_stream

    params.check_text(args.question, "question")  # before the (slow) load
    params.answer_args(k=args.k, date_from=args.date_from, date_to=args.date_to,
                       source=args.source, as_of=args.as_of, engine=args.engine)
    stream = answer_stream(args.question, index_dir=args.index, k=args.k,
                           engine=args.engine, date_from=args.date_from, date_to=args.date_to,
                           source=args.source, as_of=args.as_of, config=config_from_args(args))
    result: Answer | None = None
    shown = []
    waiting = not args.json and sys.stderr.isatty()
    if waiting:  # the model and the search take a moment: say so, then clear the line
        print("正在检索和阅读相关新闻…", end="", file=sys.stderr, flush=True)
    for item in stream:
        if waiting:
            print("\r\033[K", end="", file=sys.stderr, flush=True)
            waiting = False
        match item:
            case Answer():
                result = item
            case TextPiece() if not args.json:
                shown.append(item)
                print(item, end="", flush=True)
    assert result is not None
    if result.note and not args.json:  # a cut question, or the streamed text was replaced
        replaced = "".join(shown).strip() != result.text
        print(f"\n注意：{result.note}" + (f"\n{result.text}" if replaced else ""), end="")
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
        return 0
    print()
    print(format_sources(result))
    return 0


def format_sources(result: Answer) -> str:
    """The numbered sources and flags under an answer, as plain text."""
    lines = []
    if result.query and result.query != result.question:
        lines.append(f"（检索问题：{result.query}）")
    if result.citations:
        lines.append("")
        lines.append("来源：")
    for c in result.citations:
        mark = "✓" if c.supported else f"✗ {c.reason}"
        lines.append(f"[{c.number}] {hit_heading(c.hit)}  {mark}")
        lines.append(indented(f"“{c.quote}”"))
    for flag in result.flags:
        lines.append(f"注意：{flag}")
    return "\n".join(lines)


def hit_heading(hit) -> str:
    """Title · date · source, a file under the current folder shown relative to it."""
    return " · ".join(x for x in (hit.title, hit.date, shown_path(hit.source)) if x)


def shown_path(source: str | None) -> str:
    """A stored absolute file path as the user would type it: relative when under the cwd."""
    if source and os.path.isabs(source):
        try:
            rel = os.path.relpath(source)
        except ValueError:
            return source
        return source if rel.startswith("..") else rel
    return source or ""


def indented(text: str, pad: str = "    ") -> str:
    """Every line of ``text`` indented (a passage's own line breaks kept under its heading)."""
    return "\n".join(pad + line for line in text.splitlines() or [""])


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``ask`` command to the `newsrag` parser."""
    a = subparsers.add_parser("ask", help="answer a question with cited sources")
    a.add_argument("question")
    a.add_argument("--index", default="index", help="index folder (default: index)")
    a.add_argument("-k", type=int, default=5, help="passages to answer from (default 5)")
    a.add_argument("--engine", choices=["extractive", "llm"], default="extractive",
                   help="extractive (offline, default) or llm "
                   "(NEWSRAG_LLM_BASE_URL, NEWSRAG_LLM_MODEL, NEWSRAG_LLM_API_KEY)")
    a.add_argument("--date-from", help="YYYY-MM-DD")
    a.add_argument("--date-to", help="YYYY-MM-DD")
    a.add_argument("--as-of", help="YYYY-MM-DD: the day the question is asked, for 昨天/上个月/"
                   "三年前… (default: today in NEWSRAG_TIMEZONE, Asia/Shanghai)")
    a.add_argument("--source", help="only articles whose source/path/url contains this")
    add_settings_options(a)
    a.add_argument("--json", action="store_true", help="print Answer.to_dict() as JSON")
    a.set_defaults(func=cmd_ask)
    return a

