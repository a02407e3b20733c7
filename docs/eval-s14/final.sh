#!/usr/bin/env bash
# Final code of session 14: dev (paired vs 2d105ca) and the test splits again.
set -uo pipefail
cd /work/main
while pgrep -f "gold.sh" >/dev/null || pgrep -f ".ci/run" >/dev/null; do sleep 10; done
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
OUT=runs/s14
rm -f $OUT/compare-dev-final.md $OUT/compare-test-final.md
for set in climate-fever healthfc covid-fact; do
  echo "$(date -u +%T) dev $set"
  .venv/bin/python -m verify eval $set --split dev --format json --predictions $OUT/pred-dev-final-$set.jsonl -o $OUT/dev-final-$set.json 2>>$OUT/final.log
  .venv/bin/python -m verify.eval.compare $OUT/pred-dev-old-$set.jsonl $OUT/pred-dev-final-$set.jsonl >> $OUT/compare-dev-final.md 2>>$OUT/final.log
done
for set in seed-topic seed-topic-test; do
  .venv/bin/verify eval fever-jsonl --data eval/owned/$set.jsonl --evidence evidence --split all --format json --predictions $OUT/pred-final-$set.jsonl -o $OUT/final-$set.json 2>>$OUT/final.log
  .venv/bin/verify eval fever-jsonl --data eval/owned/$set.jsonl --evidence evidence --split all --judge rules --format json -o $OUT/final-$set-rules.json 2>>$OUT/final.log
done
echo "$(date -u +%T) test"
scripts/eval_test.sh runs/eval-s14-final
for set in climate-fever healthfc covid-fact; do
  .venv/bin/python -m verify.eval.compare $OUT/pred-test-old-$set.jsonl runs/eval-s14-final/pred-$set.jsonl >> $OUT/compare-test-final.md 2>>$OUT/final.log
done
echo "$(date -u +%T) done"
