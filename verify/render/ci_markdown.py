"""CI findings as a Markdown summary for a pull-request comment (short, escaped, capped in length)."""

from __future__ import annotations

import re

from verify.models import Label
from verify.render.findings import CiResult, Finding, printable
from verify.render.links import safe_url
from verify.render.markdown import md_escape

MAX_ROWS = 50  # a GitHub comment holds 65,536 characters; a long table is cut with a count
_ICON = {Label.SUPPORTED: "✅", Label.CONTRADICTED: "❌", Label.UNKNOWN: "❔"}


def _code(text: str) -> str:
    """Text for a table cell's code span: no backticks or controls; '|' escaped (GFM tables need it there too)."""
    return re.sub(r"[`\x00-\x1f\x7f]", "", text).replace("|", "\\|")


def _evidence(f: Finding) -> str:
    links = []
    for c in f.citations[:2]:
        title = md_escape(c.title or c.doc_id)
        url = safe_url(c.url, markdown=True)
        links.append(f"[{title}]({url})" if url else title)
    return "; ".join(links)


def _table(findings: list[Finding]) -> list[str]:
    out = ["| | where | claim | verdict | reason | evidence |", "|---|---|---|---|---|---|"]
    for f in findings[:MAX_ROWS]:
        out.append(
            f"| {_ICON[f.label]} | `{_code(f.file)}:{f.line}` | {md_escape(f.claim)} | "
            f"{f.label.value} ({f.confidence:.2f}) | {md_escape(f.reason)} | {_evidence(f)} |"
        )
    if len(findings) > MAX_ROWS:
        out.append(f"\n…and {len(findings) - MAX_ROWS} more (see the SARIF or JSON output).")
    return out


def render_ci_markdown(result: CiResult) -> str:
    failing, warnings, suppressed = result.failing, result.warnings, result.suppressed
    c = result.counts()
    if result.input_errors:
        head = f"## ⚠️ verify: {len(result.input_errors)} document(s) could not be checked"
    elif failing:
        head = f"## ❌ verify: {len(failing)} claim(s) fail the check"
    else:
        head = "## ✅ verify: no failing claims"
    out = [
        head,
        "",
        f"**{len(result.documents)} documents, {len(result.findings)} claims**: {c['supported']} supported, "
        f"{c['contradicted']} contradicted, {c['unknown']} unknown. Fails on: **{result.fail_on.value}**"
        + (f", minimum confidence {result.min_confidence:.2f}" if result.min_confidence else "")
        + (f"; only documents changed since `{md_escape(result.changed_only)}`" if result.changed_only else "")
        + ".",
        "",
    ]
    if failing:
        out += _table(failing) + [""]
    if warnings:
        out += [f"<details><summary>{len(warnings)} more contradicted or unknown claim(s) below the fail-on "
                "level or the minimum confidence</summary>", ""]
        out += _table(warnings) + ["", "</details>", ""]
    if suppressed:
        out += [f"<details><summary>{len(suppressed)} finding(s) suppressed by the baseline</summary>", ""]
        out += _table(suppressed) + ["", "</details>", ""]
    if result.problems:
        out += [f"<details><summary>{len(result.problems)} input problem(s)</summary>", ""]
        for p in result.problems[:MAX_ROWS]:
            loc = f"{md_escape(p.path)}:{p.line}" if p.line else md_escape(p.path)
            out.append(f"- **{p.severity}** {loc}: {md_escape(p.message)}")
        out += ["", "</details>", ""]
    cache = result.cache
    if cache.enabled:
        out.append(f"<sub>cache: {cache.hits} of {cache.documents} documents reused, {cache.misses} checked · "
                   f"{result.seconds:.1f} s</sub>")
    else:
        out.append(f"<sub>cache off · {result.seconds:.1f} s</sub>")
    return printable("\n".join(out) + "\n")
