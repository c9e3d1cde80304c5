"""The export's fingerprint: it follows the model's files, not what lies beside them."""

from __future__ import annotations

import pytest

from rag.embedding import export_fingerprint
from rag.errors import ConfigError


def test_fingerprint_follows_the_model_files(tmp_path):
    model = tmp_path / "tiny-model"
    model.mkdir()
    (model / "config.json").write_text('{"hidden_size": 8}')
    (model / "pytorch_model.bin").write_bytes(b"weights")
    (model / "README.md").write_text("not part of the model")
    first = export_fingerprint.fingerprint(model)
    (model / "README.md").write_text("edited")
    assert export_fingerprint.fingerprint(model) == first
    (model / "pytorch_model.bin").write_bytes(b"other weights")
    assert export_fingerprint.fingerprint(model) != first


def test_fingerprint_needs_a_local_folder(tmp_path):
    with pytest.raises(ConfigError, match="local model folder"):
        export_fingerprint.fingerprint(tmp_path / "BAAI" / "no-such-model")
