#!/usr/bin/env bash
# Train the project's NLI judge from scratch on CPU and export the committed artifact.
#   scripts/train_judge.sh [MINUTES] [RUN_DIR]
# Logs: RUN_DIR/train.log (loss, periodic XNLI-dev accuracy), RUN_DIR/data_manifest.json.
# The artifact goes to verify/judge_artifact/ (judge.safetensors + judge.json).
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES="${1:-115}"
RUN="${2:-runs/judge-$(date -u +%Y%m%d-%H%M%S)}"
PY="${PYTHON:-.venv/bin/python}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
mkdir -p "$RUN"
"$PY" -m verify.judge_training.train --run "$RUN" --minutes "$MINUTES" --freeze-layers 2 --bs 16 --lr 5e-5 \
  --maxlen 128 --seed 0 2>&1 | tee -a "$RUN/stdout.log"
cp "$RUN/artifact/judge.safetensors" "$RUN/artifact/judge.json" verify/judge_artifact/
cp "$RUN/data_manifest.json" verify/judge_artifact/data_manifest.json
echo "artifact: verify/judge_artifact/ ($(du -sh verify/judge_artifact | cut -f1))"
echo "evaluate: $PY -m verify.eval.nli_sets xnli-de"
