"""The Report as one self-contained HTML page: the article with claims highlighted by verdict, and details."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Sequence

from verify.models import Label, Report, Verdict
from verify.render.links import safe_url

ICONS = {Label.SUPPORTED: "✔", Label.CONTRADICTED: "✘", Label.UNKNOWN: "?"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

CSS = """
:root{--sup:#1a7f37;--sup-bg:#dafbe1;--con:#b3121f;--con-bg:#ffe1df;--unk:#7a5a00;--unk-bg:#fff3c4;
--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--focus:#0550ae}
*{box-sizing:border-box}
body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);margin:0;padding:1rem 1.5rem;
background:#fff}
h1{font-size:1.4rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:.5rem 0}
.meta{color:var(--muted);font-size:.9rem;margin:0 0 .75rem}
.summary{display:flex;flex-wrap:wrap;gap:.5rem;margin:0 0 1rem;padding:0;list-style:none}
.summary li{border:1px solid var(--line);border-radius:999px;padding:.15rem .75rem;font-weight:600}
.layout{display:grid;grid-template-columns:minmax(0,3fr) minmax(16rem,2fr);gap:1.5rem;align-items:start}
@media (max-width:800px){.layout{grid-template-columns:1fr}}
.article{white-space:pre-wrap;overflow-wrap:anywhere;border:1px solid var(--line);border-radius:8px;padding:1rem}
.claim{border-radius:3px;padding:0 .1em;cursor:pointer;color:inherit;text-decoration-thickness:2px;
text-underline-offset:3px;text-decoration-line:underline}
.claim .icon{font-weight:700;font-size:.8em;margin-right:.15em}
.claim.supported{background:var(--sup-bg);text-decoration-color:var(--sup);text-decoration-style:solid}
.claim.contradicted{background:var(--con-bg);text-decoration-color:var(--con);text-decoration-style:wavy}
.claim.unknown{background:var(--unk-bg);text-decoration-color:var(--unk);text-decoration-style:dotted}
.claim.supported .icon,.label.supported{color:var(--sup)}.claim.contradicted .icon,.label.contradicted{color:var(--con)}
.claim.unknown .icon,.label.unknown{color:var(--unk)}
.claim:focus-visible{outline:3px solid var(--focus);outline-offset:1px}
.claim.selected{outline:2px solid var(--fg);outline-offset:1px}
.sentence{margin:.5rem 0 .25rem;color:var(--muted)}
.claims-list{margin:.25rem 0 1rem;padding-left:1.25rem}
.details{position:sticky;top:1rem;border:1px solid var(--line);border-radius:8px;padding:1rem;max-height:calc(100vh - 2rem);
overflow:auto}
.detail{border-bottom:1px solid var(--line);padding-bottom:.75rem;margin-bottom:.75rem}
.js .detail{display:none}.js .detail.active{display:block;border:0}
.label{font-weight:700}
.cits{list-style:none;padding:0;margin:.5rem 0}
.cits li{border-left:3px solid var(--line);padding:.25rem .75rem;margin:.5rem 0}
.cits blockquote{margin:.25rem 0;font-style:italic;overflow-wrap:anywhere}
.small{font-size:.85rem;color:var(--muted)}
.problems{margin-top:1.5rem}
mark.value{background:#ffd8a8;border-radius:2px;padding:0 .1em;font-style:normal;font-weight:600}
@media print{
body{padding:0;font-size:11pt}.layout{display:block}.article{border:0;padding:0}
.details{position:static;max-height:none;overflow:visible;border:0;padding:0;margin-top:1rem}
.js .detail,.detail,.js .detail.active{display:block !important;border-bottom:1px solid #999;break-inside:auto}
.detail .head{break-inside:avoid;break-after:avoid}.cits li{break-inside:avoid}
.claim{text-decoration-line:underline}.claim.selected{outline:0}
a[href]::after{content:" (" attr(href) ")";font-size:.8em;color:#555;overflow-wrap:anywhere}
}
"""

SCRIPT = """
(function(){
document.documentElement.classList.add('js');
function select(i){
  document.querySelectorAll('.detail.active').forEach(function(d){d.classList.remove('active');});
  document.querySelectorAll('[data-claim]').forEach(function(m){
    var on=m.getAttribute('data-claim')===i;m.classList.toggle('selected',on);m.setAttribute('aria-pressed',on?'true':'false');});
  var d=document.getElementById('claim-'+i);if(d){d.classList.add('active');}
}
document.addEventListener('click',function(e){var t=e.target.closest('[data-claim]');if(t){select(t.getAttribute('data-claim'));}});
document.addEventListener('keydown',function(e){
  if((e.key==='Enter'||e.key===' ')&&e.target.matches&&e.target.matches('[data-claim]')){e.preventDefault();
    select(e.target.getAttribute('data-claim'));}});
var first=document.querySelector('[data-claim].contradicted')||document.querySelector('[data-claim]');
if(first){select(first.getAttribute('data-claim'));}
})();
"""


def esc(text: object) -> str:
    """Escape for HTML text and attribute values; control characters and lone surrogates dropped."""
    return html.escape(_CONTROL.sub("", str(text)), quote=True)



def _csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode() + "'"


def claim_segments(length: int, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int, int | None]]:
    """Cut [0, length) at every span edge; each piece belongs to the innermost span covering it (or None).

    Spans may overlap or nest (an apposition inside its sentence); adjacent pieces of one owner merge."""
    clipped = [(max(0, min(s, length)), max(0, min(e, length))) for s, e in spans]
    edges = sorted({0, length, *(s for s, _ in clipped), *(e for _, e in clipped)})
    out: list[tuple[int, int, int | None]] = []
    for a, b in zip(edges, edges[1:]):
        if a >= b:
            continue
        covering = [i for i, (s, e) in enumerate(clipped) if s <= a and e >= b and s < e]
        owner = min(covering, key=lambda i: (clipped[i][1] - clipped[i][0], i)) if covering else None
        if out and out[-1][2] == owner and out[-1][1] == a:
            out[-1] = (out[-1][0], b, owner)
        else:
            out.append((a, b, owner))
    return out


def _mark(i: int, v: Verdict, inner: str, first: bool) -> str:
    label = v.label.value
    icon = f'<span class="icon" aria-hidden="true">{ICONS[v.label]}</span>' if first else ""
    title = esc(f"{label} ({v.confidence:.0%}): {v.reason}")
    return (f'<mark class="claim {label}" data-claim="{i}" role="button" tabindex="{0 if first else -1}" '
            f'aria-pressed="false" aria-controls="claim-{i}" aria-label="{esc(label)} claim: {esc(v.text)}" '
            f'title="{title}">{icon}{inner}</mark>')


def _article(text: str, verdicts: Sequence[Verdict]) -> str:
    segments = claim_segments(len(text), [(v.claim.start, v.claim.end) for v in verdicts])
    seen: set[int] = set()
    parts = []
    for a, b, owner in segments:
        piece = esc(text[a:b])
        if owner is None:
            parts.append(piece)
        else:
            parts.append(_mark(owner, verdicts[owner], piece, owner not in seen))
            seen.add(owner)
    out = f'<div class="article" role="region" aria-label="Article with claims highlighted">{"".join(parts)}</div>'
    hidden = [i for i in range(len(verdicts)) if i not in seen]
    if hidden:  # a claim whose span another claim covers exactly still gets a way in
        out += _claims_list(verdicts, hidden, "Claims not separately highlighted")
    return out


def _claims_list(verdicts: Sequence[Verdict], indices: Sequence[int], heading: str) -> str:
    items = "".join(f"<li>{_mark(i, verdicts[i], esc(verdicts[i].text), True)}</li>" for i in indices)
    return f'<h2>{esc(heading)}</h2><ol class="claims-list">{items}</ol>'


def _by_sentence(verdicts: Sequence[Verdict]) -> str:
    """Without the article text: each source sentence once, its claims highlighted beneath it."""
    out, i = [], 0
    while i < len(verdicts):
        key = (verdicts[i].claim.source, verdicts[i].claim.sentence)
        j = i
        while j < len(verdicts) and (verdicts[j].claim.source, verdicts[j].claim.sentence) == key:
            j += 1
        where = f"{key[0]}:{verdicts[i].claim.line}" if key[0] else f"line {verdicts[i].claim.line}"
        out.append(f'<p class="sentence"><span class="small">{esc(where)}</span> {esc(key[1])}</p>')
        items = "".join(f"<li>{_mark(k, verdicts[k], esc(verdicts[k].text), True)}</li>" for k in range(i, j))
        out.append(f'<ul class="claims-list">{items}</ul>')
        i = j
    return f'<div class="article-claims" role="region" aria-label="Claims by sentence">{"".join(out)}</div>'


def _compared_values(reason: str) -> set[str]:
    """The evidence's values a reason names ("year differs: 2019 (claim) vs 2017 (evidence)" -> {"2017"};
    "evidence states the same amount 50 billion USD" -> {"50 billion USD"})."""
    out = set()
    for part in reason.split(";"):
        if " vs " in part and "(evidence)" in part:
            for value in part.split(" vs ", 1)[1].split("(evidence)", 1)[0].split(","):
                out.add(value.strip())
        elif "states the same" in part:
            for item in part.split("states the same", 1)[1].split(","):
                words = item.strip().split(" ", 1)
                if len(words) == 2:
                    out.add(words[1].split(" (")[0].strip())
    return {v for v in out if v}


def _marked(passage: str, reason: str) -> str:
    """The passage, escaped, with the values the reason compared marked where the passage states them."""
    wanted = _compared_values(reason)
    if not wanted:
        return esc(passage)
    from verify.facts import extract_dates, extract_places, extract_quantities, format_quantity

    lang = "de" if re.search(r"\b(der|die|das|und|ist|wurde|Milliarden)\b", passage) else "en"
    spans = []
    for q in extract_quantities(passage, lang):
        if format_quantity(q) in wanted or any(w.startswith(format_quantity(q)) for w in wanted):
            spans.append((q.start, q.end))
    for d in extract_dates(passage, lang):
        if d.text in wanted or (d.year is not None and str(d.year) in wanted):
            spans.append((d.start, d.end))
    for pl in extract_places(passage):
        if pl.name.title() in {w.title() for w in wanted}:
            spans.append((pl.start, pl.end))
    out, pos = [], 0
    for a, b in sorted(set(spans)):
        if a < pos:
            continue
        out.append(esc(passage[pos:a]) + f'<mark class="value">{esc(passage[a:b])}</mark>')
        pos = b
    return "".join(out) + esc(passage[pos:])


def _detail(i: int, v: Verdict) -> str:
    label = v.label.value
    rows = [
        f'<section class="detail" id="claim-{i}" aria-labelledby="claim-{i}-h"><div class="head">',
        f'<h2 id="claim-{i}-h"><span class="label {label}">{ICONS[v.label]} {esc(label)}</span> '
        f'<span class="small">confidence {v.confidence:.0%}</span></h2>',
        f"<p><strong>Claim:</strong> {esc(v.text)}</p>",
        f"<p><strong>Reason:</strong> {esc(v.reason)}"
        + (f" ({esc(v.unknown_reason.value)})" if v.unknown_reason else "") + "</p>",
    ]
    c = v.claim
    facts = [f"{c.source or 'article'}:{c.line}:{c.column}", f"chars {c.start}–{c.end}", c.language, c.kind.value]
    if c.speaker:
        facts.append(f"speaker: {c.speaker}")
    rows.append(f'<p class="small">{esc(" · ".join(facts))}</p>')
    if v.citations:
        rows.append(f"<h3>Citations ({len(v.citations)})</h3></div><ol class=\"cits\">")
        for cit in v.citations:
            url = safe_url(cit.url)
            title = esc(cit.title or cit.doc_id)
            head = (f'<a href="{esc(url)}" rel="noopener noreferrer" target="_blank">{title}</a>' if url
                    else f"<strong>{title}</strong>")
            meta = " · ".join(esc(x) for x in (cit.publisher, cit.published) if x)
            rows.append(
                f'<li class="cit {esc(cit.stance.value)}">{head}'
                + (f'<div class="small">{meta}</div>' if meta else "")
                + f"<blockquote>{_marked(cit.passage, v.reason)}</blockquote>"
                f'<div class="small">stance: {esc(cit.stance.value)} · score {cit.score:.2f} · '
                f"{esc(cit.doc_id)} chars {cit.start}–{cit.end}</div></li>"
            )
        rows.append("</ol>")
    else:
        rows.append("<p class=\"small\">No citations.</p></div>")
    rows.append("</section>")
    return "".join(rows)


# Only this page's own inline style and script (pinned by hash) may run: injected markup could not.
REPORT_CSP = (f"default-src 'none'; style-src {_csp_hash(CSS)}; script-src {_csp_hash(SCRIPT)}; "
              "img-src data:; base-uri 'none'; form-action 'none'")


def render_html(report: Report, article_text: str | None = None) -> str:
    """A self-contained page (inline CSS and JS, nothing external); every text from the report is escaped.

    With `article_text` the claims are highlighted in place (Claim.start/end index into it); without it
    each source sentence is shown with its claims."""
    verdicts = report.verdicts
    counts = report.counts
    csp = REPORT_CSP
    summary = "".join(
        f'<li class="label {label.value}">{ICONS[label]} {counts.get(label.value, 0)} {label.value}</li>'
        for label in Label
    )
    meta = [f"{len(verdicts)} claims"]
    if report.source:
        meta.append(f"source: {report.source}")
    if report.encoder:
        meta.append(f"encoder: {report.encoder}")
    if report.judges:
        meta.append("judges: " + ", ".join(report.judges))
    if report.index:
        meta.append(f"corpus: {report.index.documents} documents, {report.index.passages} passages")
    body = _article(article_text, verdicts) if article_text is not None else _by_sentence(verdicts)
    details = "".join(_detail(i, v) for i, v in enumerate(verdicts)) or "<p>No check-worthy claims found.</p>"
    problems = ""
    if report.problems:
        items = "".join(
            f"<li><strong>{esc(p.severity)}</strong> {esc(f'{p.path}:{p.line}' if p.line else p.path)}: "
            f"{esc(p.message)}</li>"
            for p in report.problems
        )
        problems = f'<section class="problems"><h2>Skipped or degraded inputs</h2><ul>{items}</ul></section>'
    title = f"verify report — {report.source}" if report.source else "verify report"
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>verify report</h1><p class=\"meta\">{esc(' · '.join(meta))}</p>"
        f'<ul class="summary" aria-label="Verdict counts">{summary}</ul></header>'
        f'<div class="layout"><main>{body}{problems}</main>'
        f'<aside class="details" aria-live="polite" aria-label="Selected claim">{details}</aside></div>'
        f"<script>{SCRIPT}</script></body></html>\n"
    )
