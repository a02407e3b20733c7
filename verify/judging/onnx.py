"""The NLI judge as ONNX: exported once from the CrossEncoder folder, then run without torch."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from verify.models import Claim, JudgeKind, Judgement, Passage
from verify.weights import onnx as exports
from verify.weights.onnx import ensure_export, open_session, padded_batches, trace_to_onnx

if TYPE_CHECKING:
    from onnxruntime import InferenceSession
    from tokenizers import Tokenizer

EXPORT_VERSION = "onnx-fp32-eager-2"
_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "config.json")


def onnx_folder_ok(out: Path, source: Path, version: str = EXPORT_VERSION) -> bool:
    """Whether `out` holds a complete, current export of the judge folder `source`."""
    return exports.onnx_folder_ok(out, source, version)


def _export(source: Path, out: Path) -> None:
    from transformers import AutoModelForSequenceClassification

    # Eager attention: onnxruntime ran the SDPA export of this model 1.19x slower (3.32 s vs 2.79 s for
    # the seed audit's 60 pairs, same probabilities); its transformer fusions gained nothing on top
    # (2.80 s), so they are not applied (docs/performance.md).
    model = AutoModelForSequenceClassification.from_pretrained(str(source), attn_implementation="eager")
    model.eval()
    trace_to_onnx(model, out / "model.onnx", [0, 100, 200, 2, 2, 300, 2], "logits", {0: "batch"})
    # Float32 on purpose: dynamic int8 quantisation was 1.4-2x faster but agreed with the float judge
    # on only 84-97% of 300 XNLI-dev pairs (per tensor or per channel; all MatMuls, the feed-forward
    # ones, or only their up-projection; docs/performance.md), under the 97% bar; quality first.
    for name in _TOKENIZER_FILES:
        if (source / name).exists():
            shutil.copy2(source / name, out / name)


def ensure_onnx(source: Path, out: Path | None = None) -> Path:
    """An ONNX export of the CrossEncoder folder `source`, built once (atomically) and checksummed."""
    return ensure_export(source, out or source.with_name(source.name + "-onnx"), _export, EXPORT_VERSION)


class ONNXNLIJudge:
    """Entailment / neutral / contradiction from the ONNX export; tokenizers + onnxruntime only."""

    name = "nli"
    kind = JudgeKind.READING

    def __init__(self, folder: Path, batch_size: int = 32, max_length: int = 256, threads: int | None = None):
        self.folder = Path(folder)
        self.batch_size = batch_size
        self.max_length = max_length
        self.threads = threads or max(1, os.cpu_count() or 1)
        self._session: InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None
        self._order: list[int] = []
        self._inputs: set[str] = set()
        self._lock = threading.Lock()

    def prefetch(self) -> None:
        """Load the session in a background thread, so it overlaps the encoder's load and the retrieval
        (a cold `verify audit` waits for both otherwise). A failure there is raised by the next call."""
        if self._session is None:
            # Not a daemon: exiting while onnxruntime is half-way through building a session can crash
            # the interpreter; a run that judged nothing waits for the load instead.
            threading.Thread(target=self._ensure, kwargs={"quiet": True}).start()

    def _ensure(self, quiet: bool = False) -> None:
        with self._lock:
            if self._session is not None:
                return
            try:
                self._load()
            except Exception:
                if not quiet:
                    raise

    def _load(self) -> None:
        config = json.loads((self.folder / "config.json").read_text(encoding="utf-8"))
        id2label = {int(k): str(v).lower() for k, v in config.get("id2label", {}).items()}
        inverse = {v: k for k, v in id2label.items()}
        wanted = ("entailment", "neutral", "contradiction")
        if any(w not in inverse for w in wanted):
            raise ValueError(f"{self.folder}: labels {sorted(id2label.values())} are not entailment/neutral/contradiction")
        self._order = [inverse[w] for w in wanted]
        self._pad = int(config.get("pad_token_id") or 1)
        tok, session = open_session(self.folder, self.max_length, self.threads)
        self._inputs = {i.name for i in session.get_inputs()}
        self._tokenizer = tok
        self._session = session  # last: it is what says the judge is loaded

    def probabilities(self, premises: Sequence[str], hypotheses: Sequence[str]) -> np.ndarray:
        if not premises:
            return np.zeros((0, 3), dtype=np.float32)
        self._ensure()  # under the lock: a prefetch may be half-way through _load
        assert self._tokenizer is not None and self._session is not None  # _ensure raised otherwise
        encs = self._tokenizer.encode_batch(list(zip(premises, hypotheses, strict=True)))
        out = np.empty((len(encs), 3), dtype=np.float32)
        for chunk, feed in padded_batches(encs, self.batch_size, self._pad, "token_type_ids" in self._inputs):
            logits = self._session.run(["logits"], feed)[0][:, self._order]
            logits -= logits.max(axis=1, keepdims=True)
            probs = np.exp(logits)
            out[chunk] = probs / probs.sum(axis=1, keepdims=True)
        return out

    def judge(self, pairs: Sequence[tuple[Claim, Passage]]) -> list[Judgement]:
        probs = self.probabilities([p.text for _, p in pairs], [c.text for c, _ in pairs])
        return [
            Judgement(passage_id=p.id, judge=self.name, kind=self.kind, entailment=float(e), neutral=float(n), contradiction=float(c))
            for (_c, p), (e, n, c) in zip(pairs, probs, strict=True)
        ]
