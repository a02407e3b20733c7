"""Report renderers: terminal table, JSON, Markdown, self-contained HTML (pure: Report -> str)."""

from __future__ import annotations

from verify.render.html import render_html
from verify.render.json import render_json
from verify.render.markdown import render_markdown
from verify.render.table import render_table

RENDERERS = {"table": render_table, "json": render_json, "markdown": render_markdown, "html": render_html}

__all__ = ["RENDERERS", "render_html", "render_json", "render_markdown", "render_table"]
