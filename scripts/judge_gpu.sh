#!/usr/bin/env bash
# The judge's GPU round trip, in three steps (model card, "Reproduce" and the rule for the next candidate):
#   scripts/judge_gpu.sh pack                 # here: runs/bundle-v6 (24 MB; carry it to the GPU host)
#   scripts/judge_gpu.sh train OUT [MINUTES]  # there: the candidates of scripts/judge_gpu_configs.json,
#                                             #   the best two (by mnli-choice-en) copied into OUT (8 files)
#   scripts/judge_gpu.sh judge OUT            # here: merge + assemble each kept candidate, then the choice
#                                             #   sets and the pipeline's dev tune (runs/gpu-choice, runs/gpu-tune)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONUNBUFFERED=1
case "${1:-}" in
  pack)
    "$PY" -m verify.training.bundle pack runs/bundle-v6 --mix v6 --seed 7 ;;
  train)
    # on the GPU host `python3` is the one with torch; the deadline leaves time to export and copy
    python3 -m verify.training.bundle_train --bundle runs/bundle-v6 --out /tmp/judge-gpu \
      --configs scripts/judge_gpu_configs.json --minutes "${3:-6}" --keep 2 --keep-to "$2" ;;
  judge)
    OUT="$2"; cands=()
    for d in "$OUT"/*/; do
      name="$(basename "$d")"
      "$PY" -m verify.training.bundle merge "$d" "runs/gpu-$name/artifact"
      "$PY" -c "from pathlib import Path; from verify.weights.judge import ensure_judge; ensure_judge(Path('runs/gpu-$name/model'), artifact=Path('runs/gpu-$name/artifact'))"
      cands+=("$name=runs/gpu-$name/model")
    done
    scripts/judge_choice.sh runs/gpu-choice "${cands[@]}" | tee runs/gpu-choice.md
    for c in "${cands[@]}"; do
      name="${c%%=*}"
      "$PY" -m verify.eval.tune --nli-model "runs/gpu-$name/model" --out "runs/gpu-tune/$name.json" > "runs/gpu-tune-$name.json"
      "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print(sys.argv[2], 'dev objective', d['dev_before']['objective'], '->', d['dev_after']['objective'])" "runs/gpu-tune-$name.json" "$name"
    done ;;
  *) sed -n 2,7p "$0"; exit 2 ;;
esac
