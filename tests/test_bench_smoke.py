"""The benchmark scripts on tiny sizes with the fake parts, so that they cannot rot (seconds)."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from verify.retrieval.store import (
    _build_faiss,
    choose_index_type,
    parse_index_type,
    resolve_index_type,
    set_search_params,
)

from .conftest import FIXTURES, ROOT, FakeEncoder, FakeJudge

sys.path.insert(0, str(ROOT / "bench"))


def test_index_types_bench_small(tmp_path):
    import index_types

    md = tmp_path / "perf.md"
    result = index_types.run([3000], queries=40, single=5, hnsw_budget_s=60, dim=64, out=tmp_path / "it.json",
                             md=md, quiet=True)
    (size,) = result["sizes"]
    assert set(size["types"]) == {"flat-ip", "hnsw", "ivf-pq", "ivf-pq+rerank"}
    assert size["types"]["flat-ip"]["best"]["recall@10"] == 1.0
    for entry in size["types"].values():
        b = entry["best"]
        assert 0.0 <= b["recall@10"] <= 1.0 and b["latency_ms"] > 0 and entry["bytes_per_passage"] > 0
    # the exact re-rank can only help
    assert size["types"]["ivf-pq+rerank"]["best"]["recall@10"] >= size["types"]["ivf-pq"]["best"]["recall@10"]
    assert json.loads((tmp_path / "it.json").read_text())["sizes"][0]["n"] == 3000
    text = md.read_text()
    assert "<!-- index-types:start -->" in text and "| 3,000 | ivf-pq+rerank |" in text
    # rewriting replaces the section instead of appending a second one
    index_types.write_section(md, "index-types", "new")
    assert md.read_text().count("index-types:start") == 1 and "new" in md.read_text()


def test_pipeline_bench_with_fakes(tmp_path):
    import run as bench_run

    md = tmp_path / "perf.md"
    result = bench_run.run(quick=True, evidence=FIXTURES / "evidence", seeds=FIXTURES / "articles",
                           encoder=FakeEncoder(), judges=[FakeJudge()], cold=False, out=tmp_path / "r.json",
                           md=md, log=lambda *_: None)
    o = result["overhead"]
    assert o["passages"] > 0 and o["raw_encode_s"] > 0 and o["index_build_s"] > 0
    stages = result["stages"]["ms"]
    for stage in ("split", "embed", "retrieve", "judge", "aggregate", "render", "total"):
        assert stage in stages, stage
    assert result["judges"]["nli"]["pairs_per_s"] > 0
    assert result["memory"]["peak_rss_mb"] > 0
    assert "## Pipeline" in md.read_text()


@pytest.mark.parametrize("n", [0, 1, 500, 3000])
@pytest.mark.parametrize("kind", ["flat-ip", "hnsw", "ivf-pq", "ivf-flat", "ivf16-pq16-np4-rf4"])
def test_every_index_type_builds_searches_and_reconstructs(n, kind, tmp_path):
    import faiss

    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 64)).astype(np.float32)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)
    resolved = resolve_index_type(kind, n, 64)
    assert parse_index_type(resolved)  # the manifest string parses back
    index = _build_faiss(x, resolved)
    assert index.ntotal == n
    if not n:
        return
    set_search_params(index, resolved)
    path = tmp_path / "i.faiss"
    faiss.write_index(index, str(path))
    loaded = faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)  # as IndexStore.load
    _, ids = loaded.search(x[:3], 1)
    assert ids[:, 0].tolist() == list(range(min(3, n)))
    assert np.allclose(loaded.reconstruct(n - 1) @ x[n - 1], 1.0, atol=0.15)


def test_auto_choice_by_size():
    assert choose_index_type(1_000) == "flat-ip"
    big = choose_index_type(1_000_000)
    assert parse_index_type(big)["kind"] != "flat-ip"
    with pytest.raises(ValueError, match="unknown index type"):
        parse_index_type("lsh")


def test_store_with_ivf_index_round_trips(tmp_path, fake_encoder):
    from verify.config import Settings
    from verify.models import Claim
    from verify.retrieval.build import ensure_index
    from verify.retrieval.store import HybridRetriever, IndexStore

    settings = Settings(evidence=(FIXTURES / "evidence",), index_dir=tmp_path / "ix", encoder="unused")
    store, _, _ = ensure_index(settings, fake_encoder, index_type="ivf-pq")
    assert store.info.index_type.startswith("ivf")  # resolved: every parameter is in the manifest
    loaded = IndexStore.load(settings.index_dir, fake_encoder)
    assert loaded.info.index_type == store.info.index_type
    claim = Claim(id="c", text="Hooli opened a data center in Oregon", sentence="x", start=0, end=1)
    (hits,) = HybridRetriever(loaded, fake_encoder).search([claim], top_k=3)
    assert hits[0].passage.doc_id == "hooli-1"


def test_search_parameters_survive_save_and_load(tmp_path):
    import faiss

    x = np.random.default_rng(0).standard_normal((3000, 64)).astype(np.float32)
    for kind, read in [
        ("ivf64-pq16fs-np7-rf3", lambda i: (i.k_factor, faiss.extract_index_ivf(i).nprobe)),
        ("hnsw16-ef77", lambda i: i.hnsw.efSearch),
        ("ivf32-flat-np5", lambda i: faiss.extract_index_ivf(i).nprobe),
    ]:
        path = tmp_path / "i.faiss"
        faiss.write_index(_build_faiss(x, kind), str(path))
        loaded = faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
        assert read(loaded) == {"ivf64-pq16fs-np7-rf3": (3.0, 7), "hnsw16-ef77": 77, "ivf32-flat-np5": 5}[kind]
