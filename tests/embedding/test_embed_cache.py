"""Checkpoints of an interrupted build: found again, per model, torn or damaged files skipped."""

from __future__ import annotations

import numpy as np
import pytest

from rag.embedding.embed_cache import EmbeddingCache


def vectors(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, 8)).astype(np.float32)


def test_saved_batches_are_found_by_a_later_build(tmp_path):
    first = EmbeddingCache(tmp_path, "m3e-small@openvino")
    a, b = vectors(2, 0), vectors(1, 1)
    first.save_batch(["h1", "h2"], a)
    first.save_batch(["h3"], b)
    later = EmbeddingCache(tmp_path, "m3e-small@openvino")  # a new process, same model
    found = later.lookup(["h3", "h1", "unknown"])
    assert set(found) == {"h1", "h3"}
    np.testing.assert_array_equal(found["h1"], a[0])
    np.testing.assert_array_equal(found["h3"], b[0])
    assert found["h1"].dtype == np.float32
    assert later.lookup([]) == {}


def test_another_model_never_sees_the_vectors(tmp_path):
    EmbeddingCache(tmp_path, "m3e-small@openvino").save_batch(["h1"], vectors(1, 0))
    assert EmbeddingCache(tmp_path, "m3e-small").lookup(["h1"]) == {}
    assert EmbeddingCache(tmp_path, "e5-small@openvino").lookup(["h1"]) == {}
    assert len(list(tmp_path.iterdir())) == 1  # one folder per model


def test_a_torn_or_foreign_checkpoint_costs_only_its_batch(tmp_path):
    cache = EmbeddingCache(tmp_path, "m3e-small")
    cache.save_batch(["good"], vectors(1, 0))
    assert [p.name.endswith(".tmp.npz") for p in cache.folder.iterdir()] == [False]
    # a writer killed before its os.replace leaves a .tmp file, never read
    np.savez(cache.folder / "part-torn.tmp.npz", hashes=np.array(["torn"]), vectors=vectors(1, 1))
    np.savez(cache.folder / "part-wrongkeys.npz", other=np.zeros(3))
    assert set(EmbeddingCache(tmp_path, "m3e-small").lookup(["good", "torn"])) == {"good"}


@pytest.mark.parametrize("damage", ["cut short", "empty"])
def test_a_damaged_checkpoint_costs_only_its_batch(tmp_path, damage):
    cache = EmbeddingCache(tmp_path, "m3e-small")
    cache.save_batch(["good"], vectors(1, 0))
    (good,) = cache.folder.iterdir()
    data = good.read_bytes()[:100] if damage == "cut short" else b""
    (cache.folder / "part-damaged.npz").write_bytes(data)
    assert set(EmbeddingCache(tmp_path, "m3e-small").lookup(["good"])) == {"good"}
