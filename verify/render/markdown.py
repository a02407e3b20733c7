"""The Report as Markdown; claim and evidence text is escaped so it cannot inject markup."""

from __future__ import annotations

import html
import re

from verify.models import Label, Report
from verify.render.links import safe_url

ICON = {Label.SUPPORTED: "✅ supported", Label.CONTRADICTED: "❌ contradicted", Label.UNKNOWN: "❔ unknown"}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md_escape(text: str) -> str:
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
    text = html.escape(text, quote=False)
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))





def render_markdown(report: Report) -> str:
    c = report.counts
    out = [
        "# verify report",
        "",
        f"**{len(report.verdicts)} claims**: {c['supported']} supported, {c['contradicted']} contradicted, "
        f"{c['unknown']} unknown.",
        "",
        "| # | claim | verdict | confidence | reason |",
        "|---|---|---|---|---|",
    ]
    for i, v in enumerate(report.verdicts, start=1):
        out.append(
            f"| {i} | {md_escape(v.text)} | {ICON[v.label]} | {v.confidence:.2f} | {md_escape(v.reason)} |"
        )
    out.append("")
    for i, v in enumerate(report.verdicts, start=1):
        if not v.citations:
            continue
        where = f"{md_escape(v.claim.source)}:{v.claim.line}" if v.claim.source else f"line {v.claim.line}"
        out.append(f"## {i}. {ICON[v.label]} — {where}")
        out.append("")
        out.append(f"> {md_escape(v.text)}")
        out.append("")
        for cit in v.citations:
            title = md_escape(cit.title or cit.doc_id)
            url = safe_url(cit.url, markdown=True)
            head = f"[{title}]({url})" if url else title
            meta = ", ".join(md_escape(x) for x in (cit.publisher, cit.published) if x)
            out.append(f"- {head}{' — ' + meta if meta else ''} (chars {cit.start}–{cit.end}, {cit.stance.value}): "
                       f"“{md_escape(cit.passage)}”")
        out.append("")
    if report.problems:
        out += ["## Skipped or degraded inputs", ""]
        for p in report.problems:
            loc = f"{md_escape(p.path)}:{p.line}" if p.line else md_escape(p.path)
            out.append(f"- **{p.severity}** {loc}: {md_escape(p.message)}")
        out.append("")
    return "\n".join(out)
