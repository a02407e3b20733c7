"""The evidence index on disk (FAISS + passage metadata + checksummed manifest) and the hybrid retriever."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from verify.fusion import fuse, rescale_dense, rescale_lexical
from verify.lexical import BM25Index, tokenize
from verify.locking import atomic_write_text, file_lock
from verify.models import Claim, Hit, IndexInfo, Passage
from verify.protocols import Encoder

INDEX_FORMAT = "verify-index-1"
_CANDIDATES = 50  # dense and lexical candidates per claim before fusion


class IndexError_(RuntimeError):
    """The index on disk cannot be used (wrong encoder, corrupted, missing)."""


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def choose_index_type(n: int) -> str:
    # Exact search is fastest to build and exact; HNSW pays off once a flat scan costs milliseconds.
    return "flat-ip" if n < 200_000 else "hnsw"


def _build_faiss(vectors: np.ndarray, index_type: str):
    import faiss

    dim = vectors.shape[1]
    if index_type == "flat-ip":
        index = faiss.IndexFlatIP(dim)
    elif index_type == "hnsw":
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 96
    else:
        raise ValueError(f"unknown index type '{index_type}' (flat-ip, hnsw)")
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


class IndexStore:
    """A built index: FAISS vectors, the passages they stand for, and the manifest describing both."""

    def __init__(self, info: IndexInfo, passages: list[Passage], faiss_index, folder: Path | None = None):
        self.info = info
        self.passages = passages
        self.faiss = faiss_index
        self.folder = folder
        self._bm25: BM25Index | None = None

    @property
    def bm25(self) -> BM25Index:
        if self._bm25 is None:
            self._bm25 = BM25Index([f"{p.title}\n{p.text}" for p in self.passages])
        return self._bm25

    # ------------------------------------------------------------------ build

    @classmethod
    def build(
        cls,
        passages: list[Passage],
        encoder: Encoder,
        corpus_hash: str,
        documents: int,
        index_type: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        batch: int = 256,
    ) -> IndexStore:
        chunks = []
        texts = [f"{p.title}\n{p.text}" if p.title else p.text for p in passages]
        for i in range(0, len(texts), batch):
            chunks.append(encoder.encode_passages(texts[i : i + batch]))
            if progress:
                progress(min(i + batch, len(texts)), len(texts))
        vectors = np.concatenate(chunks) if chunks else np.zeros((0, encoder.dimension), np.float32)
        kind = index_type or choose_index_type(len(passages))
        info = IndexInfo(
            encoder_id=encoder.id,
            encoder_version=encoder.version,
            dimension=int(vectors.shape[1]) if len(vectors) else encoder.dimension,
            normalized=True,
            corpus_hash=corpus_hash,
            passages=len(passages),
            documents=documents,
            built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            index_type=kind,
        )
        return cls(info, passages, _build_faiss(vectors, kind))

    # ------------------------------------------------------------------ disk

    def save(self, folder: Path, extra: dict | None = None) -> Path:
        """Write atomically: a new build folder, then the CURRENT pointer is swapped by rename."""
        import faiss

        folder.mkdir(parents=True, exist_ok=True)
        build = Path(tempfile.mkdtemp(prefix="build-", dir=folder))
        faiss.write_index(self.faiss, str(build / "index.faiss"))
        with open(build / "passages.jsonl", "w", encoding="utf-8") as f:
            for p in self.passages:
                f.write(p.model_dump_json() + "\n")
        for name in ("index.faiss", "passages.jsonl"):
            with open(build / name, "rb") as f:
                os.fsync(f.fileno())
        manifest = {
            "format": INDEX_FORMAT,
            "info": self.info.model_dump(mode="json"),
            "checksums": {n: _sha256_file(build / n) for n in ("index.faiss", "passages.jsonl")},
            **(extra or {}),
        }
        atomic_write_text(build / "manifest.json", json.dumps(manifest, indent=2))
        atomic_write_text(folder / "CURRENT", build.name + "\n")
        self.folder = build
        for old in folder.glob("build-*"):
            if old.name != build.name:
                shutil.rmtree(old, ignore_errors=True)
        return build

    @staticmethod
    def current(folder: Path) -> Path | None:
        pointer = folder / "CURRENT"
        if not pointer.exists():
            return None
        build = folder / pointer.read_text(encoding="utf-8").strip()
        return build if build.is_dir() else None

    @staticmethod
    def read_manifest(folder: Path) -> dict | None:
        build = IndexStore.current(folder)
        if build is None:
            return None
        try:
            manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return manifest if manifest.get("format") == INDEX_FORMAT else None

    @classmethod
    def load(cls, folder: Path, encoder: Encoder | None = None, verify_checksums: bool = True) -> IndexStore:
        import faiss

        build = cls.current(folder)
        manifest = cls.read_manifest(folder)
        if build is None or manifest is None:
            raise IndexError_(f"{folder}: no complete index here (run 'verify index')")
        info = IndexInfo.model_validate(manifest["info"])
        if encoder is not None and (info.encoder_id != encoder.id or info.encoder_version != encoder.version):
            raise IndexError_(
                f"{folder}: index was built with encoder {info.encoder_id} ({info.encoder_version}), "
                f"not {encoder.id} ({encoder.version}); rebuild it with 'verify index --encoder {encoder.id}'"
            )
        if verify_checksums:
            for name, digest in manifest["checksums"].items():
                path = build / name
                if not path.exists() or _sha256_file(path) != digest:
                    raise IndexError_(f"{path}: checksum mismatch (index corrupted); rebuild with 'verify index'")
        index = faiss.read_index(str(build / "index.faiss"), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
        passages = []
        with open(build / "passages.jsonl", encoding="utf-8") as f:
            for line in f:
                passages.append(Passage.model_validate_json(line))
        if index.ntotal != len(passages) or len(passages) != info.passages:
            raise IndexError_(f"{build}: index holds {index.ntotal} vectors for {len(passages)} passages")
        return cls(info, passages, index, build)


class HybridRetriever:
    """Dense FAISS search fused with BM25; implements the Retriever protocol."""

    def __init__(self, store: IndexStore, encoder: Encoder, dense_weight: float = 0.7):
        if store.info.encoder_id != encoder.id:
            raise IndexError_(f"index built with {store.info.encoder_id}, queried with {encoder.id}")
        self.store = store
        self.encoder = encoder
        self.dense_weight = dense_weight

    def search(self, claims: Sequence[Claim], top_k: int) -> list[list[Hit]]:
        n = len(self.store.passages)
        if not claims:
            return []
        if n == 0:
            return [[] for _ in claims]
        queries = [c.text for c in claims]
        vectors = self.encoder.encode_queries(queries)
        k = min(n, max(_CANDIDATES, top_k))
        sims, ids = self.store.faiss.search(np.ascontiguousarray(vectors, dtype=np.float32), k)
        results = []
        for qi, claim in enumerate(claims):
            lex_all = self.store.bm25.scores(claim.text)
            cand = {int(i): float(s) for i, s in zip(ids[qi], sims[qi], strict=True) if i >= 0}
            for i in np.argsort(-lex_all)[:k]:
                if lex_all[i] > 0 and int(i) not in cand:
                    cand[int(i)] = float("nan")
            cids = np.fromiter(cand, dtype=np.int64)
            dense = np.array([cand[i] for i in cids], dtype=np.float32)
            missing = np.isnan(dense)
            if missing.any():  # lexical-only candidates: compute their exact cosine
                vecs = np.stack([self.store.faiss.reconstruct(int(i)) for i in cids[missing]])
                dense[missing] = vecs @ vectors[qi]
            lexical = rescale_lexical(lex_all[cids], len(tokenize(claim.text)))
            fused = fuse(rescale_dense(dense, self.encoder.id), lexical, self.dense_weight)
            order = np.argsort(-fused)[:top_k]
            results.append(
                [
                    Hit(
                        passage=self.store.passages[int(cids[j])],
                        score=float(fused[j]),
                        dense=float(dense[j]),
                        lexical=float(lexical[j]),
                        rank=r,
                    )
                    for r, j in enumerate(order)
                ]
            )
        return results


def index_lock(folder: Path):
    return file_lock(folder / ".lock")
