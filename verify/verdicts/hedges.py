"""Evidence that itself says the question is open ("die Studienlage ist unzureichend", "it remains unclear")."""

from __future__ import annotations

import re

# Phrases a source uses to say that the evidence does not settle a question, in German and English. A
# health fact-check's "we cannot say" reads to an NLI model as a stance on the topic; it is not one.
_PHRASES = [
    # German
    r"unklar",
    r"unzureichend",
    r"ungewiss",
    r"nicht (?:ausreichend|genügend|gut) (?:untersucht|belegt|erforscht|geprüft)",
    r"nicht (?:ausreichend|genügend|hinreichend)",
    r"nicht (?:belegt|bewiesen|nachgewiesen|gesichert)",
    r"keine (?:aussagekräftigen|verlässlichen|guten|hochwertigen|ausreichenden) (?:studien|belege|daten|beweise)",
    r"fehlen (?:gute|aussagekräftige|verlässliche|hochwertige) (?:studien|belege|daten)",
    r"(?:wissen|weiß) (?:wir |man )?(?:noch )?nicht",
    r"lässt sich (?:\w+ ){0,10}?nicht (?:sicher |eindeutig |verlässlich )?(?:sagen|beurteilen|feststellen|nachweisen|belegen|einschätzen)",
    r"(?:können|kann) (?:wir|man) (?:\w+ ){0,6}?nicht (?:sicher |eindeutig |verlässlich )?(?:sagen|einschätzen|beurteilen|feststellen|abschätzen)",
    r"keine (?:\w+ ){0,3}?(?:studien|belege|daten) (?:gefunden|finden)",
    r"widersprüchliche (?:ergebnisse|studien|befunde|daten)",
    r"unerforscht",
    r"(?:große|erhebliche) unsicherheit",
    # English
    r"unclear",
    r"insufficient",
    r"inconclusive",
    r"not (?:enough|sufficient|well[- ]studied|proven|established)",
    r"no (?:good|reliable|high[- ]quality|conclusive|sufficient) (?:studies|evidence|data)",
    r"lack of (?:good |reliable |high[- ]quality )?(?:evidence|studies|data)",
    r"(?:cannot|can't) (?:say|be said|be determined)",
    r"(?:we|one) (?:cannot|can't|could not|couldn't) (?:\w+ ){0,4}?(?:say|judge|assess|tell)",
    r"no (?:\w+ )?studies (?:were |have been )?found",
    r"found no (?:\w+ ){0,3}?(?:studies|evidence|data)",
    r"(?:have not|haven't|did not|didn't) (?:been able to )?(?:find|found) (?:any )?(?:\w+ ){0,3}?(?:studies|evidence)",
    r"(?:cannot|can't|can neither|could not|couldn't) (?:yet )?answer",
    r"contradictory (?:results|findings|evidence|studies|data)",
    r"unexplored",
    r"(?:great|considerable|high) uncertainty",
    r"remains? (?:unknown|uncertain|open)",
]
_PATTERN = re.compile(r"\b(?:" + "|".join(_PHRASES) + r")", re.IGNORECASE)  # no closing \\b: "unklare", "unzureichenden"


def insufficiency(text: str) -> str | None:
    """The first phrase in `text` that says the evidence is insufficient or the question open, else None."""
    m = _PATTERN.search(text)
    return m.group(0) if m else None
