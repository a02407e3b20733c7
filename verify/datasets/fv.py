"""Real claim-evidence pairs from ../shared/fv-data: readers, the fixed train/dev split by claim group, pairs."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SETS = ("averitec", "check-covid", "fm2", "healthver", "scifact", "politihop", "fever-symmetric", "wice")
DEV_FRACTION = 0.2
SALT = "verify-fv-split-1"
# Identical to a Climate-FEVER claim (fv-data README): never trained on, never evaluated.
AVERITEC_DROP = frozenset({"averitec-train-1573"})
_FILES = {
    "averitec": ("averitec-train-en/averitec_train_flat.jsonl.gz",),
    "check-covid": ("check-covid-en/checkcovid_pairs.jsonl",),
    "fm2": ("fm2-en/fm2_pairs.jsonl.gz",),
    "healthver": ("healthver-train-en/healthver_train_pairs.jsonl.gz",),
    "scifact": ("scifact-en/scifact_pairs.jsonl.gz",),
    "politihop": ("politihop-en/politihop_pairs.jsonl.gz",),
    "fever-symmetric": ("fever-symmetric-en/fever_symmetric_dev.jsonl", "fever-symmetric-en/fever_symmetric_test.jsonl"),
    "wice": ("wice-train-partial-en/wice_train_partial_pairs.jsonl.gz",),
}
_FEVER = {"SUPPORTS": "supported", "REFUTES": "contradicted"}
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])")


class FvDataError(Exception):
    """An fv-data file is missing or malformed."""


def fv_data_dir() -> Path:
    """$VERIFY_FV_DATA, else ../shared/fv-data next to the repository."""
    env = os.environ.get("VERIFY_FV_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "fv-data"


def split_of(group: str) -> str:
    """'dev' or 'train' for a claim group: a fixed hash, so every reader and every run agrees."""
    h = int(hashlib.sha256(f"{SALT}:{group}".encode()).hexdigest()[:12], 16)
    return "dev" if (h % 10_000) < DEV_FRACTION * 10_000 else "train"


def norm_claim(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


@dataclass(frozen=True)
class FvPair:
    set: str
    id: str
    claim: str
    evidence: str
    label: str  # supported | contradicted | unknown
    group: str  # split unit: claims that share a claim text, source document or twin never straddle the split

    @property
    def split(self) -> str:
        return split_of(self.group)


def _rows(path: Path) -> Iterator[tuple[int, dict]]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if line.strip():
                    try:
                        yield lineno, json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise FvDataError(f"{path}:{lineno}: not JSON ({exc.msg})") from exc
    except OSError as exc:
        raise FvDataError(f"{path}: cannot read ({exc})") from exc


def _sentences(text: str) -> list[str]:
    return [s for s in _SENT.split(" ".join(text.split())) if s]


def _window(abstract: str, keep: list[int], rng: random.Random, size: int = 4) -> str:
    """Up to `size` consecutive abstract sentences holding the rationale sentences `keep` (a random window
    when there are none), so that supported, contradicted and unknown premises have the same length."""
    sents = _sentences(abstract)
    if not sents:
        return ""
    keep = [i for i in keep if 0 <= i < len(sents)]
    if keep:
        lo, hi = min(keep), max(keep)
        lo = max(0, min(lo, hi - size + 1) - rng.randint(0, 1))
    else:
        lo = rng.randint(0, max(0, len(sents) - size))
    return " ".join(sents[lo : lo + size])


class _Groups:
    """Union-find over group keys: rows sharing a claim text or a source document form one group."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, k: str) -> str:
        self.parent.setdefault(k, k)
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def union(self, *keys: str) -> None:
        roots = sorted({self.find(k) for k in keys})
        for r in roots[1:]:
            self.parent[r] = roots[0]


def _raw(name: str, root: Path, rng: random.Random) -> list[tuple[str, str, str, str, list[str]]]:
    """(id, claim, evidence, label3, group keys) of one set."""
    out = []
    for rel in _FILES[name]:
        path = root / rel
        for lineno, r in _rows(path):
            claim = " ".join(str(r.get("claim") or "").split())
            if name == "fever-symmetric":
                label = _FEVER.get(str(r.get("label")), "")
            else:
                label = str(r.get("label3") or "")
            if not claim or label not in ("supported", "contradicted", "unknown"):
                continue  # AVeriTeC's 'conflicting' is no 3-way label; it is scored apart in the eval
            rid = str(r.get("id") or f"{rel}:{lineno}")
            if rid in AVERITEC_DROP:
                continue
            keys = [f"claim:{norm_claim(claim)}"]
            if name in ("healthver", "scifact"):
                ev = " ".join(str(r.get("rationale") or "").split())
                if label == "unknown" or rng.random() < 0.5:
                    ev = _window(str(r.get("abstract") or ""), list(r.get("rationale_sent_index") or []), rng)
                keys.append(f"doc:{name}:{r.get('doc_id')}")
            else:
                # AVeriTeC: 'evidence' is the pooled question-answer notes; 'justification' states the verdict
                # and is never read.
                ev = " ".join(str(r.get("evidence") or "").split())
                if name == "check-covid":
                    keys.append(f"doc:cord:{r.get('cord_id')}")
                elif name == "politihop":
                    keys.append(f"doc:politihop:{r.get('article_id')}")
                elif name == "fever-symmetric":
                    keys.append(f"ev:{norm_claim(ev)}")  # the symmetric twins share a claim or an evidence
            if ev:
                out.append((rid, claim, ev, label, keys))
    return out


def load_pairs(sets: tuple[str, ...] = SETS, root: Path | None = None, seed: int = 0) -> list[FvPair]:
    """Every labelled claim-evidence pair of `sets`, each with its split group."""
    root = root or fv_data_dir()
    rng = random.Random(seed)
    pairs = []
    for name in sets:
        rows = _raw(name, root, rng)
        g = _Groups()
        for *_, keys in rows:
            g.union(*keys)
        pairs += [FvPair(name, rid, c, e, lab, f"{name}:{g.find(keys[0])}") for rid, c, e, lab, keys in rows]
    return pairs


def fm2_silver_unknowns(root: Path | None = None, per_claim: int = 1, share: float = 0.5, seed: int = 0) -> list[FvPair]:
    """FM2 has no unknown class: a claim against a retrieved sentence of its own article that is not its
    evidence is a near neutral (silver: it may still bear on the claim, so only a share of claims get one)."""
    root = root or fv_data_dir()
    rng = random.Random(seed + 17)
    out = []
    for _, r in _rows(root / _FILES["fm2"][0]):
        claim = " ".join(str(r.get("claim") or "").split())
        others = [" ".join(str(s).split()) for s in r.get("retrieved_non_gold") or [] if len(str(s).split()) >= 6]
        if not claim or not others or rng.random() >= share:
            continue
        for s in rng.sample(others, min(per_claim, len(others))):
            out.append(FvPair("fm2-silver", f"{r.get('id')}:nn", claim, s, "unknown", f"fm2:claim:{norm_claim(claim)}"))
    return out


def training_pairs(split: str = "train", seed: int = 0) -> list[FvPair]:
    """The pairs of one split that the judge trains on (or is chosen on): all sets plus FM2's silver unknowns.
    The silver pairs use the same claim groups as FM2, so they follow their claim into its split."""
    pairs = load_pairs(seed=seed) + fm2_silver_unknowns(seed=seed)
    # FM2's groups are union-find roots; a silver pair joins its claim's group through the claim key.
    fm2_group = {norm_claim(p.claim): p.group for p in pairs if p.set == "fm2"}
    pairs = [p if p.set != "fm2-silver" else FvPair(p.set, p.id, p.claim, p.evidence, p.label,
                                                     fm2_group.get(norm_claim(p.claim), p.group))
             for p in pairs]
    return [p for p in pairs if p.split == split]


def source_files(root: Path | None = None) -> list[Path]:
    root = root or fv_data_dir()
    return [root / rel for name in SETS for rel in _FILES[name]]
