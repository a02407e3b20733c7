"""Judges behind the Judge protocol: a rule judge (numbers, dates, places) and an NLI cross-encoder judge."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from verify.models import Claim, Judgement, Passage

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class RuleJudge:
    """Compares quantities, currencies, years, dates and places between a claim and a passage.

    It only speaks when the claim states a checkable value: a value of the same kind that
    differs is a contradiction; all values found is (weak) support; otherwise neutral.
    """

    name = "rules"

    def judge(self, pairs: Sequence[tuple[Claim, Passage]]) -> list[Judgement]:
        from verify.numbers import compare

        out = []
        for claim, passage in pairs:
            cmp = compare(claim.text, passage.text, claim.language or "en", passage.language or "en")
            if cmp.mismatches:
                # More of the claim's values contradicted -> stronger; one mismatch is already strong
                # because the compare only fires when the passage states a value of the same kind.
                share = len(cmp.mismatches) / max(cmp.claim_facts, 1)
                contradiction = min(0.95, 0.75 + 0.2 * share)
                out.append(
                    Judgement(
                        passage_id=passage.id,
                        judge=self.name,
                        entailment=0.0,
                        neutral=1.0 - contradiction,
                        contradiction=contradiction,
                        reason="; ".join(cmp.mismatches),
                    )
                )
            elif cmp.claim_facts and cmp.matched_facts == cmp.claim_facts:
                out.append(
                    Judgement(
                        passage_id=passage.id,
                        judge=self.name,
                        entailment=0.6,
                        neutral=0.4,
                        contradiction=0.0,
                        reason="evidence states the same " + ", ".join(cmp.matches),
                    )
                )
            else:
                out.append(Judgement(passage_id=passage.id, judge=self.name, reason="no comparable values"))
        return out


class NLIJudge:
    """Any sentence-transformers CrossEncoder folder with entailment / neutral / contradiction outputs."""

    name = "nli"

    def __init__(self, folder: str | Path, batch_size: int = 32, max_length: int = 256):
        self.folder = Path(folder)
        self.batch_size = batch_size
        self.max_length = max_length
        self._model = None
        self._order: list[int] | None = None  # output column for entailment, neutral, contradiction

    @property
    def model(self):
        if self._model is None:
            import torch
            from sentence_transformers import CrossEncoder

            torch.set_num_threads(max(1, os.cpu_count() or 1))
            import json

            config = json.loads((self.folder / "config.json").read_text(encoding="utf-8"))
            id2label = {int(k): str(v).lower() for k, v in config.get("id2label", {}).items()}
            wanted = ("entailment", "neutral", "contradiction")
            missing = [w for w in wanted if w not in id2label.values()]
            if missing:
                raise ValueError(
                    f"{self.folder}: CrossEncoder labels {sorted(id2label.values())} lack {missing}; "
                    "an NLI judge needs entailment / neutral / contradiction outputs"
                )
            inverse = {v: k for k, v in id2label.items()}
            self._order = [inverse[w] for w in wanted]
            self._model = CrossEncoder(
                str(self.folder), device="cpu", max_length=self.max_length, activation_fn=torch.nn.Identity()
            )
        return self._model

    def probabilities(self, premises: Sequence[str], hypotheses: Sequence[str]) -> np.ndarray:
        """(n, 3) probabilities of entailment, neutral, contradiction, batched with length-sorted padding."""
        if not premises:
            return np.zeros((0, 3), dtype=np.float32)
        model = self.model
        order = np.argsort([len(p) + len(h) for p, h in zip(premises, hypotheses, strict=True)])
        pairs = [(premises[i], hypotheses[i]) for i in order]
        logits = np.asarray(
            model.predict(pairs, batch_size=self.batch_size, show_progress_bar=False, convert_to_numpy=True),
            dtype=np.float32,
        )
        logits = logits[:, self._order]
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        out = np.empty_like(probs)
        out[order] = probs
        return out

    def judge(self, pairs: Sequence[tuple[Claim, Passage]]) -> list[Judgement]:
        probs = self.probabilities([p.text for _, p in pairs], [c.text for c, _ in pairs])
        out = []
        for (claim, passage), (e, n, c) in zip(pairs, probs, strict=True):
            out.append(
                Judgement(
                    passage_id=passage.id,
                    judge=self.name,
                    entailment=float(e),
                    neutral=float(n),
                    contradiction=float(c),
                    reason="",
                )
            )
        return out


def default_nli_folder() -> Path | None:
    """The project's own judge, assembled in the cache on first use; None when it is not shipped."""
    try:
        from verify.nli_model import ensure_judge
    except ImportError:
        return None
    return ensure_judge()


def make_judges(names: Sequence[str], nli_model: str | None = None, batch_size: int = 32) -> list:
    judges: list = []
    for name in names:
        if name == "rules":
            judges.append(RuleJudge())
        elif name == "nli":
            folder = Path(nli_model) if nli_model else default_nli_folder()
            if folder is None:
                raise ValueError("no NLI model available: pass --nli-model FOLDER or use --judge rules")
            judges.append(NLIJudge(folder, batch_size=batch_size))
        else:
            raise ValueError(f"unknown judge '{name}' (rules, nli)")
    return judges
