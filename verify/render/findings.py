"""CI findings: one checked claim with its place in a document, and the result of a `verify ci` run."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

from verify.models import Citation, Label, Problem, UnknownReason

_WS = re.compile(r"\s+")


class FailOn(str, Enum):
    CONTRADICTED = "contradicted"  # only contradicted claims fail the run
    UNKNOWN = "unknown"  # contradicted and unknown (check-worthy) claims fail the run


class Level(str, Enum):
    ERROR = "error"  # fails the run
    WARNING = "warning"  # contradicted or unknown, but below the fail-on level or the minimum confidence
    NONE = "none"  # supported, or not check-worthy


def normalise_claim(text: str) -> str:
    """The claim as it is hashed: NFKC, case-folded, whitespace collapsed, outer punctuation dropped."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _WS.sub(" ", text).strip().strip(".!?;:,\"'„“”‚‘«» ")


def finding_id(path: str, claim: str, occurrence: int = 1) -> str:
    """Stable id of a claim in a document: moving it to another line keeps the id; editing it does not."""
    key = f"{path}\x00{normalise_claim(claim)}"
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]
    return digest if occurrence <= 1 else f"{digest}-{occurrence}"


class Finding(BaseModel):
    """One claim of one document, its verdict, and what it means for the CI run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str  # finding_id(file, claim)
    file: str  # path relative to the repository root, with '/' separators
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None
    claim: str  # the atomic claim, references resolved
    sentence: str = ""  # the sentence it came from, verbatim
    label: Label
    confidence: float = Field(ge=0.0, le=1.0)
    reason: str
    unknown_reason: UnknownReason | None = None
    citations: list[Citation] = Field(default_factory=list)
    language: str = ""
    level: Level = Level.NONE
    suppressed: bool = False  # in the baseline: reported, but does not fail the run

    @property
    def failing(self) -> bool:
        return self.level == Level.ERROR and not self.suppressed


class CacheStats(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: int = 0  # documents checked in this run
    hits: int = 0  # documents whose verdicts came from the cache
    misses: int = 0  # documents verified afresh
    invalid: int = 0  # cache entries found damaged (counted as misses too)
    judgements_reused: int = 0  # (claim, passage) judgements taken from the judgement cache
    judgements_computed: int = 0  # (claim, passage) judgements computed in this run
    enabled: bool = True


class CiResult(BaseModel):
    """Everything a `verify ci` run found; what every CI renderer reads."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tool_version: str = ""
    fail_on: FailOn = FailOn.CONTRADICTED
    min_confidence: float = 0.0
    findings: list[Finding] = Field(default_factory=list)  # every checked claim, in document order
    documents: list[str] = Field(default_factory=list)  # the documents checked, relative paths
    problems: list[Problem] = Field(default_factory=list)  # unreadable documents, evidence problems
    cache: CacheStats = Field(default_factory=CacheStats)
    baseline: str | None = None  # the baseline file used, if any
    changed_only: str | None = None  # the git revision, with --changed-only
    encoder: str = ""
    judges: list[str] = Field(default_factory=list)
    seconds: float = 0.0

    @property
    def failing(self) -> list[Finding]:
        return [f for f in self.findings if f.failing]

    @property
    def suppressed(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == Level.WARNING and not f.suppressed]

    @property
    def input_errors(self) -> list[Problem]:
        """Documents that could not be checked (evidence problems are listed, but do not count)."""
        docs = set(self.documents)
        return [p for p in self.problems if p.severity == "error" and p.path in docs]

    def counts(self) -> dict[str, int]:
        out = {label.value: 0 for label in Label}
        for f in self.findings:
            out[f.label.value] += 1
        return out


def printable(text: str) -> str:
    """Lone surrogates (from undecodable input) cannot be written as UTF-8; replace them, keep the rest."""
    return text.encode("utf-8", "replace").decode("utf-8")


def render_ci_json(result: CiResult) -> str:
    """The CiResult as JSON, with the summary figures a script wants first."""
    import json

    data = {
        "summary": {
            "failing": len(result.failing),
            "suppressed": len(result.suppressed),
            "warnings": len(result.warnings),
            "input_errors": len(result.input_errors),
            "counts": result.counts(),
        },
        **result.model_dump(mode="json"),
    }
    return printable(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


def render_ci_text(result: CiResult) -> str:
    """Compiler-style lines (file:line:col: level: ...) for a terminal or a CI log, then a summary."""
    out = []
    for f in result.findings:
        if f.level == Level.NONE:
            continue
        tag = "suppressed" if f.suppressed else f.level.value
        cite = next((c.url for c in f.citations if c.url), "")
        out.append(f"{f.file}:{f.line}:{f.column}: {tag}: {f.label.value} ({f.confidence:.2f}): "
                   f"{' '.join(f.claim.split())} — {f.reason}" + (f" [{cite}]" if cite else ""))
    for p in result.problems:
        loc = f"{p.path}:{p.line}" if p.line else p.path
        out.append(f"{loc}: {p.severity}: {p.message}")
    c = result.counts()
    cache = result.cache
    reuse = (f"cache: {cache.hits} of {cache.documents} documents reused, {cache.misses} checked"
             if cache.enabled else "cache off")
    out.append(
        f"{len(result.documents)} documents, {len(result.findings)} claims: {c['supported']} supported, "
        f"{c['contradicted']} contradicted, {c['unknown']} unknown; {len(result.failing)} failing "
        f"(fail-on {result.fail_on.value}), {len(result.suppressed)} suppressed by baseline; {reuse}; "
        f"{result.seconds:.2f} s"
    )
    return printable("\n".join(out) + "\n")
