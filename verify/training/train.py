"""Fine-tune the rebuilt multilingual-e5-small as a 3-label NLI CrossEncoder on CPU (plain torch loop).

    python -m verify.training.train --minutes 90 --run runs/judge-main

Fixed seed, length-bucketed dynamic padding, word embeddings + lowest layers frozen, time-based
warmup/linear decay so the run ends inside its wall-time budget. Logs loss and periodic XNLI-dev
accuracy (a fixed de-de sample, 400 pairs by default; used for monitoring only, no checkpoint selection) to
RUN/train.log; saves the trained tensors to RUN/trained.safetensors (also periodically) and the
exported artifact to RUN/artifact/.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path
from typing import Any

from verify.datasets import nli as nli_data

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# The CPU is shared: spinning OpenMP workers collapse throughput when another process holds a core.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class _CpuWatch:
    """Cores used by *other* processes since the last call (from /proc/stat and /proc/self/stat)."""

    def __init__(self) -> None:
        self.ncpu = os.cpu_count() or 1
        self.last = self._read()

    @staticmethod
    def _read() -> tuple[int, int, int] | None:
        try:
            with open("/proc/stat") as f:
                v = [int(x) for x in f.readline().split()[1:]]
            with open("/proc/self/stat") as f:
                st = f.read().rsplit(")", 1)[1].split()
            me = int(st[11]) + int(st[12])  # utime + stime
        except (OSError, ValueError, IndexError):
            return None
        idle = v[3] + (v[4] if len(v) > 4 else 0)
        return sum(v), sum(v) - idle, me

    def others(self) -> float | None:
        now = self._read()
        prev, self.last = self.last, now
        if not now or not prev or now[0] <= prev[0]:
            return None
        total, busy, me = (a - b for a, b in zip(now, prev, strict=True))
        return max(0.0, (busy - me) / total * self.ncpu)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", default="runs/judge")
    ap.add_argument("--minutes", type=float, default=90, help="wall-time budget for the training loop")
    ap.add_argument("--bs", type=int, default=16)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--freeze-layers", type=int, default=2)
    ap.add_argument("--maxlen", type=int, default=128)
    ap.add_argument("--eval-every-min", type=float, default=12)
    ap.add_argument("--ckpt-every-min", type=float, default=15)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2, help="max torch threads; 1 while others hold a core")
    ap.add_argument("--mix", default="v1", choices=nli_data.MIXES, help="training mix (data.train_set)")
    ap.add_argument("--init-artifact", default=None,
                    help="start from a judge artifact folder (continued training) instead of the plain e5 base")
    ap.add_argument("--warmup-frac", type=float, default=0.05)
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (smoke tests)")
    ap.add_argument("--dev-pairs", type=int, default=400,
                    help="XNLI-dev de-de pairs monitored (each evaluation costs seconds per hundred pairs)")
    a = ap.parse_args()
    if a.dev_pairs < 1:
        ap.error("--dev-pairs must be at least 1")

    import torch

    torch.set_num_threads(a.threads)
    from safetensors.torch import save_file
    from sentence_transformers import CrossEncoder

    from verify.training.export import export
    from verify.weights.e5 import ensure_e5

    run = Path(a.run)
    run.mkdir(parents=True, exist_ok=True)
    logf = open(run / "train.log", "a", encoding="utf-8")

    def log(msg: str) -> None:
        line = f"{time.strftime('%H:%M:%S', time.gmtime())} {msg}"
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    t_start = time.time()
    log(f"args {json.dumps(vars(a))}")
    random.seed(a.seed)
    torch.manual_seed(a.seed)
    base = ensure_e5()
    start = base
    if a.init_artifact:
        from verify.weights.judge import ensure_judge

        # Assembled into the run folder, so continued training never touches the user's judge cache.
        start = ensure_judge(run / "init-model", artifact=Path(a.init_artifact))
        log(f"continuing from artifact {a.init_artifact} (assembled in {start})")
    ce = CrossEncoder(str(start), num_labels=3, max_length=a.maxlen, device="cpu")
    model, tok = ce.model, ce.tokenizer
    model.config.id2label = dict(enumerate(nli_data.NAMES))
    model.config.label2id = {n: i for i, n in enumerate(nli_data.NAMES)}
    bert = model.base_model
    bert.embeddings.requires_grad_(False)
    for layer in bert.encoder.layer[: a.freeze_layers]:
        layer.requires_grad_(False)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    # Saved = trained here + what the init artifact had changed (frozen here, it must not revert to base).
    saved = set(trainable)
    if a.init_artifact:
        init_kinds = json.loads((Path(a.init_artifact) / "judge.json").read_text(encoding="utf-8"))["tensors"]
        saved |= {n for n, _ in model.named_parameters() if n in init_kinds}
    ntrain = sum(p.numel() for p in model.parameters() if p.requires_grad)
    log(f"trainable params {ntrain / 1e6:.1f}M of {sum(p.numel() for p in model.parameters()) / 1e6:.1f}M")

    train = nli_data.train_set(seed=a.seed, mix=a.mix)
    man = nli_data.manifest(train)
    (run / "data_manifest.json").write_text(json.dumps(man, indent=1, ensure_ascii=False), encoding="utf-8")
    log(
        f"train pairs {len(train)}; by source "
        + json.dumps({k: sum(v.values()) for k, v in man["counts_by_source"].items()})
    )
    dev_rows = nli_data.xnli_pairs(nli_data.xnli_rows("dev"), "de-de")
    dev = random.Random(1).sample(dev_rows, min(a.dev_pairs, len(dev_rows)))
    dev_tag = f"de{len(dev)}"

    lens = [
        len(x)
        for x in tok(
            [t[0] for t in train], [t[1] for t in train], truncation="longest_first", max_length=a.maxlen
        )["input_ids"]
    ]
    rng = random.Random(a.seed)
    idx = list(range(len(train)))
    batches = []
    chunk = a.bs * 50
    for i in range(0, len(idx), chunk):
        ch = sorted(idx[i : i + chunk], key=lambda j: lens[j])
        bb = [ch[k : k + a.bs] for k in range(0, len(ch), a.bs)]
        rng.shuffle(bb)
        batches += bb
    log(f"mean pair tokens {sum(lens) / len(lens):.1f}, batches/epoch {len(batches)}")

    def encode(b: list) -> Any:
        """A batch of (premise, hypothesis, label, ...) rows as model inputs, cut to --maxlen tokens."""
        return tok([x[0] for x in b], [x[1] for x in b], padding=True, truncation="longest_first",
                   max_length=a.maxlen, return_tensors="pt")

    def dev_acc() -> float:
        model.eval()
        correct = 0
        with torch.inference_mode():
            for i in range(0, len(dev), 32):
                b = dev[i : i + 32]
                enc = encode(b)
                pred = model(**enc).logits.argmax(-1).tolist()
                correct += sum(int(p == x[2]) for p, x in zip(pred, b, strict=True))
        model.train()
        return correct / len(dev)

    def save_trained(tag: str) -> Path:
        sd = {n: p.detach().clone().contiguous() for n, p in model.named_parameters() if n in saved}
        path = run / "trained.safetensors"
        tmp = run / f".trained.{tag}.tmp"
        save_file(sd, str(tmp))
        os.replace(tmp, path)
        return path

    from verify.training.optim import param_groups

    decay, nodecay, groups = param_groups(model, 0.01)
    opt = torch.optim.AdamW(groups, lr=a.lr)
    params = decay + nodecay
    lossf = torch.nn.CrossEntropyLoss()

    log(f"EVAL step 0 seen 0 dev-{dev_tag} acc {dev_acc():.4f}")
    budget = a.minutes * 60
    t0 = time.time()
    warm = max(1.0, a.warmup_frac * budget)
    next_eval = a.eval_every_min * 60
    next_ckpt = a.ckpt_every_min * 60
    step = seen = bi = epoch = 0
    loss_ema = None
    step_times: list[float] = []
    curve = []
    watch = _CpuWatch()
    threads = a.threads
    model.train()
    while True:
        el = time.time() - t0
        if el >= budget or (a.max_steps and step >= a.max_steps):
            break
        lr = a.lr * min(1.0, (el + 1) / warm) * max(0.02, 1 - el / budget)
        for g in opt.param_groups:
            g["lr"] = lr
        if bi >= len(batches):
            bi = 0
            epoch += 1
            rng.shuffle(batches)
        b = [train[j] for j in batches[bi]]
        bi += 1
        ts = time.time()
        enc = encode(b)
        out = model(**enc)
        loss = lossf(out.logits, torch.tensor([x[2] for x in b]))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        step_times.append(time.time() - ts)
        step += 1
        seen += len(b)
        loss_ema = loss.item() if loss_ema is None else 0.98 * loss_ema + 0.02 * loss.item()
        if step % 25 == 0 and a.threads > 1:
            busy = watch.others()
            want = 1 if busy is not None and busy > 0.6 else a.threads
            if want != threads:
                threads = want
                torch.set_num_threads(threads)
                log(f"step {step}: other processes use {busy:.2f} cores -> {threads} torch thread(s)")
        if step % 50 == 0:
            log(
                f"step {step} seen {seen} epoch {epoch} loss_ema {loss_ema:.4f} lr {lr:.2e} threads {threads} "
                f"mean_step_s(last50) {sum(step_times[-50:]) / 50:.3f} wall_min {(time.time() - t0) / 60:.1f}"
            )
        el = time.time() - t0
        if el >= next_eval:
            next_eval += a.eval_every_min * 60
            acc = dev_acc()
            curve.append({"step": step, "seen": seen, "wall_min": round(el / 60, 1), f"dev_{dev_tag}_acc": acc})
            log(f"EVAL step {step} seen {seen} wall_min {el / 60:.1f} dev-{dev_tag} acc {acc:.4f}")
        if el >= next_ckpt:
            next_ckpt += a.ckpt_every_min * 60
            save_trained(f"s{step}")
            log(f"checkpoint saved at step {step}")

    acc = dev_acc()
    curve.append(
        {"step": step, "seen": seen, "wall_min": round((time.time() - t0) / 60, 1), f"dev_{dev_tag}_acc": acc}
    )
    log(f"EVAL END step {step} seen {seen} dev-{dev_tag} acc {acc:.4f}")
    path = save_trained("final")
    info = {
        "training": {
            "seed": a.seed,
            "mix": a.mix,
            "init_artifact": a.init_artifact,
            "init_artifact_sha256": json.loads((Path(a.init_artifact) / "judge.json").read_text())["sha256"]
            if a.init_artifact else None,
            "batch_size": a.bs,
            "lr": a.lr,
            "train_max_length": a.maxlen,
            "frozen": f"word/position/type embeddings + encoder layers 0-{a.freeze_layers - 1}",
            "steps": step,
            "pairs_seen": seen,
            "epochs": round(seen / len(train), 2),
            "train_pairs": len(train),
            "loop_wall_min": round((time.time() - t0) / 60, 1),
            "mean_step_s": round(sum(step_times) / max(1, len(step_times)), 3),
            "curve": curve,
        }
    }
    (run / "train_info.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    from safetensors.torch import load_file

    export(load_file(str(path)), base, run / "artifact", info)
    log(f"exported {run / 'artifact'}; total wall {(time.time() - t_start) / 60:.1f} min")
    logf.close()


if __name__ == "__main__":
    main()
