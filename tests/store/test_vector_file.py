"""Vectors on disk, read and written block by block (`rag.store.vector_file`)."""

from __future__ import annotations

import faiss
import numpy as np

from rag.store import faiss_vectors, vector_file


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


def test_rows_written_in_any_order_read_back_in_blocks(tmp_path):
    rng = np.random.default_rng(0)
    want = rng.standard_normal((1000, 8)).astype(np.float32)
    out = vector_file.create(tmp_path / "v.npy", 1000, 8)
    order = rng.permutation(1000)
    for lo in range(0, 1000, 64):  # scattered batches, as a length-sorted build writes them
        rows = order[lo : lo + 64]
        out[rows] = want[rows]
        vector_file.release(out)
    out.flush()
    assert np.array_equal(np.load(tmp_path / "v.npy"), want)
    got = np.concatenate(list(vector_file.blocks(np.load(tmp_path / "v.npy", mmap_mode="r"), size=300)))
    assert np.array_equal(got, want)
    picked = [5, 999, 0, 5]
    assert np.array_equal(np.concatenate(list(vector_file.blocks(want, picked, size=3))), want[picked])


def test_saved_parts_follow_each_other_and_an_empty_build_is_a_valid_file(tmp_path):
    a = np.arange(12, dtype=np.float32).reshape(6, 2)
    b = -np.ones((2, 2), dtype=np.float32)
    saved = vector_file.save(tmp_path / "all.npy", [(a, [4, 1]), (b, None)], 2)
    assert np.array_equal(saved, np.concatenate([a[[4, 1]], b]))
    assert np.array_equal(np.load(tmp_path / "all.npy"), saved)
    empty = vector_file.save(tmp_path / "none.npy", [(np.zeros((0, 2), np.float32), None)], 2)
    assert empty.shape == (0, 2)


def test_released_pages_leave_memory_but_not_the_file(tmp_path):
    """The point of the module: 128 MB written through the mapping is resident until
    released, and gone from the process (not from the file) after."""
    n, dim = 65_536, 512  # 128 MB
    out = vector_file.create(tmp_path / "big.npy", n, dim)
    before = _rss_mb()
    out[:] = 1.0
    assert _rss_mb() - before > 100
    vector_file.release(out)
    assert _rss_mb() - before < 20
    out.flush()
    assert float(np.load(tmp_path / "big.npy", mmap_mode="r")[n - 1, dim - 1]) == 1.0


def test_a_plain_view_of_a_mapped_file_releases_its_pages_too(tmp_path):
    """``np.asarray(memmap)`` drops the memmap type (a build passed such a view to `save`,
    which then kept the whole file resident: 384 MB at 69,549 documents)."""
    n, dim = 131_072, 512  # 256 MB, eight blocks
    vector_file.create(tmp_path / "big.npy", n, dim)[:] = 2.0
    view = np.asarray(np.load(tmp_path / "big.npy", mmap_mode="r")).reshape(-1, dim)
    assert type(view) is np.ndarray
    before = _rss_mb()
    copied = sum(float(b[0, 0]) for b in vector_file.blocks(view))
    assert copied == 2.0 * len(range(0, n, vector_file.BLOCK_ROWS))
    # a block copied and its mapped pages (32 MB each; the allocator may keep the last
    # copy), never the 256 MB file
    assert _rss_mb() - before < 128


def test_faiss_built_from_a_mapped_file_equals_one_built_in_memory(tmp_path):
    rng = np.random.default_rng(1)
    vecs = rng.standard_normal((3000, 16)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    np.save(tmp_path / "v.npy", vecs)
    mapped = np.load(tmp_path / "v.npy", mmap_mode="r")
    for factory, nprobe in (("Flat", 0), faiss_vectors.choose_factory(3000, 1000)):
        a = faiss_vectors.build(vecs, factory, nprobe)
        b = faiss_vectors.build(mapped, factory, nprobe)
        q = vecs[:5]
        assert np.array_equal(a.search(q, 10)[1], b.search(q, 10)[1]), factory
    plain = faiss.IndexFlatIP(16)  # the flat index filled in place equals FAISS's own add
    plain.add(vecs)
    filled = faiss_vectors.build(mapped, "Flat", 0)
    assert filled.ntotal == 3000
    assert np.array_equal(faiss.rev_swig_ptr(filled.codes.data(), filled.codes.size()),
                          faiss.rev_swig_ptr(plain.codes.data(), plain.codes.size()))
    assert faiss_vectors.build(vecs[:0], "Flat", 0).ntotal == 0
