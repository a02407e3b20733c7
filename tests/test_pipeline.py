"""Verifier.verify_claims: only relevant passages are judged, and a pair is judged once per process."""

from __future__ import annotations

from verify.claims.extract import claims_from_lines
from verify.models import Judgement
from verify.pipeline import JudgementMemo

from .ci.test_ci import make_verifier
from .conftest import fake_thresholds

CLAIMS = "Acme Robotics was founded in 2011.\nThe weather on Mars is pleasant today.\n"


def test_irrelevant_passages_are_not_judged_and_labels_do_not_change(tmp_path):
    verifier = make_verifier(tmp_path)
    # Every relevant passage judged by both judges: this test is about the relevance floor alone.
    verifier.thresholds = fake_thresholds().model_copy(update={"nli_top_k": 5})
    claims = claims_from_lines(CLAIMS, source="t")
    gated = verifier.verify_claims(claims)
    hits = verifier.retriever.search(claims, verifier.top_k)
    floor = verifier.thresholds.min_retrieval
    relevant = sum(1 for hs in hits for h in hs if h.score >= floor)
    assert relevant < sum(len(hs) for hs in hits), "the fixture must have an irrelevant hit to test the gate"
    assert all(j.pairs == relevant for j in verifier.judges)
    # Judging every passage (floor 0) gives the same labels: an irrelevant passage cannot decide one.
    everything = make_verifier(tmp_path / "b")
    everything.thresholds = fake_thresholds().model_copy(update={"min_retrieval": 0.0, "nli_top_k": 5})
    full = everything.verify_claims(claims)
    assert all(j.pairs == sum(len(hs) for hs in hits) for j in everything.judges)
    assert [v.label for v in gated] == [v.label for v in full]
    assert gated[0].label.value == "contradicted"  # the fixture says 2015


def test_memo_judges_each_pair_once(tmp_path):
    verifier = make_verifier(tmp_path)
    claims = claims_from_lines(CLAIMS, source="t")
    first = verifier.verify_claims(claims)
    asked = [j.pairs for j in verifier.judges]
    second = verifier.verify_claims(claims_from_lines(CLAIMS, source="t"))
    assert [j.pairs for j in verifier.judges] == asked  # nothing judged again
    assert verifier.memo.hits == verifier.memo.misses > 0
    assert [v.model_dump() for v in first] == [v.model_dump() for v in second]
    verifier.memo.clear()
    verifier.verify_claims(claims)
    assert [j.pairs for j in verifier.judges] == [2 * n for n in asked]


def test_memo_drops_least_recently_used():
    memo = JudgementMemo(size=2)
    js = [Judgement(passage_id=str(i), judge="nli") for i in range(3)]
    memo.put(("a",), js[0])
    memo.put(("b",), js[1])
    assert memo.get(("a",)) is js[0]  # a is now the most recent
    memo.put(("c",), js[2])
    assert memo.get(("b",)) is None and memo.get(("a",)) is js[0] and memo.get(("c",)) is js[2]


def test_onnx_prefetch_loads_in_another_thread_and_a_failure_is_raised_by_the_next_call(tmp_path, monkeypatch):
    import threading

    import pytest

    from verify.judging.onnx import ONNXNLIJudge

    threads: list[str] = []
    done = threading.Event()
    real_load = ONNXNLIJudge._load

    def load(self):
        threads.append(threading.current_thread().name)
        try:
            real_load(self)
        finally:
            done.set()

    monkeypatch.setattr(ONNXNLIJudge, "_load", load)
    judge = ONNXNLIJudge(tmp_path / "missing")
    judge.prefetch()  # fails in the background, quietly
    assert done.wait(10)
    assert threads and threads[0] != threading.current_thread().name
    with pytest.raises(FileNotFoundError):
        judge.probabilities(["evidence"], ["claim"])
    assert len(threads) == 2  # the failed load is tried again, in the caller's thread


def test_audit_names_an_unreadable_article_once(tmp_path):
    arts = tmp_path / "arts"
    arts.mkdir()
    (arts / "a.txt").write_text("Acme Robotics was founded in 2015 in Berlin.\n", encoding="utf-8")
    (arts / "bin.txt").write_bytes(b"\x00\x01\x02binary\x00" * 10)
    report = make_verifier(tmp_path).audit([arts])
    assert len(report.verdicts) == 1
    (problem,) = [p for p in report.problems if p.path == str(arts / "bin.txt")]
    assert problem.severity == "error" and problem.message == "binary file, not text"  # the path once, in `path`
