#!/usr/bin/env bash
# Test splits with the code before the bound fix (2d105ca), paired against runs/eval-s14 (session 14).
set -uo pipefail
cd /work/main
while pgrep -f eval_test.sh >/dev/null; do sleep 10; done
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
OUT=runs/s14
for set in climate-fever healthfc covid-fact; do
  echo "$(date -u +%T) old $set test"
  (cd /tmp/wt-old && VERIFY_BENCHMARKS=/work/shared/benchmarks /work/main/.venv/bin/python -m verify eval $set --split test --format json --predictions /work/main/$OUT/pred-test-old-$set.jsonl -o /work/main/$OUT/test-old-$set.json 2>>/work/main/$OUT/test-old.log)
  .venv/bin/python -m verify.eval.compare $OUT/pred-test-old-$set.jsonl runs/eval-s14/pred-$set.jsonl >> $OUT/compare-test.md 2>>$OUT/test-old.log
done
echo "$(date -u +%T) done"
