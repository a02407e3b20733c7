"""The frozen pydantic models passed between pipeline stages, and the Label enum."""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = "1.0"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Label(str, Enum):
    SUPPORTED = "supported"
    CONTRADICTED = "contradicted"
    UNKNOWN = "unknown"

    def __str__(self) -> str:  # print(label) and f"{label}" give "supported", as the reports write it
        return self.value


class ClaimKind(str, Enum):
    FACT = "fact"
    QUOTE = "quote"  # a direct quotation; checked as "X said Y"
    REPORTED = "reported"  # reported speech ("X erklärte, dass ...")
    OPINION = "opinion"  # evaluative language; not check-worthy on its own


class UnknownReason(str, Enum):
    NO_EVIDENCE = "no relevant evidence"
    INSUFFICIENT = "insufficient evidence"
    CONFLICTING = "conflicting evidence"
    NOT_CHECKWORTHY = "not check-worthy"


class Problem(Frozen):
    """Something that could not be read or was skipped; never dropped silently."""

    path: str
    line: int | None = None
    message: str
    severity: str = "error"  # "error": item skipped; "warning": item used with a fallback


class Document(Frozen):
    id: str
    text: str
    title: str = ""
    url: str = ""
    publisher: str = ""
    published: str = ""
    language: str = ""
    source_path: str = ""
    # Character offset of `text` inside the source file (front matter, JSONL field, ...).
    source_offset: int = 0


class Passage(Frozen):
    id: str
    doc_id: str
    text: str
    start: int  # offsets into Document.text: doc.text[start:end] == text
    end: int
    title: str = ""
    url: str = ""
    publisher: str = ""
    published: str = ""
    language: str = ""
    source_path: str = ""


class Claim(Frozen):
    id: str
    text: str  # the atomic claim, references resolved
    sentence: str  # the sentence it came from, verbatim
    start: int  # span of the source sentence/part in the article
    end: int
    language: str = "en"
    kind: ClaimKind = ClaimKind.FACT
    speaker: str | None = None
    # What retrieval adds to a claim whose subject points back ("Diese Einrichtungen werden 2026 ..."):
    # the sentence before it. The claim text itself stays as written and is what the judges read.
    context: str = ""
    source: str = ""  # file path or "-" for stdin
    line: int = 1
    column: int = 1


class Hit(Frozen):
    passage: Passage
    score: float  # relevance in [0, 1]: the fused score, or the dense one where higher (fusion.relevance)
    dense: float = 0.0
    lexical: float = 0.0
    rank: int = 0


class JudgeKind(str, Enum):
    """What a judgement is: VALUES names the claim's values a passage states or contradicts (a rule);
    READING is a model's probabilities for the pair. Aggregation combines judgements by kind."""

    VALUES = "values"
    READING = "reading"

    def __str__(self) -> str:
        return self.value


class Judgement(Frozen):
    """One judge's reading of one (passage, claim) pair."""

    passage_id: str
    judge: str
    kind: JudgeKind = JudgeKind.READING
    entailment: float = 0.0
    neutral: float = 1.0
    contradiction: float = 0.0
    reason: str = ""
    # Rule judge only: the claim's values this passage states ("amount 50 billion USD") or contradicts.
    matched: list[str] = Field(default_factory=list)
    mismatched: list[str] = Field(default_factory=list)
    # Rule judge only: does the passage speak of the organisation(s) the claim names? None: unknown.
    on_topic: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _kind_of_older_records(cls, data: Any) -> Any:
        # Judgements saved before kinds existed: the rule judge's were value comparisons.
        if isinstance(data, dict) and "kind" not in data and data.get("judge") == "rules":
            return {**data, "kind": JudgeKind.VALUES}
        return data

    @property
    def label(self) -> Label:
        best = max(self.entailment, self.neutral, self.contradiction)
        if best == self.contradiction and self.contradiction > 0:
            return Label.CONTRADICTED
        if best == self.entailment and self.entailment > 0:
            return Label.SUPPORTED
        return Label.UNKNOWN


class Citation(Frozen):
    doc_id: str
    title: str
    url: str
    publisher: str
    published: str
    passage: str
    start: int
    end: int
    source_path: str = ""
    score: float = 0.0  # retrieval score
    stance: Label = Label.UNKNOWN  # what this passage says about the claim


class Verdict(Frozen):
    text: str = ""  # == claim.text; flat so JSON consumers need not dig into `claim`
    label: Label
    confidence: float = Field(ge=0.0, le=1.0)
    reason: str
    unknown_reason: UnknownReason | None = None
    citations: list[Citation] = Field(default_factory=list)
    claim: Claim

    @model_validator(mode="before")
    @classmethod
    def _text_from_claim(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("text") and data.get("claim") is not None:
            claim = data["claim"]
            data = {**data, "text": claim.text if isinstance(claim, Claim) else claim.get("text", "")}
        return data


class IndexInfo(Frozen):
    encoder_id: str
    encoder_version: str
    dimension: int
    normalized: bool
    corpus_hash: str
    passages: int
    documents: int
    built_at: str
    index_type: str = "flat-ip"


class Report(Frozen):
    schema_version: str = SCHEMA_VERSION
    source: str = ""
    language: str = ""
    encoder: str = ""
    judges: list[str] = Field(default_factory=list)
    index: IndexInfo | None = None
    verdicts: list[Verdict] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)
    seconds: float = 0.0
    counts: dict[str, int] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _count(self) -> Report:
        counts = {label.value: 0 for label in Label}
        for v in self.verdicts:
            counts[v.label.value] += 1
        object.__setattr__(self, "counts", counts)
        return self
