"""ONNX exports of model folders: tracing, a checksummed export folder built once, sessions, batching."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from verify.locking import file_lock, file_record, files_match, publish_folder, sha256_file

MANIFEST = "verify-onnx-manifest.json"


def _source_digest(folder: Path) -> str:
    mf = folder / "verify-manifest.json"  # written by verify.weights.judge when it assembled the folder
    if mf.exists():
        return hashlib.sha256(mf.read_bytes()).hexdigest()
    return sha256_file(folder / "model.safetensors")


def onnx_folder_ok(out: Path, source: Path, version: str) -> bool:
    try:
        meta = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if meta.get("export_version") != version or meta.get("source") != _source_digest(source):
        return False
    return files_match(out, meta.get("files", {}))


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
            from verify.weights.prepare import preparing

            with preparing(f"the ONNX export of {source.name}"):
                export(source, tmp)
            files = {}
            for path in sorted(tmp.iterdir()):
                files[path.name] = file_record(path)
            meta = {"export_version": version, "source": _source_digest(source), "files": files}
            (tmp / MANIFEST).write_text(json.dumps(meta, indent=2), encoding="utf-8")
            publish_folder(tmp, out)
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
