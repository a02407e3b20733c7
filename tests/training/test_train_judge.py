"""`verify train-judge` for real, a step per stage: what it installs is the average of stages 4 and 5."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from verify.datasets import fv
from verify.datasets import nli as nli_data

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not (nli_data.nli_data_dir() / "xnli-de-en" / "xnli_de_en_aligned.tsv").exists()
        or not all(p.exists() for p in fv.source_files()),
        reason="shared nli-data or fv-data not present",
    ),
]


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _weights(art: Path, base: dict, names: list[str]) -> dict:
    """The assembled (base + artifact) float32 values of `names`."""
    from safetensors.torch import load_file

    from verify.weights.judge import read_artifact_meta
    from verify.weights.quant import apply_artifact

    kinds = read_artifact_meta(art)["tensors"]
    state = apply_artifact(base, load_file(str(art / "judge.safetensors")), {n: kinds[n] for n in names})
    return {n: state[n] for n in names}


def test_train_judge_installs_the_average_of_stages_4_and_5(tmp_path):
    import torch
    from safetensors.torch import load_file

    from verify.cli.main import app
    from verify.weights.e5 import ensure_e5
    from verify.weights.judge import artifact_dir, read_artifact_meta
    from verify.weights.quant import base_key

    shipped = _digests(artifact_dir())
    run = tmp_path / "run"
    # Stages 1-3 count as finished (--resume), with the shipped judge as their artifact: stages 4 and 5 train.
    for stage in ("stage1", "stage2", "stage3"):
        (run / stage / "artifact").mkdir(parents=True)
        for name in ("judge.safetensors", "judge.json"):
            shutil.copy2(artifact_dir() / name, run / stage / "artifact" / name)
        (run / stage / "data_manifest.json").write_text("{}", encoding="utf-8")
    installed = tmp_path / "installed"
    # A stage budget of about a second is one step, at the stage's full learning rate (its warm-up is a
    # second long): enough to move the fp16-stored tensors of stage 5 measurably away from stage 4's.
    out = CliRunner().invoke(app, [
        "train-judge", "--run", str(run), "--resume", "--dev-pairs", "8", "--install-to", str(installed),
        "--stage4-minutes", "0.02", "--stage5-minutes", "0.02"])
    assert out.exit_code == 0, out.output
    assert "stage1: finished earlier; kept" in out.output and "stage4: finished earlier" not in out.output
    assert _digests(artifact_dir()) == shipped  # the shipped judge is untouched
    assert {p.name for p in installed.iterdir()} == {"judge.safetensors", "judge.json", "data_manifest.json"}
    meta = read_artifact_meta(installed)
    s4, s5 = run / "stage4" / "artifact", run / "stage5" / "artifact"
    assert meta["training"]["average_of"] == [read_artifact_meta(s)["sha256"] for s in (s4, s5)]
    manifest = json.loads((installed / "data_manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["average_of"]) == {"stage4", "stage5"}  # the data of both averaged stages
    assert manifest["average_of"]["stage5"]["n_pairs"] > 0

    # Matrices are stored as int8 deltas, whose rounding hides a step's change; vectors and the new
    # classifier head are stored in float16, precise to about 1 part in 2000 of their delta.
    names = [n for n, kind in meta["tensors"].items() if kind in ("delta-fp16", "fp16")]
    assert "classifier.weight" in names and len(names) > 50
    base = load_file(str(ensure_e5() / "model.safetensors"))
    w4, w5, got = (_weights(a, base, names) for a in (s4, s5, installed))

    def delta(name: str, w: torch.Tensor) -> torch.Tensor:
        bk = base_key(name)
        return w - base[bk] if bk in base else w

    moved = 0
    for n in names:
        mean = delta(n, (w4[n] + w5[n]) / 2)
        assert torch.allclose(delta(n, got[n]), mean, rtol=1e-3, atol=1e-6), n
        moved += not torch.allclose(delta(n, w5[n]), mean, rtol=1e-3, atol=1e-6)
    # Without this the check above could not tell the average from stage 5 alone.
    assert moved > len(names) // 2, f"stage 5 moved only {moved} of {len(names)} tensors away from the average"
