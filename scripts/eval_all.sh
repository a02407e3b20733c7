#!/usr/bin/env bash
# Every quality measurement of docs/results.md and docs/judge-model-card.md, in one run:
#   scripts/eval_all.sh [OUT_DIR] [--no-tune]
# 1. the judge alone on gold evidence (held-out / test splits);
# 2. threshold search + confidence calibration on the benchmarks' DEV splits (writes verify/data/thresholds*.json);
# 3. the full pipeline on the full TEST splits with the tuned thresholds;
# 4. thresholds tuned per benchmark (eval/thresholds/NAME.json) and their test figures;
# 5. the recall option (--encoder e5-small) with its own dev-tuned thresholds on the test splits.
# JSON and Markdown for each step land in OUT_DIR (default runs/eval-<date>); logs in OUT_DIR/*.log.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-runs/eval-$(date -u +%Y%m%d-%H%M)}"
TUNE=1
[[ "${2:-}" == "--no-tune" ]] && TUNE=0
PY="${PYTHON:-.venv/bin/python}"
VERIFY="${VERIFY:-.venv/bin/verify}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
mkdir -p "$OUT"

# SKIP_GOLD=1 skips step 1 (the judge alone), e.g. when those sets were measured per candidate already.
if [[ "${SKIP_GOLD:-0}" != 1 ]]; then
for set in xnli-de xnli-en-de rte3-de swaps-de; do
  "$VERIFY" eval "$set" --gold-evidence --format json -o "$OUT/gold-$set.json" 2>>"$OUT/gold.log"
done
# GOLD_LIMIT (default 1000): a fixed sample of the benchmark test splits (per-sentence judging is slow)
for set in covid-fact climate-fever healthfc-de healthfc-en; do
  "$VERIFY" eval "$set" --gold-evidence --per-sentence --limit "${GOLD_LIMIT:-1000}" --format json \
    -o "$OUT/gold-$set.json" 2>>"$OUT/gold.log"
done
fi

if [[ "$TUNE" == 1 ]]; then
  "$PY" -m verify.eval.tune --write > "$OUT/tune.json" 2>"$OUT/tune.log"
fi

for set in climate-fever healthfc covid-fact; do
  "$VERIFY" eval "$set" --split test --format json -o "$OUT/test-$set.json" 2>>"$OUT/test.log"
  "$VERIFY" eval "$set" --split test --reuse-judgements --format markdown -o "$OUT/test-$set.md" 2>>"$OUT/test.log"
done

# 4. thresholds tuned per benchmark on its own dev split (eval/thresholds/), scored on the saved test runs
for set in climate-fever healthfc covid-fact; do
  "$PY" -m verify.eval.tune --sets "$set" --out "eval/thresholds/$set.json" > "$OUT/tune-$set.json" 2>"$OUT/tune-$set.log"
  "$VERIFY" eval "$set" --split test --reuse-judgements --thresholds "eval/thresholds/$set.json" --format markdown \
    -o "$OUT/test-$set-own-thresholds.md" 2>>"$OUT/test.log"
done
# 5. the recall option (--encoder e5-small) with thresholds tuned for it on all dev splits and per benchmark
if [[ "$TUNE" == 1 ]]; then
  "$PY" -m verify.eval.tune --encoder e5-small --dense-weight 0.6 --out eval/thresholds/e5-small.json \
    > "$OUT/tune-e5-small.json" 2>"$OUT/tune-e5-small.log"
fi
for set in climate-fever healthfc covid-fact; do
  "$VERIFY" eval "$set" --encoder e5-small --split test --thresholds eval/thresholds/e5-small.json --format json \
    -o "$OUT/test-$set-e5-small.json" 2>>"$OUT/test.log"
  if [[ "$TUNE" == 1 ]]; then
    "$PY" -m verify.eval.tune --sets "$set" --encoder e5-small --dense-weight 0.6 \
      --out "eval/thresholds/$set-e5-small.json" > "$OUT/tune-$set-e5-small.json" 2>"$OUT/tune-$set-e5-small.log"
  fi
  "$VERIFY" eval "$set" --encoder e5-small --split test --reuse-judgements --thresholds "eval/thresholds/$set-e5-small.json" \
    --format markdown -o "$OUT/test-$set-e5-own-thresholds.md" 2>>"$OUT/test.log"
done
echo "results in $OUT"
