#!/usr/bin/env bash
# Dev splits, old code (2d105ca) vs the bound fix, paired: session 14.
set -uo pipefail
cd /work/main
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
OUT=runs/s14
for set in climate-fever healthfc covid-fact; do
  echo "$(date -u +%T) old $set"
  (cd /tmp/wt-old && VERIFY_BENCHMARKS=/work/shared/benchmarks /work/main/.venv/bin/python -m verify eval $set --split dev --format json --predictions /work/main/$OUT/pred-dev-old-$set.jsonl -o /work/main/$OUT/dev-old-$set.json 2>>/work/main/$OUT/dev.log)
  echo "$(date -u +%T) new $set"
  .venv/bin/python -m verify eval $set --split dev --format json --predictions $OUT/pred-dev-new-$set.jsonl -o $OUT/dev-new-$set.json 2>>$OUT/dev.log
  .venv/bin/python -m verify.eval.compare $OUT/pred-dev-old-$set.jsonl $OUT/pred-dev-new-$set.jsonl >> $OUT/compare-dev.md 2>>$OUT/dev.log
done
echo "$(date -u +%T) done"
