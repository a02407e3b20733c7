"""Bootstrap intervals and the paired comparison of two systems' predictions."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.eval.compare import CompareError, compare, main
from verify.eval.metrics import bootstrap_ci, classification, paired_bootstrap

LABEL = st.sampled_from(["supported", "contradicted", "unknown"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(LABEL, LABEL), min_size=1, max_size=60))
def test_interval_is_ordered_and_within_0_1(pairs):
    gold, pred = zip(*pairs)
    ci = bootstrap_ci(list(gold), list(pred), resamples=200)
    for m in ("accuracy", "macro_f1"):
        lo, hi = ci[m]
        assert 0.0 <= lo <= hi <= 1.0


@settings(max_examples=40, deadline=None)
@given(st.lists(LABEL, min_size=1, max_size=60))
def test_perfect_predictions_have_a_point_interval(gold):
    ci = bootstrap_ci(gold, gold, resamples=100)
    assert ci["accuracy"] == [1.0, 1.0] and ci["macro_f1"] == [1.0, 1.0]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(LABEL, LABEL), min_size=1, max_size=60))
def test_the_same_predictions_twice_differ_by_exactly_nothing(pairs):
    gold, pred = map(list, zip(*pairs))
    res = paired_bootstrap(gold, pred, pred, resamples=100)
    for m in ("accuracy", "macro_f1"):
        assert res[m]["delta"] == 0.0 and res[m]["ci"] == [0.0, 0.0] and res[m]["b_ahead"] == 0.0


def test_the_observed_difference_is_the_full_sample_one():
    gold = ["supported"] * 50 + ["contradicted"] * 50
    a = ["supported"] * 100
    b = gold[:80] + ["unknown"] * 20
    res = paired_bootstrap(gold, a, b, resamples=300)
    assert res["accuracy"]["a"] == classification(gold, a)["accuracy"] == 0.5
    assert res["accuracy"]["b"] == classification(gold, b)["accuracy"] == 0.8
    assert res["macro_f1"]["delta"] == round(classification(gold, b)["macro_f1"] - classification(gold, a)["macro_f1"], 4)
    lo, hi = res["accuracy"]["ci"]
    assert 0.0 < lo <= 0.3 <= hi and res["accuracy"]["b_ahead"] == 1.0


def test_whole_groups_widen_the_interval_when_their_claims_move_together():
    # Ten groups of ten claims, each group entirely right or entirely wrong: the claims are not independent.
    gold = ["supported"] * 100
    pred = [("supported" if (i // 10) % 2 else "contradicted") for i in range(100)]
    groups = [str(i // 10) for i in range(100)]
    by_claim = bootstrap_ci(gold, pred, resamples=500)
    by_group = bootstrap_ci(gold, pred, groups, resamples=500)
    assert by_group["unit"] == "group" and by_claim["unit"] == "claim"
    width = lambda ci: ci["accuracy"][1] - ci["accuracy"][0]  # noqa: E731
    assert width(by_group) > 2 * width(by_claim)


def test_seeded_and_repeatable():
    gold = ["supported", "contradicted", "unknown"] * 20
    pred = ["supported"] * 60
    assert bootstrap_ci(gold, pred, seed=3) == bootstrap_ci(gold, pred, seed=3)


def _write(path, rows, header=True):
    lines = [json.dumps({"format": "verify-predictions-1", "n": len(rows)})] if header else []
    path.write_text("\n".join(lines + [json.dumps(r) for r in rows]) + "\n", encoding="utf-8")
    return path


def test_compare_files(tmp_path, capsys):
    rows = [{"id": str(i), "group": str(i // 2), "gold": "supported" if i % 2 else "contradicted",
             "pred": "supported"} for i in range(40)]
    better = [{**r, "pred": r["gold"]} for r in rows]
    a, b = _write(tmp_path / "a.jsonl", rows), _write(tmp_path / "b.jsonl", better)
    res = compare(a, b, resamples=200)
    assert res["n"] == 40 and res["changed"] == 20 and res["unit"] == "group"
    assert res["accuracy"]["delta"] == 0.5
    assert main([str(a), str(b), "--resamples", "200"]) == 0
    out = capsys.readouterr().out
    assert "| accuracy | 0.5000 | 1.0000 | +0.5000 |" in out
    # One language only (HealthFC's German target): the other language's claims are left out.
    for r in (*rows, *better):
        r["language"] = "de" if int(r["id"]) < 10 else "en"
    a, b = _write(tmp_path / "a.jsonl", rows), _write(tmp_path / "b.jsonl", better)
    assert compare(a, b, resamples=50, language="de")["n"] == 10
    with pytest.raises(CompareError, match="no claims in language 'fr'"):
        compare(a, b, resamples=50, language="fr")


def test_compare_errors_name_the_file_and_line(tmp_path, capsys):
    good = _write(tmp_path / "a.jsonl", [{"id": "1", "gold": "supported", "pred": "supported"}])
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"format": "verify-predictions-1"}) + "\n{\"id\": \"1\", \"gold\": \"supported\"}\n")
    with pytest.raises(CompareError, match=r"bad.jsonl:2: missing pred"):
        compare(good, bad)
    noheader = _write(tmp_path / "c.jsonl", [{"id": "1", "gold": "supported", "pred": "supported"}], header=False)
    with pytest.raises(CompareError, match=r"c.jsonl:1: not a verify-predictions-1 file"):
        compare(good, noheader)
    other = _write(tmp_path / "d.jsonl", [{"id": "2", "gold": "supported", "pred": "supported"}])
    assert main([str(good), str(other)]) == 2
    assert "different claims" in capsys.readouterr().err
    assert main([str(good), str(tmp_path / "missing.jsonl")]) == 2
    assert "missing.jsonl: cannot read" in capsys.readouterr().err


@pytest.mark.e2e
def test_eval_predictions_then_compare_through_the_cli(tmp_path, monkeypatch):
    """A user's labelled claims, the real encoder and index: two thresholds files' predictions compared."""
    from typer.testing import CliRunner

    from verify.cli.main import app

    monkeypatch.setenv("VERIFY_CACHE", str(tmp_path / "cache"))
    names = ["Fluidstack", "Nebius", "Lambda", "Vultr", "Crusoe", "Hetzner", "Scaleway", "Genesis"]
    rows = [{"id": str(i), "claim": f"{n} was founded in {2000 + i + (i % 2)}.",
             "label": "REFUTES" if i % 2 else "SUPPORTS", "evidence": [f"{n} was founded in {2000 + i} in Berlin."]}
            for i, n in enumerate(names)]
    data = tmp_path / "own.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    strict = tmp_path / "strict.json"
    strict.write_text('{"version": "strict", "entail": 1.0, "contradict": 1.0, "rule_weight": 0.9}', encoding="utf-8")
    base = ["eval", "fever-jsonl", "--data", str(data), "--split", "all", "--judge", "rules", "--format", "json"]
    r = CliRunner().invoke(app, [*base, "--predictions", str(tmp_path / "a.jsonl")])
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    assert res["ci"]["unit"] == "group" and res["ci"]["accuracy"][0] <= res["accuracy"] <= res["ci"]["accuracy"][1]
    lines = (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["format"] == "verify-predictions-1" and len(lines) == 1 + len(rows)
    r = CliRunner().invoke(app, [*base, "--reuse-judgements", "--thresholds", str(strict),
                                 "--predictions", str(tmp_path / "b.jsonl")])
    assert r.exit_code == 0, r.output
    res = compare(tmp_path / "a.jsonl", tmp_path / "b.jsonl", resamples=200)
    assert res["n"] == len(rows) and res["accuracy"]["b"] < res["accuracy"]["a"]  # certainty abstains: all unknown
    r = CliRunner().invoke(app, [*base, "--predictions", str(tmp_path)])
    assert r.exit_code == 2 and "cannot write predictions" in r.output


def test_compare_folders_each_set_then_pooled(tmp_path, capsys):
    """Two runs of scripts/baseline_dev.sh: every set compared, then all pooled (same ids in two sets stay apart)."""
    rows = [{"id": str(i), "group": str(i // 2), "gold": "supported" if i % 2 else "contradicted",
             "pred": "supported"} for i in range(20)]
    for run, pred in (("a", lambda r: r["pred"]), ("b", lambda r: r["gold"])):
        (tmp_path / run).mkdir()
        _write(tmp_path / run / "one.pred.jsonl", rows)
        _write(tmp_path / run / "two.pred.jsonl", [{**r, "pred": pred(r)} for r in rows])
    pooled = compare(tmp_path / "a", tmp_path / "b", resamples=100)
    assert pooled["n"] == 40 and pooled["changed"] == 10
    assert main([str(tmp_path / "a"), str(tmp_path / "b"), "--resamples", "100"]) == 0
    out = capsys.readouterr().out
    assert out.count("| accuracy |") == 3 and "one.pred.jsonl" in out and "two.pred.jsonl" in out
    (tmp_path / "b" / "one.pred.jsonl").unlink()
    assert main([str(tmp_path / "a"), str(tmp_path / "b")]) == 2  # a set missing from one run is an error
    assert "one.pred.jsonl" in capsys.readouterr().err


def test_compare_one_file_without_the_language_is_an_error(tmp_path, capsys):
    rows = [{"id": str(i), "gold": "supported", "pred": "supported", "language": "en"} for i in range(4)]
    a, b = _write(tmp_path / "a.jsonl", rows), _write(tmp_path / "b.jsonl", rows)
    assert main([str(a), str(b), "--language", "de"]) == 2
    assert "no claims in language 'de'" in capsys.readouterr().err
