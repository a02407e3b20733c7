"""The Ray engine in a local Ray instance: the same index and the same verdicts as the single-machine run."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

from verify.config import Settings
from verify.retrieval.build import ensure_index
from verify.retrieval.store import IndexStore, _build_faiss, resolve_index_type

from ..conftest import FIXTURES, ROOT, FakeEncoder, FakeJudge

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'verify[ray]')")

from verify.engines import ray_engine  # noqa: E402


def fake_encoder():
    return FakeEncoder()


def fake_judges():
    from verify.judging.rules import RuleJudge

    return [RuleJudge(), FakeJudge()]


@pytest.fixture(scope="module")
def local_ray():
    # workers import tests.conftest (the fake parts) from the repository root
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), saved]))
    ray_engine.init(num_cpus=2)
    yield ray
    ray.shutdown()
    if saved is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = saved


def test_ray_index_equals_the_local_index(tmp_path, local_ray):
    local = Settings(evidence=(FIXTURES / "evidence",), index_dir=tmp_path / "local", encoder="unused")
    remote = local.model_copy(update={"index_dir": tmp_path / "ray"})
    store, _, _ = ensure_index(local, FakeEncoder())
    ray_store = ray_engine.build_index(remote, fake_encoder, actors=2)
    assert ray_store.info.index_type == store.info.index_type
    assert [p.id for p in ray_store.passages] == [p.id for p in store.passages]
    a = np.stack([store.faiss.reconstruct(i) for i in range(store.faiss.ntotal)])
    b = np.stack([ray_store.faiss.reconstruct(i) for i in range(ray_store.faiss.ntotal)])
    assert np.allclose(a, b, atol=1e-6)
    # written where ensure_index looks: a later local run uses it without rebuilding
    again, _, rebuilt = ensure_index(remote, FakeEncoder())
    assert not rebuilt and again.info.passages == store.info.passages
    assert IndexStore.read_manifest(remote.index_dir)["engine"] == "ray"


def test_sharded_ivf_build_equals_the_single_build(local_ray):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6000, 64)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    kind = resolve_index_type("ivf-pq", len(x), 64)
    single = _build_faiss(x, kind)
    sharded = ray_engine.build_faiss_sharded(x, kind, shards=3)
    assert sharded.ntotal == single.ntotal == len(x)
    q = x[:50] + 0.01
    d1, i1 = single.search(q, 10)
    d2, i2 = sharded.search(q, 10)
    assert (i1 == i2).all() and np.allclose(d1, d2, atol=1e-5)
    assert np.allclose(sharded.reconstruct(4321), x[4321], atol=1e-6)


def test_ray_audit_gives_the_single_machine_verdicts(tmp_path, local_ray):
    from verify.engines.ray_engine import _verifier_from

    articles = tmp_path / "articles"
    articles.mkdir()
    for i, src in enumerate([FIXTURES / "articles" / "article.md", FIXTURES / "altered_de.txt",
                             FIXTURES / "original_de.txt"]):
        shutil.copy(src, articles / f"{i}_{src.name}")
    (articles / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)  # listed as a problem, in both runs
    settings = Settings(evidence=(FIXTURES / "evidence",), index_dir=tmp_path / "ix", encoder="unused")
    local = _verifier_from(settings, fake_encoder, fake_judges).audit([articles])
    remote, _ = ray_engine.audit(settings, [articles], actors=2, encoder=fake_encoder, judges=fake_judges)
    assert len(local.verdicts) > 3
    strip = {"seconds"}
    assert remote.model_dump(exclude=strip) == local.model_dump(exclude=strip)


@pytest.mark.e2e
def test_ray_audit_of_the_seeds_with_the_real_models(local_ray):
    """The must-show: `audit --engine ray` on seeds/ gives the verdicts of the single-machine audit."""
    from verify.pipeline import Verifier

    settings = Settings(evidence=(ROOT / "evidence",))
    local = Verifier.from_settings(settings).audit([ROOT / "seeds"])
    remote, _ = ray_engine.audit(settings, [ROOT / "seeds"], actors=2)
    assert local.verdicts and remote.model_dump(exclude={"seconds"}) == local.model_dump(exclude={"seconds"})


@pytest.mark.e2e
def test_cli_engine_ray_index_and_audit_match_local(tmp_path, local_ray):
    """`verify index/audit --engine ray` from the command line: same index, same verdicts as local."""
    import json

    from typer.testing import CliRunner

    from verify.cli.main import app

    runner = CliRunner()
    common = ["--evidence", str(ROOT / "evidence"), "--judge", "rules"]
    built = runner.invoke(app, ["index", "--engine", "ray", "--evidence", str(ROOT / "evidence"),
                                "--index-dir", str(tmp_path / "ray-ix"), "--force"])
    assert built.exit_code == 0, built.output
    assert "index built" in built.output
    assert IndexStore.read_manifest(tmp_path / "ray-ix")["engine"] == "ray"
    again = runner.invoke(app, ["index", "--engine", "ray", "--evidence", str(ROOT / "evidence"),
                                "--index-dir", str(tmp_path / "ray-ix")])
    assert again.exit_code == 0 and "up to date" in again.output, again.output
    remote = runner.invoke(app, ["audit", str(ROOT / "seeds"), "--engine", "ray", "--actors", "2",
                                 "--format", "json", "--index-dir", str(tmp_path / "ray-ix"), *common])
    local = runner.invoke(app, ["audit", str(ROOT / "seeds"), "--format", "json",
                                "--index-dir", str(tmp_path / "ray-ix"), *common])
    assert remote.exit_code == 0 and local.exit_code == 0, remote.output + local.output
    a, b = json.loads(remote.stdout), json.loads(local.stdout)
    a.pop("seconds"), b.pop("seconds")
    assert a["verdicts"] and a == b
