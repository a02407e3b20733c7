"""Fit the learned verdict on dev claims by grouped cross-validation and compare it, paired, with the thresholds.

    python -m verify.eval.learn --thresholds verify/data/thresholds.json --out runs/learned [--nli-model F]

Reads the saved dev runs of the benchmarks and the AVeriTeC dev carve-out (running them when missing), builds
each claim's features under the thresholds (`verify.verdicts.learned.features`), fits a multinomial logistic
model in 5 folds by claim group, and writes: the out-of-fold predictions and the thresholds' predictions on the
same claims (the input of `python -m verify.eval.compare`), a report, and the model fitted on every claim
(`verdict_model.json`, to put into a thresholds file as "verdict_model").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

from verify import DEFAULT_ENCODER
from verify.config import Settings, load_thresholds
from verify.eval.metrics import classification, paired_bootstrap
from verify.eval.reaggregate import verdict_of
from verify.eval.scoring import write_prediction_rows
from verify.eval.tune import dev_runs
from verify.verdicts.learned import FEATURES, LABELS, VerdictModel

SETS = ("climate-fever", "covid-fact", "healthfc", "averitec")


def design(view_records: dict, th, top_k: int, group_of: dict[str, str]) -> tuple[list, list, list, list, list]:
    """(features, gold, threshold prediction, group, (view, id)) of every scored dev claim."""
    xs, gold, rule, groups, keys = [], [], [], [], []
    for view, records in sorted(view_records.items()):
        for r in records:
            if r.gold not in LABELS:
                continue  # Climate-FEVER's disputed claims are scored apart
            out: list[list[float]] = []
            v = verdict_of(r, th, top_k, out)
            xs.append(out[0])
            gold.append(r.gold)
            rule.append(v.label.value)
            groups.append(group_of.get(r.id, r.id))  # the split group: a claim's variants stay in one fold
            keys.append((view, r.id, r.language))
    return xs, gold, rule, groups, keys


def fit(xs: Sequence[Sequence[float]], ys: Sequence[str], c: float = 1.0, version: str = "") -> VerdictModel:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(xs, dtype=float)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    clf.fit((x - mean) / scale, list(ys))
    order = [list(clf.classes_).index(lab) for lab in LABELS]
    return VerdictModel(version=version, mean=tuple(mean.tolist()), scale=tuple(scale.tolist()),
                        coef=tuple(tuple(clf.coef_[i].tolist()) for i in order),
                        intercept=tuple(float(clf.intercept_[i]) for i in order))


def out_of_fold(xs, ys, groups, folds: int = 5, c: float = 1.0) -> list[str]:
    from sklearn.model_selection import GroupKFold

    pred = [""] * len(ys)
    for train, test in GroupKFold(n_splits=folds).split(xs, ys, groups):
        model = fit([xs[i] for i in train], [ys[i] for i in train], c)
        for i in test:
            p = model.probabilities(xs[i])
            pred[i] = max(p, key=lambda k: p[k])
    return pred


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--thresholds", type=Path, default=Path("verify/data/thresholds.json"))
    ap.add_argument("--nli-model", default=None)
    ap.add_argument("--encoder", default=DEFAULT_ENCODER)
    ap.add_argument("--top-k", type=int, default=5)
    ap.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    ap.add_argument("--languages", default="en", help="claim languages the model decides for (comma-separated; "
                                                       "empty: all)")
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    th = load_thresholds(a.thresholds).model_copy(update={"verdict_model": None})
    settings = Settings(encoder=a.encoder, nli_model=a.nli_model, top_k=a.top_k, thresholds=th)
    view_records, info = dev_runs(a.sets.split(","), settings, None, None, log=print)
    from verify.datasets.benchmarks import load_benchmark

    group_of = {c.id: c.group for name in a.sets.split(",") for c in load_benchmark(name).claims}
    xs, gold, rule, groups, keys = design(view_records, th, a.top_k, group_of)
    oof_all = out_of_fold(xs, gold, groups, c=a.c)
    languages = tuple(x for x in a.languages.split(",") if x)
    # where the model does not decide (another language), the thresholds' label stands
    oof = [o if not languages or k[2] in languages else r for o, r, k in zip(oof_all, rule, keys, strict=True)]
    a.out.mkdir(parents=True, exist_ok=True)
    report: dict = {"thresholds": str(a.thresholds), "n": len(gold), "features": list(FEATURES), "views": {}}
    for name, pred in (("thresholds", rule), ("learned-oof", oof)):
        write_prediction_rows(a.out / f"{name}.pred.jsonl", [
            {"id": f"{view}:{cid}", "group": grp, "language": lang, "gold": g, "pred": p, "confidence": 0.0,
             "unknown_reason": None}
            for (view, cid, lang), g, p, grp in zip(keys, gold, pred, groups, strict=True)])
    for view in sorted({k[0] for k in keys}):
        idx = [i for i, k in enumerate(keys) if k[0] == view]
        g = [gold[i] for i in idx]
        report["views"][view] = {
            "n": len(idx),
            "thresholds": {k: classification(g, [rule[i] for i in idx])[k] for k in ("accuracy", "macro_f1")},
            "learned_oof": {k: classification(g, [oof[i] for i in idx])[k] for k in ("accuracy", "macro_f1")},
            "paired": paired_bootstrap(g, [rule[i] for i in idx], [oof[i] for i in idx], [groups[i] for i in idx]),
        }
    report["pooled_paired"] = paired_bootstrap(gold, rule, oof, groups)
    mean = {name: sum(v[name]["macro_f1"] for v in report["views"].values()) / len(report["views"])
            for name in ("thresholds", "learned_oof")}
    report["mean_macro_f1"] = mean
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")
    model = fit(xs, gold, a.c, version=f"learned-{stamp}").model_copy(update={"languages": languages})
    report["languages"] = list(languages)
    (a.out / "verdict_model.json").write_text(model.model_dump_json(indent=1), encoding="utf-8")
    (a.out / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    for view, v in report["views"].items():
        print(f"{view:15} n={v['n']:5} thresholds acc {v['thresholds']['accuracy']:.3f} F1 "
              f"{v['thresholds']['macro_f1']:.3f} | learned (out of fold) acc {v['learned_oof']['accuracy']:.3f} "
              f"F1 {v['learned_oof']['macro_f1']:.3f} | dF1 {v['paired']['macro_f1']['delta']:+.4f} "
              f"[{v['paired']['macro_f1']['ci'][0]:+.4f}, {v['paired']['macro_f1']['ci'][1]:+.4f}]")
    print(f"mean macro-F1: thresholds {mean['thresholds']:.4f}, learned {mean['learned_oof']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
