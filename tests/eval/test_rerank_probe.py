"""scripts/rerank_probe.py's analysis on hand-made records: ceiling, rerank and reading counts."""

from __future__ import annotations

import importlib.util

from verify.eval.records import Record
from verify.models import Claim, Hit, Judgement, Passage

from ..conftest import ROOT


def _probe():
    spec = importlib.util.spec_from_file_location("rerank_probe", ROOT / "scripts" / "rerank_probe.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _rec(rid: str, gold: list[str], hits: list[tuple[str, float, tuple[float, float, float]]]) -> Record:
    hs, js = [], {}
    for rank, (doc, score, (e, n, c)) in enumerate(hits):
        p = Passage(id=f"{doc}#0", doc_id=doc, text=doc, start=0, end=len(doc))
        hs.append(Hit(passage=p, score=score, rank=rank))
        js[p.id] = [Judgement(passage_id=p.id, judge="nli", entailment=e, neutral=n, contradiction=c)]
    return Record(id=rid, gold="supported", language="en", gold_evidence=gold,
                  claim=Claim(id=rid, text="x", sentence="x", start=0, end=1), retrieved=[h.passage.doc_id for h in hs],
                  hits=hs, judgements=js)


def test_analysis_by_hand():
    neutral, contra, entail = (0.1, 0.8, 0.1), (0.1, 0.1, 0.8), (0.8, 0.1, 0.1)
    # claim a: gold at rank 6, which the judge reads as support; five contradicted non-gold passages above it
    a = _rec("a", ["g"], [*((f"n{i}", 0.9 - i / 100, contra) for i in range(5)), ("g", 0.5, entail)])
    # claim b: gold at rank 1; claim c: no gold evidence (left out of every share)
    b = _rec("b", ["h"], [("h", 0.9, neutral), ("m", 0.8, neutral)])
    c = _rec("c", [], [("z", 0.9, contra)])
    out = _probe().analyse([a, b, c], pool=6)
    assert out["claims"] == 3 and out["claims_with_gold"] == 2
    assert out["ceiling"]["gold_within_5"] == 0.5 and out["ceiling"]["gold_within_6"] == 1.0
    assert out["recall_at_5_retrieval"] == 0.5
    # entailment alone lifts a's gold passage into the top 5 and keeps b's
    assert out["rerank"]["entailment|depth=6|w=nli-only"] == 1.0
    assert out["non_gold_reading"] == {"contradicted": 5, "unknown": 1}
    assert out["non_gold_contradicted_rate"] == round(5 / 6, 4)
    assert out["gold_reading"] == {"supported": 1, "unknown": 1} and out["gold_read_supported_or_contradicted"] == 1
