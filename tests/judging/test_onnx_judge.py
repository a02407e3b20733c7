"""The ONNX judge agrees with the torch judge it was exported from."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def judge_folder():
    from verify.judging.nli import nli_shipped

    if not nli_shipped():
        pytest.skip("no judge artifact shipped in verify/weights/judge_artifact")
    from verify.judging.nli import default_nli_folder

    return default_nli_folder()


def _shipped_pairs(n: int) -> list[tuple[str, str, str]]:
    """(English or German evidence note, German seed claim) pairs from files in the repository."""
    from verify.sources.files import load_corpus

    from ..conftest import FIXTURES, ROOT

    notes = [d.text[:600] for d in load_corpus([ROOT / "evidence"]).documents]
    claims = [line.strip() for f in ("original_de.txt", "altered_de.txt")
              for line in (FIXTURES / f).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(notes[i % len(notes)], claims[(i * 7) % len(claims)], "") for i in range(n)]


def test_onnx_matches_torch_on_xnli_sample(judge_folder):
    from verify.eval.gold import load
    from verify.judging.nli import NLIJudge
    from verify.judging.onnx import ONNXNLIJudge, ensure_onnx, onnx_folder_ok

    try:
        rows = load("xnli-en-de")[:96]
    except FileNotFoundError:  # no ../shared/nli-data (a clean CI clone): the shipped notes and seed claims
        rows = _shipped_pairs(96)
    premises, hypotheses = [r[0] for r in rows], [r[1] for r in rows]
    onnx_dir = ensure_onnx(judge_folder)
    assert onnx_folder_ok(onnx_dir, judge_folder)
    p_onnx = ONNXNLIJudge(onnx_dir).probabilities(premises, hypotheses)
    p_torch = NLIJudge(judge_folder).probabilities(premises, hypotheses)
    assert np.allclose(p_onnx.sum(axis=1), 1.0, atol=1e-4)
    agreement = float((p_onnx.argmax(1) == p_torch.argmax(1)).mean())
    assert agreement >= 0.97, agreement
    assert float(np.abs(p_onnx - p_torch).max()) < 0.02


def test_damaged_onnx_export_is_rebuilt(judge_folder, tmp_path):
    import shutil

    from verify.judging.onnx import ensure_onnx, onnx_folder_ok

    good = ensure_onnx(judge_folder)
    copy = tmp_path / "copy"
    shutil.copytree(good, copy)
    assert onnx_folder_ok(copy, judge_folder)
    with open(copy / "model.onnx", "r+b") as f:
        f.truncate(1000)
    assert not onnx_folder_ok(copy, judge_folder)
