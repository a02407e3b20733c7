"""Isotonic calibration of verdict confidence: raw confidence -> how often such verdicts were right."""

from __future__ import annotations

from collections.abc import Sequence


def isotonic_knots(raw: Sequence[float], correct: Sequence[bool], max_knots: int = 12,
                   min_block: int = 10) -> list[tuple[float, float]]:
    """Knots of the increasing fit of `correct` on `raw` (pool-adjacent-violators).

    Each block's accuracy is smoothed towards 1/2 by one pseudo-count each way (a block of three
    right answers says 0.8, not 1.0); blocks under `min_block` verdicts are merged with a neighbour
    first, and at most `max_knots` knots are kept, so a few dev claims cannot make a step."""
    pairs = sorted(zip(raw, correct, strict=True))
    if len(pairs) < 2 * min_block:
        return []
    # start from blocks of min_block consecutive verdicts, then merge violators
    blocks: list[list[float]] = []  # [sum_x, sum_correct, n]
    for i in range(0, len(pairs), min_block):
        chunk = pairs[i : i + min_block]
        blocks.append([sum(x for x, _ in chunk), float(sum(c for _, c in chunk)), float(len(chunk))])
    if blocks[-1][2] < min_block and len(blocks) > 1:
        last = blocks.pop()
        blocks[-1] = [a + b for a, b in zip(blocks[-1], last, strict=True)]
    merged: list[list[float]] = []
    for b in blocks:
        merged.append(b)
        while len(merged) > 1 and merged[-2][1] / merged[-2][2] >= merged[-1][1] / merged[-1][2]:
            top = merged.pop()
            merged[-1] = [a + c for a, c in zip(merged[-1], top, strict=True)]
    while len(merged) > max_knots:  # merge the closest neighbours in accuracy
        gaps = [merged[i + 1][1] / merged[i + 1][2] - merged[i][1] / merged[i][2] for i in range(len(merged) - 1)]
        i = gaps.index(min(gaps))
        merged[i : i + 2] = [[a + c for a, c in zip(merged[i], merged[i + 1], strict=True)]]
    return [(round(sx / n, 4), round((sc + 1.0) / (n + 2.0), 4)) for sx, sc, n in merged]


def fit(records: Sequence, labels: Sequence[str] = ("supported", "contradicted", "unknown"),
        **kw) -> dict[str, list[tuple[float, float]]]:
    """Per predicted label, the knots fitted on records with `pred`, `gold` and `confidence`."""
    out = {}
    for label in labels:
        rs = [r for r in records if r.pred == label]
        knots = isotonic_knots([r.confidence for r in rs], [r.pred == r.gold for r in rs], **kw)
        if knots:
            out[label] = knots
    return out


def fit_by_basis(records: Sequence, labels: Sequence[str] = ("supported", "contradicted", "unknown"),
                 **kw) -> dict[str, list[tuple[float, float]]]:
    """`fit` per label, plus per label and basis ("contradicted/values", `verify.verdicts.aggregate.basis_of`)
    where a basis has enough verdicts of its own: a rule's named mismatch and an NLI reading of the same label
    are right at different rates, so one curve for both misstates both."""
    from verify.verdicts.aggregate import basis_of

    out = fit(records, labels, **kw)
    for label in labels:
        rs = [r for r in records if r.pred == label]
        for basis in sorted({basis_of(label, r.reason) for r in rs}):
            sub = [r for r in rs if basis_of(label, r.reason) == basis]
            knots = isotonic_knots([r.confidence for r in sub], [r.pred == r.gold for r in sub], **kw)
            if knots:
                out[f"{label}/{basis}"] = knots
    return out


def reliability_by_basis(records: Sequence, bins: int = 5) -> dict[str, dict]:
    """The reliability table per verdict type (label/basis): n, mean confidence, accuracy per bin, and ECE."""
    from verify.eval.metrics import reliability
    from verify.verdicts.aggregate import basis_of

    groups: dict[str, list] = {}
    for r in records:
        groups.setdefault(f"{r.pred}/{basis_of(r.pred, r.reason)}", []).append(r)
    return {k: {"n": len(v), **reliability([r.confidence for r in v], [r.pred == r.gold for r in v], bins=bins)}
            for k, v in sorted(groups.items())}
