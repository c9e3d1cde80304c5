"""`newsrag eval QUESTIONS --format rgb|crud|jsonl`: retrieval and answer quality in one table.

`register(subparsers)` is called by `rag.cli.main.parser()`; errors are raised as
`NewsragError` / `ValueError` and printed in one line by `rag.cli.main`.
The work is done by `rag.evaluation.measure`; this module only maps options onto it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rag.cli.settings import add_settings_options, config_from_args


def cmd_eval(args: argparse.Namespace) -> int:
    from rag.errors import NewsragError
    from rag.evaluation.measure import format_table, load_eval_questions, prepare_index, run_eval
    from rag.retrieval.index import Index
    from rag.params import check_k

    check_k(args.k)
    config = config_from_args(args)
    questions = load_eval_questions(args.questions, args.format, limit=args.limit,
                                    seed=args.seed, int_set=args.int_set)
    if args.index:
        index_dir = Path(args.index)
    elif args.format == "jsonl":
        raise NewsragError("jsonl questions need --index: the index holding their documents")
    else:
        work = Path(args.corpus_work) if args.corpus_work else config.cache_dir / "eval"
        index_dir = prepare_index(args.questions, args.format, work, config=config,
                                  int_set=args.int_set, show_progress=not args.quiet)
    index = Index.load(index_dir, config=config)
    try:
        engines = [] if args.no_answers else args.engine
        rows, summary = run_eval(index, questions, args.format, k=args.k, engines=engines,
                                 exclude_gold=args.exclude_gold,
                                 out=Path(args.out) if args.out else None,
                                 progress=not args.quiet)
    finally:
        index.close()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
    else:
        print(f"index {index_dir} · k={args.k} · model {index.config.embedding.model}")
        print(format_table(summary, args.k))
        if args.out:
            print(f"\nper-question results: {args.out}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``eval`` command to the `newsrag` parser."""
    e = subparsers.add_parser("eval", help="measure retrieval and answer quality on a question set")
    e.add_argument("questions", help="rgb/crud folder (shared/eval/rgb_zh, .../crud) or a .jsonl "
                   "file (question, answers, optional gold_doc_id/gold_ids)")
    e.add_argument("--format", required=True, choices=["rgb", "crud", "jsonl"])
    src = e.add_mutually_exclusive_group()
    src.add_argument("--index", help="index holding the documents (required for jsonl)")
    src.add_argument("--corpus-work", help="rgb/crud: folder where the set's corpus is indexed "
                     "once and reused (default: NEWSRAG_CACHE/eval)")
    e.add_argument("--engine", nargs="+", choices=["extractive", "llm"], default=["extractive"],
                   help="answer engine(s) to compare (default extractive)")
    e.add_argument("-k", type=int, default=5, help="passages per answer (default 5)")
    e.add_argument("--limit", type=int, help="a seeded random sample of N questions")
    e.add_argument("--seed", type=int, default=0, help="seed of the --limit sample (default 0)")
    e.add_argument("--int-set", action="store_true", help="rgb: the zh_int multi-part set")
    e.add_argument("--exclude-gold", action="store_true",
                   help="rejection test: gold passages cannot be retrieved, so refusing is right")
    e.add_argument("--out", help="write one JSON line per question here")
    e.add_argument("--no-answers", action="store_true", help="retrieval metrics only")
    e.add_argument("--json", action="store_true", help="print the summary as JSON")
    e.add_argument("--quiet", action="store_true", help="no progress bars")
    add_settings_options(e)
    e.set_defaults(func=cmd_eval)
    return e

