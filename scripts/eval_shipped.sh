#!/usr/bin/env bash
# The shipped system on the test splits (paired with a baseline's predictions when BASE has them), the AVeriTeC
# dev carve-out, the owned sets and the seed audit. Read the test splits once, after every choice.
#   scripts/eval_shipped.sh [OUT=runs/after] [BASE=runs/base]
set -uo pipefail
OUT=${1:-runs/after}
BASE=${2:-runs/base}
PY=${PY:-.venv/bin/python}
export HF_HUB_OFFLINE=1
mkdir -p "$OUT"
for b in climate-fever healthfc covid-fact; do
  echo "$(date -u +%T) test $b"
  $PY -m verify eval $b --split test --format json -o $OUT/test-$b.json --predictions $OUT/test-$b.pred.jsonl 2> $OUT/test-$b.err
  [ -f $BASE/test-$b.pred.jsonl ] && $PY -m verify.eval.compare $BASE/test-$b.pred.jsonl $OUT/test-$b.pred.jsonl > $OUT/compare-test-$b.md
done
echo "$(date -u +%T) averitec"
$PY -m verify eval averitec --format json -o $OUT/averitec.json --predictions $OUT/averitec.pred.jsonl 2> $OUT/averitec.err
[ -f $BASE/averitec.pred.jsonl ] && $PY -m verify.eval.compare $BASE/averitec.pred.jsonl $OUT/averitec.pred.jsonl > $OUT/compare-averitec.md
echo "$(date -u +%T) owned"
$PY -m verify eval fever-jsonl --data eval/owned/seed-topic.jsonl --evidence evidence --split all --format json -o $OUT/owned-dev.json
$PY -m verify eval fever-jsonl --data eval/owned/seed-topic-test.jsonl --evidence evidence --split all --format json -o $OUT/owned-test.json
$PY -m verify eval articles --data eval/owned-articles --format json -o $OUT/articles.json --predictions $OUT/articles.pred.jsonl
$PY -m verify audit --format json > $OUT/seed.json
echo "$(date -u +%T) done"
