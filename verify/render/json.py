"""The Report as JSON: exactly the pydantic model, so the published schema describes it."""

from __future__ import annotations

import json

from verify.models import Report


def render_json(report: Report) -> str:
    text = json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False)
    # Lone surrogates (from undecodable input) cannot be written as UTF-8; replace them, keep the rest.
    return text.encode("utf-8", "replace").decode("utf-8") + "\n"
