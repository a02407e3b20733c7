"""Thresholds files: loading, errors that name the file, and a user's own tuned file end to end."""

from __future__ import annotations

import json

import pytest

from verify.config import ThresholdsError, load_thresholds, shipped_thresholds


def test_load_shipped_and_tune_report():
    from pathlib import Path

    data = Path(__file__).resolve().parents[2] / "verify" / "data"
    assert load_thresholds(data / "thresholds.json") == shipped_thresholds()
    report = data / "thresholds.dev.json"  # a tune report: its "thresholds" object is the file's content
    assert load_thresholds(report).version == json.loads(report.read_text(encoding="utf-8"))["version"]


def test_partial_file_keeps_the_shipped_values(tmp_path):
    p = tmp_path / "t.json"
    p.write_text('{"entail": 0.7, "version": "mine"}', encoding="utf-8")
    th, shipped = load_thresholds(p), shipped_thresholds()
    assert th.entail == 0.7 and th.version == "mine"
    assert th.model_dump(exclude={"entail", "version"}) == shipped.model_dump(exclude={"entail", "version"})


@pytest.mark.parametrize("text, message", [
    ('{"entail": 0.7,\n', ":2: not valid JSON"),
    ('{"entail": 1.5}', "entail: Input should be less than or equal to 1"),
    ('{"ential": 0.5}', "unknown field(s) ential"),
    ('[0.5]', "expected a JSON object"),
    ('{"nli_top_k": 0}', "nli_top_k"),
    ('{"relevance": "dense"}', "relevance: Input should be 'fused' or 'max'"),
])
def test_bad_files_name_the_file(tmp_path, text, message):
    p = tmp_path / "bad.json"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ThresholdsError) as exc:
        load_thresholds(p)
    assert str(exc.value).startswith(str(p)) and message in str(exc.value)
    with pytest.raises(ThresholdsError, match="cannot read"):
        load_thresholds(tmp_path / "missing.json")


def test_cli_rejects_a_bad_thresholds_file_before_loading_models(tmp_path):
    from typer.testing import CliRunner

    from verify.cli.main import app

    art = tmp_path / "a.txt"
    art.write_text("Fluidstack wurde 2017 gegründet.\n", encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('{"contradict": -1}', encoding="utf-8")
    for args in (["check", str(art)], ["audit", str(art)], ["eval", "climate-fever", "--split", "dev"]):
        r = CliRunner().invoke(app, [*args, "--thresholds", str(bad)])
        assert r.exit_code == 2, (args, r.output)
        assert f"{bad}: contradict" in r.output
    r = CliRunner().invoke(app, ["eval", "xnli-de", "--gold-evidence", "--thresholds", str(bad)])
    assert r.exit_code == 2 and "takes no --thresholds" in r.output


def test_ci_config_thresholds_relative_to_the_config(tmp_path):
    from verify.ci import CiError, load_config, settings_for

    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "th.json").write_text('{"entail": 0.9, "version": "team"}', encoding="utf-8")
    cfg_file = tmp_path / "verify.toml"
    cfg_file.write_text('thresholds = "conf/th.json"\n', encoding="utf-8")
    cfg, _ = load_config(cfg_file)
    assert settings_for(cfg).thresholds.version == "team"
    cfg_file.write_text('thresholds = "conf/missing.json"\n', encoding="utf-8")
    cfg, _ = load_config(cfg_file)
    with pytest.raises(CiError, match="missing.json"):
        settings_for(cfg)


@pytest.mark.e2e
def test_tune_own_labelled_set_then_use_the_file(tmp_path, monkeypatch):
    """A user's own labelled claims: tune on their dev split into a file, then evaluate and check with a
    thresholds file. Real encoder, rule judge, real index."""
    from typer.testing import CliRunner

    from verify.cli.main import app
    from verify.datasets.splits import split_of
    from verify.eval import tune

    monkeypatch.setenv("VERIFY_CACHE", str(tmp_path / "cache"))
    names = ["Fluidstack", "Nebius", "Lambda", "Vultr", "Crusoe", "Hetzner", "Scaleway", "Genesis", "Voltage",
             "Ionos", "Paperspace", "Coreweave", "Together", "Runpod", "Datacrunch", "Northern", "Taiga", "Denvr",
             "Hyperstack", "Sesterce"]
    rows = []
    for i, name in enumerate(names):
        year = 2000 + i
        rows.append({"id": str(i), "claim": f"{name} was founded in {year + (i % 2)}.",
                     "label": "REFUTES" if i % 2 else "SUPPORTS",
                     "evidence": [f"{name} was founded in {year} by two engineers."]})
    data = tmp_path / "own.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert any(split_of(f"own:{i}") == "dev" for i in range(len(rows)))
    out = tmp_path / "mine.json"
    assert tune.main(["--sets", "fever-jsonl", "--data", str(data), "--judge", "rules", "--no-guards",
                      "--rounds", "1", "--out", str(out)]) == 0
    th = load_thresholds(out)
    assert th.version.startswith("1-dev-") and (tmp_path / "mine.json.dev.json").exists()
    # --start and --hold: the held threshold keeps its value and is left out of the search.
    held = tmp_path / "held.json"
    assert tune.main(["--sets", "fever-jsonl", "--data", str(data), "--judge", "rules", "--no-guards",
                      "--rounds", "1", "--start", str(out), "--hold", "min_retrieval=0.45", "--out", str(held)]) == 0
    report = json.loads((tmp_path / "held.json.dev.json").read_text(encoding="utf-8"))
    assert load_thresholds(held).min_retrieval == 0.45 and report["settings"]["held"] == {"min_retrieval": 0.45}
    assert report["settings"]["start"] == str(out)
    assert all(t["thresholds"]["min_retrieval"] == 0.45 for t in report["trace"])
    # --relevance: the floor's rule is held fixed and recorded in the file it writes.
    maxed = tmp_path / "max.json"
    assert tune.main(["--sets", "fever-jsonl", "--data", str(data), "--judge", "rules", "--no-guards",
                      "--rounds", "1", "--start", str(out), "--relevance", "max", "--out", str(maxed)]) == 0
    assert load_thresholds(maxed).relevance == "max" and th.relevance == "fused"
    assert all(t["thresholds"]["relevance"] == "max"
               for t in json.loads((tmp_path / "max.json.dev.json").read_text(encoding="utf-8"))["trace"])
    r = CliRunner().invoke(app, ["eval", "fever-jsonl", "--data", str(data), "--split", "test", "--judge", "rules",
                                 "--thresholds", str(out), "--format", "json"])
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    assert res["thresholds"]["version"] == th.version and res["n"] > 0

    # The same check with the shipped thresholds and with a file that demands certainty: the file decides.
    art = tmp_path / "a.txt"
    art.write_text("Fluidstack was founded in 2013.\n", encoding="utf-8")
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "about.md").write_text("---\ntitle: About\n---\nFluidstack was founded in 2017 in "
                                                    "London.\n", encoding="utf-8")
    strict = tmp_path / "strict.json"
    # rule_weight too: the shipped 1.1 lifts the rule judge's certain year mismatch above any threshold.
    strict.write_text('{"version": "strict", "entail": 1.0, "contradict": 1.0, "rule_weight": 0.9}',
                      encoding="utf-8")
    base = ["check", str(art), "--lines", "--evidence", str(tmp_path / "evidence"), "--judge", "rules",
            "--format", "json"]
    labels = []
    for extra in ([], ["--thresholds", str(strict)]):
        r = CliRunner().invoke(app, [*base, *extra])
        assert r.exit_code == 0, r.output
        labels.append(json.loads(r.stdout)["verdicts"][0]["label"])
    assert labels == ["contradicted", "unknown"]


@pytest.mark.e2e
def test_open_question_source_gives_unknown_with_the_real_models(tmp_path, monkeypatch):
    """`verify check` with the shipped judges (rules + the NLI judge) on a source that says the question is
    open: the verdict is unknown, and the reason quotes the phrase; without the rule it is not."""
    from typer.testing import CliRunner

    from verify.cli.main import app

    monkeypatch.setenv("VERIFY_CACHE", str(tmp_path / "cache"))
    ev = tmp_path / "evidence"
    ev.mkdir()
    (ev / "vitamin.md").write_text(
        "---\ntitle: Vitamin D und Grippe\npublisher: Medizin-Check\n---\n"
        "Ob Vitamin D vor Grippe schützt, ist unklar: Die Studienlage ist unzureichend.\n", encoding="utf-8")
    art = tmp_path / "a.txt"
    art.write_text("Vitamin D schützt vor Grippe.\n", encoding="utf-8")
    off = tmp_path / "off.json"
    off.write_text('{"version": "no-open-question", "open_question": false, "entail": 0.0}', encoding="utf-8")
    base = ["check", str(art), "--lines", "--evidence", str(ev), "--format", "json"]
    r = CliRunner().invoke(app, base)
    assert r.exit_code == 0, r.output
    v = json.loads(r.stdout)["verdicts"][0]
    assert v["label"] == "unknown" and v["unknown_reason"] == "insufficient evidence"
    assert "says the question is open" in v["reason"] and "unklar" in v["reason"]
    r = CliRunner().invoke(app, [*base, "--thresholds", str(off)])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["verdicts"][0]["label"] != "unknown"


@pytest.mark.parametrize("hold", ["nonsense", "min_retrieval=", "min_retrieval=high", "dense_weight=0.5"])
def test_tune_refuses_a_bad_hold(hold, capsys):
    from verify.eval import tune

    with pytest.raises(SystemExit) as exc:
        tune.main(["--hold", hold])
    assert exc.value.code == 2 and "--hold" in capsys.readouterr().err


def test_the_learned_verdict_decides_only_in_large_corpora():
    from verify.config import Thresholds

    th = Thresholds(verdict_model={"version": "x"}, verdict_model_min_passages=1000, small_corpus_passages=20)
    assert th.for_corpus(5000).verdict_model == {"version": "x"}
    assert th.for_corpus(32).verdict_model is None and th.for_corpus(32).relevance == th.relevance
    assert th.for_corpus(10).verdict_model is None and th.for_corpus(10).relevance == "max"


def test_the_cache_folder_follows_the_platform_and_verify_cache(monkeypatch, tmp_path):
    from verify.config import cache_dir

    monkeypatch.delenv("VERIFY_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "verify"
    monkeypatch.setenv("VERIFY_CACHE", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"
