"""Report renderers: terminal table, JSON, Markdown (pure: Report -> str)."""

from __future__ import annotations

from verify.render.json import render_json
from verify.render.markdown import render_markdown
from verify.render.table import render_table

RENDERERS = {"table": render_table, "json": render_json, "markdown": render_markdown}

__all__ = ["RENDERERS", "render_json", "render_markdown", "render_table"]
