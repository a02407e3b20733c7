"""Markdown read as Markdown: which characters are prose, with every offset kept (non-prose becomes spaces)."""

from __future__ import annotations

import re
from functools import lru_cache

# Inline syntax on a prose line: an image, a link's destination (its text stays), an autolink, inline code,
# and the markers of emphasis. Their digits are no amounts or years ("[Bericht](https://x.org/2019/100-b)").
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_LINK = re.compile(r"(\[)([^\]\n]*)(\]\([^)\n]*\)|\]\[[^\]\n]*\])")
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^>\s]*>|(?<![\w/])https?://[^\s<>()\[\]]+")
_CODE = re.compile(r"(`+)[^`\n].*?\1")
_EMPHASIS = re.compile(r"(?<![\w*_])(\*{1,3}|_{1,3})(?=\S)|(?<=\S)(\*{1,3}|_{1,3})(?![\w*_])")
_MARKER = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)]|>)[ \t]+")


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def _blank_span(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] != "\n":
            chars[i] = " "


def prose(text: str) -> str:
    """`text` with everything that is not prose replaced by spaces (newlines kept), so that offsets into
    the result are offsets into `text`: headings, tables, code blocks, HTML blocks and rules go; on prose
    lines, link destinations, images, autolinks, inline code, list and quote markers and emphasis marks go,
    and a link's text stays. Headings are not claims: they only name what follows."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    chars = list(text)
    for token in _parser().parse(text):
        if token.map is None or token.nesting == -1:
            continue
        if token.type in ("heading_open", "table_open", "fence", "code_block", "html_block", "hr"):
            first, last = token.map
            _blank_span(chars, starts[first], min(len(text), starts[last] - 1 if last < len(starts) else len(text)))
    out = "".join(chars)
    fixed = []
    for line in out.split("\n"):
        line = _IMAGE.sub(lambda m: _blank(m.group(0)), line)
        line = _LINK.sub(lambda m: " " + m.group(2) + _blank(m.group(3)), line)
        line = _AUTOLINK.sub(lambda m: _blank(m.group(0)), line)
        line = _CODE.sub(lambda m: _blank(m.group(0)), line)
        line = _MARKER.sub(lambda m: m.group(1) + _blank(m.group(0)[len(m.group(1)):]), line)
        line = _EMPHASIS.sub(lambda m: _blank(m.group(0)), line)
        fixed.append(line)
    out = "\n".join(fixed)
    assert len(out) == len(text)
    return out


def without_link_targets(text: str) -> str:
    """`text` with link destinations, images and bare URLs blanked (same length): evidence keeps its
    headings and tables, which state facts, but a URL's digits are no values."""
    def line_fix(line: str) -> str:
        line = _IMAGE.sub(lambda m: _blank(m.group(0)), line)
        line = _LINK.sub(lambda m: m.group(1) + m.group(2) + "]" + _blank(m.group(3)[1:]), line)
        return _AUTOLINK.sub(lambda m: _blank(m.group(0)), line)

    return "\n".join(line_fix(line) for line in text.split("\n"))
