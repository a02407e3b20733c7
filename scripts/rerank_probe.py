"""Probe: can the NLI judge rerank retrieval, and how does it read the passages that are not gold evidence?"""

# Usage (docs/results.md, "Reranking probe"):
#   .venv/bin/python scripts/rerank_probe.py --set climate-fever --split dev --pool 30 [--nli-model FOLDER]
# Runs the full pipeline with the top `pool` passages judged per claim (the library's evaluate(); the run
# is saved and reused like `verify eval`'s), then reports, over the claims that have gold evidence:
#   - ceiling: the share of claims with a gold passage within the first N retrieved (N = 5, 10, 20, pool);
#   - recall@5 when the judged pool is re-ordered by retrieval score plus w * an NLI score;
#   - the judge's argmax reading of gold and of non-gold passages (the spurious-contradiction rate).
# Dev splits only: this is a diagnostic for choosing what to train, never a number to tune on the test.
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path


def analyse(records, pool: int) -> dict:
    from verify.eval.metrics import recall_at_k

    with_gold = [r for r in records if r.gold_evidence]
    n = len(with_gold)
    # Each pair's NLI judgement, looked up once (the rerank below reads it 3 x 3 x 6 times).
    nli = {r.id: {pid: j for pid, js in r.judgements.items() for j in js if j.judge == "nli"} for r in with_gold}

    def hit_at(ordered, k):
        return recall_at_k([[h.passage.doc_id for h in hs] for _, hs in ordered],
                           [r.gold_evidence for r, _ in ordered], ks=(k,))[f"recall_at_{k}"]

    base = [(r, r.hits[:pool]) for r in with_gold]
    ceiling = {f"gold_within_{k}": hit_at(base, k) for k in sorted({5, 10, 20, pool}) if k <= pool}

    scores = {
        "not_neutral": lambda j: 1.0 - j.neutral,
        "max_e_c": lambda j: max(j.entailment, j.contradiction),
        "entailment": lambda j: j.entailment,
    }
    rerank = {}
    for name, f in scores.items():
        for depth in sorted(d for d in {10, 20, pool} if d <= pool):
            for w in (0.0, 0.1, 0.25, 0.5, 1.0, None):  # None: the NLI score alone
                ordered = []
                for r, hs in base:

                    def key(h, js=nli[r.id], f=f, w=w):
                        j = js.get(h.passage.id)
                        s = f(j) if j else 0.0
                        return -(s if w is None else h.score + w * s)

                    ordered.append((r, sorted(hs[:depth], key=key) + hs[depth:]))
                rerank[f"{name}|depth={depth}|w={'nli-only' if w is None else w}"] = hit_at(ordered, 5)
    best = max(rerank.items(), key=lambda kv: kv[1])

    gold_read: Counter = Counter()
    other_read: Counter = Counter()
    for r in with_gold:
        gold = set(r.gold_evidence)
        for h in r.hits[:pool]:
            j = nli[r.id].get(h.passage.id)
            if j is not None:
                (gold_read if h.passage.doc_id in gold else other_read)[j.label.value] += 1
    n_other = sum(other_read.values())
    n_gold = sum(gold_read.values())
    return {
        "claims": len(records), "claims_with_gold": n, "pool": pool, "ceiling": ceiling,
        "recall_at_5_retrieval": hit_at(base, 5),  # retrieval's own order
        "rerank_best": {"scheme": best[0], "recall_at_5": best[1]}, "rerank": rerank,
        "non_gold_reading": dict(other_read), "non_gold_passages": n_other,
        "non_gold_contradicted_rate": round(other_read["contradicted"] / max(n_other, 1), 4),
        "gold_reading": dict(gold_read), "gold_passages": n_gold,
        "gold_read_supported_or_contradicted": gold_read["supported"] + gold_read["contradicted"],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--set", default="climate-fever", help="climate-fever | healthfc | covid-fact")
    ap.add_argument("--split", default="dev", choices=("dev",), help="dev only: a probe is never run on test")
    ap.add_argument("--pool", type=int, default=30, help="passages judged per claim")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--nli-model", default=None, help="a CrossEncoder folder (default: the shipped judge)")
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=None, help="also write the result as JSON here")
    a = ap.parse_args(argv)

    from verify.config import Settings
    from verify.datasets.benchmarks import load_benchmark
    from verify.eval.harness import _stderr_progress, evaluate
    from verify.eval.records import Run

    bench = load_benchmark(a.set, a.data)
    settings = Settings(nli_model=a.nli_model)
    res = evaluate(bench, settings, split=a.split, limit=a.limit, pool=a.pool, reuse=True,
                   progress=_stderr_progress if sys.stderr.isatty() else None)
    run = Run.load(Path(res["run_file"]))
    out = {"set": a.set, "split": a.split, "nli_model": a.nli_model or "shipped", "run_file": res["run_file"],
           "pipeline": {k: res[k] for k in ("n", "accuracy", "macro_f1", "recall_at_5", "seconds_per_claim")
                        if k in res},
           **analyse(run.records, a.pool)}
    text = json.dumps(out, indent=2, ensure_ascii=False)
    if a.out:
        a.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
