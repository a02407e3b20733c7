"""Render the measured tables of docs/results.md from an eval_all.sh output folder (JSON in, Markdown out).

    .venv/bin/python scripts/results_tables.py runs/eval-final > /tmp/tables.md
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _f(x) -> str:
    return "-" if x is None else f"{x:.3f}"


def main(folder: str) -> int:
    d = Path(folder)
    out = ["| dataset | n | accuracy | macro-F1 | F1 supported | F1 contradicted | F1 unknown | recall@1 | recall@5 "
           "| recall@10 | ECE | abstain | s/claim |", "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name in ("climate-fever", "healthfc", "covid-fact"):
        p = d / f"test-{name}.json"
        if not p.exists():
            continue
        r = json.loads(p.read_text())
        f1 = {c: v["f1"] if v["support"] else None for c, v in r["per_class"].items()}
        out.append(f"| {name} | {r['n']} | {_f(r['accuracy'])} | {_f(r['macro_f1'])} | {_f(f1.get('supported'))} | "
                   f"{_f(f1.get('contradicted'))} | {_f(f1.get('unknown'))} | {_f(r['recall_at_1'])} | "
                   f"{_f(r['recall_at_5'])} | {_f(r['recall_at_10'])} | {_f(r['ece'])} | "
                   f"{_f(r.get('abstain_rate'))} | {r['seconds_per_claim']:.3f} |")
        for lg, v in (r.get("per_language") or {}).items():
            if len(r["per_language"]) > 1:
                pc = v["per_class_f1"]
                out.append(f"| {name} {lg} | {v['n']} | {_f(v['accuracy'])} | {_f(v['macro_f1'])} | "
                           f"{_f(pc.get('supported'))} | {_f(pc.get('contradicted'))} | {_f(pc.get('unknown'))} "
                           "| | | | | | |")
    t = d / "tune.json"
    if t.exists():
        r = json.loads(t.read_text())
        out += ["", "| dev view | n | accuracy (after) | macro-F1 (before) | macro-F1 (after) | F1 per class (after) |",
                "|---|---|---|---|---|---|"]
        for view, v in r["dev_after"].items():
            if not isinstance(v, dict):
                continue
            b = r["dev_before"][view]
            pc = ", ".join(f"{c} {x:.3f}" for c, x in v["per_class_f1"].items())
            out.append(f"| {view} | {v['n']} | {_f(v['accuracy'])} | {_f(b['macro_f1'])} | {_f(v['macro_f1'])} | {pc} |")
        out += ["", f"objective ({r['objective']}): {r['dev_before']['objective']} -> {r['dev_after']['objective']}",
                "", "thresholds: " + json.dumps({k: v for k, v in r["thresholds"].items() if k != "calibration"}),
                "", f"calibration: dev ECE pooled {r['calibration']['dev_ece_pooled']}"]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "runs/eval-final"))
