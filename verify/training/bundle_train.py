"""Train judge candidates from a bundle (`verify.training.bundle`) on CUDA or CPU, several at once.

Needs only torch, numpy, safetensors and transformers, so it runs on a host without the project's other
dependencies. Each candidate fine-tunes e5 (or continues from a judge artifact) for whole epochs with a
step-based warmup/linear decay, scores the bundle's choice sets every half epoch, keeps its best state
by mnli-choice-en accuracy, and exports it as the artifact's int8 deltas in parts under 15 MB:

    python -m verify.training.bundle_train --bundle runs/bundle-v6 --out runs/gpu \\
        --configs scripts/judge_gpu_configs.json --keep 2
    python -m verify.training.bundle merge runs/gpu/A runs/gpu/A-artifact
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from verify.training import bundle as bundle_mod

MAX_FILES = 8  # what a device call brings back from its output folder

DEFAULTS = {
    "init": "base",  # "base" (plain e5) or a judge artifact folder
    "freeze_layers": 0,
    "lr": 4e-5,
    "epochs": 3,
    "bs": 32,
    "warmup_frac": 0.1,
    "weight_decay": 0.01,
    "seed": 7,
    "evals_per_epoch": 2,
}


def _batches(lens: np.ndarray, bs: int, rng: random.Random) -> list[list[int]]:
    """Length-bucketed batches (chunks of 50 batches sorted by length), in shuffled order."""
    idx = list(range(len(lens)))
    rng.shuffle(idx)
    out = []
    chunk = bs * 50
    for i in range(0, len(idx), chunk):
        ch = sorted(idx[i : i + chunk], key=lambda j: lens[j])
        out += [ch[k : k + bs] for k in range(0, len(ch), bs)]
    rng.shuffle(out)
    return out


def _pad(ids: np.ndarray, off: np.ndarray, rows: list[int], pad: int, device):
    import torch

    n = max(int(off[j + 1] - off[j]) for j in rows)
    n = (n + 7) // 8 * 8
    x = np.full((len(rows), n), pad, dtype=np.int64)
    m = np.zeros((len(rows), n), dtype=np.int64)
    for r, j in enumerate(rows):
        seq = ids[off[j] : off[j + 1]]
        x[r, : len(seq)] = seq
        m[r, : len(seq)] = 1
    return torch.from_numpy(x).to(device, non_blocking=True), torch.from_numpy(m).to(
        device, non_blocking=True
    )


def build_model(meta: dict, base: dict, init: str, seed: int):
    """(BertForSequenceClassification over the bundle's dense vocabulary, the init artifact's judge.json
    or {} for plain e5), from e5 or an artifact."""
    import torch
    from safetensors.torch import load_file
    from transformers import BertConfig, BertForSequenceClassification

    from verify.weights.quant import apply_artifact

    cfg = {
        k: v for k, v in meta["config"].items() if k not in ("architectures", "transformers_version", "dtype")
    }
    cfg.update(vocab_size=meta["vocab_size"], num_labels=3)
    cfg["id2label"] = {0: "entailment", 1: "neutral", 2: "contradiction"}
    cfg["label2id"] = {v: k for k, v in cfg["id2label"].items()}
    torch.manual_seed(seed)
    model = BertForSequenceClassification(BertConfig(**cfg))
    ameta: dict = {}
    if init == "base":
        state = {"bert." + k: v for k, v in base.items()}
    else:
        art = Path(init)
        ameta = json.loads((art / "judge.json").read_text(encoding="utf-8"))
        if ameta.get("base_model_sha256") not in (None, meta["base_model_sha256"]):
            raise ValueError(
                f"{art}: built on base {ameta['base_model_sha256'][:12]}, "
                f"the bundle's is {meta['base_model_sha256'][:12]}"
            )
        state = apply_artifact(base, load_file(str(art / "judge.safetensors")), ameta["tensors"])
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.startswith("classifier.") and not k.endswith("position_ids")]
    if missing or unexpected:
        raise ValueError(f"state mismatch: missing {missing[:3]}, unexpected {unexpected[:3]}")
    return model, ameta


def evaluate(model, data, name: str, kind: str, pad: int, device, limit: int = 0, bs: int = 128) -> float:
    import torch

    ids, off, lab = data[name + ".ids"], data[name + ".off"], data[name + ".lab"]
    n = len(lab) if not limit else min(limit, len(lab))
    order = sorted(range(n), key=lambda j: off[j + 1] - off[j])
    correct = 0
    model.eval()
    with (
        torch.inference_mode(),
        torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"),
    ):
        for i in range(0, n, bs):
            rows = order[i : i + bs]
            x, m = _pad(ids, off, rows, pad, device)
            pred = model(input_ids=x, attention_mask=m).logits.float().argmax(-1).cpu().numpy()
            if kind == "2way":
                pred = (pred != 0).astype(np.int64)
            correct += int((pred == lab[rows]).sum())
    model.train()
    return correct / n


def train_one(
    bundle: Path, name: str, cfg: dict, out: Path, deadline: float, max_steps: int = 0, eval_limit: int = 0
):
    """Train one candidate; writes out/log.txt, out/result.json and out/part-*.safetensors."""
    import torch
    from safetensors.torch import save_file

    from verify.training.export import delta_tensors
    from verify.training.optim import param_groups

    cfg = {**DEFAULTS, **cfg}
    out.mkdir(parents=True, exist_ok=True)
    logf = open(out / "log.txt", "a", encoding="utf-8")
    t0 = time.time()

    def log(msg: str) -> None:
        line = f"{time.time() - t0:7.1f}s {name} {msg}"
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.backends.cuda.matmul.allow_tf32 = True
    random.seed(cfg["seed"])
    np.random.seed(cfg["seed"])
    meta, base = bundle_mod.load_base(bundle)
    data = dict(np.load(bundle / "data.npz"))
    pad = meta["pad_id"]
    model, init_meta = build_model(meta, base, cfg["init"], cfg["seed"])
    model.to(device)
    bert = model.bert
    bert.embeddings.requires_grad_(False)
    for layer in bert.encoder.layer[: cfg["freeze_layers"]]:
        layer.requires_grad_(False)
    # Exported = trained here + what the init artifact had changed (frozen here, it must not revert to base).
    saved = {n for n, p in model.named_parameters() if p.requires_grad or n in init_meta.get("tensors", {})}
    log(
        f"config {json.dumps(cfg)}; device {device}; trainable {sum(p.numel() for p in model.parameters() if p.requires_grad) / 1e6:.1f}M"
    )
    decay, nodecay, groups = param_groups(model, cfg["weight_decay"])
    params = decay + nodecay
    fused: dict[str, Any] = {"fused": True} if device.type == "cuda" else {}
    opt = torch.optim.AdamW(groups, lr=cfg["lr"], **fused)
    ids, off, lab = data["train.ids"], data["train.off"], torch.from_numpy(data["train.lab"].astype(np.int64))
    lens = np.diff(off)
    rng = random.Random(cfg["seed"])
    per_epoch = (len(lens) + cfg["bs"] - 1) // cfg["bs"]
    total = per_epoch * cfg["epochs"] if not max_steps else max_steps
    warm = max(1, int(cfg["warmup_frac"] * total))
    eval_every = max(1, per_epoch // cfg["evals_per_epoch"]) if not max_steps else max(1, max_steps // 2)
    lossf = torch.nn.CrossEntropyLoss()
    curve: list[dict] = []
    best: dict = {"score": -1.0}
    best_state: dict = {}

    def checkpoint(step: int) -> None:
        scores = {
            s: evaluate(model, data, s, meta["sets"][s]["kind"], pad, device, limit=eval_limit)
            for s in meta["sets"]
        }
        curve.append(
            {
                "step": step,
                "epoch": round(step / per_epoch, 2),
                "wall_s": round(time.time() - t0, 1),
                **scores,
            }
        )
        log(
            f"EVAL step {step} epoch {step / per_epoch:.2f} "
            + " ".join(f"{k} {v:.4f}" for k, v in scores.items())
        )
        if scores["mnli-choice-en"] > best["score"]:
            best.update(score=scores["mnli-choice-en"], step=step, scores=scores)
            best_state.clear()
            best_state.update(
                {
                    n: p.detach().float().cpu().clone()
                    for n, p in model.named_parameters()
                    if n in saved
                }
            )

    model.train()
    step = 0
    loss_ema = None
    stopped = "finished"
    while step < total:
        for rows in _batches(lens, cfg["bs"], rng):
            if step >= total:
                break
            if time.time() > deadline:
                stopped = "deadline"
                break
            lr = (
                cfg["lr"]
                * min(1.0, (step + 1) / warm)
                * max(0.0, min(1.0, (total - step) / max(1, total - warm)))
            )
            for g in opt.param_groups:
                g["lr"] = lr
            x, m = _pad(ids, off, rows, pad, device)
            y = lab[rows].to(device, non_blocking=True)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
                logits = model(input_ids=x, attention_mask=m).logits
            loss = lossf(logits.float(), y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            if step == 1:
                t_fit = time.time()
            if step == 50 and not max_steps:
                # Fit the planned steps to the time left, so the decay still ends at the deadline.
                if device.type == "cuda":
                    torch.cuda.synchronize()
                per_step = (time.time() - t_fit) / 49
                fit = step + int(0.95 * (deadline - time.time()) / per_step)
                if fit < total:
                    log(f"{per_step * 1000:.1f} ms/step: planned steps {total} -> {fit} to end before the deadline")
                    total = fit
                    warm = max(1, int(cfg["warmup_frac"] * total))
            if step % 100 == 0 or step == total:
                v = loss.item()
                loss_ema = v if loss_ema is None else 0.9 * loss_ema + 0.1 * v
                log(f"step {step}/{total} loss_ema {loss_ema:.4f} lr {lr:.2e}")
            if step % eval_every == 0 or step == total:
                checkpoint(step)
        if stopped == "deadline":
            break
    if not curve or curve[-1]["step"] != step:
        checkpoint(step)
    tensors, kinds = delta_tensors(best_state, base)
    parts: list[dict[str, torch.Tensor]] = []
    cur: dict[str, torch.Tensor] = {}
    size = 0
    for key in sorted(tensors):
        nbytes = tensors[key].numel() * tensors[key].element_size()
        if cur and size + nbytes > bundle_mod.PART_BYTES:
            parts.append(cur)
            cur, size = {}, 0
        cur[key] = tensors[key]
        size += nbytes
    parts.append(cur)
    names = []
    for i, part in enumerate(parts):
        names.append(f"part-{i}.safetensors")
        save_file(part, str(out / names[-1]))
    result = {
        "name": name,
        "config": cfg,
        "bundle": {k: meta.get(k) for k in ("format", "mix", "seed", "n_train", "maxlen", "vocab_size")},
        "base_model_sha256": meta["base_model_sha256"],
        "frozen": f"word/position/type embeddings + encoder layers 0-{cfg['freeze_layers'] - 1}"
        if cfg["freeze_layers"]
        else "word/position/type embeddings",
        "steps": step,
        "steps_planned": per_epoch * cfg["epochs"] if not max_steps else max_steps,
        "steps_fitted": total,
        "init_artifact_sha256": init_meta.get("sha256"),
        "pairs_seen": step * cfg["bs"],
        "epochs": round(step / per_epoch, 2),
        "stopped": stopped,
        "wall_s": round(time.time() - t0, 1),
        "device": torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu",
        "torch": torch.__version__,
        "best": best,
        "curve": curve,
        "parts": names,
        "kinds": kinds,
    }
    (out / "result.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    log(f"done: {stopped} at step {step}; best mnli-choice-en {best['score']:.4f} at step {best.get('step')}")
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--configs", required=True, help="JSON file: {name: {config overrides}}")
    ap.add_argument("--only", default=None, help="train this one candidate in this process")
    ap.add_argument(
        "--minutes", type=float, default=6.0, help="stop training (and export the best) after this"
    )
    ap.add_argument("--keep", type=int, default=0, help="copy the best N candidates' folders to --keep-to")
    ap.add_argument("--keep-to", default=None)
    ap.add_argument("--max-steps", type=int, default=0, help="smoke tests: stop after N steps")
    ap.add_argument("--eval-limit", type=int, default=0, help="smoke tests: score the first N choice pairs")
    a = ap.parse_args()
    configs = json.loads(Path(a.configs).read_text(encoding="utf-8"))
    out = Path(a.out)
    if a.only:
        deadline = float(os.environ.get("VERIFY_BUNDLE_DEADLINE", time.time() + a.minutes * 60))
        train_one(Path(a.bundle), a.only, configs[a.only], out / a.only, deadline, a.max_steps, a.eval_limit)
        return
    out.mkdir(parents=True, exist_ok=True)  # the summary is written even when every candidate fails
    env = {**os.environ, "VERIFY_BUNDLE_DEADLINE": str(time.time() + a.minutes * 60)}
    procs = {}
    for name in configs:
        cmd = [
            sys.executable,
            "-m",
            "verify.training.bundle_train",
            "--bundle",
            a.bundle,
            "--out",
            a.out,
        ]
        cmd += [
            "--configs",
            a.configs,
            "--only",
            name,
            "--max-steps",
            str(a.max_steps),
            "--eval-limit",
            str(a.eval_limit),
        ]
        procs[name] = subprocess.Popen(cmd, env=env)
    failed = [n for n, p in procs.items() if p.wait() != 0]
    results = {}
    for name in configs:
        f = out / name / "result.json"
        if f.exists():
            results[name] = json.loads(f.read_text(encoding="utf-8"))
    summary = {
        n: {k: r[k] for k in ("config", "steps", "epochs", "stopped", "wall_s", "best", "curve")}
        for n, r in results.items()
    }
    (out / "summary.json").write_text(
        json.dumps({"failed": failed, "candidates": summary}, indent=1) + "\n", "utf-8"
    )
    ranked = sorted(results, key=lambda n: -results[n]["best"]["score"])
    print(
        "ranking by mnli-choice-en:",
        ", ".join(f"{n} {results[n]['best']['score']:.4f} ({results[n]['stopped']})" for n in ranked),
        flush=True,
    )
    if a.keep and a.keep_to:
        files = 2 + sum(1 + len(results[n]["parts"]) for n in ranked[: a.keep])
        if files > MAX_FILES:  # an accelerator host's return limit: some files would not come back
            print(f"warning: {files} files to keep, more than {MAX_FILES}", flush=True)
        dest = Path(a.keep_to)
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy(out / "summary.json", dest / "summary.json")
        with open(dest / "logs.txt", "w", encoding="utf-8") as f:
            for name in configs:
                if (out / name / "log.txt").exists():
                    f.write((out / name / "log.txt").read_text(encoding="utf-8"))
        for name in ranked[: a.keep]:
            (dest / name).mkdir(exist_ok=True)
            for fn in ["result.json", *results[name]["parts"]]:
                shutil.copy(out / name / fn, dest / name / fn)
    if failed:
        sys.exit(f"candidates failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
