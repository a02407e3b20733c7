"""A learned verdict: a small multinomial logistic model over what the pipeline already computes for a claim."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from verify.models import Hit, JudgeKind, Judgement

LABELS = ("supported", "contradicted", "unknown")
FEATURES = (
    "nli_e_max", "nli_c_max", "nli_n_min", "nli_e_top", "nli_c_top", "nli_n_top", "nli_e_mean", "nli_c_mean",
    "nli_agree", "nli_disagree", "rule_mismatch", "rule_mismatch_share", "rule_match", "rule_off_topic",
    "rel_top", "rel_second", "relevant_share", "hedge", "claim_de", "claim_has_number", "rule_label_s",
    "rule_label_c", "rule_raw",
)


class VerdictModel(BaseModel):
    """Weights of the learned verdict, stored as JSON (no pickle): standardise, then softmax(W x + b)."""

    model_config = ConfigDict(frozen=True)

    version: str
    labels: tuple[str, ...] = LABELS
    features: tuple[str, ...] = FEATURES
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[tuple[float, ...], ...]  # one row per label
    intercept: tuple[float, ...]
    # The claim languages it decides for; others keep the thresholds' label (chosen on dev: out of fold it
    # helped the English views and cost HealthFC German 0.127 macro-F1, docs/results.md).
    languages: tuple[str, ...] = ("en",)

    def applies_to(self, language: str) -> bool:
        return not self.languages or language in self.languages

    def probabilities(self, x: Sequence[float]) -> dict[str, float]:
        z = [(v - m) / s if s else 0.0 for v, m, s in zip(x, self.mean, self.scale, strict=True)]
        logits = [b + sum(w * v for w, v in zip(row, z, strict=True)) for row, b in zip(self.coef, self.intercept,
                                                                                         strict=True)]
        top = max(logits)
        exp = [math.exp(v - top) for v in logits]
        total = sum(exp)
        return {lab: e / total for lab, e in zip(self.labels, exp, strict=True)}


_DIGIT = re.compile(r"\d")


def features(claim_text: str, claim_language: str, hits: Sequence[Hit], judgements: dict[str, list[Judgement]],
             min_retrieval: float, hedge: bool, rule_label: str, rule_raw: float) -> list[float]:
    """The claim's feature vector, in `FEATURES` order: the NLI readings of the judged passages, the rule
    judge's matches and mismatches, retrieval scores, a hedge in the top passage, the claim's language and
    numbers, and the label and raw score the threshold rule gives."""
    relevant = [h for h in hits if h.score >= min_retrieval]
    readings = []
    mismatch = match = off_topic = 0
    mismatch_share = 0.0
    for h in relevant:
        for j in judgements.get(h.passage.id, []):
            if j.kind is JudgeKind.READING:
                readings.append(j)
            elif j.mismatched:
                mismatch = 1
                mismatch_share = max(mismatch_share, j.contradiction)
                off_topic = max(off_topic, int(j.on_topic is False))
            elif j.entailment > 0:
                match = 1
    top = readings[0] if readings else None
    scores = sorted((h.score for h in hits), reverse=True)
    return [
        max((r.entailment for r in readings), default=0.0),
        max((r.contradiction for r in readings), default=0.0),
        min((r.neutral for r in readings), default=1.0),
        top.entailment if top else 0.0,
        top.contradiction if top else 0.0,
        top.neutral if top else 1.0,
        sum(r.entailment for r in readings) / len(readings) if readings else 0.0,
        sum(r.contradiction for r in readings) / len(readings) if readings else 0.0,
        float(sum(1 for r in readings if r.entailment > 0.5)),
        float(sum(1 for r in readings if r.contradiction > 0.5)),
        float(mismatch),
        mismatch_share,
        float(match),
        float(off_topic),
        scores[0] if scores else 0.0,
        scores[1] if len(scores) > 1 else 0.0,
        len(relevant) / max(len(hits), 1),
        float(hedge),
        float(claim_language == "de"),
        float(bool(_DIGIT.search(claim_text))),
        float(rule_label == "supported"),
        float(rule_label == "contradicted"),
        rule_raw,
    ]
