"""Saved judgements aggregated again under other thresholds or dense weights, without running the models."""

from __future__ import annotations

from collections.abc import Sequence

from verify.config import Thresholds
from verify.eval.records import Record
from verify.models import Hit
from verify.retrieval.fusion import cross_lingual, fuse_languages, relevance, rescale_dense
from verify.verdicts.aggregate import aggregate, read_by_judges


def fuse_again(hits: Sequence[Hit], dense_weight: float, encoder_id: str, claim_language: str = "",
           mode: str = "fused") -> list[Hit]:
    """The judged hits re-ranked and re-scored with another dense weight; same passages, same rules as
    the retriever (ranked by the fused score, scored by `fusion.relevance`)."""
    import numpy as np

    if not hits:
        return []
    dense = rescale_dense(np.array([h.dense for h in hits], dtype=np.float32), encoder_id)
    lexical = np.array([h.lexical for h in hits], dtype=np.float32)
    cross = cross_lingual(claim_language, (h.passage.language for h in hits))
    fused = fuse_languages(dense, lexical, dense_weight, cross)
    scores = relevance(fused, dense, mode)
    order = np.argsort(-fused, kind="stable")
    return [hits[int(j)].model_copy(update={"score": float(scores[j]), "rank": r}) for r, j in enumerate(order)]


def verdict_of(rec: Record, th: Thresholds, top_k: int, features_out: list[list[float]] | None = None):
    """Aggregate a record's cached judgements with thresholds `th` (top_k of its judged hits), as they apply to
    the corpus it was checked against (`Thresholds.for_corpus`); `features_out` collects the learned
    verdict's features (`verify.verdicts.aggregate.aggregate`)."""
    if rec.corpus_passages:
        th = th.for_corpus(rec.corpus_passages)
    hits = rec.hits
    if abs(th.dense_weight - rec.dense_weight) > 1e-9 or th.relevance != rec.relevance:
        hits = fuse_again(hits, th.dense_weight, rec.encoder_id, rec.claim.language, th.relevance)
    hits = hits[:top_k]
    by_passage = read_by_judges(hits, {h.passage.id: rec.judgements.get(h.passage.id, []) for h in hits}, th)
    return aggregate(rec.claim, hits, by_passage, th, features_out)


def with_verdict(rec: Record, th: Thresholds, top_k: int) -> Record:
    """A copy of `rec` with the verdict its judgements give under `th`."""
    v = verdict_of(rec, th, top_k)
    return Record(**{**rec.__dict__, "pred": v.label.value, "confidence": v.confidence,
                     "unknown_reason": v.unknown_reason.value if v.unknown_reason else None, "reason": v.reason})


def reaggregate(records: Sequence[Record], th: Thresholds, top_k: int) -> list[Record]:
    return [with_verdict(rec, th, top_k) for rec in records]
