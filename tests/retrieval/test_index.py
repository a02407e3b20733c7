"""The index on disk: manifest, atomic builds, rebuild only on change, refusal on encoder mismatch or damage."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from verify.config import Settings
from verify.models import Claim
from verify.retrieval.build import ensure_index
from verify.retrieval.store import HybridRetriever, IndexStore, IndexStoreError

from ..conftest import FIXTURES, FakeEncoder


def _settings(tmp_path: Path, evidence: Path) -> Settings:
    return Settings(evidence=(evidence,), index_dir=tmp_path / "index", encoder="unused")


def _claim(text: str) -> Claim:
    return Claim(id="c", text=text, sentence=text, start=0, end=len(text))


def test_build_then_reuse_then_rebuild_on_change(tmp_path, fake_encoder):
    evidence = tmp_path / "evidence"
    shutil.copytree(FIXTURES / "evidence", evidence)
    settings = _settings(tmp_path, evidence)
    store, problems, rebuilt = ensure_index(settings, fake_encoder)
    assert rebuilt and store.info.passages > 0
    assert any(p.line == 2 for p in problems)  # the malformed JSONL line is remembered with the index
    manifest = json.loads((IndexStore.current(settings.index_dir) / "manifest.json").read_text())
    assert manifest["info"]["encoder_id"] == "fake-bow"
    assert manifest["info"]["dimension"] == 64 and manifest["info"]["normalized"] is True
    assert set(manifest["checksums"]) == {"index.faiss", "passages.jsonl"}

    _, problems2, rebuilt = ensure_index(settings, fake_encoder)
    assert not rebuilt and problems2 == problems

    (evidence / "new.txt").write_text("Umbrella Corp was founded in 1968 in Raccoon City.", encoding="utf-8")
    store, _, rebuilt = ensure_index(settings, fake_encoder)
    assert rebuilt and any(p.doc_id == "new" for p in store.passages)


def test_touching_a_file_without_changing_it_does_not_rebuild(tmp_path, fake_encoder):
    evidence = tmp_path / "evidence"
    shutil.copytree(FIXTURES / "evidence", evidence)
    settings = _settings(tmp_path, evidence)
    ensure_index(settings, fake_encoder)
    f = evidence / "notes.txt"
    f.write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    _, _, rebuilt = ensure_index(settings, fake_encoder)
    assert not rebuilt


def test_other_encoder_is_refused(tmp_path, fake_encoder):
    settings = _settings(tmp_path, FIXTURES / "evidence")
    ensure_index(settings, fake_encoder)

    class Other(FakeEncoder):
        id = "other-encoder"

    with pytest.raises(IndexStoreError, match="built with encoder fake-bow"):
        IndexStore.load(settings.index_dir, Other())


def test_corrupted_index_is_detected_and_rebuilt(tmp_path, fake_encoder):
    settings = _settings(tmp_path, FIXTURES / "evidence")
    ensure_index(settings, fake_encoder)
    build = IndexStore.current(settings.index_dir)
    with open(build / "passages.jsonl", "r+b") as f:
        f.truncate(100)
    with pytest.raises(IndexStoreError, match="checksum"):
        IndexStore.load(settings.index_dir, fake_encoder)
    store, _, rebuilt = ensure_index(settings, fake_encoder)
    assert rebuilt and store.info.passages > 0


def test_hybrid_retrieval_finds_names_and_numbers(tmp_path, fake_encoder):
    settings = _settings(tmp_path, FIXTURES / "evidence")
    store, _, _ = ensure_index(settings, fake_encoder)
    retriever = HybridRetriever(store, fake_encoder)
    (hits,) = retriever.search([_claim("Hooli opened a data center in Oregon")], top_k=3)
    assert hits[0].passage.doc_id == "hooli-1"
    assert hits == sorted(hits, key=lambda h: -_fused(h, retriever.dense_weight))  # ranked by the fused score
    assert all(0.0 <= h.score <= 1.0 for h in hits)


def _fused(hit, w: float) -> float:
    from verify.retrieval.fusion import fuse, rescale_dense

    return float(fuse(rescale_dense([hit.dense], "fake-bow"), [hit.lexical], w)[0])


def test_relevance_of_a_passage_does_not_sink_in_a_one_file_folder(tmp_path, fake_encoder):
    # BM25's weights shrink with the corpus: alone in a folder, every word of the passage is in "every"
    # document. The score the relevance floor reads is at least the dense one, whatever the corpus.
    from verify.retrieval.fusion import rescale_dense

    one = tmp_path / "one"
    one.mkdir()
    (one / "hooli.jsonl").write_text(
        (FIXTURES / "evidence" / "records.jsonl").read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    claim = _claim("Hooli opened a data center in Oregon")
    scores = {}
    for name, folder in (("pooled", FIXTURES / "evidence"), ("one", one)):
        store, _, _ = ensure_index(_settings(tmp_path / name, folder), fake_encoder)
        retriever = HybridRetriever(store, fake_encoder, dense_weight=0.5, relevance="max")
        (hits,) = retriever.search([claim], top_k=3)
        top = next(h for h in hits if h.passage.doc_id == "hooli-1")
        assert top.score >= float(rescale_dense([top.dense], "fake-bow")[0]) - 1e-6
        assert top.score >= _fused(top, 0.5) - 1e-6
        scores[name] = (top.score, top.lexical)
        # Thresholds tuned before the rule ("fused") read the fused score alone, as they were tuned.
        (old,) = HybridRetriever(store, fake_encoder, dense_weight=0.5).search([claim], top_k=3)
        assert [h.passage.id for h in old] == [h.passage.id for h in hits]  # the ranking does not change
        assert all(abs(h.score - _fused(h, 0.5)) < 1e-6 for h in old if h.passage.language == "en")
    assert scores["one"][1] < scores["pooled"][1]  # the lexical share did sink ...
    assert scores["one"][0] >= float(rescale_dense([top.dense], "fake-bow")[0]) - 1e-6  # ... the relevance not


def test_no_pickle_in_index_files(tmp_path, fake_encoder):
    settings = _settings(tmp_path, FIXTURES / "evidence")
    ensure_index(settings, fake_encoder)
    for f in IndexStore.current(settings.index_dir).iterdir():
        assert f.suffix in (".faiss", ".jsonl", ".json"), f


def test_explicit_index_type_rebuilds_only_when_it_differs(tmp_path, fake_encoder):
    settings = _settings(tmp_path, FIXTURES / "evidence")
    store, _, _ = ensure_index(settings, fake_encoder)
    assert store.info.index_type == "flat-ip"
    _, _, rebuilt = ensure_index(settings, fake_encoder, index_type="flat-ip")
    assert not rebuilt
    store, _, rebuilt = ensure_index(settings, fake_encoder, index_type="hnsw")
    assert rebuilt and store.info.index_type.startswith("hnsw")
    _, _, rebuilt = ensure_index(settings, fake_encoder, index_type="hnsw")
    assert not rebuilt


def test_a_new_reader_version_rebuilds_once_with_the_problems_it_finds(tmp_path, fake_encoder, monkeypatch):
    # The manifest keeps the corpus problems; after a change in reading they must not be the old reader's.
    from verify.sources import files as io

    evidence = tmp_path / "evidence"
    evidence.mkdir()
    settings = _settings(tmp_path, evidence)
    monkeypatch.setattr("verify.retrieval.build.load_corpus", lambda paths: io.Corpus())  # an older reader: no problems
    assert ensure_index(settings, fake_encoder)[1] == []
    monkeypatch.undo()
    monkeypatch.setattr(io, "READER_VERSION", "next")
    _, problems, rebuilt = ensure_index(settings, fake_encoder)
    assert rebuilt and [p.message for p in problems] == ["no documents found in the evidence folder"]
    assert ensure_index(settings, fake_encoder)[1:] == (problems, False)
