"""The embedding cache: same vectors as the encoder, only new texts encoded, shards safe on disk."""

from __future__ import annotations

import numpy as np

from verify.retrieval.embed_cache import CachedEncoder, EmbeddingCache, cache_folder

from ..conftest import FakeEncoder


class CountingEncoder(FakeEncoder):
    def __init__(self):
        self.seen: list[str] = []

    def encode_passages(self, texts):
        self.seen += list(texts)
        return super().encode_passages(texts)

    def encode_queries(self, texts):
        self.seen += list(texts)
        return super().encode_queries(texts)


def test_cached_vectors_equal_the_encoder_and_only_new_texts_are_encoded(tmp_path):
    inner = CountingEncoder()
    enc = CachedEncoder(inner, tmp_path)
    texts = ["Acme was founded in 2015.", "Hooli opened a data center.", "Acme was founded in 2015."]
    first = enc.encode_passages(texts)
    assert np.allclose(first, FakeEncoder().encode_passages(texts))
    assert inner.seen == texts[:2]  # a repeated text within a call is encoded once
    again = enc.encode_passages([*texts, "new text"])
    assert np.allclose(again[:3], first) and inner.seen == [*texts[:2], "new text"]
    assert (enc.hits, enc.misses) == (4, 3)
    assert enc.encode_passages([]).shape == (0, enc.dimension)
    assert (enc.id, enc.version, enc.dimension) == ("fake-bow", "1", 64)


def test_queries_and_passages_are_cached_apart(tmp_path):
    inner = CountingEncoder()
    enc = CachedEncoder(inner, tmp_path)
    enc.encode_passages(["same text"])
    enc.encode_queries(["same text"])
    assert inner.seen == ["same text", "same text"]


def test_shards_persist_across_processes_and_damage_is_skipped(tmp_path):
    enc = CachedEncoder(CountingEncoder(), tmp_path)
    enc.encode_passages(["a b", "c d"])
    shard = enc.flush()
    assert shard is not None and shard.exists() and enc.flush() is None
    (shard.parent / "broken.npz").write_bytes(b"not a zip")
    inner = CountingEncoder()
    fresh = CachedEncoder(inner, tmp_path)
    fresh.encode_passages(["a b", "c d"])
    assert inner.seen == []  # both came from disk
    assert cache_folder(tmp_path, FakeEncoder()) == shard.parent


def test_other_dimension_is_not_trusted(tmp_path):
    enc = CachedEncoder(CountingEncoder(), tmp_path)
    enc.encode_passages(["x"])
    shard = enc.flush()
    cache = EmbeddingCache(shard.parent, dimension=32)
    assert len(cache) == 0


def test_memory_only_cache_and_lru_bound():
    enc = CachedEncoder(CountingEncoder(), None, memory_items=2)
    enc.encode_passages(["a", "b", "c"])
    assert len(enc.cache) == 2 and enc.flush() is None


def test_index_rebuild_embeds_only_new_passages(tmp_path, monkeypatch):
    """Wired into the pipeline: after one evidence file is added, only its passages are embedded."""
    import shutil

    from verify.config import Settings
    from verify.retrieval.build import ensure_index

    from ..conftest import FIXTURES, FakeEncoder

    class Counting(FakeEncoder):
        calls = 0

        def encode_passages(self, texts):
            Counting.calls += len(texts)
            return super().encode_passages(texts)

    monkeypatch.setenv("VERIFY_CACHE", str(tmp_path / "cache"))
    evidence = tmp_path / "evidence"
    shutil.copytree(FIXTURES / "evidence", evidence)
    settings = Settings(evidence=(evidence,), index_dir=tmp_path / "ix", encoder="unused")
    encoder = CachedEncoder(Counting(), root=tmp_path / "cache" / "embeddings")
    store, _, rebuilt = ensure_index(settings, encoder)
    first = Counting.calls
    assert rebuilt and first == store.info.passages
    (evidence / "new.md").write_text("---\ntitle: New\n---\nGlobex opened an office in Lyon in 2020.\n",
                                     encoding="utf-8")
    fresh = CachedEncoder(Counting(), root=tmp_path / "cache" / "embeddings")  # a new process: disk shards only
    store2, _, rebuilt2 = ensure_index(settings, fresh)
    assert rebuilt2 and store2.info.passages == store.info.passages + 1
    assert Counting.calls - first == 1  # the one new passage


def test_damaged_shards_are_dropped_with_a_warning_and_recomputed(tmp_path, caplog):
    inner = CountingEncoder()
    enc = CachedEncoder(inner, tmp_path)
    enc.encode_passages(["Acme was founded in 2015."])
    shard = enc.flush()
    assert shard is not None and shard.suffix == ".npz"
    folder = shard.parent
    # a shard truncated mid-write, a 0-byte file left by a kill -9, and plain garbage
    (folder / "truncated.npz").write_bytes(shard.read_bytes()[:40])
    (folder / ".shard-abc.npz").write_bytes(b"")
    (folder / "garbage.npz").write_bytes(b"\x00not a zip")
    fresh_inner = CountingEncoder()
    fresh = CachedEncoder(fresh_inner, tmp_path)
    with caplog.at_level("WARNING", logger="verify.cache"):
        fresh.encode_passages(["Acme was founded in 2015.", "new"])
    assert fresh_inner.seen == ["new"]  # the good shard still serves its vector
    assert sorted(p.name for p in folder.iterdir()) == [shard.name]  # the damaged ones are gone
    assert sum("dropping damaged embedding cache" in r.message for r in caplog.records) == 3


def test_a_shard_being_written_never_matches_the_loaders_glob(tmp_path, monkeypatch):
    import tempfile

    names = []
    real = tempfile.mkstemp

    def spy(*a, **kw):
        fd, name = real(*a, **kw)
        names.append(name)
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", spy)
    enc = CachedEncoder(CountingEncoder(), tmp_path)
    enc.encode_passages(["x"])
    enc.flush()
    assert names and not any(n.endswith(".npz") for n in names)


def test_a_full_disk_costs_the_cache_not_the_run(tmp_path, monkeypatch, caplog):
    cache = EmbeddingCache(tmp_path / "c", dimension=4)
    cache.put(b"k" * 16, np.ones(4))

    def full(*a, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", full)
    with caplog.at_level("WARNING", logger="verify.cache"):
        assert cache.flush() is None
    assert "No space left" in caplog.text and not list((tmp_path / "c").glob("*"))
