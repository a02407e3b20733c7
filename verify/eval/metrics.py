"""Evaluation metrics as pure functions: classification scores, recall@k, ECE and reliability, breakdowns."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence

LABELS = ("supported", "contradicted", "unknown")


def _r(x: float) -> float:
    return round(float(x), 4)


def classification(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str] = LABELS) -> dict:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix.

    Macro-F1 averages the F1 of the classes that occur in `gold` (a 2-way gold set such as COVID-Fact
    is scored over its two classes; an `unknown` prediction there is simply wrong). The confusion
    matrix is confusion[gold][pred] over `labels` plus any other label seen."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold labels for {len(pred)} predictions")
    classes = list(labels) + sorted({*gold, *pred} - set(labels))
    n = len(gold)
    per: dict[str, dict] = {}
    for c in classes:
        tp = sum(1 for g, p in zip(gold, pred) if g == c and p == c)
        npred = sum(1 for p in pred if p == c)
        ngold = sum(1 for g in gold if g == c)
        prec = tp / npred if npred else 0.0
        rec = tp / ngold if ngold else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[c] = {"precision": _r(prec), "recall": _r(rec), "f1": _r(f1), "support": ngold, "predicted": npred}
    present = [c for c in classes if per[c]["support"]]
    macro = sum(per[c]["f1"] for c in present) / len(present) if present else 0.0
    correct = sum(1 for g, p in zip(gold, pred) if g == p)
    confusion = {g: {p: 0 for p in classes} for g in classes}
    for g, p in zip(gold, pred):
        confusion[g][p] += 1
    confusion = {g: row for g, row in confusion.items() if per[g]["support"]}
    return {
        "n": n,
        "accuracy": _r(correct / n) if n else 0.0,
        "macro_f1": _r(macro),
        "per_class": per,
        "confusion": confusion,
    }


def recall_at_k(
    retrieved: Sequence[Sequence[Hashable]], gold: Sequence[Iterable[Hashable]], ks: Sequence[int] = (1, 5, 10)
) -> dict:
    """Claim-level recall@k: the share of claims (with any gold evidence) that have at least one gold
    evidence item among their first k retrieved; plus `evidence_recall_at_k`, the mean share of each
    claim's gold items found in the first k. Claims without gold evidence are left out (`n`)."""
    pairs = [(list(r), set(g)) for r, g in zip(retrieved, gold, strict=True)]
    pairs = [(r, g) for r, g in pairs if g]
    out: dict = {"n": len(pairs)}
    for k in ks:
        if not pairs:
            out[f"recall_at_{k}"] = None
            out[f"evidence_recall_at_{k}"] = None
            continue
        hit = sum(1 for r, g in pairs if g & set(r[:k]))
        share = sum(len(g & set(r[:k])) / len(g) for r, g in pairs)
        out[f"recall_at_{k}"] = _r(hit / len(pairs))
        out[f"evidence_recall_at_{k}"] = _r(share / len(pairs))
    return out


def reliability(confidence: Sequence[float], correct: Sequence[bool], bins: int = 10) -> dict:
    """Expected calibration error over `bins` equal-width confidence bins, and the table behind it.

    ECE = sum over bins of (bin size / n) * |accuracy in bin - mean confidence in bin|; a confidence
    of exactly 1.0 falls in the last bin."""
    if len(confidence) != len(correct):
        raise ValueError("confidence and correct differ in length")
    n = len(confidence)
    rows = []
    ece = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, c in enumerate(confidence) if (lo <= c < hi) or (b == bins - 1 and c == hi)]
        if idx:
            conf = sum(confidence[i] for i in idx) / len(idx)
            acc = sum(1 for i in idx if correct[i]) / len(idx)
            ece += len(idx) / n * abs(acc - conf)
        else:
            conf = acc = None
        rows.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": len(idx),
                     "mean_confidence": None if conf is None else _r(conf),
                     "accuracy": None if acc is None else _r(acc)})
    return {"ece": _r(ece) if n else None, "bins": rows}


def breakdown(gold: Sequence[str], pred: Sequence[str], groups: Sequence[str],
              labels: Sequence[str] = LABELS) -> dict:
    """`classification` per group (e.g. per language)."""
    out = {}
    for g in sorted(set(groups)):
        idx = [i for i, x in enumerate(groups) if x == g]
        res = classification([gold[i] for i in idx], [pred[i] for i in idx], labels)
        out[g] = {"n": res["n"], "accuracy": res["accuracy"], "macro_f1": res["macro_f1"],
                  "per_class_f1": {c: v["f1"] for c, v in res["per_class"].items() if v["support"]}}
    return out


def distribution(values: Iterable[str | None]) -> dict[str, int]:
    return dict(Counter(str(v) for v in values).most_common())
