"""Judgements into verdicts: labels, confidence, reasons, unknown reasons and citations."""

from __future__ import annotations

from verify.config import Thresholds
from verify.models import Claim, ClaimKind, Hit, Judgement, Label, Passage, UnknownReason
from verify.verdicts.aggregate import aggregate

TH = Thresholds()


def _hit(i: int, score: float, doc: str | None = None) -> Hit:
    text = f"passage {i}"
    p = Passage(id=f"d{i}#0", doc_id=doc or f"d{i}", text=text, start=0, end=len(text), title=f"T{i}",
                url=f"https://example.org/{i}", publisher="P", published="2024")
    return Hit(passage=p, score=score)


CLAIM = Claim(id="c", text="Acme was founded in 2015.", sentence="", start=0, end=1)


def test_no_hits_is_unknown_no_evidence():
    v = aggregate(CLAIM, [], {}, TH)
    assert v.label is Label.UNKNOWN and v.unknown_reason is UnknownReason.NO_EVIDENCE
    assert "no relevant evidence" in v.reason


def test_entailment_supports_with_citation_first():
    hits = [_hit(1, 0.9), _hit(2, 0.8)]
    j = {"d2#0": [Judgement(passage_id="d2#0", judge="nli", entailment=0.9, neutral=0.05, contradiction=0.05)]}
    v = aggregate(CLAIM, hits, j, TH)
    assert v.label is Label.SUPPORTED and v.citations[0].doc_id == "d2"
    assert v.citations[0].stance is Label.SUPPORTED and 0.5 < v.confidence <= 1.0


def test_rule_mismatch_contradicts_and_names_the_values():
    hits = [_hit(1, 0.8)]
    j = {"d1#0": [Judgement(passage_id="d1#0", judge="rules", contradiction=0.9, neutral=0.1,
                            reason="year differs: 2019 (claim) vs 2015 (evidence)", mismatched=["year 2019"])]}
    v = aggregate(CLAIM, hits, j, TH)
    assert v.label is Label.CONTRADICTED and "2019" in v.reason and "2015" in v.reason


def test_mismatch_cancelled_when_another_passage_confirms_the_value():
    hits = [_hit(1, 0.8), _hit(2, 0.7)]
    j = {
        "d1#0": [Judgement(passage_id="d1#0", judge="rules", contradiction=0.9, neutral=0.1,
                           reason="amount differs: 50 billion USD (claim) vs 183 billion USD (evidence)",
                           mismatched=["amount 50 billion USD"])],
        "d2#0": [Judgement(passage_id="d2#0", judge="rules", entailment=0.6, neutral=0.4,
                           matched=["amount 50 billion USD"])],
    }
    assert aggregate(CLAIM, hits, j, TH).label is not Label.CONTRADICTED


def test_conflicting_evidence_is_unknown_with_reason():
    hits = [_hit(1, 0.8), _hit(2, 0.8)]
    j = {
        "d1#0": [Judgement(passage_id="d1#0", judge="nli", entailment=0.8, neutral=0.1, contradiction=0.1)],
        "d2#0": [Judgement(passage_id="d2#0", judge="nli", entailment=0.1, neutral=0.1, contradiction=0.8)],
    }
    v = aggregate(CLAIM, hits, j, TH)
    assert v.label is Label.UNKNOWN and v.unknown_reason is UnknownReason.CONFLICTING


def test_irrelevant_passage_cannot_decide():
    hits = [_hit(1, 0.05)]
    j = {"d1#0": [Judgement(passage_id="d1#0", judge="nli", entailment=0.95, neutral=0.03, contradiction=0.02)]}
    v = aggregate(CLAIM, hits, j, TH)
    assert v.label is Label.UNKNOWN and v.unknown_reason is UnknownReason.NO_EVIDENCE


def test_one_citation_per_document():
    hits = [_hit(1, 0.9, doc="same"), _hit(2, 0.85, doc="same"), _hit(3, 0.5)]
    v = aggregate(CLAIM, hits, {}, TH)
    assert [c.doc_id for c in v.citations] == ["same", "d3"]


def test_opinion_unknown_is_not_checkworthy():
    claim = CLAIM.model_copy(update={"kind": ClaimKind.OPINION})
    v = aggregate(claim, [_hit(1, 0.5)], {}, TH)
    assert v.unknown_reason is UnknownReason.NOT_CHECKWORTHY


# --------------------------------------------------------------------------- sources that say the question is open


def _hedged_hit(text: str, score: float = 0.8) -> Hit:
    p = Passage(id="h#0", doc_id="h", text=text, start=0, end=len(text), title="Studien", publisher="Medizin")
    return Hit(passage=p, score=score)


def test_insufficiency_phrases_in_german_and_english():
    from verify.verdicts.hedges import insufficiency

    for text in ("Die Studienlage ist unzureichend.", "Ob Vitamin D hilft, ist unklar.",
                 "Dafür gibt es keine aussagekräftigen Studien.", "Das lässt sich derzeit nicht sagen.",
                 "Die Wirkung ist nicht ausreichend untersucht.", "The evidence is insufficient.",
                 "Whether it helps remains unclear.", "There are no reliable studies on this.",
                 "The results were inconclusive."):
        assert insufficiency(text), text
    for text in ("Vitamin D senkt das Risiko deutlich.", "Acme was founded in 2015.",
                 "The trial clearly showed a benefit.", "Studien zeigen einen klaren Nutzen."):
        assert insufficiency(text) is None, text


def test_open_question_in_the_top_passage_makes_an_nli_verdict_unknown():
    hits = [_hedged_hit("Ob Acme 2015 gegründet wurde, ist unklar.")]
    j = {"h#0": [Judgement(passage_id="h#0", judge="nli", entailment=0.9, neutral=0.05, contradiction=0.05)]}
    v = aggregate(CLAIM, hits, j, TH)
    assert v.label is Label.UNKNOWN and v.unknown_reason is UnknownReason.INSUFFICIENT
    assert "the most relevant source says the question is open" in v.reason and "unklar" in v.reason
    assert v.citations and v.citations[0].doc_id == "h"
    off = aggregate(CLAIM, hits, j, TH.model_copy(update={"open_question": False}))
    assert off.label is Label.SUPPORTED


def test_open_question_does_not_override_a_differing_value_or_an_irrelevant_passage():
    hits = [_hedged_hit("Unclear motives aside, Acme was founded in 2019.")]
    j = {"h#0": [Judgement(passage_id="h#0", judge="rules", contradiction=0.9, neutral=0.1,
                           reason="year differs: 2015 (claim) vs 2019 (evidence)", mismatched=["year 2015"])]}
    assert aggregate(CLAIM, hits, j, TH).label is Label.CONTRADICTED
    low = [_hedged_hit("It is unclear.", score=0.1), _hit(2, 0.9)]
    j = {"d2#0": [Judgement(passage_id="d2#0", judge="nli", entailment=0.9, neutral=0.05, contradiction=0.05)]}
    assert aggregate(CLAIM, low, j, TH).label is Label.SUPPORTED  # the open-question passage is not the top one


def test_a_learned_verdict_model_decides_the_label_and_its_probability_is_the_confidence():
    from verify.verdicts.learned import FEATURES, LABELS, VerdictModel

    n = len(FEATURES)
    # a model that reads only "the rule judge named a mismatch" (feature rule_mismatch) as contradiction
    k = FEATURES.index("rule_mismatch")
    coef = [[0.0] * n, [0.0] * n, [0.0] * n]
    coef[1][k] = 5.0
    model = VerdictModel(version="t", mean=tuple([0.0] * n), scale=tuple([1.0] * n), coef=tuple(map(tuple, coef)),
                         intercept=(0.0, -2.0, 0.0))
    hits = [_hit(1, 0.8)]
    judgements = {"d1#0": [Judgement(passage_id="d1#0", judge="rules", contradiction=0.9, neutral=0.1,
                                     reason="year differs: 2019 (claim) vs 2015 (evidence)", mismatched=["year 2019"])]}
    claim = CLAIM
    # thresholds under which the rule alone would not contradict: the model decides
    th = Thresholds(contradict=0.99, rule_weight=0.5, verdict_model=model.model_dump())
    v = aggregate(claim, hits, judgements, th)
    assert v.label.value == "contradicted" and v.confidence > 0.9 and "differs" in v.reason
    out: list = []
    aggregate(claim, hits, judgements, th.model_copy(update={"verdict_model": None}), out)
    assert len(out) == 1 and len(out[0]) == n and out[0][k] == 1.0
    assert set(model.probabilities(out[0])) == set(LABELS)


def test_a_passage_stating_another_value_never_supports_the_claim():
    # Shipped weights: the rule's contradiction counts 0.6, so a named mismatch (0.82 -> 0.49) can stay under
    # the contradict threshold while the NLI reading of the shared topic sits just over entail (0.52).
    th = Thresholds(rule_weight=0.6, entail=0.5, contradict=0.5)
    hits = [_hit(1, 0.64)]
    j = {"d1#0": [Judgement(passage_id="d1#0", judge="rules", kind="values", contradiction=0.82, neutral=0.18,
                            reason="amount differs: about 300 billion USD (claim) vs 600 billion USD (evidence)",
                            mismatched=["amount 300 billion USD"]),
                  Judgement(passage_id="d1#0", judge="nli", entailment=0.52, neutral=0.02, contradiction=0.46)]}
    v = aggregate(CLAIM, hits, j, th)
    assert v.label is not Label.SUPPORTED
    assert v.citations[0].stance is not Label.SUPPORTED
