"""The `newsrag` command line: build, search, info (and more from other modules).

Exit codes: 0 ok, 1 a user error reported in one line (no traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from .config import Config
from .errors import NewsragError


def _config(args: argparse.Namespace) -> Config:
    overrides = {}
    if getattr(args, "model", None):
        overrides["model"] = args.model
    return Config(**overrides)


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build_index

    report = build_index(args.paths or None, args.index, rebuild=args.rebuild, date=args.date,
                         config=_config(args), show_progress=not args.quiet)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(report.summary())
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from .index import Index

    idx = Index.load(args.index, config=_config(args))
    hits = idx.search(args.query, args.k, date_from=args.date_from, date_to=args.date_to,
                      source=args.source, per_article=args.per_article)
    if args.json:
        print(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=1))
        return 0
    if not hits:
        print("no results")
    for i, h in enumerate(hits, 1):
        head = " · ".join(x for x in (h.title, h.date, h.source) if x)
        print(f"[{i}] {head}  (score {h.score:.4f}, chars {h.start}-{h.end})")
        print(f"    {h.text[:300]}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from .index import Index

    info = Index.load(args.index, config=_config(args)).info()
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=1))
    else:
        for key, value in info.items():
            print(f"{key}: {value}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newsrag", description="Chinese news search with cited answers")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--index", default="index", help="index folder (default: index)")
        sp.add_argument("--model", help="embedding model (default: NEWSRAG_MODEL or m3e-small)")
        sp.add_argument("--json", action="store_true", help="machine-readable output")

    b = sub.add_parser("build", help="build or update the index from files and folders")
    b.add_argument("paths", nargs="*", help="files/folders (default: those of the last build, or data/)")
    b.add_argument("--rebuild", action="store_true", help="re-embed everything")
    b.add_argument("--date", help="publication date YYYY-MM-DD for articles without one")
    b.add_argument("--quiet", action="store_true", help="no progress bars")
    common(b)
    b.set_defaults(func=cmd_build)

    s = sub.add_parser("search", help="search the index")
    s.add_argument("query")
    s.add_argument("-k", type=int, default=5, help="number of passages (default 5)")
    s.add_argument("--date-from", help="YYYY-MM-DD")
    s.add_argument("--date-to", help="YYYY-MM-DD")
    s.add_argument("--source", help="only articles whose source/path/url contains this")
    s.add_argument("--per-article", action="store_true", help="best passage per article only")
    common(s)
    s.set_defaults(func=cmd_search)

    i = sub.add_parser("info", help="what the index holds")
    common(i)
    i.set_defaults(func=cmd_info)

    from .cli_answer import register as register_ask
    from .cli_serve import register as register_serve

    register_ask(sub)
    register_serve(sub)  # defines its own --index/--host options
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "date", None):
        from .newspaper import parse_date

        if parse_date(args.date) is None:
            print(f"newsrag: error: --date {args.date!r} is not a date (expected YYYY-MM-DD)",
                  file=sys.stderr)
            return 1
    warnings.simplefilter("default")
    try:
        return args.func(args)
    except NewsragError as exc:
        print(f"newsrag: error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"newsrag: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("newsrag: interrupted; the previous index is unchanged", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
