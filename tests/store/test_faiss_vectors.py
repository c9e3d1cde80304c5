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
    got = faiss_vectors.search(index, vecs[7], 5, vectors=vecs)
    assert [r for r, _ in got] == list(exact) and got[0] == (7, pytest.approx(1.0, abs=1e-5))
    allowed = np.array([3, 50, 120])
    assert {r for r, _ in faiss_vectors.search(index, vecs[7], 5, allowed, vectors=vecs)} == {3, 50, 120}
    assert faiss_vectors.search(index, vecs[7], 5, np.array([], dtype=np.int64), vectors=vecs) == []
    assert faiss_vectors.search(index, vecs[7], 0, vectors=vecs) == []


def test_ivf_finds_the_neighbours_keeps_nprobe_and_honours_filters(tmp_path):
    n = 2000
    vecs = unit_rows(n)
    factory, nprobe = faiss_vectors.choose_factory(n, 1000)
    index = faiss_vectors.build(vecs, factory, nprobe)
    assert isinstance(faiss.try_extract_index_ivf(index), faiss.IndexIVF)
    assert index.ntotal == n and faiss.extract_index_ivf(index).nprobe == nprobe
    # each stored vector, asked for, comes back first (SQ8 keeps cosines within ~1e-2)
    firsts = [faiss_vectors.search(index, vecs[i], 1, vectors=vecs)[0] for i in range(0, n, 50)]
    assert [r for r, _ in firsts] == list(range(0, n, 50))
    assert all(abs(s - 1.0) < 0.02 for _, s in firsts)

    faiss_vectors.save(index, tmp_path / "dense.faiss")
    loaded = faiss_vectors.load(tmp_path / "dense.faiss", nprobe)
    assert faiss.extract_index_ivf(loaded).nprobe == nprobe  # not FAISS's default of 1
    allowed = np.arange(1000, 1010)
    assert faiss_vectors.search(loaded, vecs[1003], 1, allowed, vectors=vecs)[0][0] == 1003


def outside_the_probed_lists(index: faiss.Index, vecs: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Rows stored in inverted lists a search for ``query`` does not probe."""
    ivf = faiss.extract_index_ivf(index)
    _, probed = ivf.quantizer.search(query[None], ivf.nprobe)
    _, lists = ivf.quantizer.search(vecs, 1)
    return np.flatnonzero(~np.isin(lists[:, 0], probed[0]))


def exact_top(vecs: np.ndarray, query: np.ndarray, rows: np.ndarray, k: int) -> list[int]:
    return [int(r) for r in rows[np.argsort(-(vecs[rows] @ query), kind="stable")[:k]]]


def test_an_ivf_filter_finds_its_rows_outside_the_probed_lists():
    """A narrow filter is scored exactly: its best rows, although no probed list holds them."""
    vecs = unit_rows(2000)
    index = faiss_vectors.build(vecs, *faiss_vectors.choose_factory(2000, 1000))
    allowed = outside_the_probed_lists(index, vecs, vecs[5])[:10]
    assert len(allowed) == 10
    got = faiss_vectors.search(index, vecs[5], 5, allowed, vectors=vecs)
    assert [r for r, _ in got] == exact_top(vecs, vecs[5], allowed, 5)
    assert [s for _, s in got] == pytest.approx([float(vecs[r] @ vecs[5]) for r, _ in got])
    assert len(faiss_vectors.search(index, vecs[5], 50, allowed, vectors=vecs)) == 10


def test_a_wide_ivf_filter_searches_the_lists_and_is_exact_when_they_hold_too_few():
    n = 10_000
    vecs = unit_rows(n, seed=1)
    index = faiss_vectors.build(vecs, *faiss_vectors.choose_factory(n, 1000))
    ivf = faiss.extract_index_ivf(index)
    assert faiss_vectors.EXACT_ROWS < n // 2 and ivf.ntotal * ivf.nprobe / ivf.nlist < n // 2
    every_other = np.arange(0, n, 2)  # wide: searched in the probed lists
    got = faiss_vectors.search(index, vecs[42], 10, every_other, vectors=vecs)
    assert len(got) == 10 and {r for r, _ in got} <= set(every_other.tolist())
    assert got[0] == (42, pytest.approx(1.0, abs=0.02))
    elsewhere = outside_the_probed_lists(index, vecs, vecs[42])  # wide, yet none probed
    assert len(elsewhere) > faiss_vectors.EXACT_ROWS
    got = faiss_vectors.search(index, vecs[42], 10, elsewhere, vectors=vecs)
    assert [r for r, _ in got] == exact_top(vecs, vecs[42], elsewhere, 10)


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
