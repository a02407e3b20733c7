"""What an evaluation run saves: one Record per claim (hits, judgements, verdict) and the Run around them."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from verify.datasets.benchmarks import UNKNOWN, BenchClaim
from verify.models import Claim, Hit, Judgement

RUN_FORMAT = "verify-eval-run-2"

RECALL_DEPTH = 10  # retrieval depth for recall@1/5/10 (only the top_k are judged)

Progress = Callable[[str, int, int], None]

@dataclass
class Record:
    """One claim's pass through the pipeline: what was retrieved, what each judge said, the verdict."""

    id: str
    gold: str
    language: str
    gold_evidence: list[str]
    claim: Claim
    retrieved: list[str]  # doc ids of the first RECALL_DEPTH passages, in rank order
    hits: list[Hit]  # the judged passages (top `pool`), in rank order
    judgements: dict[str, list[Judgement]]  # passage id -> every judge's judgement
    pred: str = UNKNOWN
    confidence: float = 0.0
    unknown_reason: str | None = None
    reason: str = ""
    dense_weight: float = 0.7
    encoder_id: str = ""
    relevance: str = "fused"  # how the hits' scores were made (Thresholds.relevance)
    corpus_passages: int = 0  # the size of the corpus it was checked against (0: not recorded, a large one)

    def to_json(self) -> str:
        return json.dumps({
            "id": self.id, "gold": self.gold, "language": self.language, "gold_evidence": self.gold_evidence,
            "claim": self.claim.model_dump(mode="json"), "retrieved": self.retrieved,
            "hits": [h.model_dump(mode="json") for h in self.hits],
            "judgements": {k: [j.model_dump(mode="json") for j in v] for k, v in self.judgements.items()},
            "pred": self.pred, "confidence": self.confidence, "unknown_reason": self.unknown_reason,
            "reason": self.reason, "dense_weight": self.dense_weight, "encoder_id": self.encoder_id,
            "relevance": self.relevance, "corpus_passages": self.corpus_passages,
        }, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> Record:
        d = json.loads(line)
        return cls(
            id=d["id"], gold=d["gold"], language=d["language"], gold_evidence=d["gold_evidence"],
            claim=Claim.model_validate(d["claim"]), retrieved=d["retrieved"],
            hits=[Hit.model_validate(h) for h in d["hits"]],
            judgements={k: [Judgement.model_validate(j) for j in v] for k, v in d["judgements"].items()},
            pred=d["pred"], confidence=d["confidence"], unknown_reason=d["unknown_reason"], reason=d["reason"],
            dense_weight=d["dense_weight"], encoder_id=d["encoder_id"], relevance=d.get("relevance", "fused"),
            corpus_passages=d.get("corpus_passages", 0),
        )


@dataclass
class Run:
    """Records of one evaluation run plus how it was made (header of the saved file)."""

    header: dict
    records: list[Record] = field(default_factory=list)

    def save(self, path: Path) -> Path:
        from verify.locking import atomic_write_bytes

        text = "\n".join([json.dumps(self.header, ensure_ascii=False), *(r.to_json() for r in self.records)])
        atomic_write_bytes(path, gzip.compress(text.encode("utf-8"), compresslevel=5))
        return path

    @classmethod
    def load(cls, path: Path) -> Run:
        lines = gzip.decompress(Path(path).read_bytes()).decode("utf-8").splitlines()
        header = json.loads(lines[0])
        if header.get("format") != RUN_FORMAT:
            raise ValueError(f"{path}: not a {RUN_FORMAT} file")
        return cls(header, [Record.from_json(x) for x in lines[1:] if x.strip()])


def to_claim(c: BenchClaim) -> Claim:
    """A benchmark claim as `verify check --lines` would read it (kind: fact, quote, opinion ...)."""
    from verify.claims.extract import claims_from_lines

    parsed = claims_from_lines(c.text, source=c.id, language=c.language)
    if not parsed:
        return Claim(id=c.id, text=c.text, sentence=c.text, start=0, end=len(c.text), language=c.language,
                     source=c.id)
    return parsed[0].model_copy(update={"id": c.id})
