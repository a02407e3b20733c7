"""The evidence index on disk (FAISS + passage metadata + checksummed manifest) and the hybrid retriever."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from verify.locking import atomic_write_text, file_lock, sha256_file
from verify.models import Claim, Hit, IndexInfo, Passage
from verify.protocols import Encoder
from verify.retrieval.bm25 import BM25Index, tokenize
from verify.retrieval.fusion import cross_lingual, fuse_languages, relevance, rescale_dense, rescale_lexical

INDEX_FORMAT = "verify-index-1"
_CANDIDATES = 50  # dense and lexical candidates per claim before fusion


class IndexStoreError(RuntimeError):
    """The index on disk cannot be used (wrong encoder, corrupted, missing)."""


# Below this many passages an exact scan answers one query in about 2 ms on 2 cores (bench/index_types.py:
# 1.3 ms at 10k, 5.4 ms at 30k); an article's claims are searched in one batch, which is cheaper per query.
EXACT_MAX = 20_000


def choose_index_type(n: int, dim: int = 512) -> str:
    """The index for a corpus of n passages of dimension dim (docs/performance.md has the measurements).

    Exact search below EXACT_MAX (exact, builds instantly); above it IVF-PQ with 4-bit fast-scan codes
    whose candidates are re-scored exactly against the stored vectors, probing a quarter of the lists
    (recall@10 >= 0.99 against exact at 10k and 30k synthetic passages). HNSW reaches the same recall
    but its build on 2 cores grows past the encoder's own time (117 s at 100k), so it is an override
    (`--index-type hnsw32-efc40-ef64`), not the default. The returned string names every build and
    search parameter and is recorded in the manifest (info.index_type).
    """
    if n < EXACT_MAX:
        return "flat-ip"
    return ivf_pq_type(n, dim)


def _pow2(x: float) -> int:
    return 1 << max(0, round(np.log2(max(1.0, x))))


def ivf_pq_type(n: int, dim: int = 512, nprobe: int | None = None, refine: int = 10) -> str:
    """IVF-PQ for n vectors: ~2*sqrt(n) lists, 4-bit fast-scan PQ with 4 dimensions per code, exact re-rank.

    4-bit fast-scan codes train in seconds (8-bit PQ needs minutes on 2 cores) and scan fastest;
    the re-rank against the stored vectors restores the recall the coarse codes lose."""
    nlist = _nlist(n)
    # Lists probed: 64 (a quarter of the 256 lists at 20k-65k passages: recall@10 0.993 at 10k) up to
    # 1/16 of them for large corpora (1M, 2048 lists: 128 probed, recall@10 0.993 at 0.59 ms against
    # 0.996 at 2.1 ms for a quarter; bench/index_types.json, idle machine).
    nprobe = nprobe or max(1, min(nlist, max(64, nlist // 16)))
    return f"ivf{nlist}-pq{_pq_subvectors(dim, 4)}fs-np{nprobe}" + (f"-rf{refine}" if refine else "")


def _nlist(n: int) -> int:
    # ~2*sqrt(n) lists: k-means over 4*sqrt(n) lists costs 4x the build time on 2 cores for a recall
    # that the exact re-rank makes up anyway (measured in bench/index_types.py).
    return max(1, min(_pow2(2 * np.sqrt(max(n, 1))), max(1, n // 39)))


def _pq_subvectors(dim: int, per_code: int = 8) -> int:
    """The largest divisor of dim not above dim/per_code, at least 1."""
    target = max(1, dim // per_code)
    return max(d for d in range(1, target + 1) if dim % d == 0)


_HNSW = re.compile(r"^hnsw(?P<m>\d+)?(?:-efc(?P<efc>\d+))?(?:-ef(?P<ef>\d+))?$")
_IVF = re.compile(
    r"^ivf(?P<nlist>\d+)?-(?P<code>pq(?P<m>\d+)?(?P<fs>fs)?|flat)(?:-np(?P<np>\d+))?(?:-rf(?P<rf>\d+))?$"
)


def parse_index_type(index_type: str) -> dict:
    """'flat-ip', 'hnsw', 'hnsw32-ef128', 'ivf-pq', 'ivf4096-pq128fs-np32-rf10', 'ivf1024-flat-np16' -> parts.

    pq<m> is 8-bit PQ with m sub-vectors, pq<m>fs 4-bit fast-scan PQ; -rf<k> re-scores k*top_k
    candidates exactly against the stored vectors."""
    if index_type == "flat-ip":
        return {"kind": "flat-ip"}
    if index_type == "ivf-pq":
        return {"kind": "ivf", "code": "pqfs", "nlist": None, "m": None, "nprobe": None, "refine": 10}
    if index_type == "ivf-flat":
        return {"kind": "ivf", "code": "flat", "nlist": None, "m": None, "nprobe": None, "refine": 0}
    if m := _HNSW.match(index_type):
        return {"kind": "hnsw", "m": int(m["m"] or 32), "efc": int(m["efc"] or 80), "ef": int(m["ef"] or 96)}
    if m := _IVF.match(index_type):
        return {
            "kind": "ivf",
            "code": "flat" if m["code"] == "flat" else "pqfs" if m["fs"] else "pq",
            "nlist": int(m["nlist"]) if m["nlist"] else None,
            "m": int(m["m"]) if m["m"] else None,
            "nprobe": int(m["np"]) if m["np"] else None,
            "refine": int(m["rf"] or 0),
        }
    raise ValueError(
        f"unknown index type '{index_type}' (flat-ip; hnsw or hnsw<M>-ef<efSearch>; "
        "ivf-pq or ivf<nlist>-pq<m>[fs]-np<nprobe>[-rf<k>]; ivf-flat or ivf<nlist>-flat-np<nprobe>)"
    )


def resolve_index_type(index_type: str, n: int, dim: int) -> str:
    """Fill in the parameters a short name leaves open ('hnsw', 'ivf-pq'), so the manifest names them all."""
    p = parse_index_type(index_type)
    if p["kind"] == "flat-ip":
        return "flat-ip"
    if p["kind"] == "hnsw":
        return f"hnsw{p['m']}" + (f"-efc{p['efc']}" if p["efc"] != 80 else "") + f"-ef{p['ef']}"
    auto = parse_index_type(ivf_pq_type(n, dim))
    nlist = p["nlist"] or auto["nlist"]
    nprobe = min(nlist, p["nprobe"] or auto["nprobe"])
    if p["code"] == "flat" or n < _PQ_MIN:  # too few vectors to train PQ codes: store them uncompressed
        return f"ivf{nlist}-flat-np{nprobe}"
    fs = p["code"] == "pqfs"
    m = p["m"] or _pq_subvectors(dim, 4 if fs else 8)
    if dim % m:
        raise ValueError(f"index type '{index_type}': {m} PQ sub-vectors do not divide dimension {dim}")
    return f"ivf{nlist}-pq{m}{'fs' if fs else ''}-np{nprobe}" + (f"-rf{p['refine']}" if p["refine"] else "")


def set_search_params(index, index_type: str) -> None:
    """Apply the search-time parameters named in index_type (efSearch, nprobe, re-rank factor)."""
    import faiss

    p = parse_index_type(index_type)
    if p["kind"] == "hnsw":
        # downcast_index returns the concrete IndexHNSW subclass; the faiss stub types it as plain Index
        faiss.downcast_index(index).hnsw.efSearch = p["ef"]  # type: ignore[attr-defined]
    elif p["kind"] == "ivf":
        outer = faiss.downcast_index(index)
        if p["refine"] and isinstance(outer, faiss.IndexRefine):
            outer.k_factor = float(p["refine"])
            outer = faiss.downcast_index(outer.base_index)
        if p["nprobe"]:
            faiss.extract_index_ivf(outer).nprobe = p["nprobe"]


_PQ_MIN = 1024  # fewer vectors than this cannot train PQ codes
_PQ_TRAIN = 16_384  # at least this many training vectors for PQ codebooks


def _build_faiss(vectors: np.ndarray, index_type: str, seed: int = 1234, add: bool = True):
    """A FAISS index of the given type over vectors (inner product on normalised vectors).

    IVF indexes are trained on at most max(32 per list, 16k) vectors (sampled with a fixed seed, so a rebuild
    gives the same index), keep a direct map so `reconstruct(i)` works for lexical-only candidates,
    and with -rf<k> re-score k*top candidates exactly against the stored float vectors. With add=False
    the index is trained but empty (the Ray engine adds shards in parallel and merges them).
    """
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, dim = vectors.shape
    p = parse_index_type(index_type)
    index: faiss.Index
    if p["kind"] == "flat-ip":
        index = faiss.IndexFlatIP(dim)
    elif p["kind"] == "hnsw":
        hnsw = faiss.IndexHNSWFlat(dim, p["m"], faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = p["efc"]
        hnsw.hnsw.efSearch = p["ef"]
        index = hnsw
    else:
        p = parse_index_type(resolve_index_type(index_type, n, dim))
        nlist = max(1, min(p["nlist"], n)) if n else p["nlist"]
        quantizer = faiss.IndexFlatIP(dim)
        ivf: faiss.IndexIVF
        if p["code"] == "flat":
            ivf = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        elif p["code"] == "pqfs":
            ivf = faiss.IndexIVFPQFastScan(quantizer, dim, nlist, p["m"], 4, faiss.METRIC_INNER_PRODUCT)
        else:
            ivf = faiss.IndexIVFPQ(quantizer, dim, nlist, p["m"], 8, faiss.METRIC_INNER_PRODUCT)
        ivf.cp.seed = seed
        ivf.cp.niter = 10  # faiss's 25 iterations cost 2.5x the training time for no measurable recall
        if p["code"] != "flat":
            assert isinstance(ivf, (faiss.IndexIVFPQ, faiss.IndexIVFPQFastScan))
            ivf.pq.cp.seed = seed
        ivf.nprobe = min(p["nprobe"], nlist)
        if n:
            sample = vectors
            want = max(32 * nlist, _PQ_TRAIN)
            if n > want:
                rng = np.random.default_rng(seed)
                sample = vectors[np.sort(rng.choice(n, want, replace=False))]
            ivf.train(sample)
        ivf.set_direct_map_type(faiss.DirectMap.Array)  # type: ignore[attr-defined]  # stub lacks DirectMap
        index = ivf
        if p["refine"]:
            refine = faiss.IndexRefineFlat(ivf)
            refine.k_factor = float(p["refine"])
            index = refine
    if n and add:
        index.add(vectors)
    return index


def lexical_text(passage: Passage) -> str:
    """What BM25 indexes for a passage: its document's title and its text (a title often names the subject)."""
    return f"{passage.title}\n{passage.text}"


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
            self._bm25 = BM25Index([lexical_text(p) for p in self.passages], [p.language for p in self.passages])
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
        dim = int(vectors.shape[1]) if len(vectors) else encoder.dimension
        kind = resolve_index_type(index_type or choose_index_type(len(passages), dim), len(passages), dim)
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
        try:
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
                "checksums": {n: sha256_file(build / n) for n in ("index.faiss", "passages.jsonl")},
                **(extra or {}),
            }
            atomic_write_text(build / "manifest.json", json.dumps(manifest, indent=2))
            atomic_write_text(folder / "CURRENT", build.name + "\n")
        except (OSError, RuntimeError) as exc:  # a full disk: no partial build folder is left behind
            shutil.rmtree(build, ignore_errors=True)
            raise IndexStoreError(f"{folder}: cannot write the index ({getattr(exc, 'strerror', None) or exc}); "
                                  "the previous index, if any, is unchanged") from exc
        self.folder = build
        for old in folder.glob("build-*"):
            if old.name != build.name:
                shutil.rmtree(old, ignore_errors=True)
        return build

    @staticmethod
    def current(folder: Path) -> Path | None:
        pointer = folder / "CURRENT"
        try:
            name = pointer.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):  # missing, or damaged: no current build (a rebuild replaces it)
            return None
        if not name.startswith("build-") or "/" in name or "\\" in name:
            return None
        build = folder / name
        return build if build.is_dir() else None

    @staticmethod
    def read_manifest(folder: Path) -> dict | None:
        build = IndexStore.current(folder)
        if build is None:
            return None
        try:
            manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(manifest, dict) or manifest.get("format") != INDEX_FORMAT:
            return None
        info, checksums = manifest.get("info"), manifest.get("checksums")
        if not isinstance(info, dict) or not isinstance(checksums, dict):
            return None  # missing keys are damage: as if there were no index (it is rebuilt)
        try:
            IndexInfo.model_validate(info)
        except ValueError:
            return None
        return manifest

    @classmethod
    def load(cls, folder: Path, encoder: Encoder | None = None, verify_checksums: bool = True) -> IndexStore:
        import faiss

        build = cls.current(folder)
        manifest = cls.read_manifest(folder)
        if build is None or manifest is None:
            raise IndexStoreError(f"{folder}: no complete index here (run 'verify index')")
        info = IndexInfo.model_validate(manifest["info"])
        if encoder is not None and (info.encoder_id != encoder.id or info.encoder_version != encoder.version):
            raise IndexStoreError(
                f"{folder}: index was built with encoder {info.encoder_id} ({info.encoder_version}), "
                f"not {encoder.id} ({encoder.version}); rebuild it with 'verify index --encoder {encoder.id}'"
            )
        if verify_checksums:
            for name, digest in manifest["checksums"].items():
                path = build / name
                if not path.exists() or sha256_file(path) != digest:
                    raise IndexStoreError(f"{path}: checksum mismatch (index corrupted); rebuild with 'verify index'")
        index = _read_mapped(faiss, build / "index.faiss", info.index_type)
        passages = []
        with open(build / "passages.jsonl", encoding="utf-8") as f:
            for line in f:
                passages.append(Passage.model_validate_json(line))
        if index.ntotal != len(passages) or len(passages) != info.passages:
            raise IndexStoreError(f"{build}: index holds {index.ntotal} vectors for {len(passages)} passages")
        return cls(info, passages, index, build)


def query_text(claim: Claim) -> str:
    """What is searched for a claim: its text, preceded by its context when it names nobody itself."""
    return f"{claim.context}: {claim.text}" if claim.context else claim.text


def _read_mapped(faiss, path: Path, index_type: str):
    """Memory-map the index file: flat and HNSW vectors via IO_FLAG_MMAP_IFC, IVF lists via IO_FLAG_MMAP.

    A mapped index costs no read at load time and its pages are shared by every process on the host
    (a 200k x 512 flat index, 400 MB: 0.12 s mapped against 0.37 s read, measured once here). Safe
    because a build folder is never rewritten in place: a rebuild writes a new one and swaps CURRENT."""
    kind = index_type.lower()
    flags = faiss.IO_FLAG_MMAP_IFC if ("flat" in kind or "hnsw" in kind) and "ivf" not in kind else faiss.IO_FLAG_MMAP
    try:
        return faiss.read_index(str(path), flags | faiss.IO_FLAG_READ_ONLY)
    except RuntimeError:  # a faiss build without mapping support for this type: read it
        return faiss.read_index(str(path))


class HybridRetriever:
    """Dense FAISS search fused with BM25; implements the Retriever protocol."""

    def __init__(self, store: IndexStore, encoder: Encoder, dense_weight: float = 0.7, relevance: str = "fused"):
        if store.info.encoder_id != encoder.id:
            raise IndexStoreError(f"index built with {store.info.encoder_id}, queried with {encoder.id}")
        self.store = store
        self.encoder = encoder
        self.dense_weight = dense_weight
        self.relevance = relevance

    def search(self, claims: Sequence[Claim], top_k: int) -> list[list[Hit]]:
        n = len(self.store.passages)
        if not claims:
            return []
        if n == 0:
            return [[] for _ in claims]
        queries = [query_text(c) for c in claims]
        vectors = self.encoder.encode_queries(queries)
        k = min(n, max(_CANDIDATES, top_k))
        sims, ids = self.store.faiss.search(np.ascontiguousarray(vectors, dtype=np.float32), k)
        results = []
        for qi, claim in enumerate(claims):
            terms = tokenize(queries[qi], claim.language)
            lex_all = self.store.bm25.token_scores(terms)
            cand = {int(i): float(s) for i, s in zip(ids[qi], sims[qi], strict=True) if i >= 0}
            # Partial selection: a full sort of a million BM25 scores per claim costs ~85 ms.
            top_lex = np.argpartition(-lex_all, k - 1)[:k] if k < n else np.arange(n)
            for i in top_lex:
                if lex_all[i] > 0 and int(i) not in cand:
                    cand[int(i)] = float("nan")
            cids = np.fromiter(cand, dtype=np.int64)
            dense = np.array([cand[i] for i in cids], dtype=np.float32)
            missing = np.isnan(dense)
            if missing.any():  # lexical-only candidates: compute their exact cosine
                vecs = np.stack([self.store.faiss.reconstruct(int(i)) for i in cids[missing]])
                dense[missing] = vecs @ vectors[qi]
            lexical = rescale_lexical(lex_all[cids], len(terms))
            cross = cross_lingual(claim.language, (self.store.passages[int(i)].language for i in cids))
            rescaled = rescale_dense(dense, self.encoder.id)
            fused = fuse_languages(rescaled, lexical, self.dense_weight, cross)
            # Ranked by the fused score (BM25 finds names and numbers); scored by `relevance`, which the
            # floor reads and which does not sink with a small corpus's shrinking BM25 weights.
            scores = relevance(fused, rescaled, self.relevance)
            order = np.argsort(-fused, kind="stable")[:top_k]
            results.append(
                [
                    Hit(
                        passage=self.store.passages[int(cids[j])],
                        score=float(scores[j]),
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
