"""The Report as a terminal table (rich), with citations under each claim."""

from __future__ import annotations

import io

from verify.models import Label, Report

STYLE = {Label.SUPPORTED: "green", Label.CONTRADICTED: "bold red", Label.UNKNOWN: "yellow"}


def render_table(report: Report, width: int = 120, color: bool = False) -> str:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=color, no_color=not color, highlight=False)
    table = Table(show_lines=True, expand=True)
    table.add_column("#", justify="right", width=3)
    table.add_column("claim", ratio=5)
    table.add_column("verdict", width=13)
    table.add_column("conf", width=5)
    table.add_column("reason and citations", ratio=6)
    for i, v in enumerate(report.verdicts, start=1):
        cites = "\n".join(
            f"[{n}] {escape(c.title or c.doc_id)} — {escape(c.publisher)} {escape(c.published)}\n    {escape(c.url)}"
            for n, c in enumerate(v.citations, start=1)
        )
        where = f"{escape(v.claim.source)}:{v.claim.line}\n" if v.claim.source else ""
        table.add_row(
            str(i),
            f"{where}{escape(v.text)}",
            f"[{STYLE[v.label]}]{v.label.value}[/]",
            f"{v.confidence:.2f}",
            f"{escape(v.reason)}\n{cites}".strip(),
        )
    console.print(table)
    c = report.counts
    console.print(
        f"{len(report.verdicts)} claims: {c['supported']} supported, {c['contradicted']} contradicted, "
        f"{c['unknown']} unknown ({report.seconds:.2f} s)"
    )
    for p in report.problems:
        loc = f"{p.path}:{p.line}" if p.line else p.path
        console.print(f"{p.severity}: {escape(loc)}: {escape(p.message)}")
    return buf.getvalue()
