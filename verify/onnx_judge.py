"""The NLI judge as ONNX: exported once from the CrossEncoder folder, then run without torch."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from verify.locking import file_lock, file_record, files_match, sha256_file
from verify.models import Claim, Judgement, Passage

EXPORT_VERSION = "onnx-fp32-eager-2"
_MANIFEST = "verify-onnx-manifest.json"
_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "config.json")


def _source_digest(folder: Path) -> str:
    mf = folder / "verify-manifest.json"  # written by verify.nli_model when it assembled the folder
    if mf.exists():
        return hashlib.sha256(mf.read_bytes()).hexdigest()
    return sha256_file(folder / "model.safetensors")


def onnx_folder_ok(out: Path, source: Path, version: str = EXPORT_VERSION) -> bool:
    try:
        meta = json.loads((out / _MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if meta.get("export_version") != version or meta.get("source") != _source_digest(source):
        return False
    return files_match(out, meta.get("files", {}))


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


def trace_to_onnx(model, path: Path, sample_ids: list[int], output: str, output_axes: dict[int, str]) -> None:
    """Trace `model(input_ids, attention_mask, token_type_ids)` to an opset-17 ONNX file, batch and
    sequence length dynamic (the TorchScript exporter: the dynamo one is not needed for a BERT)."""
    import torch

    ids = torch.tensor([sample_ids], dtype=torch.long)
    mask = torch.ones_like(ids)
    types = torch.zeros_like(ids)
    inputs = ("input_ids", "attention_mask", "token_type_ids")
    with torch.no_grad():
        torch.onnx.export(model, (ids, mask, types), str(path), input_names=list(inputs), output_names=[output],
                          dynamic_axes={n: {0: "batch", 1: "seq"} for n in inputs} | {output: output_axes},
                          opset_version=17, dynamo=False)


def ensure_onnx(source: Path, out: Path | None = None) -> Path:
    """An ONNX export of the CrossEncoder folder `source`, built once (atomically) and checksummed."""
    return ensure_export(source, out or source.with_name(source.name + "-onnx"), _export, EXPORT_VERSION)


def ensure_export(source: Path, out: Path, export: Callable[[Path, Path], None], version: str) -> Path:
    """`export(source, tmp)` once into `out`, atomically under a lock, with a checksummed manifest that
    names `version` and the source's digest; a later call with both unchanged returns `out` as is."""
    if onnx_folder_ok(out, source, version):
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(out.parent / f".{out.name}.lock"):
        if onnx_folder_ok(out, source, version):
            return out
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        try:
            export(source, tmp)
            files = {}
            for path in sorted(tmp.iterdir()):
                with open(path, "rb") as f:
                    os.fsync(f.fileno())
                files[path.name] = file_record(path)
            meta = {"export_version": version, "source": _source_digest(source), "files": files}
            (tmp / _MANIFEST).write_text(json.dumps(meta, indent=2), encoding="utf-8")
            os.chmod(tmp, 0o755)
            if out.exists():
                shutil.rmtree(out)
            os.replace(tmp, out)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return out


def open_session(folder: Path, max_length: int, threads: int):
    """The folder's tokenizer (truncating at `max_length`, no padding) and its model.onnx session on
    `threads` CPU threads."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.enable_truncation(max_length, strategy="longest_first")
    tok.no_padding()
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return tok, ort.InferenceSession(str(folder / "model.onnx"), opts, providers=["CPUExecutionProvider"])


def padded_batches(encs, batch_size: int, pad: int, token_types: bool):
    """(row indices, ONNX feed) per batch of tokenizer encodings, in length order: padding a short text
    to a long one's width is wasted work, so each batch is only as wide as its longest member."""
    order = np.argsort([len(e.ids) for e in encs], kind="stable")
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        width = max(len(encs[i].ids) for i in chunk)
        ids = np.full((len(chunk), width), pad, dtype=np.int64)
        mask = np.zeros((len(chunk), width), dtype=np.int64)
        for row, i in enumerate(chunk):
            n = len(encs[i].ids)
            ids[row, :n] = encs[i].ids
            mask[row, :n] = 1
        feed = {"input_ids": ids, "attention_mask": mask}
        if token_types:
            feed["token_type_ids"] = np.zeros_like(ids)
        yield chunk, feed


class ONNXNLIJudge:
    """Entailment / neutral / contradiction from the ONNX export; tokenizers + onnxruntime only."""

    name = "nli"

    def __init__(self, folder: Path, batch_size: int = 32, max_length: int = 256, threads: int | None = None):
        self.folder = Path(folder)
        self.batch_size = batch_size
        self.max_length = max_length
        self.threads = threads or max(1, os.cpu_count() or 1)
        self._session = None
        self._tokenizer = None
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
            Judgement(passage_id=p.id, judge=self.name, entailment=float(e), neutral=float(n), contradiction=float(c))
            for (_c, p), (e, n, c) in zip(pairs, probs, strict=True)
        ]
