"""The rule judge: quantities, currencies, years, dates and places compared between a claim and a passage."""

from __future__ import annotations

from collections.abc import Sequence

from verify.claims.names import NameSet
from verify.judging.registry import JudgeContext, JudgeSpec
from verify.models import Claim, JudgeKind, Judgement, Passage


def _value_key(text: str) -> str:
    """'amount differs: 5 billion USD (claim) vs ...' and 'amount 5 billion USD' -> 'amount 5 billion USD'."""
    if " differs: " in text:
        word, rest = text.split(" differs: ", 1)
        return f"{word} {rest.split(' (claim)', 1)[0]}"
    return text


class RuleJudge:
    """Compares quantities, currencies, years, dates and places between a claim and a passage.

    It reads the passage sentence by sentence and lets a differing value count only in a
    sentence about the same organisation as the claim: "Meta pledged $600 billion" is not
    contradicted by "Anthropic invests $50 billion" in the same passage.
    """

    name = "rules"
    kind = JudgeKind.VALUES

    def __init__(self, organisations: Sequence[str] = ()):
        self.names = NameSet(organisations)

    @property
    def organisations(self) -> list[str]:
        return self.names.names

    def _orgs_in(self, text: str) -> set[str]:
        return self.names.in_text(text)

    def judge(self, pairs: Sequence[tuple[Claim, Passage]]) -> list[Judgement]:
        from verify.facts import compare
        from verify.text import sentence_spans

        out = []
        sentence_cache: dict[str, list[str]] = {}
        for claim, passage in pairs:
            c_lang, p_lang = claim.language or "en", passage.language or "en"
            whole = compare(claim.text, passage.text, c_lang, p_lang)
            matched = [_value_key(m) for m in whole.matches]
            mismatches: list[str] = []
            claim_orgs = self._orgs_in(claim.text)
            on_topic = (bool(claim_orgs & self._orgs_in(f"{passage.title}\n{passage.text}"))
                        if claim_orgs else None)
            # Sentence by sentence even when the whole passage shows no mismatch: "in den USA" in one
            # sentence must not hide "in Texas und New York" against a claimed "in Ohio" in another.
            if whole.mismatches or whole.matched_facts < whole.claim_facts:
                if passage.id not in sentence_cache:
                    sentence_cache[passage.id] = [passage.text[a:b] for a, b in sentence_spans(passage.text)]
                topic: set[str] = set()
                about_claim_org = bool(claim_orgs & self._orgs_in(passage.title))
                for sentence in sentence_cache[passage.id]:
                    # A sentence naming no organisation continues the previous one's ("It", "The sites");
                    # a source whose title names the claim's organisation is about it throughout.
                    topic = self._orgs_in(sentence) or topic
                    if claim_orgs and not claim_orgs & topic and not about_claim_org:
                        continue
                    for m in compare(claim.text, sentence, c_lang, p_lang).mismatches:
                        if _value_key(m) not in matched and m not in mismatches:
                            mismatches.append(m)
            if mismatches:
                # One mismatch is already strong: compare() only fires when the sentence states a
                # value of the same kind; more of the claim's values contradicted -> stronger.
                share = len(mismatches) / max(whole.claim_facts, 1)
                contradiction = min(0.95, 0.75 + 0.2 * share)
                out.append(
                    Judgement(
                        passage_id=passage.id,
                        judge=self.name,
                        kind=self.kind,
                        entailment=0.0,
                        neutral=1.0 - contradiction,
                        contradiction=contradiction,
                        reason="; ".join(mismatches),
                        matched=matched,
                        mismatched=[_value_key(m) for m in mismatches],
                        on_topic=on_topic,
                    )
                )
            elif whole.claim_facts and whole.matched_facts == whole.claim_facts:
                out.append(
                    Judgement(
                        passage_id=passage.id,
                        judge=self.name,
                        kind=self.kind,
                        entailment=0.6,
                        neutral=0.4,
                        reason="evidence states the same " + ", ".join(whole.matches),
                        matched=matched,
                        on_topic=on_topic,
                    )
                )
            else:
                out.append(Judgement(passage_id=passage.id, judge=self.name, kind=self.kind, reason="no comparable values",
                                     matched=matched, on_topic=on_topic))
        return out


def _build(ctx: JudgeContext) -> RuleJudge:
    return RuleJudge(ctx.organisations)


# Costs nothing, so it always runs and reads every relevant passage.
JUDGE = JudgeSpec(name="rules", kind=JudgeKind.VALUES, build=_build, default=lambda settings: True)
