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
    conf: float | None
    acc: float | None
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


def _scores(gold, pred, classes) -> tuple[float, float]:
    """Accuracy and macro-F1 of two index arrays, macro over the classes this sample's gold holds (as
    `classification` computes it on the same sample)."""
    import numpy as np

    f1s = []
    for c in classes:
        ngold = int(np.count_nonzero(gold == c))
        if not ngold:
            continue
        tp = int(np.count_nonzero((gold == c) & (pred == c)))
        npred = int(np.count_nonzero(pred == c))
        prec = tp / npred if npred else 0.0
        rec = tp / ngold
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return float(np.mean(gold == pred)), (sum(f1s) / len(f1s) if f1s else 0.0)


def _resamples(groups: Sequence[Hashable] | None, n: int, resamples: int, seed: int):
    """Index arrays, one per resample: claims drawn with replacement, or whole groups when `groups` is
    given (a claim and its generated counter-claims rise and fall together, so drawing them one by one
    would understate the spread)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    if groups is None:
        for _ in range(resamples):
            yield rng.integers(0, n, size=n)
        return
    members: dict[Hashable, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    blocks = [np.array(b) for b in members.values()]
    for _ in range(resamples):
        yield np.concatenate([blocks[j] for j in rng.integers(0, len(blocks), size=len(blocks))])


def _encode(gold: Sequence[str], *preds: Sequence[str]):
    import numpy as np

    code = {c: i for i, c in enumerate(sorted({*gold, *(x for p in preds for x in p)}))}
    return [np.array([code[x] for x in seq]) for seq in (gold, *preds)], sorted({code[x] for x in gold})


def bootstrap_ci(gold: Sequence[str], pred: Sequence[str], groups: Sequence[Hashable] | None = None,
                 resamples: int = 1000, seed: int = 0, level: float = 0.95) -> dict:
    """Percentile bootstrap intervals for accuracy and macro-F1 (macro over the classes of `gold`, as in
    `classification`). With `groups`, whole groups are resampled (cluster bootstrap)."""
    import numpy as np

    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold labels for {len(pred)} predictions")
    if groups is not None and len(groups) != len(gold):
        raise ValueError("groups and gold differ in length")
    unit = "claim" if groups is None else "group"
    if not gold:
        return {"accuracy": None, "macro_f1": None, "resamples": 0, "level": level, "unit": unit}
    (g, p), present = _encode(gold, pred)
    rows = np.array([_scores(g[i], p[i], present) for i in _resamples(groups, len(g), resamples, seed)])
    lo, hi = (1 - level) / 2 * 100, (1 + level) / 2 * 100
    return {"accuracy": [_r(np.percentile(rows[:, 0], lo)), _r(np.percentile(rows[:, 0], hi))],
            "macro_f1": [_r(np.percentile(rows[:, 1], lo)), _r(np.percentile(rows[:, 1], hi))],
            "resamples": resamples, "level": level, "unit": unit}


def paired_bootstrap(gold: Sequence[str], pred_a: Sequence[str], pred_b: Sequence[str],
                     groups: Sequence[Hashable] | None = None, resamples: int = 1000, seed: int = 0,
                     level: float = 0.95) -> dict:
    """B minus A on the same claims: the observed difference in accuracy and macro-F1, its percentile
    bootstrap interval (each resample scores both on the same claims), and the share of resamples in
    which B is ahead. An interval that holds 0 means these claims cannot tell the two apart."""
    import numpy as np

    if not (len(gold) == len(pred_a) == len(pred_b)):
        raise ValueError("gold and the two prediction lists differ in length")
    if groups is not None and len(groups) != len(gold):
        raise ValueError("groups and gold differ in length")
    if not gold:
        raise ValueError("no claims to compare")
    (g, a, b), present = _encode(gold, pred_a, pred_b)
    diffs = np.array([np.subtract(_scores(g[i], b[i], present), _scores(g[i], a[i], present))
                      for i in _resamples(groups, len(g), resamples, seed)])
    obs_a, obs_b = _scores(g, a, present), _scores(g, b, present)
    lo, hi = (1 - level) / 2 * 100, (1 + level) / 2 * 100
    out: dict = {"n": len(gold), "resamples": resamples, "level": level,
                 "unit": "claim" if groups is None else "group"}
    for k, name in enumerate(("accuracy", "macro_f1")):
        d = diffs[:, k]
        out[name] = {"a": _r(obs_a[k]), "b": _r(obs_b[k]), "delta": _r(obs_b[k] - obs_a[k]),
                     "ci": [_r(np.percentile(d, lo)), _r(np.percentile(d, hi))], "b_ahead": _r(float((d > 0).mean()))}
    return out
