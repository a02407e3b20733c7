"""`verify ci` end to end with the real encoder on tests/fixtures/ci: exit codes, lines, baseline, cache reuse."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ..conftest import FIXTURES, ROOT

pytestmark = pytest.mark.e2e

CONTRADICTED_LINE = 8  # "Fluidstack wurde 2019 gegründet." in docs/fluidstack.md (the evidence says 2017)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("ci-e2e")
    shutil.copytree(FIXTURES / "ci", work / "repo")
    (work / "cache").mkdir()
    return work


def verify_ci(work: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "VERIFY_CACHE": str(work / "cache"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    # The rule judge keeps these checks fast and deterministic; the encoder and index are the real ones.
    cmd = [sys.executable, "-m", "verify", "ci", "--evidence", str(ROOT / "evidence"), "--judge", "rules", *args]
    return subprocess.run(cmd, cwd=work / "repo", capture_output=True, text=True, env=env, timeout=900)


def test_contradicted_claim_fails_baseline_suppresses_cache_is_reused(corpus):
    repo = corpus / "repo"

    # 1. A contradicted claim fails the run, on its line, in SARIF and JUnit.
    out = verify_ci(corpus, "--sarif", "out.sarif", "--junit", "out.xml", "--format", "json")
    assert out.returncode == 1, out.stderr
    result = json.loads(out.stdout)
    failing = [f for f in result["findings"] if f["level"] == "error" and not f["suppressed"]]
    assert [(f["file"], f["line"], f["label"]) for f in failing] == [
        ("docs/fluidstack.md", CONTRADICTED_LINE, "contradicted")]
    assert "2019" in failing[0]["reason"] and "2017" in failing[0]["reason"]
    assert any(c["url"].startswith("http") for c in failing[0]["citations"])
    assert (result["cache"]["hits"], result["cache"]["misses"]) == (0, 3)

    sarif = json.loads((repo / "out.sarif").read_text(encoding="utf-8"))
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(sarif, json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")))
    errors = [r for r in sarif["runs"][0]["results"] if r["level"] == "error"]
    assert len(errors) == 1 and errors[0]["ruleId"] == "contradicted"
    loc = errors[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "docs/fluidstack.md"
    assert (loc["region"]["startLine"], loc["region"]["startColumn"]) == (CONTRADICTED_LINE, 1)

    junit = ET.parse(repo / "out.xml").getroot()
    failed = [c for c in junit.iter("testcase") if c.find("failure") is not None]
    assert [(c.get("file"), c.get("line")) for c in failed] == [("docs/fluidstack.md", str(CONTRADICTED_LINE))]
    assert junit.get("tests") == str(len(result["findings"]))

    # 2. The baseline records it; a later run with the baseline passes, every document from the cache.
    out = verify_ci(corpus, "--write-baseline", "baseline.json")
    assert out.returncode == 0, out.stderr
    out = verify_ci(corpus, "--baseline", "baseline.json", "--format", "json")
    assert out.returncode == 0, out.stdout + out.stderr
    warm = json.loads(out.stdout)
    # Every contradicted or unknown finding was recorded (unknown ones would fail under --fail-on unknown).
    assert warm["summary"]["failing"] == 0 and warm["summary"]["suppressed"] >= 1
    assert failing[0]["id"] in {f["id"] for f in warm["findings"] if f["suppressed"]}
    assert (warm["cache"]["hits"], warm["cache"]["misses"]) == (3, 0)

    # 3. Another file edited: only it is checked again; the contradicted claim still fails without baseline.
    with open(repo / "docs" / "meta.txt", "a", encoding="utf-8") as f:
        f.write("\nAnthropic was founded in 2021.\n")
    out = verify_ci(corpus, "--format", "json")
    assert out.returncode == 1, out.stderr
    edited = json.loads(out.stdout)
    print(f"\ncold: {result['cache']}\nwarm: {warm['cache']}\none file edited: {edited['cache']}")
    assert (edited["cache"]["hits"], edited["cache"]["misses"]) == (2, 1)
    assert edited["cache"]["judgements_reused"] > 0  # the unchanged claim of meta.txt was not judged again

    # 4. Lines inserted above the claim: the line moves, the id (and so the baseline) holds.
    doc = repo / "docs" / "fluidstack.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("# Fluidstack\n", "# Fluidstack\n\nEin Absatz.\n"),
                   encoding="utf-8")
    out = verify_ci(corpus, "--baseline", "baseline.json", "--format", "json")
    assert out.returncode == 0, out.stdout + out.stderr
    moved = json.loads(out.stdout)
    (sup,) = [f for f in moved["findings"] if f["id"] == failing[0]["id"]]
    assert sup["suppressed"] and sup["line"] == CONTRADICTED_LINE + 2


def test_thresholds_file_decides_the_ci_outcome(corpus, tmp_path):
    """--thresholds (and `thresholds =` in verify.toml) reach the real pipeline: a file that demands
    certainty turns the contradicted claim into an unknown one, so the run no longer fails."""
    strict = tmp_path / "strict.json"
    # rule_weight too: the shipped 1.1 lifts a rule judge's certain value mismatch (1.0) above any
    # threshold, so "demands certainty" must also weigh that judge below 1.
    strict.write_text('{"version": "strict", "entail": 1.0, "contradict": 1.0, "rule_weight": 0.9}',
                      encoding="utf-8")
    assert verify_ci(corpus, "--no-cache").returncode == 1
    r = verify_ci(corpus, "--no-cache", "--thresholds", str(strict))
    assert r.returncode == 0, r.stdout + r.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"contradict": 2}', encoding="utf-8")
    r = verify_ci(corpus, "--no-cache", "--thresholds", str(bad))
    assert r.returncode == 2 and f"{bad}: contradict" in r.stderr
