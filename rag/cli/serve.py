"""`newsrag serve` and `python app.py`: build the index if needed, then serve the chat.

One command starts the app on the sample data: when ``--index`` holds no
index yet it is built from ``--data`` first (with console progress). The
server binds to 127.0.0.1 unless ``--host`` says otherwise, because the app
exposes uploads and every indexed article; a password can be required with
``--auth user:pass`` or ``NEWSRAG_AUTH``. ``--model``/``--store`` and the other
settings options are those of every command (`rag.cli.settings`); host, port
and auth are the ``server`` section of `Config`.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported anywhere
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rag.cli.settings import add_settings_options, config_from_args  # noqa: E402
from rag.config import Config  # noqa: E402
from rag.errors import ConfigError, NewsragError  # noqa: E402


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", help="address to bind (default 127.0.0.1: this machine only; "
                   "0.0.0.0 = all; or NEWSRAG_HOST)")
    p.add_argument("--port", type=int, help="port (default 7860, or NEWSRAG_PORT)")
    p.add_argument("--index", default="index", help="index folder (default: index)")
    p.add_argument("--data", default="data",
                   help="articles to index when the index is missing (default: data)")
    p.add_argument("--uploads", help="where uploaded articles are saved (default: DATA/uploads)")
    p.add_argument("--auth", help="require a login: user:pass (or set NEWSRAG_AUTH)")
    add_settings_options(p)


def register(subparsers) -> None:
    """Add the ``serve`` command to `newsrag`'s sub-parsers (called by rag.cli.main)."""
    sp = subparsers.add_parser("serve", help="start the chat app (builds the index if missing)")
    add_arguments(sp)
    sp.set_defaults(func=cmd_serve)


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``user:password`` as a pair; None (the default: ``server.auth``, NEWSRAG_AUTH) when unset."""
    value = value if value is not None else Config().server.auth
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ConfigError("--auth / NEWSRAG_AUTH must look like user:password")
    return user, password


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_or_build(index_dir: Path, data_dir: Path, config: Config | None = None):
    """The loaded index of ``index_dir`` (`rag.retrieval.loader`), built from ``data_dir``
    first if there is none."""
    from rag.errors import IndexNotFoundError
    from rag.retrieval.loader import load_index

    try:
        return load_index(index_dir, config=config)
    except IndexNotFoundError:
        pass
    from rag.build import build_index
    from rag.ingest.readers import SUFFIXES

    files = [data_dir] if data_dir.is_file() else data_dir.rglob("*")
    if not any(p.is_file() and p.suffix.lower() in SUFFIXES for p in files):
        raise NewsragError(
            f"no index in {index_dir} and no articles ({', '.join(SUFFIXES)}) in {data_dir} "
            "to build one from: add some, give --data DIR or build with `newsrag build`"
        )
    print(f"newsrag: no index in {index_dir}; building it from {data_dir} ...", flush=True)
    report = build_index([data_dir], index_dir, show_progress=True, config=config)
    print(report.summary(), flush=True)
    return load_index(index_dir, config=config)


def cmd_serve(args: argparse.Namespace) -> int:
    config = config_from_args(args, host=args.host, port=args.port, auth=args.auth)
    server = config.server
    auth = parse_auth(server.auth)
    index_dir, data_dir = Path(args.index), Path(args.data)
    upload_dir = Path(args.uploads) if args.uploads else data_dir / "uploads"
    index = load_or_build(index_dir, data_dir, config)

    from rag.app.i18n import chinese_ui
    from rag.app.state import SharedIndex
    from rag.app.inputs import MAX_UPLOAD_MB
    from rag.app.ui import CSS, HEAD, build_ui

    shared = SharedIndex(index_dir, upload_dir, index, local_only=is_loopback(server.host),
                         config=config)
    if not is_loopback(server.host):
        note = "password required" if auth else "NO password: anyone on the network can use it"
        print(f"newsrag: warning: listening on {server.host} ({note})", file=sys.stderr,
              flush=True)
    demo = build_ui(shared)
    _warm_up_in_background()
    demo.queue()  # each event sets its own concurrency (rag.app.ui.CHAT_CONCURRENCY, uploads 1)
    demo.launch(
        server_name=server.host, server_port=server.port, ssr_mode=False, auth=auth,
        auth_message="newsrag: 请登录" if auth else None,
        max_file_size=f"{MAX_UPLOAD_MB}mb", css=CSS, head=HEAD, show_error=False,
        footer_links=["api"], i18n=chinese_ui(),
    )
    return 0


def _warm_up_in_background() -> None:
    """Load the reader and its tables while the server starts, so the first question
    is answered as fast as the next (`rag.answering.span_ranker.warm_up`)."""
    import threading

    from rag.answering.span_ranker import warm_up

    def run() -> None:
        try:
            warm_up()
        except Exception:  # noqa: BLE001 - the first question loads it again and says why
            pass

    threading.Thread(target=run, name="newsrag-warm-up", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    """Entry point of app.py: same options and error reporting as `newsrag serve`."""
    p = argparse.ArgumentParser(prog="app.py", description="newsrag chat app")
    add_arguments(p)
    args = p.parse_args(argv)
    try:
        return cmd_serve(args)
    except (NewsragError, ValueError) as exc:
        print(f"newsrag: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
