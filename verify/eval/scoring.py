"""The metrics of a run: 3-way scores, the errors a fact-checker cannot afford, retrieval, calibration, causes."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from verify.datasets.benchmarks import CONTRADICTED, DISPUTED, LABELS, SUPPORTED, UNKNOWN
from verify.eval.metrics import (
    bootstrap_ci,
    breakdown,
    classification,
    distribution,
    recall_at_k,
    reliability,
)
from verify.eval.records import Record


def error_cause(rec: Record, top_k: int) -> str | None:
    """Why a claim was missed: retrieval miss, judge error or aggregation (None when correct).

    retrieval: the claim has gold evidence and none of it is among the top_k judged passages;
    aggregation: some judge labelled some top_k passage with the gold label, yet the verdict differs
    (thresholds, relevance cut-off, conflict rule); judge: no judge read the gold label anywhere."""
    if rec.pred == rec.gold:
        return None
    top = rec.hits[:top_k]
    if rec.gold == UNKNOWN:
        return "judge"  # a judge asserted a stance the evidence does not settle
    if rec.gold_evidence and not set(rec.gold_evidence) & {h.passage.doc_id for h in top}:
        return "retrieval"
    said = {j.label.value for h in top for j in rec.judgements.get(h.passage.id, [])}
    return "aggregation" if rec.gold in said else "judge"


def trust(gold: Sequence[str], pred: Sequence[str]) -> dict:
    """The errors a fact-checker cannot afford: the share of false claims labelled supported, the share of
    true claims labelled contradicted, and the precision of each decided label (None where never said)."""
    def share(g: str, p: str) -> float | None:
        n = sum(1 for x in gold if x == g)
        return round(sum(1 for x, y in zip(gold, pred) if x == g and y == p) / n, 4) if n else None

    def precision(p: str) -> float | None:
        n = sum(1 for y in pred if y == p)
        return round(sum(1 for x, y in zip(gold, pred) if y == p and x == p) / n, 4) if n else None

    return {"false_as_supported": share(CONTRADICTED, SUPPORTED),
            "true_as_contradicted": share(SUPPORTED, CONTRADICTED),
            "precision_supported": precision(SUPPORTED), "precision_contradicted": precision(CONTRADICTED)}


def summarise(records: Sequence[Record], top_k: int, groups: Mapping[str, str] | None = None) -> dict:
    """The metrics of a run: 3-way scores (DISPUTED apart), recall@k, ECE, per language, error causes, and
    95 % bootstrap intervals for accuracy and macro-F1 (whole split groups resampled when `groups` maps
    each record id to its group, so a claim and its counter-claims are drawn together)."""
    main = [r for r in records if r.gold != DISPUTED]
    gold = [r.gold for r in main]
    pred = [r.pred for r in main]
    cls = classification(gold, pred, LABELS)
    ci = bootstrap_ci(gold, pred, [groups.get(r.id, r.id) for r in main] if groups else None)
    rec = recall_at_k([r.retrieved for r in main], [r.gold_evidence for r in main], (1, 5, 10))
    cal = reliability([r.confidence for r in main], [r.pred == r.gold for r in main], bins=10)
    causes: dict[str, Counter] = {}
    for r in main:
        cause = error_cause(r, top_k)
        if cause:
            causes.setdefault(r.gold, Counter())[cause] += 1
    out = {
        "n": cls["n"],
        "accuracy": cls["accuracy"],
        "macro_f1": cls["macro_f1"],
        "ci": ci,
        "recall_at_1": rec["recall_at_1"],
        "recall_at_5": rec["recall_at_5"],
        "recall_at_10": rec["recall_at_10"],
        "ece": cal["ece"],
        "per_class": cls["per_class"],
        "confusion": cls["confusion"],
        "retrieval": rec,
        "reliability": cal["bins"],
        "per_language": _with_intervals(breakdown(gold, pred, [r.language for r in main], LABELS), main, groups),
        "predicted": distribution(pred),
        "abstain_rate": round(sum(1 for p in pred if p == UNKNOWN) / len(pred), 4) if pred else 0.0,
        "unknown_reasons": distribution(r.unknown_reason for r in main if r.pred == UNKNOWN),
        "errors": {g: dict(c.most_common()) for g, c in sorted(causes.items())},
        "trust": trust(gold, pred),
    }
    if set(gold) == {SUPPORTED, CONTRADICTED}:
        # A 2-way gold set (COVID-Fact) also scored in its own label space: "not supported" is what it
        # calls refuted, so an unknown verdict counts as refuted there; the 3-way figures above stay primary.
        two_labels = (SUPPORTED, "not supported")
        two = classification([g if g == SUPPORTED else two_labels[1] for g in gold],
                             [p if p == SUPPORTED else two_labels[1] for p in pred], two_labels)
        out["two_way"] = {"reading": "supported vs not supported; unknown counts as refuted",
                          "accuracy": two["accuracy"], "macro_f1": two["macro_f1"],
                          "majority_baseline": round(max(Counter(gold).values()) / len(gold), 4)}
    disputed = [r for r in records if r.gold == DISPUTED]
    if disputed:
        out["disputed"] = {
            "n": len(disputed),
            "predicted": distribution(r.pred for r in disputed),
            "unknown_reasons": distribution(r.unknown_reason for r in disputed if r.pred == UNKNOWN),
            "recall_at_5": recall_at_k([r.retrieved for r in disputed], [r.gold_evidence for r in disputed],
                                       (5,))["recall_at_5"],
        }
    return out


def _with_intervals(per_language: dict, records: Sequence[Record], groups: Mapping[str, str] | None) -> dict:
    """Each language's scores with their own bootstrap intervals (HealthFC's German target is one of them)."""
    if len(per_language) < 2:
        return per_language
    out = {}
    for lang, scores in per_language.items():
        sub = [r for r in records if r.language == lang]
        out[lang] = {**scores, "ci": bootstrap_ci([r.gold for r in sub], [r.pred for r in sub],
                                                  [groups.get(r.id, r.id) for r in sub] if groups else None)}
    return out


PREDICTIONS_FORMAT = "verify-predictions-1"


def write_predictions(path: Path, records: Sequence[Record], groups: Mapping[str, str]) -> Path:
    """Per-claim verdicts as JSON lines after a header line, written atomically."""
    return write_prediction_rows(path, [
        {"id": r.id, "group": groups.get(r.id, r.id), "language": r.language, "gold": r.gold, "pred": r.pred,
         "confidence": round(r.confidence, 4), "unknown_reason": r.unknown_reason} for r in records])


def write_prediction_rows(path: Path, rows: Sequence[Mapping]) -> Path:
    """A predictions file (the input of `python -m verify.eval.compare`): a header line, then one row per claim
    (id, group, language, gold, pred, confidence, unknown_reason), written atomically."""
    from verify.locking import atomic_write_bytes

    lines = [json.dumps({"format": PREDICTIONS_FORMAT, "n": len(rows)})]
    lines += [json.dumps(dict(row), ensure_ascii=False) for row in rows]
    atomic_write_bytes(Path(path), ("\n".join(lines) + "\n").encode("utf-8"))
    return Path(path)
