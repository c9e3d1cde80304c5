"""The FAISS side of an index folder: exact below `approx_threshold`, IVF+SQ8 above it.

Below the threshold the flat index is exact; above it recall depends on the factory
and nprobe `choose_factory` picks, so the IVF branch is tested on vectors with known
nearest neighbours, and once through a real build forced onto it.
"""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from rag.store import faiss_vectors


def unit_rows(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_factory_is_flat_below_the_threshold_and_ivf_from_it():
    assert faiss_vectors.choose_factory(999, 1000) == ("Flat", 0)
    assert faiss_vectors.choose_factory(1000, 1000) == ("IVF25,SQ8", 8)  # n // 39 caps nlist
    assert faiss_vectors.choose_factory(200_000, 1000) == ("IVF1788,SQ8", 111)  # 4 * sqrt(n)
    assert faiss_vectors.choose_factory(100, 10) == ("IVF16,SQ8", 8)  # at least 16 lists


def test_flat_search_is_exact_and_filtered():
    vecs = unit_rows(200)
    index = faiss_vectors.build(vecs, *faiss_vectors.choose_factory(200, 1000))
    exact = np.argsort(-(vecs @ vecs[7]))[:5]
    got = faiss_vectors.search(index, vecs[7], 5)
    assert [r for r, _ in got] == list(exact) and got[0] == (7, pytest.approx(1.0, abs=1e-5))
    allowed = np.array([3, 50, 120])
    assert {r for r, _ in faiss_vectors.search(index, vecs[7], 5, allowed)} == {3, 50, 120}
    assert faiss_vectors.search(index, vecs[7], 5, np.array([], dtype=np.int64)) == []
    assert faiss_vectors.search(index, vecs[7], 0) == []


def test_ivf_finds_the_neighbours_keeps_nprobe_and_honours_filters(tmp_path):
    n = 2000
    vecs = unit_rows(n)
    factory, nprobe = faiss_vectors.choose_factory(n, 1000)
    index = faiss_vectors.build(vecs, factory, nprobe)
    assert isinstance(faiss.try_extract_index_ivf(index), faiss.IndexIVF)
    assert index.ntotal == n and faiss.extract_index_ivf(index).nprobe == nprobe
    # each stored vector, asked for, comes back first (SQ8 keeps cosines within ~1e-2)
    firsts = [faiss_vectors.search(index, vecs[i], 1)[0] for i in range(0, n, 50)]
    assert [r for r, _ in firsts] == list(range(0, n, 50))
    assert all(abs(s - 1.0) < 0.02 for _, s in firsts)

    faiss_vectors.save(index, tmp_path / "dense.faiss")
    loaded = faiss_vectors.load(tmp_path / "dense.faiss", nprobe)
    assert faiss.extract_index_ivf(loaded).nprobe == nprobe  # not FAISS's default of 1
    allowed = np.arange(1000, 1010)
    # only allowed rows, and only from the probed lists: a filter never widens the search
    assert {r for r, _ in faiss_vectors.search(loaded, vecs[5], 5, allowed)} <= set(allowed.tolist())
    assert faiss_vectors.search(loaded, vecs[1003], 1, allowed)[0][0] == 1003


@pytest.mark.slow
def test_a_build_over_the_threshold_uses_ivf_and_finds_the_same_articles(loaded_index, tmp_path):
    from conftest import SAMPLE
    from samples import SAMPLE_QUESTIONS

    from rag import Config, Index, build_index

    config = Config(approx_threshold=10)
    build_index([SAMPLE], tmp_path / "index", config=config, show_progress=False)
    idx = Index.load(tmp_path / "index", config=config)
    try:
        assert idx.info()["vector_index"].startswith("IVF")
        assert loaded_index.info()["vector_index"] == "Flat"
        for question, title in SAMPLE_QUESTIONS.items():
            assert idx.search(question, 1, mode="dense")[0].title == title, question
    finally:
        idx.close()
