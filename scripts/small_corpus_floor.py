"""How often gold evidence clears the relevance floor in each benchmark's pooled corpus vs a corpus of only its own documents."""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np


def measure(names: list[str], encoder: str, split: str, limit: int | None, thresholds: str | None) -> dict:
    from verify.config import Settings, load_thresholds, shipped_thresholds
    from verify.datasets.benchmarks import DISPUTED, load_benchmark
    from verify.eval.records import to_claim
    from verify.pipeline import Verifier
    from verify.retrieval.bm25 import BM25Index, tokenize
    from verify.retrieval.fusion import (
        cross_lingual,
        fuse_languages,
        relevance,
        rescale_dense,
        rescale_lexical,
    )
    from verify.retrieval.store import lexical_text, query_text

    th = load_thresholds(thresholds) if thresholds else shipped_thresholds()
    out: dict = {"encoder": encoder, "split": split, "min_retrieval": th.min_retrieval,
                 "dense_weight": th.dense_weight, "views": {}}
    for name in names:
        bench = load_benchmark(name)
        claims = [c for c in bench.select(split, limit) if c.gold_evidence and c.gold != DISPUTED]
        by_corpus: dict[str, list] = {}
        for c in claims:
            by_corpus.setdefault(c.corpus, []).append(c)
        for key, group in by_corpus.items():
            settings = Settings(encoder=encoder, evidence=bench.corpus_folders(key), judges=("rules",),
                                thresholds=th)
            v = Verifier.from_settings(settings)
            store, enc = v.retriever.store, v.retriever.encoder  # type: ignore[attr-defined]
            rows: dict[str, list[int]] = {}
            for i, p in enumerate(store.passages):
                rows.setdefault(p.doc_id, []).append(i)
            queries = [query_text(to_claim(c)) for c in group]
            qvecs = enc.encode_queries(queries)
            counts = {"n": 0, "pooled_fused": 0, "own_fused": 0, "pooled_relevance": 0, "own_relevance": 0}
            own_scores, pooled_scores = [], []
            for c, q, qv in zip(group, queries, qvecs, strict=True):
                ids = [i for d in c.gold_evidence for i in rows.get(d, [])]
                if not ids:
                    continue
                passages = [store.passages[i] for i in ids]
                dense = rescale_dense(np.stack([store.faiss.reconstruct(i) for i in ids]) @ qv, enc.id)
                tokens = tokenize(q, c.language)
                terms = len(tokens)
                cross = cross_lingual(c.language, (p.language for p in passages))
                pooled_lex = rescale_lexical(store.bm25.token_scores(tokens)[ids], terms)
                own_index = BM25Index([lexical_text(p) for p in passages], [p.language for p in passages])
                own_lex = rescale_lexical(own_index.token_scores(tokens), terms)  # as the index does
                best = {}
                for tag, lex in (("pooled", pooled_lex), ("own", own_lex)):
                    fused = fuse_languages(dense, lex, th.dense_weight, cross)
                    best[f"{tag}_fused"] = float(fused.max())
                    best[f"{tag}_relevance"] = float(relevance(fused, dense).max())
                counts["n"] += 1
                for k, s in best.items():
                    counts[k] += int(s >= th.min_retrieval)
                pooled_scores.append(best["pooled_fused"])
                own_scores.append(best["own_fused"])
            n = max(counts["n"], 1)
            out["views"][key] = {
                "n": counts["n"],
                **{f"above_floor_{k}": round(counts[k] / n, 4) for k in counts if k != "n"},
                "median_best_fused_pooled": round(float(np.median(pooled_scores)), 4) if pooled_scores else None,
                "median_best_fused_own": round(float(np.median(own_scores)), 4) if own_scores else None,
            }
            print(key, json.dumps(out["views"][key]), file=sys.stderr)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sets", nargs="+", default=["climate-fever", "covid-fact", "healthfc"])
    ap.add_argument("--encoder", default=None, help="default: the project's default encoder")
    ap.add_argument("--split", default="dev", choices=["dev", "test"])
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--thresholds", default=None, help="default: the shipped ones")
    args = ap.parse_args()
    from verify import DEFAULT_ENCODER

    print(json.dumps(measure(args.sets, args.encoder or DEFAULT_ENCODER, args.split, args.limit, args.thresholds), indent=2))


if __name__ == "__main__":
    main()
