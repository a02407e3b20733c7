"""The Report as JSON: exactly the pydantic model, so the published schema describes it."""

from __future__ import annotations

from verify.models import Report


def render_json(report: Report) -> str:
    # ensure_ascii keeps the output valid whatever control or surrogate characters the input held
    return report.model_dump_json(indent=2) + "\n"
