#!/usr/bin/env bash
# Train the project's NLI judge from scratch on CPU and install the committed artifact, in five stages and an
# average (the lineage table of docs/judge-model-card.md):
#   scripts/train_judge.sh [STAGE1_MINUTES] [STAGE2_MINUTES] [RUN_DIR] [STAGE3_MINUTES] [STAGE4_MINUTES] [STAGE5_MINUTES]
# Stage 1 (mix v1, seed 0): the e5 base on XNLI/MNLI/SICK/ANLI/HealthVer + number/date/place/name swaps.
# Stage 2 (mix v2, seed 1): lexical-substitution swaps, topical neutrals and claims asked as questions added.
# Stage 3 (mix v4, seed 4): the human-labelled NLI whole, a quarter of the generated pairs, without the
#   held-apart choice premises (mnli-choice-en), lr 2e-5, 10 % warmup.
# Stage 4 (mix v6, seed 11): v4 plus 6,000 retrieved near neutrals, lr 2e-5.
# Stage 5 (mix v7, seed 21): the real claim-evidence pairs of ../shared/fv-data plus as many v6 pairs,
#   max length 192; the installed judge is the average of stages 4 and 5.
# The settings of all stages live in one place, `verify train-judge` (verify/cli/train.py).
# Logs: RUN_DIR/stage*/train.log (loss, periodic XNLI-dev accuracy), RUN_DIR/stage*/data_manifest.json.
# The artifact goes to verify/weights/judge_artifact/ (judge.safetensors + judge.json + data_manifest.json).
set -euo pipefail
cd "$(dirname "$0")/.."
RUN="${3:-runs/judge-$(date -u +%Y%m%d-%H%M%S)}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
"${VERIFY:-.venv/bin/verify}" train-judge --minutes "${1:-106}" --continue-minutes "${2:-90}" \
  --stage3-minutes "${4:-80}" --stage4-minutes "${5:-70}" --stage5-minutes "${6:-62}" --run "$RUN"
echo "artifact: verify/weights/judge_artifact/ ($(du -sh verify/weights/judge_artifact | cut -f1))"
echo "evaluate: scripts/eval_all.sh   (or: .venv/bin/verify eval xnli-de --gold-evidence)"
