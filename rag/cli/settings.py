"""The settings options every `newsrag` command shares, and the one `Config` they make.

Each command adds `add_settings_options` and builds its configuration with
`config_from_args`, so ``--model`` or ``--store`` mean the same everywhere and an
option not given leaves the setting to the environment (`rag.config`) — or, for
the model, to the index's manifest when one is loaded.
"""

from __future__ import annotations

import argparse

from rag.config import Config

#: option dest -> `Config` short name
OPTIONS = {"model": "model", "store": "store", "milvus_uri": "milvus_uri",
           "milvus_collection": "milvus_collection"}


def add_settings_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="embedding model (default: the index's own, else "
                   "NEWSRAG_MODEL or e5-small; m3e-small is non-commercial)")
    p.add_argument("--store", choices=["faiss", "milvus"],
                   help="where chunks and vectors live (default: NEWSRAG_STORE or faiss)")
    p.add_argument("--milvus-uri", help="e.g. http://host:19530 (token: NEWSRAG_MILVUS_TOKEN)")
    p.add_argument("--milvus-collection", help="collection name prefix (default newsrag)")


def config_from_args(args: argparse.Namespace, **more) -> Config:
    """`Config` from the environment, with the options given (and ``more``) over it."""
    given = {name: getattr(args, dest) for dest, name in OPTIONS.items()
             if getattr(args, dest, None)}
    return Config(**given, **{k: v for k, v in more.items() if v is not None})
