"""The current tables of docs/results.md from the run folders (JSON in, Markdown out).

    .venv/bin/python scripts/results_report.py runs/base runs/after runs/v7-eval > /tmp/tables.md

runs/base: the code as the last change found it (scripts/baseline_dev.sh and the test splits); runs/after: the
shipped system (runs/after-test.sh); runs/v7-eval: scripts/judge_v7.sh.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _f(x) -> str:
    return "-" if x is None else f"{x:.3f}"


def _load(p: Path) -> dict | None:
    return json.loads(p.read_text()) if p.exists() else None


def _paired(md: Path) -> dict[str, str]:
    """metric -> 'delta (lo to hi)' from a verify.eval.compare Markdown file."""
    out = {}
    if not md.exists():
        return out
    for line in md.read_text().splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) >= 5 and cells[0] in ("accuracy", "macro-f1"):
            out[cells[0]] = f"{cells[3]} ({cells[4]})"
    return out


def row(name: str, split: str, before: dict | None, after: dict | None, paired: dict[str, str]) -> str:
    b, a = before or {}, after or {}
    ta, tb = a.get("trust", {}), b.get("trust", {})
    ci = a.get("ci", {})
    acc_ci = f" ({_f(ci['accuracy'][0])}–{_f(ci['accuracy'][1])})" if ci.get("accuracy") else ""
    return (f"| {name} | {split} | {a.get('n', '-')} | {_f(b.get('accuracy'))} → **{_f(a.get('accuracy'))}**{acc_ci} | "
            f"{_f(b.get('macro_f1'))} → **{_f(a.get('macro_f1'))}** | {paired.get('accuracy', '-')} | "
            f"{paired.get('macro-f1', '-')} | {_f(tb.get('false_as_supported'))} → {_f(ta.get('false_as_supported'))} | "
            f"{_f(tb.get('precision_supported'))} → {_f(ta.get('precision_supported'))} | "
            f"{_f(tb.get('precision_contradicted'))} → {_f(ta.get('precision_contradicted'))} | "
            f"{_f(a.get('recall_at_5'))} | {_f(a.get('ece'))} |")


def main(base: str, after: str, v7: str) -> int:
    b, a, v = Path(base), Path(after), Path(v7)
    print("| set | split | n | accuracy (95 % interval) | macro-F1 | paired Δ accuracy (95 %) | paired Δ macro-F1 "
          "(95 %) | false claims labelled supported | precision supported | precision contradicted | recall@5 | ECE |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name in ("climate-fever", "healthfc", "covid-fact"):
        print(row(name, "test", _load(b / f"test-{name}.json"), _load(a / f"test-{name}.json"),
                  _paired(a / f"compare-test-{name}.md")))
    print(row("averitec", "dev carve-out", _load(b / "averitec.json"), _load(a / "averitec.json"),
              _paired(a / "compare-averitec.md")))
    for name in ("climate-fever", "healthfc", "covid-fact"):
        print(row(name, "dev", _load(b / f"{name}.json"), _load(v / f"dev-{name}.json"),
                  _paired(v / f"compare-dev-{name}.md") or _paired(v / f"compare-{name}.md")))
    hf = _load(a / "test-healthfc.json")
    hb = _load(b / "test-healthfc.json")
    if hf and hb:
        print()
        print("HealthFC per language (test): " + ", ".join(
            f"{lg} macro-F1 {_f(hb['per_language'][lg]['macro_f1'])} → {_f(hf['per_language'][lg]['macro_f1'])}"
            for lg in ("de", "en") if lg in hf["per_language"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:4]))
