"""Tests for rag.config (one frozen Config in sections) and the manifest that feeds it back.

The environment is the user's real interface: every case sets real variables
(monkeypatch) and builds a real `Config`; the manifest cases build a real index
with the real model.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from pydantic import ValidationError

from rag import Config, Index, build_index, search
from rag.cli.main import parser
from rag.cli.settings import config_from_args
from rag.config import LLMSettings, cache_dir
from rag.errors import IndexMismatchError
from rag.store.manifest import Manifest


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """No NEWSRAG_* setting of the machine running the tests leaks in."""
    import os

    for name in list(os.environ):
        if name.startswith("NEWSRAG_") or name == "MILVUS_TOKEN":
            monkeypatch.delenv(name)


def test_defaults_are_grouped_in_sections():
    c = Config()
    assert (c.embedding.model, c.embedding.backend) == ("e5-small", "openvino")
    assert (c.chunking.chunk_size, c.retrieval.fusion, c.store.kind) == (350, "cosine", "faiss")
    assert c.llm.base_url is None and c.server.host == "127.0.0.1" and c.server.port == 7860
    assert c.timezone == "Asia/Shanghai" and c.cache_dir == Path("~/.cache/newsrag").expanduser()


def test_documented_flat_environment_names(monkeypatch, tmp_path):
    for name, value in {"NEWSRAG_MODEL": "e5-small", "NEWSRAG_BACKEND": "torch",
                        "NEWSRAG_BATCH_SIZE": "2", "NEWSRAG_THREADS": "1",
                        "NEWSRAG_CHUNK_SIZE": "200", "NEWSRAG_TITLE_CONTEXT": "false",
                        "NEWSRAG_FUSION": "rrf", "NEWSRAG_KEYWORD_WEIGHT": "0.3",
                        "NEWSRAG_APPROX_THRESHOLD": "1000", "NEWSRAG_STORE": "milvus",
                        "NEWSRAG_MILVUS_URI": "http://db:19530", "NEWSRAG_MILVUS_TOKEN": "milvus-s3cret",
                        "NEWSRAG_LLM_BASE_URL": "http://127.0.0.1:9/v1",
                        "NEWSRAG_LLM_MODEL": "qwen", "NEWSRAG_LLM_API_KEY": "llm-s3cret",
                        "NEWSRAG_LLM_EXTRA_BODY": '{"grammar": "x"}',
                        "NEWSRAG_TIMEZONE": "Europe/Berlin", "NEWSRAG_CACHE": str(tmp_path),
                        "NEWSRAG_AUTH": "ann:pw"}.items():
        monkeypatch.setenv(name, value)
    c = Config()
    assert c.embedding.model_dump() == {"model": "e5-small", "backend": "torch", "batch_size": 2,
                                        "threads": 1, "max_seq_length": 512}
    assert (c.chunking.chunk_size, c.chunking.title_context) == (200, False)
    assert (c.retrieval.fusion, c.retrieval.keyword_weight, c.retrieval.approx_threshold) == (
        "rrf", 0.3, 1000)
    assert (c.store.kind, c.store.milvus_uri, c.store.milvus_token) == (
        "milvus", "http://db:19530", "milvus-s3cret")
    assert (c.llm.base_url, c.llm.model, c.llm.api_key) == ("http://127.0.0.1:9/v1", "qwen", "llm-s3cret")
    assert c.llm.extra_body == {"grammar": "x"}
    assert (c.timezone, c.cache_dir, cache_dir(), c.server.auth) == (
        "Europe/Berlin", tmp_path, tmp_path, "ann:pw")
    assert not any(secret in repr(c) for secret in ("milvus-s3cret", "llm-s3cret", "ann:pw"))


def test_nested_environment_names_win_over_flat_ones(monkeypatch):
    monkeypatch.setenv("NEWSRAG_CHUNK_SIZE", "200")
    monkeypatch.setenv("NEWSRAG_CHUNKING__CHUNK_SIZE", "300")
    monkeypatch.setenv("NEWSRAG_EMBEDDING__MODEL", "e5-small")
    monkeypatch.setenv("NEWSRAG_SERVER__PORT", "8000")
    monkeypatch.setenv("MILVUS_TOKEN", "old-name")
    c = Config()
    assert (c.chunking.chunk_size, c.embedding.model, c.server.port) == (300, "e5-small", 8000)
    assert c.store.milvus_token == "old-name"
    monkeypatch.setenv("NEWSRAG_MILVUS_TOKEN", "new-name")
    assert Config().store.milvus_token == "new-name"


def test_keywords_flat_or_nested_over_the_environment(monkeypatch):
    monkeypatch.setenv("NEWSRAG_MILVUS_URI", "http://db:19530")
    monkeypatch.setenv("NEWSRAG_MODEL", "e5-small")
    c = Config(store="milvus", chunk_size=200, model="m3e-small")
    # a keyword replaces one field, never the section the environment filled
    assert (c.store.kind, c.store.milvus_uri) == ("milvus", "http://db:19530")
    assert (c.chunking.chunk_size, c.embedding.model) == (200, "m3e-small")
    nested = Config(store={"kind": "milvus"}, chunking={"chunk_size": 200},
                    embedding={"model": "m3e-small"})
    assert nested == c
    assert Config(llm={"timeout": 5}).llm.timeout == 5.0
    assert LLMSettings(timeout=5).timeout == 5.0


def test_frozen_and_flat_attributes_deprecated():
    c = Config(chunk_size=200)
    with pytest.raises(ValidationError, match="frozen"):
        c.timezone = "UTC"
    with pytest.raises(ValidationError, match="frozen"):
        c.chunking.chunk_size = 100
    with pytest.warns(DeprecationWarning, match=r"Config\.chunking\.chunk_size"):
        assert c.chunk_size == 200
    with pytest.raises(AttributeError):
        c.no_such_setting  # noqa: B018
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the sections themselves never warn
        assert c.chunking.chunk_size == 200 and c.embedding_id() == "e5-small@openvino"


@pytest.mark.parametrize("kwargs, env, named", [
    ({"chunk_size": 10}, {}, "chunking.chunk_size (NEWSRAG_CHUNK_SIZE)"),
    ({"backend": "cuda"}, {}, "embedding.backend (NEWSRAG_BACKEND)"),
    ({"store": "postgres"}, {}, "store.kind (NEWSRAG_STORE)"),
    ({}, {"NEWSRAG_THREADS": "many"}, "embedding.threads (NEWSRAG_THREADS)"),
    ({}, {"NEWSRAG_LLM_TIMEOUT": "-1"}, "llm.timeout (NEWSRAG_LLM_TIMEOUT)"),
    ({}, {"NEWSRAG_SERVER__PORT": "99999"}, "server.port (NEWSRAG_PORT)"),
    ({"no_such_setting": 1}, {}, "no_such_setting"),
])
def test_bad_values_raise_value_error_naming_the_setting(monkeypatch, kwargs, env, named):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=named.replace("(", r"\(").replace(")", r"\)")):
        Config(**kwargs)


def test_bad_json_in_the_environment_names_the_variable(monkeypatch):
    monkeypatch.setenv("NEWSRAG_LLM_EXTRA_BODY", "{not json")
    with pytest.raises(ValueError, match="NEWSRAG_LLM_EXTRA_BODY"):
        Config()


def test_manifest_round_trip():
    m = Manifest.for_build(Config(chunk_size=200, backend="torch"), 512, {"/data": None})
    done = m.committed(counts={"articles": 2, "chunks": 9}, faiss={"factory": "Flat", "nprobe": 1})
    stored = json.loads(json.dumps(done.to_dict()))
    assert Manifest.from_dict(stored) == done
    assert "milvus" not in stored and stored["chunking"]["chunk_size"] == 200
    assert Manifest.from_dict({**stored, "added_later": 1}) == done  # newer fields are ignored
    with pytest.raises(ValueError, match="incomplete"):
        Manifest.from_dict({"model": "m3e-small"})
    assert done.matches(Config(chunk_size=200)) is None
    assert "chunking settings changed" in done.matches(Config())
    loaded = done.settings(Config(model="m3e-small"))  # the given model kept, the rest taken
    assert (loaded.embedding.backend, loaded.chunking.chunk_size) == ("torch", 200)


def test_index_loads_with_the_settings_it_was_built_with(corpus, tmp_path, model_path):
    """Built with a model named by its folder and 200-character chunks: loading with no
    config (and no NEWSRAG_*) uses both, and search embeds with that model."""
    index_dir = tmp_path / "index"
    build_index([corpus], index_dir, show_progress=False,
                config=Config(model=str(model_path), chunk_size=200))
    idx = Index.load(index_dir)
    try:
        assert idx.config.embedding.model == str(model_path)
        assert idx.config.chunking.chunk_size == 200
        assert idx.search("城南大桥全长多少米", 1)[0].title == "城南大桥今日通车"
    finally:
        idx.close()
    # settings not about the index still come from the config given
    idx = Index.load(index_dir, config=Config(candidates=7))
    assert (idx.config.retrieval.candidates, idx.config.chunking.chunk_size) == (7, 200)
    idx.close()
    hits = search("城南大桥全长多少米", 1, index_dir=index_dir, config=Config(candidates=7))
    assert hits[0].title == "城南大桥今日通车"
    # a model set explicitly that is not the index's is refused, by keyword or environment
    with pytest.raises(IndexMismatchError, match="rebuild"):
        Index.load(index_dir, config=Config(model="m3e-small"))


def test_every_command_builds_config_the_same_way(monkeypatch):
    monkeypatch.setenv("NEWSRAG_MILVUS_URI", "http://db:19530")
    for argv in (["serve", "--model", "e5-small", "--store", "milvus"],
                 ["build", "x", "--model", "e5-small", "--store", "milvus"],
                 ["search", "q", "--model", "e5-small", "--store", "milvus"],
                 ["ask", "q", "--model", "e5-small", "--store", "milvus"],
                 ["eval", "q.jsonl", "--format", "jsonl", "--model", "e5-small",
                  "--store", "milvus"]):
        c = config_from_args(parser().parse_args(argv))
        assert (c.embedding.model, c.store.kind, c.store.milvus_uri) == (
            "e5-small", "milvus", "http://db:19530"), argv
    args = parser().parse_args(["serve"])
    c = config_from_args(args)
    assert "model" not in c.explicit("embedding") and c.store.kind == "faiss"
    monkeypatch.setenv("NEWSRAG_PORT", "8001")
    args = parser().parse_args(["serve", "--host", "0.0.0.0"])
    c = config_from_args(args, host=args.host, port=args.port)
    assert (c.server.host, c.server.port) == ("0.0.0.0", 8001)
