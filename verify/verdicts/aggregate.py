"""Top-k judgements of one claim into one verdict: label, confidence, reason and citations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from verify.config import Thresholds
from verify.models import Citation, Claim, ClaimKind, Hit, JudgeKind, Judgement, Label, UnknownReason, Verdict
from verify.verdicts.hedges import insufficiency

MAX_CITATIONS = 3
OFF_TOPIC_DISCOUNT = 0.3
AGREEING_VALUES_DISCOUNT = 0.5


@dataclass(frozen=True)
class Stance:
    """What one retrieved passage says about the claim, after combining the judges."""

    hit: Hit
    support: float
    contradiction: float
    reason: str


_NEGATION = re.compile(r"\b(nicht|kein\w*|nie|niemals|not|no|never|none|n't)\b", re.IGNORECASE)


def judged_hits(hits: Sequence[Hit], th: Thresholds, kind: JudgeKind) -> list[Hit]:
    """The hits (in rank order) a judge of `kind` reads: the relevant ones (fused score >= min_retrieval),
    and of those the first `nli_top_k` for a model's READING. Below the floor a judgement could not
    decide a label (`_stance` scales it down); the cross-encoder is what costs time, so it reads fewer."""
    relevant = [h for h in hits if h.score >= th.min_retrieval]
    return relevant[: th.nli_top_k] if kind is JudgeKind.READING else relevant


def read_by_judges(hits: Sequence[Hit], judgements: dict[str, list[Judgement]], th: Thresholds
                   ) -> dict[str, list[Judgement]]:
    """Each hit's judgements, keeping only those whose judge reads that hit (`judged_hits`): the pipeline
    and a re-aggregation of saved judgements under other thresholds count the same judgements."""
    reads = {kind: {h.passage.id for h in judged_hits(hits, th, kind)} for kind in JudgeKind}
    return {h.passage.id: [j for j in judgements.get(h.passage.id, []) if h.passage.id in reads[j.kind]]
            for h in hits}


def _reading(judgements: Sequence[Judgement]) -> Judgement | None:
    """The models' reading of a pair: one judgement, or the mean of several."""
    readings = [j for j in judgements if j.kind is JudgeKind.READING]
    if len(readings) <= 1:
        return readings[0] if readings else None
    n = len(readings)
    return readings[0].model_copy(update={
        "judge": "+".join(j.judge for j in readings),
        "entailment": sum(j.entailment for j in readings) / n,
        "neutral": sum(j.neutral for j in readings) / n,
        "contradiction": sum(j.contradiction for j in readings) / n})


def _values(judgements: Sequence[Judgement]) -> Judgement | None:
    """The value comparisons of a pair: a named mismatch outweighs a match, which outweighs nothing."""
    found = [j for j in judgements if j.kind is JudgeKind.VALUES]
    return max(found, key=lambda j: (j.contradiction, j.entailment), default=None)


def _negated(text: str) -> bool:
    return bool(_NEGATION.search(text.replace("n't", " n't")))


def _stance(hit: Hit, judgements: Sequence[Judgement], th: Thresholds, claim_text: str = "") -> Stance:
    nli = _reading(judgements)
    rules = _values(judgements)
    relevant = hit.score >= th.min_retrieval
    support = contradiction = 0.0
    reason = ""
    if nli is not None:
        support, contradiction = nli.entailment, nli.contradiction
        if rules is not None and rules.on_topic is False:
            # NLI models read "contradiction" into unrelated pairs ("Meta pledged $600 billion" vs
            # a passage about Anthropic); a passage that never names the claim's organisation
            # cannot contradict it.
            contradiction *= OFF_TOPIC_DISCOUNT
        if rules is not None and rules.entailment > 0 and _negated(claim_text) == _negated(hit.passage.text):
            # Every value the claim states is in this passage and neither side negates what the
            # other affirms: a contradiction would have to be about something else, and the judge
            # is least reliable on multi-sentence premises.
            contradiction *= AGREEING_VALUES_DISCOUNT
        if support >= contradiction and support > 0.5:
            reason = "evidence agrees"
        elif contradiction > 0.5:
            reason = "evidence contradicts the claim"
    if rules is not None and relevant:
        if rules.contradiction > 0:
            # A differing amount, year or place in relevant evidence outweighs an NLI "entailment"
            # that only saw the shared topic: the model is weakest exactly on numbers.
            rule_c = rules.contradiction * th.rule_weight
            # A named differing value is the more useful reason, whichever judge is surer.
            contradiction, reason = max(rule_c, contradiction), rules.reason
            # A passage that states another value for what the claim states cannot support it, however
            # sure the NLI reading of the shared topic is ("300 billion" against "600 billion").
            support = 0.0
        elif rules.entailment > 0:
            rule_s = rules.entailment * (0.5 + 0.5 * hit.score)
            if nli is None:
                support, reason = max(support, rule_s), rules.reason
            elif support >= th.entail:
                reason = f"evidence agrees; {rules.reason}"
    if not relevant:
        # Off-topic passages may not decide a verdict, whatever a judge read into them.
        support, contradiction = support * hit.score, contradiction * hit.score
    return Stance(hit, support, contradiction, reason)


def _cancel_confirmed(
    hits: Sequence[Hit], judgements: dict[str, list[Judgement]], th: Thresholds
) -> dict[str, list[Judgement]]:
    """Drop a value mismatch when another relevant passage states the claim's value.

    "$50 billion" in the claim is not contradicted by a passage about a $183 billion valuation
    when another passage confirms the $50 billion: the two passages speak of different things."""
    confirmed = {
        v
        for h in hits
        if h.score >= th.min_retrieval
        for j in judgements.get(h.passage.id, [])
        if j.kind is JudgeKind.VALUES
        for v in j.matched
    }
    if not confirmed:
        return judgements
    out: dict[str, list[Judgement]] = {}
    for pid, js in judgements.items():
        fixed = []
        for j in js:
            if j.kind is JudgeKind.VALUES and j.mismatched:
                left = [v for v in j.mismatched if v not in confirmed]
                if not left:
                    # Its values differ while other evidence states the claim's: this passage speaks
                    # of another event, so its NLI "contradiction" is discounted like an off-topic one.
                    j = j.model_copy(update={"contradiction": 0.0, "neutral": 1.0, "mismatched": [],
                                             "on_topic": False,
                                             "reason": "values differ, but other evidence states the claim's"})
                elif len(left) < len(j.mismatched):
                    reasons = [r for r in j.reason.split("; ") if any(r.startswith(v.split(" ", 1)[0]) and
                                                                       v.split(" ", 1)[1] in r for v in left)]
                    j = j.model_copy(update={"mismatched": left, "reason": "; ".join(reasons) or j.reason})
            fixed.append(j)
        out[pid] = fixed
    return out


def _cite(stance: Stance, label: Label) -> Citation:
    p = stance.hit.passage
    return Citation(
        doc_id=p.doc_id,
        title=p.title,
        url=p.url,
        publisher=p.publisher,
        published=p.published,
        passage=p.text,
        start=p.start,
        end=p.end,
        source_path=p.source_path,
        score=round(stance.hit.score, 4),
        stance=label,
    )


def _stance_label(s: Stance, th: Thresholds) -> Label:
    if s.contradiction >= th.contradict and s.contradiction > s.support:
        return Label.CONTRADICTED
    if s.support >= th.entail and s.support > s.contradiction:
        return Label.SUPPORTED
    return Label.UNKNOWN


def _source(s: Stance) -> str:
    return _passage_source(s.hit.passage)


def _passage_source(p) -> str:
    return p.publisher or p.title or p.doc_id


def basis_of(label: str, reason: str) -> str:
    """What decided a verdict, for calibration by type: "values" (a rule named a matching or differing value),
    "reading" (the NLI judge alone), "conflict" (passages disagree) or "open" (other unknowns)."""
    if reason.startswith("conflicting evidence") or "conflicting evidence" in reason[:60]:
        return "conflict"
    if label == "unknown":
        return "open"
    if " differs: " in reason or "evidence states the same" in reason:
        return "values"
    return "reading"


def calibration_curve(th: Thresholds, label: str, basis: str) -> Sequence[tuple[float, float]]:
    """The knots for a verdict: its label and basis ("contradicted/values") where fitted, else its label's."""
    fitted = th.calibration.get(f"{label}/{basis}")
    if fitted:
        return fitted
    return th.calibration.get(label, ())


# Parsed learned-verdict models by the id of the dict they came from; the dict is kept with its model, so an id
# is never reused while its entry lives (model_copy shares the dict, so every copy of a thresholds object hits).
_MODELS: dict[int, tuple[Any, Any]] = {}


def _verdict_model(th: Thresholds):
    """The thresholds' learned verdict model, parsed once, not once per claim."""
    from verify.verdicts.learned import VerdictModel

    raw = th.verdict_model
    hit = _MODELS.get(id(raw))
    if hit is None or hit[0] is not raw:
        hit = (raw, VerdictModel.model_validate(raw))
        _MODELS[id(raw)] = hit
    return hit[1]


def calibrate(raw: float, knots: Sequence[tuple[float, float]]) -> float:
    """Piecewise-linear through the knots (sorted by raw value), flat beyond the ends."""
    if not knots:
        return raw
    if raw <= knots[0][0]:
        return knots[0][1]
    for (x0, y0), (x1, y1) in zip(knots, knots[1:]):
        if raw <= x1:
            return y0 if x1 <= x0 else y0 + (y1 - y0) * (raw - x0) / (x1 - x0)
    return knots[-1][1]


def aggregate(
    claim: Claim, hits: Sequence[Hit], judgements: dict[str, list[Judgement]], th: Thresholds,
    features_out: list[list[float]] | None = None,
) -> Verdict:
    """`judgements` maps passage id -> that passage's judgements from every judge. `features_out`: append the
    claim's features for the learned verdict (`verify.verdicts.learned`) as the threshold rule sees it."""
    judgements = _cancel_confirmed(hits, judgements, th)
    stances = [_stance(h, judgements.get(h.passage.id, []), th, claim.text) for h in hits]
    best_rel = max((h.score for h in hits), default=0.0)
    pro = max(stances, key=lambda s: s.support, default=None)
    # Among contradicting passages, lead with one that names a differing value when it is nearly as sure.
    con = max(stances, key=lambda s: s.contradiction + (0.1 if " differs: " in s.reason else 0.0), default=None)
    S = pro.support if pro else 0.0
    C = con.contradiction if con else 0.0
    label, unknown, lead = Label.UNKNOWN, None, None

    if S >= th.entail and C >= th.contradict:
        if abs(S - C) >= 0.25:
            label, lead = (Label.SUPPORTED, pro) if S > C else (Label.CONTRADICTED, con)
        else:
            unknown = UnknownReason.CONFLICTING
    elif C >= th.contradict:
        label, lead = Label.CONTRADICTED, con
    elif S >= th.entail:
        label, lead = Label.SUPPORTED, pro
    elif best_rel < th.min_retrieval:
        unknown = UnknownReason.NO_EVIDENCE
    else:
        unknown = UnknownReason.INSUFFICIENT

    # The most relevant passage says the evidence does not settle the question ("Studien sind
    # unzureichend"): an NLI model reads a stance into such text, but the source's own verdict is
    # "open". A value the rule judge found to differ is a fact either way, so it still decides.
    # Where the judges conflict, the conflict stays the reason given.
    top = max(hits, key=lambda h: h.score, default=None)
    hedge = insufficiency(top.passage.text) if th.open_question and top and top.score >= th.min_retrieval else None
    if hedge and label is not Label.UNKNOWN and not (lead and " differs: " in lead.reason):
        label, lead, unknown = Label.UNKNOWN, None, UnknownReason.INSUFFICIENT

    if label is Label.SUPPORTED and lead is not None:
        confidence = S * (1.0 - 0.5 * C)
        reason = f"{lead.reason or 'evidence agrees'} ({_source(lead)})"
    elif label is Label.CONTRADICTED and lead is not None:
        confidence = C * (1.0 - 0.5 * S)
        reason = f"{lead.reason or 'evidence contradicts the claim'} ({_source(lead)})"
    elif unknown is UnknownReason.CONFLICTING:
        confidence = 1.0 - abs(S - C)
        reason = f"conflicting evidence: {_source(pro)} agrees, {_source(con)} disagrees"  # type: ignore[arg-type]
    elif unknown is UnknownReason.NO_EVIDENCE:
        confidence = 1.0 - best_rel
        reason = "no relevant evidence found in the corpus"
    elif hedge and top is not None:
        confidence = 1.0 - 0.5 * max(S, C)
        reason = (f"insufficient evidence: the most relevant source says the question is open "
                  f"(\u201c{hedge}\u201d, {_passage_source(top.passage)})")
    else:
        confidence = 1.0 - max(S, C)
        reason = "insufficient evidence: related passages neither confirm nor refute the claim"
    learned_confidence = None
    if th.verdict_model or features_out is not None:
        from verify.verdicts.learned import features

        x = features(claim.text, claim.language, hits, judgements, th.min_retrieval, bool(hedge), label.value,
                     min(1.0, max(0.0, confidence)))
        if features_out is not None:
            features_out.append(x)
    model = _verdict_model(th) if th.verdict_model else None
    if model is not None and model.applies_to(claim.language):
        probs = model.probabilities(x)
        chosen = Label(max(probs, key=lambda k: probs[k]))
        learned_confidence = probs[chosen.value]
        if chosen is not label:
            label = chosen
            if chosen is Label.SUPPORTED and pro is not None:
                lead, unknown = pro, None
                reason = f"{pro.reason or 'evidence agrees'} ({_source(pro)})"
            elif chosen is Label.CONTRADICTED and con is not None:
                lead, unknown = con, None
                reason = f"{con.reason or 'evidence contradicts the claim'} ({_source(con)})"
            else:
                lead = None
                unknown = UnknownReason.NO_EVIDENCE if best_rel < th.min_retrieval else UnknownReason.INSUFFICIENT
                reason = ("no relevant evidence found in the corpus" if unknown is UnknownReason.NO_EVIDENCE else
                          "insufficient evidence: the passages found do not settle the claim")
    if claim.kind is ClaimKind.OPINION and label is Label.UNKNOWN:
        unknown = UnknownReason.NOT_CHECKWORTHY
        reason = f"opinion, not check-worthy as stated; {reason}"
    if claim.kind in (ClaimKind.QUOTE, ClaimKind.REPORTED) and claim.speaker:
        reason = f"checked as '{claim.speaker} said ...': {reason}"

    # Citations: the deciding passage first, then the rest by retrieval score.
    ordered = sorted(stances, key=lambda s: (s is not lead, -s.hit.score))
    citations, docs = [], set()
    for s in ordered:  # one citation per document: overlapping windows of one source say the same
        if s.hit.score <= 0 or s.hit.passage.doc_id in docs:
            continue
        docs.add(s.hit.passage.doc_id)
        citations.append(_cite(s, _stance_label(s, th)))
        if len(citations) == MAX_CITATIONS:
            break
    if learned_confidence is not None:  # a probability fitted on dev claims: already calibrated
        confidence = learned_confidence
    else:
        curve = calibration_curve(th, label.value, basis_of(label.value, reason))
        confidence = calibrate(min(1.0, max(0.0, confidence)), curve)
    return Verdict(
        claim=claim,
        label=label,
        confidence=round(min(1.0, max(0.0, confidence)), 4),
        reason=reason,
        unknown_reason=unknown,
        citations=citations,
    )
