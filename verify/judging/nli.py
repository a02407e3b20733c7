"""The NLI judge: a cross-encoder with entailment / neutral / contradiction outputs (the project's own by default)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from verify.judging.registry import JudgeContext, JudgeSpec
from verify.models import Claim, JudgeKind, Judgement, Passage

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class NLIJudge:
    """Any sentence-transformers CrossEncoder folder with entailment / neutral / contradiction outputs."""

    name = "nli"
    kind = JudgeKind.READING

    def __init__(self, folder: str | Path, batch_size: int = 32, max_length: int = 256):
        self.folder = Path(folder)
        self.batch_size = batch_size
        self.max_length = max_length
        self._model = None
        self._order: list[int] | None = None  # output column for entailment, neutral, contradiction

    @property
    def model(self):
        if self._model is None:
            import torch
            from sentence_transformers import CrossEncoder

            torch.set_num_threads(max(1, os.cpu_count() or 1))
            import json

            config = json.loads((self.folder / "config.json").read_text(encoding="utf-8"))
            id2label = {int(k): str(v).lower() for k, v in config.get("id2label", {}).items()}
            wanted = ("entailment", "neutral", "contradiction")
            missing = [w for w in wanted if w not in id2label.values()]
            if missing:
                raise ValueError(
                    f"{self.folder}: CrossEncoder labels {sorted(id2label.values())} lack {missing}; "
                    "an NLI judge needs entailment / neutral / contradiction outputs"
                )
            inverse = {v: k for k, v in id2label.items()}
            self._order = [inverse[w] for w in wanted]
            self._model = CrossEncoder(
                str(self.folder), device="cpu", max_length=self.max_length, activation_fn=torch.nn.Identity()
            )
        return self._model

    def probabilities(self, premises: Sequence[str], hypotheses: Sequence[str]) -> np.ndarray:
        """(n, 3) probabilities of entailment, neutral, contradiction, batched with length-sorted padding."""
        if not premises:
            return np.zeros((0, 3), dtype=np.float32)
        model = self.model
        order = np.argsort([len(p) + len(h) for p, h in zip(premises, hypotheses, strict=True)])
        pairs = [(premises[i], hypotheses[i]) for i in order]
        logits = np.asarray(
            model.predict(pairs, batch_size=self.batch_size, show_progress_bar=False, convert_to_numpy=True),
            dtype=np.float32,
        )
        logits = logits[:, self._order]
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        out = np.empty_like(probs)
        out[order] = probs
        return out

    def judge(self, pairs: Sequence[tuple[Claim, Passage]]) -> list[Judgement]:
        probs = self.probabilities([p.text for _, p in pairs], [c.text for c, _ in pairs])
        out = []
        for (_claim, passage), (e, n, c) in zip(pairs, probs, strict=True):
            out.append(
                Judgement(
                    passage_id=passage.id,
                    judge=self.name,
                    kind=self.kind,
                    entailment=float(e),
                    neutral=float(n),
                    contradiction=float(c),
                    reason="",
                )
            )
        return out


def nli_shipped() -> bool:
    """Whether the project's own judge artifact is in the package (it is trained, not faked)."""
    from verify.weights.judge import artifact_dir

    return (artifact_dir() / "judge.json").exists()


def default_nli_folder() -> Path:
    """The project's own judge, assembled in the cache on first use and checked against its checksum."""
    from verify.weights.judge import ensure_judge

    return ensure_judge()


def make_nli_judge(folder: Path, backend: str = "onnx", batch_size: int = 32):
    """The NLI judge over a CrossEncoder folder: ONNX (float32, exported once, cached) or plain torch."""
    if backend == "torch":
        return NLIJudge(folder, batch_size=batch_size)
    if backend != "onnx":
        raise ValueError(f"unknown NLI backend '{backend}' (onnx, torch)")
    from verify.judging.onnx import ONNXNLIJudge, ensure_onnx

    return ONNXNLIJudge(ensure_onnx(folder), batch_size=batch_size)


def _build(ctx: JudgeContext):
    settings = ctx.settings
    if not settings.nli_model and not nli_shipped():
        raise ValueError("no NLI model is shipped yet: pass --nli-model FOLDER or use --judge rules")
    folder = Path(settings.nli_model) if settings.nli_model else default_nli_folder()
    judge = make_nli_judge(folder, settings.nli_backend, settings.nli_batch_size)
    if settings.nli_focus and ctx.encoder is not None:
        from verify.judging.focus import FocusedJudge

        # Of a longer passage the cross-encoder reads the sentences closest to the claim.
        return FocusedJudge(judge, ctx.encoder, settings.nli_focus, ctx.organisations)
    return judge


def _identity(settings) -> str:
    """Which model, backend and focus a saved judgement depends on, without loading the model."""
    from verify.judging.onnx import EXPORT_VERSION

    backend = settings.nli_backend + (f":{EXPORT_VERSION}" if settings.nli_backend == "onnx" else "")
    if settings.nli_model:
        from verify.identity import folder_fingerprint

        model = "folder:" + folder_fingerprint(Path(settings.nli_model))
    else:
        from verify.weights.judge import JUDGE_VERSION, JudgeArtifactError, read_artifact_meta

        try:
            model = f"shipped:{JUDGE_VERSION}:" + str(read_artifact_meta().get("sha256", ""))[:16]
        except JudgeArtifactError:
            model = "not-shipped"
    return f"{model}/{backend}/focus{settings.nli_focus}"


# The cross-encoder is what costs time: it reads the first `nli_top_k` relevant passages only.
JUDGE = JudgeSpec(name="nli", kind=JudgeKind.READING, build=_build,
                  default=lambda settings: bool(settings.nli_model) or nli_shipped(), identity=_identity)
