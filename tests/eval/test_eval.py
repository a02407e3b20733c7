"""Evaluation: metrics (with property tests), benchmark loaders and splits, re-aggregation, the CLI, and a
regression floor on a fixed benchmark sample with the real models (eval/expected.json)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.eval import metrics

from ..conftest import ROOT

EXPECTED = json.loads((ROOT / "eval" / "expected.json").read_text(encoding="utf-8"))


def _bench_dir() -> Path:
    from verify.datasets.splits import benchmarks_dir

    return benchmarks_dir()


needs_benchmarks = pytest.mark.skipif(
    not (_bench_dir() / "climate-fever" / "climate-fever.jsonl").exists(), reason="../shared/benchmarks not present"
)


def _nli_data_dir() -> Path:
    from verify.datasets.nli import nli_data_dir

    return nli_data_dir()


needs_nli_data = pytest.mark.skipif(
    not (_nli_data_dir() / "mnli-dev-en" / "mnli_dev_matched_mismatched.tsv").exists(),
    reason="../shared/nli-data not present",
)

# --------------------------------------------------------------------------- metrics


def test_classification_by_hand():
    gold = ["supported", "supported", "contradicted", "unknown", "unknown"]
    pred = ["supported", "unknown", "contradicted", "unknown", "supported"]
    r = metrics.classification(gold, pred)
    assert r["n"] == 5 and r["accuracy"] == 0.6
    sup = r["per_class"]["supported"]
    assert (sup["precision"], sup["recall"], sup["f1"]) == (0.5, 0.5, 0.5)
    assert r["per_class"]["contradicted"]["f1"] == 1.0
    assert r["per_class"]["unknown"]["f1"] == 0.5
    assert r["macro_f1"] == pytest.approx((0.5 + 1.0 + 0.5) / 3, abs=1e-4)
    assert r["confusion"]["supported"] == {"supported": 1, "contradicted": 0, "unknown": 1}


def test_macro_f1_averages_gold_classes_only():
    # COVID-Fact is 2-way: "unknown" predictions are wrong, but unknown is no class of its own there.
    r = metrics.classification(["supported", "contradicted"], ["supported", "unknown"])
    assert r["macro_f1"] == pytest.approx((1.0 + 0.0) / 2)
    assert "unknown" not in r["confusion"]


def test_classification_rejects_length_mismatch():
    with pytest.raises(ValueError):
        metrics.classification(["supported"], [])


def test_recall_at_k_by_hand():
    retrieved = [["a", "b", "c"], ["x", "y", "z"], ["q"]]
    gold = [{"b"}, {"z", "w"}, set()]
    r = metrics.recall_at_k(retrieved, gold, (1, 2, 3))
    assert r["n"] == 2  # the claim without gold evidence is left out
    assert r["recall_at_1"] == 0.0 and r["recall_at_2"] == 0.5 and r["recall_at_3"] == 1.0
    assert r["evidence_recall_at_3"] == pytest.approx((1 + 0.5) / 2)


def test_reliability_perfect_and_overconfident():
    assert metrics.reliability([1.0, 1.0], [True, True])["ece"] == 0.0
    r = metrics.reliability([0.95] * 10, [True] * 5 + [False] * 5)
    assert r["ece"] == pytest.approx(0.45)
    assert sum(b["n"] for b in r["bins"]) == 10 and len(r["bins"]) == 10


labels = st.sampled_from(["supported", "contradicted", "unknown"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(labels, labels), min_size=1, max_size=60))
def test_classification_properties(pairs):
    gold, pred = [g for g, _ in pairs], [p for _, p in pairs]
    r = metrics.classification(gold, pred)
    assert 0.0 <= r["accuracy"] <= 1.0 and 0.0 <= r["macro_f1"] <= 1.0
    assert sum(sum(row.values()) for row in r["confusion"].values()) == len(pairs)
    assert sum(r["confusion"][g][g] for g in r["confusion"]) == round(r["accuracy"] * len(pairs))
    if gold == pred:
        assert r["accuracy"] == 1.0 and r["macro_f1"] == 1.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=80))
def test_reliability_properties(rows):
    conf, ok = [c for c, _ in rows], [b for _, b in rows]
    r = metrics.reliability(conf, ok)
    assert 0.0 <= r["ece"] <= 1.0
    assert sum(b["n"] for b in r["bins"]) == len(rows)
    # ECE never exceeds the mean absolute gap of the individual predictions
    assert r["ece"] <= sum(abs(c - b) for c, b in rows) / len(rows) + 1e-3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.lists(st.integers(0, 9), max_size=10, unique=True),
                          st.sets(st.integers(0, 9), max_size=3)), min_size=1, max_size=30))
def test_recall_is_monotone_in_k(rows):
    r = metrics.recall_at_k([x for x, _ in rows], [g for _, g in rows], (1, 5, 10))
    if r["n"]:
        assert r["recall_at_1"] <= r["recall_at_5"] <= r["recall_at_10"] <= 1.0
        assert r["evidence_recall_at_10"] <= r["recall_at_10"]


def test_breakdown_per_language():
    r = metrics.breakdown(["supported", "unknown", "supported"], ["supported", "supported", "supported"], ["de", "de", "en"])
    assert r["de"]["n"] == 2 and r["de"]["accuracy"] == 0.5 and r["en"]["accuracy"] == 1.0


# --------------------------------------------------------------------------- loaders and splits


@needs_benchmarks
def test_climate_fever_loader():
    from verify.datasets.benchmarks import climate_fever

    b = climate_fever()
    assert len(b.claims) == 1535
    counts = {g: sum(1 for c in b.claims if c.gold == g) for g in ("supported", "contradicted", "unknown", "disputed")}
    assert counts == {"supported": 654, "contradicted": 253, "unknown": 474, "disputed": 154}
    corpus = {d.id for d in b.corpora["climate-fever"]}
    assert len(corpus) == 5240
    for c in b.claims:
        assert set(c.gold_evidence) <= corpus
        assert bool(c.gold_evidence) == (c.gold != "unknown")


@needs_benchmarks
def test_covid_fact_split_by_source_group():
    from verify.datasets.benchmarks import covid_fact

    b = covid_fact()
    assert len(b.claims) == 4086 and len(b.corpora["covid-fact"]) == 3219
    split_of_group: dict[str, set[str]] = {}
    for c in b.claims:
        split_of_group.setdefault(c.group, set()).add(c.split)
    assert all(len(s) == 1 for s in split_of_group.values())  # no claim family straddles dev/test
    dev, test = b.select("dev"), b.select("test")
    assert len(dev) + len(test) == 4086 and 0.2 < len(dev) / 4086 < 0.4
    assert {c.id for c in dev}.isdisjoint({c.id for c in test})


@needs_benchmarks
def test_healthfc_loader_keeps_languages_apart():
    from verify.datasets.benchmarks import healthfc

    b = healthfc()
    assert len(b.claims) == 1500
    de = [c for c in b.claims if c.language == "de"]
    assert len(de) == 750 and all(c.corpus == "healthfc-de" for c in de)
    ids = {lg: {d.id for d in b.corpora[f"healthfc-{lg}"]} for lg in ("de", "en")}
    assert 2000 < len(ids["de"]) < 3000 and ids["de"].isdisjoint(ids["en"])
    for c in b.claims:
        assert c.gold_evidence and set(c.gold_evidence) <= ids[c.language]
    # only the top-sentence columns reach the corpus (never the explanation or verdict columns)
    import csv

    with open(_bench_dir() / "healthfc" / "Datensatz.csv", newline="", encoding="utf-8-sig") as f:
        top = "\n".join(" ".join((r["de_top_sentences"] or "").split()) for r in csv.DictReader(f))
    assert all(d.text in top for d in b.corpora["healthfc-de"])


@needs_benchmarks
def test_splits_agree_with_the_judge_view():
    """Claim-level and gold-evidence (nli_sets) views hold out the same COVID-Fact claims."""
    from verify.datasets.benchmarks import covid_fact
    from verify.eval import gold as nli_sets

    test_claims = {c.text for c in covid_fact().select("test")}
    judge_test = {" ".join(h.split()) for _, h, _ in nli_sets.load("covid-fact", "test")}
    assert judge_test == test_claims


def test_select_limit_is_fixed_and_nested(tmp_path):
    from verify.datasets.benchmarks import BenchClaim, Benchmark

    claims = [BenchClaim(id=f"c{i}", text=f"claim {i}", language="en", gold="supported", gold_evidence=(),
                         group=f"g{i}", corpus="x") for i in range(200)]
    b = Benchmark("toy", claims, {"x": []})
    a10, a20 = b.select(None, 10), b.select(None, 20)
    assert [c.id for c in a10] == [c.id for c in b.select(None, 10)]
    assert {c.id for c in a10} <= {c.id for c in a20}
    assert {c.split for c in b.select(None)} == {"dev", "test"}


def test_fever_jsonl_loader_and_corpus(tmp_path, monkeypatch):
    monkeypatch.setenv("VERIFY_CACHE", str(tmp_path / "cache"))
    from verify.datasets.benchmarks import DataError, fever_jsonl

    data = tmp_path / "mine.jsonl"
    data.write_text(
        json.dumps({"id": "1", "claim": "Fluidstack was founded in 2017.", "label": "SUPPORTS",
                    "evidence": ["Fluidstack was founded in 2017 in London."]}) + "\n"
        + json.dumps({"id": "2", "claim": "Fluidstack wurde 2019 gegründet.", "label": "REFUTES", "language": "de",
                      "evidence": [{"id": "e1", "text": "Fluidstack was founded in 2017.", "title": "About"}]}) + "\n"
        + json.dumps({"id": "3", "claim": "Fluidstack has 900 staff.", "label": "NOT ENOUGH INFO"}) + "\n",
        encoding="utf-8")
    b = fever_jsonl(data)
    assert [c.gold for c in b.claims] == ["supported", "contradicted", "unknown"]
    assert b.claims[1].language == "de" and b.claims[1].gold_evidence == ("e1",)
    (folder,) = b.corpus_folders("mine")
    file = folder / "mine.jsonl"
    lines = [json.loads(x) for x in file.read_text(encoding="utf-8").splitlines()]
    assert {x["id"] for x in lines} == {"e1", b.claims[0].gold_evidence[0]}
    mtime = file.stat().st_mtime_ns
    assert b.corpus_folders("mine") == (folder,) and file.stat().st_mtime_ns == mtime  # written once

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"claim": "x", "label": "maybe"}\n', encoding="utf-8")
    with pytest.raises(DataError):
        fever_jsonl(bad)
    with pytest.raises(DataError):
        fever_jsonl(tmp_path / "missing.jsonl")


def test_fever_jsonl_against_an_evidence_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("VERIFY_CACHE", str(tmp_path / "cache"))
    from verify.datasets.benchmarks import DataError, fever_jsonl, load_benchmark

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("---\nid: acme-profile\ntitle: Acme\n---\nAcme was founded in 2017.\n", encoding="utf-8")
    data = tmp_path / "mine.jsonl"
    data.write_text(
        json.dumps({"id": "1", "claim": "Acme was founded in 2017.", "label": "supported",
                    "evidence_docs": ["acme-profile"]}) + "\n"
        + json.dumps({"id": "2", "claim": "Acme has 900 staff.", "label": "unknown"}) + "\n", encoding="utf-8")
    b = fever_jsonl(data, (notes,))
    assert b.corpus_folders("mine") == (notes,) and b.corpora == {}  # the user's folder, not pooled sentences
    assert [c.gold_evidence for c in b.claims] == [("acme-profile",), ()]

    typo = tmp_path / "typo.jsonl"
    typo.write_text(data.read_text(encoding="utf-8").replace('"acme-profile"', '"acme-profil"'), encoding="utf-8")
    with pytest.raises(DataError, match=r"typo.jsonl:1: no document 'acme-profil' in"):
        fever_jsonl(typo, (notes,))
    texts = tmp_path / "texts.jsonl"
    texts.write_text(json.dumps({"claim": "x", "label": "unknown", "evidence": ["y"]}) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"texts.jsonl:1: with --evidence"):
        fever_jsonl(texts, (notes,))
    with pytest.raises(DataError, match=r"mine.jsonl:1: 'evidence_docs' names documents"):
        fever_jsonl(data)  # ids without the folder they name
    with pytest.raises(DataError, match="no such evidence folder"):
        fever_jsonl(data, (tmp_path / "nowhere",))
    with pytest.raises(DataError, match="--evidence is for fever-jsonl"):
        load_benchmark("climate-fever", None, (notes,))
    empty = tmp_path / "empty.jsonl"
    empty.write_text(json.dumps({"claim": "x", "label": "unknown", "evidence_docs": ""}) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="empty.jsonl:1: 'evidence_docs' must be a list"):
        fever_jsonl(empty, (notes,))
    (notes / "b.md").write_text("---\nid: acme-profile\n---\nAcme makes anvils.\n", encoding="utf-8")
    with pytest.raises(DataError, match="mine.jsonl:1: document id 'acme-profile' is used by more than one file"):
        fever_jsonl(data, (notes,))  # which of the two would be gold is not for the loader to guess


def test_a_relabelled_line_reuses_its_judgements_under_the_new_label(tmp_path):
    from verify.datasets.benchmarks import BenchClaim
    from verify.eval.harness import _current_gold

    rec = _record("supported", {"entailment": 0.9, "neutral": 0.05, "contradiction": 0.05})
    claim = BenchClaim(id="c", text="Acme was founded in 2017.", language="en", gold="contradicted",
                       gold_evidence=("d2",), group="c", corpus="x")
    (fresh,) = _current_gold([rec], [claim])
    assert (fresh.gold, fresh.gold_evidence) == ("contradicted", ["d2"]) and fresh.judgements == rec.judgements


@pytest.mark.e2e
def test_owned_set_floor_against_the_shipped_evidence():
    """The project's own labelled claims (eval/owned/seed-topic.jsonl) against ./evidence, full pipeline with
    the shipped models, stay above their floor. Unlike the benchmark floor this needs nothing outside the
    repository, so CI always runs it."""
    from verify.config import Settings
    from verify.datasets.benchmarks import load_benchmark
    from verify.eval.harness import evaluate
    from verify.judging.nli import nli_shipped

    floor = EXPECTED["owned_floor"]
    config = "rules+nli" if nli_shipped() else "rules"
    bench = load_benchmark("fever-jsonl", ROOT / floor["data"], (ROOT / "evidence",))
    res = evaluate(bench, Settings(), split="all", save=False)
    assert res["n"] == floor["n"]
    for metric, minimum in floor["floor"][config].items():
        assert res[metric] >= minimum, f"{metric} {res[metric]} fell below the floor {minimum} ({config})"


@pytest.mark.e2e
def test_owned_articles_floor_each_against_its_own_notes():
    """The held-out owned articles (eval/owned-articles: 12 articles, each with its own notes folder), full
    pipeline with the shipped models: accuracy, and the share of altered claims caught, stay above their floor,
    and true claims contradicted stay under their ceiling (eval/expected.json, articles_floor)."""
    from verify.config import Settings
    from verify.datasets.benchmarks import load_benchmark
    from verify.eval.harness import evaluate

    floor = EXPECTED["articles_floor"]
    bench = load_benchmark("articles", ROOT / floor["data"])
    res = evaluate(bench, Settings(), split="all", save=False)
    assert res["n"] == floor["n"]
    assert res["accuracy"] >= floor["floor"]["accuracy"], res["accuracy"]
    assert res["per_class"]["contradicted"]["recall"] >= floor["floor"]["altered_caught"]
    assert res["trust"]["true_as_contradicted"] <= floor["ceiling"]["true_as_contradicted"]


# --------------------------------------------------------------------------- re-aggregation and error causes


def _record(gold: str, judgement: dict, score: float = 0.8, gold_doc: str = "d1", doc: str = "d1"):
    from verify.eval.records import Record
    from verify.models import Claim, Hit, Judgement, Passage

    claim = Claim(id="c", text="Acme was founded in 2017.", sentence="Acme was founded in 2017.", start=0, end=25)
    p = Passage(id=f"{doc}#0", doc_id=doc, text="Acme was founded in 2017.", start=0, end=25)
    hit = Hit(passage=p, score=score, dense=0.6, lexical=0.5)
    return Record(id="c", gold=gold, language="en", gold_evidence=[gold_doc], claim=claim, retrieved=[doc], hits=[hit],
                  judgements={p.id: [Judgement(passage_id=p.id, judge="nli", **judgement)]}, dense_weight=0.7,
                  encoder_id="usem3")


def test_reaggregate_follows_thresholds():
    from verify.config import Thresholds
    from verify.eval.reaggregate import reaggregate

    rec = _record("supported", {"entailment": 0.7, "neutral": 0.2, "contradiction": 0.1})
    assert reaggregate([rec], Thresholds(entail=0.6, min_retrieval=0.3), 5)[0].pred == "supported"
    assert reaggregate([rec], Thresholds(entail=0.8, min_retrieval=0.3), 5)[0].pred == "unknown"


def test_error_causes():
    from verify.eval.scoring import error_cause

    miss = _record("supported", {"entailment": 0.1, "neutral": 0.8, "contradiction": 0.1}, doc="d2")
    miss.pred = "unknown"
    assert error_cause(miss, 5) == "retrieval"
    judge = _record("supported", {"entailment": 0.1, "neutral": 0.8, "contradiction": 0.1})
    judge.pred = "unknown"
    assert error_cause(judge, 5) == "judge"
    agg = _record("supported", {"entailment": 0.5, "neutral": 0.4, "contradiction": 0.1})
    agg.pred = "unknown"
    assert error_cause(agg, 5) == "aggregation"
    ok = _record("supported", {"entailment": 0.9, "neutral": 0.05, "contradiction": 0.05})
    ok.pred = "supported"
    assert error_cause(ok, 5) is None


def test_summarise_keeps_disputed_apart():
    from verify.eval.scoring import summarise

    a = _record("supported", {"entailment": 0.9, "neutral": 0.05, "contradiction": 0.05})
    a.pred, a.confidence = "supported", 0.9
    d = _record("disputed", {"entailment": 0.9, "neutral": 0.05, "contradiction": 0.05})
    d.pred, d.confidence = "supported", 0.9
    s = summarise([a, d], 5)
    assert s["n"] == 1 and s["accuracy"] == 1.0 and s["recall_at_5"] == 1.0
    assert s["disputed"] == {"n": 1, "predicted": {"supported": 1}, "unknown_reasons": {}, "recall_at_5": 1.0}


def test_summarise_scores_a_two_way_set_in_its_own_labels():
    from verify.cli.eval import _markdown
    from verify.eval.scoring import summarise

    recs = []
    for gold, pred in [("supported", "supported"), ("contradicted", "unknown"), ("contradicted", "contradicted"),
                       ("contradicted", "supported")]:
        r = _record(gold, {"entailment": 0.9, "neutral": 0.05, "contradiction": 0.05})
        r.pred, r.confidence = pred, 0.6
        recs.append(r)
    s = summarise(recs, 5)
    assert s["accuracy"] == 0.5  # 3-way: the unknown verdict is wrong
    assert s["two_way"]["accuracy"] == 0.75 and s["two_way"]["majority_baseline"] == 0.75
    assert "two_way" not in summarise(recs + [_record("unknown", {"entailment": 0.1, "neutral": 0.8,
                                                                  "contradiction": 0.1})], 5)
    s.update(benchmark="covid-fact", split="test", limit=None, seconds_per_claim=0.1, encoder="usem3",
             judges=["nli"], top_k=5, thresholds={"version": "t"})
    assert "own two labels (supported vs not supported; unknown counts as refuted): accuracy 0.750" in _markdown(s)


def test_coordinate_search_never_gets_worse():
    from verify.config import Thresholds
    from verify.eval.tune import coordinate_search, objective_of, score_views

    recs = [_record("supported", {"entailment": e, "neutral": 1 - e, "contradiction": 0.0}) for e in (0.5, 0.6, 0.7)]
    recs += [_record("unknown", {"entailment": e, "neutral": 1 - e, "contradiction": 0.0}) for e in (0.3, 0.4)]
    start = Thresholds(entail=0.9, min_retrieval=0.3)
    views = {"toy": recs}
    best, score, trace = coordinate_search(views, start, 5, grid={"entail": [0.35, 0.45, 0.55, 0.65]})
    assert score >= objective_of(score_views(views, start, 5), "macro_f1")
    assert best.entail == 0.45 and score == 1.0
    # a guard (the seed fixtures' verdicts in real use) vetoes candidates, even better-scoring ones
    guarded, _, _ = coordinate_search(views, start, 5, grid={"entail": [0.35, 0.45, 0.55, 0.65]},
                                      accept=lambda th: th.entail >= 0.55)
    assert guarded.entail == 0.55
    # a start that breaks the guard is left for the first candidate that keeps it
    rescued, _, trace = coordinate_search(views, Thresholds(entail=0.3, min_retrieval=0.3), 5,
                                          grid={"entail": [0.65, 0.75]}, accept=lambda th: th.entail >= 0.6)
    assert rescued.entail >= 0.6 and trace[-1]["guards_hold"]


def test_extend_run_adds_judges_and_resumes_from_partial(tmp_path, fake_judge):
    from verify.config import Settings, Thresholds
    from verify.eval.harness import extend_run
    from verify.eval.records import Run
    from verify.models import JudgeKind

    def rules_only(i):
        r = _record("supported", {"entailment": 0.0, "neutral": 1.0, "contradiction": 0.0})
        r.id = f"c{i}"
        r.judgements = {k: [j.model_copy(update={"judge": "rules", "kind": JudgeKind.VALUES}) for j in v]
                        for k, v in r.judgements.items()}
        return r

    base = Run({"judges": ["rules"], "pipeline_seconds": 1.0, "n": 5}, [rules_only(i) for i in range(5)])
    settings = Settings(thresholds=Thresholds(entail=0.5, min_retrieval=0.3))
    partial = tmp_path / "run.partial.jsonl"
    first = extend_run(Run(base.header, base.records[:2]), settings, ["nli"], batch=1, partial=partial,
                       judges=[fake_judge])
    assert [r.pred for r in first.records] == ["supported", "supported"]  # the fake judge entails
    calls = []

    class Counting:
        name = "nli"

        def judge(self, pairs):
            calls.append(len(pairs))
            return fake_judge.judge(pairs)

    run = extend_run(base, settings, ["nli"], batch=2, partial=partial, judges=[Counting()])
    assert [r.id for r in run.records] == [f"c{i}" for i in range(5)]
    assert sum(calls) == 3  # the two claims in the partial file were not judged again
    assert all({j.judge for js in r.judgements.values() for j in js} == {"rules", "nli"} for r in run.records)
    assert run.header["judges"] == ["rules", "nli"] and run.header["pipeline_seconds"] >= 1.0


# --------------------------------------------------------------------------- CLI


def test_cli_unknown_name_and_unreadable_data_exit_2(tmp_path):
    from typer.testing import CliRunner

    from verify.cli.main import app

    runner = CliRunner()
    r = runner.invoke(app, ["eval", "no-such-set"])
    assert r.exit_code == 2, r.output
    r = runner.invoke(app, ["eval", "fever-jsonl"])
    assert r.exit_code == 2
    r = runner.invoke(app, ["eval", "fever-jsonl", "--data", str(tmp_path / "missing.jsonl")])
    assert r.exit_code == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    r = runner.invoke(app, ["eval", "fever-jsonl", "--data", str(bad)])
    assert r.exit_code == 2
    r = runner.invoke(app, ["eval", "xnli-de"])  # judge-only set without --gold-evidence
    assert r.exit_code == 2
    r = runner.invoke(app, ["eval", "no-such-set", "--gold-evidence"])
    assert r.exit_code == 2
    typo = tmp_path / "typo.jsonl"
    typo.write_text('{"claim": "x", "label": "unknown", "evidence_docs": ["no-such-note"]}\n', encoding="utf-8")
    r = runner.invoke(app, ["eval", "fever-jsonl", "--data", str(typo), "--evidence", str(ROOT / "evidence")])
    assert r.exit_code == 2 and "typo.jsonl:1: no document 'no-such-note'" in r.output
    r = runner.invoke(app, ["eval", "covid-fact", "--evidence", str(ROOT / "evidence")])
    assert r.exit_code == 2 and "--evidence is for fever-jsonl" in r.output
    r = runner.invoke(app, ["eval", "xnli-de", "--gold-evidence", "--evidence", str(ROOT / "evidence")])
    assert r.exit_code == 2


@pytest.mark.e2e
def test_cli_fever_jsonl_json_output(tmp_path, monkeypatch):
    """A user's own labelled set, end to end with the real encoder and the rule judge."""
    from typer.testing import CliRunner

    from verify.cli.main import app

    monkeypatch.setenv("VERIFY_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "own.jsonl"
    rows = [
        {"id": "1", "claim": "Fluidstack was founded in 2017.", "label": "SUPPORTS",
         "evidence": ["Fluidstack was founded in 2017 in London by two Oxford students."]},
        {"id": "2", "claim": "Fluidstack was founded in 2019.", "label": "REFUTES",
         "evidence": ["Fluidstack was founded in 2017 in London by two Oxford students."]},
        {"id": "3", "claim": "Anthropic invests 50 billion dollars in data centres in Texas and New York.",
         "label": "SUPPORTS",
         "evidence": ["Anthropic will invest $50 billion in American computing infrastructure, building data "
                      "centers in Texas and New York."]},
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["eval", "fever-jsonl", "--data", str(data), "--split", "all", "--judge", "rules",
                                 "--format", "json"])
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    for key in ("n", "accuracy", "macro_f1", "recall_at_5", "seconds_per_claim"):
        assert key in res
    assert res["n"] == 3 and res["recall_at_5"] == 1.0
    assert res["per_class"]["contradicted"]["recall"] == 1.0  # the year swap is caught by the rules


@pytest.mark.e2e
def test_cli_fever_jsonl_against_an_evidence_folder_with_the_real_models(tmp_path, monkeypatch):
    """`verify eval fever-jsonl --evidence DIR`, end to end: the real encoder, both judges, the shipped notes;
    the predictions file is written, and gold evidence named by document id scores retrieval."""
    from typer.testing import CliRunner

    from verify.cli.main import app

    monkeypatch.setenv("VERIFY_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "mine.jsonl"
    rows = [
        {"id": "1", "claim": "Amazon hat insgesamt 8 Milliarden Dollar in Anthropic investiert.", "label": "supported",
         "evidence_docs": ["amazon-anthropic-stake"]},
        {"id": "2", "claim": "Anthropic will invest $80 billion in computing infrastructure in the United States.",
         "label": "contradicted", "evidence_docs": ["anthropic-us-infrastructure-announcement"]},
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    preds = tmp_path / "p.jsonl"
    r = CliRunner().invoke(app, ["eval", "fever-jsonl", "--data", str(data), "--evidence", str(ROOT / "evidence"),
                                 "--split", "all", "--format", "json", "--predictions", str(preds)])
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    assert res["n"] == 2 and res["recall_at_5"] == 1.0 and res["judges"] == ["rules", "nli"]
    lines = [json.loads(x) for x in preds.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["format"] == "verify-predictions-1"
    by_id = {x["id"]: x["pred"] for x in lines[1:]}
    # The altered amount: a bound elsewhere ("bis zu 500 Milliarden") no longer confirms it.
    assert by_id["mine:2"] == "contradicted"


# --------------------------------------------------------------------------- regression floor


@pytest.mark.e2e
@needs_benchmarks
def test_regression_floor():
    """The fixed sample of eval/expected.json, full pipeline with the shipped models, stays above its floor."""
    from verify.config import Settings
    from verify.datasets.benchmarks import load_benchmark
    from verify.eval.harness import evaluate
    from verify.judging.nli import nli_shipped

    floor = EXPECTED["regression_floor"]
    config = "rules+nli" if nli_shipped() else "rules"
    bench = load_benchmark(floor["benchmark"])
    res = evaluate(bench, Settings(), split=floor["split"], limit=floor["limit"], save=False)
    assert res["n"] == floor["limit"]
    for metric, minimum in floor["floor"][config].items():
        assert res[metric] is not None and not math.isnan(res[metric])
        assert res[metric] >= minimum, f"{metric} {res[metric]} fell below the floor {minimum} ({config})"


# --------------------------------------------------------------------------- judge alone, per sentence


class _FakeCrossEncoder:
    """Logits by keyword in the premise: 'yes' entails, 'no' contradicts, anything else neutral."""

    class model:  # noqa: N801 - mimics CrossEncoder.model.config
        class config:  # noqa: N801
            id2label = {0: "entailment", 1: "neutral", 2: "contradiction"}

    def predict(self, pairs, **_):
        import numpy as np

        rows = {"yes": [4.0, 0.0, 0.0], "no": [0.0, 0.0, 4.0]}
        return np.array([rows.get(p.split()[0], [0.0, 4.0, 0.0]) for p, _h in pairs])


def test_per_sentence_takes_the_strongest_non_neutral_sentence():
    from verify.eval.gold import predict_labels, predict_per_sentence

    ce = _FakeCrossEncoder()
    pairs = [("other words\nyes it is", "c1"), ("other\nmore other", "c2"), ("no way\nyes it is", "c3")]
    assert predict_per_sentence(ce, pairs) == ["entailment", "neutral", "entailment"]  # a tie goes to E
    assert predict_labels(ce, [(p.replace("\n", " "), h) for p, h in pairs]) == ["neutral", "neutral", "contradiction"]


@pytest.mark.e2e
@needs_benchmarks
def test_cli_gold_evidence_per_sentence_with_the_shipped_judge():
    from typer.testing import CliRunner

    from verify.cli.main import app

    r = CliRunner().invoke(app, ["eval", "covid-fact", "--gold-evidence", "--per-sentence", "--limit", "12",
                                 "--format", "json"])
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout[r.stdout.index("{"):])
    assert res["n"] == 12 and res["evidence"] == "per sentence (max)" and 0.0 <= res["accuracy"] <= 1.0
    assert set(res["per_class"]) <= {"entailment", "neutral", "contradiction"}


def test_gold_evidence_results_render_as_markdown_and_table():
    """The judge-alone result (nli_sets.evaluate's shape) in both text formats, 2-way reading included."""
    from verify.cli.eval import _markdown, _table
    from verify.eval.gold import metrics

    res = {"set": "covid-fact", "split": "dev", "limit": 4, "pairs_per_second": 10.0,
           **metrics(["entailment", "contradiction", "contradiction", "entailment"],
                     ["entailment", "neutral", "contradiction", "contradiction"])}
    md = _markdown(res)
    assert md.startswith("### covid-fact (judge on gold evidence, dev)")
    assert "| 4 | 0.500 |" in md and "own two labels" in md and "accuracy 0.750" in md
    assert "two-way" in _table(res) and "accuracy=0.500" in _table(res)


@pytest.mark.e2e
@needs_nli_data
def test_cli_gold_evidence_on_the_choice_set_with_the_shipped_judge():
    from typer.testing import CliRunner

    from verify.cli.main import app

    r = CliRunner().invoke(app, ["eval", "mnli-choice-en", "--gold-evidence", "--limit", "40", "--format", "json"])
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout[r.stdout.index("{"):])
    assert res["n"] == 40 and res["split"] == "choice (held apart)" and 0.0 <= res["accuracy"] <= 1.0
    assert set(res["per_class"]) == {"entailment", "neutral", "contradiction"}


def test_saved_runs_are_keyed_by_the_code_that_judged_them(monkeypatch):
    """A rule-judge or retrieval edit must not re-aggregate judgements the old code made (tune reuses runs)."""
    from verify.config import Settings
    from verify.eval import harness

    key = lambda: harness.run_key("x", "dev", [], Settings(), ["rules"], 5)  # noqa: E731
    monkeypatch.setattr(harness, "_source_digest", lambda: "aaaa")
    before = key()
    monkeypatch.setattr(harness, "_source_digest", lambda: "bbbb")
    assert key() != before


# --------------------------------------------------------------------------- AVeriTeC and the fv-data split


def test_averitec_reader_one_passage_per_answer_and_never_the_justification():
    from verify.datasets.benchmarks import CONTRADICTED, DISPUTED, SUPPORTED, UNKNOWN, load_benchmark

    bench = load_benchmark("averitec", ROOT / "tests" / "fixtures" / "averitec" / "mini.json")
    assert [c.gold for c in bench.claims] == [CONTRADICTED, SUPPORTED, UNKNOWN, DISPUTED]
    texts = [d.text for d in bench.corpora["averitec"]]
    assert texts[0] == "Q: When was Fluidstack founded? A: Fluidstack was founded in 2017 in London."
    assert texts[1].startswith("Q: Did Anthropic announce") and texts[1].endswith("Texas and New York.")  # Boolean + why
    assert not any("No answer could be found" in t or "FALSE" in t for t in texts)  # Unanswerable, justification
    assert [len(c.gold_evidence) for c in bench.claims] == [1, 1, 0, 1]
    assert {c.split for c in bench.claims} <= {"dev", "test"}  # a user's file: hashed, --split all reads all


def test_averitec_reader_names_the_problem(tmp_path):
    from verify.datasets.benchmarks import DataError, load_benchmark

    bad = tmp_path / "bad.json"
    bad.write_text('[{"claim": "x", "label": "Supported"},\n {"claim": "y", "label": "True"}]', encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.json: claim 1 needs"):
        load_benchmark("averitec", bad)
    broken = tmp_path / "broken.json"
    broken.write_text('[{"claim": "x",\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"broken.json:2"):
        load_benchmark("averitec", broken)


def test_fv_split_is_fixed_and_groups_never_straddle():
    from verify.datasets import fv

    assert fv.split_of("averitec:claim:x") == fv.split_of("averitec:claim:x")
    shares = [fv.split_of(f"g{i}") == "dev" for i in range(4000)]
    assert 0.17 < sum(shares) / len(shares) < 0.23
    g = fv._Groups()
    g.union("claim:a", "doc:1")
    g.union("claim:b", "doc:1")
    g.union("claim:c", "doc:2")
    assert g.find("claim:a") == g.find("claim:b") != g.find("claim:c")


@pytest.mark.skipif(not (Path(__file__).resolve().parents[3] / "shared" / "fv-data" / "averitec-train-en").exists(),
                    reason="../shared/fv-data not present")
def test_averitec_dev_carve_out_is_disjoint_from_the_judges_training_pairs():
    from verify.datasets import fv
    from verify.datasets.benchmarks import load_benchmark

    bench = load_benchmark("averitec")
    train_claims = {fv.norm_claim(p.claim) for p in fv.training_pairs("train") if p.set == "averitec"}
    dev_claims = {fv.norm_claim(c.text) for c in bench.claims}
    assert len(bench.claims) > 400 and {c.split for c in bench.claims} == {"dev"}
    assert not dev_claims & train_claims
    assert "averitec:averitec-train-1573" not in {c.id for c in bench.claims}


def test_trust_figures_by_hand():
    from verify.eval.scoring import trust

    gold = ["contradicted", "contradicted", "contradicted", "supported", "supported", "unknown"]
    pred = ["supported", "contradicted", "unknown", "supported", "contradicted", "supported"]
    t = trust(gold, pred)
    assert t["false_as_supported"] == round(1 / 3, 4)
    assert t["true_as_contradicted"] == 0.5
    assert t["precision_supported"] == round(1 / 3, 4)
    assert t["precision_contradicted"] == 0.5
    assert trust(["supported"], ["unknown"])["precision_supported"] is None
