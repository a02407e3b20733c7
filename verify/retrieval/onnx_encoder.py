"""A sentence-transformers mean-pooling encoder served from an ONNX export: tokenizers + onnxruntime only."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from verify.weights.onnx import ensure_export, open_session, padded_batches, trace_to_onnx

if TYPE_CHECKING:
    from onnxruntime import InferenceSession
    from tokenizers import Tokenizer

# Bump when the export (graph, outputs, opset) changes: the manifest check then re-exports.
EXPORT_VERSION = "onnx-encoder-fp32-1"
_COPIED = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "config.json",
           "sentence_bert_config.json", "modules.json")


def _export(source: Path, out: Path) -> None:
    import torch
    from transformers import AutoModel

    # Float32 and eager attention, as for the judge: the vectors must match the torch encoder's (an
    # index built by either is searched by the other; tests/test_onnx_encoder.py checks cos >= 0.9999).
    base = AutoModel.from_pretrained(str(source), attn_implementation="eager")
    base.eval()

    class _Hidden(torch.nn.Module):  # keyword call: BertModel.forward's positional order varies by version
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids,
                              return_dict=True).last_hidden_state

    model = _Hidden(base)
    trace_to_onnx(model, out / "model.onnx", [0, 100, 200, 300, 2], "last_hidden_state", {0: "batch", 1: "seq"})
    for name in _COPIED:
        if (source / name).exists():
            shutil.copy2(source / name, out / name)


def ensure_onnx_encoder(source: Path, out: Path | None = None) -> Path:
    """The ONNX export of the sentence-transformers folder `source` (built once, atomically, checksummed)."""
    return ensure_export(source, out or source.with_name(source.name + "-onnx"), _export, EXPORT_VERSION)


class ONNXMeanPoolEncoder:
    """Mean pooling over the last hidden state, then unit length: what a sentence-transformers
    Transformer + Pooling(mean) + Normalize folder computes, without importing torch at run time
    (torch + sentence-transformers take ~5 s to import, more than the whole warm audit)."""

    def __init__(self, folder: Path, *, max_length: int = 256, batch_size: int = 32, threads: int | None = None):
        self.folder = Path(folder)
        self.max_length = max_length
        self.batch_size = batch_size
        self.threads = threads or max(1, os.cpu_count() or 1)
        self._session: InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None
        self._pad = 0
        self._inputs: set[str] = set()
        self._lock = threading.Lock()

    def _ensure(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            self._pad = int(self._config.get("pad_token_id") or 0)
            tok, session = open_session(self.folder, self.max_length, self.threads)
            self._inputs = {i.name for i in session.get_inputs()}
            self._tokenizer = tok
            self._session = session  # last: it is what says the encoder is loaded

    @cached_property
    def _config(self) -> dict:
        return json.loads((self.folder / "config.json").read_text(encoding="utf-8"))

    @property
    def dimension(self) -> int:
        return int(self._config["hidden_size"])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self._ensure()
        encs = self._tokenizer.encode_batch(list(texts))  # type: ignore[union-attr]
        out = np.empty((len(encs), self.dimension), dtype=np.float32)
        for chunk, feed in padded_batches(encs, self.batch_size, self._pad, "token_type_ids" in self._inputs):
            hidden = self._session.run(["last_hidden_state"], feed)[0]  # type: ignore[union-attr]
            m = feed["attention_mask"][:, :, None].astype(np.float32)
            out[chunk] = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)
