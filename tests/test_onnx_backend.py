"""The ONNX Runtime backends: exported once into the cache, faithful to torch, searchable."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from conftest import SAMPLE

from rag import export_encoder, onnx_backend
from rag.errors import ConfigError

SENTENCES = [
    "国家统计局今天发布了上半年国民经济运行数据。",
    "上半年国内生产总值同比增长5.5%，经济运行总体回升向好。",
    "台风“杜苏芮”预计明天上午在福建沿海登陆。",
    "气象部门发布暴雨红色预警，提醒市民减少外出。",
    "北京市总工会举办劳模工匠主题创作展。",
    "展览共展出绘画、雕塑、摄影等作品一百余件。",
    "新能源汽车销量连续八年位居全球第一。",
    "动力电池企业加快海外建厂步伐。",
    "教育部部署做好高校毕业生就业创业工作。",
    "今年高校毕业生规模预计达1158万人。",
    "世界大学生运动会在成都开幕。",
    "中国代表团获得金牌总数第一。",
    "央行宣布下调金融机构存款准备金率0.25个百分点。",
    "此次降准将释放长期资金约5000亿元。",
    "国产大飞机C919开启商业运营首航。",
    "首航航班从上海虹桥机场飞往北京首都机场。",
    "夏粮生产再获丰收，总产量达到2923亿斤。",
    "农业农村部表示将全力抓好秋粮生产。",
    "研究人员在南极发现新的微生物物种，这项发现有助于理解极端环境下的生命演化。",
    "文化和旅游部数据显示，暑期国内旅游人次同比大幅增长，博物馆、科技馆一票难求，"
    "亲子游、研学游成为热点。",
]

QUESTIONS = [
    "本次展览共展出多少件作品？",
    "温暖基金会爱心互助行动的时间是什么时候？",
    "教职工之家有多大面积？",
    "数字经济职业技能竞赛有多少名选手参加？",
]


def assert_same_top_articles(want_idx, got_idx):
    """Every question's top article, dense and fused, is the same in both indexes."""
    for q in QUESTIONS:
        for mode in ("dense", "hybrid"):
            want = want_idx.search(q, 1, mode=mode)[0]
            got = got_idx.search(q, 1, mode=mode)[0]
            assert (got.title, mode) == (want.title, mode), q


def test_fingerprint_follows_the_model_files(tmp_path):
    model = tmp_path / "tiny-model"
    model.mkdir()
    (model / "config.json").write_text('{"hidden_size": 8}')
    (model / "pytorch_model.bin").write_bytes(b"weights")
    (model / "README.md").write_text("not part of the model")
    first = onnx_backend.fingerprint(model)
    (model / "README.md").write_text("edited")
    assert onnx_backend.fingerprint(model) == first
    (model / "pytorch_model.bin").write_bytes(b"other weights")
    assert onnx_backend.fingerprint(model) != first


def test_onnx_backend_needs_a_local_folder(tmp_path):
    with pytest.raises(ConfigError, match="local model folder"):
        onnx_backend.fingerprint(tmp_path / "BAAI" / "no-such-model")
    with pytest.raises(ConfigError, match="unknown ONNX backend"):
        onnx_backend.onnx_file(tmp_path, "onnx-fp16")


@pytest.mark.slow
def test_export_is_made_once_and_reused(onnx_cache, model_path, monkeypatch):
    t0 = time.time()
    folder = onnx_backend.ensure_export(model_path)
    assert folder.parent == onnx_cache / "onnx"
    assert {p.name for p in folder.iterdir()} == {
        onnx_backend.FP32_FILE, onnx_backend.INT8_FILE, onnx_backend.MARKER,
        # the torch-free query path's recipe, checked against torch with the export
        export_encoder.RECIPE, export_encoder.TOKENIZER_FILE, export_encoder.CHECK_FILE}
    assert export_encoder.read_recipe(folder)["checks"]["onnx"] >= 0.9999
    # no temp folder left (fingerprints.json spares later processes hashing the weights)
    assert {p.name for p in folder.parent.iterdir()} - {"fingerprints.json"} == {folder.name}
    sizes = {p.name: p.stat().st_size for p in folder.iterdir()}
    assert sizes[onnx_backend.INT8_FILE] < 0.75 * sizes[onnx_backend.FP32_FILE]  # int8 weights
    stamp = (folder / onnx_backend.MARKER).stat().st_mtime_ns
    print(f"export took {time.time() - t0:.1f}s")

    def no_second_export(*_a, **_k):
        raise AssertionError("exported again although the cache holds the export")

    monkeypatch.setattr(onnx_backend, "_export", no_second_export)
    assert onnx_backend.ensure_export(model_path) == folder
    model = onnx_backend.load_onnx_model(model_path, "onnx-int8", threads=1)
    assert model.encode_query(["你好"]).shape == (1, 512)
    assert (folder / onnx_backend.MARKER).stat().st_mtime_ns == stamp


@pytest.mark.slow
def test_onnx_embeddings_match_torch(onnx_cache, model_path):
    from sentence_transformers import SentenceTransformer

    torch_model = SentenceTransformer(str(model_path), device="cpu")
    ref = torch_model.encode(SENTENCES, normalize_embeddings=True)
    for backend, floor in (("onnx", 0.9999), ("onnx-int8", 0.98)):
        model = onnx_backend.load_onnx_model(model_path, backend)
        vecs = model.encode(SENTENCES, normalize_embeddings=True)
        cos = np.sum(vecs * ref, axis=1)
        assert cos.min() >= floor, (backend, float(cos.min()))
    # the query path is torch's query path (m3e-small has no prompts; e5-small's "query: " /
    # "passage: " are checked in test_cold_path)
    fp32 = onnx_backend.load_onnx_model(model_path, "onnx")
    unit = lambda v: v / np.linalg.norm(v, axis=1, keepdims=True)  # noqa: E731
    q_ref = unit(np.asarray(torch_model.encode_query(SENTENCES[:3])))
    assert np.sum(unit(np.asarray(fp32.encode_query(SENTENCES[:3]))) * q_ref, axis=1).min() >= 0.9999


@pytest.mark.slow
def test_int8_index_finds_the_same_articles_as_torch(onnx_cache, tmp_path):
    from rag import Config, Index, build_index

    indexes = {}
    for backend in ("torch", "onnx-int8"):
        config = Config(backend=backend)
        build_index([SAMPLE], tmp_path / backend, config=config, show_progress=False)
        indexes[backend] = Index.load(tmp_path / backend, config=config)
    torch_idx, int8_idx = indexes["torch"], indexes["onnx-int8"]
    try:
        assert isinstance(int8_idx.embedder.model, export_encoder.ExportEncoder)
        assert int8_idx.embedder.model.backend == "onnx-int8"
        assert not isinstance(torch_idx.embedder.model, export_encoder.ExportEncoder)
        assert_same_top_articles(torch_idx, int8_idx)
    finally:
        torch_idx.close()
        int8_idx.close()
    assert os.listdir(onnx_cache / "onnx")  # the build used the test's cache, not ~/.cache
