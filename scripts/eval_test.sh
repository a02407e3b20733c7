#!/usr/bin/env bash
# The pipeline's test figures with the thresholds files as they are (nothing tuned), with per-claim predictions:
#   scripts/eval_test.sh [OUT_DIR]
# For each benchmark: the shipped thresholds (a full run), then --reuse-judgements with eval/thresholds/NAME.json
# and small-corpus.json; then --encoder e5-small with e5-small.json (a full run), NAME-e5-small.json and
# e5-small-floor03.json. Compare two prediction files with python -m verify.eval.compare A B.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-runs/eval-test-$(date -u +%Y%m%d-%H%M)}"
V="${VERIFY:-.venv/bin/verify}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
mkdir -p "$OUT"
for set in climate-fever healthfc covid-fact; do
  echo "$(date -u +%T) $set"
  $V eval $set --split test --format json --predictions $OUT/pred-$set.jsonl -o $OUT/test-$set.json 2>>$OUT/test.log
  $V eval $set --split test --reuse-judgements --format markdown -o $OUT/test-$set.md 2>>$OUT/test.log
  $V eval $set --split test --reuse-judgements --thresholds eval/thresholds/$set.json --format json \
    --predictions $OUT/pred-$set-own.jsonl -o $OUT/test-$set-own.json 2>>$OUT/test.log
  $V eval $set --split test --reuse-judgements --thresholds eval/thresholds/small-corpus.json --format json \
    -o $OUT/test-$set-small-corpus.json 2>>$OUT/test.log
done
for set in climate-fever healthfc covid-fact; do
  echo "$(date -u +%T) $set e5-small"
  $V eval $set --encoder e5-small --split test --thresholds eval/thresholds/e5-small.json --format json \
    -o $OUT/test-$set-e5.json 2>>$OUT/test.log
  $V eval $set --encoder e5-small --split test --reuse-judgements --thresholds eval/thresholds/$set-e5-small.json \
    --format json -o $OUT/test-$set-e5-own.json 2>>$OUT/test.log
  $V eval $set --encoder e5-small --split test --reuse-judgements --thresholds eval/thresholds/e5-small-floor03.json \
    --format json -o $OUT/test-$set-e5-floor03.json 2>>$OUT/test.log
done
for set in climate-fever healthfc covid-fact; do
  .venv/bin/python -m verify.eval.compare $OUT/pred-$set.jsonl $OUT/pred-$set-own.jsonl >> $OUT/compare-own.md
done
echo "$(date -u +%T) results in $OUT"
