"""Claim extraction: atomic claims, resolved references, quotes and opinions, spans."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from verify.claims.extract import claims_from_lines, extract_claims
from verify.models import ClaimKind

from ..conftest import ROOT

ORGS = ["Anthropic", "Fluidstack", "Google", "Amazon", "Meta", "OpenAI", "Oracle", "SoftBank"]


def seed_claims():
    text = next((ROOT / "seeds").glob("*.txt")).read_text(encoding="utf-8")
    return text, extract_claims(text, source="seed", organisations=ORGS)


def test_seed_compound_sentence_is_split_and_subject_resolved():
    _, claims = seed_claims()
    texts = [c.text for c in claims]
    assert any(t.startswith("Anthropic stellte Mittel") for t in texts)
    assert any("ging Anthropic eine 50-Milliarden-Dollar" in t for t in texts)


def test_seed_references_resolve_to_the_last_named_company():
    _, claims = seed_claims()
    texts = [c.text for c in claims]
    assert any(t.startswith("Anthropic unterhält derzeit Cloud-Partnerschaften") for t in texts)
    assert any(t.startswith("Fluidstack wurde im Februar zum Hauptpartner") for t in texts)


def test_seed_apposition_becomes_its_own_claim_and_opinion_is_marked():
    _, claims = seed_claims()
    appo = [c for c in claims if c.text == "Fluidstack ist ein 2017 gegründetes Neocloud-Unternehmen."]
    assert appo and appo[0].kind is ClaimKind.FACT
    assert any(c.kind is ClaimKind.OPINION and "bemerkenswerten" in c.text for c in claims)


def test_seed_quote_is_marked_with_speaker():
    _, claims = seed_claims()
    quotes = [c for c in claims if c.kind is ClaimKind.QUOTE]
    assert quotes and quotes[0].speaker == "Dario Amodei"


def test_claim_spans_point_into_the_article():
    text, claims = seed_claims()
    for c in claims:
        assert 0 <= c.start < c.end <= len(text)
        assert c.sentence in text
        assert text[c.start : c.end] in c.sentence


def test_reported_speech_english():
    claims = extract_claims("The minister said that the bridge cost 40 million euros to build.")
    assert claims[0].kind is ClaimKind.REPORTED and claims[0].speaker == "The minister"


def test_lines_mode_one_claim_per_line():
    claims = claims_from_lines("Erste Behauptung hier.\n\n  Second claim is here.\n", source="x")
    assert [c.text for c in claims] == ["Erste Behauptung hier.", "Second claim is here."]
    assert [c.line for c in claims] == [1, 3]
    assert claims[1].column == 3


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_extraction_never_raises_and_spans_are_valid(text):
    for c in extract_claims(text, organisations=ORGS):
        assert 0 <= c.start <= c.end <= len(text)


def test_language_detection_german_and_english():
    from verify.text import detect_language

    assert detect_language("Fluidstack wurde 2017 in Oxford gegründet und hat seinen Sitz in London.") == "de"
    assert detect_language("Fluidstack was founded in 2017 and is based in London.") == "en"
    assert detect_language("Die neuen Rechenzentren.") == "de"
    assert detect_language("") == "en"


def test_demonstrative_claims_carry_the_sentence_before_as_retrieval_context():
    from verify.retrieval.store import query_text

    text = ("Die neuen Rechenzentren von Acme werden sich in Texas befinden. "
            "Diese Einrichtungen werden im Laufe des Jahres 2026 in Betrieb gehen. "
            "Acme beschäftigt 300 Menschen in Berlin.")
    claims = extract_claims(text, language="de")
    by_start = {c.text.split()[0]: c for c in claims}
    assert by_start["Diese"].context == "Die neuen Rechenzentren von Acme werden sich in Texas befinden."
    assert by_start["Diese"].text.startswith("Diese Einrichtungen")  # the claim itself stays as written
    assert query_text(by_start["Diese"]).startswith("Die neuen Rechenzentren von Acme")
    assert by_start["Acme"].context == "" and query_text(by_start["Acme"]) == by_start["Acme"].text


def test_a_headline_run_into_the_lead_is_split_off():
    from verify.text import sentence_spans

    def split(t):
        return [t[a:b] for a, b in sentence_spans(t)]

    assert split("Anthropic angekündigt Am Mittwoch ging Anthropic eine Partnerschaft ein.") == [
        "Anthropic angekündigt", "Am Mittwoch ging Anthropic eine Partnerschaft ein."]
    assert split("Streit um KI-Rechenzentren Die Stadt Berlin plant neue Regeln.")[1] == (
        "Die Stadt Berlin plant neue Regeln.")
    # a sentence (function words before the capitalised word) is never cut
    assert split("Die Firma hat am Mittwoch Die Zeit verklagt.") == ["Die Firma hat am Mittwoch Die Zeit verklagt."]
    assert split("Meta says The company grew.") == ["Meta says The company grew."]
    assert split("Erster Satz. Zweiter Satz Die Zeit.") == ["Erster Satz.", "Zweiter Satz Die Zeit."]
