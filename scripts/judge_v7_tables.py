"""The judge-alone tables of scripts/judge_v7.sh and the choice its rule makes (docs/judge-v7/choice-rule.md)."""

import json
import sys
from pathlib import Path

out = Path(sys.argv[1])
models = ["shipped", "v7", "soup"]
sets = ["fv-dev", "averitec", "xnli-de", "healthfc-de"]
res = {(s, m): json.loads((out / f"gold-{s}-{m}.json").read_text()) for s in sets for m in models
       if (out / f"gold-{s}-{m}.json").exists()}
print("| set | judge | n | accuracy | macro-F1 | F1 supported/entailment | F1 unknown/neutral | F1 contradicted | "
      "false read as supported |")
print("|---|---|---|---|---|---|---|---|---|")
for s in sets:
    for m in models:
        r = res.get((s, m))
        if not r:
            continue
        pc = r["per_class"]
        f1 = [pc.get(c, {}).get("f1") for c in ("entailment", "neutral", "contradiction")]
        conf = r.get("confusion") or {}
        c_row = conf.get("contradiction") or {}
        n_c = sum(c_row.values()) if c_row else 0
        fas = round(c_row.get("entailment", 0) / n_c, 3) if n_c else None
        print(f"| {s} | {m} | {r['n']} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | "
              + " | ".join("-" if x is None else f"{x:.3f}" for x in f1) + f" | {fas} |")
ok = [m for m in ("v7", "soup") if res.get(("xnli-de", m)) and res[("xnli-de", m)]["accuracy"] >= 0.69]
pool = ok or ["v7", "soup"]
pool = [m for m in pool if res.get(("fv-dev", m))]
if pool:
    choice = max(pool, key=lambda m: res[("fv-dev", m)]["macro_f1"])
    print(f"\nchoice by the rule: {choice} (candidates keeping XNLI-de >= 0.69: {ok or 'none'})")
