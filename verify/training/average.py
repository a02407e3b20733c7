"""Average the trained tensors of judges on one training trajectory (a weight soup) into an artifact.

    python -m verify.training.average runs/judge-stage4/artifact verify/weights/judge_artifact \
        --out runs/judge-stage4/soup-artifact

Each input is an artifact folder; each is assembled onto the e5 base (in a temporary folder) and the
tensors any of them trained are averaged uniformly, then exported like `train.py` does. Averages only
make sense for judges that share a trajectory (a stage and the stage it continued from).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path


def average(artifacts: list[Path], out_dir: Path) -> Path:
    """Uniform average of the artifacts' trained tensors, exported to `out_dir` (judge.safetensors + judge.json)."""
    import torch
    from safetensors.torch import load_file

    from verify.training.export import export
    from verify.weights.e5 import ensure_e5
    from verify.weights.judge import ensure_judge, read_artifact_meta

    if len(artifacts) < 2:
        raise ValueError("averaging needs at least two artifacts")
    metas = [read_artifact_meta(a) for a in artifacts]
    keys = set().union(*(m["tensors"] for m in metas))
    total: dict[str, torch.Tensor] = {}
    with tempfile.TemporaryDirectory(prefix="verify-average-") as tmp:
        for i, art in enumerate(artifacts):
            folder = ensure_judge(Path(tmp) / f"m{i}", artifact=art)
            weights = load_file(str(folder / "model.safetensors"))
            for k in keys:
                # assembled folders use BertForSequenceClassification names ("bert." + base name)
                w = weights[k].float()
                total[k] = w if k not in total else total[k] + w
    avg = {k: v / len(artifacts) for k, v in total.items()}
    info = {"training": {"average_of": [m["sha256"] for m in metas], "method": "uniform average of the trained tensors"}}
    return export(avg, ensure_e5(), out_dir, info)


def main() -> None:
    ap = argparse.ArgumentParser(description="average judge artifacts (a weight soup)")
    ap.add_argument("artifacts", nargs="+", type=Path)
    ap.add_argument("--out", required=True, type=Path)
    a = ap.parse_args()
    p = average(a.artifacts, a.out)
    print(f"wrote {p} ({p.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
