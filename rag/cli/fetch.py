"""`newsrag fetch` and `newsrag watch`: feeds and article URLs into the index.

``fetch`` reads the URLs once (`rag.ingest.fetch`), saves new articles as files under
``--into`` (default ``data/fetched``) and updates the index incrementally; ``watch``
does the same every ``--every`` minutes, together with any folders given, so a running
app (which serves each new index version within a second) stays current.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def cmd_fetch(args: argparse.Namespace) -> int:
    report = _round(args)
    return 1 if report.failed and not report.saved and not report.unchanged else 0


def cmd_watch(args: argparse.Namespace) -> int:
    if args.every <= 0:
        raise ValueError(f"--every must be a positive number of minutes (got {args.every})")
    print(f"newsrag: watching {len(args.urls)} URL(s) and {len(args.folder)} folder(s) every "
          f"{args.every:g} min; Ctrl-C stops", file=sys.stderr, flush=True)
    done = 0
    try:
        while True:
            _round(args)
            done += 1
            if args.rounds and done >= args.rounds:
                return 0
            time.sleep(args.every * 60)
    except KeyboardInterrupt:
        return 0


def _round(args: argparse.Namespace):
    from rag.build import build_index
    from rag.ingest.fetch import fetch

    report = fetch(args.urls, args.into, delay=args.delay, timeout=args.timeout)
    print(report.summary(), flush=True)
    roots = [Path(args.into)] + [Path(f) for f in getattr(args, "folder", [])]
    if not args.no_build:
        print(build_index(roots, args.index, show_progress=False).summary(), flush=True)
    return report


def register(subparsers) -> None:
    """Add ``fetch`` and ``watch`` to `newsrag`'s sub-parsers (called by rag.cli.main)."""
    for name, helptext in (("fetch", "fetch feeds (RSS/Atom) and article URLs into the index"),
                           ("watch", "fetch and build again every N minutes")):
        sp = subparsers.add_parser(name, help=helptext)
        sp.add_argument("urls", nargs="*" if name == "watch" else "+", help="feed or article URLs")
        sp.add_argument("--into", default="data/fetched",
                        help="where fetched articles are saved (default: data/fetched)")
        sp.add_argument("--index", default="index", help="index folder (default: index)")
        sp.add_argument("--delay", type=float, default=1.0,
                        help="seconds between requests to one site (default 1)")
        sp.add_argument("--timeout", type=float, default=15.0, help="seconds per request")
        sp.add_argument("--no-build", action="store_true", help="only fetch")
        if name == "watch":
            sp.add_argument("--every", type=float, default=30.0, help="minutes between rounds")
            sp.add_argument("--folder", action="append", default=[],
                            help="a folder of articles to index in every round (repeatable)")
            sp.add_argument("--rounds", type=int, default=0, help="stop after N rounds (0: never)")
        sp.set_defaults(func=cmd_watch if name == "watch" else cmd_fetch)
