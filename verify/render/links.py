"""Which citation URLs a report may link to: plain http(s) addresses that cannot break out of the markup."""

from __future__ import annotations

import re

_URL = re.compile(r"^https?://[^\s<>\"'`]+$", re.IGNORECASE)


def safe_url(url: str, *, markdown: bool = False) -> str:
    """`url` (trimmed) if it is a plain http(s) address, else "". In Markdown a parenthesis would close the
    link early, so there it must hold none."""
    url = url.strip()
    if not _URL.match(url) or (markdown and ("(" in url or ")" in url)):
        return ""
    return url
