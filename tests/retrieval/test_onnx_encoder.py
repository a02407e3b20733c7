"""The ONNX e5 encoder gives the torch (sentence-transformers) encoder's vectors, without torch at run time."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

pytestmark = pytest.mark.e2e

TEXTS = [
    "Fluidstack wurde 2017 in London gegründet.",
    "Fluidstack was founded in 2017 and is based in London.",
    "",
    "Die Studienlage ist unzureichend. " * 200,  # past max length: both truncate the same way
    "1 GW, $11bn, Feb. 2025 — Paris.",
]


def test_onnx_and_torch_backends_give_the_same_vectors():
    from verify.retrieval.encoders import E5SmallEncoder

    onnx, torch_ = E5SmallEncoder(), E5SmallEncoder(backend="torch")
    assert (onnx.id, onnx.version, onnx.dimension) == (torch_.id, torch_.version, torch_.dimension)
    for enc_a, enc_b in ((onnx.encode_queries, torch_.encode_queries), (onnx.encode_passages, torch_.encode_passages)):
        a, b = enc_a(TEXTS), enc_b(TEXTS)
        assert a.shape == b.shape == (len(TEXTS), 384) and a.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
        assert float((a * b).sum(axis=1).min()) >= 0.9999
    assert onnx.encode_passages([]).shape == (0, 384)


def test_the_export_is_reused_and_redone_when_damaged(tmp_path):
    from verify.retrieval.onnx_encoder import EXPORT_VERSION, ensure_onnx_encoder
    from verify.weights.e5 import ensure_e5
    from verify.weights.onnx import onnx_folder_ok

    source = ensure_e5()
    out = ensure_onnx_encoder(source)
    assert onnx_folder_ok(out, source, EXPORT_VERSION)
    stamp = (out / "model.onnx").stat().st_mtime_ns
    assert ensure_onnx_encoder(source) == out and (out / "model.onnx").stat().st_mtime_ns == stamp
    from verify.judging.onnx import EXPORT_VERSION as JUDGE_EXPORT_VERSION

    assert not onnx_folder_ok(out, source, JUDGE_EXPORT_VERSION)  # the judge's export version does not vouch for this folder


def test_encoding_with_e5_does_not_import_torch():
    from verify.retrieval.onnx_encoder import ensure_onnx_encoder
    from verify.weights.e5 import ensure_e5

    ensure_onnx_encoder(ensure_e5())  # the one-time export needs torch; using it must not
    code = ("import sys; from verify.retrieval.encoders import E5SmallEncoder; E5SmallEncoder().encode_queries(['x']); "
            "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]
