"""End to end with the real models: the CLI on the shipped seeds and evidence, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from verify import DEFAULT_ENCODER
from verify.retrieval.encoders import make_encoder

from .conftest import FIXTURES, ROOT

pytestmark = pytest.mark.e2e


def run(*args: str, cwd: Path = ROOT, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "verify", *args], cwd=cwd, capture_output=True, text=True,
                          input=input, env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=900)


@pytest.fixture(scope="module")
def seed_report():
    out = run("audit", "--format", "json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_seed_audit_labels_every_claim_with_citations(seed_report):
    verdicts = seed_report["verdicts"]
    assert len(verdicts) >= 12
    for v in verdicts:
        assert v["label"] in ("supported", "contradicted", "unknown")
        assert 0.0 <= v["confidence"] <= 1.0 and v["reason"]
        assert v["citations"], v["text"]
        for c in v["citations"]:
            assert c["url"].startswith("http") and c["title"] and c["passage"]
            assert 0 <= c["start"] < c["end"]
    assert seed_report["encoder"] == make_encoder(DEFAULT_ENCODER).id  # the default encoder built the index


def test_citation_offsets_slice_the_evidence_text(seed_report):
    from verify.sources.files import load_corpus

    docs = {d.id: d for d in load_corpus([ROOT / "evidence"]).documents}
    for v in seed_report["verdicts"]:
        for c in v["citations"]:
            assert docs[c["doc_id"]].text[c["start"] : c["end"]] == c["passage"]


def test_seed_audit_table_prints_every_claim():
    out = run("audit")
    assert out.returncode == 0, out.stderr
    assert "claims:" in out.stdout and "seeds/" in out.stdout


def _lines_report(path: Path) -> list[dict]:
    out = run("check", "--lines", "--format", "json", str(path))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["verdicts"]


def test_check_lines_gives_one_verdict_per_line_with_citations():
    verdicts = _lines_report(FIXTURES / "original_de.txt")
    lines = [x for x in (FIXTURES / "original_de.txt").read_text(encoding="utf-8").splitlines() if x.strip()]
    assert [v["text"] for v in verdicts] == lines
    for v in verdicts:
        assert v["citations"] and all({"url", "passage", "start", "end"} <= set(c) for c in v["citations"])
        assert v["label"] != "contradicted", v


@pytest.mark.parametrize("index,value", [(0, "2019"), (1, "80"), (2, "Ohio"), (3, "900"), (4, "2015")])
def test_altered_seed_claims_are_contradicted_naming_the_value(index, value):
    verdicts = _lines_report(FIXTURES / "altered_de.txt")
    v = verdicts[index]
    assert v["label"] == "contradicted", v
    assert value in v["reason"]


def test_stdin_and_markdown():
    out = run("check", "-", "--format", "markdown", input="Fluidstack wurde 2019 gegründet.\n")
    assert out.returncode == 0, out.stderr
    assert "contradicted" in out.stdout and "2017" in out.stdout


def test_unreadable_input_exits_2(tmp_path):
    out = run("check", str(tmp_path / "missing.txt"))
    assert out.returncode == 2 and "missing.txt" in out.stderr
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    out = run("check", str(binary))
    assert out.returncode == 2 and "binary" in out.stderr


def test_index_command_reports_and_reuses(tmp_path):
    out = run("index", "--evidence", str(FIXTURES / "evidence"), "--index-dir", str(tmp_path / "ix"))
    assert out.returncode == 0, out.stderr
    assert "index built" in out.stdout and "records.jsonl:2" in out.stderr
    out = run("index", "--evidence", str(FIXTURES / "evidence"), "--index-dir", str(tmp_path / "ix"))
    assert "up to date" in out.stdout


def test_index_built_with_another_encoder_is_refused(tmp_path):
    ix = tmp_path / "ix"
    assert run("index", "--evidence", str(FIXTURES / "evidence"), "--index-dir", str(ix)).returncode == 0
    from verify.retrieval.encoders import MiniLMEncoder
    from verify.retrieval.store import IndexStore, IndexStoreError

    with pytest.raises(IndexStoreError, match=make_encoder(DEFAULT_ENCODER).id):
        IndexStore.load(ix, MiniLMEncoder())


def test_schema_command_matches_the_model():
    out = run("schema")
    schema = json.loads(out.stdout)
    assert "verdicts" in schema["properties"]
    published = json.loads((ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8"))
    assert published == schema, "docs/report.schema.json is stale: run `verify schema > docs/report.schema.json`"


@pytest.mark.parametrize("thresholds", [None, "eval/thresholds/e5-small-floor03.json"])
def test_e5_option_on_a_one_file_folder_names_the_differing_year(tmp_path, thresholds):
    """`--encoder e5-small` (ONNX) as a user runs it on a small folder of their own, with the shipped
    thresholds and with the e5 thresholds the README recommends for small folders."""
    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "about.md").write_text("---\ntitle: About\n---\nFluidstack was founded in 2017 in London.\n",
                                              encoding="utf-8")
    args = ["check", "-", "--lines", "--evidence", str(tmp_path / "ev"), "--encoder", "e5-small",
            "--index-dir", str(tmp_path / "ix"), "--format", "json"]
    out = run(*args, *(["--thresholds", str(ROOT / thresholds)] if thresholds else []),
              input="Fluidstack was founded in 2013.\n")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["encoder"] == "multilingual-e5-small"
    v = report["verdicts"][0]
    assert v["label"] == "contradicted" and "2013" in v["reason"] and "2017" in v["reason"], v


def test_a_one_file_folder_is_read_with_the_shipped_thresholds(tmp_path):
    """A one-file evidence folder as a user has it: BM25 weighs every word as common there, so the fused score
    of the plainly relevant passage sits under the floor tuned on large corpora. The thresholds adapt to the
    corpus size by themselves (Thresholds.for_corpus): no flag, and the differing year is named (real models)."""
    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "about.md").write_text(
        "---\ntitle: About Fluidstack\n---\nThe London company Fluidstack began operating in 2017 as a start-up "
        "at the University of Oxford.\n", encoding="utf-8")
    args = ["check", "-", "--lines", "--evidence", str(tmp_path / "ev"), "--index-dir", str(tmp_path / "ix"),
            "--format", "json"]
    out = run(*args, input="Fluidstack was established in 2013.\n")
    assert out.returncode == 0, out.stderr
    v = json.loads(out.stdout)["verdicts"][0]
    assert v["label"] == "contradicted" and "2013" in v["reason"] and "2017" in v["reason"], v


README_API_EXAMPLE = '''
import verify
report = verify.check_text("Fluidstack wurde 2019 gegründet.", evidence=["evidence"])
print(report.verdicts[0].label, report.verdicts[0].reason)
'''


def test_the_readme_python_example_runs_with_the_real_models():
    """The README's API example, verbatim, in a fresh interpreter: the altered year is contradicted."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert README_API_EXAMPLE.strip() in readme
    out = subprocess.run([sys.executable, "-c", README_API_EXAMPLE], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=900)
    assert out.returncode == 0, out.stderr
    label, reason = out.stdout.strip().split(" ", 1)
    assert label == "contradicted" and "2017" in reason


def test_fail_on_with_the_real_models():
    ok = run("check", "--lines", "-", "--fail-on", "contradicted", input="Fluidstack wurde 2017 gegründet.\n")
    assert ok.returncode == 0, ok.stderr
    bad = run("check", "--lines", "-", "--fail-on", "contradicted", "--format", "json",
              input="Fluidstack wurde 2019 gegründet.\n")
    assert bad.returncode == 1, bad.stderr
    assert json.loads(bad.stdout)["verdicts"][0]["label"] == "contradicted"


def test_a_verify_toml_in_a_parent_folder_sets_check_encoder_judges_and_evidence(tmp_path):
    """Configuration found upwards from the working directory, paths relative to the file, as ruff does."""
    import shutil

    shutil.copytree(FIXTURES / "notes-de", tmp_path / "notes")
    (tmp_path / ".git").mkdir()  # the repository root: the search stops here
    (tmp_path / "verify.toml").write_text('evidence = ["notes"]\nencoder = "minilm"\njudges = ["rules"]\n',
                                          encoding="utf-8")
    deeper = tmp_path / "a" / "b"
    deeper.mkdir(parents=True)
    out = subprocess.run([sys.executable, "-m", "verify", "check", "-", "--format", "json"], cwd=deeper,
                         capture_output=True, text=True, input="Fluidstack wurde 2019 gegründet.\n",
                         env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}, timeout=900)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["encoder"].startswith("all-minilm") and report["judges"] == ["rules"]
    assert report["verdicts"][0]["label"] == "contradicted" and "2017" in report["verdicts"][0]["reason"]
    (tmp_path / "verify.toml").write_text('evidnce = ["notes"]\n', encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "verify", "check", "-"], cwd=deeper, capture_output=True, text=True,
                         input="Fluidstack wurde 2019 gegründet.\n", env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 2 and "did you mean 'evidence'" in out.stderr


def test_no_color_and_the_table_width():
    out = subprocess.run([sys.executable, "-m", "verify", "check", "--lines", "-", "--judge", "rules"], cwd=ROOT,
                         capture_output=True, text=True, input="Fluidstack wurde 2019 gegründet.\n",
                         env={**os.environ, "HF_HUB_OFFLINE": "1", "NO_COLOR": "1", "COLUMNS": "80"}, timeout=900)
    assert out.returncode == 0, out.stderr
    assert "\x1b[" not in out.stdout
    assert max(len(line) for line in out.stdout.splitlines()) <= 80


def test_eval_averitec_on_a_users_own_file_with_the_real_models():
    """`verify eval averitec --data FILE --split all`: the official AVeriTeC JSON, one passage per answer, the
    conflicting claim scored apart, real encoder and judges."""
    out = run("eval", "averitec", "--data", str(FIXTURES / "averitec" / "mini.json"), "--split", "all",
              "--format", "json")
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["n"] == 3 and res["disputed"]["n"] == 1 and res["recall_at_5"] == 1.0
    assert set(res["trust"]) == {"false_as_supported", "true_as_contradicted", "precision_supported",
                                 "precision_contradicted"}


def test_the_learned_verdict_decides_with_the_real_models(tmp_path):
    """The shipped learned verdict, made to decide in a small folder (it decides only in large corpora by
    default): each English verdict's confidence is the model's probability for its label, so at least 1/3."""
    shipped = json.loads((ROOT / "verify" / "data" / "thresholds.json").read_text(encoding="utf-8"))
    assert shipped["verdict_model"]["languages"] == ["en"]
    th = tmp_path / "th.json"
    th.write_text(json.dumps({**shipped, "verdict_model_min_passages": 0}), encoding="utf-8")
    claims = "Fluidstack was founded in 2017.\nFluidstack was founded in 2013.\n"
    out = run("check", "--lines", "-", "--thresholds", str(th), "--format", "json", input=claims)
    assert out.returncode == 0, out.stderr
    verdicts = json.loads(out.stdout)["verdicts"]
    assert len(verdicts) == 2 and all(v["confidence"] >= 1 / 3 for v in verdicts)
    assert verdicts[1]["label"] != "supported"
