#!/usr/bin/env bash
# The choice sets for judge candidates (never the held-out sets):
#   scripts/judge_choice.sh OUT_DIR NAME=FOLDER [NAME=FOLDER ...]
# FOLDER is an assembled CrossEncoder folder (python -c 'from verify.weights.judge import ensure_judge; ...').
# Per candidate: mnli-choice-en (held-apart 3-way), RTE-3-de dev, and the four benchmark dev samples
# (300 claims, each evidence sentence judged alone). One JSON per set in OUT_DIR/NAME/, a summary on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="$1"; shift
PY="${PYTHON:-.venv/bin/python}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
for cand in "$@"; do
  name="${cand%%=*}"; folder="${cand#*=}"
  mkdir -p "$OUT/$name"
  "$PY" -m verify.eval.gold mnli-choice-en --split dev --judge "$folder" > "$OUT/$name/mnli-choice-en.json" 2>>"$OUT/$name/log.txt"
  "$PY" -m verify.eval.gold rte3-de --split dev --judge "$folder" > "$OUT/$name/rte3-de-dev.json" 2>>"$OUT/$name/log.txt"
  for set in covid-fact healthfc-de healthfc-en climate-fever; do
    "$PY" -m verify.eval.gold "$set" --split dev --per-sentence --limit 300 --judge "$folder" \
      > "$OUT/$name/$set-dev.json" 2>>"$OUT/$name/log.txt"
  done
done
"$PY" - "$OUT" "$@" <<'PYEOF'
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
sets = ["covid-fact", "healthfc-de", "healthfc-en", "climate-fever"]
print("| candidate | mnli-choice-en acc | RTE-3-de dev acc | " + " | ".join(f"{s} dev mF1" for s in sets) + " | bench-dev mean |")
print("|---" * (4 + len(sets)) + "|")
for cand in sys.argv[2:]:
    name = cand.split("=", 1)[0]
    r = lambda f: json.loads((out / name / f).read_text())
    bench = [r(f"{s}-dev.json")["macro_f1"] for s in sets]
    print(f"| {name} | {r('mnli-choice-en.json')['accuracy']:.4f} | {r('rte3-de-dev.json')['accuracy']:.4f} | "
          + " | ".join(f"{b:.3f}" for b in bench) + f" | {sum(bench) / len(bench):.4f} |")
PYEOF
