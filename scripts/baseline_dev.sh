#!/usr/bin/env bash
# A system (run it from a worktree of the commit to measure) through the full pipeline on the dev splits, the
# AVeriTeC dev carve-out and the owned development set, with predictions: one side of a paired comparison
# (python -m verify.eval.compare A/x.pred.jsonl B/x.pred.jsonl). Test splits: scripts/eval_shipped.sh.
#   scripts/baseline_dev.sh OUT
set -euo pipefail
OUT=${1:-runs/base-dev}
PY=${PY:-.venv/bin/python}
mkdir -p "$OUT"
for b in averitec climate-fever healthfc covid-fact; do
  echo "$(date -u +%T) $b"
  $PY -m verify eval "$b" --split dev --format json -o "$OUT/$b.json" --predictions "$OUT/$b.pred.jsonl"
done
echo "$(date -u +%T) owned dev set"
$PY -m verify eval fever-jsonl --data eval/owned/seed-topic.jsonl --evidence evidence --split all --format json \
  -o "$OUT/owned-seed-topic.json" --predictions "$OUT/owned-seed-topic.pred.jsonl"
echo "$(date -u +%T) done"
