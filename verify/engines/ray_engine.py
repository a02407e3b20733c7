"""Ray engine: embed a corpus with Ray Data and build the index; audit many documents in parallel actors.

Optional (`pip install 'verify-claims[ray]'`); nothing else in verify imports it. On a laptop `init()` starts
a local Ray instance; with `address` (or $RAY_ADDRESS) it joins a cluster (docs/ray.md). The results
are the single-machine results: the same passages, the same encoder, the same index type and the
same Verifier per document, only spread over workers.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from verify.config import Settings
from verify.models import IndexInfo, Problem, Report, Verdict
from verify.retrieval.store import (
    IndexStore,
    _build_faiss,
    choose_index_type,
    parse_index_type,
    resolve_index_type,
)

EncoderSpec = str | Callable[[], object]  # an encoder name / folder, or a picklable zero-argument factory


class RayUnavailable(RuntimeError):
    pass


def _ray():
    try:
        import ray
    except ImportError as exc:  # pragma: no cover - exercised where ray is absent
        raise RayUnavailable("the Ray engine needs Ray: pip install 'verify-claims[ray]'") from exc
    return ray


def init(address: str | None = None, num_cpus: int | None = None, local_mode: bool = False, **kwargs):
    """Connect to `address` ($RAY_ADDRESS; 'auto' = the cluster this node belongs to), else start a local
    Ray instance. Idempotent: an existing connection is reused."""
    ray = _ray()
    if ray.is_initialized():
        return ray
    address = address or os.environ.get("RAY_ADDRESS") or None
    opts = {"include_dashboard": False, "log_to_driver": False, "ignore_reinit_error": True, **kwargs}
    if address:
        ray.init(address=address, **opts)
    else:
        ray.init(num_cpus=num_cpus, local_mode=local_mode, **opts)
    return ray


def _make_encoder(spec: EncoderSpec, batch_size: int = 32):
    if callable(spec):
        return spec()
    from verify.retrieval.encoders import make_encoder

    return make_encoder(spec, batch_size=batch_size)


class _Embedder:
    """A Ray Data actor: loads the encoder once, then embeds batches of passage texts."""

    def __init__(self, spec: EncoderSpec, batch_size: int = 32):
        self.encoder = _make_encoder(spec, batch_size)

    def __call__(self, batch: dict) -> dict:
        texts = [str(t) for t in batch["text"]]
        return {"row": batch["row"], "vector": np.asarray(self.encoder.encode_passages(texts), dtype=np.float32)}


def embed_texts(texts: Sequence[str], spec: EncoderSpec, *, actors: int | None = None, batch_size: int = 256,
                encoder_batch: int = 32) -> np.ndarray:
    """Embed texts with a Ray Data pipeline of encoder actors; rows come back in input order."""
    ray = _ray()
    if not texts:
        return np.zeros((0, _make_encoder(spec, encoder_batch).dimension), dtype=np.float32)
    actors = actors or max(1, int(ray.available_resources().get("CPU", 1)))
    ds = ray.data.from_items([{"row": i, "text": t} for i, t in enumerate(texts)])
    ds = ds.map_batches(
        _Embedder,
        fn_constructor_kwargs={"spec": spec, "batch_size": encoder_batch},
        batch_size=batch_size,
        batch_format="numpy",
        concurrency=actors,
    )
    rows, vectors = [], []
    for batch in ds.iter_batches(batch_format="numpy", batch_size=None):
        rows.append(np.asarray(batch["row"]))
        vectors.append(np.asarray(batch["vector"], dtype=np.float32))
    order = np.argsort(np.concatenate(rows), kind="stable")
    return np.concatenate(vectors)[order]


def _add_shard(trained_bytes: np.ndarray, vectors: np.ndarray):
    """A Ray task: add one shard of vectors to a copy of the trained, empty IVF index."""
    import faiss

    index = faiss.deserialize_index(trained_bytes)
    index.add(vectors)
    return faiss.serialize_index(index)


def build_faiss_sharded(vectors: np.ndarray, index_type: str, shards: int):
    """The index of `_build_faiss`, with the IVF adds spread over Ray tasks and the shards merged.

    The coarse quantizer and codebooks are trained once (on the driver, same sample and seed as a
    single-machine build); each task encodes a contiguous shard; `merge_from` appends the shards' lists
    in id order, so the merged index equals the one built in one process. Exact and HNSW indexes have
    no independent shards to merge and are built on the driver."""
    import faiss

    ray = _ray()
    p = parse_index_type(index_type)
    if p["kind"] != "ivf" or shards <= 1 or len(vectors) < 2 * shards:
        return _build_faiss(vectors, index_type)
    outer = _build_faiss(vectors, index_type, add=False)  # this Python object owns the C++ index
    ivf = faiss.extract_index_ivf(outer)
    # rebuilt after the merge
    ivf.set_direct_map_type(faiss.DirectMap.NoMap)  # type: ignore[attr-defined]  # stub lacks DirectMap
    trained = ray.put(faiss.serialize_index(ivf))
    bounds = np.linspace(0, len(vectors), shards + 1).astype(int)
    add = ray.remote(_add_shard)
    parts = ray.get([add.remote(trained, vectors[a:b]) for a, b in zip(bounds[:-1], bounds[1:])])
    for (a, _b), blob in zip(zip(bounds[:-1], bounds[1:]), parts):
        ivf.merge_from(faiss.deserialize_index(blob), int(a))
    ivf.set_direct_map_type(faiss.DirectMap.Array)  # type: ignore[attr-defined]  # stub lacks DirectMap
    if isinstance(outer, faiss.IndexRefine):  # the exact vectors for the re-rank, in id order
        outer.refine_index.add(vectors)
        outer.ntotal = ivf.ntotal
    return outer


def build_index(
    settings: Settings,
    encoder: EncoderSpec | None = None,
    *,
    index_type: str | None = None,
    actors: int | None = None,
    shards: int | None = None,
    force: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> IndexStore:
    """`verify index --engine ray`: read and split the corpus here, embed it on Ray, build, save.

    Writes the index where `ensure_index` looks for it (same folder, manifest and fingerprint), so
    later `verify check/audit` runs, with or without Ray, use it as they would a local build. An index
    that is current (same files, same encoder) is returned as it is unless `force` or `index_type`."""
    from verify.retrieval.build import (
        evidence_files,
        evidence_fingerprint,
        index_folder,
        manifest_extras,
        manifest_is_current,
    )
    from verify.retrieval.store import IndexStoreError, index_lock
    from verify.sources.files import load_corpus
    from verify.sources.passages import passages_of_all

    ray = _ray()
    spec = encoder or settings.encoder
    local = _make_encoder(spec, settings.batch_size)  # id, version, dimension for the manifest (no model load)
    folder = index_folder(settings, local)
    with index_lock(folder):
        files = evidence_files(settings.evidence)
        fingerprint = evidence_fingerprint(files)
        manifest = IndexStore.read_manifest(folder)
        if not force and not index_type and manifest_is_current(manifest, local, fingerprint):
            try:
                return IndexStore.load(folder, local)  # current: nothing to embed
            except IndexStoreError:
                pass  # damaged: rebuild
        corpus = load_corpus(settings.evidence)
        passages = passages_of_all(corpus.documents, settings.passage_sentences, settings.passage_overlap)
        texts = [f"{p.title}\n{p.text}" if p.title else p.text for p in passages]
        if progress:
            progress("embedding passages on Ray", 0, len(texts))
        vectors = embed_texts(texts, spec, actors=actors, encoder_batch=settings.batch_size)
        if progress:
            progress("embedding passages on Ray", len(texts), len(texts))
        dim = int(vectors.shape[1]) if len(vectors) else local.dimension
        kind = resolve_index_type(index_type or choose_index_type(len(passages), dim), len(passages), dim)
        shards = shards or max(1, int(ray.available_resources().get("CPU", 1)))
        info = IndexInfo(
            encoder_id=local.id,
            encoder_version=local.version,
            dimension=dim,
            normalized=True,
            corpus_hash=corpus.content_hash(),
            passages=len(passages),
            documents=len(corpus.documents),
            built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            index_type=kind,
        )
        store = IndexStore(info, passages, build_faiss_sharded(vectors, kind, shards))
        store.save(folder, extra=manifest_extras(settings, fingerprint, corpus.problems, engine="ray"))
        return store


class _Auditor:
    """A Ray actor holding one Verifier (models and index loaded once) that checks whole articles."""

    def __init__(self, settings: Settings, encoder: EncoderSpec | None, judges: Callable[[], list] | None):
        from verify.pipeline import Verifier

        if encoder is None and judges is None:
            self.verifier = Verifier.from_settings(settings)
        else:
            self.verifier = _verifier_from(settings, encoder, judges)

    def meta(self) -> dict:
        v = self.verifier
        return {"encoder": v.encoder_id, "judges": [j.name for j in v.judges], "index": v.index_info,
                "corpus_problems": v.corpus_problems}

    def check(self, article, top_k: int | None) -> list[Verdict]:
        claims = self.verifier.extract(article.text, source=article.path, article=article)
        return self.verifier.verify_claims(claims, top_k)


def _verifier_from(settings: Settings, encoder: EncoderSpec | None, judges: Callable[[], list] | None):
    """A Verifier like `Verifier.from_settings`, with an injected encoder factory and judges (tests)."""
    from verify.claims.names import corpus_names
    from verify.pipeline import Verifier, make_pipeline_judges
    from verify.retrieval.build import ensure_index
    from verify.retrieval.store import HybridRetriever

    enc = _make_encoder(encoder or settings.encoder, settings.batch_size)
    store, problems, _ = ensure_index(settings, enc)
    orgs = sorted(corpus_names(store.passages))
    js = judges() if judges else make_pipeline_judges(settings, enc, orgs)
    thresholds = settings.thresholds.for_corpus(store.info.passages)
    return Verifier(HybridRetriever(store, enc, dense_weight=thresholds.dense_weight,
                                    relevance=thresholds.relevance), js,
                    thresholds, organisations=orgs, top_k=settings.top_k, encoder_id=enc.id,
                    index_info=store.info, corpus_problems=problems)


def audit(
    settings: Settings,
    paths: Sequence[Path],
    *,
    top_k: int | None = None,
    actors: int | None = None,
    encoder: EncoderSpec | None = None,
    judges: Callable[[], list] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[Report, list[Problem]]:
    """`verify audit --engine ray`: the articles under `paths` checked by a pool of Verifier actors; returns
    the report and the evidence problems it lists (the caller tells them from the articles' own, as
    `Verifier.corpus_problems` does locally).

    Articles are read here (unreadable ones are listed, as in `Verifier.audit`) and sent to the actors
    as text; the verdicts come back in file order, so the report equals the single-machine one except
    for `seconds`. The index is built once here before the actors start, so they only load it."""
    from ray.util import ActorPool

    from verify.retrieval.build import ensure_index
    from verify.sources.files import InputError, iter_articles, read_article

    ray = _ray()
    t0 = time.perf_counter()
    ensure_index(settings, _make_encoder(encoder or settings.encoder, settings.batch_size))
    files, problems = iter_articles(paths)
    articles = []
    for f in files:
        try:
            article = read_article(f)
        except InputError as exc:
            problems.append(Problem(path=exc.path, line=exc.line, message=exc.message))
            continue
        problems.extend(article.problems)
        articles.append(article)
    n = max(1, min(actors or int(ray.available_resources().get("CPU", 1)), max(1, len(articles))))
    remote = ray.remote(_Auditor)
    pool_actors = [remote.remote(settings, encoder, judges) for _ in range(n)]
    meta = ray.get(pool_actors[0].meta.remote())
    verdicts: list[Verdict] = []
    pool = ActorPool(pool_actors)
    for i, result in enumerate(pool.map(lambda a, art: a.check.remote(art, top_k), articles), start=1):
        verdicts.extend(result)
        if progress:
            progress("checking articles on Ray", i, len(articles))
    for a in pool_actors:
        ray.kill(a)
    report = Report(
        source=", ".join(str(p) for p in paths),
        language="",
        encoder=meta["encoder"],
        judges=meta["judges"],
        index=meta["index"],
        verdicts=verdicts,
        problems=[*meta["corpus_problems"], *problems],
        seconds=round(time.perf_counter() - t0, 3),
    )
    return report, list(meta["corpus_problems"])
