"""`newsrag ask "问题"`: a cited answer on the command line.

`register(subparsers)` is called by `rag.cli.parser()`; errors are raised as
`NewsragError` / `ValueError` and printed in one line by `rag.cli.main`.
The text output streams the answer, then lists the numbered sources with
their check result (✓ supported, ✗ with the reason), then any flags.
"""

from __future__ import annotations

import argparse
import json

from .types import Answer


def cmd_ask(args: argparse.Namespace) -> int:
    from .answer import answer_stream
    from .config import Config
    from .index import Index

    config = Config(model=args.model) if getattr(args, "model", None) else None
    index = Index.load(args.index, config=config) if config else None
    stream = answer_stream(args.question, index_dir=args.index, index=index, k=args.k,
                           engine=args.engine, date_from=args.date_from, date_to=args.date_to,
                           source=args.source, as_of=args.as_of)
    result: Answer | None = None
    for item in stream:
        if isinstance(item, Answer):
            result = item
        elif not args.json:
            print(item, end="", flush=True)
    assert result is not None
    if result.note and not args.json:  # the streamed text was replaced (see rag.answer)
        print(f"\n注意：{result.note}\n{result.text}", end="")
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
        head = " · ".join(x for x in (c.hit.title, c.hit.date, c.hit.source) if x)
        mark = "✓" if c.supported else f"✗ {c.reason}"
        lines.append(f"[{c.number}] {head}  {mark}")
        lines.append(f"    “{c.quote}”")
    for flag in result.flags:
        lines.append(f"注意：{flag}")
    return "\n".join(lines)


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
    a.add_argument("--model", help="embedding model (default: NEWSRAG_MODEL or m3e-small)")
    a.add_argument("--json", action="store_true", help="print Answer.to_dict() as JSON")
    a.set_defaults(func=cmd_ask)
    return a

