"""End to end with the real models: an article checked against a small folder of the user's own notes.

Each test is one class of wrong verdict a new user met (issue "Checking an article against your own notes"),
run as the user runs it: `verify check` on the command line, the shipped judge, the notes as given."""

from __future__ import annotations

import json

import pytest

from .conftest import FIXTURES
from .test_e2e import run

pytestmark = pytest.mark.e2e
NOTES = FIXTURES / "notes-de"


def check_lines(text: str, notes=NOTES) -> list[dict]:
    out = run("check", "--lines", "-", "--evidence", str(notes), "--format", "json", input=text)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["verdicts"]


def test_another_companys_figure_does_not_contradict_a_claim():
    """German notes: Meta's $600 billion is not a verdict on Anthropic's $50 billion (the names are German text)."""
    [v] = check_lines("Anthropic will 50 Milliarden Dollar in Rechenzentren in Texas investieren.\n",
                      FIXTURES / "notes-org-de")
    assert v["label"] != "contradicted", v["reason"]
    assert "600" not in v["reason"]


def test_a_sentence_that_states_the_claim_keeps_its_subject():
    """'Zu seinen Kunden gehören Meta, ...': the judge reads whose customers they are."""
    [v] = check_lines("Zu den Kunden von Fluidstack gehören Meta, Midjourney und Mistral.\n")
    assert v["label"] == "supported", v["reason"]


@pytest.mark.parametrize("claim,value", [
    ("Anthropic verpflichtet sich, Rechenleistung im Wert von 3 Milliarden Dollar bei Microsoft Azure einzukaufen.",
     "30 billion"),
    ("Das Rechenzentrum in Frankreich soll über zehn Jahre gebaut werden.", "4 years"),
    ("Nvidia investiert bis zu siebzehn Milliarden Dollar in Anthropic.", "10 billion"),
])
def test_magnitude_duration_and_number_word_mismatches_are_named(claim, value):
    [v] = check_lines(claim + "\n")
    assert v["label"] == "contradicted", v["reason"]
    assert value in v["reason"], v["reason"]


def test_a_reason_names_only_values_of_the_same_attribute():
    [v] = check_lines("Fluidstack wurde 2019 gegründet.\n")
    assert v["label"] == "contradicted" and "2017" in v["reason"]
    assert "2025" not in v["reason"] and "2026" not in v["reason"], v["reason"]


def test_markdown_is_read_as_markdown():
    """Headings, tables and code are no claims; a link's URL is no year; offsets still point into the file."""
    path = FIXTURES / "markdown" / "markdown-de.md"
    out = run("check", str(path), "--evidence", str(NOTES), "--format", "json")
    assert out.returncode == 0, out.stderr
    verdicts = json.loads(out.stdout)["verdicts"]
    texts = [v["claim"]["text"] for v in verdicts]
    assert not any(t.startswith(("#", "|", "`")) or "https://" in t for t in texts), texts
    founded = next(v for v in verdicts if "2017" in v["claim"]["text"])
    assert founded["label"] == "supported" and "2019" not in founded["reason"]
    raw = path.read_text(encoding="utf-8")
    body_start = raw.index("# Anthropic")
    claim = founded["claim"]
    assert raw[body_start + claim["start"]:body_start + claim["end"]].startswith("Fluidstack wurde 2017")
