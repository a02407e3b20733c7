#!/usr/bin/env bash
# A system (run it from a worktree of the commit to measure) through the full pipeline on the dev splits and the
# AVeriTeC dev carve-out, with predictions: the "before" of a paired comparison. The test splits of a baseline:
# scripts/eval_shipped.sh OUT from the same worktree.
#   scripts/baseline_dev.sh OUT
set -euo pipefail
OUT=${1:-runs/base-dev}
PY=${PY:-.venv/bin/python}
mkdir -p "$OUT"
for b in averitec climate-fever healthfc covid-fact; do
  echo "$(date -u +%T) $b"
  $PY -m verify eval "$b" --split dev --format json -o "$OUT/$b.json" --predictions "$OUT/$b.pred.jsonl"
done
echo "$(date -u +%T) done"
