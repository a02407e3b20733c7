#!/usr/bin/env bash
# The judge alone on its held-out sets, session 14 (the shipped stage-10 artifact, unchanged).
set -uo pipefail
cd /work/main
while pgrep -f "ci14" >/dev/null || pgrep -f ".ci/run" >/dev/null; do sleep 10; done
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
for set in xnli-de xnli-en-de swaps-de rte3-de; do
  echo "$(date -u +%T) $set"
  .venv/bin/verify eval $set --gold-evidence --format json -o runs/s14/gold-$set.json 2>>runs/s14/gold.log
done
echo "$(date -u +%T) covid-fact"
.venv/bin/verify eval covid-fact --gold-evidence --per-sentence --limit 1000 --format json -o runs/s14/gold-covid-fact.json 2>>runs/s14/gold.log
echo "$(date -u +%T) done"
