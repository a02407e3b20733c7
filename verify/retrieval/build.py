"""Building the index of an evidence corpus and knowing when the one on disk is current."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from verify.config import Settings, cache_dir
from verify.models import Problem
from verify.protocols import Encoder
from verify.retrieval.store import IndexStore, IndexStoreError, index_lock
from verify.sources.files import load_corpus
from verify.sources.passages import passages_of_all

Progress = Callable[[str, int, int], None]


def manifest_is_current(manifest: dict[str, Any] | None, encoder: Encoder, fingerprint: str) -> bool:
    """Whether an index manifest was built from these evidence files (`fingerprint`) by this encoder: the
    one test the pipeline, CI and the Ray engine apply before they reuse an index."""
    if not manifest:
        return False
    try:
        info = manifest["info"]
        return (info["encoder_id"], info["encoder_version"]) == (encoder.id, encoder.version) and \
            manifest.get("fingerprint") == fingerprint
    except (KeyError, TypeError):
        return False  # a manifest missing keys is damage: the index is rebuilt


def manifest_extras(settings: Settings, fingerprint: str, problems: Sequence[Problem], **more: Any) -> dict[str, Any]:
    """What an index manifest records besides the index itself, whoever built it."""
    return {"fingerprint": fingerprint, "evidence": [str(p) for p in settings.evidence],
            "problems": [p.model_dump(mode="json") for p in problems], **more}


def index_folder(settings: Settings, encoder: Encoder) -> Path:
    if settings.index_dir is not None:
        return settings.index_dir
    key = json.dumps(
        {
            "evidence": sorted(str(Path(p).resolve()) for p in settings.evidence),
            "encoder": encoder.id,
            "window": [settings.passage_sentences, settings.passage_overlap],
        }
    )
    return cache_dir() / "index" / hashlib.sha256(key.encode()).hexdigest()[:16]


def evidence_fingerprint(files: Sequence[Path]) -> str:
    """Cheap identity of the evidence files (path, size, mtime): unchanged -> no need to re-read them.

    It includes the reader's version: files read by an older reader may hold other problems than the
    manifest recorded."""
    from verify.sources import files as io

    h = hashlib.sha256(f"reader {io.READER_VERSION}\n".encode())
    for f in sorted(files):
        try:
            st = f.stat()
            h.update(f"{f.resolve()}\x00{st.st_size}\x00{st.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
        except OSError:
            h.update(f"{f}\x00missing\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def evidence_files(paths: Sequence[Path]) -> list[Path]:
    from verify.sources.files import EVIDENCE_SUFFIXES, iter_files

    return [f for f, _ in iter_files(paths, EVIDENCE_SUFFIXES, [])]


def make_cached_encoder(settings: Settings) -> Encoder:
    """The settings' encoder behind the embedding cache (`<cache>/embeddings/<encoder>-<version>/`).

    Rebuilding an index after one evidence file changed then embeds only that file's passages, and a
    claim seen before is not embedded again. The cache is keyed by content hash and encoder version,
    so the vectors are the ones the encoder gave for that exact text."""
    from verify.retrieval.embed_cache import CachedEncoder
    from verify.retrieval.encoders import ConcatEncoder, make_encoder

    encoder = make_encoder(settings.encoder, batch_size=settings.batch_size)
    if not settings.embedding_cache:
        return encoder
    if isinstance(encoder, ConcatEncoder):  # cache per part, shared with each encoder used alone
        return ConcatEncoder([CachedEncoder(p, root=cache_dir() / "embeddings") for p in encoder.parts])
    return CachedEncoder(encoder, root=cache_dir() / "embeddings")


def ensure_index(
    settings: Settings,
    encoder: Encoder,
    *,
    force: bool = False,
    progress: Progress | None = None,
    index_type: str | None = None,
) -> tuple[IndexStore, list[Problem], bool]:
    """Load the index for the evidence folders, building it when the corpus or encoder changed.

    Returns (store, problems found while reading the corpus, whether it was rebuilt)."""
    folder = index_folder(settings, encoder)
    with index_lock(folder):
        files = evidence_files(settings.evidence)
        fingerprint = evidence_fingerprint(files)
        manifest = IndexStore.read_manifest(folder)
        if manifest and settings.index_dir is not None and not force:
            built = (manifest["info"]["encoder_id"], manifest["info"]["encoder_version"])
            if built != (encoder.id, encoder.version):
                # A folder the user named holds another encoder's index: replacing it silently would lose it.
                raise IndexStoreError(
                    f"{folder}: holds an index built with encoder {built[0]} ({built[1]}), not {encoder.id}; "
                    f"use another --index-dir, or --force with 'verify index' to replace it")
        if manifest and index_type and not force:
            from verify.retrieval.store import resolve_index_type

            info = manifest["info"]
            # An explicit --index-type that the built index does not have means: rebuild with it.
            force = resolve_index_type(index_type, info["passages"], info["dimension"]) != info["index_type"]
        if manifest and not force:
            if manifest_is_current(manifest, encoder, fingerprint):
                try:
                    store = IndexStore.load(folder, encoder)
                    return store, [Problem.model_validate(p) for p in manifest.get("problems", [])], False
                except IndexStoreError:
                    pass  # corrupted: fall through and rebuild
        corpus = load_corpus(settings.evidence)
        corpus_hash = corpus.content_hash()
        if manifest and not force and manifest["info"]["corpus_hash"] == corpus_hash:
            try:
                store = IndexStore.load(folder, encoder)
                return store, corpus.problems, False
            except IndexStoreError:
                pass
        passages = passages_of_all(corpus.documents, settings.passage_sentences, settings.passage_overlap)
        store = IndexStore.build(
            passages,
            encoder,
            corpus_hash,
            len(corpus.documents),
            index_type=index_type,
            progress=(lambda done, total: progress("embedding passages", done, total)) if progress else None,
        )
        flush = getattr(encoder, "flush", None)
        if flush is not None:
            flush()  # the new passages' vectors, for the next rebuild
        store.save(folder, extra=manifest_extras(settings, fingerprint, corpus.problems))
        return store, corpus.problems, True
