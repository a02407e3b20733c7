"""Faults injected into reading and indexing: nothing lost, nothing corrupted, every skip reported."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from verify.config import Settings
from verify.retrieval.build import ensure_index
from verify.retrieval.store import IndexStore
from verify.sources import files as vio
from verify.sources.files import load_corpus
from verify.weights.e5 import verify_folder as e5_folder_ok

from .conftest import FIXTURES, ROOT

BUILDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from tests.conftest import FakeEncoder
    from verify.config import Settings
    from verify.retrieval.build import ensure_index

    class SlowEncoder(FakeEncoder):
        def encode_passages(self, texts):
            time.sleep(float(sys.argv[3]))
            return super().encode_passages(texts)

    settings = Settings(evidence=(Path(sys.argv[1]),), index_dir=Path(sys.argv[2]), encoder="x")
    print("start", flush=True)
    store, _, rebuilt = ensure_index(settings, SlowEncoder(), force=True)
    print("done", store.info.passages, flush=True)
    """
)


def _builder(tmp_path: Path, evidence: Path, index_dir: Path, delay: float) -> subprocess.Popen:
    script = tmp_path / "builder.py"
    script.write_text(BUILDER.format(root=str(ROOT)), encoding="utf-8")
    return subprocess.Popen([sys.executable, str(script), str(evidence), str(index_dir), str(delay)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_kill_9_during_build_leaves_previous_index_usable(tmp_path, fake_encoder):
    evidence = tmp_path / "ev"
    evidence.mkdir()
    (evidence / "a.txt").write_text("Acme was founded in 2015 in Berlin.", encoding="utf-8")
    index_dir = tmp_path / "ix"
    settings = Settings(evidence=(evidence,), index_dir=index_dir, encoder="x")
    store, _, _ = ensure_index(settings, fake_encoder)
    before = IndexStore.current(index_dir)

    (evidence / "b.txt").write_text("Globex moved to Vienna in 2020.", encoding="utf-8")
    proc = _builder(tmp_path, evidence, index_dir, delay=30)
    assert proc.stdout.readline().strip() == "start"
    time.sleep(1.0)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    assert IndexStore.current(index_dir) == before
    loaded = IndexStore.load(index_dir, fake_encoder)
    assert loaded.info.passages == store.info.passages
    # the next run notices the changed corpus and rebuilds cleanly
    store2, _, rebuilt = ensure_index(settings, fake_encoder)
    assert rebuilt and {p.doc_id for p in store2.passages} == {"a", "b"}
    assert len(list(index_dir.glob("build-*"))) == 1  # the killed build's folder was cleaned up


def test_two_processes_building_at_once_do_not_corrupt(tmp_path, fake_encoder):
    evidence = FIXTURES / "evidence"
    index_dir = tmp_path / "ix"
    procs = [_builder(tmp_path, evidence, index_dir, delay=0.5) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    store = IndexStore.load(index_dir, fake_encoder)  # checksums verified
    assert store.info.passages > 0


def test_corrupted_manifest_is_rebuilt(tmp_path, fake_encoder):
    settings = Settings(evidence=(FIXTURES / "evidence",), index_dir=tmp_path / "ix", encoder="x")
    ensure_index(settings, fake_encoder)
    (IndexStore.current(settings.index_dir) / "manifest.json").write_text("{not json", encoding="utf-8")
    store, _, rebuilt = ensure_index(settings, fake_encoder)
    assert rebuilt and store.info.passages > 0


def test_ten_thousand_files_are_all_read(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(10_000):
        (folder / f"doc{i:05d}.txt").write_text(f"Company {i} was founded in {1900 + i % 120}.", encoding="utf-8")
    t0 = time.perf_counter()
    corpus = load_corpus([folder])
    assert len(corpus.documents) == 10_000 and not corpus.problems
    assert time.perf_counter() - t0 < 120


def test_huge_file_is_read_up_to_the_limit_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.setattr(vio, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "big.txt"
    big.write_text("Acme builds robots. " * 500, encoding="utf-8")
    corpus = load_corpus([big])
    (doc,) = corpus.documents
    assert len(doc.text) == 1000
    (problem,) = corpus.problems
    assert problem.severity == "warning" and "only the first 1,000 bytes" in problem.message


def test_model_folder_with_a_truncated_file_is_not_used(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    weights = folder / "model.safetensors"
    weights.write_bytes(b"x" * 1000)
    st = weights.stat()
    import hashlib

    from verify.weights.e5 import REBUILD_VERSION

    manifest = {"rebuild_version": REBUILD_VERSION, "files": {"model.safetensors": {
        "sha256": hashlib.sha256(b"x" * 1000).hexdigest(), "size": st.st_size, "mtime": int(st.st_mtime)}}}
    (folder / "verify-manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert e5_folder_ok(folder)
    with open(weights, "r+b") as f:
        f.truncate(500)
    assert not e5_folder_ok(folder)
    # same size, different bytes, different mtime: caught by the hash
    weights.write_bytes(b"y" * 1000)
    os.utime(weights, (st.st_atime + 10, st.st_mtime + 10))
    assert not e5_folder_ok(folder)


def test_partial_model_folder_without_manifest_is_not_used(tmp_path):
    folder = tmp_path / "partial"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"half")
    assert not e5_folder_ok(folder)


@pytest.mark.parametrize("text", ["", "\x00\x01", "<script>alert(1)</script>", "a" * 100_000, "\ud800 x"])
def test_hostile_article_text_does_not_crash_extraction(text):
    from verify.claims.extract import extract_claims

    for c in extract_claims(text):
        assert 0 <= c.start <= c.end <= len(text)


def test_a_yaml_alias_bomb_in_front_matter_is_refused_not_expanded(tmp_path):
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    (tmp_path / "bomb.md").write_text("---\n" + "\n".join(levels) + "\ntitle: *i\n---\nAcme was founded in 2015.\n",
                                      encoding="utf-8")
    (tmp_path / "good.md").write_text("---\ntitle: Good\n---\nHooli opened in 2019.\n", encoding="utf-8")
    start = time.perf_counter()
    corpus = load_corpus([tmp_path])
    assert time.perf_counter() - start < 5
    by_name = {Path(d.source_path).name: d for d in corpus.documents}
    assert by_name["bomb.md"].title == "bomb" and "2015" in by_name["bomb.md"].text  # body kept, metadata ignored
    assert by_name["good.md"].title == "Good"
    [p] = [p for p in corpus.problems if p.path.endswith("bomb.md")]
    assert "aliases" in p.message and p.line and p.line > 1


def test_metadata_values_are_capped(tmp_path):
    (tmp_path / "long.md").write_text("---\ntitle: " + "x" * 50_000 + "\n---\nText body here.\n", encoding="utf-8")
    [doc] = load_corpus([tmp_path]).documents
    assert len(doc.title) == vio.META_VALUE_MAX


# --------------------------------------------------------------------------- reliability, round two


def test_bad_evidence_items_are_skipped_naming_file_and_line_and_the_rest_is_read(tmp_path):
    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "docs.jsonl").write_text('{"id": "a", "text": "Acme was founded in 2015."}\n'
                                   '{"id": "b", "text": "bad \\ud800 surrogate"}\n', encoding="utf-8")
    deep = '"x"'
    for _ in range(3000):
        deep = '{"a": ' + deep + "}"
    (ev / "deep.jsonl").write_text('{"id": "deep", "text": "deep", "meta": ' + deep + "}\n", encoding="utf-8")
    (ev / os.fsdecode(b"name-\xff.txt")).write_bytes(b"Hooli opened in 2019.\n")
    (ev / "utf16.txt").write_bytes("Initech moved to Zürich in 2020.\n".encode("utf-16"))
    (ev / "mixed.txt").write_bytes("Grüße aus München.\n".encode() + b"Bad \xe9 byte.\n")
    os.mkfifo(ev / "pipe.txt")
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "l.txt").write_text("Vandelay imports latex since 1990.\n", encoding="utf-8")
    (ev / "link").symlink_to(linked)
    (linked / "loop").symlink_to(ev)
    start = time.perf_counter()
    corpus = load_corpus([ev])
    assert time.perf_counter() - start < 10  # the FIFO is not read, the loop is not followed
    texts = {d.id: d.text for d in corpus.documents}
    assert texts["a"].startswith("Acme") and "\ufffd" in texts["b"]
    assert any("Zürich" in t for t in texts.values()) and any("Grüße aus München" in t for t in texts.values())
    assert any("Vandelay" in t for t in texts.values())
    by_file = {(Path(p.path).name, p.line): p for p in corpus.problems}
    assert "nested too deeply" in by_file[("deep.jsonl", 1)].message
    assert "surrogate" in by_file[("docs.jsonl", 2)].message
    assert "line(s) 2" in by_file[("mixed.txt", 2)].message
    assert "not a regular file" in by_file[("pipe.txt", None)].message
    assert any("not valid UTF-8" in p.message and "\ufffd" in p.path for p in corpus.problems)
    assert any("already read" in p.message for p in corpus.problems)
    json.dumps([d.model_dump() for d in corpus.documents], ensure_ascii=False).encode("utf-8")  # no lone surrogate


def test_a_non_utf8_article_name_does_not_lose_the_audit(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from verify.cli import main as cli

    from .ci.test_ci import make_verifier

    verifier = make_verifier(tmp_path)
    monkeypatch.setattr(cli, "make_verifier", lambda settings: verifier)
    arts = tmp_path / "arts"
    arts.mkdir()
    for i in range(3):
        (arts / f"a{i}.txt").write_text("Acme Robotics was founded in 2015 in Berlin.\n", encoding="utf-8")
    (arts / os.fsdecode(b"bad-\xff.txt")).write_bytes(b"Acme Robotics was founded in 2011 in Berlin.\n")
    r = CliRunner().invoke(cli.app, ["audit", str(arts), "--format", "json"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert len(report["verdicts"]) == 4 and any("\ufffd" in v["claim"]["source"] for v in report["verdicts"])


def test_an_index_dir_holding_another_encoders_index_is_refused_not_overwritten(tmp_path, fake_encoder):
    from verify.retrieval.store import IndexStoreError

    class Other(type(fake_encoder)):
        id = "other-encoder"

    settings = Settings(evidence=(FIXTURES / "evidence",), index_dir=tmp_path / "ix")
    ensure_index(settings, fake_encoder)
    before = (tmp_path / "ix" / "CURRENT").read_text()
    with pytest.raises(IndexStoreError, match="built with encoder fake-bow"):
        ensure_index(settings, Other())
    assert (tmp_path / "ix" / "CURRENT").read_text() == before
    ensure_index(settings, Other(), force=True)  # replacing it is a choice the user makes
    assert (tmp_path / "ix" / "CURRENT").read_text() != before


@pytest.mark.parametrize("damage", ["current", "manifest-keys"])
def test_a_damaged_pointer_or_manifest_is_rebuilt(tmp_path, fake_encoder, damage):
    settings = Settings(evidence=(FIXTURES / "evidence",), index_dir=tmp_path / "ix")
    store, _, _ = ensure_index(settings, fake_encoder)
    if damage == "current":
        (tmp_path / "ix" / "CURRENT").write_bytes(b"\xff\xfe garbage \x00")
    else:
        manifest = store.folder / "manifest.json"
        data = json.loads(manifest.read_text())
        del data["info"]
        manifest.write_text(json.dumps(data))
    again, _, rebuilt = ensure_index(settings, fake_encoder)
    assert rebuilt and len(again.passages) == len(store.passages)


def test_a_full_disk_leaves_no_partial_build_and_a_clear_error(tmp_path, fake_encoder, monkeypatch):
    import errno

    import faiss

    from verify.retrieval.store import IndexStoreError

    settings = Settings(evidence=(FIXTURES / "evidence",), index_dir=tmp_path / "ix")
    ensure_index(settings, fake_encoder)

    def full(*a, **kw):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(faiss, "write_index", full)
    with pytest.raises(IndexStoreError, match="No space left on device"):
        ensure_index(settings, fake_encoder, force=True)
    assert len(list((tmp_path / "ix").glob("build-*"))) == 1  # the previous build, nothing half-written
    monkeypatch.undo()
    assert ensure_index(settings, fake_encoder)[0].passages


@pytest.mark.parametrize("name,content", [("verify.toml", b'evidence = "x\xff"\n'),
                                          ("base.json", b"[" * 100_000)])
def test_bad_configuration_bytes_exit_2_naming_the_file(tmp_path, name, content):
    from typer.testing import CliRunner

    from verify.cli.main import app

    (tmp_path / name).write_bytes(content)
    (tmp_path / "a.md").write_text("Acme was founded in 2015.\n", encoding="utf-8")
    args = ["ci", str(tmp_path), "--evidence", str(FIXTURES / "evidence")]
    if name == "base.json":
        args += ["--baseline", str(tmp_path / name)]
    else:
        args += ["--config", str(tmp_path / name)]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2, r.output
    assert name in r.output


def test_an_article_over_the_size_budget_is_refused_naming_it_and_the_audit_goes_on(tmp_path):
    from verify.sources.files import MAX_ARTICLE_BYTES, InputError, read_article

    big = tmp_path / "big.html"
    big.write_text("<div>" * (MAX_ARTICLE_BYTES // 5 + 1), encoding="utf-8")  # nested divs: slow to parse
    start = time.perf_counter()
    with pytest.raises(InputError, match="big.html: article is .* the limit is"):
        read_article(big)
    assert time.perf_counter() - start < 1
