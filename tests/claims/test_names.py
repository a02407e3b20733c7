"""Organisation names from German and English evidence, and thresholds that adapt to the corpus size."""

from __future__ import annotations

from verify.claims.names import corpus_names, german_names
from verify.config import Thresholds
from verify.models import Passage

DE = [
    "Anthropic will 50 Milliarden Dollar in Rechenzentren in Texas und New York investieren. Die neuen "
    "Rechenzentren entstehen gemeinsam mit Fluidstack. Meta hat dagegen 600 Milliarden Dollar für die "
    "KI-Infrastruktur zugesagt.",
    "Laut dem Unternehmen arbeiten rund 800 Mitarbeiter bei Fluidstack. Der Konzern wurde 2017 in Oxford "
    "gegründet. Zu den Kunden gehören Meta, Mistral und Midjourney. OpenAI baut mit Oracle das Projekt Stargate. "
    "Die Firma investiert in neue Technologie. Auch Google ist an Anthropic beteiligt.",
]


def test_german_names_are_told_from_german_nouns():
    names = german_names(DE)
    assert {"Anthropic", "Fluidstack", "Meta", "Mistral", "Midjourney", "OpenAI", "Oracle"} <= names
    assert not names & {"Rechenzentren", "Milliarden", "Dollar", "Unternehmen", "Mitarbeiter", "Konzern", "Kunden",
                        "Firma", "Technologie", "KI-Infrastruktur", "Texas", "Oxford", "New", "York"}


def test_a_name_only_at_sentence_starts_is_found_through_the_publisher_or_host():
    passages = [Passage(id="a#0", doc_id="a", text="Hooli baut ein Werk. Die Anlage kostet 3 Milliarden Euro.", start=0,
                        end=10, language="de", url="https://www.hooli.com/presse/werk", publisher="Pied Piper Nachrichten")]
    names = corpus_names(passages)
    assert "Hooli" in names and "Anlage" not in names and "Werk" not in names


def test_english_and_german_names_together():
    passages = [Passage(id="e#0", doc_id="e", text="On Monday, Anthropic said that Fluidstack will build it. Anthropic "
                        "and Fluidstack agreed.", start=0, end=10, language="en"),
                Passage(id="d#0", doc_id="d", text=DE[1], start=0, end=10, language="de")]
    assert {"Anthropic", "Fluidstack", "Meta"} <= corpus_names(passages)


def test_thresholds_adapt_to_a_small_corpus_only():
    th = Thresholds(relevance="fused", min_retrieval=0.3, small_corpus_passages=20, small_corpus_min_retrieval=0.35)
    assert th.for_corpus(5).relevance == "max" and th.for_corpus(5).min_retrieval == 0.35
    assert th.for_corpus(21) == th
    assert th.model_copy(update={"small_corpus_passages": 0}).for_corpus(5) == th.model_copy(
        update={"small_corpus_passages": 0})


def test_an_acronym_for_a_thing_is_no_organisation_to_resolve_to():
    # "KI" (German for AI) is name-shaped; "das Unternehmen" after it still means the company named before.
    from verify.claims.extract import extract_claims

    text = ("Anthropic baut Rechenzentren in Texas. Amodei betonte die Notwendigkeit einer Infrastruktur zur "
            "Förderung der KI. Das Unternehmen unterhält derzeit Cloud-Partnerschaften mit Google und Amazon.")
    orgs = german_names([text, "Laut Anthropic wächst die KI. Google und Amazon investieren in KI."])
    assert {"Anthropic", "Google", "Amazon"} <= orgs and "KI" not in orgs
    claims = extract_claims(text, language="de", organisations=orgs)
    assert any(c.text.startswith("Anthropic unterhält derzeit Cloud-Partnerschaften") for c in claims), \
        [c.text for c in claims]
