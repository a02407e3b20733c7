#!/usr/bin/env bash
# Train the project's NLI judge from scratch on CPU and export the committed artifact, in two stages:
#   scripts/train_judge.sh [STAGE1_MINUTES] [STAGE2_MINUTES] [RUN_DIR]
# Stage 1 (mix v1, seed 0): the e5 base on XNLI/MNLI/SICK/ANLI/HealthVer + number/date/place/name swaps.
# Stage 2 (mix v2, seed 1): continues from stage 1's artifact with lexical-substitution swaps, topical
#   neutrals and claims asked as questions added (verify/judge_training/lexical.py), lr 3e-5.
# Logs: RUN_DIR/stage*/train.log (loss, periodic XNLI-dev accuracy), RUN_DIR/stage*/data_manifest.json.
# The artifact goes to verify/judge_artifact/ (judge.safetensors + judge.json + data_manifest.json).
set -euo pipefail
cd "$(dirname "$0")/.."
STAGE1="${1:-106}"
STAGE2="${2:-90}"
RUN="${3:-runs/judge-$(date -u +%Y%m%d-%H%M%S)}"
PY="${PYTHON:-.venv/bin/python}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
mkdir -p "$RUN/stage1" "$RUN/stage2"
"$PY" -m verify.judge_training.train --run "$RUN/stage1" --minutes "$STAGE1" --mix v1 --freeze-layers 2 --bs 16 \
  --lr 5e-5 --maxlen 128 --seed 0 2>&1 | tee -a "$RUN/stage1/stdout.log"
"$PY" -m verify.judge_training.train --run "$RUN/stage2" --minutes "$STAGE2" --mix v2 \
  --init-artifact "$RUN/stage1/artifact" --freeze-layers 2 --bs 16 --lr 3e-5 --warmup-frac 0.03 --maxlen 128 \
  --seed 1 --eval-every-min 10 2>&1 | tee -a "$RUN/stage2/stdout.log"
cp "$RUN/stage2/artifact/judge.safetensors" "$RUN/stage2/artifact/judge.json" verify/judge_artifact/
cp "$RUN/stage2/data_manifest.json" verify/judge_artifact/data_manifest.json
echo "artifact: verify/judge_artifact/ ($(du -sh verify/judge_artifact | cut -f1))"
echo "evaluate: scripts/eval_all.sh   (or: .venv/bin/verify eval xnli-de --gold-evidence)"
