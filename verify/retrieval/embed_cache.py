"""Claim and passage embeddings cached by content hash: an Encoder wrapper with a memory and disk store."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from verify.protocols import Encoder

log = logging.getLogger("verify.cache")
_KEY_BYTES = 16  # 128 bits of sha256: collisions are not a practical concern at any corpus size


def content_key(kind: str, text: str) -> bytes:
    """The cache key of one text: the kind ('q' query, 'p' passage: encoders may prefix them differently)."""
    return hashlib.sha256(f"{kind}\x00{text}".encode()).digest()[:_KEY_BYTES]


class EmbeddingCache:
    """Vectors by content key: an LRU in memory, backed by append-only shards on disk.

    Each flush writes one new shard (`<random>.npz` with `keys` and `vectors`) atomically (temporary
    file, fsync, rename), so concurrent processes never see a partial shard and never overwrite each
    other's; a damaged or foreign-dimension shard is skipped, not trusted. The folder should be
    specific to one encoder and version (see `CachedEncoder`).
    """

    def __init__(self, folder: Path | None, dimension: int, memory_items: int = 200_000):
        self.folder = folder
        self.dimension = dimension
        self.memory_items = memory_items
        self._mem: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._pending: dict[bytes, np.ndarray] = {}
        self._loaded = False

    def _load(self) -> None:
        self._loaded = True
        if self.folder is None or not self.folder.is_dir():
            return
        shards = []
        for shard in self.folder.glob("*.npz"):
            try:
                shards.append((shard.stat().st_mtime, shard))
            except OSError:
                continue  # removed by another process meanwhile
        for _, shard in sorted(shards):
            try:
                # allow_pickle=False: a cache file is data, never code.
                with np.load(shard, allow_pickle=False) as data:
                    keys, vectors = data["keys"], data["vectors"]
                ok = vectors.ndim == 2 and vectors.shape[1] == self.dimension and len(keys) == len(vectors)
            except Exception as exc:  # noqa: BLE001 - any damage (truncated zip, bad header...) means: recompute
                ok, why = False, f"{type(exc).__name__}: {exc}"
            else:
                why = "wrong shape"
            if not ok:
                # The cache is disposable: a damaged shard is dropped and its vectors are computed again.
                log.warning("verify: dropping damaged embedding cache file %s (%s); it will be recomputed", shard, why)
                try:
                    shard.unlink()
                except OSError:
                    pass
                continue
            for k, v in zip(keys, vectors):
                self._remember(bytes(k), v)

    def _remember(self, key: bytes, vector: np.ndarray) -> None:
        self._mem[key] = vector
        self._mem.move_to_end(key)
        while len(self._mem) > self.memory_items:
            self._mem.popitem(last=False)

    def get(self, key: bytes) -> np.ndarray | None:
        if not self._loaded:
            self._load()
        v = self._mem.get(key)
        if v is not None:
            self._mem.move_to_end(key)
        return v

    def put(self, key: bytes, vector: np.ndarray) -> None:
        if not self._loaded:
            self._load()
        vector = np.asarray(vector, dtype=np.float32)
        self._remember(key, vector)
        if self.folder is not None:
            self._pending[key] = vector

    def flush(self) -> Path | None:
        """Write what was added since the last flush as one new shard; returns it (None if nothing, or if
        the disk refused it: the cache only saves time, so a full disk costs a recomputation later)."""
        if self.folder is None or not self._pending:
            return None
        try:
            return self._write_shard()
        except OSError as exc:
            log.warning("verify: could not write the embedding cache in %s (%s); continuing without it",
                        self.folder, exc)
            self._pending.clear()
            return None

    def _write_shard(self) -> Path:
        assert self.folder is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        keys = np.frombuffer(b"".join(self._pending), dtype=np.uint8).reshape(-1, _KEY_BYTES)
        vectors = np.stack(list(self._pending.values())).astype(np.float32)
        # The temporary name never matches the loader's "*.npz": a shard being written is never read.
        fd, tmp = tempfile.mkstemp(prefix=".shard-", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, keys=keys, vectors=vectors)
                f.flush()
                os.fsync(f.fileno())
            final = self.folder / f"{os.path.basename(tmp)[len('.shard-'):-len('.tmp')]}.npz"
            os.replace(tmp, final)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._pending.clear()
        return final

    def clear_memory(self) -> None:
        """Drop the in-memory vectors; what was flushed to disk stays there."""
        self._mem.clear()

    @property
    def pending(self) -> int:
        """Entries added since the last flush."""
        return len(self._pending)

    def __len__(self) -> int:
        if not self._loaded:
            self._load()
        return len(self._mem)


def cache_folder(root: Path, encoder: Encoder) -> Path:
    """One folder per encoder id and version: a changed model never reuses old vectors."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{encoder.id}-{encoder.version}")
    return root / safe


class CachedEncoder:
    """Any Encoder with its outputs cached by content hash; implements the Encoder protocol itself.

    Only the texts not yet seen are sent to the wrapped encoder (each distinct text once per call),
    so re-checking an article, a claim repeated across articles, or rebuilding an index after one
    evidence file changed embeds only what is new. id, version and dimension are the wrapped
    encoder's, so an index built through the cache is interchangeable with one built without it.
    """

    def __init__(self, encoder: Encoder, root: Path | None = None, memory_items: int = 200_000,
                 flush_every: int = 50_000):
        self.encoder = encoder
        self.cache = EmbeddingCache(cache_folder(root, encoder) if root else None, encoder.dimension,
                                    memory_items)
        self.flush_every = flush_every
        self.hits = 0
        self.misses = 0

    @property
    def id(self) -> str:
        return self.encoder.id

    @property
    def version(self) -> str:
        return self.encoder.version

    @property
    def dimension(self) -> int:
        return self.encoder.dimension

    def _encode(self, texts: Sequence[str], kind: str) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        keys = [content_key(kind, t) for t in texts]
        todo: dict[bytes, list[int]] = {}
        for i, k in enumerate(keys):
            v = self.cache.get(k)
            if v is None:
                todo.setdefault(k, []).append(i)
            else:
                out[i] = v
        self.hits += len(texts) - len(todo)  # served without encoding (a repeat within the call too)
        if todo:
            first = [rows[0] for rows in todo.values()]
            encode = self.encoder.encode_queries if kind == "q" else self.encoder.encode_passages
            vectors = np.asarray(encode([texts[i] for i in first]), dtype=np.float32)
            for (k, rows), v in zip(todo.items(), vectors):
                self.cache.put(k, v)
                out[rows] = v
            self.misses += len(first)
            if self.cache.pending >= self.flush_every:
                self.cache.flush()
        return out

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "q")

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "p")

    def flush(self) -> Path | None:
        return self.cache.flush()

    def forget(self) -> None:
        """Drop the in-memory vectors (the disk shards stay): the next texts are embedded afresh."""
        self.cache.flush()
        self.cache.clear_memory()
