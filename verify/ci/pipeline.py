"""The pipeline as CI uses it: its identity (code, corpus, models, thresholds) and a Verifier on demand."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from verify.ci.cache import code_version, judge_keys
from verify.ci.config import CACHE_FORMAT, CiConfig, CiError
from verify.config import Settings
from verify.judging.registry import default_names
from verify.models import Problem


@dataclass
class PipelineHandle:
    """What a CI run needs from the pipeline: the identity its verdicts depend on, and a Verifier on demand."""

    identity: dict[str, Any]
    make_verifier: Callable[[], Any]
    problems: list[Problem] = field(default_factory=list)  # evidence corpus problems
    encoder: str = ""
    judges: list[str] = field(default_factory=list)
    judge_keys: dict[str, str] = field(default_factory=dict)  # judge name -> what its judgements depend on
    _verifier: Any = None

    def verifier(self) -> Any:
        if self._verifier is None:
            self._verifier = self.make_verifier()
        return self._verifier


def _identity(corpus_hash: str, encoder_id: str, encoder_version: str, judges: Sequence[str],
              keys: dict[str, str], thresholds: Any, top_k: int, window: Sequence[int]) -> dict[str, Any]:
    return {
        "format": CACHE_FORMAT,
        "code": code_version(),
        "corpus": corpus_hash,
        "encoder": [encoder_id, encoder_version],
        "judges": list(judges),
        "judge_keys": {n: keys.get(n, "") for n in judges},
        "thresholds": thresholds.model_dump(mode="json"),
        "top_k": top_k,
        "window": list(window),
    }


def pipeline_from_settings(settings: Settings) -> PipelineHandle:
    """An engine for the real pipeline. When the index on disk is current for the evidence files, nothing
    is loaded: a run whose documents are all cached never loads a model."""
    from verify.pipeline import Verifier
    from verify.retrieval.build import evidence_files, evidence_fingerprint, index_folder, manifest_is_current
    from verify.retrieval.encoders import make_encoder
    from verify.retrieval.store import IndexStore

    judges = default_names(settings)
    keys = judge_keys(settings, judges)
    window = (settings.passage_sentences, settings.passage_overlap, settings.nli_focus)  # what the judges read
    encoder = make_encoder(settings.encoder, batch_size=settings.batch_size)
    manifest = IndexStore.read_manifest(index_folder(settings, encoder))
    if manifest is not None and manifest_is_current(manifest, encoder, evidence_fingerprint(
            evidence_files(settings.evidence))):
        info = manifest["info"]
        identity = _identity(info["corpus_hash"], info["encoder_id"], info["encoder_version"], judges, keys,
                             settings.thresholds, settings.top_k, window)
        problems = [Problem.model_validate(p) for p in manifest.get("problems", [])]
        return PipelineHandle(identity=identity, make_verifier=lambda: Verifier.from_settings(settings),
                      problems=problems, encoder=encoder.id, judges=list(judges), judge_keys=keys)
    verifier = Verifier.from_settings(settings)  # builds (or repairs) the index
    info = verifier.index_info
    assert info is not None  # from_settings always records the index it built or opened
    identity = _identity(info.corpus_hash, info.encoder_id, info.encoder_version, judges, keys,
                         settings.thresholds, settings.top_k, window)
    return PipelineHandle(identity=identity, make_verifier=lambda: verifier, problems=list(verifier.corpus_problems),
                  encoder=encoder.id, judges=list(judges), judge_keys=keys, _verifier=verifier)


def settings_for(config: CiConfig) -> Settings:
    """The pipeline Settings a configuration asks for."""
    extra: dict[str, Any] = {}
    if config.thresholds is not None:
        from verify.config import ThresholdsError, load_thresholds

        try:
            extra["thresholds"] = load_thresholds(config.thresholds)
        except ThresholdsError as exc:
            raise CiError(f"thresholds: {exc}") from None
    return Settings(evidence=config.evidence, encoder=config.encoder, judges=config.judges, top_k=config.top_k,
                    nli_model=config.nli_model, nli_backend=config.nli_backend, **extra)
